package features

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// labels are short human labels of the catalogue's fixed features; Label
// derives the others from their names and descriptions.
var labels = map[string]string{
	RecencyDays:                "days since the last order",
	"has_purchased":            "ever bought",
	Frequency:                  "orders",
	Monetary:                   "net spend",
	AvgOrderValue:              "average order value",
	ItemsPerOrder:              "items per order",
	PurchaseTenureDays:         "days since the first order",
	OrderGapMeanDays:           "days between orders (mean)",
	OrderGapStdDays:            "days between orders (spread)",
	DistinctProducts:           "distinct products bought",
	DistinctCategories:         "distinct categories bought",
	ReturnRate:                 "share of units returned",
	PriceLevel:                 "price level (1 = category median)",
	DiscountShare:              "discount, share of list value",
	DiscountedLineShare:        "share of lines bought on discount",
	SpendSharePrefix + "other": "spend share: other categories",
	Events:                     "events",
	EventsPerSession:           "events per session",
	SessionMinutes:             "session length (minutes)",
	ActiveDays:                 "active days",
	DaysSinceLastEvent:         "days since the last event",
	WeekendShare:               "share of events at weekends",
	CartRate:                   "add-to-cart rate",
	CheckoutRate:               "checkout rate",
	SocialActions:              "social actions",
	SocialActiveDays:           "days with social activity",
	Age:                        "age",
	SignupTenureDays:           "days since signup",
	PriceSensitivity:           "price sensitivity",
	LoyaltyHHI:                 "category concentration (HHI)",
	VarietyEntropy:             "category variety (entropy)",
	DaysSinceLastActivity:      "days since the last activity",
}

// Label is how a reader is shown a feature (the report, the dashboard,
// the profiles' text): a short label for the catalogue's fixed features,
// one built from the description for the per-value ones ("spend share:
// Books", "country: DE"; from the name when the description is empty:
// "spend share: books"), and the name with spaces for anything else
// (custom features).
func Label(name, description string) string {
	if l, ok := labels[name]; ok {
		return l
	}
	quoted := quotedPart(description)
	switch {
	case strings.HasPrefix(name, SpendSharePrefix) && quoted != "":
		return "spend share: " + quoted
	case strings.HasPrefix(name, AffinityPrefix) && quoted != "":
		return "interest in " + quoted
	case strings.HasPrefix(name, TopicSharePrefix) && quoted != "":
		return "social topic: " + quoted
	case strings.HasPrefix(name, DeviceSharePrefix):
		return "events on " + strings.TrimPrefix(name, DeviceSharePrefix)
	case strings.HasPrefix(name, CountPrefix):
		return strings.TrimPrefix(name, CountPrefix) + " events"
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
	return nameLabel(name)
}

// nameLabel is Label without a description: the per-value features by
// their prefixes, the users table's one-hot fields as "field: value".
func nameLabel(name string) string {
	words := func(s string) string { return strings.ReplaceAll(s, "_", " ") }
	for _, p := range []struct{ prefix, label string }{
		{SpendSharePrefix, "spend share: "}, {AffinityPrefix, "interest in "}, {TopicSharePrefix, "social topic: "},
	} {
		if v, ok := strings.CutPrefix(name, p.prefix); ok && v != "" {
			return p.label + words(v)
		}
	}
	for _, part := range dayParts {
		if name == SharePrefix+part.name {
			return fmt.Sprintf("events %02d:00–%02d:00", part.from, part.to)
		}
	}
	if v, ok := strings.CutPrefix(name, DeviceSharePrefix); ok && v != "" {
		return "events on " + v
	}
	if v, ok := strings.CutPrefix(name, CountPrefix); ok && v != "" {
		return v + " events"
	}
	if v, ok := strings.CutPrefix(name, SharePrefix); ok && v != "" {
		return "share of " + v + " events"
	}
	for _, f := range userFields {
		if v, ok := strings.CutPrefix(name, f+"_"); ok && v != "" {
			return words(f) + ": " + v
		}
	}
	if v, ok := strings.CutPrefix(name, "social_"); ok && v != "" && v != "actions" {
		return "social: " + strings.TrimSuffix(v, "s") + " actions"
	}
	return words(name)
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

// A Unit is what a feature's values measure, for writing them.
type Unit string

// The units of the catalogue's features (UnitOf).
const (
	UnitNone    Unit = ""        // an index or score: the number alone
	UnitCount   Unit = "count"   // orders, events, actions
	UnitShare   Unit = "share"   // 0..1, written as a percentage
	UnitDays    Unit = "days"    // a duration or a count of days
	UnitMinutes Unit = "minutes" // a duration
	UnitYears   Unit = "years"   // an age
	UnitMoney   Unit = "money"   // the data's currency, whatever it is
)

// UnitOf returns the unit of a catalogue feature by its name; UnitNone for
// indices (price level, HHI, entropy) and for names it does not know
// (custom features, attributes).
func UnitOf(name string) Unit {
	switch name {
	case RecencyDays, PurchaseTenureDays, OrderGapMeanDays, OrderGapStdDays, DaysSinceLastEvent, DaysSinceLastActivity,
		SignupTenureDays, ActiveDays, SocialActiveDays:
		return UnitDays
	case SessionMinutes:
		return UnitMinutes
	case Age:
		return UnitYears
	case Monetary, AvgOrderValue:
		return UnitMoney
	case WeekendShare, CartRate, CheckoutRate, ReturnRate, DiscountShare, DiscountedLineShare, "has_purchased":
		return UnitShare
	case Frequency, Events, Sessions, EventsPerSession, ItemsPerOrder, DistinctProducts, DistinctCategories,
		SocialActions, SocialPosts, SocialShares, SocialComments:
		return UnitCount
	}
	for _, p := range []string{SpendSharePrefix, AffinityPrefix, TopicSharePrefix, DeviceSharePrefix, SharePrefix} {
		if strings.HasPrefix(name, p) {
			return UnitShare
		}
	}
	if strings.HasPrefix(name, CountPrefix) || strings.HasPrefix(name, "social_") {
		return UnitCount
	}
	for _, f := range userFields {
		if strings.HasPrefix(name, f+"_") {
			return UnitShare // the mean of a one-hot column: the share of users
		}
	}
	return UnitNone
}

// Format writes a value of a feature in its unit (UnitOf): "9%", "355
// days", "12 min", "56 years", "5,401", "0.53". Means are written the same
// way: the mean of a 0/1 column is a share.
func Format(name string, v float64) string { return FormatUnit(UnitOf(name), v) }

// FormatUnit writes v in unit u, as Format does.
func FormatUnit(u Unit, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprint(v)
	}
	switch u {
	case UnitShare:
		p := 100 * v
		if math.Abs(p) >= 10 || p == math.Trunc(p) {
			return Number(math.Round(p)) + "%"
		}
		return minus(strconv.FormatFloat(p, 'f', 1, 64)) + "%"
	case UnitDays:
		if v == 1 {
			return "1 day"
		}
		return Number(v) + " days"
	case UnitMinutes:
		return Number(v) + " min"
	case UnitYears:
		return Number(v) + " years"
	}
	return Number(v)
}

// Number writes v with one decimal from 1 to 100, two below 1 (trailing
// zeros dropped) and as a whole number from 100, thousands separated by commas and a true minus
// sign: 5,401, 226, 37.5, 3.8, 0.53, −1.2.
func Number(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100 || v == math.Trunc(v):
		r := math.Round(v)
		s := strconv.FormatFloat(math.Abs(r), 'f', 0, 64)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		if r < 0 {
			s = "−" + s
		}
		return s
	case a >= 1:
		return minus(trimZeros(strconv.FormatFloat(v, 'f', 1, 64)))
	}
	return minus(trimZeros(strconv.FormatFloat(v, 'f', 2, 64)))
}

// trimZeros drops the zeros that end a decimal fraction: 0.50 is 0.5,
// 3.0 is 3.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

func minus(s string) string { return strings.Replace(s, "-", "−", 1) }
