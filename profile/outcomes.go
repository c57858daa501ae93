package profile

import (
	"fmt"
	"math"
	"sort"
)

// OutcomeKind says how an outcome is summarised.
type OutcomeKind string

// Outcome kinds.
const (
	// OutcomeRate is a yes/no outcome given as 1 or 0 (churned,
	// responded): a segment's value is the share of its users with 1.
	OutcomeRate OutcomeKind = "rate"
	// OutcomeMean is a numeric outcome (revenue next quarter): a segment's
	// value is the mean.
	OutcomeMean OutcomeKind = "mean"
)

// Outcome is a per-user column that was not clustered.
type Outcome struct {
	Name string
	// Kind is OutcomeRate or OutcomeMean; empty means a rate when every
	// known value is 0 or 1, else a mean.
	Kind OutcomeKind
	// Values holds one value per user (Input.UserIDs); NaN is unknown.
	// A rate's values are 0 or 1.
	Values []float64
}

// kind returns the outcome's kind, inferred from the values when unset.
func (o Outcome) kind() OutcomeKind {
	if o.Kind != "" {
		return o.Kind
	}
	for _, v := range o.Values {
		if !math.IsNaN(v) && v != 0 && v != 1 {
			return OutcomeMean
		}
	}
	return OutcomeRate
}

// OutcomeStat is an outcome over a segment (or the base) against the base.
type OutcomeStat struct {
	Name string      `json:"name"`
	Kind OutcomeKind `json:"kind"`
	// Value is the share of users with the outcome (a rate) or its mean.
	Value float64 `json:"value"`
	Base  float64 `json:"base"`
	// Lift is Value / Base (1 when Base is 0).
	Lift float64 `json:"lift"`
	// Users counts the users whose value is known; Count those with the
	// outcome (rates only).
	Users int `json:"users"`
	Count int `json:"count,omitempty"`
	// Z is the test statistic of the difference between the segment and
	// the rest of the base (two-proportion z for a rate, Welch's for a
	// mean); 0 for the base.
	Z float64 `json:"z,omitempty"`
	// Strong marks an outcome that names the segment: a lift of at least
	// OutcomeLift (or at most its inverse) with |Z| ≥ OutcomeZ.
	Strong bool `json:"strong,omitempty"`
}

// OutcomeLift and OutcomeZ make an outcome strong enough to name a
// segment ("churned 2.4× the base"): the lift must be at least OutcomeLift
// or at most 1/OutcomeLift, and the difference from the rest of the base
// significant at |z| ≥ OutcomeZ.
const (
	OutcomeLift = 1.5
	OutcomeZ    = 3
)

func checkOutcomes(outs []Outcome, n int) error {
	seen := map[string]bool{}
	for _, o := range outs {
		o.Kind = o.kind()
		switch {
		case o.Name == "":
			return fmt.Errorf("profile: an outcome has no name")
		case seen[o.Name]:
			return fmt.Errorf("profile: outcome %q appears twice", o.Name)
		case o.Kind != OutcomeRate && o.Kind != OutcomeMean:
			return fmt.Errorf("profile: outcome %q: kind %q is neither %q nor %q", o.Name, o.Kind, OutcomeRate, OutcomeMean)
		case len(o.Values) != n:
			return fmt.Errorf("profile: outcome %q has %d values for %d users", o.Name, len(o.Values), n)
		}
		seen[o.Name] = true
		for i, v := range o.Values {
			if math.IsInf(v, 0) || (o.Kind == OutcomeRate && !math.IsNaN(v) && v != 0 && v != 1) {
				return fmt.Errorf("profile: outcome %q of user %d is %v, want %s", o.Name, i, v, map[OutcomeKind]string{OutcomeRate: "0, 1 or unknown", OutcomeMean: "a finite number or unknown"}[o.Kind])
			}
		}
	}
	return nil
}

// moments of the known values of one outcome over a set of users.
type outMoments struct {
	n        int
	sum, ssq float64 // sum and sum of squares about the mean
}

func outcomeMoments(v []float64, in func(i int) bool) outMoments {
	var m outMoments
	for i, x := range v {
		if !math.IsNaN(x) && in(i) {
			m.n++
			m.sum += x
		}
	}
	if m.n == 0 {
		return m
	}
	mu := m.sum / float64(m.n)
	for i, x := range v {
		if !math.IsNaN(x) && in(i) {
			m.ssq += (x - mu) * (x - mu)
		}
	}
	return m
}

// outcomeStats summarises every outcome over rows (the base when nil).
func outcomeStats(outs []Outcome, rows []int) ([]OutcomeStat, error) {
	if len(outs) == 0 {
		return nil, nil
	}
	member := func(i int) bool { return true }
	if rows != nil {
		set := make(map[int]bool, len(rows))
		for _, r := range rows {
			set[r] = true
		}
		member = func(i int) bool { return set[i] }
	}
	var out []OutcomeStat
	for _, o := range outs {
		o.Kind = o.kind()
		all := outcomeMoments(o.Values, func(int) bool { return true })
		seg := outcomeMoments(o.Values, member)
		st := OutcomeStat{Name: o.Name, Kind: o.Kind, Users: seg.n, Lift: 1}
		if all.n > 0 {
			st.Base = all.sum / float64(all.n)
		}
		if seg.n > 0 {
			st.Value = seg.sum / float64(seg.n)
		}
		if o.Kind == OutcomeRate {
			st.Count = int(seg.sum)
		}
		if st.Base != 0 {
			st.Lift = st.Value / st.Base
		}
		if rows != nil {
			rest := outMoments{n: all.n - seg.n, sum: all.sum - seg.sum}
			if rest.n > 0 && seg.n > 0 {
				m1, m2 := st.Value, rest.sum/float64(rest.n)
				var se float64
				if o.Kind == OutcomeRate {
					p := all.sum / float64(all.n)
					se = math.Sqrt(p * (1 - p) * (1/float64(seg.n) + 1/float64(rest.n)))
				} else {
					restM := outcomeMoments(o.Values, func(i int) bool { return !member(i) })
					v1 := seg.ssq / float64(max(seg.n-1, 1))
					v2 := restM.ssq / float64(max(restM.n-1, 1))
					se = math.Sqrt(v1/float64(seg.n) + v2/float64(rest.n))
				}
				if se > 0 {
					st.Z = (m1 - m2) / se
				}
			}
			lifted := st.Base > 0 && st.Value >= 0 && (st.Lift >= OutcomeLift || st.Lift <= 1/OutcomeLift)
			st.Strong = lifted && math.Abs(st.Z) >= OutcomeZ
		}
		out = append(out, st)
	}
	return out, nil
}

// outcomeText is an outcome's lift in words: "churned 2.4× the base", or
// "churned: none" when no user of the segment has it (a lift of 0, which
// read "churned 0.00× the base").
func outcomeText(o OutcomeStat) string {
	if o.Lift == 0 {
		return words(o.Name) + ": none"
	}
	return fmt.Sprintf("%s %s× the base", words(o.Name), trimFloat(o.Lift))
}

// trimFloat writes a lift with one decimal, or two below 0.1.
func trimFloat(v float64) string {
	if v < 0.095 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// outcomePhrase is the name part of a segment's strongest outcome (by
// |log lift|), "" when none is strong.
func outcomePhrase(outs []OutcomeStat) string {
	strong := make([]OutcomeStat, 0, len(outs))
	for _, o := range outs {
		if o.Strong {
			strong = append(strong, o)
		}
	}
	if len(strong) == 0 {
		return ""
	}
	sort.SliceStable(strong, func(a, b int) bool {
		return math.Abs(math.Log(strong[a].Lift)) > math.Abs(math.Log(strong[b].Lift))
	})
	return outcomeText(strong[0])
}
