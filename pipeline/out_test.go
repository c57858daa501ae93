package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/inmem"
	"github.com/persona-seg/persona/internal/fault"
	"github.com/persona-seg/persona/internal/runstoretest"
)

// kept is an in-memory store that outlives the Close of each opening, as
// a file or a server does.
type kept struct{ *inmem.Store }

func (kept) Close() error { return nil }

func opener(st *inmem.Store) StoreOpener {
	return func(context.Context) (persona.RunStore, error) { return kept{st}, nil }
}

// writeFiles writes files (name: content; a name with a slash makes its
// folder) into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// commitRun commits a run id with files into dir and the store, as a run
// does; with a fault point set it stops there (a panic standing in for a
// kill) and leaves dir as a dead process would.
func commitRun(t *testing.T, dir string, st *inmem.Store, id string, files map[string]string) {
	t.Helper()
	o, err := OpenOut(context.Background(), dir, OutOptions{Store: opener(st)})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close() // the kernel drops a dead process's lock
	s, err := o.Stage(id)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, s.Dir, files)
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fault.Stop); !ok {
					panic(r)
				}
			}
		}()
		if err := s.Save(context.Background(), runstoretest.Results(t, id, 20, uint64(len(id)))); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return "(missing)"
	}
	return string(b)
}

func latest(t *testing.T, r persona.RunReader) string {
	t.Helper()
	id, err := r.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCommitKilled stops a run at each point of its commit and checks the
// folder and the store show the same run, before the next writer opens the
// folder (through OutReader, as runs and serve read) and after (the store
// itself, once recovery settled it).
func TestCommitKilled(t *testing.T) {
	runA := map[string]string{"segments.csv": "A", "model.json": "A", "rejects/events.csv": "A", "summary.json": "A"}
	runB := map[string]string{"segments.csv": "B", "model.json": "B", "summary.json": "B"}
	tests := []struct {
		point string
		want  string // the run both show: "A" (rolled back) or "B"
	}{
		{"", "B"},
		{"saved", "A"},
		{"staged", "A"},
		{"swapped", "B"},
		{"linked", "B"},
		{"marked", "B"},
	}
	for _, tt := range tests {
		t.Run("stop at "+tt.point, func(t *testing.T) {
			dir, st := t.TempDir(), inmem.New()
			commitRun(t, dir, st, "20260101-000000.000", runA)
			if tt.point != "" {
				t.Setenv(fault.Env, tt.point+"=panic")
			}
			commitRun(t, dir, st, "20260101-000001.000", runB)
			t.Setenv(fault.Env, "")
			want := map[string]string{"A": "20260101-000000.000", "B": "20260101-000001.000"}[tt.want]
			check := func(when string, r persona.RunReader) {
				t.Helper()
				if got := latest(t, r); got != want {
					t.Errorf("%s: latest run %s, want %s", when, got, want)
				}
				for _, f := range []string{"segments.csv", "model.json", "summary.json"} {
					if got := read(t, filepath.Join(dir, f)); got != tt.want {
						t.Errorf("%s: %s holds %s, want %s", when, f, got, tt.want)
					}
				}
				rejects := read(t, filepath.Join(dir, "rejects", "events.csv"))
				if wantRej := map[string]string{"A": "A", "B": "(missing)"}[tt.want]; rejects != wantRej {
					t.Errorf("%s: rejects/events.csv holds %s, want %s", when, rejects, wantRej)
				}
			}
			check("before recovery", OutReader(dir, st))
			o, err := OpenOut(context.Background(), dir, OutOptions{Store: opener(st)})
			if err != nil {
				t.Fatal(err)
			}
			o.Close()
			check("after recovery", st)
			if p, _ := st.List(context.Background(), persona.RunFilter{Pending: true}); len(p) != 0 {
				t.Errorf("pending runs after recovery: %v", p)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), stagePrefix) {
					t.Errorf("left %s", e.Name())
				}
			}
			if _, err := os.Stat(filepath.Join(dir, metaDir, journalFile)); err == nil {
				t.Errorf("left the journal")
			}
			if snaps, _ := os.ReadDir(filepath.Join(dir, metaDir, snapshotsDir)); len(snaps) != 1 || snaps[0].Name() != want {
				t.Errorf("snapshots %v, want only %s", snaps, want)
			}
			// Every run before stays in the store.
			if _, err := st.Load(context.Background(), "20260101-000000.000"); err != nil {
				t.Errorf("the first run is gone from the store: %v", err)
			}
		})
	}
}

// TestCommitWithoutStore recovers a folder whose killed run is settled
// first by a command that has no store (recommend --all): the decision is
// written down, kept across that command's own commit, and applied by the
// next command that has the store.
func TestCommitWithoutStore(t *testing.T) {
	dir, st := t.TempDir(), inmem.New()
	commitRun(t, dir, st, "20260101-000000.000", map[string]string{"segments.csv": "A", "model.json": "A", "summary.json": "A"})
	t.Setenv(fault.Env, "swapped=panic")
	commitRun(t, dir, st, "20260101-000001.000", map[string]string{"segments.csv": "B", "model.json": "B", "summary.json": "B"})
	t.Setenv(fault.Env, "")
	err := WriteOut(context.Background(), dir, OutOptions{Owns: []string{"recommendations.csv"}}, func(s *Stage) error {
		writeFiles(t, s.Dir, map[string]string{"recommendations.csv": "for B"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := latest(t, OutReader(dir, st)); got != "20260101-000001.000" {
		t.Errorf("reader's latest run %s, want the killed run committed", got)
	}
	if got := read(t, filepath.Join(dir, "segments.csv")) + read(t, filepath.Join(dir, "recommendations.csv")); got != "Bfor B" {
		t.Errorf("files %q, want the killed run's with the recommendations beside", got)
	}
	o, err := OpenOut(context.Background(), dir, OutOptions{Store: opener(st)})
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if got := latest(t, st); got != "20260101-000001.000" {
		t.Errorf("store's latest run %s after recovery, want the killed run", got)
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	o, err := OpenOut(context.Background(), dir, OutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	_, err = OpenOut(context.Background(), dir, OutOptions{})
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || !strings.Contains(err.Error(), "is being written by another persona run (pid ") {
		t.Fatalf("second open: %v, want a LockedError naming pid %d", err, os.Getpid())
	}
	o.Close()
	o2, err := OpenOut(context.Background(), dir, OutOptions{})
	if err != nil {
		t.Fatalf("open after Close: %v", err)
	}
	o2.Close()
}

// TestAbort checks that a failed run's stage and store entry go, and that
// a run failing on its rejects keeps them in a folder of its own.
func TestAbort(t *testing.T) {
	dir, st := t.TempDir(), inmem.New()
	commitRun(t, dir, st, "20260101-000000.000", map[string]string{"segments.csv": "A", "rejects/events.csv": "A"})
	o, err := OpenOut(context.Background(), dir, OutOptions{Store: opener(st)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.Stage("20260101-000001.000")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(context.Background(), runstoretest.Results(t, "20260101-000001.000", 10, 1)); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, s.Dir, map[string]string{"rejects/events.csv": "B"})
	kept, err := s.KeepFailed("rejects")
	if err != nil || filepath.Base(kept) != "rejects-20260101-000001.000" {
		t.Fatalf("KeepFailed = %q, %v", kept, err)
	}
	if err := s.Abort(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if got := read(t, filepath.Join(kept, "events.csv")) + read(t, filepath.Join(dir, "rejects", "events.csv")); got != "BA" {
		t.Errorf("failed run's and previous run's rejects = %q, want BA", got)
	}
	if p, _ := st.List(context.Background(), persona.RunFilter{Pending: true}); len(p) != 0 {
		t.Errorf("the aborted run is still pending: %v", p)
	}
	if _, err := os.Stat(s.Dir); err == nil {
		t.Errorf("the stage is still there")
	}
	// The next good run removes the failed run's rejects.
	commitRun(t, dir, st, "20260101-000002.000", map[string]string{"segments.csv": "C"})
	if _, err := os.Stat(kept); err == nil {
		t.Errorf("a good run left %s", kept)
	}
}

// TestOwns commits commands that own some names only: they keep the rest
// and may not write into a run's folder.
func TestOwns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(owns []string, files map[string]string) error {
		return WriteOut(ctx, dir, OutOptions{Owns: owns}, func(s *Stage) error {
			writeFiles(t, s.Dir, files)
			return nil
		})
	}
	if err := write([]string{"a.parquet", "rejects"}, map[string]string{"a.parquet": "1", "rejects/x.csv": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := write([]string{"b.parquet", "rejects"}, map[string]string{"b.parquet": "2"}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "a.parquet")) + read(t, filepath.Join(dir, "b.parquet")); got != "12" {
		t.Errorf("a.parquet and b.parquet = %q, want both kept", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "rejects")); err == nil {
		t.Errorf("rejects/ of the first command outlived the second, which owns it and has none")
	}
	runDir, st := t.TempDir(), inmem.New()
	commitRun(t, runDir, st, "20260101-000000.000", map[string]string{"segments.csv": "A", "model.json": "A", "summary.json": "A"})
	err := WriteOut(ctx, runDir, OutOptions{Owns: []string{"segments.csv", "features.csv"}}, func(*Stage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "holds the results of a persona run") {
		t.Errorf("score into a run's folder: %v, want a refusal", err)
	}
	if err := WriteOut(ctx, runDir, OutOptions{Owns: []string{"recommendations.csv"}}, func(s *Stage) error {
		writeFiles(t, s.Dir, map[string]string{"recommendations.csv": "r"})
		return nil
	}); err != nil {
		t.Errorf("recommendations beside a run: %v", err)
	}
	if got := read(t, filepath.Join(runDir, "segments.csv")) + read(t, filepath.Join(runDir, "recommendations.csv")); got != "Ar" {
		t.Errorf("run folder shows %q, want the run's segments and the recommendations", got)
	}
}

// TestLegacyFolder commits a run into a folder of the older layout: plain
// files become links, a stale rejects/ goes, files not persona's stay.
func TestLegacyFolder(t *testing.T) {
	dir, st := t.TempDir(), inmem.New()
	writeFiles(t, dir, map[string]string{"segments.csv": "old", "model.json": "old", "summary.json": "old",
		"charts/a.svg": "old", "rejects/events.csv": "old", "notes.txt": "mine", "data/mine.csv": "mine"})
	commitRun(t, dir, st, "20260101-000000.000", map[string]string{"segments.csv": "new", "model.json": "new", "summary.json": "new", "charts/b.svg": "new"})
	for name, want := range map[string]string{"segments.csv": "new", "charts/b.svg": "new", "charts/a.svg": "(missing)",
		"rejects/events.csv": "(missing)", "notes.txt": "mine", "data/mine.csv": "mine"} {
		if got := read(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"segments.csv", "charts"} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is not a link: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, stagePrefix) }) {
		t.Errorf("left a stage: %v", names)
	}
}
