package cluster_test

import (
	"context"
	"fmt"
	"math"

	"github.com/persona-seg/persona/cluster"
)

func ExampleKMedoids() {
	// Six customers: spend, a plan (ordered levels basic < plus < premium,
	// coded by position) and the channels they use (a list).
	nan := math.NaN()
	attrs := []cluster.Attr{
		{Name: "spend", Type: cluster.AttrNumeric, Values: []float64{20, 25, nan, 400, 420, 380}},
		{Name: "plan", Type: cluster.AttrOrdinal, Codes: []int32{0, 0, 0, 2, 2, 1}},
		{Name: "channels", Type: cluster.AttrList, Sets: [][]int32{{0}, {0, 1}, {0}, {1, 2}, {2}, {1, 2}}},
	}
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Customer 2's spend is missing: it is compared on plan and channels.
	// d(0,1) = (|20-25|/400 + 0 + 1/2) / 3: spend over its range, the same
	// plan, one channel of two in common.
	fmt.Printf("d(0,1) = %.4f, d(0,2) = %.4f, d(0,3) = %.4f\n", g.Dissim(0, 1), g.Dissim(0, 2), g.Dissim(0, 3))
	res, err := cluster.KMedoids(context.Background(), g, cluster.KMedoidsOptions{K: 2, Method: cluster.KMedoidsPAM})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("medoids:", res.Medoids)
	fmt.Println("labels: ", res.Labels)
	fmt.Printf("objective: %.4f\n", res.Objective)
	// Output:
	// d(0,1) = 0.1708, d(0,2) = 0.0000, d(0,3) = 0.9833
	// medoids: [0 3]
	// labels:  [0 0 0 1 1 1]
	// objective: 0.0896
}

func ExampleKPrototypes() {
	// Eight customers: age (numeric) and favourite shop (a category).
	attrs := []cluster.Attr{
		{Name: "age", Type: cluster.AttrNumeric, Values: []float64{21, 23, 22, 25, 61, 58, 64, 60}},
		{Name: "shop", Type: cluster.AttrNominal, Codes: []int32{0, 0, 1, 0, 2, 2, 2, 1}},
	}
	res, err := cluster.KPrototypes(context.Background(), attrs, cluster.KPrototypesOptions{K: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for c := range 2 {
		fmt.Printf("prototype %d: age %.2f, shop %d\n", c, res.Centers.At(c, 0), res.Modes[c][0])
	}
	fmt.Println("labels:", res.Labels)
	fmt.Printf("gamma %.3f (half the standard deviation of age)\n", res.Gamma)
	// Output:
	// prototype 0: age 22.75, shop 0
	// prototype 1: age 60.75, shop 2
	// labels: [0 0 0 0 1 1 1 1]
	// gamma 9.545 (half the standard deviation of age)
}
