package cluster_test

import (
	"context"
	"fmt"
	"log"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

func ExampleKMeans() {
	// Six points in two groups.
	x := mat.NewDense(6, 2, []float64{
		1, 1,
		1.5, 2,
		1, 2,
		8, 8,
		9, 8,
		8, 9,
	})
	res, err := cluster.KMeans(context.Background(), x, cluster.KMeansOptions{K: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("labels:", res.Labels)
	fmt.Printf("centres:\n%.3f\n", mat.Formatted(res.Centers))
	fmt.Printf("inertia: %.3f after %d iterations\n", res.Inertia, res.NIter)

	// New points go to the nearest centre.
	fmt.Println("predict:", res.Predict(mat.NewDense(2, 2, []float64{0, 0, 10, 10}), nil))
	// Output:
	// labels: [1 1 1 0 0 0]
	// centres:
	// ⎡8.333  8.333⎤
	// ⎣1.167  1.667⎦
	// inertia: 2.167 after 2 iterations
	// predict: [1 0]
}
