package report

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/features"
	segprof "github.com/persona-seg/persona/profile"
)

// TestNumericAttributes checks the report's attribute box plots: one per
// numeric attribute (not for catalogue features, categorical indicators or
// absent columns), five numbers per segment in display order, missing
// values left out, and a log axis only for a skewed, non-negative one.
func TestNumericAttributes(t *testing.T) {
	// Columns: income (numeric, skewed), plan=pro (categorical), orders
	// (catalogue), score (numeric, with a missing value).
	x := mat.NewDense(6, 4, []float64{
		10, 1, 3, 1,
		20, 0, 4, 2,
		30, 1, 5, 3,
		40, 0, 6, math.NaN(),
		50, 1, 7, 5,
		1000, 0, 8, 6,
	})
	tab := &features.Table{UserIDs: []string{"a", "b", "c", "d", "e", "f"}, X: x,
		Features: []features.Feature{{Name: "income"}, {Name: "plan_pro"}, {Name: "orders"}, {Name: "score"}}}
	cols := []segprof.Column{
		{Kind: segprof.KindNumeric, Attribute: "income", Label: "income (k$)"},
		{Kind: segprof.KindCategorical, Attribute: "plan", Level: "pro"},
		{},
		{Kind: segprof.KindNumeric, Attribute: "score"},
	}
	labels := []int{7, 7, 7, 3, 3, 3} // segment 3 shows first
	got := numericAttributes(tab, cols, labels, map[int]int{3: 0, 7: 1}, 2)
	want := []NumericAttribute{
		{Name: "income (k$)", Log: true, Boxes: []FiveNum{{Min: 40, Q1: 45, Median: 50, Q3: 525, Max: 1000}, {Min: 10, Q1: 15, Median: 20, Q3: 25, Max: 30}}},
		{Name: "score", Boxes: []FiveNum{{Min: 5, Q1: 5.25, Median: 5.5, Q3: 5.75, Max: 6}, {Min: 1, Q1: 1.5, Median: 2, Q3: 2.5, Max: 3}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numericAttributes (-want +got):\n%s", diff)
	}
	in := Input{Labels: attributeLabels(tab, cols)}
	if diff := cmp.Diff(map[string]string{"income": "income (k$)", "plan_pro": "plan: pro", "score": "score"}, in.Labels); diff != "" {
		t.Errorf("attributeLabels (-want +got):\n%s", diff)
	}
	if got := in.label("income") + ", " + in.label("orders"); got != "income (k$), orders" {
		t.Errorf("labels %q, want the attribute's label and the catalogue's", got)
	}
	two := &features.Table{Features: []features.Feature{{Name: "gender_female"}, {Name: "gender_male"}, {Name: "plan_a"}, {Name: "plan_b"}, {Name: "plan_c"}, {Name: "age"}}}
	twoCols := []segprof.Column{
		{Kind: segprof.KindCategorical, Attribute: "gender", Level: "Female"}, {Kind: segprof.KindCategorical, Attribute: "gender", Level: "Male"},
		{Kind: segprof.KindCategorical, Attribute: "plan", Level: "a"}, {Kind: segprof.KindCategorical, Attribute: "plan", Level: "b"},
		{Kind: segprof.KindCategorical, Attribute: "plan", Level: "c"}, {Kind: segprof.KindNumeric, Attribute: "age"},
	}
	if diff := cmp.Diff(map[string]string{"gender_female": "gender", "gender_male": "gender"}, twoLevelAttributes(two, twoCols)); diff != "" {
		t.Errorf("twoLevelAttributes (-want +got):\n%s", diff)
	}
	pairs := twoLevelAttributes(two, twoCols)
	top := []segprof.Trait{{Feature: "age", Z: 1}, {Feature: "gender_female", Z: -0.3}, {Feature: "plan_a", Z: 0.5}, {Feature: "gender_male", Z: 0.3}, {Feature: "plan_b", Z: -0.4}}
	if diff := cmp.Diff([]Trait{{"age", 1}, {"plan_a", 0.5}, {"gender_male", 0.3}, {"plan_b", -0.4}}, traits(top, pairs)); diff != "" {
		t.Errorf("traits: one level of gender, the one above the base; every level of plan (-want +got):\n%s", diff)
	}
	cols[0].Absent = true
	if got := numericAttributes(tab, cols, labels, map[int]int{3: 0, 7: 1}, 2); len(got) != 1 || got[0].Name != "score" {
		t.Errorf("with income absent: %+v, want only score", got)
	}
}
