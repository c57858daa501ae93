package cluster_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

func ExampleHDBSCAN() {
	// Two groups of different densities on a line, a point between them
	// and a far outlier.
	x := mat.NewDense(12, 1, []float64{200, 0, 1, 2, 3, 4, 50, 100, 103, 106, 109, 112})
	res, err := cluster.HDBSCAN(context.Background(), x, cluster.HDBSCANOptions{MinClusterSize: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.NClusters, "clusters,", res.NNoise, "noise")
	fmt.Println(res.Labels)
	fmt.Printf("%.2f\n", res.Probabilities)
	// Output:
	// 2 clusters, 1 noise
	// [-1 0 0 0 0 0 0 1 1 1 1 1]
	// [0.00 0.50 1.00 1.00 1.00 0.50 0.02 0.50 1.00 1.00 1.00 0.50]
}
