package cluster

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/parallel"
)

// DBSCANModel is what assigning new rows to DBSCAN clusters needs: the core
// rows, their clusters, Eps and the metric. It is plain data, ready to be
// saved.
type DBSCANModel struct {
	// Core holds the core rows of the training data, one per row, in the
	// order of CoreIndices.
	Core *mat.Dense
	// CoreIndices are the core rows' indices in the training data,
	// ascending, and Labels their clusters.
	CoreIndices []int
	Labels      []int
	Eps         float64
	Metric      string
}

// Model returns the model of the result r for the training data x (the
// matrix r was computed from). The core rows are copied.
func (r *DBSCANResult) Model(x *mat.Dense) *DBSCANModel {
	n, d := x.Dims()
	if n != len(r.Labels) {
		panic(fmt.Sprintf("cluster: DBSCANResult.Model: x has %d rows, the result %d labels", n, len(r.Labels)))
	}
	m := &DBSCANModel{
		CoreIndices: append([]int(nil), r.CoreIndices...),
		Labels:      make([]int, len(r.CoreIndices)),
		Eps:         r.Eps,
		Metric:      r.Metric,
	}
	if len(r.CoreIndices) > 0 {
		m.Core = mat.NewDense(len(r.CoreIndices), d, nil)
		for k, i := range r.CoreIndices {
			m.Core.SetRow(k, x.RawRowView(i))
			m.Labels[k] = r.Labels[i]
		}
	}
	return m
}

// Predict returns, for each row of q, the cluster of its nearest core row
// if that is within Eps (inclusive; on a tie, the core row listed first),
// and -1 otherwise. Rows that were core rows of the training data get their
// own cluster back; border rows may get another cluster within reach than
// DBSCAN gave them. workers is the number of goroutines, 0 for
// runtime.GOMAXPROCS(0).
func (m *DBSCANModel) Predict(ctx context.Context, q *mat.Dense, workers int) ([]int, error) {
	if err := dbCheckMetric(m.Metric); err != nil {
		return nil, err
	}
	if math.IsNaN(m.Eps) || math.IsInf(m.Eps, 0) || m.Eps <= 0 {
		return nil, fmt.Errorf("cluster: model eps must be a positive number, got %v", m.Eps)
	}
	if workers < 0 {
		return nil, fmt.Errorf("cluster: workers must be >= 0, got %d", workers)
	}
	metric := m.Metric
	if metric == "" {
		metric = dbEuclidean
	}
	qd, nq, dq, err := dbPrepare(q, metric, "q")
	if err != nil {
		return nil, err
	}
	out := make([]int, nq)
	for i := range out {
		out[i] = -1
	}
	if m.Core == nil || m.Core.IsEmpty() {
		return out, nil
	}
	nc, d := m.Core.Dims()
	if len(m.Labels) != nc {
		return nil, fmt.Errorf("cluster: model has %d core rows but %d labels", nc, len(m.Labels))
	}
	if dq != d {
		return nil, fmt.Errorf("cluster: q has %d columns, the model %d", dq, d)
	}
	cd, _, _, err := dbPrepare(m.Core, metric, "model core")
	if err != nil {
		return nil, err
	}
	ix := nbBuild(cd, nc, d, dbIndexMetric(metric), true)
	thr := dbThreshold(metric, m.Eps)
	const chunk = 256
	workers = dbWorkers(workers)
	stacks := make([][]nbStackItem, workers)
	err = parallel.For(ctx, workers, (nq+chunk-1)/chunk, func(w, t int) {
		buf := make([]float64, ix.leafSize)
		for i := t * chunk; i < min(nq, (t+1)*chunk); i++ {
			var p int32
			p, stacks[w] = ix.nearestWithin(qd[i*d:(i+1)*d], thr, buf, stacks[w])
			if p >= 0 {
				out[i] = m.Labels[ix.perm[p]]
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nearestWithin returns the position of the indexed point nearest to q with
// distance <= thr, the smallest original row on ties, or -1.
func (ix *nbIndex) nearestWithin(q []float64, thr float64, buf []float64, st []nbStackItem) (int32, []nbStackItem) {
	best, bestD := int32(-1), thr
	st = append(st[:0], nbStackItem{0, ix.pointNode(q, 0)})
	for len(st) > 0 {
		it := st[len(st)-1]
		st = st[:len(st)-1]
		if nbBeyond(it.bound, bestD) {
			continue
		}
		nd := ix.nodes[it.node]
		if nd.left >= 0 {
			st = ix.pushChildren(st, it.node, bestD, func(c int32) float64 { return ix.pointNode(q, c) })
			continue
		}
		dist := buf[:nd.end-nd.start]
		nbDistRows(ix.metric, q, ix.rows(nd.start, nd.end), dist)
		for k, v := range dist {
			p := nd.start + int32(k)
			if v < bestD || (v == bestD && (best < 0 || ix.perm[p] < ix.perm[best])) {
				best, bestD = p, v
			}
		}
	}
	return best, st
}
