package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
)

// ScoreOptions holds the flags of "persona score".
type ScoreOptions struct {
	IO     *IOStreams
	Model  string
	Config string
	Out    string
	Quiet  bool
	JSON   bool
}

// NewCmdScore assigns new users to the segments of a saved model.
func NewCmdScore(f *Factory, runF func(*ScoreOptions) error) *cobra.Command {
	opts := &ScoreOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Assign the users in your data to the segments of a saved model",
		Long: `Compute the features of the users in the datasets a config file describes,
with the same columns as the run that saved the model (its top categories,
topics and demographic values), and assign each user the segment of the
nearest centre (k-means, hierarchical) or of the nearest core point within
eps (DBSCAN; else -1, unsegmented). Nothing is refitted.

--model is a model.json or the output folder of a run. Outputs in OUT:
segments.csv (user_id, segment, segment_name, distance) and features.csv.
It prints the users per segment and a line per step on stderr; --json
prints one JSON object (run_id, users, segments, out, engine,
rows_transferred) instead; --quiet
prints nothing but errors.`,
		Example: `  persona score --model out/model.json --config new-users.yaml --out scored
  persona score -m out -c new-users.yaml -o scored --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Model == "":
				return usagef("--model must name a model.json or a run's output folder")
			case opts.Config == "":
				return usagef("--config must name a config file")
			case opts.Out == "":
				return usagef("--out must name a folder")
			}
			if runF != nil {
				return runF(opts)
			}
			return scoreRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Model, "model", "m", "", "model `file` (model.json) or a run's output folder")
	cmd.Flags().StringVarP(&opts.Config, "config", "c", "", "config `file` (YAML) describing the users to score")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "output `folder`")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary (run_id, users, segments, out) on stdout")
	return cmd
}

// readModel reads --model: a file, or a folder's model.json.
func readModel(path string) (*model.Model, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, pipeline.ModelFile)
	}
	return model.Read(path)
}

// scoreSummary is what "persona score --json" prints.
type scoreSummary struct {
	RunID    string         `json:"run_id"` // the run that saved the model
	Users    int            `json:"users"`
	Segments []scoreSegment `json:"segments"`
	Out      string         `json:"out"`
	// Engine and RowsTransferred: where the features were computed and
	// how many rows came from Postgres (see featuresSummary).
	Engine          string `json:"engine"`
	RowsTransferred int64  `json:"rows_transferred"`
}

type scoreSegment struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Users int    `json:"users"`
}

func scoreRun(opts *ScoreOptions) (err error) {
	prog := newProgress(opts.IO, opts.Quiet)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "read model"})
	m, err := readModel(opts.Model)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(opts.Config, -1)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(context.Background())
	defer stop()
	prog.update(pipeline.Progress{Step: "score"})
	sc, err := pipeline.Score(ctx, DriverName, cfg, m, featureOptions(cfg), opts.Out)
	if err != nil {
		return interrupted(ctx, err)
	}
	prog.done(nil)
	ids := make([]int, 0, len(sc.Sizes))
	for id := range sc.Sizes {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	switch {
	case opts.JSON:
		sum := scoreSummary{RunID: m.RunID, Users: len(sc.UserIDs), Segments: []scoreSegment{}, Out: opts.Out, Engine: sc.Engine, RowsTransferred: sc.RowsTransferred}
		for _, id := range ids {
			sum.Segments = append(sum.Segments, scoreSegment{ID: id, Name: m.Name(id), Users: sc.Sizes[id]})
		}
		return printJSON(opts.IO.Out, sum)
	case opts.Quiet:
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "%d users scored with model of run %s\n\n", len(sc.UserIDs), m.RunID)
	for _, id := range ids {
		fmt.Fprintf(opts.IO.Out, "%-3d %7d  %s\n", id, sc.Sizes[id], m.Name(id))
	}
	fmt.Fprintf(opts.IO.Out, "\nSegments: %s\n", filepath.Join(opts.Out, "segments.csv"))
	return nil
}
