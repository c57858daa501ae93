package report

import (
	"strconv"
	"strings"
)

// featureLabels are short human labels of the catalogue's fixed features
// (package features); FeatureLabel derives the others from their
// descriptions.
var featureLabels = map[string]string{
	"recency_days":             "days since the last order",
	"frequency":                "orders",
	"monetary":                 "net spend",
	"avg_order_value":          "average order value",
	"items_per_order":          "items per order",
	"purchase_tenure_days":     "days since the first order",
	"order_gap_mean_days":      "days between orders (mean)",
	"order_gap_std_days":       "days between orders (spread)",
	"distinct_products":        "distinct products bought",
	"distinct_categories":      "distinct categories bought",
	"return_rate":              "share of units returned",
	"price_level":              "price level (1 = category median)",
	"discount_share":           "discount, share of list value",
	"discounted_line_share":    "share of lines bought on discount",
	"spend_share_other":        "spend share: other categories",
	"events":                   "events",
	"events_per_session":       "events per session",
	"session_minutes":          "session length (minutes)",
	"active_days":              "active days",
	"days_since_last_event":    "days since the last event",
	"weekend_share":            "share of events at weekends",
	"cart_rate":                "add-to-cart rate",
	"checkout_rate":            "checkout rate",
	"social_actions":           "social actions",
	"social_active_days":       "days with social activity",
	"age":                      "age",
	"signup_tenure_days":       "days since signup",
	"price_sensitivity":        "price sensitivity",
	"loyalty_hhi":              "category concentration (HHI)",
	"variety_entropy":          "category variety (entropy)",
	"days_since_last_activity": "days since the last activity",
}

// FeatureLabel is how the report names a feature: a short label for the
// catalogue's fixed features, one built from the description for the
// per-value ones ("spend share: Books", "country: DE"), and the name with
// spaces for anything else (custom features).
func FeatureLabel(name, description string) string {
	if l, ok := featureLabels[name]; ok {
		return l
	}
	quoted := quotedPart(description)
	switch {
	case strings.HasPrefix(name, "spend_share_") && quoted != "":
		return "spend share: " + quoted
	case strings.HasPrefix(name, "affinity_") && quoted != "":
		return "interest in " + quoted
	case strings.HasPrefix(name, "topic_share_") && quoted != "":
		return "social topic: " + quoted
	case strings.HasPrefix(name, "device_share_"):
		return "events on " + strings.TrimPrefix(name, "device_share_")
	case strings.HasPrefix(name, "count_"):
		return strings.TrimPrefix(name, "count_") + " events"
	case strings.HasPrefix(description, "share of events that are "):
		return "share of " + strings.TrimPrefix(description, "share of events that are ") + " events"
	case strings.HasPrefix(description, "share of events between "):
		return "events " + strings.Replace(strings.TrimPrefix(description, "share of events between "), " and ", "–", 1)
	case strings.HasPrefix(description, "number of ") && strings.HasSuffix(description, " actions"):
		return "social: " + strings.TrimSuffix(strings.TrimPrefix(description, "number of "), " actions") + " actions"
	case strings.HasPrefix(description, "1 when users."):
		field, _, _ := strings.Cut(strings.TrimPrefix(description, "1 when users."), " ")
		if quoted != "" {
			return field + ": " + quoted
		}
		if strings.HasSuffix(name, "_other") {
			return field + ": other"
		}
	}
	return strings.ReplaceAll(name, "_", " ")
}

// label is the human label of feature name in this report.
func (in *Input) label(name string) string { return FeatureLabel(name, in.Glossary[name]) }

// labels maps label over names.
func (in *Input) labels(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = in.label(n)
	}
	return out
}

// quotedPart returns the first Go-quoted string in s, unquoted, or "".
func quotedPart(s string) string {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return ""
	}
	q, err := strconv.QuotedPrefix(s[i:])
	if err != nil {
		return ""
	}
	v, err := strconv.Unquote(q)
	if err != nil {
		return ""
	}
	return v
}
