package cli

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/recommend"
)

// EvaluateRecsOptions holds the flags of persona evaluate-recs.
type EvaluateRecsOptions struct {
	IO  *IOStreams
	Ctx context.Context

	Transactions string // CSV (optionally gzipped) of bought lines
	Format       string // canonical or online-retail
	Cut          string // YYYY-MM-DD
	K            int
	Segments     string // optional segments.csv; default: RFM groups of the training purchases
	JSON         bool
}

// NewCmdEvaluateRecs measures the recommender on a time split.
func NewCmdEvaluateRecs(f *Factory, runF func(*EvaluateRecsOptions) error) *cobra.Command {
	opts := &EvaluateRecsOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "evaluate-recs --transactions FILE --cut DATE [--k 10]",
		Short: "Measure the recommendations on a split by time",
		Long: `Measure the recommender on real purchases split by time: it learns from the
purchases before --cut and is scored on each customer's new products (not
bought before) bought after it. Prints hit rate@k, precision@k and
recall@k for global popularity, segment popularity, co-occurrence alone and
the blend that persona recommend uses.

Segments are the classic RFM groups of the training purchases, or the
segments of --segments (a run's segments.csv). --transactions is a CSV file,
gzipped when its name ends in .gz, with the canonical columns user_id,
order_id, product_id, timestamp, quantity and unit_price, or with
--format online-retail the columns of the UCI Online Retail data set.`,
		Example: `  persona evaluate-recs --transactions online_retail.csv.gz --format online-retail --cut 2011-09-01
  persona evaluate-recs --transactions data/transactions.csv --cut 2024-06-01 --segments demo-out/segments.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Transactions == "":
				return usagef("--transactions must name a CSV file of purchases")
			case opts.Cut == "":
				return usagef("--cut must give the date that splits training from test purchases, as YYYY-MM-DD")
			case opts.K < 1:
				return usagef("--k must be at least 1, got %d", opts.K)
			case opts.Format != "canonical" && opts.Format != "online-retail":
				return usagef("--format must be canonical or online-retail, got %q", opts.Format)
			}
			if _, err := recommend.ParseTime(opts.Cut); err != nil {
				return usagef("--cut: %v", err)
			}
			opts.Ctx = cmd.Context()
			if opts.Ctx == nil {
				opts.Ctx = context.Background()
			}
			if runF != nil {
				return runF(opts)
			}
			return evaluateRecsRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Transactions, "transactions", "", "CSV `file` of purchases, optionally .gz (required)")
	fl.StringVar(&opts.Format, "format", "canonical", "column names of --transactions: canonical or online-retail")
	fl.StringVar(&opts.Cut, "cut", "", "train before this `date` (YYYY-MM-DD), test after it (required)")
	fl.IntVar(&opts.K, "k", 10, "length of the recommendation lists")
	fl.StringVar(&opts.Segments, "segments", "", "a run's segments.csv `file` to use as segments (default: RFM groups)")
	fl.BoolVar(&opts.JSON, "json", false, "print the table as JSON")
	return cmd
}

func evaluateRecsRun(opts *EvaluateRecsOptions) error {
	cut, _ := recommend.ParseTime(opts.Cut)
	f, err := os.Open(opts.Transactions)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(opts.Transactions, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", opts.Transactions, err)
		}
		r = gz
	}
	cols := recommend.Columns{}
	if opts.Format == "online-retail" {
		cols = recommend.OnlineRetailColumns()
	}
	ps, err := recommend.ReadCSV(r, cols)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Transactions, err)
	}
	var seg map[string]int
	basis := "RFM groups of the training purchases"
	if opts.Segments != "" {
		ids, labels, _, err := pipeline.ReadSegments(opts.Segments)
		if err != nil {
			return err
		}
		seg = make(map[string]int, len(ids))
		for i, id := range ids {
			seg[id] = labels[i]
		}
		basis = filepath.Base(opts.Segments)
	}
	scores, err := recommend.Evaluate(opts.Ctx, ps, cut, seg, opts.K, recommend.Options{})
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(scores)
	}
	fmt.Fprintf(opts.IO.Out, "%d purchases, cut %s, %d test users, segments: %s\n\n", len(ps), cut.Format("2006-01-02"), scores[0].Users, basis)
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "METHOD\tHIT RATE@%[1]d\tPRECISION@%[1]d\tRECALL@%[1]d\n", opts.K)
	for _, s := range scores {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\n", s.Name, s.HitRate, s.Precision, s.Recall)
	}
	return tw.Flush()
}
