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

// GowerOptions holds the flags of "persona cluster gower".
type GowerOptions struct {
	IO *IOStreams

	In      string
	Out     string
	Format  string // auto, square or pairs
	Types   []string
	Weights []string
	JSON    bool
	Quiet   bool
}

// gowerSquareMaxRows is the largest input --format auto writes as a square
// matrix.
const gowerSquareMaxRows = 1000

// NewCmdGower builds "persona cluster gower". runF replaces gowerRun in
// tests.
func NewCmdGower(f *Factory, runF func(*GowerOptions) error) *cobra.Command {
	opts := &GowerOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "gower --in X.csv --out D.csv",
		Short: "Write the Gower dissimilarities between the rows of a mixed-type CSV",
		Long: `Compute the Gower dissimilarity between every two rows of a CSV that may mix
numbers, categories, ordered levels, yes/no flags and lists, and write them.

The dissimilarities are those of R's cluster::daisy(x, metric = "gower"),
to the last bit: each attribute gives a value in [0, 1] (numbers: the
difference over the column's range; ordinal levels: the difference of
their positions over the range of positions; categories and binaries: 0
when equal, 1 otherwise; lists: one minus the Jaccard index of the two
sets, persona's extension), and the dissimilarity is their weighted mean
over the attributes that both rows hold. A pair with no attribute in
common is NA.

` + mixedHelp + `

--weight NAME=W weighs a column (default 1; 0 leaves it out).

Output (--format): "square" writes the n x n matrix with a header row
"row,0,1,...,n-1" and the row number first on each line; "pairs" writes
"i,j,dissimilarity" for every i < j, ordered by i then j: the third column
is then exactly R's dist vector and SciPy's condensed vector. "auto" (the
default) writes square up to 1,000 rows and pairs above. Numbers are
written in the shortest form that reads back to the same value.

It prints one line; --json prints a JSON object (rows, pairs, missing
pairs, format, seconds) instead; --quiet prints nothing.`,
		Example: `  persona cluster gower --in customers.csv --out D.csv
  persona cluster gower --in customers.csv --out D.csv --type id=skip \
      --type plan=ordinal:basic<plus<premium --type churned=asymmetric --weight income=2`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.In == "":
				return usagef("--in is required: name the CSV file of rows to compare")
			case opts.Out == "":
				return usagef("--out is required: name the CSV file to write the dissimilarities to")
			case opts.Format != "auto" && opts.Format != "square" && opts.Format != "pairs":
				return usagef(`--format must be "auto", "square" or "pairs", got %q`, opts.Format)
			}
			if _, err := parseAttrSpec(opts.Types, opts.Weights); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return gowerRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.In, "in", "", "input CSV with a header row (required)")
	fl.StringVar(&opts.Out, "out", "", "output CSV of dissimilarities (required)")
	fl.StringVar(&opts.Format, "format", "auto", `"square" (n x n), "pairs" (i,j,dissimilarity) or "auto" (square up to 1,000 rows)`)
	fl.StringArrayVar(&opts.Types, "type", nil, "`NAME=TYPE` of a column (repeatable): numeric, nominal, ordinal[:A<B<C], ordratio, logratio, symmetric, asymmetric, list[:SEP], skip")
	fl.StringArrayVar(&opts.Weights, "weight", nil, "`NAME=W`: the weight of a column (repeatable; default 1)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary to stdout")
	return cmd
}

type gowerSummary struct {
	Rows         int     `json:"rows"`
	Attributes   int     `json:"attributes"`
	Pairs        int     `json:"pairs"`
	MissingPairs int     `json:"missing_pairs"`
	Format       string  `json:"format"`
	Seconds      float64 `json:"seconds"`
	Out          string  `json:"out"`
}

func gowerRun(ctx context.Context, opts *GowerOptions) (err error) {
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
	t, err := readMixedCSV(opts.In, spec)
	if err != nil {
		return fmt.Errorf("read --in: %w", err)
	}
	g, err := cluster.NewGower(t.attrs, cluster.GowerOptions{Weights: t.weights})
	if err != nil {
		return err
	}
	n := g.Len()
	format := opts.Format
	if format == "auto" {
		format = "pairs"
		if n <= gowerSquareMaxRows {
			format = "square"
		}
	}
	prog.update(pipeline.Progress{Step: "gower"})
	start := time.Now()
	missing := 0
	err = atomicfile.Write(opts.Out, func(w io.Writer) error {
		var err error
		if format == "square" {
			missing, err = writeGowerSquare(ctx, w, g)
		} else {
			missing, err = writeGowerPairs(ctx, w, g)
		}
		return err
	})
	if err != nil {
		return err
	}
	sum := gowerSummary{Rows: n, Attributes: len(t.attrs), Pairs: n * (n - 1) / 2, MissingPairs: missing,
		Format: format, Seconds: time.Since(start).Seconds(), Out: opts.Out}
	prog.done(nil)
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, sum)
	case opts.Quiet:
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "gower over %d rows and %d attributes (%s): %d pairs as %s in %s (%.3f s)\n",
		n, len(t.attrs), t.describe(), sum.Pairs, format, opts.Out, sum.Seconds)
	if missing > 0 {
		fmt.Fprintf(opts.IO.Out, "%d pairs have no attribute in common and are NA\n", missing)
	}
	return nil
}

func appendDissim(buf []byte, v float64) []byte {
	if math.IsNaN(v) {
		return append(buf, "NA"...)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, 64)
}

func writeGowerSquare(ctx context.Context, w io.Writer, g *cluster.Gower) (int, error) {
	n := g.Len()
	buf := []byte("row")
	for j := range n {
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(j), 10)
	}
	buf = append(buf, '\n')
	if _, err := w.Write(buf); err != nil {
		return 0, err
	}
	missing := 0
	for i := range n {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		buf = strconv.AppendInt(buf[:0], int64(i), 10)
		for j := range n {
			v := g.Dissim(i, j)
			if math.IsNaN(v) && j > i {
				missing++
			}
			buf = append(buf, ',')
			buf = appendDissim(buf, v)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return 0, err
		}
	}
	return missing, nil
}

// writeGowerPairs streams the pairs row by row, so the matrix is never
// held in memory.
func writeGowerPairs(ctx context.Context, w io.Writer, g *cluster.Gower) (int, error) {
	n := g.Len()
	if _, err := io.WriteString(w, "i,j,dissimilarity\n"); err != nil {
		return 0, err
	}
	missing := 0
	buf := make([]byte, 0, 1<<16)
	for i := 0; i < n-1; i++ {
		if i&63 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		for j := i + 1; j < n; j++ {
			v := g.Dissim(i, j)
			if math.IsNaN(v) {
				missing++
			}
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(j), 10)
			buf = append(buf, ',')
			buf = appendDissim(buf, v)
			buf = append(buf, '\n')
			if len(buf) > 1<<15 {
				if _, err := w.Write(buf); err != nil {
					return 0, err
				}
				buf = buf[:0]
			}
		}
	}
	_, err := w.Write(buf)
	return missing, err
}
