package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/pipeline"
)

// RunOptions holds the flags of "persona run".
type RunOptions struct {
	IO     *IOStreams
	Config string
	Out    string
	Seed   uint64
	SegmentFlags
	// Given reports whether a flag was given on the command line (it then
	// wins over the config's segmentation section); nil means none was.
	Given         func(flag string) bool
	MaxRejectRate float64 // < 0: from the config
	Store         string
	// Sample and AssignTable fit on a sample and assign everyone
	// (pipeline.Options.Sample, AssignTable).
	Sample      int
	AssignTable string
	// Notify is the webhook URL told of the committed run.
	Notify string
	Quiet  bool
	JSON   bool
}

// NewCmdRun runs the whole pipeline on the data a config file describes.
func NewCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the whole pipeline on your data, as described by a config file",
		Long: `Load the datasets a config file describes (CSV, Parquet, JSON lines or
Postgres, with their columns mapped to persona's canonical fields), check
every row, compute the features per user, then segment and profile the users
and write the report, exactly as "persona demo" does.

Rows that cannot be used are written to OUT/rejects/<dataset>.csv with the
file, line, column and reason; more than --max-reject-rate of them fails the
run, whose rejects then go to OUT/rejects-ID/. "persona init" drafts a
config from your files.

The run is a transaction: the outputs appear in OUT all at once when it
succeeds, and a failed, interrupted (Ctrl-C, SIGTERM) or killed run leaves
OUT and the store as they were. One run writes OUT at a time.

Outputs in OUT: segments.csv, profiles.json, report.html (+ charts/),
summary.json (rows read/used/rejected per dataset, k, silhouette, sizes,
timings) and rejects/; the run is saved in --store (default
OUT/persona.duckdb) for persona runs, serve and score. Defaults: seed 1,
the algorithm chosen by the attributes (auto), k chosen in 2..12, on 10
principal components. The config's segmentation section (algorithm, k,
k_min, k_max, linkage, eps, min_samples, pca, seed) sets them too; a flag
given here wins over its key.

Datasets that are all postgres sources on one server are not copied: the
row checks and the features are computed in Postgres (as "persona features"
does; engine: duckdb in the config copies them instead), only the feature
table and the customer-days come back, and the report's behaviour charts,
the recommendations and baskets.csv, which need the raw rows, are skipped
with a warning.

--sample N fits the scaling, PCA and clustering on N users only, picked
by a seeded rule stratified by activity (frequency deciles; the summary's
"sample" says which), and assigns every user with the fitted model. Pushed
down, only the N users' feature rows leave Postgres: the assignment of all
users is written into the table --assign-table (user_id, segment,
distance; default persona_segments) of the source database, replacing the
previous one in one transaction that commits with the run's outputs, and
the profiles' sizes, shares and means are computed there by GROUP BY;
segments.csv and the store hold the sample. With the DuckDB engine,
segments.csv holds every user. A sample not below the users is a full fit.

A line per step goes to stderr (a bar with an ETA on a terminal), the
summary to stdout; --json prints summary.json's content instead, --quiet
prints nothing but errors.

` + notifyHelp,
		Example: `  persona run --config persona.yaml --out out
  persona run --config examples/online-retail/persona.yaml --out retail-out --k 5
  persona run -c persona.yaml -o out --algorithm hierarchical --linkage average --json
  persona run -c persona.yaml -o out --sample 200000 --assign-table analytics.persona_segments
  PERSONA_WEBHOOK_SECRET=s3cret persona run -c persona.yaml -o out --notify https://hooks.example.com/persona`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Config == "" {
				return usagef("--config must name a config file (persona init drafts one)")
			}
			if opts.Out == "" {
				return usagef("--out must name a folder")
			}
			if err := opts.SegmentFlags.validate(); err != nil {
				return err
			}
			if cmd.Flags().Changed("max-reject-rate") && (opts.MaxRejectRate < 0 || opts.MaxRejectRate > 1) {
				return usagef("--max-reject-rate must be between 0 and 1, got %g", opts.MaxRejectRate)
			}
			if opts.Sample < 0 {
				return usagef("--sample must be a number of users, got %d", opts.Sample)
			}
			if cmd.Flags().Changed("assign-table") && opts.Sample == 0 {
				return usagef("--assign-table needs --sample (the table holds the assignment of a run fitted on a sample)")
			}
			if !cmd.Flags().Changed("max-reject-rate") {
				opts.MaxRejectRate = -1
			}
			opts.Given = cmd.Flags().Changed
			if err := checkNotify(opts.Notify); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Config, "config", "c", "", "config `file` (YAML)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "output `folder`")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same segments")
	opts.SegmentFlags.register(cmd)
	cmd.Flags().Float64Var(&opts.MaxRejectRate, "max-reject-rate", dataset.DefaultMaxRejectRate, "largest share of a dataset's rows that may be rejected (overrides the config)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the run summary (summary.json) as JSON on stdout")
	cmd.Flags().StringVar(&opts.Store, "store", "", "save the run in this store: a postgres:// URL or a DuckDB file (default OUT/persona.duckdb)")
	cmd.Flags().IntVar(&opts.Sample, "sample", 0, "fit on this many `users` (stratified, seeded) and assign everyone with the model")
	cmd.Flags().StringVar(&opts.AssignTable, "assign-table", "", "pushed down with --sample: the `table` of the source database every user's segment is written to (default "+pipeline.DefaultAssignTable+")")
	cmd.Flags().StringVar(&opts.Notify, "notify", "", "POST a signed JSON summary of the committed run to this `URL` (secret: $PERSONA_WEBHOOK_SECRET)")
	return cmd
}

// loadConfig reads the config file and applies the reject-rate flag.
func loadConfig(path string, maxRejectRate float64) (*dataset.Config, error) {
	cfg, err := dataset.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	if maxRejectRate >= 0 {
		cfg.MaxRejectRate = &maxRejectRate
	}
	return cfg, nil
}

// featureOptions are the feature options of the config (its features
// section, as_of and per-user tables).
func featureOptions(cfg *dataset.Config) features.Options { return features.OptionsFor(cfg) }

func runRun(opts *RunOptions) error {
	cfg, err := loadConfig(opts.Config, opts.MaxRejectRate)
	if err != nil {
		return err
	}
	given := opts.Given
	if given == nil {
		given = func(string) bool { return false }
	}
	if err := opts.SegmentFlags.fromConfig(cfg.Segmentation, given); err != nil {
		return err
	}
	if cfg.Segmentation.Seed != nil && !given("seed") {
		opts.Seed = *cfg.Segmentation.Seed
	}
	ctx, stop := signalContext(context.Background())
	defer stop()
	prog := newProgress(opts.IO, opts.Quiet)
	defer prog.done(nil) // stops the redraws on every return; a no-op after the done below
	po := pipeline.Options{
		Out: opts.Out, Seed: opts.Seed,
		Features: featureOptions(cfg),
		Store:    runStore(opts.Store, opts.Out),
		Title:    "persona segments",
		Logger:   slog.New(slog.DiscardHandler),
		Progress: prog.update,
		Sample:   opts.Sample, AssignTable: opts.AssignTable,
	}
	if err := opts.SegmentFlags.apply(&po); err != nil {
		return err
	}
	sum, err := pipeline.Run(ctx, DriverName, cfg, po)
	err = interrupted(ctx, err)
	prog.done(err)
	if err != nil {
		return err
	}
	dataWarnings(opts.IO.ErrOut, opts.Quiet, sum.Warnings)
	notifyRun(ctx, opts.IO, opts.Notify, cmp.Or(opts.Store, opts.Out), sum.RunID)
	if opts.JSON {
		return printJSON(opts.IO.Out, sum)
	}
	if !opts.Quiet {
		printDatasets(opts.IO.Out, sum.Datasets)
		printSummary(opts.IO.Out, opts.Out, opts.Store, sum)
	}
	return nil
}

// printDatasets prints what became of each dataset's rows.
func printDatasets(w io.Writer, counts map[string]dataset.Counts) {
	var names []string
	for k := range counts {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return kindOrder(names[i]) < kindOrder(names[j]) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "DATASET\tREAD\tFILTERED\tREJECTED\tDUPLICATES\tAFTER AS_OF\tUSED\t")
	for _, k := range names {
		c := counts[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", k, c.Read, c.Filtered, c.Rejected, c.Duplicates, c.AfterAsOf, c.Used)
	}
	tw.Flush()
	for _, k := range names {
		c := counts[k]
		var rs []string
		for r := range c.Reasons {
			rs = append(rs, r)
		}
		sort.Slice(rs, func(i, j int) bool {
			return c.Reasons[rs[i]] > c.Reasons[rs[j]] || c.Reasons[rs[i]] == c.Reasons[rs[j]] && rs[i] < rs[j]
		})
		for _, r := range rs {
			fmt.Fprintf(w, "  %s rejected: %d %s\n", k, c.Reasons[r], r)
		}
		for _, m := range c.Warnings {
			fmt.Fprintf(w, "  %s warning: %s\n", k, m)
		}
	}
}

func kindOrder(k string) int {
	for i, kk := range dataset.Kinds {
		if string(kk) == k {
			return i
		}
	}
	return len(dataset.Kinds)
}

// dataWarnings prints the warnings about the data (most events of an
// unknown type) and what a pushed-down run skipped on stderr, where they
// are not missed even with --json.
func dataWarnings(w io.Writer, quiet bool, warnings []string) {
	if quiet {
		return
	}
	for _, m := range warnings {
		if strings.HasPrefix(m, "events: ") || strings.HasPrefix(m, "pushdown: ") || strings.HasPrefix(m, "sample: ") {
			fmt.Fprintf(w, "persona: warning: %s\n", m)
		}
	}
}
