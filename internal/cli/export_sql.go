package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
)

// ExportSQLOptions holds the flags of "persona export-sql".
type ExportSQLOptions struct {
	IO      *IOStreams
	Model   string
	Dialect string
	Table   string
	// CreateTable, when set, wraps the query in a transaction that writes
	// its result into that table in place of the previous one.
	CreateTable string
	Quiet       bool
	JSON        bool
}

// NewCmdExportSQL prints a query that assigns segments inside a database.
func NewCmdExportSQL(f *Factory, runF func(*ExportSQLOptions) error) *cobra.Command {
	opts := &ExportSQLOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "export-sql",
		Short: "Print one SQL query that assigns segments from a feature table in your database",
		Long: `Print one SQL query that does what "persona score" does to a feature table
that is already in a database: scaling, principal components and the
nearest segment centre (or, for DBSCAN, the nearest core point within eps,
else segment -1), with the model's parameters written in as constants.

The table (--table) must have a user_id column and one numeric column per
feature of the model, named as in features.csv. The query returns user_id,
segment and distance, ordered by user_id.

It reads --model (a model.json or a run's output folder) and writes the query
on stdout; --json prints {"dialect", "sql"} instead; --quiet prints nothing
(the exit code says whether the model can be exported).

--create-table NAME prints a script instead, one transaction that writes
the result into NAME (schema.table allowed) in place of the table's
previous content, as "persona run --sample" writes its assignment table:
the table is built as NAME__persona_new (with user_id its primary key in
Postgres), then the previous NAME is dropped and the new one renamed.
Readers see the previous table until the commit; a failed script leaves
it.`,
		Example: `  persona export-sql --model out/model.json --dialect postgres --table features > assign.sql
  psql "$DSN" -f assign.sql
  persona export-sql --model out --json
  persona export-sql -m out --dialect postgres --table features --create-table analytics.persona_segments | psql "$DSN"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Model == "" {
				return usagef("--model must name a model.json or a run's output folder")
			}
			if opts.Dialect != model.DialectDuckDB && opts.Dialect != model.DialectPostgres {
				return usagef("--dialect must be duckdb or postgres, got %q", opts.Dialect)
			}
			if opts.Table == "" {
				return usagef("--table must name the feature table")
			}
			if runF != nil {
				return runF(opts)
			}
			return exportSQLRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Model, "model", "m", "", "model `file` (model.json) or a run's output folder")
	cmd.Flags().StringVar(&opts.Dialect, "dialect", model.DialectDuckDB, "SQL dialect: duckdb or postgres")
	cmd.Flags().StringVar(&opts.Table, "table", "features", "feature `table` the query reads (schema.table allowed)")
	cmd.Flags().StringVar(&opts.CreateTable, "create-table", "", "print a transaction that writes the assignment into this `table`, replacing it")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, `print {"dialect", "sql"} as JSON on stdout`)
	return cmd
}

func exportSQLRun(opts *ExportSQLOptions) error {
	m, err := readModel(opts.Model)
	if err != nil {
		return err
	}
	q, err := m.SQL(opts.Table, opts.Dialect)
	if err != nil {
		return err
	}
	if opts.CreateTable != "" {
		build, swap, err := pipeline.AssignTableSQL(q, opts.CreateTable, opts.Dialect)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("--create-table: %w", err)}
		}
		q = "BEGIN;\n" + strings.Join(append(build, swap...), ";\n") + ";\nCOMMIT;\n"
	}
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, struct {
			Dialect string `json:"dialect"`
			SQL     string `json:"sql"`
		}{opts.Dialect, q})
	case opts.Quiet:
		return nil
	}
	_, err = fmt.Fprint(opts.IO.Out, q)
	return err
}
