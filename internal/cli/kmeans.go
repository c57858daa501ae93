package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/kselect"
	"github.com/persona-seg/persona/pipeline"
)

// KMeansOptions are the flags of "persona cluster kmeans".
type KMeansOptions struct {
	IO *IOStreams

	In         string
	K          int
	KAuto      bool   // --k auto: choose K in KRange (see package kselect)
	KRange     string // MIN..MAX
	KCap       int    // --k auto: the largest k the range may grow to (0: twice MAX)
	Pairs      int    // --k auto: pairs of half samples for the stability (0: 10, -1: none)
	Init       string // "k-means++", "random" or a CSV file of initial centres
	NInit      int    // 0: the library default (10, or 1 with a centres file)
	MaxIter    int
	Tol        float64
	Seed       uint64
	Algorithm  string
	LabelsOut  string
	CentersOut string
	JSON       bool
	Quiet      bool
}

// NewCmdKMeans builds "persona cluster kmeans". runF replaces kmeansRun in
// tests.
func NewCmdKMeans(f *Factory, runF func(*KMeansOptions) error) *cobra.Command {
	opts := &KMeansOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "kmeans --in X.csv --k K --labels-out L.csv",
		Short: "Cluster the rows of a numeric CSV with k-means",
		Long: `Cluster the rows of a numeric CSV file with k-means, exactly as
scikit-learn 1.2's KMeans: the same labels, iteration count and (to rounding)
centres and inertia for the same initial centres.

--init chooses the initial centres: "k-means++" (greedy k-means++, the
default), "random" (K distinct rows), or the path of a CSV with K rows of
centres, read with the same rules as --in. The run with the lowest inertia of
--n-init runs is kept (default 10; one run with a centres file). A run stops when
no label changes, when the summed squared centre shifts fall to --tol times the
mean column variance (--tol 0: only when no label changes), or after
--max-iter iterations.

--k auto fits every k of --k-range and scores each fit: silhouette,
Calinski-Harabasz, Davies-Bouldin, inertia, and, from --stability-pairs pairs
of disjoint half samples (at most 1,000 rows each) clustered alone, the
stability (mean adjusted Rand index with the full clustering) and the
prediction strength (Tibshirani and Walther). It takes the highest
silhouette; when that sits at the top of the range the range grows, up to
--k-cap; when the silhouette keeps rising to the cap, the data has no clear
segment structure and k falls back to the elbow of the inertia curve; a larger
k whose prediction strength is 0.9 or more wins over the silhouette's. The
table of every k, the rule that chose k and the warnings are printed
(k_selection, k_rule and warnings with --json).

--algorithm "lloyd" computes every distance; "hamerly" (also chosen by "elkan"
and "auto") skips the rows whose label cannot change and gives the same result.

Outputs: --labels-out gets the header "label" and one integer per input row;
--centers-out gets K rows of centres with the input's header. It prints one
line (with --k auto, the table of every k tried first); --json prints one
JSON object (k, n, d, inertia, n_iter, seconds, ...) to stdout instead;
--quiet prints nothing. Inputs over 16 MiB get a line per step on stderr.`,
		Example: `  # Eight clusters, labels only
  persona cluster kmeans --in X.csv --k 8 --labels-out labels.csv

  # Start from given centres, one run, and print a JSON summary
  persona cluster kmeans --in X.csv --k 8 --init C.csv --labels-out labels.csv \
      --centers-out centres.csv --json

  # Plain Lloyd iterations with a fixed seed and no tolerance
  persona cluster kmeans --in X.csv --k 5 --algorithm lloyd --tol 0 --seed 7 \
      --labels-out labels.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return kmeansRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.In, "in", "", "input CSV of numbers, one row per point (required)")
	fl.Var(kFlag{&opts.K, &opts.KAuto}, "k", `number of clusters, or "auto" to choose it in --k-range (required)`)
	fl.StringVar(&opts.KRange, "k-range", "2..12", "with --k auto: the range of k tried, as `MIN..MAX`")
	fl.IntVar(&opts.KCap, "k-cap", 0, "with --k auto: the largest k the range may grow to when the best silhouette is at its top (0: twice MAX; MAX: never grow)")
	fl.IntVar(&opts.Pairs, "stability-pairs", 0, "with --k auto: pairs of half samples the stability and prediction strength are measured on (0: 10; -1: none, faster)")
	fl.StringVar(&opts.Init, "init", cluster.InitKMeansPP, `initial centres: "k-means++", "random" or a CSV file of K centres`)
	fl.IntVar(&opts.NInit, "n-init", 0, "number of runs, the lowest inertia is kept (default 10; always 1 with a centres file)")
	fl.IntVar(&opts.MaxIter, "max-iter", 300, "maximum iterations per run")
	fl.Float64Var(&opts.Tol, "tol", 1e-4, "tolerance on the summed squared centre shifts, relative to the mean column variance; 0 stops only when no label changes")
	fl.Uint64Var(&opts.Seed, "seed", 0, "random seed")
	fl.StringVar(&opts.Algorithm, "algorithm", cluster.KMeansAuto, `"auto", "lloyd", "elkan" or "hamerly"`)
	fl.StringVar(&opts.LabelsOut, "labels-out", "", "output CSV of labels (required)")
	fl.StringVar(&opts.CentersOut, "centers-out", "", "output CSV of the centres")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary to stdout")
	return cmd
}

// validate checks the flags that do not need the data.
func (o *KMeansOptions) validate() error {
	switch {
	case o.In == "":
		return usagef("--in is required: name the CSV file of numbers to cluster")
	case o.LabelsOut == "":
		return usagef("--labels-out is required: name the CSV file to write the labels to")
	case !o.KAuto && o.K < 1:
		return usagef(`--k must be at least 1 (or "auto"), got %d`, o.K)
	case o.KAuto && o.Init != cluster.InitKMeansPP && o.Init != cluster.InitRandom:
		return usagef("--k auto cannot start from a centres file: --init %s fixes k", o.Init)
	case o.Init == "":
		return usagef(`--init must be "k-means++", "random" or a CSV file`)
	case o.NInit < 0:
		return usagef("--n-init must be at least 1, got %d", o.NInit)
	case o.MaxIter < 1:
		return usagef("--max-iter must be at least 1, got %d", o.MaxIter)
	case o.Tol < 0 || math.IsNaN(o.Tol) || math.IsInf(o.Tol, 0):
		return usagef("--tol must be a finite number >= 0, got %v", o.Tol)
	}
	switch o.Algorithm {
	case cluster.KMeansAuto, cluster.KMeansLloyd, cluster.KMeansElkan, cluster.KMeansHamerly:
	default:
		return usagef(`--algorithm must be "auto", "lloyd", "elkan" or "hamerly", got %q`, o.Algorithm)
	}
	if o.KAuto {
		_, kmax, err := parseKRange(o.KRange)
		if err != nil {
			return err
		}
		if o.KCap != 0 && o.KCap < kmax {
			return usagef("--k-cap %d is below the top of --k-range %s: give 0 (twice the top) or at least %d", o.KCap, o.KRange, kmax)
		}
	}
	if o.Pairs < -1 {
		return usagef("--stability-pairs must be at least 1, 0 for the default or -1 for none, got %d", o.Pairs)
	}
	return nil
}

// kFlag is the value of --k: a number of clusters or "auto".
type kFlag struct {
	k    *int
	auto *bool
}

func (f kFlag) String() string {
	if f.auto != nil && *f.auto {
		return "auto"
	}
	if f.k == nil {
		return "0"
	}
	return strconv.Itoa(*f.k)
}

func (f kFlag) Set(s string) error {
	if strings.EqualFold(strings.TrimSpace(s), "auto") {
		*f.k, *f.auto = 0, true
		return nil
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf(`want a number of clusters or "auto"`)
	}
	*f.k, *f.auto = v, false
	return nil
}

func (f kFlag) Type() string { return "K|auto" }

// kmeansAuto fits k-means for every k of the range and returns the fit of
// the k that kselect chooses, with the scores.
func kmeansAuto(ctx context.Context, x *mat.Dense, co cluster.KMeansOptions, opts *KMeansOptions, progress func(done, total int)) (*cluster.KMeansResult, *kselect.Result, error) {
	kmin, kmax, err := parseKRange(opts.KRange)
	if err != nil {
		return nil, nil, err
	}
	fits := map[int]*cluster.KMeansResult{}
	sel, err := kselect.Choose(ctx, x, kselect.Options{KMin: kmin, KMax: kmax, KCap: opts.KCap, Resamples: opts.Pairs,
		SampleSize: autoSilhouetteSample, Seed: co.Seed, Progress: progress},
		func(ctx context.Context, sub *mat.Dense, k int) ([]int, float64, error) {
			o := co
			o.K = k
			r, err := cluster.KMeans(ctx, sub, o)
			if err != nil {
				return nil, 0, err
			}
			if sub == x {
				fits[k] = r
			}
			return r.Labels, r.Inertia, nil
		})
	if err != nil {
		return nil, nil, err
	}
	return fits[sel.K], sel, nil
}

// autoSilhouetteSample is the silhouette sample --k auto scores each k on.
const autoSilhouetteSample = 10000

// kmeansSummary is the --json output.
type kmeansSummary struct {
	K          int     `json:"k"`
	N          int     `json:"n"`
	D          int     `json:"d"`
	Inertia    float64 `json:"inertia"`
	NIter      int     `json:"n_iter"`
	Seconds    float64 `json:"seconds"`      // the fit alone
	CPUSecs    float64 `json:"cpu_seconds"`  // process CPU time during the fit (0 where not measured)
	ReadSecs   float64 `json:"read_seconds"` // reading the input
	Init       string  `json:"init"`
	NInit      int     `json:"n_init"`
	Algorithm  string  `json:"algorithm"`
	Seed       uint64  `json:"seed"`
	Labels     string  `json:"labels_out"`
	CentersOut string  `json:"centers_out,omitempty"`
	// With --k auto: every k tried, how k was chosen, the elbow of the
	// inertia curve, whether the range was extended or the data showed no
	// clear structure, and the warnings about the choice.
	KSelection []kselect.Score `json:"k_selection,omitempty"`
	KRule      string          `json:"k_rule,omitempty"`
	KElbow     int             `json:"k_elbow,omitempty"`
	KExtended  bool            `json:"k_extended,omitempty"`
	KNoStruct  bool            `json:"k_no_structure,omitempty"`
	KWarnings  []string        `json:"warnings,omitempty"`
}

func kmeansRun(ctx context.Context, opts *KMeansOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	prog := newFileProgress(opts.IO, opts.Quiet, opts.In, largeInput)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read"})
	t0 := time.Now()
	x, header, err := readMatrixCSVCompact(opts.In)
	if err != nil {
		return fmt.Errorf("read --in: %w", err)
	}
	readSecs := time.Since(t0).Seconds()
	n, d := x.Dims()
	if !opts.KAuto && opts.K > n {
		return usagef("--k %d is more than the %d rows of %s", opts.K, n, opts.In)
	}
	co := cluster.KMeansOptions{
		K:         opts.K,
		Init:      opts.Init,
		NInit:     opts.NInit,
		MaxIter:   opts.MaxIter,
		Tol:       opts.Tol,
		Algorithm: opts.Algorithm,
		Seed:      opts.Seed,
	}
	if opts.Tol == 0 {
		co.Tol = -1 // exactly zero
	}
	if opts.Init != cluster.InitKMeansPP && opts.Init != cluster.InitRandom {
		c, _, err := readMatrixCSVCompact(opts.Init)
		if err != nil {
			return usagef(`--init: want "k-means++", "random" or a CSV file of centres: %v`, err)
		}
		r, cc := c.Dims()
		if r != opts.K || cc != d {
			return usagef("--init %s has %d rows of %d columns, want --k = %d rows of %d columns", opts.Init, r, cc, opts.K, d)
		}
		co.Init = ""
		co.InitCenters = c
	}
	t1, c1 := time.Now(), kmeansProcessCPU()
	var (
		res *cluster.KMeansResult
		sel *kselect.Result
	)
	if opts.KAuto {
		prog.update(pipeline.Progress{Step: "k selection"})
		res, sel, err = kmeansAuto(ctx, x, co, opts, func(done, total int) {
			prog.update(pipeline.Progress{Step: "k selection", Done: done, Total: total})
		})
	} else {
		prog.update(pipeline.Progress{Step: "k-means"})
		res, err = cluster.KMeans(ctx, x, co)
	}
	if err != nil {
		return err
	}
	k, _ := res.Centers.Dims()
	secs, cpu := time.Since(t1).Seconds(), (kmeansProcessCPU() - c1).Seconds()
	prog.update(pipeline.Progress{Step: "write"})
	if err := writeLabelsCSV(opts.LabelsOut, res.Labels); err != nil {
		return err
	}
	if opts.CentersOut != "" {
		if err := writeMatrixCSV(opts.CentersOut, res.Centers, header); err != nil {
			return err
		}
	}
	nInit := opts.NInit
	switch {
	case co.InitCenters != nil:
		nInit = 1 // every run would start from the same centres
	case nInit == 0:
		nInit = 10
	}
	if opts.JSON {
		s := kmeansSummary{K: k, N: n, D: d, Inertia: res.Inertia, NIter: res.NIter,
			Seconds: secs, CPUSecs: cpu, ReadSecs: readSecs, Init: opts.Init, NInit: nInit,
			Algorithm: opts.Algorithm, Seed: opts.Seed, Labels: opts.LabelsOut, CentersOut: opts.CentersOut}
		if sel != nil {
			s.KSelection, s.KRule, s.KElbow = sel.Scores, sel.Rule, sel.Elbow
			s.KExtended, s.KNoStruct, s.KWarnings = sel.Extended, sel.NoStructure, sel.Warnings
		}
		prog.done(nil)
		enc := json.NewEncoder(opts.IO.Out)
		return enc.Encode(s)
	}
	prog.done(nil)
	if opts.Quiet {
		return nil
	}
	if sel != nil {
		printKTable(opts.IO.Out, sel.Scores, sel.K, sel.Elbow)
		fmt.Fprintf(opts.IO.Out, "k = %d: %s\n", sel.K, sel.Rule)
		for _, w := range sel.Warnings {
			fmt.Fprintf(opts.IO.Out, "note: %s\n", w)
		}
		if sel.Disagree {
			fmt.Fprintf(opts.IO.Out, "note: the inertia elbow suggests k = %d\n", sel.Elbow)
		}
	}
	fmt.Fprintf(opts.IO.Out, "k-means: %d rows, %d clusters, inertia %.6g after %d iterations (%.3f s); labels in %s\n",
		n, k, res.Inertia, res.NIter, secs, opts.LabelsOut)
	return nil
}
