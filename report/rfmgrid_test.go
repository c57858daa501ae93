package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRFMGrid(t *testing.T) {
	// Ten buyers with distinct recency, frequency and spend, so that each
	// quintile holds two of them, and one user who never bought.
	var rec, freq, mon []float64
	var seg []int
	for i := range 10 {
		rec = append(rec, float64(100-10*i)) // user 9 is the most recent
		freq = append(freq, float64(1+i))    // and the most frequent
		mon = append(mon, float64(10*(i+1)))
		seg = append(seg, i%2)
	}
	rec, freq, mon, seg = append(rec, 400), append(freq, 0), append(mon, 0), append(seg, 0)
	got, err := RFMGrid(rec, freq, mon, seg, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Users 2i and 2i+1 share scores R = F = M = i+1; segment 0 has the
	// even users, segment 1 the odd ones.
	var want []RFMCell
	groups := []string{"lost", "hibernating", "need attention", "loyal", "champions"}
	for g := range 2 {
		for q := range 5 {
			u := 2*q + g
			want = append(want, RFMCell{Segment: g, R: q + 1, F: q + 1, Users: 1, Monetary: float64(10 * (u + 1)), Group: groups[q]})
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("RFMGrid (-want +got):\n%s", diff)
	}
	if _, err := RFMGrid(rec, freq, mon, seg[:3], 2); err == nil {
		t.Error("RFMGrid accepted 3 segment labels for 11 users")
	}
}
