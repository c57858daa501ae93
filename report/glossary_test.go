package report

import "testing"

func TestFeatureLabel(t *testing.T) {
	tests := []struct{ name, description, want string }{
		{"loyalty_hhi", "Herfindahl index of spend over categories", "category concentration (HHI)"},
		{"frequency", "number of distinct orders with a positive quantity", "orders"},
		{"spend_share_home_garden", `share of net spend on category "Home & garden"`, "spend share: Home & garden"},
		{"affinity_books", `share of events with a category that are about "Books"`, "interest in Books"},
		{"topic_share_sport", `share of social actions about topic "sport"`, "social topic: sport"},
		{"device_share_mobile", "share of events from a mobile device", "events on mobile"},
		{"count_product_view", "number of product_view events", "product_view events"},
		{"share_search", "share of events that are search", "share of search events"},
		{"share_morning", "share of events between 06:00 and 12:00", "events 06:00–12:00"},
		{"social_likes", "number of like actions", "social: like actions"},
		{"country_de", `1 when users.country is "DE"`, "country: DE"},
		{"country_other", "1 when users.country is another value or unknown", "country: other"},
		{"internet_service_dsl", `1 when users.attributes.internet_service (categorical of InternetService) is "DSL"`, "internet service: DSL"},
		{"internet_service_other", "1 when users.attributes.internet_service (categorical of InternetService) is another value", "internet service: other"},
		{"top_interests_cooking", `1 when users.attributes.top_interests (list of "Top Interests") is "Cooking"`, "top interests: Cooking"},
		{"top_interests_other", `1 when users.attributes.top_interests (list of "Top Interests") holds another value`, "top interests: other"},
		{"total_charges_missing", "1 when users.attributes.total_charges is missing", "total charges: missing"},
		{"partner", "1 when users.attributes.partner (boolean of Partner) is true, 0 when false; missing: the share of true 0.46", "partner"},
		{"plan_gold", `1 when survey.attributes.plan (categorical) is "Gold"`, "plan: Gold"},
		{"my_custom_score", "", "my custom score"},
	}
	for _, tt := range tests {
		if got := FeatureLabel(tt.name, tt.description); got != tt.want {
			t.Errorf("FeatureLabel(%q, %q) = %q, want %q", tt.name, tt.description, got, tt.want)
		}
	}
}
