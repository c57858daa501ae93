package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/atomicfile"
)

// InitOptions holds the flags of "persona init".
type InitOptions struct {
	IO    *IOStreams
	Files map[dataset.Kind]string
	Out   string
	Force bool
}

// NewCmdInit drafts a config from the user's files.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO, Files: map[dataset.Kind]string{}}
	paths := map[dataset.Kind]*string{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Draft a config file from your data files",
		Long: `Sniff each file given (CSV dialect, header, column types, timestamp
format; Parquet and JSON lines schemas) and write a commented config with
guesses for which column holds each canonical field. Check the guesses, then
run "persona run --config FILE --out DIR".`,
		Example: `  persona init --transactions sales.csv.gz --out persona.yaml
  persona init --events 'logs/*.parquet' --users users.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for k, p := range paths {
				if *p != "" {
					opts.Files[k] = *p
				}
			}
			if len(opts.Files) == 0 {
				return usagef("name at least one data file: --users, --events, --transactions or --social")
			}
			if opts.Out == "" {
				return usagef("--out must name the config file to write")
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	for _, k := range dataset.Kinds {
		p := new(string)
		paths[k] = p
		cmd.Flags().StringVar(p, string(k), "", fmt.Sprintf("the %s data: a CSV, Parquet or JSON-lines `file` or glob", k))
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "persona.yaml", "config `file` to write")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing config file")
	return cmd
}

func initRun(opts *InitOptions) error {
	if _, err := os.Stat(opts.Out); err == nil && !opts.Force {
		return fmt.Errorf("%s exists: pass --force to overwrite it", opts.Out)
	}
	db, err := sql.Open(DriverName, "")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	text, err := dataset.Draft(context.Background(), db, opts.Files, filepath.Dir(opts.Out))
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(opts.Out, text); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Wrote %s: check its guesses, then run\n  persona run --config %s --out OUT\n", opts.Out, opts.Out)
	return nil
}
