package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// dbNaivePredict gives each row of q the label of the nearest core row of x
// within eps (the first on ties), or -1.
func dbNaivePredict(x, q *mat.Dense, res *DBSCANResult) []int {
	nq, _ := q.Dims()
	out := make([]int, nq)
	for i := range out {
		out[i] = -1
		best := math.Inf(1)
		for _, c := range res.CoreIndices {
			xq := mat.NewDense(2, q.RawMatrix().Cols, nil)
			xq.SetRow(0, q.RawRowView(i))
			xq.SetRow(1, x.RawRowView(c))
			if !dbNaiveWithin(xq, res.Metric, 0, 1, res.Eps) {
				continue
			}
			d := dbNaiveDist(xq, res.Metric)
			if d < best {
				best, out[i] = d, res.Labels[c]
			}
		}
	}
	return out
}

// dbNaiveDist is the distance between the two rows of x in comparison units.
func dbNaiveDist(x *mat.Dense, metric string) float64 {
	data, _, d, err := dbPrepare(x, metric, "x")
	if err != nil {
		panic(err)
	}
	return nbDist(dbIndexMetric(metric), data[:d], data[d:])
}

func TestDBSCANModelPredict(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tt := range []struct {
		name   string
		kind   string
		d      int
		metric string
		eps    float64
	}{
		{"blobs euclidean 2d", "blobs", 2, dbEuclidean, 0.5},
		{"blobs manhattan 3d", "blobs", 3, dbManhattan, 0.9},
		{"blobs cosine 4d", "blobs", 4, dbCosine, 0.01},
		{"grid euclidean 2d (ties)", "grid", 2, dbEuclidean, 1},
		{"blobs euclidean 30d", "blobs", 30, dbEuclidean, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := dbRandomData(rng, tt.kind, 400, tt.d)
			q := dbRandomData(rng, tt.kind, 300, tt.d)
			res, err := DBSCAN(ctx, x, DBSCANOptions{Eps: tt.eps, MinSamples: 5, Metric: tt.metric})
			if err != nil {
				t.Fatal(err)
			}
			if res.NClusters == 0 {
				t.Fatalf("no clusters; pick another eps")
			}
			m := res.Model(x)
			got, err := m.Predict(ctx, q, 3)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dbNaivePredict(x, q, res), got); diff != "" {
				t.Errorf("predict (-naive +got):\n%s", diff)
			}
			// On the training rows: core rows keep their cluster, noise
			// stays noise, border rows get a cluster.
			self, err := m.Predict(ctx, x, 0)
			if err != nil {
				t.Fatal(err)
			}
			isCore := make(map[int]bool)
			for _, c := range res.CoreIndices {
				isCore[c] = true
			}
			for i, l := range res.Labels {
				switch {
				case isCore[i] && self[i] != l:
					t.Errorf("core row %d: predicted %d, label %d", i, self[i], l)
				case l == -1 && self[i] != -1:
					t.Errorf("noise row %d: predicted %d", i, self[i])
				case l >= 0 && self[i] < 0:
					t.Errorf("border row %d: predicted noise", i)
				}
			}
		})
	}
}

func TestDBSCANModelPredictErrors(t *testing.T) {
	ctx := context.Background()
	x := mat.NewDense(3, 2, []float64{0, 0, 0, 1, 5, 5})
	res, err := DBSCAN(ctx, x, DBSCANOptions{Eps: 1, MinSamples: 2})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Model(x)
	for _, tt := range []struct {
		name string
		m    DBSCANModel
		q    *mat.Dense
		want string
	}{
		{"columns", *m, mat.NewDense(1, 3, nil), "columns"},
		{"eps", DBSCANModel{Core: m.Core, Labels: m.Labels, Eps: 0}, mat.NewDense(1, 2, nil), "eps"},
		{"metric", DBSCANModel{Core: m.Core, Labels: m.Labels, Eps: 1, Metric: "hamming"}, mat.NewDense(1, 2, nil), "metric"},
		{"labels", DBSCANModel{Core: m.Core, Labels: m.Labels[:1], Eps: 1}, mat.NewDense(1, 2, nil), "labels"},
		{"NaN", *m, mat.NewDense(1, 2, []float64{math.NaN(), 0}), "q row 0 column 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.Predict(ctx, tt.q, 0)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A model without core rows predicts noise.
	empty := &DBSCANModel{Eps: 1}
	got, err := empty.Predict(ctx, mat.NewDense(2, 2, nil), 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{-1, -1}, got); diff != "" {
		t.Error(diff)
	}
}
