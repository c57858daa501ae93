package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/profile"
)

// CompareOptions holds the flags of persona compare.
type CompareOptions struct {
	IO *IOStreams

	Before, After string // two runs' output folders
	Moves         string // optional CSV of the users who moved
	JSON          bool
	Quiet         bool
}

// NewCmdCompare compares the segments of two runs.
func NewCmdCompare(f *Factory, runF func(*CompareOptions) error) *cobra.Command {
	opts := &CompareOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "compare --before DIR1 --after DIR2 [--moves FILE]",
		Short: "Show how users moved between the segments of two runs",
		Long: `Compare the segments of two runs (their segments.csv): the transition matrix
of users from each segment of the first run (rows) to each segment of the
second (columns), the matching of segments by overlap (the Hungarian
algorithm on shared users), which matched segments kept their names and
which were renamed, and who moved: the users whose new segment is not the
one matched with their old segment. --moves writes those users to a
CSV file (user_id, before, before_name, after, after_name).

It reads DIR1/segments.csv and DIR2/segments.csv (written by persona demo
and run) and writes only --moves. It prints the matrix, the matching and the
largest moves; --json prints the comparison as one JSON object (before,
after, counts, match, names, moves, ...); --quiet prints nothing (useful with
--moves).`,
		Example: `  persona compare --before runs/2024-05 --after runs/2024-06
  persona compare --before old --after new --moves moved.csv --json
  persona compare --before old --after new --moves moved.csv --quiet`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Before == "" || opts.After == "" {
				return usagef("--before and --after must both name a run's output folder")
			}
			if runF != nil {
				return runF(opts)
			}
			return compareRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Before, "before", "", "output `folder` of the first run (required)")
	fl.StringVar(&opts.After, "after", "", "output `folder` of the second run (required)")
	fl.StringVar(&opts.Moves, "moves", "", "write the users who moved to this CSV `file`")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the comparison as one JSON object on stdout")
	return cmd
}

// nameChange is a matched pair of segments and whether the segment of the
// second run kept the name of the first's.
type nameChange struct {
	Before     int    `json:"before"`
	After      int    `json:"after"`
	BeforeName string `json:"before_name"`
	AfterName  string `json:"after_name"`
	Kept       bool   `json:"kept"`
}

// nameChanges lists the matched segments in the second run's order.
func nameChanges(t *profile.Transitions, before, after map[int]string) []nameChange {
	out := []nameChange{}
	for _, a := range t.After {
		b, ok := t.Match[a]
		if !ok {
			continue
		}
		out = append(out, nameChange{Before: b, After: a, BeforeName: before[b], AfterName: after[a], Kept: before[b] == after[a]})
	}
	return out
}

func compareRun(opts *CompareOptions) error {
	bIDs, bLab, bNames, err := pipeline.ReadSegments(filepath.Join(opts.Before, "segments.csv"))
	if err != nil {
		return fmt.Errorf("read --before: %w", err)
	}
	aIDs, aLab, aNames, err := pipeline.ReadSegments(filepath.Join(opts.After, "segments.csv"))
	if err != nil {
		return fmt.Errorf("read --after: %w", err)
	}
	t, err := profile.Compare(bIDs, bLab, aIDs, aLab)
	if err != nil {
		return err
	}
	if opts.Moves != "" {
		if err := atomicfile.Write(opts.Moves, func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"user_id", "before", "before_name", "after", "after_name"})
			for _, m := range t.Moves {
				cw.Write([]string{m.User, strconv.Itoa(m.Before), bNames[m.Before], strconv.Itoa(m.After), aNames[m.After]})
			}
			cw.Flush()
			return cw.Error()
		}); err != nil {
			return err
		}
	}
	names := nameChanges(t, bNames, aNames)
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, struct {
			*profile.Transitions
			Names []nameChange `json:"names"`
		}{t, names})
	case opts.Quiet:
		return nil
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "%d users in both runs (%d only before, %d only after); %d moved (%.1f%%).\n\n",
		t.Users, t.OnlyBefore, t.OnlyAfter, len(t.Moves), 100*float64(len(t.Moves))/float64(max(t.Users, 1)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "BEFORE \\ AFTER\t")
	for _, a := range t.After {
		fmt.Fprintf(tw, "%d\t", a)
	}
	fmt.Fprintln(tw, "")
	for i, b := range t.Before {
		fmt.Fprintf(tw, "%d\t", b)
		for _, c := range t.Counts[i] {
			fmt.Fprintf(tw, "%d\t", c)
		}
		fmt.Fprintln(tw, "")
	}
	tw.Flush()

	fmt.Fprintln(w, "\nMatched segments (after ← before, users kept):")
	bi := map[int]int{}
	for i, b := range t.Before {
		bi[b] = i
	}
	for j, a := range t.After {
		b, ok := t.Match[a]
		if !ok {
			fmt.Fprintf(w, "  %d %q ← new segment\n", a, aNames[a])
			continue
		}
		fmt.Fprintf(w, "  %d %q ← %d %q, %d users\n", a, aNames[a], b, bNames[b], t.Counts[bi[b]][j])
	}
	var kept, renamed []string
	for _, n := range names {
		if n.Kept {
			kept = append(kept, fmt.Sprintf("%d %q", n.After, n.AfterName))
		} else {
			renamed = append(renamed, fmt.Sprintf("  %d %q → %d %q", n.Before, n.BeforeName, n.After, n.AfterName))
		}
	}
	fmt.Fprintf(w, "\nNames kept: %d", len(kept))
	if len(kept) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(kept, ", "))
	}
	fmt.Fprintf(w, "; changed: %d\n", len(renamed))
	for _, r := range renamed {
		fmt.Fprintln(w, r)
	}
	type flow struct{ b, a, n int }
	var flows []flow
	count := map[[2]int]int{}
	for _, m := range t.Moves {
		count[[2]int{m.Before, m.After}]++
	}
	for k, n := range count {
		flows = append(flows, flow{k[0], k[1], n})
	}
	sort.Slice(flows, func(i, j int) bool {
		if flows[i].n != flows[j].n {
			return flows[i].n > flows[j].n
		}
		if flows[i].b != flows[j].b {
			return flows[i].b < flows[j].b
		}
		return flows[i].a < flows[j].a
	})
	if len(flows) > 0 {
		fmt.Fprintln(w, "\nLargest moves:")
		for _, f := range flows[:min(len(flows), 10)] {
			fmt.Fprintf(w, "  %d users: %d %q → %d %q\n", f.n, f.b, bNames[f.b], f.a, aNames[f.a])
		}
	}
	return nil
}
