package profile

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Standings, from the rules in standing. Each is a plain-language kind of
// customer a marketer already knows.
const (
	StandingUnsegmented    = "unsegmented"
	StandingLapsed         = "lapsed"
	StandingHibernating    = "hibernating"
	StandingNew            = "promising new"
	StandingChampions      = "champions"
	StandingAtRisk         = "at risk"
	StandingInfluencers    = "influencers"
	StandingBargainHunters = "bargain hunters"
	StandingBigSpenders    = "big spenders"
	StandingBrowsers       = "window browsers"
	StandingLoyal          = "loyal"
	StandingOccasional     = "occasional"
)

// standing classifies a segment by the z-scores of its feature means
// against the base (z(f) below; a feature missing from the table counts as
// z = 0). The first rule that holds wins; the rules are listed in the
// package documentation under "# Names".
func standing(s *Segment) string {
	z := func(name string) float64 {
		f, ok := s.Feature(name)
		if !ok {
			return 0
		}
		return f.Z
	}
	maxZ := func(names ...string) float64 {
		m := math.Inf(-1)
		for _, n := range names {
			if _, ok := s.Feature(n); ok {
				m = math.Max(m, z(n))
			}
		}
		if math.IsInf(m, -1) {
			return 0
		}
		return m
	}
	minZ := func(names ...string) float64 {
		m := math.Inf(1)
		for _, n := range names {
			if _, ok := s.Feature(n); ok {
				m = math.Min(m, z(n))
			}
		}
		if math.IsInf(m, 1) {
			return 0
		}
		return m
	}
	freq := z("frequency")
	switch {
	case s.ID == Unsegmented:
		return StandingUnsegmented
	case z("days_since_last_activity") > 0.8 && freq > -0.3:
		return StandingLapsed
	case z("days_since_last_activity") > 0.8:
		return StandingHibernating
	case z("signup_tenure_days") < -0.8:
		return StandingNew
	case freq > 0.5 && z("monetary") > 0.5 && z("recency_days") < 0:
		return StandingChampions
	case z("recency_days") > 0.5 && freq > 0:
		return StandingAtRisk
	case maxZ("social_actions", "social_posts") > 1:
		return StandingInfluencers
	case maxZ("price_sensitivity", "discounted_line_share", "discount_share") > 0.8:
		return StandingBargainHunters
	case z("monetary") > 0.5:
		return StandingBigSpenders
	case freq < -0.3 &&
		maxZ("events", "sessions", "count_page_view", "count_product_view", "share_page_view", "share_product_view") > 0.3 &&
		minZ("cart_rate", "checkout_rate") < -0.3:
		return StandingBrowsers
	case freq > 0.3:
		return StandingLoyal
	}
	return StandingOccasional
}

// redundant lists, per standing, the trait labels that would only repeat
// it ("bargain hunters — deal seekers").
func redundant(standing, label string) bool {
	var same []string
	switch standing {
	case StandingBargainHunters:
		same = []string{"deal seekers"}
	case StandingInfluencers:
		same = []string{"content creators"}
	case StandingBrowsers:
		same = []string{"heavy browsers", "rare buyers", "frequent visitors", "long since last order"}
	case StandingNew:
		same = []string{"newcomers", "recent first order", "rare visitors"}
	case StandingChampions:
		same = []string{"frequent buyers", "high spenders", "recent buyers"}
	case StandingBigSpenders:
		same = []string{"high spenders"}
	case StandingLoyal:
		same = []string{"frequent buyers"}
	case StandingLapsed, StandingHibernating:
		same = []string{"inactive", "long since last order", "recently active", "recent buyers", "rare visitors"}
	case StandingAtRisk:
		same = []string{"long since last order"}
	case StandingOccasional:
		same = []string{"rare buyers"}
	}
	for _, l := range same {
		if l == label {
			return true
		}
	}
	return label == standing
}

// fewOrders reports whether a segment buys too seldom (z(frequency) < −0.3)
// for the spread of its spend over categories to say anything: one order
// is "category loyal" by construction.
func fewOrders(s *Segment) bool {
	f, ok := s.Feature("frequency")
	return ok && f.Z < -0.3
}

// purchaseShape reports whether a label describes the shape of a
// segment's purchases (tenure, range, basket, category spread), which says
// nothing when the segment buys too seldom.
func purchaseShape(label string) bool {
	switch label {
	case "category loyal", "variety seekers", "recent first order", "narrow range", "broad range",
		"small baskets", "large baskets", "long since last order", "recent buyers", "low spenders":
		return true
	}
	return false
}

// sameAs maps labels that speak of the same thing to one key, so a name
// neither repeats nor contradicts itself ("recent buyers, recently
// active"; "inactive, recently active").
func sameAs(label string) string {
	switch label {
	case "recent buyers", "recently active", "long since last order", "inactive":
		return "recency"
	case "newcomers", "recent first order", "long-standing":
		return "tenure"
	}
	if v, ok := strings.CutSuffix(label, " browsers"); ok && v != "heavy" {
		return v // "sports browsers" after "sports" adds nothing
	}
	return label
}

// phrase turns a distinctive feature into a short label for a segment name,
// or "" when the feature makes no useful label. high says whether the
// segment is above the base.
func phrase(feature string, high bool) string {
	cut := func(prefix string) (string, bool) {
		if strings.HasPrefix(feature, prefix) {
			return strings.ReplaceAll(strings.TrimPrefix(feature, prefix), "_", " "), true
		}
		return "", false
	}
	if !high {
		switch feature {
		case "age":
			return "younger"
		case "price_level":
			return "budget buyers"
		case "price_sensitivity", "discounted_line_share", "discount_share":
			return "full-price buyers"
		case "recency_days":
			return "recent buyers"
		case "frequency":
			return "rare buyers"
		case "monetary":
			return "low spenders"
		case "purchase_tenure_days":
			return "recent first order"
		case "signup_tenure_days":
			return "newcomers"
		case "distinct_products":
			return "narrow range"
		case "avg_order_value":
			return "small baskets"
		case "days_since_last_activity", "days_since_last_event":
			return "recently active"
		case "events", "sessions", "active_days":
			return "rare visitors"
		}
		return ""
	}
	if v, ok := cut("spend_share_"); ok && v != "other" {
		return v
	}
	if v, ok := cut("affinity_"); ok && v != "other" {
		return v + " browsers"
	}
	if v, ok := cut("topic_share_"); ok && v != "other" {
		return v + " fans"
	}
	if v, ok := cut("acquisition_channel_"); ok && v != "other" {
		return "via " + v
	}
	if v, ok := cut("country_"); ok && v != "other" {
		return strings.ToUpper(v) + "-based"
	}
	if v, ok := cut("gender_"); ok && v != "other" {
		return "mostly " + v
	}
	switch feature {
	case "share_night":
		return "night owls"
	case "share_morning":
		return "early birds"
	case "share_afternoon":
		return "daytime users"
	case "share_evening":
		return "evening users"
	case "weekend_share":
		return "weekend shoppers"
	case "discount_share", "discounted_line_share", "price_sensitivity":
		return "deal seekers"
	case "price_level":
		return "premium buyers"
	case "device_share_mobile", "device_mobile":
		return "mobile-first"
	case "device_share_desktop", "device_desktop":
		return "desktop users"
	case "device_share_tablet", "device_tablet":
		return "tablet users"
	case "social_posts", "social_shares", "social_actions", "social_comments", "social_active_days":
		return "content creators"
	case "count_search", "share_search":
		return "searchers"
	case "count_page_view", "count_product_view", "share_page_view", "share_product_view":
		return "heavy browsers"
	case "age":
		return "older"
	case "return_rate":
		return "frequent returners"
	case "cart_rate":
		return "cart fillers"
	case "variety_entropy", "distinct_categories":
		return "variety seekers"
	case "loyalty_hhi":
		return "category loyal"
	case "avg_order_value":
		return "large baskets"
	case "items_per_order":
		return "bulk buyers"
	case "recency_days":
		return "long since last order"
	case "frequency":
		return "frequent buyers"
	case "monetary":
		return "high spenders"
	case "purchase_tenure_days", "signup_tenure_days":
		return "long-standing"
	case "distinct_products":
		return "broad range"
	case "days_since_last_activity", "days_since_last_event":
		return "inactive"
	case "events", "sessions", "active_days":
		return "frequent visitors"
	}
	return ""
}

// describe is a trait in words, for the profile text.
func describe(feature string, high bool) string {
	dir := "lower"
	if high {
		dir = "higher"
	}
	return fmt.Sprintf("%s %s than the base", strings.ReplaceAll(feature, "_", " "), dir)
}

// nameSegments gives every segment a standing, a unique name, a summary
// and actions. A name is the standing followed by the labels of its two
// most distinctive traits (of its 20 with the largest |d|) that make one ("at risk — electronics, early
// birds"); a third label, then the segment id, is added when two names
// would otherwise be equal. Segments with a name in keep (by id) keep it;
// those names are reserved first.
func nameSegments(segs []Segment, keep map[int]string) {
	used := map[string]bool{}
	for i := range segs {
		if name, ok := keep[segs[i].ID]; ok && name != "" && !used[name] {
			used[name] = true
			segs[i].Name = name
		}
	}
	for i := range segs {
		s := &segs[i]
		s.Standing = standing(s)
		var labels []string
		seen := map[string]bool{}
		// Labels come from the 20 most distinctive features, so a segment
		// whose top traits have no label still gets a name that says
		// something.
		cands := topTraits(s.Features, 20)
		if len(cands) < len(s.Top) {
			cands = s.Top
		}
		for _, t := range cands {
			p := phrase(t.Feature, t.D > 0)
			if p == "" || seen[sameAs(p)] || redundant(s.Standing, p) || (fewOrders(s) && purchaseShape(p)) {
				continue
			}
			seen[sameAs(p)] = true
			labels = append(labels, p)
		}
		s.Actions = actions(s.Standing, labels)
		if s.Name == "" {
			s.Name = uniqueName(s.Standing, labels, s.ID, used)
			used[s.Name] = true
		}
		s.Summary = summary(s)
	}
}

func uniqueName(standing string, labels []string, id int, used map[string]bool) string {
	for k := 2; ; k++ {
		name := standing
		if m := min(k, len(labels)); m > 0 {
			name += " — " + strings.Join(labels[:m], ", ")
		}
		if !used[name] {
			return name
		}
		if k > len(labels) {
			return fmt.Sprintf("%s (segment %d)", name, id)
		}
	}
}

func summary(s *Segment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d users (%.1f%% of the base).", s.Size, 100*s.Share)
	var parts []string
	for _, t := range s.Top {
		if len(parts) == 4 {
			break
		}
		f, _ := s.Feature(t.Feature)
		parts = append(parts, fmt.Sprintf("%s %s (mean %s, %s)",
			strings.ReplaceAll(t.Feature, "_", " "), map[bool]string{true: "high", false: "low"}[t.D > 0], num(f.Mean), liftText(f.Lift)))
	}
	if len(parts) > 0 {
		b.WriteString(" Most distinctive: " + strings.Join(parts, "; ") + ".")
	}
	return b.String()
}

func liftText(l float64) string {
	return fmt.Sprintf("%.2f× the base mean", l)
}

func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// actions suggests what to do with a segment, by standing, sharpened by its
// trait labels.
func actions(standing string, labels []string) []Action {
	var mk, svc, rec string
	switch standing {
	case StandingChampions:
		mk = "Reward them: early access, a VIP tier and referral invitations; no discounts needed."
		svc = "Route to priority support and thank them personally after large orders."
		rec = "Recommend new arrivals and premium complements of what they already buy."
	case StandingBigSpenders:
		mk = "Upsell bundles and premium lines; invite them to the loyalty programme to raise frequency."
		svc = "Offer white-glove service on high-value orders."
		rec = "Recommend high-value items bought together with their past purchases."
	case StandingLoyal:
		mk = "Keep them engaged with a points programme and personalised newsletters."
		svc = "Ask for reviews and feedback; they know the range well."
		rec = "Recommend items frequently bought together with their regular purchases."
	case StandingBargainHunters:
		mk = "Lead with sale alerts, coupons and bundle deals; time campaigns to sales events and protect margin with member-only prices."
		svc = "Make price-match and coupon questions quick to resolve."
		rec = "Recommend discounted items and value packs bought together with their past purchases."
	case StandingNew:
		mk = "Run an onboarding journey: welcome offer on the second order, guides to the range."
		svc = "Make first-order support easy to reach; follow up after delivery."
		rec = "Recommend the best sellers of their segment until they have a history."
	case StandingAtRisk:
		mk = "They still visit but stopped buying: a personal offer on what they browse, and a 'what's new' mailing."
		svc = "Ask why they stopped; resolve open issues from their last orders."
		rec = "Remind them of categories they used to buy, with new items in them."
	case StandingLapsed:
		mk = "Win them back: a time-limited reactivation offer by email or post, then a 'we miss you' series."
		svc = "Survey why they left; fix the cause if it was a service failure."
		rec = "Recommend new items in the categories they used to buy."
	case StandingHibernating:
		mk = "Low-cost reactivation only (one email series); suppress from paid campaigns if they do not respond."
		svc = "No proactive contact beyond the reactivation series."
		rec = "Recommend the overall best sellers at entry prices."
	case StandingBrowsers:
		mk = "Convert interest into a first purchase: retarget viewed products and abandoned carts, free shipping thresholds."
		svc = "Offer live chat on product pages to answer pre-purchase questions."
		rec = "Recommend popular items in the categories they view most."
	case StandingInfluencers:
		mk = "Turn them into advocates: creator and referral programmes, shareable content, user-generated campaigns."
		svc = "Respond quickly and publicly on social channels."
		rec = "Recommend trending items in their favourite topics."
	case StandingUnsegmented:
		mk = "Keep in general campaigns; they fit no segment well."
		svc = "Standard service."
		rec = "Recommend overall best sellers."
	default:
		mk = "Nudge frequency with seasonal campaigns and reminders."
		svc = "Standard service; watch for signs of churn."
		rec = "Recommend segment best sellers."
	}
	for _, l := range labels {
		if l == "deal seekers" && standing != StandingBargainHunters {
			mk += " Lead with discount codes and sale alerts rather than full-price launches."
			break
		}
		if l == "premium buyers" || l == "full-price buyers" {
			mk += " Lead with quality and exclusivity rather than price."
			break
		}
	}
	return []Action{{"marketing", mk}, {"service", svc}, {"recommendations", rec}}
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
