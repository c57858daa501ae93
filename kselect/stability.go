package kselect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/persona-seg/persona/metrics"
)

// subsamples draws the pairs of disjoint half samples every k is refitted
// on, the same ones for every k so that the scores compare.
func (c *chooser) subsamples(kcap int) {
	b := c.opts.Resamples
	if b == 0 {
		b = DefaultResamples
	}
	if b < 0 {
		return
	}
	m := c.opts.ResampleSize
	if m == 0 {
		m = min(c.n/2, DefaultResampleSize)
	}
	m = min(m, c.n/2)
	if m < 2 {
		return
	}
	rng := rand.New(rand.NewPCG(c.opts.Seed, 0x6b73656c)) // "ksel"
	for range b {
		perm := rng.Perm(c.n)
		for _, r := range [][]int{perm[:m], perm[m : 2*m]} {
			slices.Sort(r)
			sub := subRows(c.x, r)
			c.rows = append(c.rows, r)
			c.sub = append(c.sub, sub)
			c.distinct = append(c.distinct, distinctRows(sub, kcap))
		}
	}
	full := c.n
	if s := c.opts.SampleSize; s > 0 && s < full {
		full = s
	}
	c.seScale = math.Sqrt(float64(m) / float64(max(full, m)))
}

func subRows(x *mat.Dense, rows []int) *mat.Dense {
	_, d := x.Dims()
	out := mat.NewDense(len(rows), d, nil)
	for i, r := range rows {
		copy(out.RawRowView(i), x.RawRowView(r))
	}
	return out
}

// stability refits k on both halves of every pair of half samples,
// compares each half's clustering with the full one on the same rows
// (Stability) and predicts each half's clustering from the other's
// centroids (PredictionStrength).
func (c *chooser) stability(ctx context.Context, k int, labels []int, sc *Score) error {
	if len(c.rows) == 0 {
		return nil
	}
	var aris, sils, ps []float64
	restricted := make([]int, len(c.rows[0]))
	halves := make([][]int, len(c.rows))
	for b, rows := range c.rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.distinct[b] < k {
			continue // the half cannot hold k clusters
		}
		lab, _, err := c.fit(context.WithValue(ctx, rowsKey{}, rows), c.sub[b], k)
		if err != nil {
			return fmt.Errorf("k = %d: stability half sample %d: %w", k, b+1, err)
		}
		halves[b] = lab
		for i, r := range rows {
			restricted[i] = labels[r]
		}
		a, err := metrics.AdjustedRand(restricted, lab)
		if err != nil {
			return fmt.Errorf("k = %d: stability: %w", k, err)
		}
		aris = append(aris, a)
		if s, err := c.halfSilhouette(ctx, b, lab); err == nil {
			sils = append(sils, s)
		} else if !errors.Is(err, metrics.ErrLabelCount) {
			return fmt.Errorf("k = %d: stability: silhouette: %w", k, err)
		}
	}
	for b := 0; b+1 < len(c.rows); b += 2 {
		if halves[b] == nil || halves[b+1] == nil {
			continue
		}
		if d := c.opts.Dissim; d != nil {
			ps = append(ps, predictionStrengthDissim(d, c.rows[b], halves[b], c.rows[b+1], halves[b+1]),
				predictionStrengthDissim(d, c.rows[b+1], halves[b+1], c.rows[b], halves[b]))
			continue
		}
		ps = append(ps, predictionStrength(c.sub[b], halves[b], c.sub[b+1], halves[b+1]),
			predictionStrength(c.sub[b+1], halves[b+1], c.sub[b], halves[b]))
	}
	if len(aris) > 0 {
		sc.Stability = stat.Mean(aris, nil)
	}
	if len(aris) > 1 {
		sc.StabilitySD = stat.StdDev(aris, nil)
	}
	if len(sils) > 1 {
		sc.SilhouetteSE = stat.StdDev(sils, nil) * c.seScale
	}
	if len(ps) > 0 {
		sc.PredictionStrength = stat.Mean(ps, nil)
	}
	return nil
}

// predictionStrength is Tibshirani and Walther's prediction strength of
// the clustering trainLab of train on the clustering testLab of test: each
// test row gets the train cluster of the nearest train centroid, and the
// score is, over the test clusters with two rows or more, the smallest
// share of pairs of rows of the cluster that the train centroids also put
// together.
func predictionStrength(train *mat.Dense, trainLab []int, test *mat.Dense, testLab []int) float64 {
	cen := centroids(train, trainLab)
	n, _ := test.Dims()
	pred := make([]int, n)
	for i := range n {
		row := test.RawRowView(i)
		best, bestD := -1, math.Inf(1)
		for c, ce := range cen {
			if ce == nil {
				continue
			}
			var d float64
			for t, v := range row {
				e := v - ce[t]
				d += e * e
			}
			if d < bestD {
				best, bestD = c, d
			}
		}
		pred[i] = best
	}
	return pairStrength(testLab, pred)
}

// predictionStrengthDissim is predictionStrength for a clustering on a
// dissimilarity: each test row (rows of the data, testRows) gets the train
// cluster of the nearest of the train clusters' medoids under d.
func predictionStrengthDissim(d metrics.Dissimilarity, trainRows, trainLab, testRows, testLab []int) float64 {
	med := medoids(d, trainRows, trainLab)
	pred := make([]int, len(testRows))
	for i, r := range testRows {
		best, bestD := -1, math.Inf(1)
		for c, m := range med {
			if m < 0 {
				continue
			}
			if v := d.Dissim(r, m); v < bestD {
				best, bestD = c, v
			}
		}
		pred[i] = best
	}
	return pairStrength(testLab, pred)
}

// medoidCandidates caps the members of a cluster tried as its medoid
// (evenly spaced over the cluster when it is larger), so that predicting
// from a half sample costs at most medoidCandidates dissimilarities per
// row of the half.
const medoidCandidates = 100

// medoids returns, for each label of the rows rows (a row of the data
// each), the row among the candidates with the smallest summed
// dissimilarity to the label's rows, or −1 for a label with no rows.
func medoids(d metrics.Dissimilarity, rows, labels []int) []int {
	k := 0
	for _, l := range labels {
		k = max(k, l+1)
	}
	members := make([][]int, k)
	for i, l := range labels {
		members[l] = append(members[l], rows[i])
	}
	out := make([]int, k)
	for c, m := range members {
		out[c] = -1
		step := max(1, (len(m)+medoidCandidates-1)/medoidCandidates)
		best := math.Inf(1)
		for a := 0; a < len(m); a += step {
			var s float64
			for _, r := range m {
				s += d.Dissim(m[a], r)
			}
			if s < best {
				out[c], best = m[a], s
			}
		}
	}
	return out
}

// pairStrength is, over the clusters of lab with two rows or more, the
// smallest share of pairs of rows of a cluster that pred also puts
// together.
func pairStrength(lab, pred []int) float64 {
	// counts[j][c]: rows of cluster j predicted into c.
	counts := map[int]map[int]int{}
	for i, j := range lab {
		if counts[j] == nil {
			counts[j] = map[int]int{}
		}
		counts[j][pred[i]]++
	}
	ps := 1.0
	for _, byPred := range counts {
		var size, same float64
		for _, v := range byPred {
			size += float64(v)
			same += float64(v) * float64(v-1)
		}
		if size >= 2 {
			ps = math.Min(ps, same/(size*(size-1)))
		}
	}
	return ps
}

// halfSilhouette is the silhouette of half sample b clustered by lab: on
// the dissimilarities of its rows when Options.Dissim is set, else on its
// rows of x.
func (c *chooser) halfSilhouette(ctx context.Context, b int, lab []int) (float64, error) {
	if d := c.opts.Dissim; d != nil {
		return metrics.SilhouetteDissim(ctx, rowsOf{d, c.rows[b]}, lab, metrics.SilhouetteOptions{})
	}
	return metrics.Silhouette(ctx, c.sub[b], lab, metrics.SilhouetteOptions{})
}

// rowsOf is the dissimilarity of some rows of another.
type rowsOf struct {
	d    metrics.Dissimilarity
	rows []int
}

func (r rowsOf) Len() int                { return len(r.rows) }
func (r rowsOf) Dissim(i, j int) float64 { return r.d.Dissim(r.rows[i], r.rows[j]) }

// centroids returns the mean row of each label (nil for a label with no
// rows).
func centroids(x *mat.Dense, labels []int) [][]float64 {
	_, d := x.Dims()
	k := 0
	for _, l := range labels {
		k = max(k, l+1)
	}
	sums := make([][]float64, k)
	counts := make([]int, k)
	for i, l := range labels {
		if sums[l] == nil {
			sums[l] = make([]float64, d)
		}
		floats.Add(sums[l], x.RawRowView(i))
		counts[l]++
	}
	for l, s := range sums {
		if s != nil {
			floats.Scale(1/float64(counts[l]), s)
		}
	}
	return sums
}

type rowsKey struct{}

// SampleRows returns, in a Fit that Choose calls, the rows of the data
// (ascending) that x holds when x is one of the half samples, or nil when
// x is the data itself. A Fit that clusters more than x knows of the same
// rows (their attributes, say) reads the rows from here.
func SampleRows(ctx context.Context) []int {
	r, _ := ctx.Value(rowsKey{}).([]int)
	return r
}
