package profile

import (
	"fmt"
	"math"
	"strings"

	"github.com/persona-seg/persona/features"
)

// Standings, from the rules in standingRules. Each is a plain-language
// kind of customer a marketer already knows.
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
	StandingProspects      = "prospects"
	StandingOccasional     = "occasional"
)

// judge answers the questions the standings and labels ask of a segment:
// the z-scores of its feature means (0 for a feature the data lacks or
// that is constant) and its facts against the base's.
type judge struct {
	s    *Segment
	base BaseFacts
	// means are the base's means by feature, for the reasons in words.
	means map[string]float64
	cols  map[string]Column
}

// vs is a feature's segment mean against the base's, in the feature's
// words and unit: "orders 0.3 against the base's 2.9".
func (j *judge) vs(name string) string {
	f, _ := j.s.Feature(name)
	return compared(name, j.cols[name], f.Mean, j.means[name])
}

func (j *judge) has(name string) bool { _, ok := j.s.Feature(name); return ok }

func (j *judge) z(name string) float64 {
	f, ok := j.s.Feature(name)
	if !ok {
		return 0
	}
	return f.Z
}

// maxZ and minZ are the largest and least z of the named features the
// segment has (0 when it has none); which names the feature.
func (j *judge) maxZ(names ...string) (z float64, which string) {
	z = math.Inf(-1)
	for _, n := range names {
		if j.has(n) && j.z(n) > z {
			z, which = j.z(n), n
		}
	}
	if which == "" {
		return 0, ""
	}
	return z, which
}

func (j *judge) minZ(names ...string) (z float64, which string) {
	z = math.Inf(1)
	for _, n := range names {
		if j.has(n) && j.z(n) < z {
			z, which = j.z(n), n
		}
	}
	if which == "" {
		return 0, ""
	}
	return z, which
}

func get(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// cycle is the base's typical days between orders, if known.
func (j *judge) cycle() (float64, bool) { return j.base.CycleDays, j.base.CycleDays > 0 }

// orders is the segment's median number of orders.
func (j *judge) orders() (float64, bool) { return get(j.s.Facts.MedianOrders) }

// repeat reports whether the segment's median member has two orders or
// more (true when unknown: the relative rule alone then decides).
func (j *judge) repeat() bool {
	o, ok := j.orders()
	return !ok || o >= 2
}

// buyers reports whether most of the segment bought (true when unknown).
func (j *judge) buyers() bool {
	b, ok := get(j.s.Facts.Buyers)
	return !ok || b >= 0.5
}

// longTenure reports whether the segment's median tenure is over
// LapsedCycles × c (true when unknown).
func (j *judge) longTenure(c float64) bool {
	t, ok := get(j.s.Facts.TenureDays)
	return !ok || t > LapsedCycles*c
}

func (j *judge) tenureZ() (float64, string) {
	for _, n := range []string{features.SignupTenureDays, features.PurchaseTenureDays} {
		if j.has(n) {
			return j.z(n), n
		}
	}
	return 0, ""
}

func days(v float64) string { return fmt.Sprintf("%.0f days", v) }

func orderCount(v float64) string {
	if v == math.Trunc(v) {
		if v == 1 {
			return "1 order"
		}
		return fmt.Sprintf("%.0f orders", v)
	}
	return fmt.Sprintf("%.1f orders", v)
}

func pct(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// ordered says how much of a segment ever ordered.
func ordered(share float64) string {
	if share == 0 {
		return "none of it ever ordered"
	}
	return "only " + pct(share) + " of it ever ordered"
}

// A rule is one standing and the test that gives it; holds returns
// whether it holds and the numbers that made it so.
type rule struct {
	standing string
	holds    func(j *judge) (bool, string)
}

// standingRules are tried in order; the first that holds wins. Each
// combines the relative rule on z-scores with absolute facts in the data's
// own units (see the package documentation, "# Names"). A rule for a new
// fact (say, the share of members likely lost from a customer-value model
// for "at risk") belongs here, next to the standing it refines.
var standingRules = []rule{
	{StandingUnsegmented, func(j *judge) (bool, string) {
		return j.s.ID == Unsegmented, "users in no dense region (DBSCAN noise)"
	}},
	{StandingAtRisk, (*judge).bigSpendersLost},
	{StandingLapsed, func(j *judge) (bool, string) {
		since, okSince := get(j.s.Facts.DaysSinceOrder)
		silent, okSilent := get(j.s.Facts.DaysSilent)
		if c, ok := j.cycle(); ok {
			if !okSince || !j.buyers() || since <= LapsedCycles*c || (okSilent && silent <= LapsedCycles*c) || !j.longTenure(c) {
				return false, ""
			}
			return true, fmt.Sprintf("its buyers' last order was a median %s ago, over %d × the base's typical %s between orders, and nothing since", days(since), LapsedCycles, days(c))
		}
		za, zf := j.z(features.DaysSinceLastActivity), j.z(features.Frequency)
		if za > 0.8 && zf > -0.3 && j.buyers() && (!okSilent || j.base.DaysSilent == 0 || silent > j.base.DaysSilent) {
			return true, fmt.Sprintf("%s and %s (too few repeat buyers for a typical time between orders)", j.vs(features.DaysSinceLastActivity), j.vs(features.Frequency))
		}
		return false, ""
	}},
	{StandingHibernating, func(j *judge) (bool, string) {
		silent, okSilent := get(j.s.Facts.DaysSilent)
		if c, ok := j.cycle(); ok {
			// Silence can only be hibernation in members who have been
			// around longer than it: a sign-up of last week that did
			// nothing is not hibernating.
			if !okSilent || silent <= LapsedCycles*c || !j.longTenure(c) {
				return false, ""
			}
			who := "its members have"
			if b, ok := get(j.s.Facts.Buyers); ok {
				who = ordered(b) + " and its members have"
			}
			return true, fmt.Sprintf("%s been silent a median %s, over %d × the base's typical %s between orders", who, days(silent), LapsedCycles, days(c))
		}
		za := j.z(features.DaysSinceLastActivity)
		if za > 0.8 && (!okSilent || j.base.DaysSilent == 0 || silent > j.base.DaysSilent) {
			return true, fmt.Sprintf("%s and little bought", j.vs(features.DaysSinceLastActivity))
		}
		return false, ""
	}},
	{StandingNew, func(j *judge) (bool, string) {
		zt, which := j.tenureZ()
		if which == "" || zt >= -0.8 {
			return false, ""
		}
		tenure, okT := get(j.s.Facts.TenureDays)
		silent, okS := get(j.s.Facts.DaysSilent)
		if !okT && which == features.PurchaseTenureDays {
			return false, "" // no buyers: their purchase tenure of 0 says nothing
		}
		if c, ok := j.cycle(); ok {
			if !okT || !okS || tenure > NewCycles*c || silent > RecentCycles*c {
				return false, ""
			}
			return true, fmt.Sprintf("%s, a median tenure of %s (at most %d × the base's typical %s between orders) and last active a median %s ago", j.vs(which), days(tenure), NewCycles, days(c), days(silent))
		}
		if okS && j.base.DaysSilent > 0 && silent > j.base.DaysSilent {
			return false, ""
		}
		return true, fmt.Sprintf("%s and active as recently as the base", j.vs(which))
	}},
	{StandingChampions, func(j *judge) (bool, string) {
		zf, zm, zr := j.z(features.Frequency), j.z(features.Monetary), j.z(features.RecencyDays)
		if zf <= 0.5 || zm <= 0.5 || zr >= 0 || !j.repeat() {
			return false, ""
		}
		o, _ := j.orders()
		f, _ := j.s.Feature(features.Frequency)
		orders := fmt.Sprintf("a median of %s (a mean of %s against the base's %s)", orderCount(o), features.Number(f.Mean), features.Number(j.means[features.Frequency]))
		if c, ok := j.cycle(); ok {
			since, okSince := get(j.s.Facts.DaysSinceOrder)
			if !okSince || since > RecentCycles*c {
				return false, ""
			}
			return true, fmt.Sprintf("%s and %s, the last a median %s ago (within the base's typical %s between orders)", orders, j.vs(features.Monetary), days(since), days(c))
		}
		return true, fmt.Sprintf("%s, %s and %s", orders, j.vs(features.Monetary), j.vs(features.RecencyDays))
	}},
	{StandingAtRisk, func(j *judge) (bool, string) {
		if ok, why, decided := j.atRiskByValue(); decided {
			return ok, why
		}
		zf, zr := j.z(features.Frequency), j.z(features.RecencyDays)
		if zf <= 0 || !j.repeat() {
			return false, ""
		}
		if c, ok := j.cycle(); ok {
			since, okSince := get(j.s.Facts.DaysSinceOrder)
			if !okSince || since <= RecentCycles*c || (zr <= 0.5 && since <= LapsedCycles*c) {
				return false, ""
			}
			o, _ := j.orders()
			return true, fmt.Sprintf("a median of %s, but the last a median %s ago, past the base's typical %s between orders, while still active", orderCount(o), days(since), days(c))
		}
		return zr > 0.5, fmt.Sprintf("%s and %s", j.vs(features.RecencyDays), j.vs(features.Frequency))
	}},
	{StandingInfluencers, func(j *judge) (bool, string) {
		z, which := j.maxZ(features.SocialActions, features.SocialPosts)
		if z <= 1 {
			return false, ""
		}
		f, _ := j.s.Feature(which)
		if f.Median < 1 {
			return false, ""
		}
		return true, fmt.Sprintf("%s, a median of %.0f", j.vs(which), f.Median)
	}},
	{StandingBargainHunters, func(j *judge) (bool, string) {
		z, which := j.maxZ(features.PriceSensitivity, features.DiscountedLineShare, features.DiscountShare)
		if z <= 0.8 || !j.buyers() {
			return false, ""
		}
		return true, j.vs(which)
	}},
	{StandingBigSpenders, func(j *judge) (bool, string) {
		zm := j.z(features.Monetary)
		if zm <= 0.5 {
			return false, ""
		}
		why := j.vs(features.Monetary)
		if sp, ok := get(j.s.Facts.Spend); ok && j.base.Spend > 0 {
			if sp < Margin*j.base.Spend {
				return false, ""
			}
			why += fmt.Sprintf(", its buyers' median spend %s is %.1f× the base's", num(sp), sp/j.base.Spend)
		}
		return true, why
	}},
	{StandingBrowsers, func(j *judge) (bool, string) {
		zf := j.z(features.Frequency)
		browse, which := j.maxZ(features.Events, features.Sessions, features.CountPrefix+"page_view", features.CountPrefix+"product_view", features.SharePrefix+"page_view", features.SharePrefix+"product_view")
		conv, convWhich := j.minZ(features.CartRate, features.CheckoutRate)
		if zf < -0.3 && browse > 0.3 && conv < -0.3 {
			return true, fmt.Sprintf("%s, %s and %s", j.vs(features.Frequency), j.vs(which), j.vs(convWhich))
		}
		return false, ""
	}},
	{StandingLoyal, func(j *judge) (bool, string) {
		zf := j.z(features.Frequency)
		if zf <= 0.3 || !j.repeat() {
			return false, ""
		}
		o, ok := j.orders()
		if !ok {
			return true, j.vs(features.Frequency)
		}
		return true, fmt.Sprintf("%s and a median of %s", j.vs(features.Frequency), orderCount(o))
	}},
	{StandingProspects, func(j *judge) (bool, string) {
		b, ok := get(j.s.Facts.Buyers)
		if !ok || b >= 0.5 {
			return false, ""
		}
		return true, ordered(b)
	}},
	{StandingOccasional, func(j *judge) (bool, string) {
		return true, "no other rule holds"
	}},
}

// describesWho reports whether a catalogue feature says who a user is
// (age, sign-up tenure, the users table's one-hot fields) rather than
// what the user did.
func describesWho(feature string) bool {
	if feature == features.Age || feature == features.SignupTenureDays {
		return true
	}
	for _, f := range categoricalFields {
		if v, ok := strings.CutPrefix(feature, f+"_"); ok && !strings.HasPrefix(v, "share_") {
			return true
		}
	}
	return false
}

// standing classifies a segment. It returns "" when the data has nothing
// a user did to judge by: no catalogue feature of purchases, events or
// social actions that varies (a table of attributes, or users alone). The
// segment is then named by its traits alone.
func standing(j *judge, cols map[string]Column) (string, string) {
	if j.s.ID != Unsegmented {
		did := false
		for _, f := range j.s.Features {
			if !cols[f.Feature].IsAttribute() && !describesWho(f.Feature) {
				did = true
				break
			}
		}
		if !did {
			return "", ""
		}
	}
	for _, r := range standingRules {
		if ok, why := r.holds(j); ok {
			return r.standing, why
		}
	}
	return StandingOccasional, ""
}

// standingNames lists every standing, in rule order.
func standingNames() []string {
	out := make([]string, len(standingRules))
	for i, r := range standingRules {
		out[i] = r.standing
	}
	return out
}
