package cluster

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestMiniBatchKMeansQuality(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		n, d, k int
		spread  float64
		maxGap  float64 // inertia / KMeans inertia - 1, at most
	}{
		{"separated", 30000, 8, 6, 1, 0.02},
		{"overlapping", 30000, 4, 5, 5, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, _ := kmBlobs(tt.n, tt.d, tt.k, 10, tt.spread, 17)
			full, err := KMeans(ctx, x, KMeansOptions{K: tt.k, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			mb, err := MiniBatchKMeans(ctx, x, MiniBatchOptions{K: tt.k, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			gap := mb.Inertia/full.Inertia - 1
			if gap > tt.maxGap {
				t.Errorf("mini-batch inertia %v is %.2f%% above KMeans's %v", mb.Inertia, 100*gap, full.Inertia)
			}
			maxSteps := 100 * tt.n / 1024
			if mb.NSteps < 2 || mb.NSteps >= maxSteps {
				t.Errorf("NSteps = %d, want early stopping before %d", mb.NSteps, maxSteps)
			}
			if want := (mb.NSteps*1024 + tt.n - 1) / tt.n; mb.NIter != want {
				t.Errorf("NIter = %d, want %d", mb.NIter, want)
			}
			// Labels and inertia are those of the final centres.
			if diff := cmp.Diff(mb.Predict(x, nil), mb.Labels); diff != "" {
				t.Errorf("labels differ from Predict:\n%s", diff)
			}
			t.Logf("inertia %.6g (KMeans %.6g, +%.3f%%) after %d steps", mb.Inertia, full.Inertia, 100*gap, mb.NSteps)
		})
	}
}

func TestMiniBatchKMeansDeterministic(t *testing.T) {
	ctx := context.Background()
	x, _ := kmBlobs(20000, 5, 4, 10, 2, 3)
	orig := mat.DenseCopyOf(x)
	var first *MiniBatchResult
	for _, w := range []int{1, 2, 4} {
		got, err := MiniBatchKMeans(ctx, x, MiniBatchOptions{K: 4, Seed: 9, BatchSize: 256, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
			continue
		}
		if !mat.Equal(first.Centers, got.Centers) || first.Inertia != got.Inertia || first.NSteps != got.NSteps {
			t.Errorf("workers=%d: a different result than workers=1", w)
		}
	}
	other, err := MiniBatchKMeans(ctx, x, MiniBatchOptions{K: 4, Seed: 10, BatchSize: 256, MaxIter: 1, MaxNoImprovement: -1})
	if err != nil {
		t.Fatal(err)
	}
	if mat.Equal(other.Centers, first.Centers) {
		t.Error("seeds 9 and 10 gave the same centres")
	}
	if !mat.Equal(orig, x) {
		t.Error("MiniBatchKMeans modified x")
	}
}

// TestMiniBatchKMeansReassignment starts one centre far from the data: it
// gets no rows, so it must be reassigned to a row and end inside the data.
func TestMiniBatchKMeansReassignment(t *testing.T) {
	ctx := context.Background()
	x, _ := kmBlobs(5000, 2, 3, 10, 1, 5)
	init := mat.NewDense(3, 2, []float64{mat.Row(nil, 0, x)[0], mat.Row(nil, 0, x)[1], mat.Row(nil, 1, x)[0], mat.Row(nil, 1, x)[1], 1e6, 1e6})
	tests := []struct {
		name   string
		ratio  float64
		inside bool
	}{
		{"default ratio", 0, true},
		{"disabled", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := MiniBatchKMeans(ctx, x, MiniBatchOptions{K: 3, InitCenters: init, BatchSize: 200, ReassignmentRatio: tt.ratio, Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			far := res.Centers.At(2, 0)
			if inside := math.Abs(far) < 100; inside != tt.inside {
				t.Errorf("centre 2 ended at x0 = %v; want inside the data: %v", far, tt.inside)
			}
		})
	}
}

func TestMiniBatchKMeansTol(t *testing.T) {
	x, _ := kmBlobs(20000, 3, 3, 10, 0.5, 8)
	loose, err := MiniBatchKMeans(context.Background(), x, MiniBatchOptions{K: 3, Seed: 1, Tol: 0.1, MaxNoImprovement: -1, BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	none, err := MiniBatchKMeans(context.Background(), x, MiniBatchOptions{K: 3, Seed: 1, MaxNoImprovement: -1, BatchSize: 100, MaxIter: 2})
	if err != nil {
		t.Fatal(err)
	}
	if max := 2 * 20000 / 100; none.NSteps != max {
		t.Errorf("without tol and early stopping NSteps = %d, want all %d", none.NSteps, max)
	}
	if loose.NSteps >= 100 {
		t.Errorf("with Tol 0.1 NSteps = %d, want an early stop", loose.NSteps)
	}
}

func TestMiniBatchKMeansErrors(t *testing.T) {
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 2, 2, 3, 3})
	tests := []struct {
		name string
		opts MiniBatchOptions
		want string
	}{
		{"k", MiniBatchOptions{}, "K must be at least 1"},
		{"k above rows", MiniBatchOptions{K: 5}, "K = 5 is more than the 4 rows"},
		{"batch", MiniBatchOptions{K: 2, BatchSize: -1}, "BatchSize must be at least 1"},
		{"tol", MiniBatchOptions{K: 2, Tol: -1}, "Tol must be a finite number >= 0"},
		{"init size", MiniBatchOptions{K: 2, InitSize: -3}, "InitSize must be at least 1"},
		{"ratio", MiniBatchOptions{K: 2, ReassignmentRatio: math.Inf(1)}, "ReassignmentRatio must be a finite number"},
		{"init", MiniBatchOptions{K: 2, Init: "x"}, "Init must be"},
		{"centres", MiniBatchOptions{K: 2, InitCenters: mat.NewDense(2, 3, nil)}, "InitCenters is 2x3, want 2x2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MiniBatchKMeans(context.Background(), x, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "minibatch kmeans: ") {
				t.Errorf("error %v, want one starting \"minibatch kmeans: \" and containing %q", err, tt.want)
			}
		})
	}
}
