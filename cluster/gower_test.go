package cluster_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// TestGowerHandWorked checks a table small enough to work out by hand,
// with a list attribute (persona's Jaccard extension) and weights.
func TestGowerHandWorked(t *testing.T) {
	nan := math.NaN()
	attrs := []cluster.Attr{
		{Name: "spend", Type: cluster.AttrNumeric, Values: []float64{10, 30, 50, nan}}, // range 40
		{Name: "tier", Type: cluster.AttrOrdinal, Codes: []int32{0, 2, 2, 1}},          // positions 0..2
		{Name: "city", Type: cluster.AttrNominal, Codes: []int32{7, 7, 3, -1}},         // ids, any value
		{Name: "promo", Type: cluster.AttrAsymmetric, Codes: []int32{0, 0, 1, 1}},      // 0-0 pairs skipped
		{Name: "cats", Type: cluster.AttrList, Sets: [][]int32{{1, 2}, {2, 3}, {}, {1}}, Missing: []bool{false, false, false, true}},
	}
	w := []float64{1, 1, 2, 1, 0.5}
	// Row pairs: (weighted sum of d_f) / (sum of the weights that count).
	want := map[[2]int]float64{
		// spend 20/40, tier 2/2, city 0 (w 2), promo skipped, cats 1-1/3 = 2/3 (w 0.5)
		{0, 1}: (0.5 + 1 + 0 + 0.5*2.0/3) / (1 + 1 + 2 + 0.5),
		// spend 1, tier 1, city 1 (w 2), promo 1, cats {1,2} vs {}: 1 (w 0.5)
		{0, 2}: (1 + 1 + 2 + 1 + 0.5) / (1 + 1 + 2 + 1 + 0.5),
		// spend missing, tier 1/2, city missing, promo 1, cats missing
		{0, 3}: (0.5 + 1) / (1 + 1),
		// spend 1/2, tier 0, city 1 (w 2), promo 1, cats 1 (w 0.5)
		{1, 2}: (0.5 + 0 + 2 + 1 + 0.5) / (1 + 1 + 2 + 1 + 0.5),
		// tier 1/2, promo 1
		{1, 3}: (0.5 + 1) / (1 + 1),
		// tier 1/2, promo 0
		{2, 3}: 0.5 / 2,
	}
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for p, v := range want {
		if got := m.At(p[0], p[1]); math.Abs(got-v) > 1e-15 {
			t.Errorf("d%v = %v, want %v", p, got, v)
		}
		if got := m.At(p[1], p[0]); math.Abs(got-v) > 1e-15 {
			t.Errorf("d%v (swapped) = %v, want %v", p, got, v)
		}
	}
	if m.At(2, 2) != 0 || g.Dissim(1, 1) != 0 {
		t.Error("the diagonal is not 0")
	}
	// Two empty lists are equal; two unknown lists do not compare.
	g2, err := cluster.NewGower([]cluster.Attr{
		{Name: "cats", Type: cluster.AttrList, Sets: [][]int32{{}, {}, nil, nil, {4}}, Missing: []bool{false, false, true, true, false}},
	}, cluster.GowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := g2.Dissim(0, 1); d != 0 {
		t.Errorf("two empty lists: %v, want 0", d)
	}
	if d := g2.Dissim(2, 3); !math.IsNaN(d) {
		t.Errorf("two unknown lists: %v, want NaN", d)
	}
	if d := g2.Dissim(0, 4); d != 1 {
		t.Errorf("empty against {4}: %v, want 1", d)
	}
}

// TestGowerDoesNotModify: NewGower copies what it keeps.
func TestGowerDoesNotModify(t *testing.T) {
	sets := [][]int32{{3, 1, 3}, {2}}
	vals := []float64{1, 2}
	w := []float64{1, 2}
	attrs := []cluster.Attr{{Name: "x", Type: cluster.AttrNumeric, Values: vals}, {Name: "l", Type: cluster.AttrList, Sets: sets}}
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	before := g.Dissim(0, 1)
	if !slices.Equal(sets[0], []int32{3, 1, 3}) || !slices.Equal(vals, []float64{1, 2}) {
		t.Fatal("inputs were modified")
	}
	sets[0][0], vals[0], w[0] = 2, 2, 100
	if g.Dissim(0, 1) != before {
		t.Fatal("Gower shares the caller's slices")
	}
}

func TestGowerErrors(t *testing.T) {
	num := func(v ...float64) cluster.Attr { return cluster.Attr{Name: "x", Type: cluster.AttrNumeric, Values: v} }
	for _, tc := range []struct {
		name  string
		attrs []cluster.Attr
		w     []float64
		want  string
	}{
		{"no attributes", nil, nil, "no attributes"},
		{"no rows", []cluster.Attr{num()}, nil, `"x" has no rows`},
		{"lengths", []cluster.Attr{num(1, 2), {Name: "y", Type: cluster.AttrNominal, Codes: []int32{1}}}, nil, `attribute "y" has 1 rows, attribute "x" has 2`},
		{"infinite", []cluster.Attr{num(1, math.Inf(1))}, nil, `attribute "x", row 1: +Inf is not a finite number`},
		{"all missing", []cluster.Attr{num(math.NaN(), math.NaN())}, nil, `"x": every value is missing`},
		{"logratio", []cluster.Attr{{Name: "s", Type: cluster.AttrLogRatio, Values: []float64{1, 0}}}, nil, `"s", row 1: 0 is not positive`},
		{"binary", []cluster.Attr{{Name: "b", Type: cluster.AttrSymmetric, Codes: []int32{0, 2}}}, nil, `"b", row 1: binary value 2`},
		{"code", []cluster.Attr{{Name: "c", Type: cluster.AttrNominal, Codes: []int32{0, -3}}}, nil, `"c", row 1: code -3`},
		{"nominal missing", []cluster.Attr{{Name: "c", Type: cluster.AttrNominal, Codes: []int32{-1, -1}}}, nil, "every value is missing"},
		{"type", []cluster.Attr{{Name: "t", Type: "interval", Values: []float64{1}}}, nil, `unknown type "interval"`},
		{"no type", []cluster.Attr{{Name: "t", Values: []float64{1}}}, nil, `"t": no type`},
		{"list flags", []cluster.Attr{{Name: "l", Type: cluster.AttrList, Sets: [][]int32{{1}}, Missing: []bool{true, false}}}, nil, "2 missing flags for 1 rows"},
		{"weights length", []cluster.Attr{num(1, 2)}, []float64{1, 2}, "2 weights for 1 attributes"},
		{"negative weight", []cluster.Attr{num(1, 2)}, []float64{-1}, `weight of attribute "x" is -1`},
		{"zero weights", []cluster.Attr{num(1, 2)}, []float64{0}, "every weight is 0"},
	} {
		_, err := cluster.NewGower(tc.attrs, cluster.GowerOptions{Weights: tc.w})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestPairwiseMemoryLimit(t *testing.T) {
	attrs, _ := plantedMixed(100, 2, 0, 1)
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{MemoryLimit: 1000})
	if err == nil || !strings.Contains(err.Error(), "of 100 rows needs 39600 bytes, above the memory limit of 1000 bytes") {
		t.Fatalf("error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cluster.Pairwise(ctx, g, cluster.PairwiseOptions{}); err != context.Canceled {
		t.Fatalf("cancelled: error %v", err)
	}
}

// TestGowerScales: rows compared with the scales of a larger table get the
// dissimilarities they have in it; values beyond the scale are clipped.
func TestGowerScales(t *testing.T) {
	attrs, _ := plantedMixed(200, 3, 0.05, 3)
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := []int{3, 17, 42, 99, 150}
	sub := make([]cluster.Attr, len(attrs))
	for j, a := range attrs {
		sub[j] = cluster.Attr{Name: a.Name, Type: a.Type}
		for _, i := range rows {
			if a.Values != nil {
				sub[j].Values = append(sub[j].Values, a.Values[i])
			} else {
				sub[j].Codes = append(sub[j].Codes, a.Codes[i])
			}
		}
	}
	sg, err := cluster.NewGower(sub, cluster.GowerOptions{Scales: g.Scales()})
	if err != nil {
		t.Fatal(err)
	}
	for a := range rows {
		for b := range rows {
			if got, want := sg.Dissim(a, b), g.Dissim(rows[a], rows[b]); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("rows %d,%d: %v with the scales, %v in the table", rows[a], rows[b], got, want)
			}
		}
	}
	one := []cluster.Attr{{Name: "x", Type: cluster.AttrNumeric, Values: []float64{-50, 5, 500}}}
	cg, err := cluster.NewGower(one, cluster.GowerOptions{Scales: []cluster.GowerScale{{Min: 0, Range: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	if cg.Dissim(0, 1) != 0.5 || cg.Dissim(0, 2) != 1 {
		t.Errorf("clipped: %v %v", cg.Dissim(0, 1), cg.Dissim(0, 2))
	}
	if _, err := cluster.NewGower(one, cluster.GowerOptions{Scales: []cluster.GowerScale{{Min: 0, Range: 0}}}); err == nil || !strings.Contains(err.Error(), "range > 0") {
		t.Errorf("zero range: %v", err)
	}
}
