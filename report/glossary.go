package report

import (
	"strconv"
	"strings"

	"github.com/persona-seg/persona/features"
)

// featureLabels are short human labels of the catalogue's fixed features
// (package features); FeatureLabel derives the others from their
// descriptions.
var featureLabels = map[string]string{
	features.RecencyDays:                "days since the last order",
	features.Frequency:                  "orders",
	features.Monetary:                   "net spend",
	features.AvgOrderValue:              "average order value",
	features.ItemsPerOrder:              "items per order",
	features.PurchaseTenureDays:         "days since the first order",
	features.OrderGapMeanDays:           "days between orders (mean)",
	features.OrderGapStdDays:            "days between orders (spread)",
	features.DistinctProducts:           "distinct products bought",
	features.DistinctCategories:         "distinct categories bought",
	features.ReturnRate:                 "share of units returned",
	features.PriceLevel:                 "price level (1 = category median)",
	features.DiscountShare:              "discount, share of list value",
	features.DiscountedLineShare:        "share of lines bought on discount",
	features.SpendSharePrefix + "other": "spend share: other categories",
	features.Events:                     "events",
	features.EventsPerSession:           "events per session",
	features.SessionMinutes:             "session length (minutes)",
	features.ActiveDays:                 "active days",
	features.DaysSinceLastEvent:         "days since the last event",
	features.WeekendShare:               "share of events at weekends",
	features.CartRate:                   "add-to-cart rate",
	features.CheckoutRate:               "checkout rate",
	features.SocialActions:              "social actions",
	features.SocialActiveDays:           "days with social activity",
	features.Age:                        "age",
	features.SignupTenureDays:           "days since signup",
	features.PriceSensitivity:           "price sensitivity",
	features.LoyaltyHHI:                 "category concentration (HHI)",
	features.VarietyEntropy:             "category variety (entropy)",
	features.DaysSinceLastActivity:      "days since the last activity",
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
	case strings.HasPrefix(name, features.SpendSharePrefix) && quoted != "":
		return "spend share: " + quoted
	case strings.HasPrefix(name, features.AffinityPrefix) && quoted != "":
		return "interest in " + quoted
	case strings.HasPrefix(name, features.TopicSharePrefix) && quoted != "":
		return "social topic: " + quoted
	case strings.HasPrefix(name, features.DeviceSharePrefix):
		return "events on " + strings.TrimPrefix(name, features.DeviceSharePrefix)
	case strings.HasPrefix(name, features.CountPrefix):
		return strings.TrimPrefix(name, features.CountPrefix) + " events"
	case strings.HasPrefix(description, "share of events that are "):
		return "share of " + strings.TrimPrefix(description, "share of events that are ") + " events"
	case strings.HasPrefix(description, "share of events between "):
		return "events " + strings.Replace(strings.TrimPrefix(description, "share of events between "), " and ", "–", 1)
	case strings.HasPrefix(description, "number of ") && strings.HasSuffix(description, " actions"):
		return "social: " + strings.TrimSuffix(strings.TrimPrefix(description, "number of "), " actions") + " actions"
	case strings.HasPrefix(description, "1 when ") && strings.Contains(description, ".attributes."):
		// an attribute's indicator: "1 when users.attributes.internet_service
		// (categorical of InternetService) is "DSL"" is internet service: DSL
		field, _, _ := strings.Cut(strings.TrimPrefix(description, "1 when "), " ")
		_, attr, _ := strings.Cut(field, ".attributes.")
		attr = strings.ReplaceAll(attr, "_", " ")
		switch {
		case strings.HasSuffix(description, " is missing"):
			return attr + ": missing"
		case strings.Contains(description, " is true, 0 when false"):
			return attr
		case strings.HasSuffix(description, " another value"):
			return attr + ": other"
		case strings.LastIndex(description, ` is "`) > 0:
			if v := quotedPart(description[strings.LastIndex(description, ` is "`):]); v != "" {
				return attr + ": " + v
			}
		}
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
