package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
)

// HierarchicalOptions holds the flags of "persona cluster hierarchical".
type HierarchicalOptions struct {
	IO *IOStreams

	In         string
	Linkage    string
	K          int
	Distance   float64
	ByDistance bool // --distance was given
	LabelsOut  string
	LinkageOut string
	JSON       bool
	Quiet      bool

	ApproxAbove   int
	MicroClusters int
	Seed          uint64
	MemoryLimitMB int64
	Workers       int
}

// NewCmdHierarchical builds "persona cluster hierarchical". runF replaces
// hierarchicalRun in tests.
func NewCmdHierarchical(f *Factory, runF func(*HierarchicalOptions) error) *cobra.Command {
	opts := &HierarchicalOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "hierarchical --in X.csv --linkage METHOD (--k K | --distance D) --labels-out L.csv",
		Short: "Agglomerative hierarchical clustering (ward, complete, average, single)",
		Long: `Build the hierarchical clustering of the rows of a numeric CSV with Euclidean
distances, cut it into flat clusters and write one label per row.

The tree is SciPy's: the same merges and heights as
scipy.cluster.hierarchy.linkage(X, METHOD). --k cuts it like
fcluster(Z, K, "maxclust") (at most K clusters, fewer when merges tie at
the cut); --distance joins every merge of height <= D, like
fcluster(Z, D, "distance"). Labels are 0, 1, ... in order of first
appearance.

--linkage-out writes the linkage matrix Z with the header a,b,distance,size:
row i joins clusters a < b (ids below n are rows, n+i is the cluster made
by row i) at that height into a cluster of that many rows.

Memory: ward and single need O(n*d); complete and average keep the
n(n-1)/2 distance matrix (8 bytes per entry) and stop with an error when it
exceeds --memory-limit-mb. Ward on more than --approx-above rows is fitted
on --micro-clusters k-means micro-clusters (every row gets its
micro-cluster's label; Z then has one leaf per micro-cluster and sizes count
rows); -1 keeps it exact at any size.

It prints the clusters, their sizes and the files written; --json prints one
JSON object (method, rows, clusters, sizes, cut_height, top_heights,
seconds, ...) instead; --quiet prints nothing. Inputs over 16 MiB get a line
per step on stderr.`,
		Example: `  persona cluster hierarchical --in X.csv --linkage ward --k 8 --labels-out labels.csv --linkage-out Z.csv
  persona cluster hierarchical --in X.csv --linkage average --distance 2.5 --labels-out labels.csv --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ByDistance = cmd.Flags().Changed("distance")
			kSet := cmd.Flags().Changed("k")
			switch {
			case opts.In == "":
				return usagef("--in is required: name the CSV file of numbers to cluster")
			case opts.LabelsOut == "":
				return usagef("--labels-out is required: name the CSV file to write the labels to")
			case kSet == opts.ByDistance:
				return usagef("give exactly one of --k and --distance: a number of clusters or a cut height")
			case kSet && opts.K < 1:
				return usagef("--k %d: must be at least 1", opts.K)
			case opts.ByDistance && (opts.Distance < 0 || math.IsNaN(opts.Distance) || math.IsInf(opts.Distance, 0)):
				return usagef("--distance %v: must be a finite number >= 0", opts.Distance)
			case opts.MemoryLimitMB < 0:
				return usagef("--memory-limit-mb %d: must not be negative", opts.MemoryLimitMB)
			}
			lo := opts.linkageOptions()
			if err := lo.Validate(); err != nil {
				return &UsageError{Err: err}
			}
			if runF != nil {
				return runF(opts)
			}
			return hierarchicalRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.In, "in", "", "input CSV of numbers, one row per point (optional header)")
	fl.StringVar(&opts.Linkage, "linkage", string(cluster.LinkageWard), "linkage: ward, complete, average or single")
	fl.IntVar(&opts.K, "k", 0, "cut into at most `K` clusters")
	fl.Float64Var(&opts.Distance, "distance", 0, "cut at height `D`: join every merge of height <= D")
	fl.StringVar(&opts.LabelsOut, "labels-out", "", "output CSV of labels (header \"label\")")
	fl.StringVar(&opts.LinkageOut, "linkage-out", "", "output CSV of the linkage matrix (header \"a,b,distance,size\")")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the summary as one JSON object on stdout")
	fl.IntVar(&opts.ApproxAbove, "approx-above", cluster.DefaultLinkageApproxAbove, "fit ward on micro-clusters above this many rows (0 or -1: never)")
	fl.IntVar(&opts.MicroClusters, "micro-clusters", cluster.DefaultLinkageMicroClusters, "number of micro-clusters in that mode")
	fl.Uint64Var(&opts.Seed, "seed", 0, "seed of the micro-clustering")
	fl.Int64Var(&opts.MemoryLimitMB, "memory-limit-mb", cluster.DefaultLinkageMemoryLimit>>20, "limit for the distance matrix of complete and average linkage, in MiB")
	fl.IntVar(&opts.Workers, "workers", 0, "goroutines (0: all CPUs)")
	return cmd
}

func (o *HierarchicalOptions) linkageOptions() cluster.LinkageOptions {
	approx := o.ApproxAbove
	if approx <= 0 {
		approx = -1 // the flag's 0 means "never", not the library default
	}
	return cluster.LinkageOptions{
		Method:        cluster.LinkageMethod(o.Linkage),
		MemoryLimit:   o.MemoryLimitMB << 20,
		ApproxAbove:   approx,
		MicroClusters: o.MicroClusters,
		Seed:          o.Seed,
		Workers:       o.Workers,
	}
}

// hierarchicalSummary is what --json prints.
type hierarchicalSummary struct {
	Method        string    `json:"method"`
	Rows          int       `json:"rows"`
	Columns       int       `json:"columns"`
	K             int       `json:"k,omitempty"`
	Distance      *float64  `json:"distance,omitempty"`
	Clusters      int       `json:"clusters"`
	Sizes         []int     `json:"sizes"`
	CutHeight     float64   `json:"cut_height"`
	Approximate   bool      `json:"approximate"`
	MicroClusters int       `json:"micro_clusters,omitempty"`
	TopHeights    []float64 `json:"top_heights"`
	Seconds       float64   `json:"seconds"`
	LabelsOut     string    `json:"labels_out"`
	LinkageOut    string    `json:"linkage_out,omitempty"`
	Warnings      []string  `json:"warnings,omitempty"`
}

func hierarchicalRun(ctx context.Context, opts *HierarchicalOptions) (err error) {
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
	n, d := x.Dims()
	if opts.K > n {
		return usagef("--k %d: more than the %d rows of %s", opts.K, n, opts.In)
	}
	if n < 2 {
		return fmt.Errorf("%s: %d row; hierarchical clustering needs at least 2", opts.In, n)
	}
	prog.update(pipeline.Progress{Step: "linkage " + opts.Linkage})
	start := time.Now()
	dg, err := cluster.Linkage(ctx, x, opts.linkageOptions())
	if err != nil {
		return err
	}
	sum := hierarchicalSummary{
		Method: string(dg.Method), Rows: n, Columns: d,
		Approximate: dg.Assign != nil, LabelsOut: opts.LabelsOut, LinkageOut: opts.LinkageOut,
	}
	if sum.Approximate {
		sum.MicroClusters = dg.Leaves
	}
	var labels []int
	if opts.ByDistance {
		labels = dg.CutDistance(opts.Distance)
		dist := opts.Distance
		sum.Distance = &dist
		sum.CutHeight = opts.Distance
	} else {
		labels = dg.CutK(opts.K)
		sum.K = opts.K
		sum.CutHeight = dg.CutHeight(opts.K)
	}
	sum.Seconds = time.Since(start).Seconds()
	for _, l := range labels {
		for l >= len(sum.Sizes) {
			sum.Sizes = append(sum.Sizes, 0)
		}
		sum.Sizes[l]++
	}
	sum.Clusters = len(sum.Sizes)
	if !opts.ByDistance && sum.Clusters < opts.K && opts.K <= n {
		plural := "s"
		if sum.Clusters == 1 {
			plural = ""
		}
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("--k %d gave only %d cluster%s: merges tie at height %g, so no cut has exactly %d", opts.K, sum.Clusters, plural, sum.CutHeight, opts.K))
	}
	for i := len(dg.Merges) - 1; i >= 0 && i >= len(dg.Merges)-10; i-- {
		sum.TopHeights = append(sum.TopHeights, dg.Merges[i].Distance)
	}
	prog.update(pipeline.Progress{Step: "write"})
	if err := writeLabelsCSV(opts.LabelsOut, labels); err != nil {
		return err
	}
	if opts.LinkageOut != "" {
		if err := writeLinkageCSV(opts.LinkageOut, dg); err != nil {
			return err
		}
	}
	prog.done(nil)
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, sum)
	case opts.Quiet:
		return nil
	}
	cut := fmt.Sprintf("k=%d", opts.K)
	if opts.ByDistance {
		cut = fmt.Sprintf("distance=%g", opts.Distance)
	}
	approx := ""
	if sum.Approximate {
		approx = fmt.Sprintf(" (approximate: %d micro-clusters)", sum.MicroClusters)
	}
	fmt.Fprintf(opts.IO.Out, "hierarchical %s on %d rows x %d columns%s: %d clusters at %s (cut height %g) in %.2fs\n",
		dg.Method, n, d, approx, sum.Clusters, cut, sum.CutHeight, sum.Seconds)
	fmt.Fprintf(opts.IO.Out, "sizes: %v\n", sum.Sizes)
	for _, w := range sum.Warnings {
		fmt.Fprintf(opts.IO.Out, "note: %s\n", w)
	}
	fmt.Fprintf(opts.IO.Out, "labels written to %s\n", opts.LabelsOut)
	if opts.LinkageOut != "" {
		fmt.Fprintf(opts.IO.Out, "linkage matrix written to %s\n", opts.LinkageOut)
	}
	return nil
}

// writeLinkageCSV writes the rows of Z with the header a,b,distance,size,
// heights in the shortest form that round-trips, atomically.
func writeLinkageCSV(path string, dg *cluster.Dendrogram) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, "a,b,distance,size\n"); err != nil {
			return err
		}
		buf := make([]byte, 0, 64)
		for _, m := range dg.Merges {
			buf = strconv.AppendInt(buf[:0], int64(m.A), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(m.B), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, m.Distance, 'g', -1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(m.Size), 10)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}
