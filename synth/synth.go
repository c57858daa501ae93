package synth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/persona-seg/persona/internal/atomicfile"
)

// DefaultUsers is the number of users Generate writes when Options.Users
// is zero.
const DefaultUsers = 20000

// Options configures Generate. The zero value means defaults.
type Options struct {
	// Users is the number of users; 0 means DefaultUsers.
	Users int
	// Seed seeds the single PCG source all randomness comes from. It is
	// used as given (0 is a valid seed): the same Seed and options give
	// byte-identical files, different seeds give different files.
	Seed uint64
	// End is the last moment of the data window, which spans the two years
	// before it. The zero value means 2024-12-31 23:59:59 UTC. It is
	// converted to UTC and truncated to whole seconds.
	End time.Time
}

// Summary reports what Generate wrote.
type Summary struct {
	Users        int
	Events       int
	Transactions int // transaction lines, returns included
	Social       int
	PersonaSizes map[string]int // users per persona name, noise included
	Files        []string       // paths of the written files, in a fixed order
}

// File names written by Generate, in the order of Summary.Files.
const (
	UsersFile        = "users.csv"
	EventsFile       = "events.csv"
	TransactionsFile = "transactions.csv"
	SocialFile       = "social.csv"
	TruthFile        = "truth.csv"
)

// defaultEnd is the End used when Options.End is zero.
func defaultEnd() time.Time { return time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC) }

// Validate reports whether the options are usable.
func (o Options) Validate() error {
	if o.Users < 0 {
		return fmt.Errorf("synth: Users is %d, want >= 0", o.Users)
	}
	if !o.End.IsZero() {
		// Signups reach up to 7 years before End; keep every year 4 digits.
		if y := o.End.UTC().Year(); y < 1900 || y > 9999 {
			return fmt.Errorf("synth: End year is %d, want 1900..9999", y)
		}
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Users == 0 {
		o.Users = DefaultUsers
	}
	if o.End.IsZero() {
		o.End = defaultEnd()
	}
	o.End = o.End.UTC().Truncate(time.Second)
	return o
}

// errStop carries the generator's own error through the nested atomic
// writers, so that Generate returns it without one wrapper per file.
type errStop struct{ err error }

func (e *errStop) Error() string { return e.err.Error() }

// Generate writes the demo data set into dir (created if missing): users,
// events, transactions, social activity and the planted truth, one CSV
// file each (see the package documentation for the columns). Each file is
// replaced atomically. Rows are streamed, so memory does not grow with the
// number of events. Generate checks ctx between users.
func Generate(ctx context.Context, dir string, opts Options) (Summary, error) {
	if err := opts.Validate(); err != nil {
		return Summary{}, err
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("synth: %w", err)
	}
	names := []string{UsersFile, EventsFile, TransactionsFile, SocialFile, TruthFile}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}

	g := newGenerator(opts)
	var stop *errStop
	ws := make([]io.Writer, 0, len(paths))
	var nest func(i int) error
	nest = func(i int) error {
		if i == len(paths) {
			if err := g.run(ctx, ws, paths); err != nil {
				stop = &errStop{err}
				return stop
			}
			return nil
		}
		return atomicfile.Write(paths[i], func(w io.Writer) error {
			ws = append(ws, w)
			return nest(i + 1)
		})
	}
	if err := nest(0); err != nil {
		if stop != nil && errors.Is(err, stop) {
			return Summary{}, stop.err
		}
		return Summary{}, fmt.Errorf("synth: %w", err)
	}
	sum := g.sum
	sum.Files = paths
	return sum, nil
}

// newRand returns the generator's single random source for seed.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x5eed_da7a_9e37_79b9))
}
