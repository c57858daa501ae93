package pipeline

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/kselect"
	"github.com/persona-seg/persona/metrics"
)

// segmentation is the result of clustering in the reduced space, whatever
// the algorithm.
type segmentation struct {
	algorithm cluster.Algorithm
	// labels holds each user's segment: 0..k−1, or −1 for users no segment
	// fits (DBSCAN noise). stableIDs later renumbers them to carry the
	// previous run's ids over.
	labels []int
	// rows holds each user's row of centers (−1 for noise); it is never
	// renumbered.
	rows []int
	// centers holds the mean of each segment's users in the reduced space
	// (k-means: its centres).
	centers *mat.Dense
	inertia float64
	dendro  *cluster.Dendrogram   // hierarchical only
	dbscan  *cluster.DBSCANResult // DBSCAN only
	mixed   *mixedFit             // k-medoids and k-prototypes only
}

// k is the number of segments, the unsegmented group aside.
func (s *segmentation) k() int {
	r, _ := s.centers.Dims()
	return r
}

// segment clusters z with the configured algorithm, choosing the number
// of segments where the algorithm needs one.
func (r *run) segment(ctx context.Context, z *mat.Dense, sum *Summary) (*segmentation, error) {
	algorithm := r.opts.Algorithm
	if algorithm == cluster.AlgorithmAuto {
		algorithm = r.chooseAuto(sum)
	}
	sum.Algorithm = algorithm
	switch algorithm {
	case cluster.AlgorithmHierarchical:
		return r.hierarchical(ctx, z, sum)
	case cluster.AlgorithmDBSCAN:
		return r.dbscan(ctx, z, sum)
	case cluster.AlgorithmKMedoids, cluster.AlgorithmKPrototypes:
		return r.mixed(ctx, z, sum, algorithm)
	}
	o := r.opts
	return r.pickK(ctx, z, sum, nil, func(ctx context.Context, z *mat.Dense, k int) (*segmentation, error) {
		fit, err := cluster.KMeans(ctx, z, cluster.KMeansOptions{K: k, NInit: o.NInit, Seed: o.Seed})
		if err != nil {
			return nil, err
		}
		return &segmentation{algorithm: cluster.AlgorithmKMeans, labels: fit.Labels, rows: append([]int(nil), fit.Labels...), centers: fit.Centers, inertia: fit.Inertia}, nil
	})
}

// pickK fits every k of the range (or the fixed k) and keeps the
// segmentation kselect chooses. fit clusters z, or one of kselect's half
// samples of it. dissim, when not nil, is the dissimilarity between users
// that fit clusters on: kselect then measures the silhouette and the
// prediction strength on it rather than in z. kselect's warnings (range extended, no clear structure,
// unstable segments, fewer clusters than k) go to the summary, and so does
// one when the inertia elbow disagrees with the choice.
func (r *run) pickK(ctx context.Context, z *mat.Dense, sum *Summary, dissim metrics.Dissimilarity, fit func(ctx context.Context, x *mat.Dense, k int) (*segmentation, error)) (*segmentation, error) {
	o := r.opts
	n, _ := z.Dims()
	if o.K > 0 {
		sum.K, sum.KRule = o.K, "fixed by the user"
		s, err := fit(ctx, z, o.K)
		if err == nil && s.k() < o.K {
			r.warn(sum, fmt.Sprintf("k = %d gave only %d segment(s): merges tie at the cut, so no cut has exactly %d", o.K, s.k(), o.K))
		}
		return s, err
	}
	fits := map[int]*segmentation{}
	res, err := kselect.Choose(ctx, z, kselect.Options{
		KMin: o.KMin, KMax: o.KMax, SampleSize: sampleSize(o.SilhouetteSample, n), Seed: o.Seed, Dissim: dissim,
		Progress: func(done, total int) {
			if o.Progress != nil {
				o.Progress(Progress{Step: "cluster", Done: done, Total: total})
			}
		},
	}, func(ctx context.Context, x *mat.Dense, k int) ([]int, float64, error) {
		s, err := fit(ctx, x, k)
		if err != nil {
			return nil, 0, err
		}
		if x == z {
			fits[k] = s
		}
		return s.labels, s.inertia, nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range res.Scores {
		r.opts.Logger.Info("k", "k", s.K, "inertia", s.Inertia, "silhouette", s.Silhouette, "stability", s.Stability, "prediction_strength", s.PredictionStrength)
	}
	best := fits[res.K]
	sum.KSelection = res.Scores
	sum.K = best.k()
	sum.KRule = res.Rule
	sum.KElbow = res.Elbow
	for _, w := range res.Warnings {
		r.warn(sum, w)
	}
	if res.Disagree {
		r.warn(sum, fmt.Sprintf("the inertia elbow suggests k = %d; the rule chose k = %d", res.Elbow, res.K))
	}
	return best, nil
}

// warn logs msg and adds it to the summary's warnings.
func (r *run) warn(sum *Summary, msg string) {
	r.opts.Logger.Warn(msg)
	sum.Warnings = append(sum.Warnings, msg)
}

// fromLabels builds a segmentation from labels 0..k−1 (−1 noise) with the
// segment means as centres.
func fromLabels(algorithm cluster.Algorithm, z *mat.Dense, labels []int) *segmentation {
	n, d := z.Dims()
	k := 0
	for _, l := range labels {
		k = max(k, l+1)
	}
	centers := mat.NewDense(max(k, 1), d, nil)
	counts := make([]int, k)
	for i, l := range labels {
		if l < 0 {
			continue
		}
		counts[l]++
		row := centers.RawRowView(l)
		for j, v := range z.RawRowView(i) {
			row[j] += v
		}
	}
	for c := 0; c < k; c++ {
		if counts[c] > 0 {
			row := centers.RawRowView(c)
			for j := range row {
				row[j] /= float64(counts[c])
			}
		}
	}
	if k == 0 {
		centers = mat.NewDense(1, d, nil)
	}
	s := &segmentation{algorithm: algorithm, labels: labels, rows: append([]int(nil), labels...), centers: centers}
	for i := 0; i < n; i++ {
		if l := labels[i]; l >= 0 {
			s.inertia += sqDist(z.RawRowView(i), centers.RawRowView(l))
		}
	}
	return s
}

// hierarchical builds the linkage once and cuts it at every k of the
// range, keeping the cut with the best silhouette.
func (r *run) hierarchical(ctx context.Context, z *mat.Dense, sum *Summary) (*segmentation, error) {
	dg, err := cluster.Linkage(ctx, z, cluster.LinkageOptions{Method: r.opts.Linkage, Seed: r.opts.Seed})
	if err != nil {
		return nil, err
	}
	trees := map[*mat.Dense]*cluster.Dendrogram{} // one tree per stability subsample
	return r.pickK(ctx, z, sum, nil, func(ctx context.Context, x *mat.Dense, k int) (*segmentation, error) {
		if x != z {
			sub, ok := trees[x]
			if !ok {
				if sub, err = cluster.Linkage(ctx, x, cluster.LinkageOptions{Method: r.opts.Linkage, Seed: r.opts.Seed}); err != nil {
					return nil, err
				}
				trees[x] = sub
			}
			return fromLabels(cluster.AlgorithmHierarchical, x, sub.CutK(k)), nil
		}
		s := fromLabels(cluster.AlgorithmHierarchical, z, dg.CutK(k))
		s.dendro = dg
		return s, nil
	})
}

// dbscan segments z with DBSCAN; the number of segments follows from eps
// and min_samples, and users in no dense region are left unsegmented (−1).
func (r *run) dbscan(ctx context.Context, z *mat.Dense, sum *Summary) (*segmentation, error) {
	res, err := cluster.DBSCAN(ctx, z, cluster.DBSCANOptions{Eps: r.opts.Eps, MinSamples: r.opts.MinSamples})
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		r.opts.Logger.Warn("dbscan: " + w.String())
		sum.Warnings = append(sum.Warnings, "dbscan: "+w.String())
	}
	if res.NClusters == 0 {
		return nil, fmt.Errorf("DBSCAN found no segment with eps %g and min_samples %d: every user is noise; raise eps or lower min_samples", res.Eps, res.MinSamples)
	}
	s := fromLabels(cluster.AlgorithmDBSCAN, z, res.Labels)
	s.dbscan = res
	sum.K = res.NClusters
	sum.KRule = fmt.Sprintf("found by DBSCAN (eps %.4g, min_samples %d)", res.Eps, res.MinSamples)
	sum.Eps, sum.Noise = res.Eps, res.NNoise
	return s, nil
}

// centreDistances is each user's distance to its segment's centre; an
// unsegmented user gets the distance to the nearest centre.
func centreDistances(z *mat.Dense, s *segmentation) []float64 {
	n, _ := z.Dims()
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		row := z.RawRowView(i)
		if c := s.rows[i]; c >= 0 {
			out[i] = math.Sqrt(sqDist(row, s.centers.RawRowView(c)))
			continue
		}
		best := math.Inf(1)
		for c := 0; c < s.k(); c++ {
			best = math.Min(best, sqDist(row, s.centers.RawRowView(c)))
		}
		out[i] = math.Sqrt(best)
	}
	return out
}

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		t := v - b[j]
		s += t * t
	}
	return s
}

// clustered returns the rows of z and labels that belong to a segment
// (noise left out), for the quality metrics.
func clustered(z *mat.Dense, labels []int) (*mat.Dense, []int) {
	n, d := z.Dims()
	m := 0
	for _, l := range labels {
		if l >= 0 {
			m++
		}
	}
	if m == n {
		return z, labels
	}
	out := mat.NewDense(max(m, 1), d, nil)
	lab := make([]int, 0, m)
	i2 := 0
	for i := 0; i < n; i++ {
		if labels[i] >= 0 {
			out.SetRow(i2, z.RawRowView(i))
			lab = append(lab, labels[i])
			i2++
		}
	}
	return out, lab
}
