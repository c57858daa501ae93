package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/store"
)

// RunsOptions holds the flags of "persona runs".
type RunsOptions struct {
	IO    *IOStreams
	Store string
	JSON  bool
}

// NewCmdRuns lists the runs in a store.
func NewCmdRuns(f *Factory, runF func(*RunsOptions) error) *cobra.Command {
	opts := &RunsOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs saved in a store",
		Long: `List the runs a store holds, newest first: id, time, algorithm, users,
segments and the fingerprint of the feature table.

--store is a postgres:// URL, a DuckDB file, or an output folder (its
persona.duckdb).`,
		Example: `  persona runs --store out
  persona runs --store postgres://persona@localhost/persona --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Store == "" {
				return usagef("--store must name a store (an output folder, a DuckDB file or a postgres:// URL)")
			}
			if runF != nil {
				return runF(opts)
			}
			return runsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Store, "store", "", "the store: output `folder`, DuckDB file or postgres:// URL")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the runs as JSON")
	return cmd
}

// storeDSN turns --store into what store.Open takes: a folder becomes its
// persona.duckdb.
func storeDSN(s string) string {
	if store.IsPostgres(s) {
		return s
	}
	if fi, err := os.Stat(s); err == nil && fi.IsDir() {
		return filepath.Join(s, store.File)
	}
	return s
}

// openStore opens an existing store named by --store.
func openStore(ctx context.Context, s string) (*store.Store, error) {
	dsn := storeDSN(s)
	if !store.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("store %s: %w", dsn, err)
		}
	}
	return store.Open(ctx, DriverName, dsn)
}

func runsRun(ctx context.Context, opts *RunsOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := openStore(ctx, opts.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	runs, err := st.Runs(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		if runs == nil {
			runs = []store.Run{}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(runs)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tALGORITHM\tUSERS\tSEGMENTS\tFINGERPRINT")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.12s\n", r.ID, r.CreatedAt.Format("2006-01-02 15:04:05Z"), r.Algorithm, r.Users, r.Segments, r.Fingerprint)
	}
	return tw.Flush()
}
