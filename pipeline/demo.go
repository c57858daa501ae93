package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/synth"
)

// DemoOptions configures Demo.
type DemoOptions struct {
	Options
	// Users is the number of demo users. Default 20,000.
	Users int
}

// Demo generates the demo data into opts.Out/data and runs the pipeline on
// it, comparing the segments with the planted personas.
func Demo(ctx context.Context, driverName string, opts DemoOptions) (*Summary, error) {
	if opts.Users < 0 {
		return nil, fmt.Errorf("users must be > 0, got %d", opts.Users)
	}
	if opts.Users == 0 {
		opts.Users = 20000
	}
	if opts.Title == "" {
		opts.Title = fmt.Sprintf("persona demo: %d users", opts.Users)
	}
	return execute(ctx, driverName, opts.Options, func(stage string, o *Options) (*dataset.Config, error) {
		data := filepath.Join(stage, "data")
		o.Truth = filepath.Join(data, "truth.csv")
		if opts.Logger != nil {
			opts.Logger.Info("step", "name", "generate demo data", "users", opts.Users)
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Step: "generate"})
		}
		if _, err := synth.Generate(ctx, data, synth.Options{Users: opts.Users, Seed: opts.Seed}); err != nil {
			return nil, fmt.Errorf("generate demo data: %w", err)
		}
		src := dataset.Sources{
			Users:        filepath.Join(data, "users.csv"),
			Events:       filepath.Join(data, "events.csv"),
			Transactions: filepath.Join(data, "transactions.csv"),
			Social:       filepath.Join(data, "social.csv"),
		}
		return src.Config(), nil
	})
}
