package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
)

// KMedoidsOptions holds the flags of "persona cluster kmedoids".
type KMedoidsOptions struct {
	IO *IOStreams

	In            string
	K             int
	Metric        string // "" (gower when the data is not all numbers), euclidean or gower
	Method        string
	Init          string
	Samples       int
	SampleSize    int
	Seed          uint64
	Types         []string
	Weights       []string
	MemoryLimitMB int64
	LabelsOut     string
	MedoidsOut    string
	JSON          bool
	Quiet         bool
}

// NewCmdKMedoids builds "persona cluster kmedoids". runF replaces
// kmedoidsRun in tests.
func NewCmdKMedoids(f *Factory, runF func(*KMedoidsOptions) error) *cobra.Command {
	opts := &KMedoidsOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "kmedoids --in X.csv --k K [--metric euclidean|gower] --labels-out L.csv",
		Short: "Cluster the rows of a CSV (numbers and categories) around K medoids",
		Long: `Cluster the rows of a CSV around K medoids: K actual rows chosen so that the
mean dissimilarity of every row to its nearest medoid (the objective) is as
small as possible. Each row gets the cluster of its nearest medoid.

--metric gower (the default when a column is not all numbers or has a
missing value, or with --weight or a --type other than skip) compares rows with the Gower dissimilarity of R's
cluster::daisy, so numbers, categories, ordered levels, yes/no flags and
lists can be mixed; --metric euclidean (the default for all-number data)
uses the Euclidean distance of the rows.

--method chooses the algorithm:
  pam        BUILD then SWAP, exactly as R's cluster::pam: the same medoids,
             labels and objective on the same dissimilarities. Needs the
             n(n-1)/2 dissimilarities in memory (8 bytes each).
  fasterpam  FasterPAM (Schubert & Rousseeuw 2021, as pam(variant =
             "faster")): swaps as soon as one helps; much faster on large
             n, objective within a fraction of a percent of PAM's.
  clara      CLARA: FasterPAM on --samples samples of --sample-size rows
             (the best medoids so far join each next sample), every row
             assigned to the nearest medoid; for inputs too large for the
             matrix (100,000 rows and more).
  auto       pam up to 5,000 rows, fasterpam above, clara when the matrix
             would exceed --memory-limit-mb (the default).

` + mixedHelp + `

--weight NAME=W weighs a column in the Gower dissimilarity (default 1).

Outputs: --labels-out gets the header "label" and one cluster per input
row; clusters are numbered 0, 1, ... in the order of their first row, as R
numbers them. --medoids-out gets one line per cluster: the cluster, the
medoid's 0-based row number and its values as read. It prints one line per
cluster (size and medoid); --json prints one JSON object (method, metric,
medoids as 0-based rows in cluster order, objective as R's
pam(...)$objective["swap"], build_objective, sizes, seconds, ...) instead;
--quiet prints nothing.`,
		Example: `  # Customers with numbers and categories: Gower + PAM
  persona cluster kmedoids --in customers.csv --k 5 --labels-out labels.csv --json

  # Declare types, leave the id out, weigh income double
  persona cluster kmedoids --in customers.csv --k 5 --type id=skip \
      --type plan=ordinal:basic<plus<premium --type newsletter=asymmetric \
      --weight income=2 --labels-out labels.csv --medoids-out medoids.csv

  # 100,000 rows: CLARA on 5 samples of 2,000
  persona cluster kmedoids --in big.csv --k 8 --method clara --labels-out labels.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return kmedoidsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.In, "in", "", "input CSV with a header row (required)")
	fl.IntVar(&opts.K, "k", 0, "number of clusters, from 1 to the number of rows minus 1 (required)")
	fl.StringVar(&opts.Metric, "metric", "", `"gower" or "euclidean" (default: gower unless every column is numbers)`)
	fl.StringVar(&opts.Method, "method", cluster.KMedoidsAuto, `"auto", "pam", "fasterpam" or "clara"`)
	fl.StringVar(&opts.Init, "init", cluster.InitBuild, `initial medoids of fasterpam and clara: "build" (PAM's BUILD) or "random"`)
	fl.IntVar(&opts.Samples, "samples", cluster.DefaultCLARASamples, "clara: number of samples")
	fl.IntVar(&opts.SampleSize, "sample-size", cluster.DefaultCLARASampleSize, "clara: rows per sample (at least 40+2K)")
	fl.Uint64Var(&opts.Seed, "seed", 0, "random seed (clara samples, --init random)")
	fl.StringArrayVar(&opts.Types, "type", nil, "`NAME=TYPE` of a column (repeatable): numeric, nominal, ordinal[:A<B<C], ordratio, logratio, symmetric, asymmetric, list[:SEP], skip")
	fl.StringArrayVar(&opts.Weights, "weight", nil, "`NAME=W`: the Gower weight of a column (repeatable; default 1)")
	fl.Int64Var(&opts.MemoryLimitMB, "memory-limit-mb", cluster.DefaultPairwiseMemoryLimit>>20, "limit for the dissimilarity matrix of pam and fasterpam, in MiB")
	fl.StringVar(&opts.LabelsOut, "labels-out", "", "output CSV of labels (required)")
	fl.StringVar(&opts.MedoidsOut, "medoids-out", "", "output CSV of the medoid rows")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary to stdout")
	return cmd
}

func (o *KMedoidsOptions) validate() error {
	switch {
	case o.In == "":
		return usagef("--in is required: name the CSV file of rows to cluster")
	case o.LabelsOut == "":
		return usagef("--labels-out is required: name the CSV file to write the labels to")
	case o.K < 1:
		return usagef("--k must be at least 1, got %d", o.K)
	case o.Metric != "" && o.Metric != "gower" && o.Metric != "euclidean":
		return usagef(`--metric must be "gower" or "euclidean", got %q`, o.Metric)
	case o.Metric == "euclidean" && len(o.Weights) > 0:
		return usagef("--weight weighs Gower's attributes; it needs --metric gower")
	case o.MemoryLimitMB < 1:
		return usagef("--memory-limit-mb must be at least 1, got %d", o.MemoryLimitMB)
	case o.Samples < 1:
		return usagef("--samples must be at least 1, got %d", o.Samples)
	case o.SampleSize < 2:
		return usagef("--sample-size must be at least 2, got %d", o.SampleSize)
	}
	co := o.clusterOptions()
	if err := co.Validate(); err != nil {
		return &UsageError{Err: flagNames(err)}
	}
	_, err := parseAttrSpec(o.Types, o.Weights)
	return err
}

func (o *KMedoidsOptions) clusterOptions() cluster.KMedoidsOptions {
	return cluster.KMedoidsOptions{K: o.K, Method: o.Method, Init: o.Init, Samples: o.Samples,
		SampleSize: max(o.SampleSize, 40+2*o.K), MemoryLimit: o.MemoryLimitMB << 20, Seed: o.Seed}
}

// flagNames rewrites the library's option names in err as flags.
func flagNames(err error) error {
	r := strings.NewReplacer("kmedoids: ", "", "kprototypes: ", "", "Method", "--method", "Init", "--init",
		"Samples", "--samples", "SampleSize", "--sample-size", "NInit", "--n-init", "MaxIter", "--max-iter", "Gamma", "--gamma")
	return fmt.Errorf("%s", r.Replace(err.Error()))
}

// attrSummary describes one attribute in --json.
type attrSummary struct {
	Name   string  `json:"name"`
	Column int     `json:"column"`
	Type   string  `json:"type"`
	Levels int     `json:"levels,omitempty"`
	Weight float64 `json:"weight"`
}

func (t *mixedTable) summaries() []attrSummary {
	out := make([]attrSummary, len(t.attrs))
	for j, a := range t.attrs {
		w := 1.0
		if t.weights != nil {
			w = t.weights[j]
		}
		out[j] = attrSummary{Name: a.Name, Column: t.columns[j], Type: string(a.Type), Levels: len(t.levels[j]), Weight: w}
	}
	return out
}

type kmedoidsSummary struct {
	Method           string        `json:"method"`
	Metric           string        `json:"metric"`
	K                int           `json:"k"`
	N                int           `json:"n"`
	Attributes       []attrSummary `json:"attributes"`
	Medoids          []int         `json:"medoids"`
	Objective        float64       `json:"objective"`
	BuildObjective   float64       `json:"build_objective"`
	Swaps            int           `json:"swaps"`
	Sizes            []int         `json:"sizes"`
	SampleObjectives []float64     `json:"sample_objectives,omitempty"`
	Seed             uint64        `json:"seed"`
	Seconds          float64       `json:"seconds"`
	ReadSeconds      float64       `json:"read_seconds"`
	LabelsOut        string        `json:"labels_out"`
	MedoidsOut       string        `json:"medoids_out,omitempty"`
}

func kmedoidsRun(ctx context.Context, opts *KMedoidsOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	spec, err := parseAttrSpec(opts.Types, opts.Weights)
	if err != nil {
		return err
	}
	prog := newFileProgress(opts.IO, opts.Quiet, opts.In, largeInput)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read"})
	t0 := time.Now()
	t, err := readMixedCSV(opts.In, spec)
	if err != nil {
		return fmt.Errorf("read --in: %w", err)
	}
	readSecs := time.Since(t0).Seconds()
	if opts.K >= t.rows {
		return usagef("--k %d: %s has %d rows; k-medoids takes at most %d clusters", opts.K, opts.In, t.rows, t.rows-1)
	}
	metric := opts.Metric
	if metric == "" {
		metric = "gower"
		if t.numericOnly() && !spec.declares() && len(opts.Weights) == 0 {
			metric = "euclidean"
		}
	}
	start := time.Now()
	d, err := mixedDissimilarity(t, metric)
	if err != nil {
		return err
	}
	co := opts.clusterOptions()
	prog.update(pipeline.Progress{Step: "k-medoids (" + metric + ")"})
	res, err := cluster.KMedoids(ctx, d, co)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	prog.update(pipeline.Progress{Step: "write"})
	if err := writeLabelsCSV(opts.LabelsOut, res.Labels); err != nil {
		return err
	}
	if opts.MedoidsOut != "" {
		if err := writeMedoidsCSV(opts.MedoidsOut, t, res.Medoids); err != nil {
			return err
		}
	}
	sizes := make([]int, len(res.Medoids))
	for _, l := range res.Labels {
		sizes[l]++
	}
	prog.done(nil)
	if opts.JSON {
		return printJSON(opts.IO.Out, kmedoidsSummary{Method: res.Method, Metric: metric, K: opts.K, N: t.rows,
			Attributes: t.summaries(), Medoids: res.Medoids, Objective: res.Objective, BuildObjective: res.BuildObjective,
			Swaps: res.Swaps, Sizes: sizes, SampleObjectives: res.SampleObjectives, Seed: opts.Seed,
			Seconds: secs, ReadSeconds: readSecs, LabelsOut: opts.LabelsOut, MedoidsOut: opts.MedoidsOut})
	}
	if opts.Quiet {
		return nil
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "k-medoids (%s, %s) on %d rows: %d clusters, objective %.6g (mean dissimilarity to the medoid) after %d swaps (%.3f s)\n",
		res.Method, metric, t.rows, opts.K, res.Objective, res.Swaps, secs)
	if metric == "gower" {
		fmt.Fprintf(w, "attributes: %s\n", t.describe())
	}
	for c, m := range res.Medoids {
		fmt.Fprintf(w, "cluster %d: %d rows, medoid row %d (%s)\n", c, sizes[c], m, t.rowText(m, 6))
	}
	fmt.Fprintf(w, "labels written to %s\n", opts.LabelsOut)
	if opts.MedoidsOut != "" {
		fmt.Fprintf(w, "medoids written to %s\n", opts.MedoidsOut)
	}
	return nil
}

// mixedDissimilarity returns the Gower or Euclidean dissimilarity of the
// table's rows.
func mixedDissimilarity(t *mixedTable, metric string) (cluster.Dissimilarity, error) {
	if metric == "gower" {
		return cluster.NewGower(t.attrs, cluster.GowerOptions{Weights: t.weights})
	}
	x := mat.NewDense(t.rows, len(t.attrs), nil)
	for j, a := range t.attrs {
		if a.Type != cluster.AttrNumeric {
			return nil, usagef("--metric euclidean needs numbers: column %d (%s) is %s; use --metric gower", t.columns[j], a.Name, a.Type)
		}
		for i, v := range a.Values {
			if v != v {
				return nil, usagef("--metric euclidean needs every value: %s line %d, column %d (%s) is missing; use --metric gower, which skips missing values",
					t.path, i+2, t.columns[j], a.Name)
			}
			x.Set(i, j, v)
		}
	}
	return cluster.NewEuclidean(x)
}

// rowText shows up to max attributes of row i as name=value.
func (t *mixedTable) rowText(i, max int) string {
	var parts []string
	for j, a := range t.attrs {
		if j == max {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, a.Name+"="+t.text[j][i])
	}
	return strings.Join(parts, ", ")
}

// writeMedoidsCSV writes the header "cluster,row,<attributes>" and the
// medoid rows as read.
func writeMedoidsCSV(path string, t *mixedTable, medoids []int) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		names := []string{"cluster", "row"}
		for _, a := range t.attrs {
			names = append(names, a.Name)
		}
		if err := writeCSVRecord(w, names); err != nil {
			return err
		}
		for c, m := range medoids {
			rec := []string{strconv.Itoa(c), strconv.Itoa(m)}
			for j := range t.attrs {
				rec = append(rec, t.text[j][m])
			}
			if err := writeCSVRecord(w, rec); err != nil {
				return err
			}
		}
		return nil
	})
}
