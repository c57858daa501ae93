package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/internal/fault"
)

// The layout of an output folder (see doc.go, # Output folders).
const (
	stagePrefix  = ".persona-run-" // OUT/.persona-run-ID: a run being staged
	metaDir      = ".persona"      // OUT/.persona: snapshots, pointer, journal
	snapshotsDir = "runs"          // OUT/.persona/runs/ID: committed snapshots
	currentLink  = "current"       // OUT/.persona/current -> runs/ID
	journalFile  = "pending"       // OUT/.persona/pending: the id being marked in the store
	linkPrefix   = ".persona/current/"
)

// runOutputs are the names of a run's outputs. A run replaces its whole
// snapshot; these names also mark what a command other than a run may not
// write into a run's folder (it would tear the run), and which plain files
// of a run folder of the older layout a run removes when it has none of
// its own (a stale rejects/, say).
var runOutputs = []string{
	"baskets.csv", "charts", "model.json", "profiles.json", "profiles.md",
	"rejects", "report.html", "rfm.csv", "segments.csv", "summary.json",
	"value.csv",
}

// failedName matches the folders KeepFailed makes: rejects-ID.
var failedName = regexp.MustCompile(`^rejects-[0-9]{8}-[0-9]{6}\.[0-9]+$`)

// StoreOpener opens the store runs are saved in.
type StoreOpener func(ctx context.Context) (persona.RunStore, error)

// OutOptions configures OpenOut. The zero value means defaults.
type OutOptions struct {
	// Owns are the names a commit replaces in the folder (or removes when
	// the stage has none); every other entry of the folder's current
	// snapshot is kept. Nil means every name: the commit replaces the
	// whole snapshot, as a run does.
	Owns []string
	// Store opens the store runs are saved in; nil for commands that save
	// none (score, features, runs --export).
	Store StoreOpener
	// Logger receives a line per recovery action. Nil discards.
	Logger *slog.Logger
}

// Out is an output folder opened for writing: locked against other
// persona processes and brought back to a consistent state. Close
// releases it.
type Out struct {
	dir  string
	lock *os.File
	opts OutOptions
	// legacyRun is set when the folder holds a run written before this
	// layout (plain files, no pointer).
	legacyRun bool
}

// OpenOut creates dir if missing, takes its lock (failing at once with a
// *LockedError when another process holds it) and finishes or undoes what
// a process that died while writing dir left (see doc.go, # Recovery).
func OpenOut(ctx context.Context, dir string, opts OutOptions) (*Out, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	f, err := lock(dir)
	if err != nil {
		return nil, err
	}
	o := &Out{dir: dir, lock: f, opts: opts}
	o.legacyRun = o.current() == "" && o.holdsRun()
	if err := o.recover(ctx); err != nil {
		unlock(f)
		return nil, err
	}
	if opts.Owns != nil && o.holdsRun() && slices.ContainsFunc(opts.Owns, func(n string) bool { return slices.Contains(runOutputs, n) }) {
		unlock(f)
		return nil, fmt.Errorf("%s holds the results of a persona run: write into another folder", dir)
	}
	return o, nil
}

// Dir returns the folder.
func (o *Out) Dir() string { return o.dir }

// Close releases the folder's lock.
func (o *Out) Close() error { return unlock(o.lock) }

func (o *Out) meta(elem ...string) string {
	return filepath.Join(append([]string{o.dir, metaDir}, elem...)...)
}

// current returns the id of the snapshot the pointer names, or "".
func (o *Out) current() string {
	t, err := os.Readlink(o.meta(currentLink))
	if err != nil {
		return ""
	}
	return filepath.Base(t)
}

// Current returns the id of the run (or other command) whose files dir
// shows, or "" when none was committed with this layout.
func Current(dir string) string { return (&Out{dir: dir}).current() }

// holdsRun reports whether the folder shows a run's results (also those of
// a persona older than this layout).
func (o *Out) holdsRun() bool {
	base := o.dir
	if id := o.current(); id != "" {
		base = o.meta(snapshotsDir, id)
	}
	for _, n := range []string{"summary.json", "model.json"} {
		if fi, err := os.Stat(filepath.Join(base, n)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// recover applies the rule of doc.go's # Recovery: the run the pointer
// names is committed (marked in the store if its mark is missing), every
// other staged or snapshot run is discarded (removed from the store if it
// is pending there), and the links are made to match the pointer.
func (o *Out) recover(ctx context.Context) error {
	cur := o.current()
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return err
	}
	var stale []string // stages and snapshots the pointer does not name
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stagePrefix) && e.IsDir() {
			stale = append(stale, filepath.Join(o.dir, e.Name()))
		}
	}
	snaps, _ := os.ReadDir(o.meta(snapshotsDir))
	for _, e := range snaps {
		if e.Name() != cur {
			stale = append(stale, o.meta(snapshotsDir, e.Name()))
		}
	}
	if err := o.settleJournal(ctx, cur); err != nil {
		return fmt.Errorf("recover %s: %w", o.dir, err)
	}
	for _, p := range stale {
		o.opts.Logger.Info("removed what a stopped run left", "folder", p)
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("recover %s: %w", o.dir, err)
		}
	}
	if cur != "" {
		if err := o.link(nil); err != nil {
			return fmt.Errorf("recover %s: %w", o.dir, err)
		}
	}
	return nil
}

// The journal holds a run id, and once a recovery has decided what
// becomes of that run, the decision: "ID commit" or "ID discard".
const (
	journalCommit  = "commit"
	journalDiscard = "discard"
)

// unmarked returns the id of the run dir's journal names when the rule
// counts it committed (the pointer names it, or a recovery decided so),
// or "".
func unmarked(dir string) string {
	o := &Out{dir: dir}
	b, err := os.ReadFile(o.meta(journalFile))
	if err != nil {
		return ""
	}
	id, decision, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if decision == journalCommit || decision == "" && id == o.current() {
		return id
	}
	return ""
}

// settleJournal decides what becomes of the run the journal names, if
// any: committed when the pointer names it, else discarded. Only that run
// can be in the store and not committed: the journal is written before the
// store is, and removed once the store agrees with the folder. With a
// store it applies the decision and removes the journal; without one (a
// command that saves none) it writes the decision down for the next
// process that has one, since a commit of its own may move the pointer.
func (o *Out) settleJournal(ctx context.Context, cur string) error {
	b, err := os.ReadFile(o.meta(journalFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	id, decision, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if decision == "" {
		decision = journalDiscard
		if id == cur {
			decision = journalCommit
		}
	}
	if o.opts.Store == nil {
		return atomicfile.WriteBytes(o.meta(journalFile), []byte(id+" "+decision+"\n"))
	}
	if decision == journalCommit {
		err = o.settle(ctx, id, nil)
	} else {
		err = o.settle(ctx, "", []string{id})
	}
	if err != nil {
		return err
	}
	if err := os.Remove(o.meta(journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return atomicfile.SyncDir(o.meta())
}

// settle opens the store, commits roll (when not "") and discards those
// of ids that are pending in it.
func (o *Out) settle(ctx context.Context, roll string, ids []string) (err error) {
	st, err := o.opts.Store(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	pend, err := st.List(ctx, persona.RunFilter{Pending: true})
	if err != nil {
		return err
	}
	for _, r := range pend {
		switch {
		case r.ID == roll:
			o.opts.Logger.Info("marked committed the run a stopped process committed", "run", roll)
			if err := st.Commit(ctx, roll); err != nil {
				return err
			}
		case slices.Contains(ids, r.ID):
			o.opts.Logger.Info("discarded the run a stopped process left", "run", r.ID)
			if err := st.Discard(ctx, r.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Stage is a folder a command writes its outputs into before Commit puts
// them in place all at once.
type Stage struct {
	// Dir is the folder to write into.
	Dir   string
	id    string
	out   *Out
	saved bool
}

// Stage creates the staging folder of the run id, which must not be the
// current snapshot's.
func (o *Out) Stage(id string) (*Stage, error) {
	if id == "" || id == o.current() || strings.ContainsAny(id, `/\`) {
		return nil, fmt.Errorf("stage: run id %q is empty, the current run's or not a file name", id)
	}
	dir := filepath.Join(o.dir, stagePrefix+id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder %s is not writable: %w", o.dir, err)
	}
	return &Stage{Dir: dir, id: id, out: o}, nil
}

// spillDir is the folder of a stage that DuckDB spills into beyond its
// memory limit (Spill); Commit removes it, so no snapshot holds it.
const spillDir = ".spill"

// Spill returns the folder in the stage for DuckDB's temporary files:
// on the output folder's disk, and gone once the stage is committed or
// aborted.
func (s *Stage) Spill() string { return filepath.Join(s.Dir, spillDir) }

// Save saves r (whose id is the stage's) in the store, pending: Commit
// marks it committed once the files are in place, Abort discards it.
func (s *Stage) Save(ctx context.Context, r *persona.Results) (err error) {
	o := s.out
	if o.opts.Store == nil {
		return errors.New("save run: no store")
	}
	if r.Run.ID != s.id {
		return fmt.Errorf("save run %s in the stage of run %s", r.Run.ID, s.id)
	}
	// The journal names the run before the store holds it, so that a
	// process that dies from here on is finished or undone by the next.
	if err := os.MkdirAll(o.meta(), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(o.meta(journalFile), []byte(s.id+"\n")); err != nil {
		return err
	}
	st, err := o.opts.Store(ctx)
	if err != nil {
		return err
	}
	s.saved = true
	if err := st.Save(ctx, r); err != nil {
		st.Close()
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	return fault.Check("saved")
}

// KeepFailed moves the folder name of the stage (its rejects, say) to
// OUT/name-ID, where it outlives the failed run, replacing those of
// earlier failed runs, and returns its path.
func (s *Stage) KeepFailed(name string) (string, error) {
	o := s.out
	if err := o.removeFailed(); err != nil {
		return "", err
	}
	dst := filepath.Join(o.dir, name+"-"+s.id)
	if err := atomicfile.SyncTree(filepath.Join(s.Dir, name)); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(s.Dir, name), dst); err != nil {
		return "", err
	}
	return dst, atomicfile.SyncDir(o.dir)
}

// removeFailed removes what KeepFailed kept of earlier runs.
func (o *Out) removeFailed() error {
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if failedName.MatchString(e.Name()) && e.IsDir() {
			if err := os.RemoveAll(filepath.Join(o.dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// Abort removes the stage and, when Save saved it, discards the run from
// the store. It is safe to call after Commit (it does nothing then).
func (s *Stage) Abort(ctx context.Context) error {
	if s.out == nil {
		return nil
	}
	o := s.out
	s.out = nil
	ctx = context.WithoutCancel(ctx) // undo even when cancelled
	if s.saved {
		st, err := o.opts.Store(ctx)
		if err == nil {
			err = st.Discard(ctx, s.id)
			if cerr := st.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			// The stage stays, empty, so that the next process discards
			// the run (see recover).
			o.emptyStage(s.Dir)
			return fmt.Errorf("discard the failed run from the store: %w", err)
		}
		os.Remove(o.meta(journalFile))
	}
	return os.RemoveAll(s.Dir)
}

func (o *Out) emptyStage(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// Commit puts the stage's files in place in one step — the rename of the
// pointer OUT/.persona/current, through which every OUT/name link
// resolves — then marks the run committed in the store when Save saved
// it. Files are fsynced before and folders after each rename. Once the
// pointer is renamed the run is committed: Commit then finishes even when
// ctx is cancelled, and an error after that point (a failed store mark,
// say) still leaves a committed run that the next OpenOut finishes.
func (s *Stage) Commit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.out
	cur := o.current()
	if cur != "" && o.opts.Owns != nil {
		if err := o.carryOver(o.meta(snapshotsDir, cur), s.Dir); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(s.Spill()); err != nil {
		return err
	}
	if err := atomicfile.SyncTree(s.Dir); err != nil {
		return err
	}
	if err := os.MkdirAll(o.meta(snapshotsDir), 0o755); err != nil {
		return err
	}
	snap := o.meta(snapshotsDir, s.id)
	if err := os.Rename(s.Dir, snap); err != nil {
		return fmt.Errorf("commit run %s: %w", s.id, err)
	}
	s.Dir = snap
	if err := atomicfile.SyncDir(o.dir); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(o.meta(snapshotsDir)); err != nil {
		return err
	}
	if err := fault.Check("staged"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The commit point.
	if err := atomicfile.Symlink(filepath.Join(snapshotsDir, s.id), o.meta(currentLink)); err != nil {
		return fmt.Errorf("commit run %s: %w", s.id, err)
	}
	s.out = nil // Abort no longer undoes anything
	fault.Check("swapped")
	ctx = context.WithoutCancel(ctx)
	var errs []error
	var legacy []string // plain entries of an older layout to remove when the stage has none
	if o.legacyRun {
		legacy = o.opts.Owns
		if legacy == nil {
			legacy = runOutputs
		}
	}
	if err := o.link(legacy); err != nil {
		errs = append(errs, err)
	}
	fault.Check("linked")
	if s.saved {
		if err := o.settle(ctx, s.id, nil); err != nil {
			errs = append(errs, fmt.Errorf("the run's files are in place but the store did not mark it committed (the next run into %s will): %w", o.dir, err))
		} else {
			fault.Check("marked")
			if err := os.Remove(o.meta(journalFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if cur != "" && cur != s.id {
		if err := os.RemoveAll(o.meta(snapshotsDir, cur)); err != nil {
			errs = append(errs, err)
		}
	}
	if o.opts.Owns == nil {
		if err := o.removeFailed(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// carryOver hard-links into stage every entry of the snapshot from that
// the commit does not own and the stage does not have.
func (o *Out) carryOver(from, stage string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if slices.Contains(o.opts.Owns, n) {
			continue
		}
		if _, err := os.Lstat(filepath.Join(stage, n)); err == nil {
			continue
		}
		if err := linkTree(filepath.Join(from, n), filepath.Join(stage, n)); err != nil {
			return fmt.Errorf("keep %s: %w", n, err)
		}
	}
	return nil
}

// linkTree recreates the tree at src under dst with hard links to its
// files.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		return os.Link(path, to)
	})
}

// link makes OUT/name a link to .persona/current/name for every entry of
// the current snapshot, removes the links to names it no longer has, and
// removes the plain files and folders of the names legacy lists that the
// snapshot does not have.
func (o *Out) link(legacy []string) error {
	cur := o.current()
	snap, err := os.ReadDir(o.meta(snapshotsDir, cur))
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, e := range snap {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		have[n] = true
		p := filepath.Join(o.dir, n)
		target := linkPrefix + n
		fi, err := os.Lstat(p)
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if t, _ := os.Readlink(p); t == target {
				continue
			}
		}
		if err == nil && fi.IsDir() {
			// A folder of an older layout: out of the way, then gone.
			old := filepath.Join(o.dir, stagePrefix+"old-"+n)
			os.RemoveAll(old)
			if err := os.Rename(p, old); err != nil {
				return err
			}
			defer os.RemoveAll(old)
		}
		if err := atomicfile.Symlink(target, p); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if have[n] {
			continue
		}
		p := filepath.Join(o.dir, n)
		if e.Type()&fs.ModeSymlink != 0 {
			if t, _ := os.Readlink(p); strings.HasPrefix(t, linkPrefix) {
				if err := os.Remove(p); err != nil {
					return err
				}
			}
			continue
		}
		if slices.Contains(legacy, n) {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		}
	}
	return atomicfile.SyncDir(o.dir)
}

// WriteOut opens dir with opts, lets write fill a stage, and commits it:
// what write wrote replaces opts.Owns in dir all at once, or, when write
// or the commit fails, dir is left as it was.
func WriteOut(ctx context.Context, dir string, opts OutOptions, write func(s *Stage) error) (err error) {
	o, err := OpenOut(ctx, dir, opts)
	if err != nil {
		return err
	}
	defer o.Close()
	s, err := o.Stage(time.Now().UTC().Format("20060102-150405.000000000"))
	if err != nil {
		return err
	}
	defer func() {
		if aerr := s.Abort(ctx); err != nil && aerr != nil {
			err = errors.Join(err, aerr)
		}
	}()
	if err := write(s); err != nil {
		return err
	}
	return s.Commit(ctx)
}
