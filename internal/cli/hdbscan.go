package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/pipeline"
)

// HDBSCANOptions holds the flags of "persona cluster hdbscan".
type HDBSCANOptions struct {
	IO *IOStreams

	In                 string
	MinClusterSize     int
	MinSamples         int // 0: equal to MinClusterSize
	ClusterSelection   string
	AllowSingleCluster bool
	LabelsOut          string
	JSON               bool
	Quiet              bool
}

// NewCmdHDBSCAN builds "persona cluster hdbscan". runF replaces hdbscanRun
// in tests.
func NewCmdHDBSCAN(f *Factory, runF func(*HDBSCANOptions) error) *cobra.Command {
	opts := &HDBSCANOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "hdbscan --in X.csv --min-cluster-size M --labels-out L.csv",
		Short: "Cluster the rows of a numeric CSV with HDBSCAN",
		Long: `Cluster the rows of a numeric CSV with HDBSCAN: groups of different
densities become clusters 0, 1, ... (numbered in the order of their first
row), and points in no group are noise, labelled -1. There is no eps: the
clusters are those that persist longest over all density levels
(scikit-learn 1.3's HDBSCAN, Euclidean distance).

--min-cluster-size is the smallest group that counts as a cluster.
--min-samples (default: the min cluster size) sets how conservative the
clustering is: a point's core distance is the distance to its
min-samples-th nearest point, the point itself counted as the first (as
in scikit-learn; the hdbscan library needs one less). --selection leaf
gives more, smaller, clusters than the default eom (excess of mass).

The labels file has the header "label" and one integer per input row, in
input order. It prints one line (clusters, noise points, seconds); --json
prints one JSON object (n_clusters, n_noise, seconds) instead; --quiet
prints nothing. Inputs over 16 MiB get a line per step on stderr.`,
		Example: `  persona cluster hdbscan --in X.csv --min-cluster-size 20 --labels-out labels.csv
  persona cluster hdbscan --in X.csv --min-cluster-size 20 --min-samples 5 --labels-out labels.csv --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range []string{"in", "min-cluster-size", "labels-out"} {
				if !cmd.Flags().Changed(name) {
					return usagef("--%s is required", name)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return hdbscanRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.In, "in", "", "input CSV of numbers, one row per point (required)")
	cmd.Flags().IntVar(&opts.MinClusterSize, "min-cluster-size", 5, "smallest number of points in a cluster, at least 2 (required)")
	cmd.Flags().IntVar(&opts.MinSamples, "min-samples", 0, "neighbours, the point included, that set its core distance (default: the min cluster size)")
	cmd.Flags().StringVar(&opts.ClusterSelection, "selection", "eom", "cluster selection: eom (excess of mass) or leaf")
	cmd.Flags().BoolVar(&opts.AllowSingleCluster, "allow-single-cluster", false, "allow the result to be one single cluster")
	cmd.Flags().StringVar(&opts.LabelsOut, "labels-out", "", "output CSV of labels (required)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary to stdout")
	return cmd
}

// hdbscanParams turns the flags into the library's options.
func hdbscanParams(opts *HDBSCANOptions) (cluster.HDBSCANOptions, error) {
	var o cluster.HDBSCANOptions
	if opts.MinClusterSize < 2 {
		return o, usagef("--min-cluster-size must be at least 2, got %d", opts.MinClusterSize)
	}
	if opts.MinSamples < 0 {
		return o, usagef("--min-samples must be at least 1, got %d", opts.MinSamples)
	}
	switch opts.ClusterSelection {
	case "eom", "leaf":
	default:
		return o, usagef("--selection must be eom or leaf, got %q", opts.ClusterSelection)
	}
	o.MinClusterSize = opts.MinClusterSize
	o.MinSamples = opts.MinSamples
	o.ClusterSelection = opts.ClusterSelection
	o.AllowSingleCluster = opts.AllowSingleCluster
	return o, nil
}

// hdbscanSummary is what --json prints.
type hdbscanSummary struct {
	NClusters int     `json:"n_clusters"`
	NNoise    int     `json:"n_noise"`
	Seconds   float64 `json:"seconds"`
}

func hdbscanRun(ctx context.Context, opts *HDBSCANOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	params, err := hdbscanParams(opts)
	if err != nil {
		return err
	}
	prog := newFileProgress(opts.IO, opts.Quiet, opts.In, largeInput)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read"})
	x, _, err := readMatrixCSV(opts.In)
	if err != nil {
		return fmt.Errorf("read --in: %w", err)
	}
	n, _ := x.Dims()
	switch {
	case params.MinSamples > n:
		return usagef("--min-samples (%d) must be at most the number of rows (%d)", params.MinSamples, n)
	case params.MinSamples == 0 && params.MinClusterSize > n:
		return usagef("--min-samples defaults to --min-cluster-size (%d), more than the number of rows (%d): set --min-samples", params.MinClusterSize, n)
	}
	prog.update(pipeline.Progress{Step: "hdbscan"})
	start := time.Now()
	res, err := cluster.HDBSCAN(ctx, x, params)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if err := writeLabelsCSV(opts.LabelsOut, res.Labels); err != nil {
		return fmt.Errorf("write --labels-out: %w", err)
	}
	prog.done(nil)
	if opts.Quiet && !opts.JSON {
		return nil
	}
	if opts.JSON {
		b, err := json.Marshal(hdbscanSummary{NClusters: res.NClusters, NNoise: res.NNoise, Seconds: secs})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(opts.IO.Out, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%d clusters, %d noise points (min cluster size %d, min samples %d, %s) in %.3f s\n",
		res.NClusters, res.NNoise, res.MinClusterSize, res.MinSamples, res.ClusterSelection, secs)
	return err
}
