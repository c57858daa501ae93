package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/sqlquote"
	"github.com/persona-seg/persona/pipeline"
)

// FeaturesOptions holds the flags of "persona features".
type FeaturesOptions struct {
	IO            *IOStreams
	Config        string
	Out           string
	Rejects       string
	MaxRejectRate float64 // < 0: from the config
	Quiet         bool
	JSON          bool
}

// NewCmdFeatures writes the feature table alone.
func NewCmdFeatures(f *Factory, runF func(*FeaturesOptions) error) *cobra.Command {
	opts := &FeaturesOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "features",
		Short: "Compute one row of features per user and write them to Parquet or CSV",
		Long: `Load the datasets a config file describes (--config, as for persona run;
"persona init" drafts one), check every row, and write the feature table
(one row per user, sorted by user_id; docs/features.md defines every column)
to --out, a .parquet or .csv file chosen by its extension (default
features.parquet). Rows that cannot be used go to --rejects/<dataset>.csv
(default: a rejects folder beside the output); more than --max-reject-rate
of a dataset's rows (default: the config's, else 1%) fails the command,
and those rejects go to a folder named after the attempt (rejects-ID).
The file and the rejects folder are each replaced in one rename: a failed
or interrupted command leaves the previous ones as they were.

Prints the rows read per dataset and the size of the table; a line per step
on stderr. --json prints {rows, rows_used, rows_rejected, users, features,
seconds, path, rejects, datasets, memory, engine, rows_transferred} instead
(memory: DuckDB's memory limit, where it comes from, where it spills);
--quiet prints nothing.

When every dataset is a postgres source on one server (or the config says
engine: postgres), the row checks and the feature query run in Postgres,
in one read-only transaction, and only the feature table comes back
(engine "postgres"; rows_transferred is its rows plus the rejected rows
sampled, at most 1,000 a dataset, which the rejects files then hold).
engine: duckdb copies every raw row into the embedded DuckDB instead
(rows_transferred counts them).`,
		Example: `  persona features --config persona.yaml --out features.parquet
  persona features --config examples/online-retail/persona.yaml --out rfm.csv
  persona features -c persona.yaml -o features.csv --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Config == "" {
				return usagef("--config must name a config file (persona init drafts one)")
			}
			switch strings.ToLower(filepath.Ext(opts.Out)) {
			case ".parquet", ".csv":
			default:
				return usagef("--out must name a .parquet or .csv file, got %q", opts.Out)
			}
			if cmd.Flags().Changed("max-reject-rate") && (opts.MaxRejectRate < 0 || opts.MaxRejectRate > 1) {
				return usagef("--max-reject-rate must be between 0 and 1, got %g", opts.MaxRejectRate)
			}
			if !cmd.Flags().Changed("max-reject-rate") {
				opts.MaxRejectRate = -1
			}
			if opts.Rejects == "" {
				opts.Rejects = filepath.Join(filepath.Dir(opts.Out), "rejects")
			}
			if runF != nil {
				return runF(opts)
			}
			return featuresRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Config, "config", "c", "", "config `file` (YAML)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "features.parquet", "output `file`: .parquet or .csv")
	cmd.Flags().StringVar(&opts.Rejects, "rejects", "", "`folder` for rejects/<dataset>.csv (default: rejects beside --out)")
	cmd.Flags().Float64Var(&opts.MaxRejectRate, "max-reject-rate", dataset.DefaultMaxRejectRate, "largest share of a dataset's rows that may be rejected (overrides the config)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary (rows, users, features, seconds, path) on stdout")
	return cmd
}

// featuresSummary is what "persona features --json" prints.
type featuresSummary struct {
	Rows         int64                     `json:"rows"` // read, all datasets
	RowsUsed     int64                     `json:"rows_used"`
	RowsRejected int64                     `json:"rows_rejected"`
	Users        int                       `json:"users"`
	Features     int                       `json:"features"`
	Seconds      float64                   `json:"seconds"`
	Path         string                    `json:"path"`
	Rejects      []string                  `json:"rejects"` // files of rejected or dropped rows
	Datasets     map[string]dataset.Counts `json:"datasets"`
	Memory       dataset.Memory            `json:"memory"` // DuckDB's budget
	// Engine is where the features were computed: duckdb or postgres
	// (pushed down into the server that holds the datasets).
	Engine string `json:"engine"`
	// RowsTransferred counts the rows that crossed the wire from
	// Postgres: every raw row of the postgres sources copied into DuckDB,
	// or, pushed down, the feature table's rows and the rejected rows
	// sampled (the catalogue's inspection queries read a few dozen rows
	// of aggregates besides, not counted).
	RowsTransferred int64 `json:"rows_transferred"`
}

func featuresRun(opts *FeaturesOptions) (err error) {
	start := time.Now()
	cfg, err := loadConfig(opts.Config, opts.MaxRejectRate)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(context.Background())
	defer stop()
	prog := newProgress(opts.IO, opts.Quiet)
	defer func() { prog.done(err) }()
	// The table is a file, not a folder: it and the rejects folder are
	// each replaced in one rename, the rejects first (pipeline.FileOut).
	out, err := pipeline.OpenFile(opts.Out, opts.Rejects)
	if err != nil {
		return err
	}
	defer out.Abort()
	var (
		n, d     int
		counts   = map[string]dataset.Counts{}
		written  []string
		warnings []string
		mem      dataset.Memory
		where    = wire{}
	)
	n, d, written, err = computeFeatures(ctx, cfg, opts, out, counts, &warnings, &mem, &where, prog)
	if err == nil {
		err = out.Commit()
	}
	if err != nil {
		return interrupted(ctx, err)
	}
	prog.done(nil)
	dataWarnings(opts.IO.ErrOut, opts.Quiet, warnings)
	sum := featuresSummary{Users: n, Features: d, Path: opts.Out, Rejects: written, Datasets: counts, Memory: mem, Engine: where.engine, RowsTransferred: where.rows}
	for _, c := range counts {
		sum.Rows += c.Read
		sum.RowsUsed += c.Used
		sum.RowsRejected += c.Rejected
	}
	if sum.Rejects == nil {
		sum.Rejects = []string{}
	}
	sum.Seconds = time.Since(start).Seconds()
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, sum)
	case !opts.Quiet:
		printDatasets(opts.IO.Out, counts)
		fmt.Fprintf(opts.IO.Out, "\n%d users × %d features written to %s\n", n, d, opts.Out)
		for _, p := range written {
			fmt.Fprintf(opts.IO.Out, "Rejected or dropped rows: %s\n", p)
		}
	}
	return nil
}

// computeFeatures loads the data and writes the rejects and the feature
// table to out's temporary names, and returns the table's size and the
// rejects files as they will be named once committed.
func computeFeatures(ctx context.Context, cfg *dataset.Config, opts *FeaturesOptions, out *pipeline.FileOut, counts map[string]dataset.Counts, warnings *[]string, mem *dataset.Memory, where *wire, prog *progress) (n, d int, written []string, err error) {
	engine, err := cfg.PushdownEngine()
	if err != nil {
		return 0, 0, nil, err
	}
	where.engine = engine
	if engine == dataset.EnginePostgres {
		return pushFeatures(ctx, cfg, opts, out, counts, warnings, where, prog)
	}
	// DuckDB spills beyond its memory limit into a folder of the
	// system's temp folder (without one, into .tmp of the working
	// folder), removed once the database is closed.
	spill, err := os.MkdirTemp("", "persona-spill-")
	if err != nil {
		return 0, 0, nil, fmt.Errorf("temporary folder: %w", err)
	}
	defer os.RemoveAll(spill)
	db, err := sql.Open(DriverName, "")
	if err != nil {
		return 0, 0, nil, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	step := func(name string) func(done, total int) {
		return func(done, total int) { prog.update(pipeline.Progress{Step: name, Done: done, Total: total}) }
	}
	prog.update(pipeline.Progress{Step: "load"})
	// The load sandboxes DuckDB: the file the table is copied to must be
	// named now.
	st, err := dataset.LoadWith(ctx, db, cfg, dataset.LoadOptions{Progress: step("load"), Outputs: []string{out.Temp()}, TempDirectory: spill})
	*mem = st.Memory
	var rr *dataset.RejectRateError
	if err != nil && !errors.As(err, &rr) {
		return 0, 0, nil, err
	}
	for k, c := range st.Counts {
		counts[string(k)] = c
		if s := cfg.Source(k); s != nil && s.Postgres != nil {
			where.rows += c.Read
		}
	}
	files, werr := dataset.WriteRejects(ctx, db, out.RejectsTemp())
	if werr != nil {
		return 0, 0, nil, errors.Join(err, werr)
	}
	if written, err = landRejects(out, opts.Rejects, files, err, rr); err != nil {
		return 0, 0, nil, err
	}
	prog.update(pipeline.Progress{Step: "features"})
	n, d, *warnings, err = writeFeatures(ctx, db, featureOptions(cfg), out.Temp(), opts.Out, step("features"))
	return n, d, written, err
}

// writeFeatures computes the feature table in db, stage by stage with
// progress, and copies it, sorted by user_id, to the file tmp (Parquet or
// CSV by the extension of path, the file it becomes; a table without
// users is an error and leaves no tmp). db must hold one connection (the
// stages are temporary tables). The final join is copied straight to the
// file: materializing the wide table first would cost more than the join.
func writeFeatures(ctx context.Context, db *sql.DB, o features.Options, tmp, path string, progress func(done, total int)) (users, cols int, warnings []string, err error) {
	if err := o.Validate(); err != nil {
		return 0, 0, nil, err
	}
	q, err := features.Build(ctx, db, o)
	if err != nil {
		return 0, 0, nil, err
	}
	for i, st := range q.Stages {
		progress(i, len(q.Stages)+1)
		if _, err := db.ExecContext(ctx, st); err != nil {
			return 0, 0, nil, fmt.Errorf("compute features: %w", err)
		}
	}
	progress(len(q.Stages), len(q.Stages)+1)
	// Row groups smaller than DuckDB's default (122,880 rows) let the
	// threads encode a table of ~100k users in parallel.
	format := "FORMAT parquet, ROW_GROUP_SIZE 32768"
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		format = "FORMAT csv, HEADER"
	}
	copyQ := fmt.Sprintf("COPY (%s\nORDER BY user_id) TO %s (%s)", q.Final, sqlquote.String(tmp), format)
	res, err := db.ExecContext(ctx, copyQ)
	if err != nil {
		os.Remove(tmp)
		return 0, 0, nil, fmt.Errorf("write %s: %w", path, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		os.Remove(tmp)
		return 0, 0, nil, fmt.Errorf("write %s: %w", path, err)
	}
	if n == 0 {
		os.Remove(tmp)
		return 0, 0, nil, errors.New("no users found in the data")
	}
	progress(len(q.Stages)+1, len(q.Stages)+1)
	return int(n), len(q.Features), q.Warnings, nil
}

// landRejects names the rejects files written into out's staging folder
// as they will be once committed under rejectsDir. With a reject-rate
// error rr (err), there are too many rejects: it keeps them beside the
// previous ones, in a folder named after this attempt (rr.Dir), and
// returns err.
func landRejects(out *pipeline.FileOut, rejectsDir string, files []string, err error, rr *dataset.RejectRateError) ([]string, error) {
	if rr != nil {
		kept, kerr := out.KeepFailed()
		if kerr != nil {
			return nil, errors.Join(err, kerr)
		}
		rr.Dir = kept
		return nil, err
	}
	var written []string
	for _, f := range files {
		written = append(written, filepath.Join(rejectsDir, filepath.Base(f)))
	}
	return written, nil
}
