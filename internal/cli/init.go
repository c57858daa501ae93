package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/atomicfile"
)

// InitOptions holds the flags of "persona init".
type InitOptions struct {
	IO *IOStreams
	// Files are the files given per dataset: several are tables to join.
	Files map[dataset.Kind][]string
	Out   string
	Force bool
	Quiet bool
	JSON  bool
}

// NewCmdInit drafts a config from the user's files.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO, Files: map[dataset.Kind][]string{}}
	paths := map[dataset.Kind]*[]string{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Draft a config file from your data files",
		Long: `Sniff each file given (CSV dialect, header, column types, timestamp
format; Parquet and JSON lines schemas) and write a commented config with
guesses for which column holds each canonical field. A --users file (one
row per customer: a CRM export, a survey, a subscription table) has every
column drafted: the user key (an id column, else each row's number), and
every other column as an attribute of the type its values suggest
(numeric, categorical, ordinal buckets such as 18-24 or 20k-40k, boolean,
list, date, or ignore for free text), with examples in a comment; a column
named like an outcome (churn, response, converted, target, label, y) is an
outcome, reported per segment and never clustered. Check the guesses, then
run "persona run --config FILE --out DIR" (a users file runs as drafted).

It reads the first rows of each file named by --users, --events,
--transactions and --social (at least one; a glob is read from its first
match) and writes --out (default persona.yaml), never overwriting an
existing file unless --force. A flag given several times names tables to
join: order lines, the orders they belong to and the products they name
(--transactions items.csv --transactions orders.csv --transactions
products.csv) become sources: and a query joining them on the key
columns they share; further --users files become profiles: tables
joined on the user key. Paths in the config are relative to its
folder. --json prints the guesses (path, delimiter, header, timestamp format
and column of each field per dataset, and whether the config loads as it
is); --quiet writes the file silently.`,
		Example: `  persona init --transactions sales.csv.gz --out persona.yaml
  persona init --users Mall_Customers.csv --out mall.yaml && persona run -c mall.yaml -o out
  persona init --events 'logs/*.parquet' --users users.csv
  persona init --transactions items.csv --transactions orders.csv --transactions products.csv --users customers.csv
  persona init --transactions sales.csv --out persona.yaml --force --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for k, p := range paths {
				for _, f := range *p {
					if f != "" {
						opts.Files[k] = append(opts.Files[k], f)
					}
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
		p := new([]string)
		paths[k] = p
		cmd.Flags().StringArrayVar(p, string(k), nil, fmt.Sprintf("the %s data: a CSV, Parquet or JSON-lines `file` or glob; repeat it for tables to join", k))
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "persona.yaml", "config `file` to write")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing config file")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the sniffed guesses as JSON on stdout")
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
	text, notes, err := dataset.DraftFiles(context.Background(), db, opts.Files, filepath.Dir(opts.Out))
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(opts.Out, text); err != nil {
		return err
	}
	switch {
	case opts.JSON:
		sum, err := initGuesses(opts.Out, text)
		if err != nil {
			return err
		}
		return printJSON(opts.IO.Out, sum)
	case !opts.Quiet:
		for _, n := range notes {
			fmt.Fprintf(opts.IO.Out, "%s\n", n)
		}
		fmt.Fprintf(opts.IO.Out, "Wrote %s: check its guesses, then run\n  persona run --config %s --out OUT\n", opts.Out, opts.Out)
	}
	return nil
}

// initSummary is what "persona init --json" prints.
type initSummary struct {
	Config   string               `json:"config"`
	Datasets map[string]initGuess `json:"datasets"`
	// Ready says whether the config loads as drafted; Problem says why not
	// (typically a required field no column was guessed for).
	Ready   bool   `json:"ready"`
	Problem string `json:"problem,omitempty"`
}

// initGuess is what init guessed for one dataset.
type initGuess struct {
	Path            string            `json:"path"`
	Delimiter       string            `json:"delimiter,omitempty"`
	Header          *bool             `json:"header,omitempty"`
	TimestampFormat string            `json:"timestamp_format,omitempty"`
	Columns         map[string]string `json:"columns"` // canonical field -> source column
}

// initGuesses reads the guesses back from the drafted config text and checks
// whether the config at path loads.
func initGuesses(path string, text []byte) (*initSummary, error) {
	var cfg dataset.Config
	if err := yaml.Unmarshal(text, &cfg); err != nil {
		return nil, fmt.Errorf("read back %s: %w", path, err)
	}
	sum := &initSummary{Config: path, Datasets: map[string]initGuess{}}
	for k, src := range map[dataset.Kind]*dataset.Source{dataset.Users: cfg.Users, dataset.Events: cfg.Events, dataset.Transactions: cfg.Transactions, dataset.Social: cfg.Social} {
		if src == nil {
			continue
		}
		g := initGuess{Path: src.Path, Delimiter: src.CSV.Delimiter, Header: src.CSV.Header, TimestampFormat: src.TimestampFormat, Columns: src.Columns}
		if g.Columns == nil {
			g.Columns = map[string]string{}
		}
		sum.Datasets[string(k)] = g
	}
	if _, err := dataset.LoadConfig(path); err != nil {
		sum.Problem = strings.ReplaceAll(err.Error(), "\n", " ")
	} else {
		sum.Ready = true
	}
	return sum, nil
}
