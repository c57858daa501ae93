package value

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Unit is the unit of time of a summary's recency, age and holdout
// duration. Purchase periods are always calendar days; Weeks only divides
// the day counts by 7 (lifetimes' freq="D", freq_multiplier=7).
type Unit int

const (
	// Days is the zero Unit.
	Days Unit = iota
	// Weeks divides day counts by 7.
	Weeks
)

// String returns "days" or "weeks".
func (u Unit) String() string {
	if u == Weeks {
		return "weeks"
	}
	return "days"
}

// Days returns the number of days in one unit.
func (u Unit) Days() float64 {
	if u == Weeks {
		return 7
	}
	return 1
}

// PerMonth returns the number of units lifetimes counts in one month when
// it discounts the lifetime value month by month: 30 days or 4.345 weeks.
func (u Unit) PerMonth() float64 {
	if u == Weeks {
		return 4.345
	}
	return 30
}

// ParseUnit reads "days" or "weeks" (also "day", "d", "week", "w").
func ParseUnit(s string) (Unit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "days", "day", "d":
		return Days, nil
	case "weeks", "week", "w":
		return Weeks, nil
	}
	return 0, fmt.Errorf("time unit %q: want days or weeks", s)
}

// SummaryOptions configures a Builder. The zero value summarises every
// purchase, in days, up to the day of the latest one.
type SummaryOptions struct {
	Unit Unit
	// ObservationEnd is the last day observed (inclusive; only its date
	// counts). Purchases after it are ignored. Zero means the day of the
	// latest purchase.
	ObservationEnd time.Time
}

// Summary holds, per customer with at least one purchase, the sufficient
// statistics of the BG/NBD, Pareto/NBD and Gamma-Gamma models, as
// lifetimes' summary_data_from_transaction_data and
// calibration_and_holdout_data define them (see the package
// documentation). The columns are parallel slices in the order of IDs,
// which is sorted.
type Summary struct {
	Unit Unit
	// End is the last day of the period the statistics cover: T runs from
	// a customer's first purchase to it.
	End time.Time
	// IDs are the customers, sorted.
	IDs []string
	// Frequency (x) is the number of distinct purchase days minus one.
	Frequency []float64
	// Recency (t_x) is the time from the first to the last purchase day.
	Recency []float64
	// T is the time from the first purchase day to End.
	T []float64
	// Monetary is the mean value of the repeat purchase days (a day's
	// value is the sum of its purchases' amounts; the first day is left
	// out, and so are days whose purchases have no amount), 0 without
	// repeat purchases. It is NaN for every customer when no
	// purchase carried an amount above 0 (see HasAmounts).
	Monetary []float64
	// HasAmounts reports whether any purchase carried an amount above 0.
	HasAmounts bool

	// The holdout period, set by Builder.Calibration: HoldoutEnd is its
	// last day, Holdout its length (End to HoldoutEnd) in Unit.
	HoldoutEnd time.Time
	Holdout    float64
	// FrequencyHoldout is the number of distinct purchase days in the
	// holdout period; MonetaryHoldout their mean value (0 without any).
	FrequencyHoldout []float64
	MonetaryHoldout  []float64
	// NewInHoldout counts customers whose first purchase falls in the
	// holdout period: they have no calibration history and no row.
	NewInHoldout int
}

// Len returns the number of customers.
func (s *Summary) Len() int { return len(s.IDs) }

// Repeaters returns the number of customers with a repeat purchase.
func (s *Summary) Repeaters() int {
	n := 0
	for _, x := range s.Frequency {
		if x > 0 {
			n++
		}
	}
	return n
}

// A Builder collects purchases and summarises them per customer. Add
// purchases in any order; grouped by customer (as ORDER BY user_id gives
// them) they are summarised without a sort.
type Builder struct {
	opts    SummaryOptions
	index   map[string]int32
	ids     []string
	rows    []purchase
	grouped bool // every customer's rows are contiguous so far
	last    int32
	amounts bool
	maxDay  int32
	n       int
}

// purchase is one added row: its customer, its day (days since
// 1970-01-01 of its wall-clock date) and its amount (NaN: none).
type purchase struct {
	user   int32
	day    int32
	amount float64
}

// NewBuilder returns an empty Builder.
func NewBuilder(opts SummaryOptions) *Builder {
	return &Builder{opts: opts, index: map[string]int32{}, grouped: true, last: -1, maxDay: math.MinInt32}
}

// dayOf returns the day number of t's wall-clock date in its location.
func dayOf(t time.Time) int64 {
	_, off := t.Zone()
	s := t.Unix() + int64(off)
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// dateOf returns the date of day number d at midnight UTC.
func dateOf(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// minDay and maxDay bound the representable days (years 1 to 9999 and a
// margin so that differences of days stay in int32).
const (
	minDay = -719162 // 0001-01-01
	maxDay = 2932896 // 9999-12-31
)

// Add records a purchase by user at time at worth amount. Pass NaN as the
// amount of a purchase whose value is unknown. Only the wall-clock date of
// at counts. An empty user, a date outside years 1–9999, or a negative or
// infinite amount is an error.
func (b *Builder) Add(user string, at time.Time, amount float64) error {
	if user == "" {
		return errors.New("purchase without a customer id")
	}
	d := dayOf(at)
	if d < minDay || d > maxDay {
		return fmt.Errorf("customer %s: purchase date %s is outside years 1-9999", user, at.Format(time.RFC3339))
	}
	if math.IsInf(amount, 0) || amount < 0 {
		return fmt.Errorf("customer %s, purchase on %s: amount %g is not a non-negative number", user, at.Format("2006-01-02"), amount)
	}
	var u int32
	if b.last >= 0 && b.ids[b.last] == user {
		u = b.last
	} else if i, ok := b.index[user]; ok {
		u = i
		b.grouped = false
	} else {
		if len(b.ids) == math.MaxInt32 {
			return errors.New("more than 2^31-1 customers")
		}
		u = int32(len(b.ids))
		b.index[user] = u
		b.ids = append(b.ids, user)
	}
	b.last = u
	if amount > 0 {
		b.amounts = true
	}
	if int32(d) > b.maxDay {
		b.maxDay = int32(d)
	}
	b.rows = append(b.rows, purchase{user: u, day: int32(d), amount: amount})
	b.n++
	return nil
}

// Purchases returns the number of purchases added.
func (b *Builder) Purchases() int { return b.n }

// ErrNoPurchases is returned when nothing is left to summarise.
var ErrNoPurchases = errors.New("no purchases to summarise")

// observationEnd returns the last observed day.
func (b *Builder) observationEnd() (int32, error) {
	if len(b.rows) == 0 {
		return 0, ErrNoPurchases
	}
	if b.opts.ObservationEnd.IsZero() {
		return b.maxDay, nil
	}
	d := dayOf(b.opts.ObservationEnd)
	if d < minDay || d > maxDay {
		return 0, fmt.Errorf("observation end %s is outside years 1-9999", b.opts.ObservationEnd.Format(time.RFC3339))
	}
	return int32(d), nil
}

// byUser returns the rows ordered by customer (stable, by a counting
// sort unless they are grouped already) and each customer's start in it.
func (b *Builder) byUser() ([]purchase, []int) {
	n := len(b.ids)
	start := make([]int, n+1)
	for _, r := range b.rows {
		start[r.user+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	if b.grouped {
		return b.rows, start
	}
	out := make([]purchase, len(b.rows))
	next := slices.Clone(start[:n])
	for _, r := range b.rows {
		out[next[r.user]] = r
		next[r.user]++
	}
	return out, start
}

// Summary summarises every purchase up to the observation end (lifetimes'
// summary_data_from_transaction_data with freq "D" and, for weeks,
// freq_multiplier 7).
func (b *Builder) Summary() (*Summary, error) {
	end, err := b.observationEnd()
	if err != nil {
		return nil, err
	}
	return b.summarise(end, end, false)
}

// Calibration summarises the purchases up to calEnd (inclusive; only its
// date counts) and counts each customer's purchase days after it up to
// the observation end (lifetimes' calibration_and_holdout_data). Only
// customers with a purchase in the calibration period get a row.
func (b *Builder) Calibration(calEnd time.Time) (*Summary, error) {
	end, err := b.observationEnd()
	if err != nil {
		return nil, err
	}
	d := dayOf(calEnd)
	if d < minDay || d > maxDay {
		return nil, fmt.Errorf("calibration end %s is outside years 1-9999", calEnd.Format(time.RFC3339))
	}
	cal := int32(d)
	if cal >= end {
		return nil, fmt.Errorf("calibration end %s leaves no holdout period: it must be before the observation end %s",
			dateOf(cal).Format("2006-01-02"), dateOf(end).Format("2006-01-02"))
	}
	return b.summarise(cal, end, true)
}

// summarise builds the summary of the calibration period up to day cal
// and, with holdout, of the days after it up to end.
func (b *Builder) summarise(cal, end int32, holdout bool) (*Summary, error) {
	rows, start := b.byUser()
	order := make([]int32, len(b.ids))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return strings.Compare(b.ids[i], b.ids[j]) })

	unit := b.opts.Unit.Days()
	s := &Summary{Unit: b.opts.Unit, End: dateOf(cal), HasAmounts: b.amounts}
	if holdout {
		s.HoldoutEnd = dateOf(end)
		s.Holdout = float64(end-cal) / unit
	}
	n := len(order)
	s.IDs = make([]string, 0, n)
	s.Frequency = make([]float64, 0, n)
	s.Recency = make([]float64, 0, n)
	s.T = make([]float64, 0, n)
	s.Monetary = make([]float64, 0, n)
	if holdout {
		s.FrequencyHoldout = make([]float64, 0, n)
		s.MonetaryHoldout = make([]float64, 0, n)
	}
	var days []purchase
	for _, u := range order {
		days = append(days[:0], rows[start[u]:start[u+1]]...)
		days = slices.DeleteFunc(days, func(p purchase) bool { return p.day > end })
		if len(days) == 0 {
			continue // every purchase after the observation end
		}
		slices.SortStableFunc(days, func(p, q purchase) int { return int(p.day) - int(q.day) })
		// Fold each day's purchases into one: the day's value is their sum
		// (NaN only when none carried an amount).
		k := 0
		for _, p := range days {
			if k > 0 && days[k-1].day == p.day {
				days[k-1].amount = addAmount(days[k-1].amount, p.amount)
				continue
			}
			days[k] = p
			k++
		}
		days = days[:k]
		c := 0 // days in the calibration period
		for c < len(days) && days[c].day <= cal {
			c++
		}
		if c == 0 {
			if holdout {
				s.NewInHoldout++
			}
			continue
		}
		first, last := days[0].day, days[c-1].day
		s.IDs = append(s.IDs, b.ids[u])
		s.Frequency = append(s.Frequency, float64(c-1))
		s.Recency = append(s.Recency, float64(last-first)/unit)
		s.T = append(s.T, float64(cal-first)/unit)
		s.Monetary = append(s.Monetary, meanAmount(days[1:c], b.amounts))
		if holdout {
			s.FrequencyHoldout = append(s.FrequencyHoldout, float64(len(days)-c))
			s.MonetaryHoldout = append(s.MonetaryHoldout, meanAmount(days[c:], b.amounts))
		}
	}
	if len(s.IDs) == 0 {
		if holdout {
			return nil, fmt.Errorf("no customer bought on or before the calibration end %s", s.End.Format("2006-01-02"))
		}
		return nil, ErrNoPurchases
	}
	return s, nil
}

// addAmount adds two amounts, either of which may be NaN (none).
func addAmount(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return a + b
}

// meanAmount returns the mean value of the days with an amount, 0 when
// none has one, NaN when the data have no amounts at all.
func meanAmount(days []purchase, amounts bool) float64 {
	if !amounts {
		return math.NaN()
	}
	var sum float64
	n := 0
	for _, p := range days {
		if !math.IsNaN(p.amount) {
			sum += p.amount
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
