package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/audience"
	"github.com/persona-seg/persona/internal/atomicfile"
)

// ExportOptions holds the flags of "persona export".
type ExportOptions struct {
	IO         *IOStreams
	Store      string
	Run        string
	Segment    string
	All        bool
	Format     string
	Out        string
	Attributes []string
	Value      string
	Quiet      bool
	JSON       bool
}

// exportFormats are the formats of persona export, by file extension.
var exportFormats = map[string]string{".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}

// NewCmdExport writes the members of a run's segments as audience files.
func NewCmdExport(f *Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a segment's members as a file ad platforms and CRMs take",
		Long: `Write the users of one segment (--segment, by id or name) or of every
segment (--all, one file each) of the newest run in a store, as CSV, Parquet
or JSON lines, one row per user:

  user_id, segment_id, segment_name, distance   (to the segment, as segments.csv)
  p_alive, expected_purchases, clv, ...         the run's value.csv, when it has one
  the run's outcomes                            (churned, ...) when the data has them
  --attributes                                  the attributes named (or all), as the data gives them
  email_sha256, phone_sha256,                   when the config maps email or phone attributes:
  phone_digits_sha256                           SHA-256 hashes, never the addresses

Identifiers are normalised as Google Customer Match and Meta custom
audiences ask before hashing: an e-mail address trimmed and lowercased; a
phone number in E.164 (+ country code and number: phone_sha256, Google's
and TikTok's form) and its digits alone (phone_digits_sha256, Meta's); a
number written without its country code takes the attribute's country.
A value that cannot be normalised has no hash (an empty cell).

--format is csv, parquet or jsonl (default: from --out's extension, else
csv). With --all, --out is a folder that gets segment-<id>.<format> per
segment. --run exports an older committed run (persona runs lists them).
--value names a value.csv to join (default: the one beside the store's
run, when exporting the run its folder shows). Each file appears whole or
not at all. It prints a line per file; --json prints {run_id, columns,
files: [{segment, name, users, path}]}; --quiet prints nothing but errors.`,
		Example: `  persona export --store out --segment 3 --out champions.csv
  persona export --store out --segment "loyal spenders" --out loyal.parquet --attributes plan,country
  persona export --store postgres://persona@db/persona --all --format jsonl --out audiences/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Store == "":
				return usagef("--store must name a store (an output folder, a DuckDB file or a postgres:// URL)")
			case opts.Segment == "" && !opts.All:
				return usagef("--segment must name a segment (its id or name), or give --all")
			case opts.Segment != "" && opts.All:
				return usagef("--segment and --all go apart: one segment, or every one")
			case opts.Out == "":
				return usagef("--out must name the file to write (with --all, a folder)")
			}
			if opts.Format == "" {
				opts.Format = "csv"
				if f, ok := exportFormats[strings.ToLower(filepath.Ext(opts.Out))]; ok && !opts.All {
					opts.Format = f
				}
			}
			switch opts.Format {
			case "csv", "parquet", "jsonl":
			default:
				return usagef("--format must be csv, parquet or jsonl, got %q", opts.Format)
			}
			if !opts.All {
				if f, ok := exportFormats[strings.ToLower(filepath.Ext(opts.Out))]; ok && f != opts.Format {
					return usagef("--out %s is not a %s file (--format %s)", opts.Out, opts.Format, opts.Format)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRunSegments(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Store, "store", "", "the store: output `folder`, DuckDB file or postgres:// URL")
	cmd.Flags().StringVar(&opts.Run, "run", "", "export committed run `ID` (default: the newest)")
	cmd.Flags().StringVar(&opts.Segment, "segment", "", "the segment: its `id or name`")
	cmd.Flags().BoolVar(&opts.All, "all", false, "every segment, one file each into the --out folder")
	cmd.Flags().StringVar(&opts.Format, "format", "", "csv, parquet or jsonl (default from --out's extension, else csv)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "the `file` to write (with --all, a folder)")
	cmd.Flags().StringSliceVar(&opts.Attributes, "attributes", nil, "attributes to add, by `name` (comma-separated), or all")
	cmd.Flags().StringVar(&opts.Value, "value", "", "a value.csv `file` to join by user_id (default: the run folder's)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print {run_id, columns, files} as JSON on stdout")
	return cmd
}

// exportedFile is one file persona export wrote.
type exportedFile struct {
	Segment int    `json:"segment"`
	Name    string `json:"name"`
	Users   int    `json:"users"`
	Path    string `json:"path"`
}

func exportRunSegments(ctx context.Context, opts *ExportOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signalContext(ctx)
	defer stop()
	st, err := openStore(ctx, opts.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	runs := readRuns(opts.Store, st)
	latest, err := runs.Latest(ctx)
	if errors.Is(err, persona.ErrNoRuns) {
		return fmt.Errorf("store %s holds no run yet: run persona run or persona demo first", opts.Store)
	}
	if err != nil {
		return err
	}
	id := latest
	if opts.Run != "" {
		id = opts.Run
	}
	res, err := runs.Load(ctx, id)
	if err != nil {
		return err
	}
	ao := audience.Options{Attributes: opts.Attributes}
	valuePath := opts.Value
	if valuePath == "" && id == latest {
		if dir := storeFolder(opts.Store); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "value.csv")); err == nil {
				valuePath = filepath.Join(dir, "value.csv")
			}
		}
	}
	if valuePath != "" {
		f, err := os.Open(valuePath)
		if err != nil {
			return fmt.Errorf("--value: %w", err)
		}
		ao.Value, err = audience.ReadTable(f, valuePath)
		f.Close()
		if err != nil {
			return err
		}
	}
	var segs []int
	if opts.All {
		for _, s := range res.Profiles.Segments {
			segs = append(segs, s.ID)
		}
		if err := os.MkdirAll(opts.Out, 0o755); err != nil {
			return err
		}
	} else {
		s, err := audience.Segment(res, opts.Segment)
		if err != nil {
			return err
		}
		segs = []int{s}
	}
	var db *sql.DB
	if opts.Format == "parquet" {
		if db, err = sql.Open(DriverName, ""); err != nil {
			return err
		}
		defer db.Close()
	}
	var files []exportedFile
	var columns []string
	for _, seg := range segs {
		l, err := audience.New(res, seg, ao)
		if err != nil {
			return err
		}
		columns = l.Columns()
		path := opts.Out
		if opts.All {
			path = filepath.Join(opts.Out, "segment-"+strconv.Itoa(seg)+"."+opts.Format)
		}
		switch opts.Format {
		case "parquet":
			err = l.WriteParquet(ctx, db, path)
		case "jsonl":
			err = atomicfile.Write(path, l.WriteJSONL)
		default:
			err = atomicfile.Write(path, l.WriteCSV)
		}
		if err != nil {
			return interrupted(ctx, fmt.Errorf("write %s: %w", path, err))
		}
		name := ""
		for _, s := range res.Profiles.Segments {
			if s.ID == seg {
				name = s.Name
			}
		}
		files = append(files, exportedFile{seg, name, l.Len(), path})
	}
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, struct {
			RunID   string         `json:"run_id"`
			Columns []string       `json:"columns"`
			Files   []exportedFile `json:"files"`
		}{res.Run.ID, columns, files})
	case opts.Quiet:
		return nil
	}
	for _, f := range files {
		fmt.Fprintf(opts.IO.Out, "Wrote %d users of segment %d (%s) to %s\n", f.Users, f.Segment, f.Name, f.Path)
	}
	fmt.Fprintf(opts.IO.Out, "Run %s; columns: %s\n", res.Run.ID, strings.Join(columns, ", "))
	return nil
}
