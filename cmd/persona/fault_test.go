//go:build linux

package main

// The fault-injection suite: persona runs as a child process (this test
// binary, re-executed) into a copy of a good output folder and is killed
// at each step and between the stages of its commit, runs out of disk on a
// small tmpfs, races a second run, fails its checkpoint or gets SIGTERM.
// After each, the folder's files, persona runs, the served API and
// persona score --model OUT must all show the same run: the previous one,
// or the new one once its pointer was switched (pipeline/doc.go). Then a
// good run into the folder must succeed and leave nothing pending.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/cli"
	"github.com/persona-seg/persona/internal/fault"
	"github.com/persona-seg/persona/store"
)

const childEnv = "PERSONA_FAULT_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(int(cli.Main()))
	}
	code := m.Run()
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

// result is how a child ended.
type result struct {
	code   int
	killed bool // by SIGKILL
	stdout string
	stderr string
}

// child runs the persona command line in a child process with the extra
// environment variables env.
func child(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), childEnv+"=1", fault.Env+"="), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return ended(t, err, out.String(), errOut.String())
}

func ended(t *testing.T, err error, stdout, stderr string) result {
	t.Helper()
	r := result{stdout: stdout, stderr: stderr}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		r.killed = ws.Signaled() && ws.Signal() == syscall.SIGKILL
		r.code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return r
}

// fixture is a good output folder of a demo run, and a config that reads a
// copy of its data from outside the folder.
type fixture struct {
	base   string // the demo's output folder
	config string
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
	fixDir  string
)

func getFixture(t *testing.T) fixture {
	t.Helper()
	fixOnce.Do(func() {
		fixDir, fixErr = os.MkdirTemp("", "persona-fault-")
		if fixErr != nil {
			return
		}
		base := filepath.Join(fixDir, "base")
		r := child(t, nil, "demo", "--out", base, "--users", "700", "--seed", "3", "--k", "3", "--quiet")
		if r.code != 0 {
			fixErr = fmt.Errorf("demo: exit %d: %s", r.code, r.stderr)
			return
		}
		data := filepath.Join(fixDir, "data")
		if out, err := exec.Command("cp", "-rL", filepath.Join(base, "data"), data).CombinedOutput(); err != nil {
			fixErr = fmt.Errorf("cp: %v: %s", err, out)
			return
		}
		cfg := filepath.Join(fixDir, "persona.yaml")
		var b strings.Builder
		for _, k := range []string{"users", "events", "transactions", "social"} {
			fmt.Fprintf(&b, "%s:\n  path: %s\n", k, filepath.Join(data, k+".csv"))
		}
		fixErr = os.WriteFile(cfg, []byte(b.String()), 0o644)
		fix = fixture{base: base, config: cfg}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// copyOut copies the fixture's folder (links as links) to a new folder.
func copyOut(t *testing.T, f fixture, dst string) string {
	t.Helper()
	if out, err := exec.Command("cp", "-a", f.base, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	return dst
}

// runArgs are the arguments of the run the suite interrupts.
func runArgs(f fixture, out string) []string {
	return []string{"run", "--config", f.config, "--out", out, "--k", "3", "--seed", "5", "--quiet"}
}

// checks say what agree asks besides persona runs and the files.
type checks struct{ score, serve bool }

var (
	all   = checks{score: true, serve: true}
	files = checks{}
)

// agree checks that out's files, persona runs, and (as c says) persona
// serve and persona score --model out show one run, and returns its id.
func agree(t *testing.T, f fixture, out string, c checks) string {
	t.Helper()
	r := child(t, nil, "runs", "--store", out, "--json")
	if r.code != 0 {
		t.Fatalf("persona runs: exit %d: %s", r.code, r.stderr)
	}
	var listed struct {
		Runs []persona.Run `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed.Runs) == 0 {
		t.Fatalf("persona runs --json: %v: %q", err, r.stdout)
	}
	id := listed.Runs[0].ID
	var m struct {
		RunID string `json:"run_id"`
	}
	if b, err := os.ReadFile(filepath.Join(out, "model.json")); err != nil || json.Unmarshal(b, &m) != nil || m.RunID != id {
		t.Errorf("model.json is of run %q (%v), persona runs' latest is %s", m.RunID, err, id)
	}
	var sum struct {
		Seed uint64 `json:"seed"`
	}
	if b, err := os.ReadFile(filepath.Join(out, "summary.json")); err != nil || json.Unmarshal(b, &sum) != nil {
		t.Errorf("summary.json: %v", err)
	}
	// segments.csv is the stored run's, row for row.
	exp := filepath.Join(t.TempDir(), "export")
	if r := child(t, nil, "runs", "--store", out, "--export", id, "--out", exp, "--quiet"); r.code != 0 {
		t.Fatalf("persona runs --export: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(filepath.Join(out, "segments.csv"))
	want, _ := os.ReadFile(filepath.Join(exp, "segments.csv"))
	if len(got) == 0 || !bytes.Equal(got, want) {
		t.Errorf("segments.csv (%d bytes) is not the stored run %s's segments (%d bytes)", len(got), id, len(want))
	}
	if !c.score {
		return id
	}
	// score --model out scores with that run's model.
	r = child(t, nil, "score", "--model", out, "--config", f.config, "--out", filepath.Join(t.TempDir(), "scored"), "--json")
	var sc struct {
		RunID string `json:"run_id"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &sc) != nil || sc.RunID != id {
		t.Errorf("persona score --model OUT scored with run %q (exit %d: %s), want %s", sc.RunID, r.code, r.stderr, id)
	}
	if c.serve {
		if served, seg := serveCheck(t, out, firstUser(t, got)); served != id {
			t.Errorf("persona serve serves run %q, want %s", served, id)
		} else if wantSeg := firstSegment(t, got); seg != wantSeg {
			t.Errorf("persona serve puts the first user in segment %d, segments.csv in %d", seg, wantSeg)
		}
	}
	return id
}

func firstRow(t *testing.T, segments []byte) []string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(segments)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("segments.csv: %v", err)
	}
	return recs[1]
}

func firstUser(t *testing.T, segments []byte) string { return firstRow(t, segments)[0] }

func firstSegment(t *testing.T, segments []byte) int {
	var s int
	fmt.Sscan(firstRow(t, segments)[1], &s)
	return s
}

var servingLine = regexp.MustCompile(`serving run=(\S+) url=(\S+)`)

// serveCheck starts persona serve on out, and returns the run /healthz
// names and the segment /api/users/{user} gives.
func serveCheck(t *testing.T, out, user string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--store", out, "--addr", "127.0.0.1:0", "--poll", "-1s")
	cmd.Env = append(os.Environ(), childEnv+"=1", fault.Env+"=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	sc := bufio.NewScanner(stderr)
	url := ""
	for sc.Scan() {
		if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
			url = m[2]
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if url == "" {
		t.Fatalf("persona serve did not start")
	}
	get := func(path string, v any) {
		resp, err := http.Get(url + strings.TrimPrefix(path, "/"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var health struct {
		RunID string `json:"run_id"`
	}
	get("/healthz", &health)
	var u struct {
		RunID   string `json:"run_id"`
		Segment struct {
			ID int `json:"id"`
		} `json:"segment"`
	}
	get("/api/users/"+user, &u)
	if u.RunID != health.RunID {
		t.Errorf("/healthz serves run %s, /api/users run %s", health.RunID, u.RunID)
	}
	return health.RunID, u.Segment.ID
}

// pending returns the runs out's store holds but has not committed.
func pending(t *testing.T, out string) []persona.Run {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(out, store.File), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.List(context.Background(), persona.RunFilter{Pending: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// clean checks that a good run into out succeeds and leaves one snapshot,
// no stage, no journal and nothing pending, with everything agreeing on
// the new run; it returns the previous latest run's id, checking it is
// still in the store.
func clean(t *testing.T, f fixture, out, before string) {
	t.Helper()
	if r := child(t, nil, runArgs(f, out)...); r.code != 0 {
		t.Fatalf("the run after: exit %d: %s", r.code, r.stderr)
	}
	id := agree(t, f, out, files)
	if id == before {
		t.Errorf("the run after did not become the latest")
	}
	if p := pending(t, out); len(p) != 0 {
		t.Errorf("pending runs after a good run: %v", p)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".persona-run-") || strings.HasPrefix(e.Name(), "rejects-") {
			t.Errorf("left %s", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".persona", "pending")); err == nil {
		t.Errorf("left the journal")
	}
	if snaps, _ := os.ReadDir(filepath.Join(out, ".persona", "runs")); len(snaps) != 1 {
		t.Errorf("%d snapshots after a good run, want 1", len(snaps))
	}
	r := child(t, nil, "runs", "--store", out, "--json")
	if !strings.Contains(r.stdout, `"id": "`+before+`"`) {
		t.Errorf("the run before (%s) is gone from the store: %s", before, r.stdout)
	}
}

// TestKilled kills a run at each step and between the stages of its
// commit.
func TestKilled(t *testing.T) {
	f := getFixture(t)
	prev := agree(t, f, f.base, files)
	steps := []string{"load", "features", "prepare", "cluster", "quality", "value", "profile", "report", "write", "recommend", "save"}
	type point struct {
		name   string
		newRun bool // whether the killed run is the one to show
	}
	var points []point
	for _, s := range steps {
		points = append(points, point{"step-" + s, false})
	}
	// store-rows is half-way through the store's transaction (its WAL
	// holds part of the run's rows), checkpoint right after it committed.
	points = append(points, point{"store-rows", false}, point{"checkpoint", false}, point{"saved", false}, point{"staged", false},
		point{"swapped", true}, point{"linked", true}, point{"marked", true})
	for i, p := range points {
		t.Run(p.name, func(t *testing.T) {
			out := copyOut(t, f, filepath.Join(t.TempDir(), "out"))
			r := child(t, []string{fault.Env + "=" + p.name + "=kill"}, runArgs(f, out)...)
			if !r.killed {
				t.Fatalf("the run was not killed at %s: exit %d: %s", p.name, r.code, r.stderr)
			}
			// Serving is checked on every other point, to keep the
			// suite short; the points either side of the commit both.
			c := checks{score: true, serve: i%2 == 0 || p.name == "staged" || p.name == "swapped"}
			id := agree(t, f, out, c)
			if got := id != prev; got != p.newRun {
				t.Errorf("killed at %s: the folder shows run %s (the previous run is %s); want the new run: %v", p.name, id, prev, p.newRun)
			}
			clean(t, f, out, id)
		})
	}
}

// TestCheckpointFails injects a failed checkpoint of the store's save: the
// run fails with the error, and everything shows the previous run.
func TestCheckpointFails(t *testing.T) {
	f := getFixture(t)
	prev := agree(t, f, f.base, files)
	out := copyOut(t, f, filepath.Join(t.TempDir(), "out"))
	r := child(t, []string{fault.Env + "=checkpoint=fail"}, runArgs(f, out)...)
	if r.code != 1 || !strings.Contains(r.stderr, "checkpoint") {
		t.Fatalf("exit %d, stderr %q; want 1 and the checkpoint's error", r.code, r.stderr)
	}
	if id := agree(t, f, out, all); id != prev {
		t.Errorf("the folder shows run %s after a failed checkpoint, want the previous %s", id, prev)
	}
	clean(t, f, out, prev)
}

// TestSIGTERM stops a run with SIGTERM while it computes: exit 143, a
// message, the stage removed and the previous run kept.
func TestSIGTERM(t *testing.T) {
	f := getFixture(t)
	prev := agree(t, f, f.base, files)
	out := copyOut(t, f, filepath.Join(t.TempDir(), "out"))
	cmd := exec.Command(os.Args[0], runArgs(f, out)...)
	cmd.Env = append(os.Environ(), childEnv+"=1", fault.Env+"=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitStage(t, out)
	cmd.Process.Signal(syscall.SIGTERM)
	r := ended(t, cmd.Wait(), "", stderr.String())
	if r.code != 143 || !strings.Contains(r.stderr, "interrupted by SIGTERM") {
		t.Fatalf("exit %d, stderr %q; want 143 and a message", r.code, r.stderr)
	}
	if stages, _ := filepath.Glob(filepath.Join(out, ".persona-run-*")); len(stages) != 0 {
		t.Errorf("SIGTERM left %v", stages)
	}
	if id := agree(t, f, out, checks{score: true}); id != prev {
		t.Errorf("the folder shows run %s after SIGTERM, want the previous %s", id, prev)
	}
}

// waitStage waits until a run has staged into out (it holds the lock).
func waitStage(t *testing.T, out string) {
	t.Helper()
	for range 600 {
		if m, _ := filepath.Glob(filepath.Join(out, ".persona-run-*")); len(m) > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the run never staged")
}

// TestConcurrentRuns starts a second run while one writes the folder: it
// fails at once naming the first's pid, and the first lands.
func TestConcurrentRuns(t *testing.T) {
	f := getFixture(t)
	out := copyOut(t, f, filepath.Join(t.TempDir(), "out"))
	first := exec.Command(os.Args[0], runArgs(f, out)...)
	first.Env = append(os.Environ(), childEnv+"=1", fault.Env+"=")
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	waitStage(t, out)
	start := time.Now()
	r := child(t, nil, runArgs(f, out)...)
	want := fmt.Sprintf("is being written by another persona run (pid %d)", first.Process.Pid)
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("second run: exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the second run took %v to fail", d) // not a timing test: it must not wait for the first
	}
	if r := ended(t, first.Wait(), "", firstErr.String()); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	agree(t, f, out, all)
	if p := pending(t, out); len(p) != 0 {
		t.Errorf("pending runs: %v", p)
	}
}

// mountTmpfs mounts a tmpfs of size bytes at dir, or skips the test.
func mountTmpfs(t *testing.T, dir string, size int64) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("disk-full cases need root to mount a tmpfs (CI runs them as root)")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): the disk-full and read-only cases are not run", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
}

// fill writes a file into dir that leaves free bytes free on its file
// system.
func fill(t *testing.T, dir string, free int64) string {
	t.Helper()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	avail := int64(fs.Bavail) * int64(fs.Bsize)
	path := filepath.Join(dir, "filler")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	buf := make([]byte, 1<<16)
	for n := avail - free; n > 0; n -= int64(len(buf)) {
		if _, err := fh.Write(buf[:min(int64(len(buf)), n)]); err != nil {
			break
		}
	}
	return path
}

// TestDiskFull runs into a folder on a small tmpfs with a little free
// space: the run fails where the space runs out (writing its files, the
// store, its checkpoint...), and the previous run stays served. Then a
// read-only remount checks that persona runs, runs --export and serve
// need no write access.
func TestDiskFull(t *testing.T) {
	f := getFixture(t)
	mnt := t.TempDir()
	mountTmpfs(t, mnt, 64<<20)
	prev := ""
	for _, free := range []int64{0, 64 << 10, 512 << 10, 2 << 20, 4 << 20, 8 << 20, 32 << 20} {
		t.Run(fmt.Sprintf("%dKiB free", free>>10), func(t *testing.T) {
			out := filepath.Join(mnt, "out")
			os.RemoveAll(out)
			copyOut(t, f, out)
			prev = agree(t, f, out, files)
			filler := fill(t, mnt, free)
			r := child(t, nil, runArgs(f, out)...)
			os.Remove(filler)
			if r.code == 0 {
				t.Logf("the run fitted in %d KiB", free>>10)
			} else {
				t.Logf("the run failed: %.300s", strings.TrimSpace(r.stderr))
			}
			id := agree(t, f, out, checks{score: true, serve: free == 0})
			if r.code != 0 && id != prev {
				t.Errorf("a run that failed (%s) shows as run %s, want the previous %s", strings.TrimSpace(r.stderr), id, prev)
			}
			if r.code == 0 && id == prev {
				t.Errorf("a run that succeeded is not the latest")
			}
			clean(t, f, out, id)
		})
	}
	t.Run("read-only", func(t *testing.T) {
		out := filepath.Join(mnt, "out")
		if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
			t.Skipf("cannot remount read-only: %v: %s", err, out)
		}
		defer exec.Command("mount", "-o", "remount,rw", mnt).Run()
		agree(t, f, out, all)
	})
}
