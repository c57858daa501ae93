package pipeline

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/persona-seg/persona/inmem"
	"github.com/persona-seg/persona/internal/fault"
)

// listDir returns the names under dir, folders with a trailing /, their
// files as folder/name.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			rel += "/"
		} else if !d.Type().IsRegular() {
			rel += "@" // a link
		}
		names = append(names, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

const rejectsFile = rejectsHeader + "\nsales.csv,5,unparsable timestamp,Date,someday\n"

// commitFile writes table and the rejects files (none when nil) through a
// FileOut, as persona features does; with a fault point set it stops
// there (a panic standing in for a kill) and leaves dir as a dead process
// would.
func commitFile(t *testing.T, path, rejects, table string, rej map[string]string) (err error) {
	t.Helper()
	f, err := OpenFile(path, rejects)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fault.Stop); !ok {
				panic(r)
			}
			err = nil // dead: nothing undone
		}
	}()
	if err := os.WriteFile(f.Temp(), []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	if rej != nil {
		writeFiles(t, f.RejectsTemp(), rej)
	}
	if err := f.Commit(); err != nil {
		return errors.Join(err, f.Abort())
	}
	return f.Abort() // nothing to do after a commit
}

// TestFileOut checks that a file output is replaced with its rejects
// folder and nothing else is made or touched beside it.
func TestFileOut(t *testing.T) {
	dir := t.TempDir()
	path, rejects := filepath.Join(dir, "features.csv"), filepath.Join(dir, "rejects")
	writeFiles(t, dir, map[string]string{"notes.txt": "mine"})
	if err := commitFile(t, path, rejects, "A", map[string]string{"events.csv": rejectsFile, "users.csv": rejectsFile}); err != nil {
		t.Fatal(err)
	}
	want := []string{"features.csv", "notes.txt", "rejects/", "rejects/events.csv", "rejects/users.csv"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("after the first commit: %v, want %v (no .persona/, lock or links)", got, want)
	}
	// The rejects folder is replaced whole: users.csv of the first
	// commit does not outlive the second.
	if err := commitFile(t, path, rejects, "B", map[string]string{"events.csv": rejectsFile}); err != nil {
		t.Fatal(err)
	}
	want = []string{"features.csv", "notes.txt", "rejects/", "rejects/events.csv"}
	if got := listDir(t, dir); !slices.Equal(got, want) || read(t, path) != "B" {
		t.Errorf("after the second commit: %v holding %q, want %v holding B", got, read(t, path), want)
	}
	// No rejects: no rejects folder.
	if err := commitFile(t, path, rejects, "C", nil); err != nil {
		t.Fatal(err)
	}
	want = []string{"features.csv", "notes.txt"}
	if got := listDir(t, dir); !slices.Equal(got, want) || read(t, path) != "C" {
		t.Errorf("after a commit without rejects: %v holding %q, want %v holding C", got, read(t, path), want)
	}
	// Without a rejects folder (OpenFile given none) only the file.
	if err := commitFile(t, path, "", "D", nil); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, want) || read(t, path) != "D" {
		t.Errorf("after a commit of the file alone: %v holding %q, want %v holding D", got, read(t, path), want)
	}
}

// TestFileOutRefuses checks the outputs OpenFile will not replace: a
// folder of other files given as the rejects folder, a run's outputs,
// a folder given as the file.
func TestFileOutRefuses(t *testing.T) {
	runDir := t.TempDir()
	commitRun(t, runDir, inmem.New(), "20260101-000000.000", map[string]string{"segments.csv": "A", "model.json": "A", "summary.json": "A", "rejects/events.csv": rejectsFile})
	oldRun := t.TempDir() // written before the snapshot layout
	writeFiles(t, oldRun, map[string]string{"segments.csv": "A", "model.json": "A", "summary.json": "A"})
	foreign := t.TempDir()
	writeFiles(t, foreign, map[string]string{"rejects/events.csv": rejectsFile, "rejects/plan.txt": "keep me"})
	headerless := t.TempDir()
	writeFiles(t, headerless, map[string]string{"rejects/events.csv": "a,b\n1,2\n"})
	tests := []struct {
		name, path, rejects, want string
	}{
		{"rejects of a run", filepath.Join(runDir, "features.csv"), filepath.Join(runDir, "rejects"), "holds the results of a persona run"},
		{"a run's output", filepath.Join(runDir, "segments.csv"), "", "holds the results of a persona run"},
		{"a run of the older layout", filepath.Join(oldRun, "features.csv"), filepath.Join(oldRun, "rejects"), "holds the results of a persona run"},
		{"rejects folder with other files", filepath.Join(foreign, "features.csv"), filepath.Join(foreign, "rejects"), "holds plan.txt, which is not a rejects file"},
		{"CSV files that are not rejects", filepath.Join(headerless, "features.csv"), filepath.Join(headerless, "rejects"), "holds events.csv, which is not a rejects file"},
		{"a folder as the file", filepath.Join(foreign, "rejects"), "", "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Dir(tt.path)
			before := listDir(t, dir)
			_, err := OpenFile(tt.path, tt.rejects)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if after := listDir(t, dir); !slices.Equal(before, after) {
				t.Errorf("the folder changed: %v, was %v", after, before)
			}
		})
	}
	// The run folder still shows its run.
	if got := read(t, filepath.Join(runDir, "rejects", "events.csv")); got != rejectsFile {
		t.Errorf("the run's rejects hold %q", got)
	}
}

// TestFileOutKilled stops a commit at each of its renames and checks that
// the file and the rejects are the old ones or the new ones, and that the
// next commit removes what the dead process left.
func TestFileOutKilled(t *testing.T) {
	newRejects := rejectsHeader + "\nnew\n"
	tests := []struct {
		point      string
		table      string // what the file holds after the stop
		rejects    string // what rejects/events.csv holds, "(missing)" if none
		leftBehind bool   // the dead process's temporary names remain
	}{
		{"", "B", newRejects, false},
		{"rejects-rename", "A", rejectsFile, true},
		{"file-rename", "A", newRejects, true},
	}
	for _, tt := range tests {
		t.Run("stop at "+tt.point, func(t *testing.T) {
			dir := t.TempDir()
			path, rejects := filepath.Join(dir, "features.csv"), filepath.Join(dir, "rejects")
			if err := commitFile(t, path, rejects, "A", map[string]string{"events.csv": rejectsFile}); err != nil {
				t.Fatal(err)
			}
			if tt.point != "" {
				t.Setenv(fault.Env, tt.point+"=panic")
			}
			if err := commitFile(t, path, rejects, "B", map[string]string{"events.csv": newRejects}); err != nil {
				t.Fatal(err)
			}
			t.Setenv(fault.Env, "")
			if got := read(t, path); got != tt.table {
				t.Errorf("features.csv holds %q, want %q", got, tt.table)
			}
			if got := read(t, filepath.Join(rejects, "events.csv")); got != tt.rejects {
				t.Errorf("rejects/events.csv holds %q, want %q", got, tt.rejects)
			}
			// The temporary names carry this test's pid, which is alive:
			// rename them as a dead process's would be.
			dead := deadPID(t)
			left := 0
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".persona-") {
					left++
					from := filepath.Join(dir, e.Name())
					if err := os.Rename(from, strings.Replace(from, strconv.Itoa(os.Getpid()), strconv.Itoa(dead), 1)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if (left > 0) != tt.leftBehind {
				t.Errorf("%d temporary names left behind: %v", left, listDir(t, dir))
			}
			// Another process, alive, keeps its temporary file.
			alive := filepath.Join(dir, ".features.csv.persona-1")
			writeFiles(t, dir, map[string]string{filepath.Base(alive): "init's"})
			if err := commitFile(t, path, rejects, "C", map[string]string{"events.csv": rejectsFile}); err != nil {
				t.Fatal(err)
			}
			want := []string{".features.csv.persona-1", "features.csv", "rejects/", "rejects/events.csv"}
			if got := listDir(t, dir); !slices.Equal(got, want) || read(t, path) != "C" {
				t.Errorf("after the next commit: %v holding %q, want %v holding C", got, read(t, path), want)
			}
		})
	}
}

// deadPID returns the id of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	return cmd.ProcessState.Pid()
}

// TestFileOutKeepFailed checks that the rejects of a failed attempt go to
// a folder that names it, replacing those of earlier failed attempts,
// and leave the file and the rejects folder as they were.
func TestFileOutKeepFailed(t *testing.T) {
	dir := t.TempDir()
	path, rejects := filepath.Join(dir, "features.csv"), filepath.Join(dir, "rejects")
	if err := commitFile(t, path, rejects, "A", map[string]string{"events.csv": rejectsFile}); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for range 2 {
		f, err := OpenFile(path, rejects)
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, f.RejectsTemp(), map[string]string{"events.csv": "failed"})
		k, err := f.KeepFailed()
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Abort(); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, k)
	}
	base := filepath.Base(kept[1])
	want := []string{base + "/", base + "/events.csv", "features.csv", "rejects/", "rejects/events.csv"}
	slices.Sort(want)
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("after two failed attempts: %v, want %v", got, want)
	}
	if read(t, path) != "A" || read(t, filepath.Join(rejects, "events.csv")) != rejectsFile || read(t, filepath.Join(kept[1], "events.csv")) != "failed" {
		t.Errorf("the failed attempts changed the committed file or rejects")
	}
}
