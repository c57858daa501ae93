package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
)

// KPrototypesOptions holds the flags of "persona cluster kprototypes".
type KPrototypesOptions struct {
	IO *IOStreams

	In            string
	K             int
	Gamma         float64
	Init          string
	NInit         int
	MaxIter       int
	Seed          uint64
	Standardize   bool
	Types         []string
	LabelsOut     string
	PrototypesOut string
	JSON          bool
	Quiet         bool
}

// NewCmdKPrototypes builds "persona cluster kprototypes". runF replaces
// kprototypesRun in tests.
func NewCmdKPrototypes(f *Factory, runF func(*KPrototypesOptions) error) *cobra.Command {
	opts := &KPrototypesOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "kprototypes --in X.csv --k K --labels-out L.csv",
		Short: "Cluster the rows of a CSV of numbers and categories with k-prototypes",
		Long: `Cluster the rows of a CSV that mixes numbers and categories with Huang's
k-prototypes, as the Python kmodes package's KPrototypes: each cluster has a
prototype (the mean of each numeric column and the most frequent level of
each categorical one), and a row's dissimilarity to it is the squared
Euclidean distance on the numbers plus --gamma times the number of
categories that differ. It needs no dissimilarity matrix, so it is the
method for large tables (100,000 rows in seconds).

Rows are moved one at a time to their nearest prototype, which is updated
at once; a run stops when no row moves, when the cost stops falling, or
after --max-iter passes. --n-init runs are made and the lowest cost is
kept. --init chooses the initial modes: "cao" (densest, mutually distant
rows; the default), "huang" (levels drawn by frequency) or "random";
numeric prototypes start at the column means plus random normal
deviations.

--gamma 0 (the default) means half the mean standard deviation of the
numeric columns. The numbers are used as they are, as kmodes does: a
column in thousands outweighs one in units. --standardize first scales
every numeric column to mean 0 and standard deviation 1 (then the default
gamma is 0.5); the prototypes are written in the original units.

` + mixedHelp + `

Numeric columns must have no missing value; a missing category is a
category of its own. ordinal and binary columns are categories here;
ordratio, logratio and list columns need kmedoids.

Outputs: --labels-out gets the header "label" and the prototype (0..K-1)
of each row; --prototypes-out gets one line per cluster with the header
"cluster,<columns>". It prints one line per cluster; --json prints one JSON
object (k, gamma, cost, n_iter, sizes, seconds, ...) instead; --quiet
prints nothing.`,
		Example: `  persona cluster kprototypes --in customers.csv --k 5 --labels-out labels.csv
  persona cluster kprototypes --in customers.csv --k 5 --standardize --type id=skip \
      --labels-out labels.csv --prototypes-out prototypes.csv --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.In == "":
				return usagef("--in is required: name the CSV file of rows to cluster")
			case opts.LabelsOut == "":
				return usagef("--labels-out is required: name the CSV file to write the labels to")
			case opts.K < 1:
				return usagef("--k must be at least 1, got %d", opts.K)
			case opts.NInit < 1:
				return usagef("--n-init must be at least 1, got %d", opts.NInit)
			case opts.MaxIter < 1:
				return usagef("--max-iter must be at least 1, got %d", opts.MaxIter)
			}
			co := opts.clusterOptions()
			if err := co.Validate(); err != nil {
				return &UsageError{Err: flagNames(err)}
			}
			if _, err := parseAttrSpec(opts.Types, nil); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return kprototypesRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.In, "in", "", "input CSV with a header row (required)")
	fl.IntVar(&opts.K, "k", 0, "number of clusters (required)")
	fl.Float64Var(&opts.Gamma, "gamma", 0, "weight of one differing category against squared numeric distance (0: half the mean numeric standard deviation)")
	fl.StringVar(&opts.Init, "init", cluster.InitCao, `initial modes: "cao", "huang" or "random"`)
	fl.IntVar(&opts.NInit, "n-init", 10, "number of runs; the lowest cost is kept")
	fl.IntVar(&opts.MaxIter, "max-iter", 100, "maximum passes over the rows per run")
	fl.Uint64Var(&opts.Seed, "seed", 0, "random seed")
	fl.BoolVar(&opts.Standardize, "standardize", false, "scale numeric columns to mean 0 and standard deviation 1 first")
	fl.StringArrayVar(&opts.Types, "type", nil, "`NAME=TYPE` of a column (repeatable): numeric, nominal, ordinal[:A<B<C], symmetric, asymmetric, skip")
	fl.StringVar(&opts.LabelsOut, "labels-out", "", "output CSV of labels (required)")
	fl.StringVar(&opts.PrototypesOut, "prototypes-out", "", "output CSV of the prototypes")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary to stdout")
	return cmd
}

func (o *KPrototypesOptions) clusterOptions() cluster.KPrototypesOptions {
	return cluster.KPrototypesOptions{K: o.K, Gamma: o.Gamma, Init: o.Init, NInit: o.NInit, MaxIter: o.MaxIter, Seed: o.Seed}
}

type kprototypesSummary struct {
	K             int           `json:"k"`
	N             int           `json:"n"`
	Attributes    []attrSummary `json:"attributes"`
	Numeric       []string      `json:"numeric"`
	Categorical   []string      `json:"categorical"`
	Standardized  bool          `json:"standardized"`
	Gamma         float64       `json:"gamma"`
	Cost          float64       `json:"cost"`
	NIter         int           `json:"n_iter"`
	Init          string        `json:"init"`
	NInit         int           `json:"n_init"`
	Seed          uint64        `json:"seed"`
	Sizes         []int         `json:"sizes"`
	Seconds       float64       `json:"seconds"`
	ReadSeconds   float64       `json:"read_seconds"`
	LabelsOut     string        `json:"labels_out"`
	PrototypesOut string        `json:"prototypes_out,omitempty"`
}

func kprototypesRun(ctx context.Context, opts *KPrototypesOptions) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	spec, err := parseAttrSpec(opts.Types, nil)
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
	if opts.K > t.rows {
		return usagef("--k %d: %s has %d rows", opts.K, opts.In, t.rows)
	}
	for j, a := range t.attrs {
		if a.Type == cluster.AttrNumeric {
			for i, v := range a.Values {
				if math.IsNaN(v) {
					return fmt.Errorf("%s: line %d, column %d (%s): missing value; k-prototypes needs every number (kmedoids with Gower skips missing values)", opts.In, i+2, t.columns[j], a.Name)
				}
			}
		}
	}
	attrs := t.attrs
	scale := make([][2]float64, len(attrs)) // mean and std per numeric attribute
	if opts.Standardize {
		attrs = standardized(attrs, scale)
	}
	start := time.Now()
	prog.update(pipeline.Progress{Step: "k-prototypes"})
	res, err := cluster.KPrototypes(ctx, attrs, opts.clusterOptions())
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	prog.update(pipeline.Progress{Step: "write"})
	if err := writeLabelsCSV(opts.LabelsOut, res.Labels); err != nil {
		return err
	}
	protos := prototypeRecords(t, res, opts.Standardize, scale)
	if opts.PrototypesOut != "" {
		err := atomicfile.Write(opts.PrototypesOut, func(w io.Writer) error {
			names := []string{"cluster"}
			for _, a := range t.attrs {
				names = append(names, a.Name)
			}
			if err := writeCSVRecord(w, names); err != nil {
				return err
			}
			for c, rec := range protos {
				if err := writeCSVRecord(w, append([]string{strconv.Itoa(c)}, rec...)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sizes := make([]int, opts.K)
	for _, l := range res.Labels {
		sizes[l]++
	}
	prog.done(nil)
	if opts.JSON {
		s := kprototypesSummary{K: opts.K, N: t.rows, Attributes: t.summaries(), Numeric: []string{}, Categorical: []string{},
			Standardized: opts.Standardize, Gamma: res.Gamma, Cost: res.Cost, NIter: res.NIter, Init: opts.Init,
			NInit: opts.NInit, Seed: opts.Seed, Sizes: sizes, Seconds: secs, ReadSeconds: readSecs,
			LabelsOut: opts.LabelsOut, PrototypesOut: opts.PrototypesOut}
		for _, j := range res.Numeric {
			s.Numeric = append(s.Numeric, t.attrs[j].Name)
		}
		for _, j := range res.Categorical {
			s.Categorical = append(s.Categorical, t.attrs[j].Name)
		}
		return printJSON(opts.IO.Out, s)
	}
	if opts.Quiet {
		return nil
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "k-prototypes on %d rows (%d numeric, %d categorical columns): %d clusters, cost %.6g, gamma %.4g, %d passes (%.3f s)\n",
		t.rows, len(res.Numeric), len(res.Categorical), opts.K, res.Cost, res.Gamma, res.NIter, secs)
	for c, rec := range protos {
		var parts []string
		for j, v := range rec {
			if j == 6 {
				parts = append(parts, "...")
				break
			}
			parts = append(parts, t.attrs[j].Name+"="+v)
		}
		fmt.Fprintf(w, "cluster %d: %d rows, prototype %s\n", c, sizes[c], strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "labels written to %s\n", opts.LabelsOut)
	if opts.PrototypesOut != "" {
		fmt.Fprintf(w, "prototypes written to %s\n", opts.PrototypesOut)
	}
	return nil
}

// standardized returns attrs with every numeric attribute scaled to mean 0
// and standard deviation 1 (a constant one to 0), recording mean and
// standard deviation in scale.
func standardized(attrs []cluster.Attr, scale [][2]float64) []cluster.Attr {
	out := make([]cluster.Attr, len(attrs))
	for j, a := range attrs {
		out[j] = a
		if a.Type != cluster.AttrNumeric {
			continue
		}
		var mean, ss float64
		for _, v := range a.Values {
			mean += v
		}
		mean /= float64(len(a.Values))
		for _, v := range a.Values {
			ss += (v - mean) * (v - mean)
		}
		std := math.Sqrt(ss / float64(len(a.Values)))
		scale[j] = [2]float64{mean, std}
		if std == 0 {
			std = 1
		}
		z := make([]float64, len(a.Values))
		for i, v := range a.Values {
			z[i] = (v - mean) / std
		}
		out[j].Values = z
	}
	return out
}

// prototypeRecords returns each prototype as the text of its values, in
// the order of the attributes: numbers in the original units, levels by
// name (NA for the missing value).
func prototypeRecords(t *mixedTable, res *cluster.KPrototypesResult, std bool, scale [][2]float64) [][]string {
	out := make([][]string, len(res.Modes))
	for c := range out {
		rec := make([]string, len(t.attrs))
		for f, j := range res.Numeric {
			v := res.Centers.At(c, f)
			if std {
				s := scale[j][1]
				if s == 0 {
					s = 1
				}
				v = v*s + scale[j][0]
			}
			rec[j] = strconv.FormatFloat(v, 'g', 6, 64)
		}
		for f, j := range res.Categorical {
			code := res.Modes[c][f]
			if code < 0 || int(code) >= len(t.levels[j]) {
				rec[j] = "NA"
			} else {
				rec[j] = t.levels[j][code]
			}
		}
		out[c] = rec
	}
	return out
}
