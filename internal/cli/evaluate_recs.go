package cli

import (
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/recommend"
)

// EvaluateRecsOptions holds the flags of persona evaluate-recs.
type EvaluateRecsOptions struct {
	IO  *IOStreams
	Ctx context.Context

	Config       string // a persona run config; its transactions are evaluated
	Transactions string // or: a CSV (optionally gzipped) of bought lines
	Format       string // canonical or online-retail
	Cut          string // YYYY-MM-DD
	K            int
	SegmentBy    string // rfm or run; "" picks run with --config, else rfm
	Segments     string // optional segments.csv, overriding SegmentBy
	Seed         uint64 // seed of the run that segments (--segment-by run)
	JSON         bool
	Quiet        bool
}

// NewCmdEvaluateRecs measures the recommender on a time split.
func NewCmdEvaluateRecs(f *Factory, runF func(*EvaluateRecsOptions) error) *cobra.Command {
	opts := &EvaluateRecsOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "evaluate-recs (--config FILE | --transactions FILE) --cut DATE [--k 10]",
		Short: "Measure the recommendations on a split by time",
		Long: `Measure the recommender on real purchases split by time: it learns from the
purchases before --cut and is scored on each customer's new products (not
bought before) bought after it. Prints hit rate@k, precision@k and
recall@k for global popularity, segment popularity, co-occurrence alone and
the blend that persona recommend uses.

The purchases are the transactions of a persona config (--config, as for
persona run; its as_of is ignored), or a CSV file (--transactions, gzipped
when its name ends in .gz) with the canonical columns user_id, order_id,
product_id, timestamp, quantity and unit_price, or with --format
online-retail the columns of the UCI Online Retail data set.

Segments (--segment-by): "run" runs the whole pipeline on the config's data
as of the cut (nothing after the cut is seen) and uses its segments; "rfm"
uses the classic RFM groups of the training purchases. The default is run
with --config and rfm with --transactions. --segments uses a segments.csv
file instead.

It writes no file (a run for --segment-by run lives in a temporary folder).
It prints the table and a line per step on stderr; --json prints one JSON
object {from, purchases, cut, k, segments, test_users, methods: [{method,
users, hit_rate, precision, recall}]}; --quiet prints nothing but errors.`,
		Example: `  persona evaluate-recs --config examples/online-retail/persona.yaml --cut 2011-09-01
  persona evaluate-recs --config persona.yaml --cut 2011-09-01 --segment-by rfm --k 20
  persona evaluate-recs --transactions online_retail.csv.gz --format online-retail --cut 2011-09-01`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Transactions == "" && opts.Config == "":
				return usagef("give --config FILE (a persona config) or --transactions FILE (a CSV of purchases)")
			case opts.Transactions != "" && opts.Config != "":
				return usagef("--config and --transactions exclude each other")
			case opts.SegmentBy != "" && opts.SegmentBy != "rfm" && opts.SegmentBy != "run":
				return usagef("--segment-by must be rfm or run, got %q", opts.SegmentBy)
			case opts.SegmentBy == "run" && opts.Config == "":
				return usagef("--segment-by run needs --config: it runs the pipeline on the config's data")
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
	fl.StringVarP(&opts.Config, "config", "c", "", "persona config `file` (YAML) whose transactions are evaluated")
	fl.StringVar(&opts.Transactions, "transactions", "", "or: CSV `file` of purchases, optionally .gz")
	fl.StringVar(&opts.Format, "format", "canonical", "column names of --transactions: canonical or online-retail")
	fl.StringVar(&opts.Cut, "cut", "", "train before this `date` (YYYY-MM-DD), test after it (required)")
	fl.IntVar(&opts.K, "k", 10, "length of the recommendation lists")
	fl.StringVar(&opts.SegmentBy, "segment-by", "", "segments: run (the pipeline as of the cut; needs --config) or rfm (default: run with --config, else rfm)")
	fl.StringVar(&opts.Segments, "segments", "", "use this segments.csv `file` as the segments")
	fl.Uint64Var(&opts.Seed, "seed", 1, "random seed of the run that segments")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the table as JSON on stdout")
	return cmd
}

func evaluateRecsRun(opts *EvaluateRecsOptions) (err error) {
	cut, _ := recommend.ParseTime(opts.Cut)
	var (
		ps   []recommend.Purchase
		seg  map[string]int
		from = opts.Transactions
	)
	prog := newProgress(opts.IO, opts.Quiet)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read purchases"})
	if opts.Config != "" {
		from = opts.Config
		if ps, err = configPurchases(opts.Ctx, opts.Config); err != nil {
			return err
		}
	} else if ps, err = filePurchases(opts.Transactions, opts.Format); err != nil {
		return err
	}
	by := opts.SegmentBy
	if by == "" {
		by = "rfm"
		if opts.Config != "" {
			by = "run"
		}
	}
	basis := "RFM groups of the training purchases"
	switch {
	case opts.Segments != "":
		if seg, err = segmentsFile(opts.Segments); err != nil {
			return err
		}
		basis = opts.Segments
	case by == "run":
		prog.update(pipeline.Progress{Step: "segment as of the cut"})
		if seg, err = segmentsAsOf(opts, cut); err != nil {
			return err
		}
		basis = fmt.Sprintf("%d segments of a run as of %s", distinct(seg), cut.Format("2006-01-02"))
	}
	prog.update(pipeline.Progress{Step: "evaluate"})
	scores, err := recommend.Evaluate(opts.Ctx, ps, cut, seg, opts.K, recommend.Options{})
	if err != nil {
		return err
	}
	prog.done(nil)
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, evaluateRecsSummary{
			From: from, Purchases: len(ps), Cut: cut.Format("2006-01-02"), K: opts.K,
			Segments: basis, TestUsers: scores[0].Users, Methods: scores,
		})
	case opts.Quiet:
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%s: %d purchases, cut %s, %d test users, segments: %s\n\n", from, len(ps), cut.Format("2006-01-02"), scores[0].Users, basis)
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "METHOD\tHIT RATE@%[1]d\tPRECISION@%[1]d\tRECALL@%[1]d\n", opts.K)
	for _, s := range scores {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\n", s.Name, s.HitRate, s.Precision, s.Recall)
	}
	return tw.Flush()
}

// evaluateRecsSummary is what "persona evaluate-recs --json" prints.
type evaluateRecsSummary struct {
	From      string            `json:"from"` // the config or transactions file
	Purchases int               `json:"purchases"`
	Cut       string            `json:"cut"`
	K         int               `json:"k"`
	Segments  string            `json:"segments"` // what the segments were
	TestUsers int               `json:"test_users"`
	Methods   []recommend.Score `json:"methods"`
}

func distinct(seg map[string]int) int {
	set := map[int]bool{}
	for _, s := range seg {
		set[s] = true
	}
	return len(set)
}

// filePurchases reads a purchases CSV, gunzipping a .gz file.
func filePurchases(path, format string) ([]recommend.Purchase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read --transactions: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = gz
	}
	cols := recommend.Columns{}
	if format == "online-retail" {
		cols = recommend.OnlineRetailColumns()
	}
	ps, err := recommend.ReadCSV(r, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ps, nil
}

// configPurchases loads a config's datasets (ignoring its as_of, so the
// purchases after the cut are there to test on) and returns the bought
// lines of its transactions.
func configPurchases(ctx context.Context, path string) ([]recommend.Purchase, error) {
	cfg, err := loadConfig(path, -1)
	if err != nil {
		return nil, err
	}
	cfg.AsOf = dataset.Date{}
	db, err := sql.Open(DriverName, "")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT user_id, coalesce(order_id, ''), product_id, timestamp, quantity * coalesce(unit_price, 0)
		FROM transactions WHERE quantity > 0 AND user_id IS NOT NULL AND product_id IS NOT NULL AND product_id <> ''
		ORDER BY timestamp, user_id, order_id, product_id`)
	if err != nil {
		return nil, fmt.Errorf("read transactions: %w", err)
	}
	defer rows.Close()
	var ps []recommend.Purchase
	for rows.Next() {
		var p recommend.Purchase
		if err := rows.Scan(&p.User, &p.Basket, &p.Product, &p.Time, &p.Value); err != nil {
			return nil, fmt.Errorf("read transactions: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read transactions: %w", err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s: no transactions with a positive quantity, a user and a product", path)
	}
	return ps, nil
}

// segmentsAsOf runs the pipeline on the config's data as of the cut in a
// temporary folder and returns its segments.
func segmentsAsOf(opts *EvaluateRecsOptions, cut time.Time) (map[string]int, error) {
	cfg, err := loadConfig(opts.Config, -1)
	if err != nil {
		return nil, err
	}
	// The last instant before the cut: the training data ends there.
	cfg.AsOf = dataset.Date{Time: cut.Add(-time.Second)}
	dir, err := os.MkdirTemp("", "persona-evaluate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := pipeline.Run(opts.Ctx, DriverName, cfg, pipeline.Options{
		Out: dir, Seed: opts.Seed, Features: featureOptions(cfg), Logger: slog.New(slog.DiscardHandler),
	}); err != nil {
		return nil, fmt.Errorf("segment the data as of the cut: %w", err)
	}
	return segmentsFile(filepath.Join(dir, "segments.csv"))
}

func segmentsFile(path string) (map[string]int, error) {
	ids, labels, _, err := pipeline.ReadSegments(path)
	if err != nil {
		return nil, err
	}
	seg := make(map[string]int, len(ids))
	for i, id := range ids {
		seg[id] = labels[i]
	}
	return seg, nil
}
