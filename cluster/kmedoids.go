package cluster

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
)

// Methods for KMedoidsOptions.Method.
const (
	KMedoidsAuto      = "auto"
	KMedoidsPAM       = "pam"
	KMedoidsFasterPAM = "fasterpam"
	KMedoidsCLARA     = "clara"
)

// Initialisations for KMedoidsOptions.Init.
const (
	InitBuild = "build"
	// InitRandom ("random", shared with KMeansOptions) draws K distinct rows.
)

// Defaults of KMedoidsOptions.
const (
	// DefaultKMedoidsPAMMaxRows is the largest input "auto" runs PAM on;
	// above it, FasterPAM (CLARA when the matrix does not fit MemoryLimit).
	DefaultKMedoidsPAMMaxRows = 5_000
	DefaultCLARASamples       = 5
	// DefaultCLARASampleSize is the rows per CLARA sample (at least
	// 40 + 2K, R's default, and at most all rows).
	DefaultCLARASampleSize = 2_000
)

// KMedoidsOptions configures KMedoids. The zero value means the defaults,
// except for K, which is required.
type KMedoidsOptions struct {
	// K is the number of clusters, from 1 to the number of rows minus 1
	// (as R's pam).
	K int `yaml:"k"`
	// Method is "auto" (the default when empty), "pam", "fasterpam" or
	// "clara". "auto" runs CLARA when the dissimilarity matrix would not
	// fit MemoryLimit, else PAM on at most DefaultKMedoidsPAMMaxRows rows
	// and FasterPAM on more.
	Method string `yaml:"method"`
	// InitMedoids, when not nil, holds K distinct rows to start from: PAM
	// then skips BUILD (R's pam(medoids = )), FasterPAM swaps from them.
	// CLARA does not take them.
	InitMedoids []int `yaml:"init_medoids"`
	// Init is how FasterPAM (also in CLARA's samples) chooses its initial
	// medoids without InitMedoids: "build" (PAM's BUILD, the default) or
	// "random" (K distinct rows drawn with Seed). PAM always uses BUILD.
	Init string `yaml:"init"`
	// Samples and SampleSize are CLARA's number of samples and rows per
	// sample; 0 means DefaultCLARASamples and DefaultCLARASampleSize.
	Samples    int `yaml:"samples"`
	SampleSize int `yaml:"sample_size"`
	// MemoryLimit caps the bytes of the dissimilarity matrix that PAM and
	// FasterPAM need when given a Dissimilarity that is not a DistMatrix;
	// 0 means DefaultPairwiseMemoryLimit.
	MemoryLimit int64 `yaml:"memory_limit"`
	// Seed seeds the random choices (math/rand/v2 PCG): CLARA's samples and
	// the "random" initialisation.
	Seed uint64 `yaml:"seed"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS. Results do
	// not depend on it.
	Workers int `yaml:"workers"`
}

// Validate reports the first option that is out of range; the checks that
// need the data (K and InitMedoids against the rows) are made by KMedoids.
func (o *KMedoidsOptions) Validate() error {
	switch {
	case o.K < 1:
		return fmt.Errorf("kmedoids: K must be at least 1, got %d", o.K)
	case o.InitMedoids != nil && len(o.InitMedoids) != o.K:
		return fmt.Errorf("kmedoids: %d initial medoids for K = %d", len(o.InitMedoids), o.K)
	case o.Init != "" && o.Init != InitBuild && o.Init != InitRandom:
		return fmt.Errorf("kmedoids: Init must be %q or %q, got %q", InitBuild, InitRandom, o.Init)
	case o.Samples < 0:
		return fmt.Errorf("kmedoids: Samples must be at least 1 (0 for the default), got %d", o.Samples)
	case o.SampleSize < 0:
		return fmt.Errorf("kmedoids: SampleSize must be at least 1 (0 for the default), got %d", o.SampleSize)
	case o.MemoryLimit < 0:
		return fmt.Errorf("kmedoids: MemoryLimit must not be negative, got %d", o.MemoryLimit)
	case o.Workers < 0:
		return fmt.Errorf("kmedoids: Workers must be at least 1 (0 for all cores), got %d", o.Workers)
	}
	switch o.Method {
	case "", KMedoidsAuto, KMedoidsPAM, KMedoidsFasterPAM:
	case KMedoidsCLARA:
		if o.InitMedoids != nil {
			return fmt.Errorf("kmedoids: CLARA chooses its medoids in samples; InitMedoids are for pam and fasterpam")
		}
	default:
		return fmt.Errorf("kmedoids: Method must be %q, %q, %q or %q, got %q",
			KMedoidsAuto, KMedoidsPAM, KMedoidsFasterPAM, KMedoidsCLARA, o.Method)
	}
	return nil
}

func (o KMedoidsOptions) withDefaults() KMedoidsOptions {
	if o.Method == "" {
		o.Method = KMedoidsAuto
	}
	if o.Init == "" {
		o.Init = InitBuild
	}
	if o.Samples == 0 {
		o.Samples = DefaultCLARASamples
	}
	if o.SampleSize == 0 {
		o.SampleSize = max(DefaultCLARASampleSize, 40+2*o.K)
	}
	if o.MemoryLimit == 0 {
		o.MemoryLimit = DefaultPairwiseMemoryLimit
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// KMedoidsResult is a k-medoids clustering.
type KMedoidsResult struct {
	// Method is the method that ran ("pam", "fasterpam" or "clara").
	Method string
	// Medoids[c] is the row of the medoid of cluster c.
	Medoids []int
	// Labels holds the cluster of each row. Every row belongs to its
	// nearest medoid (the lowest row among equally near ones; a medoid to
	// itself), and clusters are numbered 0, 1, ... in the order of their
	// first row, as R's pam numbers them.
	Labels []int
	// Objective is the mean dissimilarity of the rows to their medoids:
	// R's pam(...)$objective["swap"].
	Objective float64
	// BuildObjective is the same for the initial medoids (after BUILD, or
	// InitMedoids): R's objective["build"]. For CLARA it is that of the
	// best sample's initial medoids, over its sample.
	BuildObjective float64
	// Swaps counts the medoid swaps (for CLARA, in the best sample).
	Swaps int
	// SampleObjectives holds, for CLARA, the objective over all rows of
	// each sample's medoids, in sample order.
	SampleObjectives []float64
}

// KMedoids clusters the objects of d around K medoids: the objects that
// minimise the sum of the dissimilarities of every object to its nearest
// medoid. See the package documentation ("K-medoids") for the methods and
// their parity with R. d is not modified. PAM and FasterPAM need the whole
// dissimilarity matrix: a *DistMatrix is used as is, any other
// Dissimilarity is computed into one first (within MemoryLimit). CLARA
// never needs more than one sample's matrix.
func KMedoids(ctx context.Context, d Dissimilarity, opts KMedoidsOptions) (*KMedoidsResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	n := d.Len()
	if o.K >= n {
		return nil, fmt.Errorf("kmedoids: K = %d, but there are %d rows; K must be at most %d", o.K, n, n-1)
	}
	if o.InitMedoids != nil {
		seen := make(map[int]bool, len(o.InitMedoids))
		for _, m := range o.InitMedoids {
			if m < 0 || m >= n || seen[m] {
				return nil, fmt.Errorf("kmedoids: initial medoids %v: want %d distinct rows in 0..%d", o.InitMedoids, o.K, n-1)
			}
			seen[m] = true
		}
	}
	method := o.Method
	m, isMatrix := d.(*DistMatrix)
	if method == KMedoidsAuto {
		switch {
		case !isMatrix && lkMatrixBytes(n) > o.MemoryLimit:
			method = KMedoidsCLARA
		case n <= DefaultKMedoidsPAMMaxRows:
			method = KMedoidsPAM
		default:
			method = KMedoidsFasterPAM
		}
	}
	if method == KMedoidsCLARA {
		return clara(ctx, d, o)
	}
	if !isMatrix {
		var err error
		m, err = Pairwise(ctx, d, PairwiseOptions{MemoryLimit: o.MemoryLimit, Workers: o.Workers})
		if err != nil {
			return nil, fmt.Errorf("kmedoids: %w", err)
		}
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("kmedoids: %w", err)
	}
	if method == KMedoidsPAM {
		return pam(ctx, m, o)
	}
	return fasterPAM(ctx, m, o)
}

// kmFinish assigns every object to its nearest medoid (a medoid to
// itself; ties to the lowest row), numbers the clusters by their first
// row, and fills res.Medoids and res.Labels. dist(m, j) is the
// dissimilarity of medoid m and object j. It returns the sum of the
// dissimilarities to the medoids, in row order.
func kmFinish(res *KMedoidsResult, n int, medoids []int, dist func(m, j int) float64) float64 {
	meds := slices.Clone(medoids)
	slices.Sort(meds)
	nearest := make([]int, n)
	dmin := make([]float64, n)
	for j := range n {
		best, bd := -1, math.Inf(1)
		for _, m := range meds {
			if m == j {
				best, bd = m, 0
				break
			}
			if v := dist(m, j); best < 0 || v < bd {
				best, bd = m, v
			}
		}
		nearest[j], dmin[j] = best, bd
	}
	var sum float64
	for _, v := range dmin {
		sum += v
	}
	kmNumber(res, nearest)
	return sum
}

// kmNumber sets res.Labels and res.Medoids from the medoid of each object,
// numbering the clusters in the order of their first object.
func kmNumber(res *KMedoidsResult, nearest []int) {
	label := map[int]int{}
	res.Labels = make([]int, len(nearest))
	res.Medoids = res.Medoids[:0]
	for j, m := range nearest {
		c, ok := label[m]
		if !ok {
			c = len(res.Medoids)
			label[m] = c
			res.Medoids = append(res.Medoids, m)
		}
		res.Labels[j] = c
	}
}
