package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestKPrototypesDissim(t *testing.T) {
	attrs := []Attr{
		{Name: "income", Type: AttrNumeric, Values: []float64{1, 4, 1, 2}},
		{Name: "age", Type: AttrNumeric, Values: []float64{0, 4, 0, 0}},
		{Name: "plan", Type: AttrNominal, Codes: []int32{0, 1, 0, -1}},
		{Name: "paperless", Type: AttrSymmetric, Codes: []int32{1, 1, 0, 1}},
	}
	d, err := NewKPrototypesDissim(attrs, 2)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i, j int
		want float64
	}{
		{0, 0, 0},
		{0, 1, math.Sqrt(9 + 16 + 2*1)}, // plan differs
		{0, 2, math.Sqrt(2 * 1)},        // paperless differs
		{0, 3, math.Sqrt(1 + 2*1)},      // a missing plan is a level of its own
		{1, 3, math.Sqrt(4 + 16 + 2*1)},
	}
	for _, tt := range tests {
		if got := d.Dissim(tt.i, tt.j); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("Dissim(%d, %d) = %v, want %v", tt.i, tt.j, got, tt.want)
		}
		if got := d.Dissim(tt.j, tt.i); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("Dissim(%d, %d) = %v, want %v (symmetric)", tt.j, tt.i, got, tt.want)
		}
	}
	if d.Len() != 4 || d.Gamma() != 2 {
		t.Errorf("Len %d, Gamma %v", d.Len(), d.Gamma())
	}
}

// TestKPrototypesDissimDefaultGamma: gamma 0 is the gamma KPrototypes uses
// by default, and the dissimilarity is the Euclidean distance of the rows
// with the categories one-hot encoded and scaled by sqrt(gamma/2).
func TestKPrototypesDissimDefaultGamma(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 60
	num := make([]float64, n)
	cat := make([]int32, n)
	for i := range n {
		num[i] = rng.NormFloat64() * 3
		cat[i] = int32(rng.IntN(4))
	}
	attrs := []Attr{{Name: "x", Type: AttrNumeric, Values: num}, {Name: "c", Type: AttrNominal, Codes: cat}}
	d, err := NewKPrototypesDissim(attrs, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := KPrototypes(context.Background(), attrs, KPrototypesOptions{K: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d.Gamma() != res.Gamma {
		t.Errorf("Gamma %v, KPrototypes used %v", d.Gamma(), res.Gamma)
	}
	w := math.Sqrt(d.Gamma() / 2)
	for i := range n {
		for j := range n {
			e := (num[i] - num[j]) * (num[i] - num[j])
			for l := range int32(4) {
				a, b := 0.0, 0.0
				if cat[i] == l {
					a = w
				}
				if cat[j] == l {
					b = w
				}
				e += (a - b) * (a - b)
			}
			if got := d.Dissim(i, j); math.Abs(got-math.Sqrt(e)) > 1e-12 {
				t.Fatalf("Dissim(%d, %d) = %v, one-hot distance %v", i, j, got, math.Sqrt(e))
			}
		}
	}
}

func TestKPrototypesDissimErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		attrs []Attr
		gamma float64
		want  string
	}{
		{"negative gamma", []Attr{{Name: "x", Type: AttrNumeric, Values: []float64{1}}}, -1, "Gamma must be"},
		{"missing number", []Attr{{Name: "x", Type: AttrNumeric, Values: []float64{1, math.NaN()}}}, 0, `"x", row 1`},
		{"list", []Attr{{Name: "l", Type: AttrList, Sets: [][]int32{{1}}}}, 0, "k-prototypes takes numeric and categorical"},
		{"none", nil, 0, "no attributes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKPrototypesDissim(tt.attrs, tt.gamma)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
