package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/value"
)

// RunsOptions holds the flags of "persona runs".
type RunsOptions struct {
	IO     *IOStreams
	Store  string
	JSON   bool
	Export string
	Out    string
	Quiet  bool
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
persona.duckdb). --export ID --out DIR reads a run back into DIR:
segments.csv, features.csv, profiles.json, recommendations.csv, model.json
and run.json. Nothing else is written.

It prints the table of runs (with --export, the folder written); --json
prints one JSON object instead: {store, runs: [...]}, or with --export
{store, run, out, files}; --quiet prints nothing.`,
		Example: `  persona runs --store out
  persona runs --store postgres://persona@localhost/persona --json
  persona runs --store out --export 20261126-040427.305 --out old-run`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Store == "" {
				return usagef("--store must name a store (an output folder, a DuckDB file or a postgres:// URL)")
			}
			if (opts.Export == "") != (opts.Out == "") {
				return usagef("--export and --out go together: the run id and the folder to write it to")
			}
			if runF != nil {
				return runF(opts)
			}
			return runsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Store, "store", "", "the store: output `folder`, DuckDB file or postgres:// URL")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the runs (with --export, what was written) as one JSON object on stdout")
	cmd.Flags().StringVar(&opts.Export, "export", "", "read run `ID` back into --out")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "output `folder` for --export")
	return cmd
}

func runsRun(ctx context.Context, opts *RunsOptions) error {
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
	if opts.Export != "" {
		res, err := runs.Load(ctx, opts.Export)
		if err != nil {
			return err
		}
		var files []string
		err = pipeline.WriteOut(ctx, opts.Out, pipeline.OutOptions{Owns: exportOutputs}, func(s *pipeline.Stage) error {
			files, err = exportRun(res, s.Dir)
			return err
		})
		if err != nil {
			return interrupted(ctx, err)
		}
		switch {
		case opts.JSON:
			return printJSON(opts.IO.Out, struct {
				Store string   `json:"store"`
				Run   string   `json:"run"`
				Out   string   `json:"out"`
				Files []string `json:"files"`
			}{opts.Store, opts.Export, opts.Out, files})
		case !opts.Quiet:
			fmt.Fprintf(opts.IO.Out, "Wrote run %s to %s\n", opts.Export, opts.Out)
		}
		return nil
	}
	list, err := runs.List(ctx, persona.RunFilter{})
	if err != nil {
		return err
	}
	switch {
	case opts.JSON:
		if list == nil {
			list = []persona.Run{}
		}
		return printJSON(opts.IO.Out, struct {
			Store string        `json:"store"`
			Runs  []persona.Run `json:"runs"`
		}{opts.Store, list})
	case opts.Quiet:
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tALGORITHM\tUSERS\tSEGMENTS\tFINGERPRINT")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.12s\n", r.ID, r.CreatedAt.Format("2006-01-02 15:04:05Z"), r.Algorithm, r.Users, r.Segments, r.Fingerprint)
	}
	return tw.Flush()
}

// exportOutputs are the files runs --export writes.
var exportOutputs = []string{"segments.csv", "features.csv", "recommendations.csv", "value.csv", "profiles.json", "run.json", "model.json"}

// exportRun writes a stored run's results as files in dir and returns
// their names.
func exportRun(res *persona.Results, dir string) ([]string, error) {
	writeCSV := func(name string, header []string, n int, row func(i int) []string) error {
		return atomicfile.Write(filepath.Join(dir, name), func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write(header)
			for i := range n {
				cw.Write(row(i))
			}
			cw.Flush()
			return cw.Error()
		})
	}
	if err := writeCSV("segments.csv", []string{"user_id", "segment", "segment_name", "distance"}, len(res.UserIDs), func(i int) []string {
		return []string{res.UserIDs[i], strconv.Itoa(res.Segments[i]), res.Model.Name(res.Segments[i]), strconv.FormatFloat(res.Distance[i], 'f', 6, 64)}
	}); err != nil {
		return nil, err
	}
	if err := writeCSV("features.csv", append([]string{"user_id"}, res.FeatureNames...), len(res.UserIDs), func(i int) []string {
		rec := []string{res.UserIDs[i]}
		for _, v := range res.Row(i) {
			rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
		}
		return rec
	}); err != nil {
		return nil, err
	}
	type rec struct {
		user string
		rank int
		persona.Recommendation
	}
	var recs []rec
	for _, u := range res.UserIDs {
		for k, r := range res.Recommendations[u] {
			recs = append(recs, rec{u, k + 1, r})
		}
	}
	if err := writeCSV("recommendations.csv", []string{"user_id", "rank", "product_id", "score"}, len(recs), func(i int) []string {
		return []string{recs[i].user, strconv.Itoa(recs[i].rank), recs[i].Product, strconv.FormatFloat(recs[i].Score, 'g', -1, 64)}
	}); err != nil {
		return nil, err
	}
	for name, v := range map[string]any{"profiles.json": res.Profiles, "run.json": res.Run} {
		if err := atomicfile.Write(filepath.Join(dir, name), func(w io.Writer) error { return printJSON(w, v) }); err != nil {
			return nil, err
		}
	}
	if err := res.Model.Write(filepath.Join(dir, "model.json")); err != nil {
		return nil, err
	}
	written := exportOutputs
	if v := res.Values; v != nil {
		var cust []int
		for i, c := range v.Users {
			if c.Customer {
				cust = append(cust, i)
			}
		}
		unit, _ := value.ParseUnit(v.TimeUnit)
		if err := atomicfile.Write(filepath.Join(dir, "value.csv"), func(w io.Writer) error {
			return value.WriteRows(w, unit, v.End, v.LostBelow, len(cust), func(k int) value.Row {
				r, _ := v.Row(cust[k], res.UserIDs[cust[k]])
				return r
			})
		}); err != nil {
			return nil, err
		}
	} else {
		written = slices.DeleteFunc(slices.Clone(written), func(n string) bool { return n == "value.csv" })
	}
	return written, nil
}
