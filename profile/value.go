package profile

import (
	"fmt"
	"math"

	"github.com/persona-seg/persona/features"
)

// ValueInput carries per user (in the order of Input.UserIDs) the
// customer-value columns of package value: NaN for a user without a
// purchase. CLV may be nil (no amounts); the others are required.
type ValueInput struct {
	PAlive            []float64
	ExpectedPurchases []float64
	CLV               []float64
	// LostBelow is the P(alive) below which a customer counts as likely
	// lost (0.5 is the usual choice).
	LostBelow float64
}

// SegmentValue summarises a segment's customer value over its members
// with a purchase (its customers).
type SegmentValue struct {
	Customers int `json:"customers"`
	// MeanPAlive is the customers' mean probability of being active;
	// LikelyLost the share of them with P(alive) below LostBelow.
	MeanPAlive float64 `json:"mean_p_alive"`
	LikelyLost float64 `json:"likely_lost_share"`
	LostBelow  float64 `json:"likely_lost_below"`
	// ExpectedPurchases is the customers' total over the value horizon.
	ExpectedPurchases float64 `json:"expected_purchases"`
	// MeanCLV and TotalCLV are over the customers; nil without amounts.
	MeanCLV  *float64 `json:"mean_clv,omitempty"`
	TotalCLV *float64 `json:"total_clv,omitempty"`
	// Share of the base's total CLV.
	CLVShare *float64 `json:"clv_share,omitempty"`
}

// segmentValue summarises the value columns over members; nil without
// customers.
func segmentValue(v *ValueInput, members []int) *SegmentValue {
	sv := &SegmentValue{LostBelow: v.LostBelow}
	var pa, clv float64
	lost := 0
	for _, i := range members {
		p := v.PAlive[i]
		if math.IsNaN(p) {
			continue
		}
		sv.Customers++
		pa += p
		if p < v.LostBelow {
			lost++
		}
		sv.ExpectedPurchases += v.ExpectedPurchases[i]
		if v.CLV != nil && !math.IsNaN(v.CLV[i]) {
			clv += v.CLV[i]
		}
	}
	if sv.Customers == 0 {
		return nil
	}
	n := float64(sv.Customers)
	sv.MeanPAlive, sv.LikelyLost = pa/n, float64(lost)/n
	if v.CLV != nil {
		mean := clv / n
		sv.MeanCLV, sv.TotalCLV = &mean, &clv
	}
	return sv
}

// addValue sets every segment's Value and its share of the total CLV.
func addValue(rep *Report, v *ValueInput, members map[int][]int) {
	if v == nil {
		return
	}
	total := 0.0
	for i := range rep.Segments {
		s := &rep.Segments[i]
		s.Value = segmentValue(v, members[s.ID])
		if s.Value != nil && s.Value.TotalCLV != nil {
			total += *s.Value.TotalCLV
		}
	}
	if total <= 0 {
		return
	}
	for i := range rep.Segments {
		if sv := rep.Segments[i].Value; sv != nil && sv.TotalCLV != nil {
			share := *sv.TotalCLV / total
			sv.CLVShare = &share
		}
	}
}

// atRiskByValue is the "at risk" rule where P(alive) is known: a segment
// that buys more often than the base (z(frequency) > 0, a median of two
// orders or more) of whose customers most are likely lost. decided is
// false without value columns: the time rule then decides.
func (j *judge) atRiskByValue() (ok bool, why string, decided bool) {
	v := j.s.Value
	if v == nil {
		return false, "", false
	}
	zf := j.z(features.Frequency)
	if zf <= 0 || !j.repeat() || v.LikelyLost < 0.5 {
		return false, "", true
	}
	return true, fmt.Sprintf("%s, yet %.0f%% of its customers are likely lost (P(alive) < %.2g; mean %.2f)",
		j.vs(features.Frequency), 100*v.LikelyLost, v.LostBelow, v.MeanPAlive), true
}

// bigSpendersLost is the "at risk" rule that comes before "lapsed" where
// P(alive) is known: a segment of repeat buyers who spent more than the
// base (z(monetary) > 0.5 and, when known, a median spend ≥ Margin × the
// base's, the big spenders' test) of whose customers most are likely
// lost. However long they have been silent, customers worth that much
// are at risk rather than lapsed: worth winning back.
func (j *judge) bigSpendersLost() (bool, string) {
	v := j.s.Value
	if v == nil || !j.repeat() || v.LikelyLost < 0.5 {
		return false, ""
	}
	if j.z(features.Monetary) <= 0.5 {
		return false, ""
	}
	why := j.vs(features.Monetary)
	if sp, ok := get(j.s.Facts.Spend); ok && j.base.Spend > 0 {
		if sp < Margin*j.base.Spend {
			return false, ""
		}
		why += fmt.Sprintf(", its buyers' median spend %s is %.1f× the base's", num(sp), sp/j.base.Spend)
	}
	return true, why + fmt.Sprintf(", yet %.0f%% of its customers are likely lost (P(alive) < %.2g; mean %.2f)",
		100*v.LikelyLost, v.LostBelow, v.MeanPAlive)
}

// valueText is the segment's customer value in a sentence, for
// profiles.md.
func valueText(v *SegmentValue) string {
	s := fmt.Sprintf("**Customer value** (docs/value.md) of its %d customers: mean P(alive) %.2f, %.0f%% likely lost (P(alive) < %.2g), %s expected purchases",
		v.Customers, v.MeanPAlive, 100*v.LikelyLost, v.LostBelow, num(v.ExpectedPurchases))
	if v.MeanCLV != nil {
		s += fmt.Sprintf(", CLV mean %s, total %s", num(*v.MeanCLV), num(*v.TotalCLV))
		if v.CLVShare != nil {
			s += fmt.Sprintf(" (%.1f%% of all)", 100**v.CLVShare)
		}
	}
	return s + "."
}
