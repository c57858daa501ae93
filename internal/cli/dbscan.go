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
	"github.com/persona-seg/persona/pipeline"
)

// DBSCANOptions holds the flags of "persona cluster dbscan".
type DBSCANOptions struct {
	IO *IOStreams

	In         string
	Eps        string // a positive number, or "auto"
	MinSamples int
	Metric     string
	LabelsOut  string
	CoreOut    string
	KDistOut   string
	JSON       bool
	Quiet      bool
}

// NewCmdDBSCAN builds "persona cluster dbscan". runF replaces dbscanRun in
// tests.
func NewCmdDBSCAN(f *Factory, runF func(*DBSCANOptions) error) *cobra.Command {
	opts := &DBSCANOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "dbscan --in X.csv --eps E|auto --min-samples M --labels-out L.csv",
		Short: "Cluster the rows of a numeric CSV with DBSCAN",
		Long: `Cluster the rows of a numeric CSV with DBSCAN: dense groups become
clusters 0, 1, ..., and points in no dense group are noise, labelled -1.
The labels and core points equal scikit-learn's DBSCAN exactly.

A point is a core point when at least --min-samples points (itself
included) lie within distance --eps of it, inclusive. With --eps auto,
eps is the knee of the sorted distances to each point's min-samples-th
nearest neighbour. Warnings about the parameters (every point core, no
point core, one single cluster, more than half noise) go to stderr.

The labels file has the header "label" and one integer per input row, in
input order. The core file has the header "index" and the 0-based row
numbers of the core points, ascending. The k-distance file has the header
"k_distance" and each row's distance to its min-samples-th nearest row
(itself counted), sorted ascending (for at most 10,000 evenly spaced rows
when there are more than 3 columns): the curve whose knee --eps auto picks.

It prints one line (clusters, noise, core points, eps, seconds); --json
prints one JSON object (n_clusters, n_noise, n_core, eps, seconds) instead;
--quiet prints nothing, warnings included. Inputs over 16 MiB get a line
per step on stderr.`,
		Example: `  persona cluster dbscan --in X.csv --eps 0.3 --min-samples 10 --labels-out labels.csv
  persona cluster dbscan --in X.csv --eps auto --min-samples 10 --labels-out labels.csv --core-out core.csv --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, req := range []struct{ name, hint string }{
				{"in", "name the CSV file of numbers to cluster"},
				{"eps", `give the neighbourhood radius, or "auto" to choose it`},
				{"min-samples", "give the points a core point needs within eps, itself included"},
				{"labels-out", "name the CSV file to write the labels to"},
			} {
				if !cmd.Flags().Changed(req.name) {
					return usagef("--%s is required: %s", req.name, req.hint)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return dbscanRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.In, "in", "", "input CSV of numbers, one row per point (required)")
	cmd.Flags().StringVar(&opts.Eps, "eps", "", `neighbourhood radius, a positive number or "auto" (required)`)
	cmd.Flags().IntVar(&opts.MinSamples, "min-samples", 5, "points within eps, the point included, that make a core point (required)")
	cmd.Flags().StringVar(&opts.Metric, "metric", "euclidean", "distance: euclidean, manhattan or cosine")
	cmd.Flags().StringVar(&opts.LabelsOut, "labels-out", "", "output CSV of labels (required)")
	cmd.Flags().StringVar(&opts.CoreOut, "core-out", "", "output CSV of the core points' row indices")
	cmd.Flags().StringVar(&opts.KDistOut, "kdist-out", "", "output CSV of the sorted k-distance curve (k = min samples), for choosing eps")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary to stdout")
	return cmd
}

// dbscanParams turns the flags into the library's options.
func dbscanParams(opts *DBSCANOptions) (cluster.DBSCANOptions, error) {
	var o cluster.DBSCANOptions
	if s := strings.TrimSpace(opts.Eps); s != "auto" {
		eps, err := strconv.ParseFloat(s, 64)
		if err != nil || !(eps > 0) || math.IsInf(eps, 0) {
			return o, usagef(`--eps must be a positive number or "auto", got %q`, opts.Eps)
		}
		o.Eps = eps
	}
	if opts.MinSamples < 1 {
		return o, usagef("--min-samples must be at least 1, got %d", opts.MinSamples)
	}
	o.MinSamples = opts.MinSamples
	switch opts.Metric {
	case "euclidean", "manhattan", "cosine":
		o.Metric = opts.Metric
	default:
		return o, usagef("--metric must be euclidean, manhattan or cosine, got %q", opts.Metric)
	}
	return o, nil
}

// dbscanSummary is what --json prints.
type dbscanSummary struct {
	NClusters int     `json:"n_clusters"`
	NNoise    int     `json:"n_noise"`
	NCore     int     `json:"n_core"`
	Eps       float64 `json:"eps"`
	Seconds   float64 `json:"seconds"`
}

func dbscanRun(ctx context.Context, opts *DBSCANOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	params, err := dbscanParams(opts)
	if err != nil {
		return err
	}
	prog := newFileProgress(opts.IO, opts.Quiet, opts.In, largeInput)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read"})
	x, _, err := readMatrixCSVCompact(opts.In)
	if err != nil {
		return fmt.Errorf("read --in: %w", err)
	}
	n, _ := x.Dims()
	if params.Eps == 0 && params.MinSamples > n {
		return usagef("--eps auto needs --min-samples (%d) <= the number of rows (%d)", params.MinSamples, n)
	}
	prog.update(pipeline.Progress{Step: "dbscan"})
	start := time.Now()
	res, err := cluster.DBSCAN(ctx, x, params)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	prog.update(pipeline.Progress{Step: "write"})
	if err := writeLabelsCSV(opts.LabelsOut, res.Labels); err != nil {
		return fmt.Errorf("write --labels-out: %w", err)
	}
	if opts.CoreOut != "" {
		if err := writeIntColumn(opts.CoreOut, "index", res.CoreIndices); err != nil {
			return fmt.Errorf("write --core-out: %w", err)
		}
	}
	if opts.KDistOut != "" {
		curve := res.KDistances
		if curve == nil {
			sample := cluster.DBSCANAutoSample
			if _, d := x.Dims(); d <= 3 {
				sample = 0
			}
			kd, err := cluster.KDistance(ctx, x, params.MinSamples, cluster.KDistanceOptions{Metric: params.Metric, Sample: sample})
			if err != nil {
				return err
			}
			curve = kd.Distances
		}
		if err := writeMatrixCSV(opts.KDistOut, mat.NewDense(len(curve), 1, curve), []string{"k_distance"}); err != nil {
			return fmt.Errorf("write --kdist-out: %w", err)
		}
	}
	prog.done(nil)
	if !opts.Quiet {
		for _, w := range res.Warnings {
			fmt.Fprintf(opts.IO.ErrOut, "persona: warning: %s\n", w)
		}
	}
	if opts.JSON {
		b, err := json.Marshal(dbscanSummary{
			NClusters: res.NClusters, NNoise: res.NNoise, NCore: len(res.CoreIndices),
			Eps: res.Eps, Seconds: secs,
		})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(opts.IO.Out, "%s\n", b)
		return err
	}
	if opts.Quiet {
		return nil
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%d clusters, %d noise points, %d core points (eps %s, min samples %d, %s) in %.3f s\n",
		res.NClusters, res.NNoise, len(res.CoreIndices), strconv.FormatFloat(res.Eps, 'g', -1, 64), res.MinSamples, res.Metric, secs)
	return err
}
