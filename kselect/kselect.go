// Package kselect chooses the number of segments: it fits every k of a
// range, scores each fit by silhouette, Calinski-Harabasz, Davies-Bouldin
// and inertia, and picks k by a documented rule.
//
// # Rule
//
// The chosen k is the one with the highest silhouette (computed on a
// stratified sample for large inputs). The elbow of the inertia curve is
// found with the Kneedle rule: scale k and inertia to [0, 1] and take the k
// farthest below the straight line from the first point to the last. When
// the elbow and the best silhouette differ, Result.Disagree is set so that
// callers can say so and show both; the silhouette's k is kept, because it
// measures separation directly while the elbow only measures diminishing
// returns of compactness.
package kselect

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/metrics"
)

// Options configures Choose. KMin and KMax are required.
type Options struct {
	KMin, KMax int
	// SampleSize is how many rows the silhouette is computed on
	// (stratified by cluster); 0 or at least the number of rows means all.
	SampleSize int
	// Seed seeds the silhouette sample.
	Seed uint64
	// Progress, when set, is called before each fit.
	Progress func(done, total int)
}

// Validate reports an empty or invalid range.
func (o Options) Validate() error {
	switch {
	case o.KMin < 2:
		return fmt.Errorf("k range must start at 2 or more, got %d", o.KMin)
	case o.KMax < o.KMin:
		return fmt.Errorf("k range %d..%d is empty", o.KMin, o.KMax)
	case o.SampleSize < 0:
		return fmt.Errorf("silhouette sample size must be >= 0, got %d", o.SampleSize)
	}
	return nil
}

// Score is the quality of the fit for one k.
type Score struct {
	K                int     `json:"k"`
	Inertia          float64 `json:"inertia"`
	Silhouette       float64 `json:"silhouette"`
	CalinskiHarabasz float64 `json:"calinski_harabasz"`
	DaviesBouldin    float64 `json:"davies_bouldin"`
}

// Result is the scored range and the choice.
type Result struct {
	Scores []Score `json:"scores"`
	// K is the chosen k (highest silhouette).
	K int `json:"k"`
	// Elbow is the knee of the inertia curve, 0 with fewer than three k.
	Elbow int `json:"elbow"`
	// Disagree is set when Elbow is known and differs from K.
	Disagree bool `json:"disagree"`
}

// Fit fits k clusters to the rows Choose was given and returns one label
// per row (0..k−1) and the within-cluster sum of squares.
type Fit func(ctx context.Context, k int) (labels []int, inertia float64, err error)

// Choose fits every k in opts' range (capped at n−1 rows), scores each fit
// and picks k by the package's rule.
func Choose(ctx context.Context, x *mat.Dense, opts Options, fit Fit) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	n, _ := x.Dims()
	kmax := min(opts.KMax, n-1)
	if kmax < opts.KMin {
		return nil, fmt.Errorf("k range %d..%d needs more than %d rows", opts.KMin, opts.KMax, n)
	}
	sample := opts.SampleSize
	if sample >= n {
		sample = 0
	}
	res := &Result{}
	best := math.Inf(-1)
	for k := opts.KMin; k <= kmax; k++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(k-opts.KMin, kmax-opts.KMin+1)
		}
		labels, inertia, err := fit(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("k = %d: %w", k, err)
		}
		s, err := metrics.Silhouette(ctx, x, labels, metrics.SilhouetteOptions{SampleSize: sample, Seed: opts.Seed})
		if errors.Is(err, metrics.ErrLabelCount) {
			// The fit found fewer than two distinct clusters: this k
			// cannot be scored and is left out.
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("k = %d: silhouette: %w", k, err)
		}
		ch, err := metrics.CalinskiHarabasz(x, labels)
		if err != nil {
			return nil, fmt.Errorf("k = %d: Calinski-Harabasz: %w", k, err)
		}
		db, err := metrics.DaviesBouldin(x, labels)
		if err != nil {
			return nil, fmt.Errorf("k = %d: Davies-Bouldin: %w", k, err)
		}
		res.Scores = append(res.Scores, Score{K: k, Inertia: inertia, Silhouette: s, CalinskiHarabasz: ch, DaviesBouldin: db})
		if s > best {
			best, res.K = s, k
		}
	}
	if res.K == 0 {
		return nil, fmt.Errorf("no k in %d..%d gave two or more clusters", opts.KMin, kmax)
	}
	res.Elbow = Elbow(res.Scores)
	res.Disagree = res.Elbow != 0 && res.Elbow != res.K
	return res, nil
}

// Elbow returns the knee of the inertia curve by the Kneedle rule: the k
// farthest below the chord from the first to the last point, both axes
// scaled to [0, 1]. It returns 0 with fewer than three scores or a flat
// curve.
func Elbow(scores []Score) int {
	if len(scores) < 3 {
		return 0
	}
	first, last := scores[0], scores[len(scores)-1]
	x0, x1 := float64(first.K), float64(last.K)
	y0, y1 := first.Inertia, last.Inertia
	if x1 == x0 || y0 == y1 {
		return 0
	}
	best, bestGap := 0, 0.0
	for _, s := range scores {
		x := (float64(s.K) - x0) / (x1 - x0)
		y := (s.Inertia - y1) / (y0 - y1)
		if gap := (1 - x) - y; gap > bestGap {
			best, bestGap = s.K, gap
		}
	}
	return best
}
