package model_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
)

// A model assigns new users to the segment of the nearest centre, in the
// space the preparation (here standard scaling) maps their features to.
func ExampleModel_Assign() {
	train := mat.NewDense(4, 2, []float64{
		1, 10,
		2, 12,
		9, 90,
		10, 110,
	})
	fitted, err := prep.Fit(train, []string{"orders", "spend"}, prep.Config{})
	if err != nil {
		panic(err)
	}
	z, _ := fitted.Transform(train)
	centre := func(i, j int) []float64 {
		a, b := z.RawRowView(i), z.RawRowView(j)
		out := make([]float64, len(a))
		for k := range a {
			out[k] = (a[k] + b[k]) / 2
		}
		return out
	}
	m := &model.Model{
		Version:   model.Version,
		Algorithm: cluster.AlgorithmKMeans,
		Prep:      fitted,
		Segments:  []model.Segment{{ID: 0, Name: "light"}, {ID: 1, Name: "heavy"}},
		Centers:   [][]float64{centre(0, 1), centre(2, 3)},
	}
	for _, row := range []map[string]float64{{"orders": 3, "spend": 20}, {"orders": 8, "spend": 100}} {
		seg, _, err := m.AssignRow(row)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%v -> %s\n", row, m.Name(seg))
	}
	// Output:
	// map[orders:3 spend:20] -> light
	// map[orders:8 spend:100] -> heavy
}
