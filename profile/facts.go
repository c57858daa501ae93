package profile

import "github.com/persona-seg/persona/features"

// The absolute rules of the standings and name labels (see the package
// documentation, "# Names") compare a segment's facts with these.
const (
	// MinRepeatBuyers is how many users with two orders or more the base
	// needs for its typical time between orders (BaseFacts.CycleDays) to
	// be known. Without it the time rules fall back to the relative ones.
	MinRepeatBuyers = 10
	// RecentCycles, LapsedCycles and NewCycles are multiples of the base's
	// typical days between orders: a last order at most RecentCycles ago
	// is recent; more than LapsedCycles ago it is lapsed (so is activity of
	// any kind); a tenure of at most NewCycles is new.
	RecentCycles = 1
	LapsedCycles = 2
	NewCycles    = 2
	// Margin is how far a segment's basket, items per order or spend must
	// be above the base's (or below it, divided) for "large baskets",
	// "bulk buyers", "high spenders", "big spenders" and their opposites.
	Margin = 1.25
)

// BaseFacts are facts about the whole base that the standings compare
// segments with. Zero means unknown (no such feature, or not enough users).
type BaseFacts struct {
	// CycleDays is the base's typical time between orders: the median,
	// over users with two orders or more, of their mean days between
	// orders (order_gap_mean_days); 0 with fewer than MinRepeatBuyers.
	CycleDays    float64 `json:"cycle_days,omitempty"`
	RepeatBuyers int     `json:"repeat_buyers,omitempty"`
	// Buyers is the share of users with an order; MedianOrders the
	// median number of orders over all users.
	Buyers       float64 `json:"buyers,omitempty"`
	MedianOrders float64 `json:"median_orders,omitempty"`
	// BasketValue is the median order value (avg_order_value), BasketItems
	// the mean units per order (items_per_order) and Spend the median net
	// spend (monetary), each over the buyers.
	BasketValue float64 `json:"basket_value,omitempty"`
	BasketItems float64 `json:"basket_items,omitempty"`
	Spend       float64 `json:"spend,omitempty"`
	// DaysSilent is the median days since a user's last activity.
	DaysSilent float64 `json:"days_silent,omitempty"`
}

// Facts are a segment's facts in the units of the data, which the
// standings and labels must agree with; a nil field is unknown (the data
// has no such feature, or it is constant).
type Facts struct {
	// Buyers is the share of members with an order; MedianOrders the
	// median number of orders over all members.
	Buyers       *float64 `json:"buyers,omitempty"`
	MedianOrders *float64 `json:"median_orders,omitempty"`
	// DaysSinceOrder is the median days since the last order over the
	// members who bought (users who never bought have no recency).
	DaysSinceOrder *float64 `json:"days_since_order,omitempty"`
	// DaysSilent is the median days since the member's last activity of
	// any kind (order, event or social action); a member who never did
	// anything counts the whole data window.
	DaysSilent *float64 `json:"days_silent,omitempty"`
	// TenureDays is the median days since sign-up (signup_tenure_days),
	// or, without sign-up dates, since the first order over the buyers.
	TenureDays *float64 `json:"tenure_days,omitempty"`
	// FirstOrderDays is the median days since the first order over the
	// buyers.
	FirstOrderDays *float64 `json:"first_order_days,omitempty"`
	// BasketValue, BasketItems and Spend are as in BaseFacts, over the
	// members who bought.
	BasketValue *float64 `json:"basket_value,omitempty"`
	BasketItems *float64 `json:"basket_items,omitempty"`
	Spend       *float64 `json:"spend,omitempty"`
}

// facter reads the columns the facts come from; a column that is constant
// or absent is not there.
type facter struct {
	in  Input
	col map[string]int
}

func newFacter(in Input, base []BaseStat) *facter {
	f := &facter{in: in, col: map[string]int{}}
	for j, b := range base {
		if !b.Constant {
			f.col[b.Feature] = j
		}
	}
	return f
}

func (f *facter) has(name string) bool { _, ok := f.col[name]; return ok }

func (f *facter) at(i int, name string) float64 { return f.in.X.At(i, f.col[name]) }

// values returns the column over rows (all users when rows is nil) that
// keep says to keep, nil when the column is not there.
func (f *facter) values(name string, rows []int, keep func(i int) bool) []float64 {
	if !f.has(name) {
		return nil
	}
	out := []float64{}
	each(rows, len(f.in.UserIDs), func(i int) {
		if keep == nil || keep(i) {
			out = append(out, f.at(i, name))
		}
	})
	return out
}

// each calls fn for every row of rows, or for each of the n users when
// rows is nil.
func each(rows []int, n int, fn func(i int)) {
	if rows == nil {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	for _, i := range rows {
		fn(i)
	}
}

func median(v []float64) float64 { return Quantile(sorted(v), 0.5) }

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// baseFacts computes the base's facts.
func baseFacts(in Input, base []BaseStat) BaseFacts {
	f := newFacter(in, base)
	var b BaseFacts
	if !f.has(features.Frequency) {
		return b
	}
	buyer := func(i int) bool { return f.at(i, features.Frequency) > 0 }
	freq := f.values(features.Frequency, nil, nil)
	b.MedianOrders = median(freq)
	b.Buyers = float64(len(f.values(features.Frequency, nil, buyer))) / float64(len(freq))
	if gaps := f.values(features.OrderGapMeanDays, nil, func(i int) bool { return f.at(i, features.Frequency) >= 2 }); gaps != nil {
		b.RepeatBuyers = len(gaps)
		if len(gaps) >= MinRepeatBuyers {
			b.CycleDays = median(gaps)
		}
	}
	if v := f.values(features.AvgOrderValue, nil, buyer); len(v) > 0 {
		b.BasketValue = median(v)
	}
	if v := f.values(features.ItemsPerOrder, nil, buyer); len(v) > 0 {
		b.BasketItems = mean(v)
	}
	if v := f.values(features.Monetary, nil, buyer); len(v) > 0 {
		b.Spend = median(v)
	}
	if v := f.silence(nil); len(v) > 0 {
		b.DaysSilent = median(v)
	}
	return b
}

// silence returns each user's days since the last activity of any kind
// over rows (all users when nil); nil without a days-since-activity
// feature.
func (f *facter) silence(rows []int) []float64 {
	for _, n := range []string{features.DaysSinceLastActivity, features.DaysSinceLastEvent} {
		if f.has(n) {
			return f.values(n, rows, nil)
		}
	}
	return nil
}

// segmentFacts computes the facts of the segment made of rows.
func segmentFacts(in Input, rows []int, base []BaseStat) Facts {
	f := newFacter(in, base)
	var out Facts
	ptr := func(v float64) *float64 { return &v }
	medianOf := func(v []float64) *float64 {
		if len(v) == 0 {
			return nil
		}
		return ptr(median(v))
	}
	buyer := func(i int) bool { return true }
	if f.has(features.Frequency) {
		buyer = func(i int) bool { return f.at(i, features.Frequency) > 0 }
		freq := f.values(features.Frequency, rows, nil)
		out.MedianOrders = ptr(median(freq))
		out.Buyers = ptr(float64(len(f.values(features.Frequency, rows, buyer))) / float64(len(rows)))
		out.DaysSinceOrder = medianOf(f.values(features.RecencyDays, rows, buyer))
		out.FirstOrderDays = medianOf(f.values(features.PurchaseTenureDays, rows, buyer))
		out.BasketValue = medianOf(f.values(features.AvgOrderValue, rows, buyer))
		if v := f.values(features.ItemsPerOrder, rows, buyer); len(v) > 0 {
			out.BasketItems = ptr(mean(v))
		}
		out.Spend = medianOf(f.values(features.Monetary, rows, buyer))
	}
	switch {
	case f.has(features.SignupTenureDays):
		out.TenureDays = medianOf(f.values(features.SignupTenureDays, rows, nil))
	case out.FirstOrderDays != nil:
		out.TenureDays = out.FirstOrderDays
	}
	if v := f.silence(rows); v != nil {
		out.DaysSilent = medianOf(v)
	} else if out.DaysSinceOrder != nil {
		out.DaysSilent = out.DaysSinceOrder
	}
	return out
}
