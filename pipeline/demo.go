package pipeline

import (
	"context"
	"fmt"
	"os"
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
	if err := opts.Options.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	stage, err := os.MkdirTemp(opts.Out, ".persona-demo-")
	if err != nil {
		return nil, fmt.Errorf("output folder %s is not writable: %w", opts.Out, err)
	}
	defer os.RemoveAll(stage)
	data := filepath.Join(stage, "data")
	if opts.Logger != nil {
		opts.Logger.Info("step", "name", "generate demo data", "users", opts.Users)
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Step: "generate"})
	}
	if _, err := synth.Generate(ctx, data, synth.Options{Users: opts.Users, Seed: opts.Seed}); err != nil {
		return nil, fmt.Errorf("generate demo data: %w", err)
	}
	o := opts.Options
	o.Truth = filepath.Join(data, "truth.csv")
	if o.Title == "" {
		o.Title = fmt.Sprintf("persona demo: %d users", opts.Users)
	}
	src := dataset.Sources{
		Users:        filepath.Join(data, "users.csv"),
		Events:       filepath.Join(data, "events.csv"),
		Transactions: filepath.Join(data, "transactions.csv"),
		Social:       filepath.Join(data, "social.csv"),
	}
	sum, err := Run(ctx, driverName, src.Config(), o)
	if err != nil {
		return nil, err
	}
	if err := commit(stage, opts.Out); err != nil {
		return nil, err
	}
	return sum, nil
}
