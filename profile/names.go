package profile

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/persona-seg/persona/features"
)

// A form says how a label fits into a name made of labels alone (data
// with no standing): adjectives go before the head noun ("high-income
// urban"), the first noun phrase is the head ("tablet users"; "users" when
// there is none), and the rest follow after commas ("high CTR").
type form int

const (
	formTail form = iota
	formAdj
	formNoun
)

// label is a trait in a few words, for a name.
type label struct {
	text    string
	form    form
	feature string
}

// nounEnds are the last words that make a label a noun phrase.
var nounEnds = map[string]bool{
	"users": true, "buyers": true, "owls": true, "birds": true, "shoppers": true, "fans": true,
	"browsers": true, "spenders": true, "seekers": true, "creators": true, "searchers": true,
	"returners": true, "fillers": true, "visitors": true, "newcomers": true, "customers": true,
	"hunters": true, "non-buyers": true,
}

// formOf guesses the form of a catalogue label.
func formOf(text string) form {
	f := strings.Fields(text)
	if len(f) == 0 {
		return formTail
	}
	last := f[len(f)-1]
	switch {
	case nounEnds[last]:
		return formNoun
	case len(f) == 1 && (strings.HasSuffix(last, "-based") || strings.HasSuffix(last, "-first") || last == "older" || last == "younger" || last == "young" || last == "long-standing"):
		return formAdj
	}
	return formTail
}

func cat(text string) label { return label{text: text, form: formOf(text)} }

// phrase turns a distinctive feature into a label for a segment name, or
// a label with no text when the feature makes no useful label. high says
// whether the segment is above the base.
func phrase(feature string, col Column, high bool) label {
	if col.IsAttribute() {
		return attributePhrase(feature, col, high)
	}
	return cat(cataloguePhrase(feature, high))
}

// cataloguePhrase is the label of a feature of persona's catalogue.
func cataloguePhrase(feature string, high bool) string {
	cut := func(prefix string) (string, bool) {
		if strings.HasPrefix(feature, prefix) {
			return strings.ReplaceAll(strings.TrimPrefix(feature, prefix), "_", " "), true
		}
		return "", false
	}
	if !high {
		switch feature {
		case features.Age:
			return "younger"
		case features.PriceLevel:
			return "budget buyers"
		case features.PriceSensitivity, features.DiscountedLineShare, features.DiscountShare:
			return "full-price buyers"
		case features.RecencyDays:
			return "recent buyers"
		case features.Frequency:
			return "rare buyers"
		case features.Monetary:
			return "low spenders"
		case features.PurchaseTenureDays:
			return "recent first order"
		case features.SignupTenureDays:
			return "newcomers"
		case features.DistinctProducts:
			return "narrow range"
		case features.AvgOrderValue:
			return "small baskets"
		case features.DaysSinceLastActivity, features.DaysSinceLastEvent:
			return "recently active"
		case features.Events, features.Sessions, features.ActiveDays:
			return "rare visitors"
		}
		return ""
	}
	if v, ok := cut(features.SpendSharePrefix); ok && v != "other" {
		return v
	}
	if v, ok := cut(features.AffinityPrefix); ok && v != "other" {
		return v + " browsers"
	}
	if v, ok := cut(features.TopicSharePrefix); ok && v != "other" {
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
	case features.ShareNight:
		return "night owls"
	case features.ShareMorning:
		return "early birds"
	case features.ShareAfternoon:
		return "daytime users"
	case features.ShareEvening:
		return "evening users"
	case features.WeekendShare:
		return "weekend shoppers"
	case features.DiscountShare, features.DiscountedLineShare, features.PriceSensitivity:
		return "deal seekers"
	case features.PriceLevel:
		return "premium buyers"
	case features.DeviceSharePrefix + "mobile", "device_mobile":
		return "mobile-first"
	case features.DeviceSharePrefix + "desktop", "device_desktop":
		return "desktop users"
	case features.DeviceSharePrefix + "tablet", "device_tablet":
		return "tablet users"
	case features.SocialPosts, features.SocialShares, features.SocialActions, features.SocialComments, features.SocialActiveDays:
		return "content creators"
	case features.CountPrefix + "search", features.SharePrefix + "search":
		return "searchers"
	case features.CountPrefix + "page_view", features.CountPrefix + "product_view", features.SharePrefix + "page_view", features.SharePrefix + "product_view":
		return "heavy browsers"
	case features.Age:
		return "older"
	case features.ReturnRate:
		return "frequent returners"
	case features.CartRate:
		return "cart fillers"
	case features.VarietyEntropy, features.DistinctCategories:
		return "variety seekers"
	case features.LoyaltyHHI:
		return "category loyal"
	case features.AvgOrderValue:
		return "large baskets"
	case features.ItemsPerOrder:
		return "bulk buyers"
	case features.RecencyDays:
		return "long since last order"
	case features.Frequency:
		return "frequent buyers"
	case features.Monetary:
		return "high spenders"
	case features.PurchaseTenureDays, features.SignupTenureDays:
		return "long-standing"
	case features.DistinctProducts:
		return "broad range"
	case features.DaysSinceLastActivity, features.DaysSinceLastEvent:
		return "inactive"
	case features.Events, features.Sessions, features.ActiveDays:
		return "frequent visitors"
	}
	return ""
}

// vagueLevels are levels that say nothing without their attribute's name
// ("no", "other"): they are named as "attribute level".
var vagueLevels = map[string]bool{
	"yes": true, "no": true, "true": true, "false": true, "y": true, "n": true, "none": true, "other": true,
	"others": true, "unknown": true, "missing": true, "n/a": true, "na": true, "null": true, "0": true, "1": true,
}

// attributePhrase is the label of an attribute column: "high-income" or
// "high monthly charges" for a numeric one ("young" and "older" for an
// age), "recent signup" or "long since signup" for a date, the level
// itself for a categorical level ("urban"; "no internet service" for the
// level No or None), "cooking fans" for a list
// value and "mostly paperless billing" for a boolean. Missing-value flags
// and the pooled "other" level make no label.
func attributePhrase(feature string, col Column, high bool) label {
	lab := col.label(feature)
	attr := strings.ToLower(col.Attribute + " " + feature)
	if strings.HasSuffix(feature, "_missing") || strings.HasSuffix(col.Attribute, "_missing") || strings.EqualFold(col.Level, "missing") {
		return label{}
	}
	isAge := false
	for _, w := range strings.FieldsFunc(attr, func(r rune) bool { return !unicode.IsLetter(r) }) {
		isAge = isAge || w == "age"
	}
	switch col.Kind {
	case KindNumeric, KindOrdinal:
		dir := map[bool]string{true: "high", false: "low"}[high]
		switch {
		case isAge && high:
			return label{text: "older", form: formAdj}
		case isAge:
			return label{text: "young", form: formAdj}
		case !strings.ContainsAny(lab, " ()"):
			return label{text: dir + "-" + lab, form: formAdj}
		}
		return label{text: dir + " " + lab, form: formTail}
	case KindDate:
		if high {
			return label{text: "long since " + lab, form: formTail}
		}
		return label{text: "recent " + lab, form: formTail}
	case KindBoolean:
		if high {
			return label{text: "mostly " + lab, form: formTail}
		}
		return label{text: "rarely " + lab, form: formTail}
	case KindCategorical, KindList:
		if !high {
			return label{}
		}
		level := levelWords(col.Level)
		if strings.EqualFold(level, "other") {
			return label{} // the pooled rarer levels
		}
		if l := strings.ToLower(level); (l == "no" || l == "none") && level != strings.ToUpper(level) {
			return label{text: "no " + lab, form: formTail} // internet service "No": no internet service
		}
		if level == "" || vagueLevels[strings.ToLower(level)] || isNumber(level) || len([]rune(level)) == 1 {
			return label{text: lab + " " + level, form: formTail}
		}
		if col.Kind == KindList {
			return label{text: level + " fans", form: formNoun}
		}
		return label{text: level, form: formAdj}
	}
	return label{}
}

// levelWords writes a level for a name: lower case unless it is an
// acronym (DSL, US), underscores as spaces.
func levelWords(level string) string {
	level = strings.TrimSpace(strings.ReplaceAll(level, "_", " "))
	if strings.ToUpper(level) == level {
		return level
	}
	return strings.ToLower(level)
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil
}

// describe is a trait in words, for the profile text, with the segment's
// mean against the base's: "net spend higher than the base (5,401
// against 1,049)".
func describe(feature string, col Column, high bool, seg, base float64) string {
	vals := fmt.Sprintf(" (%s against %s)", col.format(feature, seg), col.format(feature, base))
	if col.indicator() && col.Level != "" {
		return fmt.Sprintf("%s %s %s common than in the base%s", col.label(feature), col.Level, map[bool]string{true: "more", false: "less"}[high], vals)
	}
	dir := "lower"
	if high {
		dir = "higher"
	}
	return fmt.Sprintf("%s %s than the base%s", col.label(feature), dir, vals)
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
		same = []string{"heavy browsers", "rare buyers", "non-buyers", "frequent visitors", "long since last order"}
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
	case StandingProspects:
		same = []string{"non-buyers", "rare buyers"}
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
	f, ok := s.Feature(features.Frequency)
	return ok && f.Z < -0.3
}

// purchaseShape reports whether a label describes the shape of a
// segment's purchases (tenure, range, basket, category spread), which says
// nothing when the segment buys too seldom.
func purchaseShape(label string) bool {
	switch label {
	case "category loyal", "variety seekers", "recent first order", "narrow range", "broad range",
		"small baskets", "large baskets", "high order value", "long since last order", "recent buyers", "low spenders":
		return true
	}
	return false
}

// buying reports whether a label says how a segment buys (what it pays,
// what it buys, how much), which is no trait of a segment most of whose
// members never bought: their price and category features are defaults.
func buying(feature, label string) bool {
	switch label {
	case "full-price buyers", "budget buyers", "premium buyers", "deal seekers", "frequent returners", "bulk buyers",
		"large baskets", "high order value", "small baskets", "category loyal", "variety seekers", "broad range",
		"narrow range", "high spenders", "low spenders":
		return true
	}
	return strings.HasPrefix(feature, features.SpendSharePrefix)
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
	case "large baskets", "high order value", "small baskets":
		return "basket"
	case "rare buyers", "non-buyers", "frequent buyers":
		return features.Frequency
	}
	if v, ok := strings.CutSuffix(label, " browsers"); ok && v != "heavy" {
		return v // "sports browsers" after "sports" adds nothing
	}
	return label
}

// agree checks a label against the segment's facts in the data's own
// units and returns the label to use: the same, another that fits the
// numbers ("non-buyers" for "rare buyers" when most never bought), or ""
// when the numbers contradict it. The rules are listed in the package
// documentation under "# Names".
func agree(j *judge, text string) string {
	c, hasCycle := j.cycle()
	f := j.s.Facts
	b := j.base
	switch text {
	case "frequent buyers":
		if !j.repeat() {
			return ""
		}
	case "category loyal", "variety seekers":
		// Without categories that vary (one category, or none), the spread
		// of spend over them only says who spent anything.
		if !j.has(features.DistinctCategories) {
			return ""
		}
	case "rare buyers":
		if o, ok := j.orders(); ok && o == 0 {
			return "non-buyers"
		}
	case "recent buyers":
		if since, ok := get(f.DaysSinceOrder); hasCycle && (!ok || since > RecentCycles*c) {
			return ""
		}
	case "long since last order":
		if since, ok := get(f.DaysSinceOrder); hasCycle && (!ok || since <= LapsedCycles*c) {
			return ""
		}
	case "inactive":
		s, ok := get(f.DaysSilent)
		if hasCycle && (!ok || s <= LapsedCycles*c) || !hasCycle && ok && b.DaysSilent > 0 && s <= b.DaysSilent {
			return ""
		}
	case "recently active":
		if s, ok := get(f.DaysSilent); hasCycle && (!ok || s > RecentCycles*c) {
			return ""
		}
	case "newcomers":
		if t, ok := get(f.TenureDays); hasCycle && ok && t > NewCycles*c {
			return ""
		}
	case "recent first order":
		if t, ok := get(f.FirstOrderDays); hasCycle && ok && t > NewCycles*c {
			return ""
		}
	case "long-standing":
		if t, ok := get(f.TenureDays); hasCycle && ok && t <= NewCycles*c {
			return ""
		}
	case "large baskets":
		v, okV := get(f.BasketValue)
		if okV && b.BasketValue > 0 && v < Margin*b.BasketValue {
			return ""
		}
		if it, ok := get(f.BasketItems); ok && b.BasketItems > 0 && it < Margin*b.BasketItems {
			return "high order value" // dearer orders of no more items
		}
	case "small baskets":
		if v, ok := get(f.BasketValue); ok && b.BasketValue > 0 && v > b.BasketValue/Margin {
			return ""
		}
	case "bulk buyers":
		if it, ok := get(f.BasketItems); ok && b.BasketItems > 0 && it < Margin*b.BasketItems {
			return ""
		}
	case "high spenders":
		if sp, ok := get(f.Spend); ok && b.Spend > 0 && sp < Margin*b.Spend {
			return ""
		}
	case "low spenders":
		if sp, ok := get(f.Spend); ok && b.Spend > 0 && sp > b.Spend/Margin {
			return ""
		}
	}
	return text
}

// candidates returns a segment's labels, most distinctive first: those of
// its features with |d| ≥ 0.2 (first), then of the rest by |d|, each
// checked against the facts, without repeats, contradictions, labels that
// repeat the standing, and labels of the shape of purchases when the
// segment buys too seldom for them to mean anything.
func candidates(j *judge, cols map[string]Column) (strong, weak []label) {
	s := j.s
	idx := make([]int, len(s.Features))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(s.Features[idx[a]].D) > math.Abs(s.Features[idx[b]].D) })
	seen := map[string]bool{}
	for _, i := range idx {
		f := s.Features[i]
		if f.D == 0 {
			break
		}
		l := phrase(f.Feature, cols[f.Feature], f.D > 0)
		if l.text == "" {
			continue
		}
		if !cols[f.Feature].IsAttribute() {
			l.text = agree(j, l.text)
			l.form = formOf(l.text)
		}
		l.feature = f.Feature
		if l.text == "" || seen[sameAs(l.text)] || redundant(s.Standing, l.text) || (fewOrders(s) && purchaseShape(l.text)) ||
			(!j.buyers() && buying(f.Feature, l.text)) || !majority(f, cols[f.Feature]) {
			continue
		}
		seen[sameAs(l.text)] = true
		if math.Abs(f.D) >= 0.2 {
			strong = append(strong, l)
		} else {
			weak = append(weak, l)
		}
	}
	return strong, weak
}

// MajorityShare and RareShare are the shares of a segment an indicator's
// level must reach for its label: a level names a segment ("urban",
// "mostly female", "US-based", "via social") only when at least half of
// it has the level, and "rarely <boolean>" only when under a quarter has.
const (
	MajorityShare = 0.5
	RareShare     = 0.25
)

// majority reports whether an indicator column's share in the segment
// bears its label out (see MajorityShare); true for other columns.
func majority(f FeatureStat, col Column) bool {
	indicator := col.indicator()
	if !col.IsAttribute() {
		indicator = describesWho(f.Feature) && f.Feature != features.Age && f.Feature != features.SignupTenureDays
	}
	switch {
	case !indicator:
		return true
	case f.D > 0:
		return f.Mean >= MajorityShare
	}
	return f.Mean < RareShare
}

// compose writes a name from a standing (possibly empty), an outcome
// phrase (possibly empty) and labels. With a standing: "standing —
// outcome, label, label". Without one the labels make a phrase: the
// adjectives, the head noun and the rest ("high-income urban tablet users,
// high CTR"; "users with high balance, low tenure" when there are only
// such), after the outcome ("churned 2.4× the base — month-to-month
// users").
func compose(standing, outcome string, labels []label) string {
	var texts []string
	if outcome != "" && standing != "" {
		texts = append(texts, outcome)
	}
	if standing != "" {
		for _, l := range labels {
			texts = append(texts, l.text)
		}
		if len(texts) == 0 {
			return standing
		}
		return standing + " — " + strings.Join(texts, ", ")
	}
	var adjs, tails []string
	head := ""
	for _, l := range labels {
		switch {
		case l.form == formAdj:
			adjs = append(adjs, l.text)
		case l.form == formNoun && head == "":
			head = l.text
		default:
			tails = append(tails, l.text)
		}
	}
	var name string
	switch {
	case head == "" && len(adjs) == 0 && len(tails) == 0:
		name = "all users"
	case head == "" && len(adjs) == 0:
		name = "users with " + strings.Join(tails, ", ")
	default:
		if head == "" {
			head = "users"
		}
		name = strings.Join(append(adjs, head), " ")
		if len(tails) > 0 {
			name += ", " + strings.Join(tails, ", ")
		}
	}
	if outcome != "" {
		name = outcome + " — " + name
	}
	return name
}

// namer holds what naming every segment needs.
type namer struct {
	rep  *Report
	cols map[string]Column
}

// nameSegments gives every segment a standing, a unique name, a summary
// and actions (see the package documentation, "# Names").
func nameSegments(rep *Report, keep map[int]Previous, cols map[string]Column) {
	segs := rep.Segments
	type state struct {
		outcome      string
		strong, weak []label
		n            int  // labels in the name
		fixed        bool // kept from the previous run
	}
	st := make([]state, len(segs))
	means := baseMeans(rep.Base)
	for i := range segs {
		s := &segs[i]
		j := &judge{s: s, base: rep.Facts, means: means, cols: cols}
		s.Standing, s.Why = standing(j, cols)
		st[i].strong, st[i].weak = candidates(j, cols)
		st[i].outcome = outcomePhrase(s.Outcomes)
		base := 2
		if s.Standing == "" {
			base = 3
		}
		st[i].n = min(base, len(st[i].strong)) // weak labels only separate names
	}
	labelsOf := func(i int) []label {
		all := append(append([]label(nil), st[i].strong...), st[i].weak...)
		return all[:min(st[i].n, len(all))]
	}
	name := func(i int) string {
		return compose(segs[i].Standing, st[i].outcome, labelsOf(i))
	}
	used := map[string]bool{}
	for i := range segs {
		s := &segs[i]
		prev, ok := keep[s.ID]
		if !ok || prev.Name == "" {
			continue
		}
		s.Previous = prev.Name
		if !used[prev.Name] && stillHolds(prev, s.Standing, append(st[i].strong, st[i].weak...)) {
			s.Name = prev.Name
			s.Labels = prevLabels(prev)
			st[i].fixed = true
			used[prev.Name] = true
		}
	}
	// Name the rest, then give every name that clashes (with another new
	// name or a kept one) its next most distinctive label, until all are
	// unique or the labels run out.
	for {
		names := map[string][]int{}
		for i := range segs {
			if !st[i].fixed {
				names[name(i)] = append(names[name(i)], i)
			}
		}
		grew := false
		for nm, group := range names {
			if len(group) < 2 && !used[nm] {
				continue
			}
			for _, i := range group {
				if st[i].n < len(st[i].strong)+len(st[i].weak) {
					st[i].n++
					grew = true
				}
			}
		}
		if !grew {
			break
		}
	}
	// Whatever still clashes differs from its twin in some feature: name
	// that difference ("higher share evening"), else the size.
	order := make([]int, 0, len(segs))
	for i := range segs {
		if !st[i].fixed {
			order = append(order, i)
		}
	}
	final := map[int]string{}
	for _, i := range order {
		final[i] = name(i)
	}
	owner := map[string]int{}
	for i := range segs {
		if st[i].fixed {
			owner[segs[i].Name] = i
		}
	}
	for _, i := range order {
		nm := final[i]
		if t, clash := owner[nm]; clash {
			nm = separate(&segs[i], &segs[t], nm, cols, owner)
		}
		owner[nm] = i
		final[i] = nm
	}
	for _, i := range order {
		s := &segs[i]
		s.Name = final[i]
		for _, l := range labelsOf(i) {
			s.Labels = append(s.Labels, l.text)
		}
	}
	for i := range segs {
		s := &segs[i]
		s.Actions = actions(s.Standing, s.Labels, s.Outcomes)
		s.Summary = summary(s, means, cols)
	}
}

// separate names segment s apart from t, whose name nm it would share: by
// the feature whose means differ most between them (in base standard
// deviations), else by its size.
func separate(s, t *Segment, nm string, cols map[string]Column, owner map[string]int) string {
	best, which, higher := 0.0, "", false
	for _, f := range s.Features {
		g, ok := t.Feature(f.Feature)
		if !ok {
			continue
		}
		if d := math.Abs(f.Z - g.Z); d > best {
			best, which, higher = d, f.Feature, f.Z > g.Z
		}
	}
	join := func(extra string) string {
		if strings.Contains(nm, " — ") || strings.Contains(nm, ", ") {
			return nm + ", " + extra
		}
		return nm + " — " + extra
	}
	if which != "" {
		cand := join(fmt.Sprintf("%s %s", map[bool]string{true: "higher", false: "lower"}[higher], cols[which].Text(which)))
		if _, taken := owner[cand]; !taken {
			return cand
		}
	}
	for k := 0; ; k++ {
		cand := join(fmt.Sprintf("%d users", s.Size+k))
		if _, taken := owner[cand]; !taken {
			return cand
		}
	}
}

// prevLabels returns the labels of a previous run's name: Labels, else
// those read from a name of the form "standing — label, label", else nil.
func prevLabels(p Previous) []string {
	if p.Labels != nil {
		return p.Labels
	}
	st, rest, ok := strings.Cut(p.Name, " — ")
	if !slices.Contains(standingNames(), st) {
		return nil // not a name of that form
	}
	if !ok {
		return []string{}
	}
	if k := strings.LastIndex(rest, " (segment "); k >= 0 {
		rest = rest[:k]
	}
	return strings.Split(rest, ", ")
}

// prevStanding is the standing of a previous run's segment, from the name
// when not given.
func prevStanding(p Previous) string {
	if p.Standing != "" || p.Labels != nil {
		return p.Standing
	}
	if st, _, _ := strings.Cut(p.Name, " — "); slices.Contains(standingNames(), st) {
		return st
	}
	return ""
}

// KeepWindow is how many of a segment's most distinctive labels a previous
// run's name labels must be among for the segment to keep its name.
const KeepWindow = 3

// stillHolds reports whether a previous name still describes a segment:
// the standing is the same and each of its labels is among the segment's
// KeepWindow (or as many as the name has) most distinctive labels now.
func stillHolds(p Previous, standing string, labels []label) bool {
	if prevStanding(p) != standing {
		return false
	}
	old := prevLabels(p)
	if old == nil || strings.Contains(p.Name, " (segment ") {
		return false // nothing to check the name against, or a numbered name: made afresh
	}
	window := max(KeepWindow, len(old))
	now := map[string]bool{}
	for _, l := range labels[:min(window, len(labels))] {
		now[l.text] = true
	}
	for _, l := range old {
		if !now[l] {
			return false
		}
	}
	return true
}

// baseMeans are the base's feature means by name.
func baseMeans(base []BaseStat) map[string]float64 {
	m := make(map[string]float64, len(base))
	for _, b := range base {
		m[b.Feature] = b.Mean
	}
	return m
}

// summary is the segment in a few sentences: its size, its standing and
// why, its strong outcomes, and its most distinctive traits with their
// means against the base's in the features' words and units.
func summary(s *Segment, means map[string]float64, cols map[string]Column) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d users (%.1f%% of the base).", s.Size, 100*s.Share)
	if s.Standing != "" && s.Standing != StandingOccasional && s.Why != "" {
		fmt.Fprintf(&b, " %s: %s.", upperFirst(s.Standing), s.Why)
	}
	for _, o := range s.Outcomes {
		if o.Strong {
			fmt.Fprintf(&b, " %s.", upperFirst(outcomeText(o)))
		}
	}
	var parts []string
	said := map[string]bool{} // attributes whose level is already said
	for _, t := range s.Top {
		if len(parts) == 4 {
			break
		}
		f, _ := s.Feature(t.Feature)
		c := cols[t.Feature]
		if c.indicator() && c.Attribute != "" {
			// "gender: female low" says "gender: male high" of a
			// two-level attribute; one level of an attribute is enough.
			if said[c.Attribute] {
				continue
			}
			said[c.Attribute] = true
		}
		against := "against the base's "
		if len(parts) > 0 {
			against = "against "
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s %s%s)", c.Text(t.Feature), map[bool]string{true: "high", false: "low"}[t.D > 0],
			c.format(t.Feature, f.Mean), against, c.format(t.Feature, means[t.Feature])))
	}
	if len(parts) > 0 {
		b.WriteString(" Most distinctive: " + strings.Join(parts, "; ") + ".")
	}
	return b.String()
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
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
// trait labels and strong outcomes.
func actions(standing string, labels []string, outcomes []OutcomeStat) []Action {
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
	case StandingProspects:
		mk = "Turn sign-ups into a first order: a welcome offer, onboarding mails and reminders of what they looked at."
		svc = "Make the first purchase easy: answer pre-purchase questions quickly."
		rec = "Recommend the best sellers of their segment."
	case StandingUnsegmented:
		mk = "Keep in general campaigns; they fit no segment well."
		svc = "Standard service."
		rec = "Recommend overall best sellers."
	case "":
		mk = "Tailor offers, message and channel to what sets them apart"
		if len(labels) > 0 {
			mk += " (" + strings.Join(labels, ", ") + ")"
		}
		mk += "."
		svc = "Standard service, in the tone and channel that fit their profile."
		rec = "Recommend what customers with the same profile chose."
	default:
		mk = "Nudge frequency with seasonal campaigns and reminders."
		svc = "Standard service; watch for signs of churn."
		rec = "Recommend segment best sellers."
	}
	for _, o := range outcomes {
		if o.Strong {
			mk += fmt.Sprintf(" %s: %s against %s for the base (%s×): make it the focus of the campaign.", upperFirst(words(o.Name)),
				outcomeValue(o, o.Value), outcomeValue(o, o.Base), trimFloat(o.Lift))
			break
		}
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
