package cluster_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

func ExampleDBSCAN() {
	// Two groups of users on a line and one outlier.
	x := mat.NewDense(8, 1, []float64{
		0, 0.5, 1, 1.5,
		10, 10.5, 11,
		30,
	})
	res, err := cluster.DBSCAN(context.Background(), x, cluster.DBSCANOptions{Eps: 0.6, MinSamples: 3})
	if err != nil {
		panic(err)
	}
	fmt.Println("labels:", res.Labels)
	fmt.Println("core rows:", res.CoreIndices)
	fmt.Println("clusters:", res.NClusters, "noise:", res.NNoise)

	// Assign new users: the nearest core row within eps, else noise.
	m := res.Model(x)
	labels, err := m.Predict(context.Background(), mat.NewDense(3, 1, []float64{0.8, 10.9, 5}), 0)
	if err != nil {
		panic(err)
	}
	fmt.Println("new users:", labels)
	// Output:
	// labels: [0 0 0 0 1 1 1 -1]
	// core rows: [1 2 5]
	// clusters: 2 noise: 1
	// new users: [0 1 -1]
}

func ExampleKDistance() {
	x := mat.NewDense(8, 1, []float64{0, 0.5, 1, 1.5, 10, 10.5, 11, 30})
	kd, err := cluster.KDistance(context.Background(), x, 3, cluster.KDistanceOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("3-distances:", kd.Distances)
	fmt.Println("eps at the knee:", kd.Eps)
	// Output:
	// 3-distances: [0.5 0.5 0.5 1 1 1 1 19.5]
	// eps at the knee: 1
}
