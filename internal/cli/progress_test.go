package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/pipeline"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// progressScript drives a renderer through two steps, the second with
// Done/Total, moving the clock between updates.
func progressScript(p *progress, c *fakeClock) {
	p.update(pipeline.Progress{Step: "load"})
	c.advance(1500 * time.Millisecond)
	p.update(pipeline.Progress{Step: "cluster", Done: 0, Total: 4})
	c.advance(2 * time.Second)
	p.update(pipeline.Progress{Step: "cluster", Done: 1, Total: 4})
	c.advance(2 * time.Second)
	p.update(pipeline.Progress{Step: "cluster", Done: 2, Total: 4})
	c.advance(70 * time.Second)
	p.done(nil)
	p.done(errors.New("x")) // a second call prints nothing
	p.update(pipeline.Progress{Step: "late"})
}

func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	c := &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	progressScript(newProgressClock(&buf, false, false, c.now), c)
	want := []string{
		"[   0.0s] load ...",
		"[   1.5s] load: done in 1.5s",
		"[   1.5s] cluster ...",
		"[  75.5s] cluster: done in 1m14s",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")); diff != "" {
		t.Errorf("plain progress (-want +got):\n%s", diff)
	}
	if strings.ContainsAny(buf.String(), "\r\033") {
		t.Errorf("plain progress has terminal controls: %q", buf.String())
	}
}

func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	c := &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	progressScript(newProgressClock(&buf, true, false, c.now), c)
	// Every redraw starts with a carriage return and a clear-line; a
	// finished step ends its line.
	draws := strings.Split(buf.String(), "\r\033[K")[1:]
	want := []string{
		"[   0.0s] load",
		"[   1.5s] load: done in 1.5s\n",
		"[   1.5s] cluster [>                       ] 0/4   0% ETA --",
		"[   3.5s] cluster [======>                 ] 1/4  25% ETA 6.0s",
		"[   5.5s] cluster [============>           ] 2/4  50% ETA 4.0s",
		"[  75.5s] cluster: done in 1m14s\n",
	}
	if diff := cmp.Diff(want, draws); diff != "" {
		t.Errorf("terminal progress (-want +got):\n%s", diff)
	}
}

func TestProgressQuiet(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var buf bytes.Buffer
		c := &fakeClock{t: time.Now()}
		progressScript(newProgressClock(&buf, tty, true, c.now), c)
		if buf.Len() != 0 {
			t.Errorf("tty %v: quiet progress printed %q", tty, buf.String())
		}
	}
}

// TestProgressTicker checks that a terminal line is redrawn between
// updates (the clock moves during a long step) and that done stops it.
func TestProgressTicker(t *testing.T) {
	var buf syncBuffer
	p := newProgress(&IOStreams{ErrOut: &buf, ErrTTY: true}, false)
	p.update(pipeline.Progress{Step: "features"})
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(buf.String(), "\r\033[K") < 3 && time.Now().Before(deadline) {
		time.Sleep(progressTick / 2)
	}
	p.done(nil)
	got := buf.String()
	if n := strings.Count(got, "\r\033[K"); n < 3 {
		t.Fatalf("%d redraws in 10s, want the ticker's: %q", n, got)
	}
	if !strings.HasSuffix(got, "\n") || !strings.Contains(got, "features: done in") {
		t.Errorf("no final line: %q", got)
	}
	after := buf.String()
	time.Sleep(2 * progressTick)
	if buf.String() != after {
		t.Error("redrawn after done")
	}
}

func TestFileProgress(t *testing.T) {
	path := writeTempFile(t, "x.csv", "a,b\n1,2\n")
	tests := []struct {
		name     string
		quiet    bool
		minBytes int64
		path     string
		wantOn   bool
	}{
		{"large enough", false, 4, path, true},
		{"small file", false, 1 << 20, path, false},
		{"quiet", true, 0, path, false},
		{"missing file", false, 0, path + ".nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newFileProgress(&IOStreams{ErrOut: &buf}, tt.quiet, tt.path, tt.minBytes)
			p.update(pipeline.Progress{Step: "read"})
			p.done(nil)
			if got := buf.Len() > 0; got != tt.wantOn {
				t.Errorf("printed %q, want output %v", buf.String(), tt.wantOn)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the ticker goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeTempFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestProgressFailed(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var buf bytes.Buffer
		c := &fakeClock{t: time.Now()}
		p := newProgressClock(&buf, tty, false, c.now)
		p.update(pipeline.Progress{Step: "load"})
		c.advance(time.Second)
		p.done(errors.New("no such file"))
		if want := "[   1.0s] load: failed after 1.0s\n"; !strings.HasSuffix(buf.String(), want) {
			t.Errorf("tty %v: %q, want it to end with %q", tty, buf.String(), want)
		}
	}
}

// TestIsTerminal checks that /dev/null, a character device, is not taken
// for a terminal (progress bars drawn into it would be lost).
func TestIsTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no %s: %v", os.DevNull, err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Errorf("%s is taken for a terminal", os.DevNull)
	}
	tmp, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	if isTerminal(tmp) {
		t.Errorf("a regular file is taken for a terminal")
	}
}
