package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/recommend"
)

// RecommendOptions holds the flags of persona recommend.
type RecommendOptions struct {
	IO  *IOStreams
	Ctx context.Context

	Out   string // a run's output folder
	User  string
	N     int
	All   bool
	JSON  bool
	Quiet bool
}

// NewCmdRecommend recommends products to a user of a run.
func NewCmdRecommend(f *Factory, runF func(*RecommendOptions) error) *cobra.Command {
	opts := &RecommendOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "recommend --out DIR (--user ID | --all) [--n 10]",
		Short: "Recommend products a user has not bought yet",
		Long: `Recommend the top N products a user has not bought yet, from the run in
DIR (its baskets.csv and segments.csv): a blend of item-to-item co-occurrence
in all baskets (weight 0.9) and popularity in the user's segment (weight 0.1).
A user without purchases gets the best sellers of their segment; a user
unknown to the run gets the overall best sellers.

It reads DIR/segments.csv and DIR/baskets.csv (written by persona demo and
run) and prints the user's list (rank, product, score); --json prints it as
one JSON object (user, segment, products_bought, recommendations).

With --all, every user's list is written to DIR/recommendations.csv
(user_id, segment, rank, product_id, score) instead, and --json prints
{path, users, n}. --quiet prints nothing.`,
		Example: `  persona recommend --out demo-out --user U000042
  persona recommend --out demo-out --user U000042 --n 5 --json
  persona recommend --out demo-out --all`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Out == "":
				return usagef("--out must name a run's output folder")
			case opts.User == "" && !opts.All:
				return usagef("give --user ID, or --all to write every user's list")
			case opts.User != "" && opts.All:
				return usagef("--user and --all exclude each other")
			case opts.N < 1:
				return usagef("--n must be at least 1, got %d", opts.N)
			}
			opts.Ctx = cmd.Context()
			if opts.Ctx == nil {
				opts.Ctx = context.Background()
			}
			if runF != nil {
				return runF(opts)
			}
			return recommendRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Out, "out", "o", "", "output `folder` of a run (required)")
	fl.StringVar(&opts.User, "user", "", "user `id` to recommend to")
	fl.IntVarP(&opts.N, "n", "n", 10, "number of products per user")
	fl.BoolVar(&opts.All, "all", false, "write every user's list to DIR/recommendations.csv")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the list (with --all: a summary) as one JSON object on stdout")
	return cmd
}

// loadRun fits a recommender on a run's baskets and segments.
func loadRun(ctx context.Context, dir string) (*recommend.Model, []string, []int, map[int]string, error) {
	ids, labels, names, err := pipeline.ReadSegments(filepath.Join(dir, "segments.csv"))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read the run's segments: %w", err)
	}
	path := filepath.Join(dir, "baskets.csv")
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read the run's baskets (written by persona demo and run): %w", err)
	}
	defer f.Close()
	ps, err := recommend.ReadCSV(f, recommend.Columns{})
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	seg := make(map[string]int, len(ids))
	for i, id := range ids {
		seg[id] = labels[i]
	}
	m, err := recommend.Fit(ctx, ps, seg, recommend.Options{})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return m, ids, labels, names, nil
}

func recommendRun(opts *RecommendOptions) (err error) {
	// Only --all, which may take a while, shows progress.
	prog := newProgress(opts.IO, opts.Quiet || !opts.All)
	defer func() { prog.done(err) }()
	if opts.All {
		return recommendAll(opts, prog)
	}
	prog.update(pipeline.Progress{Step: "fit"})
	m, _, _, names, err := loadRun(opts.Ctx, opts.Out)
	if err != nil {
		return err
	}
	items := m.Recommend(opts.User, opts.N)
	b := m.Basis(opts.User)
	if opts.JSON {
		out := struct {
			User     string           `json:"user"`
			Segment  *int             `json:"segment,omitempty"`
			Products int              `json:"products_bought"`
			Items    []recommend.Item `json:"recommendations"`
		}{User: opts.User, Products: b.Products, Items: items}
		if b.HasSegment {
			out.Segment = &b.Segment
		}
		return printJSON(opts.IO.Out, out)
	}
	if opts.Quiet {
		return nil
	}
	switch {
	case !b.HasSegment && b.Products == 0:
		fmt.Fprintf(opts.IO.Out, "User %s is not in this run: the overall best sellers.\n\n", opts.User)
	case b.Products == 0:
		fmt.Fprintf(opts.IO.Out, "User %s (segment %d, %s) has no purchases: the best sellers of the segment.\n\n", opts.User, b.Segment, names[b.Segment])
	case b.HasSegment:
		fmt.Fprintf(opts.IO.Out, "User %s (segment %d, %s) bought %d products.\n\n", opts.User, b.Segment, names[b.Segment], b.Products)
	default:
		fmt.Fprintf(opts.IO.Out, "User %s bought %d products.\n\n", opts.User, b.Products)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tPRODUCT\tSCORE")
	for r, it := range items {
		fmt.Fprintf(tw, "%d\t%s\t%.4f\n", r+1, it.Product, it.Score)
	}
	return tw.Flush()
}

// recommendAll commits every user's recommendations to
// OUT/recommendations.csv, beside the run they come from (under OUT's
// lock, so from the run OUT shows).
func recommendAll(opts *RecommendOptions, prog *progress) error {
	ctx, stop := signalContext(opts.Ctx)
	defer stop()
	path := filepath.Join(opts.Out, "recommendations.csv")
	var users int
	err := pipeline.WriteOut(ctx, opts.Out, pipeline.OutOptions{Owns: []string{"recommendations.csv"}}, func(s *pipeline.Stage) error {
		prog.update(pipeline.Progress{Step: "fit"})
		m, ids, labels, _, err := loadRun(ctx, opts.Out)
		if err != nil {
			return err
		}
		users = len(ids)
		return atomicfile.Write(filepath.Join(s.Dir, "recommendations.csv"), func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"user_id", "segment", "rank", "product_id", "score"})
			for i, id := range ids {
				if i%1024 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
					prog.update(pipeline.Progress{Step: "recommend", Done: i, Total: len(ids)})
				}
				for r, it := range m.Recommend(id, opts.N) {
					cw.Write([]string{id, strconv.Itoa(labels[i]), strconv.Itoa(r + 1), it.Product, strconv.FormatFloat(it.Score, 'f', 6, 64)})
				}
			}
			cw.Flush()
			return cw.Error()
		})
	})
	if err != nil {
		return interrupted(ctx, err)
	}
	prog.done(nil)
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, struct {
			Path  string `json:"path"`
			Users int    `json:"users"`
			N     int    `json:"n"`
		}{path, users, opts.N})
	case !opts.Quiet:
		fmt.Fprintf(opts.IO.Out, "Wrote %d users' recommendations to %s\n", users, path)
	}
	return nil
}
