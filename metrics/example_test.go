package metrics_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/metrics"
)

// The outputs below are the values scikit-learn 1.2.1 prints for the same
// inputs.

func ExampleSilhouette() {
	// Two tight groups on a line.
	x := mat.NewDense(6, 1, []float64{0, 1, 2, 10, 11, 12})
	labels := []int{0, 0, 0, 1, 1, 1}
	s, err := metrics.Silhouette(context.Background(), x, labels, metrics.SilhouetteOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("silhouette %.4f\n", s)

	// One cluster is not a clustering the score can judge.
	_, err = metrics.Silhouette(context.Background(), x, make([]int, 6), metrics.SilhouetteOptions{})
	fmt.Println(err)
	// Output:
	// silhouette 0.8657
	// metrics: number of distinct labels must be between 2 and n-1: got 1 distinct labels for 6 rows
}

func ExampleSilhouetteSamples() {
	x := mat.NewDense(5, 1, []float64{0, 1, 10, 11, 30})
	s, err := metrics.SilhouetteSamples(context.Background(), x, []int{0, 0, 1, 1, 2}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f\n", s) // the singleton cluster {30} scores 0
	// Output:
	// [0.905 0.895 0.895 0.905 0.000]
}

func ExampleCalinskiHarabasz() {
	x := mat.NewDense(6, 2, []float64{0, 0, 0, 1, 1, 0, 9, 9, 9, 10, 10, 9})
	labels := []int{7, 7, 7, -1, -1, -1}
	ch, _ := metrics.CalinskiHarabasz(x, labels)
	db, _ := metrics.DaviesBouldin(x, labels)
	fmt.Printf("Calinski-Harabasz %.1f, Davies-Bouldin %.4f\n", ch, db)
	// Output:
	// Calinski-Harabasz 364.5, Davies-Bouldin 0.1028
}

func ExampleAdjustedRand() {
	truth := []int{0, 0, 0, 1, 1, 1}
	pred := []int{5, 5, 9, 9, -1, -1} // ids are arbitrary; -1 is an ordinary label
	ari, _ := metrics.AdjustedRand(truth, pred)
	nmi, _ := metrics.NormalizedMutualInfo(truth, pred)
	ami, _ := metrics.AdjustedMutualInfo(truth, pred)
	fmt.Printf("ARI %.4f  NMI %.4f  AMI %.4f\n", ari, nmi, ami)
	renamed, _ := metrics.AdjustedRand(truth, []int{3, 3, 3, 8, 8, 8})
	fmt.Println("same partition, renamed:", renamed)
	// Output:
	// ARI 0.2424  NMI 0.5158  AMI 0.2988
	// same partition, renamed: 1
}

func ExampleNewContingency() {
	t := metrics.NewContingency([]int{1, 1, 2, 2, 2}, []int{0, 0, 0, 4, 4})
	fmt.Println("rows", t.Rows, "cols", t.Cols)
	for i := range t.Rows {
		for j := range t.Cols {
			if j > 0 {
				fmt.Print(" ")
			}
			fmt.Print(t.At(i, j))
		}
		fmt.Println()
	}
	// Output:
	// rows [1 2] cols [0 4]
	// 2 0
	// 1 2
}
