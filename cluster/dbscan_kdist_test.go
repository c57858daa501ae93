package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// dbNaiveKDist is the sorted k-distance curve by direct distances.
func dbNaiveKDist(x *mat.Dense, metric string, k int) []float64 {
	data, n, d, err := dbPrepare(x, metric, "x")
	if err != nil {
		panic(err)
	}
	out := make([]float64, n)
	row := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			row[j] = nbDist(dbIndexMetric(metric), data[i*d:(i+1)*d], data[j*d:(j+1)*d])
		}
		slices.Sort(row)
		out[i] = dbDistance(metric, row[k-1])
	}
	slices.Sort(out)
	return out
}

func TestKDistance(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 22))
	for _, tt := range []struct {
		name   string
		kind   string
		d, k   int
		metric string
	}{
		{"blobs euclidean 2d k=5", "blobs", 2, 5, ""},
		{"blobs euclidean 30d k=3", "blobs", 30, 3, dbEuclidean},
		{"grid euclidean 2d k=10 (duplicates)", "grid", 2, 10, dbEuclidean},
		{"blobs manhattan 3d k=1", "blobs", 3, 1, dbManhattan},
		{"blobs cosine 5d k=4", "blobs", 5, 4, dbCosine},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := dbRandomData(rng, tt.kind, 500, tt.d)
			res, err := KDistance(ctx, x, tt.k, KDistanceOptions{Metric: tt.metric, Workers: 3})
			if err != nil {
				t.Fatal(err)
			}
			metric := tt.metric
			if metric == "" {
				metric = dbEuclidean
			}
			if diff := cmp.Diff(dbNaiveKDist(x, metric, tt.k), res.Distances); diff != "" {
				t.Errorf("curve (-naive +got):\n%s", diff)
			}
			if res.Eps != res.Distances[res.Knee] {
				t.Errorf("Eps %v is not Distances[Knee=%d] = %v", res.Eps, res.Knee, res.Distances[res.Knee])
			}
		})
	}
}

// TestKDistanceCoreCount checks the link with DBSCAN: with k = MinSamples,
// the rows whose k-distance is within Eps are exactly the core rows.
func TestKDistanceCoreCount(t *testing.T) {
	ctx := context.Background()
	x := dbBlobs(3000, 3, 5)
	kd, err := KDistance(ctx, x, 8, KDistanceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, eps := range []float64{0.2, 0.35, kd.Eps * 1.0000001} {
		res, err := DBSCAN(ctx, x, DBSCANOptions{Eps: eps, MinSamples: 8})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, v := range kd.Distances {
			if v <= eps {
				n++
			}
		}
		if n != len(res.CoreIndices) {
			t.Errorf("eps %v: %d rows with k-distance <= eps, %d core rows", eps, n, len(res.CoreIndices))
		}
	}
	// Eps 0 in DBSCANOptions means the same automatic eps.
	res, err := DBSCAN(ctx, x, DBSCANOptions{MinSamples: 8})
	if err != nil {
		t.Fatal(err)
	}
	if res.Eps != kd.Eps {
		t.Errorf("automatic eps %v, KDistance gives %v", res.Eps, kd.Eps)
	}
	if diff := cmp.Diff(kd.Distances, res.KDistances); diff != "" {
		t.Errorf("the result's k-distance curve differs from KDistance's (-KDistance +DBSCAN):\n%s", diff)
	}
	if res.NClusters != 8 {
		t.Errorf("automatic eps %v finds %d clusters in 8 blobs", res.Eps, res.NClusters)
	}
}

// TestKDistanceSample checks that a sampled curve holds the exact
// k-distances of the sampled rows.
func TestKDistanceSample(t *testing.T) {
	x := dbRandomData(rand.New(rand.NewPCG(31, 32)), "blobs", 700, 3)
	got, err := KDistance(context.Background(), x, 6, KDistanceOptions{Sample: 70})
	if err != nil {
		t.Fatal(err)
	}
	// The sampled rows are rows 0, 10, 20, ...
	sub := mat.NewDense(70, 3, nil)
	for j := 0; j < 70; j++ {
		sub.SetRow(j, x.RawRowView(10*j))
	}
	data, _, _, _ := dbPrepare(x, dbEuclidean, "x")
	var want []float64
	for j := 0; j < 70; j++ {
		var all []float64
		for i := 0; i < 700; i++ {
			all = append(all, nbDist(nbSquared, data[30*j:30*j+3], data[3*i:3*i+3]))
		}
		slices.Sort(all)
		want = append(want, math.Sqrt(all[5]))
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got.Distances); diff != "" {
		t.Errorf("sampled curve (-naive +got):\n%s", diff)
	}
}

func TestKDistanceErrors(t *testing.T) {
	ctx := context.Background()
	x := mat.NewDense(3, 1, []float64{1, 2, 3})
	for _, tt := range []struct {
		name string
		k    int
		opts KDistanceOptions
		want string
	}{
		{"k zero", 0, KDistanceOptions{}, "k must be"},
		{"k too big", 4, KDistanceOptions{}, "k must be"},
		{"metric", 2, KDistanceOptions{Metric: "l3"}, "metric"},
		{"workers", 2, KDistanceOptions{Workers: -3}, "workers"},
		{"sample", 2, KDistanceOptions{Sample: -1}, "sample"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := KDistance(ctx, x, tt.k, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAutoEps(t *testing.T) {
	// 90 points inside clusters (slowly rising), then 10 noise points.
	var bent []float64
	for i := 0; i < 90; i++ {
		bent = append(bent, 1+0.001*float64(i))
	}
	for i := 0; i < 10; i++ {
		bent = append(bent, 2+float64(i))
	}
	tests := []struct {
		name     string
		curve    []float64
		wantEps  float64
		wantKnee int
	}{
		{"empty", nil, 0, -1},
		{"one", []float64{3}, 3, 0},
		{"flat", []float64{2, 2, 2, 2}, 2, 1},
		{"straight line", []float64{0, 1, 2, 3, 4}, 2, 2},
		{"bent", bent, bent[89], 89},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps, knee := AutoEps(tt.curve)
			if diff := cmp.Diff([]float64{tt.wantEps, float64(tt.wantKnee)}, []float64{eps, float64(knee)}, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("(eps, knee) (-want +got):\n%s", diff)
			}
		})
	}
}
