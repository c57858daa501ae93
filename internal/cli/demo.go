package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/kselect"
	"github.com/persona-seg/persona/pipeline"
)

// DemoOptions holds the flags of "persona demo".
type DemoOptions struct {
	IO    *IOStreams
	Out   string
	Users int
	Seed  uint64
	SegmentFlags
	Store string
	Quiet bool
	JSON  bool
}

// NewCmdDemo generates demo data and runs the whole pipeline on it.
func NewCmdDemo(f *Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate demo data and run the whole pipeline on it",
		Long: `Generate a realistic demo user base with planted personas (users, events,
transactions and social activity as CSV in OUT/data), then run the whole
pipeline on it: features per user, scaling, k-means with the number of
segments chosen from the silhouette, the stability and the prediction strength
of every k (the table is printed; see README "Choosing the number of
segments"), segment profiles and the report.

It reads nothing. Outputs in OUT (default demo-out): data/, segments.csv,
profiles.json, report.html (+ charts/), summary.json (k, silhouette, sizes,
timings, ari_vs_planted). Defaults: 20,000 users, seed 1, k-means with k
chosen in 2..12 on 10 principal components.

A line per step goes to stderr (a bar with an ETA on a terminal), the
summary to stdout; --json prints summary.json's content instead, --quiet
prints nothing but errors.`,
		Example: `  persona demo --out demo-out
  persona demo --out /tmp/small --users 2000 --seed 7
  persona demo --out demo-out --k 6 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Users < 1 {
				return usagef("--users must be a positive number of users, got %d", opts.Users)
			}
			if opts.Out == "" {
				return usagef("--out must name a folder")
			}
			if err := opts.SegmentFlags.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return demoRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "demo-out", "output `folder`")
	cmd.Flags().IntVar(&opts.Users, "users", 20000, "number of demo users")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "random seed: the same seed gives the same data and segments")
	opts.SegmentFlags.register(cmd)
	cmd.Flags().StringVar(&opts.Store, "store", "", "save the run in this store: a postgres:// URL or a DuckDB file (default OUT/persona.duckdb)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the run summary (summary.json) as JSON on stdout")
	return cmd
}

func parseKRange(s string) (int, int, error) {
	var lo, hi int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d..%d", &lo, &hi); err != nil {
		return 0, 0, usagef("--k-range must look like 2..12, got %q", s)
	}
	if lo < 2 || hi < lo {
		return 0, 0, usagef("--k-range must satisfy 2 <= MIN <= MAX, got %q", s)
	}
	return lo, hi, nil
}

func demoRun(opts *DemoOptions) error {
	ctx, stop := signalContext(context.Background())
	defer stop()
	prog := newProgress(opts.IO, opts.Quiet)
	defer prog.done(nil) // stops the redraws on every return; a no-op after the done below
	po := pipeline.Options{
		Out: opts.Out, Seed: opts.Seed, Store: runStore(opts.Store, opts.Out),
		Logger:   slog.New(slog.DiscardHandler),
		Progress: prog.update,
	}
	if err := opts.SegmentFlags.apply(&po); err != nil {
		return err
	}
	sum, err := pipeline.Demo(ctx, DriverName, pipeline.DemoOptions{Users: opts.Users, Options: po})
	err = interrupted(ctx, err)
	prog.done(err)
	if err != nil {
		return err
	}
	if opts.JSON {
		return printJSON(opts.IO.Out, sum)
	}
	if !opts.Quiet {
		printSummary(opts.IO.Out, opts.Out, opts.Store, sum)
	}
	return nil
}

// printSummary prints the k table, the notes, the segments and, last, what
// to run next.
func printSummary(w io.Writer, out, store string, sum *pipeline.Summary) {
	if len(sum.KSelection) > 0 {
		fmt.Fprintln(w, "Choosing the number of segments:")
		printKTable(w, sum.KSelection, sum.K, sum.KElbow)
	}
	if sum.AlgorithmReason != "" {
		fmt.Fprintf(w, "algorithm %s: %s\n", sum.Algorithm, sum.AlgorithmReason)
	}
	for _, warn := range sum.Warnings {
		fmt.Fprintf(w, "note: %s\n", warn)
	}
	fmt.Fprintf(w, "\n%d users, %d segments (%s), silhouette %.3f", sum.Users, sum.K, sum.KRule, sum.Silhouette)
	if sum.ARIVsPlanted != nil {
		fmt.Fprintf(w, ", ari_vs_planted %.3f", *sum.ARIVsPlanted)
	}
	fmt.Fprintf(w, ", %.1fs\n\n", sum.TotalSeconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEGMENT\tUSERS\tSHARE\tNAME")
	for _, s := range sum.Segments {
		fmt.Fprintf(tw, "%d\t%d\t%.1f%%\t%s\n", s.ID, s.Size, 100*s.Share, s.Name)
	}
	tw.Flush()
	var kept, renamed []string
	for _, s := range sum.Segments {
		switch {
		case s.Previous == "":
		case s.Previous == s.Name:
			kept = append(kept, strconv.Itoa(s.ID))
		default:
			renamed = append(renamed, fmt.Sprintf("  %d %q (was %q)", s.ID, s.Name, s.Previous))
		}
	}
	if len(kept)+len(renamed) > 0 {
		fmt.Fprintf(w, "\nSegments carried over from the previous run in %s: %d kept their names", out, len(kept))
		if len(kept) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(kept, ", "))
		}
		fmt.Fprintf(w, ", %d renamed", len(renamed))
		if len(renamed) > 0 {
			fmt.Fprintf(w, " as their standing or leading traits changed:\n%s", strings.Join(renamed, "\n"))
		}
		fmt.Fprintln(w, ".")
	}
	out = strings.TrimRight(out, "/")
	fmt.Fprintf(w, "\nReport: %s/report.html\n", out)
	fmt.Fprintf(w, "Next: persona serve --store %s   (API and dashboard on http://127.0.0.1:8080/)\n", serveStoreArg(out, store))
}

// serveStoreArg is the --store that serves a run saved with --store store
// into the folder out. A postgres:// URL may hold a password, so it is not
// echoed back.
func serveStoreArg(out, store string) string {
	switch {
	case store == "":
		return out
	case strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://"):
		return "POSTGRES_URL"
	}
	return store
}

// printKTable prints the scores of every k tried, marking the chosen k and
// the elbow of the inertia curve. The stability columns are left out when
// they were not computed.
func printKTable(w io.Writer, scores []kselect.Score, chosen, elbow int) {
	stab := false
	for _, s := range scores {
		stab = stab || s.Stability != 0 || s.PredictionStrength != 0
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "K\tINERTIA\tSILHOUETTE\tCALINSKI-HARABASZ\tDAVIES-BOULDIN\t"
	if stab {
		head += "STABILITY\tPREDICTION STRENGTH\t"
	}
	fmt.Fprintln(tw, head)
	for _, s := range scores {
		mark := ""
		switch {
		case s.K == chosen && s.K == elbow:
			mark = "<- chosen (and the elbow)"
		case s.K == chosen:
			mark = "<- chosen"
		case s.K == elbow:
			mark = "<- elbow of inertia"
		}
		if s.Clusters != 0 && s.Clusters < s.K {
			mark = strings.TrimSpace(fmt.Sprintf("%s (%d clusters: merges tie)", mark, s.Clusters))
		}
		fmt.Fprintf(tw, "%d\t%.4g\t%.3f\t%.1f\t%.3f\t", s.K, s.Inertia, s.Silhouette, s.CalinskiHarabasz, s.DaviesBouldin)
		if stab {
			fmt.Fprintf(tw, "%.3f\t%.3f\t", s.Stability, s.PredictionStrength)
		}
		fmt.Fprintln(tw, mark)
	}
	tw.Flush()
}
