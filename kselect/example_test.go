package kselect_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/kselect"
)

func ExampleChoose() {
	// Three groups of points on a line.
	x := mat.NewDense(90, 1, nil)
	for i := 0; i < 90; i++ {
		x.Set(i, 0, float64(10*(i%3))+float64(i%10)/10)
	}
	fit := func(ctx context.Context, x *mat.Dense, k int) ([]int, float64, error) {
		r, err := cluster.KMeans(ctx, x, cluster.KMeansOptions{K: k, Seed: 1})
		if err != nil {
			return nil, 0, err
		}
		return r.Labels, r.Inertia, nil
	}
	res, err := kselect.Choose(context.Background(), x, kselect.Options{KMin: 2, KMax: 6}, fit)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Scores[res.K-2]
	fmt.Printf("k = %d by %s: silhouette %.2f, stability %.2f, prediction strength %.2f\n", res.K, res.Rule, s.Silhouette, s.Stability, s.PredictionStrength)
	// Output:
	// k = 3 by highest silhouette: silhouette 0.97, stability 1.00, prediction strength 1.00
}
