package report

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/chart/vega"
)

var update = flag.Bool("update", false, "update golden files in testdata/")

// shared holds the full sample report, written once for the tests that
// only read it (writing it takes a second or two).
var shared struct {
	once sync.Once
	dir  string
	err  error
}

// sampleDir returns a folder holding the report of sampleInput.
func sampleDir(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "persona-report-test-")
		if shared.err == nil {
			shared.err = Write(context.Background(), shared.dir, sampleInput(), WriteOptions{})
		}
	})
	if shared.err != nil {
		t.Fatalf("write the sample report: %v", shared.err)
	}
	return shared.dir
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func TestWriteGolden(t *testing.T) {
	dir := t.TempDir()
	if err := Write(context.Background(), dir, smallInput(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	// The inlined chart scripts are vendored files (chart/vega tests them):
	// the golden file holds the page around them.
	script := vega.Script()
	if !bytes.Contains(html, script) {
		t.Fatal("report.html does not inline vega.Script()")
	}
	golden(t, "small.html.golden", bytes.Replace(html, script, []byte("/* vega.Script() */"), 1))
	for _, name := range []string{"heatmap", "dendrogram", "k-distance", "silhouette"} {
		svg, err := os.ReadFile(filepath.Join(dir, "charts", name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name+".svg.golden", svg)
	}
}

// TestWriteRemovesStaleCharts writes the full sample, then a minimal input
// into the same folder: only the minimal report's chart may remain, and an
// unrelated file is kept.
func TestWriteRemovesStaleCharts(t *testing.T) {
	dir := t.TempDir()
	if err := Write(context.Background(), dir, sampleInput(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "charts", "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), dir, minimalInput(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if diff := cmp.Diff([]string{"interactive.json", "notes.txt", "segment-sizes.png", "segment-sizes.svg"}, got); diff != "" {
		t.Errorf("charts/ after the second report (-want +got):\n%s", diff)
	}
}

// TestWriteSample writes the full sample report and checks that every
// chart was written as SVG and PNG; with -reportdir the report is kept for
// looking at.
func TestWriteSample(t *testing.T) {
	dir := *reportDir
	if dir == "" {
		dir = sampleDir(t)
	} else if err := Write(context.Background(), dir, sampleInput(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range chartNames {
		for _, ext := range []string{".svg", ".png"} {
			st, err := os.Stat(filepath.Join(dir, "charts", name+ext))
			if err != nil {
				t.Error(err)
				continue
			}
			if st.Size() < 1000 {
				t.Errorf("%s%s is only %d bytes", name, ext, st.Size())
			}
		}
	}
}

var reportDir = flag.String("reportdir", "", "write the full sample report into this directory (for looking at it)")
