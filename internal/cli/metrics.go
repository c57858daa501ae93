package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/pipeline"
)

// MetricsOptions holds the flags of persona metrics.
type MetricsOptions struct {
	IO  *IOStreams
	Ctx context.Context

	In         string // numeric CSV, one row per point
	Labels     string // labels CSV, one label per row of In
	Truth      string // optional reference labels CSV
	SampleSize int    // silhouette sample size; 0 = exact
	Seed       uint64 // silhouette sampling seed
	Quiet      bool   // print nothing (the exit code says whether scoring worked)
	JSON       bool   // the default output; accepted for uniformity
}

// NewCmdMetrics scores a clustering of a numeric CSV file.
func NewCmdMetrics(f *Factory, runF func(*MetricsOptions) error) *cobra.Command {
	opts := &MetricsOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "metrics --in X.csv --labels L.csv [--truth T.csv]",
		Short: "Score a clustering: silhouette, Calinski-Harabasz, Davies-Bouldin, ARI, NMI, AMI",
		Long: `Score a clustering of the rows of a numeric CSV file and print one JSON
object with the keys silhouette, calinski_harabasz and davies_bouldin, and
with --truth also ari, nmi and ami (adjusted Rand index, normalized and
adjusted mutual information, arithmetic mean, against the reference labels).

The scores are scikit-learn's: silhouette_score (Euclidean),
calinski_harabasz_score, davies_bouldin_score, adjusted_rand_score,
normalized_mutual_info_score and adjusted_mutual_info_score. Labels are
integers, one per row of --in, in the first column of their CSV file (a
header row is skipped); -1 is an ordinary label, not noise. The data scores
need between 2 and n-1 distinct labels.

The exact silhouette takes time proportional to n^2 but memory proportional
to n. For very large n, --sample-size N estimates it on a stratified random
sample of about N rows (every cluster of 2 or more rows keeps at least 2).

The JSON object is always the output (--json is accepted and changes
nothing); --quiet prints nothing, so only the exit code says whether the
clustering could be scored. Inputs over 16 MiB get a line per step on
stderr.`,
		Example: `  persona metrics --in X.csv --labels labels.csv
  persona metrics --in X.csv --labels labels.csv --truth truth.csv
  persona metrics --in X.csv --labels labels.csv --sample-size 20000 --seed 1`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.In == "" {
				return usagef("--in is required: name the CSV file of numbers that was clustered")
			}
			if opts.Labels == "" {
				return usagef("--labels is required: name the CSV file with one label per row of --in")
			}
			if opts.SampleSize < 0 || opts.SampleSize == 1 {
				return usagef("--sample-size must be 0 (exact) or at least 2, got %d", opts.SampleSize)
			}
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return metricsRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.In, "in", "", "numeric CSV file, one row per point (required)")
	fl.StringVar(&opts.Labels, "labels", "", "CSV file with one integer label per row of --in (required)")
	fl.StringVar(&opts.Truth, "truth", "", "CSV file with reference labels; adds ari, nmi and ami")
	fl.IntVar(&opts.SampleSize, "sample-size", 0, "estimate the silhouette on a stratified sample of about `N` rows (0 = exact)")
	fl.Uint64Var(&opts.Seed, "seed", 0, "seed of the silhouette sample")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the scores as one JSON object (the default)")
	return cmd
}

// metricsResult is the JSON printed by persona metrics; the key order is
// the field order.
type metricsResult struct {
	Silhouette       float64  `json:"silhouette"`
	CalinskiHarabasz float64  `json:"calinski_harabasz"`
	DaviesBouldin    float64  `json:"davies_bouldin"`
	ARI              *float64 `json:"ari,omitempty"`
	NMI              *float64 `json:"nmi,omitempty"`
	AMI              *float64 `json:"ami,omitempty"`
}

func metricsRun(opts *MetricsOptions) (err error) {
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	prog := newFileProgress(opts.IO, opts.Quiet, opts.In, largeInput)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read"})
	x, _, err := readMatrixCSVCompact(opts.In)
	if err != nil {
		return fmt.Errorf("read --in: %w", err)
	}
	n, _ := x.Dims()
	labels, err := readLabelsCSV(opts.Labels)
	if err != nil {
		return fmt.Errorf("read --labels: %w", err)
	}
	if len(labels) != n {
		return fmt.Errorf("%s has %d labels but %s has %d rows: they must have one label per row", opts.Labels, len(labels), opts.In, n)
	}
	var truth []int
	if opts.Truth != "" {
		if truth, err = readLabelsCSV(opts.Truth); err != nil {
			return fmt.Errorf("read --truth: %w", err)
		}
		if len(truth) != n {
			return fmt.Errorf("%s has %d labels but %s has %d rows: they must have one label per row", opts.Truth, len(truth), opts.In, n)
		}
	}

	prog.update(pipeline.Progress{Step: "score"})
	var res metricsResult
	scoreErr := func(err error) error {
		if errors.Is(err, metrics.ErrLabelCount) {
			return fmt.Errorf("%s: %w", opts.Labels, err)
		}
		return err
	}
	res.Silhouette, err = metrics.Silhouette(ctx, x, labels, metrics.SilhouetteOptions{SampleSize: opts.SampleSize, Seed: opts.Seed,
		Progress: func(done, total int) { prog.update(pipeline.Progress{Step: "silhouette", Done: done, Total: total}) }})
	if err != nil {
		return scoreErr(err)
	}
	if res.CalinskiHarabasz, err = metrics.CalinskiHarabasz(x, labels); err != nil {
		return scoreErr(err)
	}
	if res.DaviesBouldin, err = metrics.DaviesBouldin(x, labels); err != nil {
		return scoreErr(err)
	}
	if truth != nil {
		ari, err := metrics.AdjustedRand(truth, labels)
		if err != nil {
			return err
		}
		nmi, err := metrics.NormalizedMutualInfo(truth, labels)
		if err != nil {
			return err
		}
		ami, err := metrics.AdjustedMutualInfo(truth, labels)
		if err != nil {
			return err
		}
		res.ARI, res.NMI, res.AMI = &ari, &nmi, &ami
	}
	if opts.Quiet && !opts.JSON {
		return nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode scores: %w", err)
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%s\n", b)
	return err
}
