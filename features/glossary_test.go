package features

import "testing"

func TestLabel(t *testing.T) {
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
		// Without a description (the profiles' text): from the name.
		{"spend_share_books", "", "spend share: books"},
		{"affinity_sports", "", "interest in sports"},
		{"topic_share_travel", "", "social topic: travel"},
		{"share_night", "", "events 00:00–06:00"},
		{"share_page_view", "", "share of page_view events"},
		{"count_login", "", "login events"},
		{"device_share_tablet", "", "events on tablet"},
		{"gender_female", "", "gender: female"},
		{"acquisition_channel_paid_search", "", "acquisition channel: paid_search"},
		{"social_follows", "", "social: follow actions"},
		{"loyalty_hhi", "", "category concentration (HHI)"},
		{"spending_score_1_100", "", "spending score 1 100"},
	}
	for _, tt := range tests {
		if got := Label(tt.name, tt.description); got != tt.want {
			t.Errorf("Label(%q, %q) = %q, want %q", tt.name, tt.description, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		want string
	}{
		{"has_purchased", 0.09, "9%"},
		{"has_purchased", 0.7, "70%"},
		{"share_night", 0.5712, "57%"},
		{"cart_rate", 0.031, "3.1%"},
		{"gender_female", 0.48, "48%"},
		{"recency_days", 355.2, "355 days"},
		{"recency_days", 1, "1 day"},
		{"active_days", 3.84, "3.8 days"},
		{"session_minutes", 12.34, "12.3 min"},
		{"age", 56.1, "56.1 years"},
		{"monetary", 5401.4, "5,401"},
		{"monetary", -1234567, "−1,234,567"},
		{"frequency", 24, "24"},
		{"count_add_to_cart", 37.5, "37.5"},
		{"loyalty_hhi", 0.81, "0.81"},
		{"price_level", -0.5, "−0.5"},
		{"items_per_order", 2.96, "3"},
		{"events_per_session", 0.004, "0"},
		{"my_custom_score", 1.25, "1.2"},
	}
	for _, tt := range tests {
		if got := Format(tt.name, tt.v); got != tt.want {
			t.Errorf("Format(%q, %v) = %q, want %q", tt.name, tt.v, got, tt.want)
		}
	}
}
