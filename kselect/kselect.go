package kselect

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/metrics"
)

// Defaults of Options.
const (
	// DefaultResamples is the number of pairs of half samples the
	// stability and prediction strength of each k are measured on.
	DefaultResamples = 10
	// DefaultResampleSize caps the rows of each half sample.
	DefaultResampleSize = 1000
	// StableARI is the stability (mean ARI) below which the chosen k is
	// called unstable in a warning.
	StableARI = 0.75
	// StrongPrediction is the prediction strength at or above which a k
	// is taken to be real structure (Tibshirani and Walther 2005 suggest
	// 0.8 to 0.9; the package takes the stricter end).
	StrongPrediction = 0.9
)

// Options configures Choose. KMin and KMax are required; the zero value of
// every other field means its default.
type Options struct {
	KMin, KMax int
	// KCap is the largest k the range may be extended to when the best k
	// is at KMax (see the package documentation). 0 means 2*KMax; a value
	// of KMax or less never extends the range. k also stays below the
	// number of rows.
	KCap int
	// SampleSize is how many rows the silhouette is computed on
	// (stratified by cluster); 0 or at least the number of rows means all.
	SampleSize int
	// Resamples is the number of pairs of disjoint half samples the
	// stability and the prediction strength are measured on: 0 means
	// DefaultResamples; a negative value turns both off (the rule then
	// works from the silhouette alone, with no standard error).
	Resamples int
	// ResampleSize is the number of rows of each half sample: 0 means half
	// the rows, at most DefaultResampleSize.
	ResampleSize int
	// Dissim, when set, is the dissimilarity between the rows of x that
	// the fit clusters on (the Gower dissimilarity of k-medoids, the cost
	// of k-prototypes): the silhouette is computed on it instead of the
	// Euclidean distances between x's rows, and the prediction strength
	// predicts a half sample's rows by the nearest medoid (under Dissim)
	// of the other half's clusters instead of the nearest centroid in x.
	// Calinski-Harabasz and Davies-Bouldin, which need centroids, stay on
	// x. Dissim.Len() must be the number of rows of x.
	Dissim metrics.Dissimilarity
	// Seed seeds the silhouette sample and the subsamples.
	Seed uint64
	// Progress, when set, is called before each k is fitted with the k
	// done and the k planned so far (the total grows when the range is
	// extended).
	Progress func(done, total int)
}

// Validate reports an empty or invalid range.
func (o Options) Validate() error {
	switch {
	case o.KMin < 2:
		return fmt.Errorf("k range must start at 2 or more, got %d", o.KMin)
	case o.KMax < o.KMin:
		return fmt.Errorf("k range %d..%d is empty", o.KMin, o.KMax)
	case o.KCap < 0:
		return fmt.Errorf("k cap must be >= 0 (0: twice the top of the range), got %d", o.KCap)
	case o.SampleSize < 0:
		return fmt.Errorf("silhouette sample size must be >= 0, got %d", o.SampleSize)
	case o.ResampleSize < 0 || o.ResampleSize == 1:
		return fmt.Errorf("stability subsample size must be 0 (the default) or at least 2, got %d", o.ResampleSize)
	}
	return nil
}

// cap returns the largest k the range may reach on n rows.
func (o Options) cap(n int) int {
	c := o.KCap
	if c == 0 {
		c = 2 * o.KMax
	}
	return min(max(c, o.KMax), n-1)
}

// Score is the quality of the fit for one k.
type Score struct {
	K int `json:"k"`
	// Clusters is the number of distinct clusters the fit returned; it is
	// below K when the algorithm could not make K (hierarchical merges
	// that tie at the cut).
	Clusters         int     `json:"clusters"`
	Inertia          float64 `json:"inertia"`
	Silhouette       float64 `json:"silhouette"`
	CalinskiHarabasz float64 `json:"calinski_harabasz"`
	DaviesBouldin    float64 `json:"davies_bouldin"`
	// Stability is the mean adjusted Rand index between the clustering of
	// all rows, restricted to a subsample, and the clustering of that
	// subsample alone, over the subsamples (1: every subsample finds the
	// same segments; about 0: no better than chance). StabilitySD is its
	// standard deviation over the subsamples. Both are 0 when the
	// stability is off.
	Stability   float64 `json:"stability"`
	StabilitySD float64 `json:"stability_sd"`
	// PredictionStrength is Tibshirani and Walther's (2005): how well the
	// clustering of one half sample predicts which rows of the other half
	// go together, for the worst-predicted cluster, averaged over both
	// directions of every pair (1: every cluster of one half is kept
	// together by the other's centroids). 0 when the stability is off.
	PredictionStrength float64 `json:"prediction_strength"`
	// SilhouetteSE estimates the standard error of Silhouette from the
	// spread of the subsamples' silhouettes (0 when the stability is off).
	SilhouetteSE float64 `json:"silhouette_se"`
}

// Result is the scored range and the choice.
type Result struct {
	// Scores holds every k scored, in increasing k, the extension included.
	Scores []Score `json:"scores"`
	// K is the chosen k.
	K int `json:"k"`
	// Rule says in a few words how K was chosen.
	Rule string `json:"rule"`
	// Elbow is the knee of the inertia curve over Scores, 0 without one.
	Elbow int `json:"elbow"`
	// Disagree is set when Elbow is known and differs from K.
	Disagree bool `json:"disagree"`
	// KMax is the top of the range scored: Options.KMax, or more when the
	// range was extended.
	KMax int `json:"k_max"`
	// Extended is set when the best silhouette sat at the top of the
	// requested range and larger k were tried.
	Extended bool `json:"extended"`
	// NoStructure is set when the silhouette kept rising to the cap: the
	// data has no clear segment structure on that scale, and K fell back
	// to the elbow (or, without one, the most stable k).
	NoStructure bool `json:"no_structure"`
	// Warnings are sentences for the user about the choice.
	Warnings []string `json:"warnings,omitempty"`
}

// Fit fits k clusters to the rows of x and returns one label per row
// (0..k−1) and the within-cluster sum of squares. x is the matrix given to
// Choose, or, to measure the stability, a subsample of its rows (a new
// matrix): a caller that keeps the fits compares x with its own matrix.
type Fit func(ctx context.Context, x *mat.Dense, k int) (labels []int, inertia float64, err error)

// Choose fits every k in opts' range, extending it when the best k is at
// its top, scores each fit and picks k by the rule in the package
// documentation.
func Choose(ctx context.Context, x *mat.Dense, opts Options, fit Fit) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	n, _ := x.Dims()
	if opts.Dissim != nil && opts.Dissim.Len() != n {
		return nil, fmt.Errorf("the dissimilarity has %d rows, the data %d", opts.Dissim.Len(), n)
	}
	kmax := min(opts.KMax, n-1)
	if kmax < opts.KMin {
		return nil, fmt.Errorf("k range %d..%d needs more than %d rows", opts.KMin, opts.KMax, n)
	}
	kcap := opts.cap(n)
	c := &chooser{x: x, n: n, opts: opts, fit: fit}
	c.subsamples(kcap)
	top := kmax
	c.planned = top - opts.KMin + 1
	for k := opts.KMin; ; k++ {
		if k > top {
			if !grow(c.scores, top, kcap) {
				break
			}
			if k == kmax+1 {
				// no more clusters than distinct rows
				kcap = max(min(kcap, distinctRows(x, kcap)), kmax)
				if kcap <= kmax {
					break
				}
			}
			step := max((opts.KMax-opts.KMin+1)/2, 4)
			top = min(top+step, kcap)
			c.planned = top - opts.KMin + 1
		}
		if err := c.score(ctx, k); err != nil {
			return nil, err
		}
	}
	if len(c.scores) == 0 {
		return nil, fmt.Errorf("no k in %d..%d gave two or more clusters", opts.KMin, kmax)
	}
	return decide(c.scores, opts.KMin, kmax, kcap, len(c.rows) > 0), nil
}

// chooser holds the state of one Choose.
type chooser struct {
	x       *mat.Dense
	n       int
	opts    Options
	fit     Fit
	planned int
	scores  []Score
	// rows holds the half samples (sorted row numbers, pairs of disjoint
	// halves side by side), sub their rows and distinct how many distinct
	// rows each has (up to the cap).
	rows     [][]int
	sub      []*mat.Dense
	distinct []int
	// seScale turns a subsample silhouette's standard deviation into the
	// standard error of the silhouette computed on the full rows (or on
	// its sample).
	seScale float64
}

// score fits k on all rows and on the subsamples and appends its Score,
// unless the fit has fewer than two clusters.
func (c *chooser) score(ctx context.Context, k int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.opts.Progress != nil {
		c.opts.Progress(k-c.opts.KMin, c.planned)
	}
	labels, inertia, err := c.fit(ctx, c.x, k)
	if err != nil {
		return fmt.Errorf("k = %d: %w", k, err)
	}
	sample := c.opts.SampleSize
	if sample >= c.n {
		sample = 0
	}
	so := metrics.SilhouetteOptions{SampleSize: sample, Seed: c.opts.Seed}
	var s float64
	if c.opts.Dissim != nil {
		s, err = metrics.SilhouetteDissim(ctx, c.opts.Dissim, labels, so)
	} else {
		s, err = metrics.Silhouette(ctx, c.x, labels, so)
	}
	if errors.Is(err, metrics.ErrLabelCount) {
		// The fit found fewer than two distinct clusters: this k cannot
		// be scored and is left out.
		return nil
	}
	if err != nil {
		return fmt.Errorf("k = %d: silhouette: %w", k, err)
	}
	ch, err := metrics.CalinskiHarabasz(c.x, labels)
	if err != nil {
		return fmt.Errorf("k = %d: Calinski-Harabasz: %w", k, err)
	}
	db, err := metrics.DaviesBouldin(c.x, labels)
	if err != nil {
		return fmt.Errorf("k = %d: Davies-Bouldin: %w", k, err)
	}
	sc := Score{K: k, Clusters: distinct(labels), Inertia: inertia, Silhouette: s, CalinskiHarabasz: ch, DaviesBouldin: db}
	if err := c.stability(ctx, k, labels, &sc); err != nil {
		return err
	}
	c.scores = append(c.scores, sc)
	return nil
}

// distinct counts the distinct labels.
func distinct(labels []int) int {
	seen := map[int]bool{}
	for _, l := range labels {
		seen[l] = true
	}
	return len(seen)
}

// distinctRows counts the distinct rows of x, stopping at limit.
func distinctRows(x *mat.Dense, limit int) int {
	n, _ := x.Dims()
	var seen [][]float64
	for i := 0; i < n && len(seen) < limit; i++ {
		row := x.RawRowView(i)
		if !slices.ContainsFunc(seen, func(s []float64) bool { return slices.Equal(s, row) }) {
			seen = append(seen, row)
		}
	}
	return len(seen)
}
