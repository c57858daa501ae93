package cluster_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

func ExampleLinkage() {
	// Five users with two features each: two tight pairs and one outlier.
	x := mat.NewDense(5, 2, []float64{
		0, 0,
		10, 10,
		0, 1,
		10, 11,
		30, 0,
	})
	dg, err := cluster.Linkage(context.Background(), x, cluster.LinkageOptions{Method: cluster.LinkageWard})
	if err != nil {
		fmt.Println(err)
		return
	}
	// SciPy's linkage matrix: rows a, b, distance, size.
	for _, m := range dg.Merges {
		fmt.Printf("%d %d %.4f %d\n", m.A, m.B, m.Distance, m.Size)
	}
	fmt.Println("k=2:", dg.CutK(2))
	fmt.Println("k=3:", dg.CutK(3))
	fmt.Println("height <= 5:", dg.CutDistance(5))
	// Output:
	// 0 2 1.0000 2
	// 1 3 1.0000 2
	// 5 6 20.0000 4
	// 4 7 32.3790 5
	// k=2: [0 0 0 0 1]
	// k=3: [0 1 0 1 2]
	// height <= 5: [0 1 0 1 2]
}
