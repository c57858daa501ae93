package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/pipeline"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestNewCmdDemoFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     DemoOptions
		wantCode ExitCode
		wantErr  string
	}{
		{"defaults", nil, DemoOptions{Out: "demo-out", Users: 20000, Seed: 1, SegmentFlags: defaultSegmentFlags}, ExitOK, ""},
		{"all flags", []string{"--out", "x", "--users", "500", "--seed", "9", "--k", "4", "--k-range", "3..5", "--quiet",
			"--algorithm", "hierarchical", "--linkage", "average", "--pca", "6"},
			DemoOptions{Out: "x", Users: 500, Seed: 9, Quiet: true, SegmentFlags: SegmentFlags{Algorithm: "hierarchical", K: 4, KRange: "3..5", Linkage: "average", MinSamples: 10, PCA: 6}}, ExitOK, ""},
		{"dbscan flags", []string{"--algorithm", "dbscan", "--eps", "0.8", "--min-samples", "20"},
			DemoOptions{Out: "demo-out", Users: 20000, Seed: 1, SegmentFlags: SegmentFlags{Algorithm: "dbscan", KRange: "2..12", Linkage: "ward", Eps: 0.8, MinSamples: 20, PCA: 10}}, ExitOK, ""},
		{"unknown algorithm", []string{"--algorithm", "spectral"}, DemoOptions{}, ExitUsage, "--algorithm must be auto, kmeans, hierarchical, dbscan, kmedoids or kprototypes"},
		{"bad k range", []string{"--k-range", "5..3"}, DemoOptions{}, ExitUsage, "--k-range must satisfy"},
		{"negative eps", []string{"--eps", "-1"}, DemoOptions{}, ExitUsage, "--eps must be a positive radius"},
		{"negative users", []string{"--users", "-5"}, DemoOptions{}, ExitUsage, "--users must be a positive number"},
		{"k of one", []string{"--k", "1"}, DemoOptions{}, ExitUsage, "--k must be 2 or more"},
		{"unknown flag", []string{"--frobnicate"}, DemoOptions{}, ExitUsage, "unknown flag: --frobnicate"},
		{"not a number", []string{"--users", "many"}, DemoOptions{}, ExitUsage, `invalid argument "many"`},
		{"positional argument", []string{"extra"}, DemoOptions{}, ExitUsage, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			var got *DemoOptions
			root := NewCmdRoot(f)
			// Swap in a demo command that records its options.
			for _, c := range root.Commands() {
				if c.Name() == "demo" {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(NewCmdDemo(f, func(o *DemoOptions) error { got = o; return nil }))
			code := run(f, root, append([]string{"demo"}, tt.args...))
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(errOut.String(), tt.wantErr) {
					t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
				}
				if lines := strings.Count(strings.TrimSpace(errOut.String()), "\n"); lines > 1 {
					t.Errorf("error is %d lines, want the error and one usage hint:\n%s", lines+1, errOut)
				}
				return
			}
			got.IO = nil
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

var defaultSegmentFlags = SegmentFlags{Algorithm: "auto", KRange: "2..12", Linkage: "ward", MinSamples: 10, PCA: 10}

func TestDemoRunSmall(t *testing.T) {
	dir := t.TempDir()
	f, out, errOut := testFactory()
	code := Run(f, []string{"demo", "--out", dir, "--users", "600", "--seed", "2", "--k-range", "2..6"})
	if code != ExitOK {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	for _, want := range []string{"600 users", "ari_vs_planted", "SEGMENT", "report.html"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut.String(), "features") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last, want := lines[len(lines)-1], "Next: persona serve --store "+dir+" "; !strings.HasPrefix(last, want) {
		t.Errorf("last line %q, want it to start %q", last, want)
	}
}

func TestDemoUnwritableOut(t *testing.T) {
	// A file in the way of the folder fails for every user, root included.
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := testFactory()
	code := Run(f, []string{"demo", "--out", filepath.Join(blocker, "out"), "--users", "50"})
	if code != ExitFailure {
		t.Fatalf("exit code %d, want %d", code, ExitFailure)
	}
	if got := strings.Count(strings.TrimSpace(errOut.String()), "\n"); got != 0 {
		t.Errorf("error is %d lines, want one:\n%s", got+1, errOut)
	}
	if _, err := os.Stat(filepath.Join(blocker, "out")); err == nil {
		t.Error("output was created under a file")
	}
}

func TestServeStoreArg(t *testing.T) {
	tests := []struct{ name, out, store, want string }{
		{"default store in the folder", "demo-out", "", "demo-out"},
		{"DuckDB file", "out", "/data/p.duckdb", "/data/p.duckdb"},
		{"postgres URL is not echoed", "out", "postgres://u:secret@db/p", "POSTGRES_URL"},
		{"postgresql URL is not echoed", "out", "postgresql://u:secret@db/p", "POSTGRES_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serveStoreArg(tt.out, tt.store); got != tt.want {
				t.Errorf("serveStoreArg(%q, %q) = %q, want %q", tt.out, tt.store, got, tt.want)
			}
		})
	}
}

// TestPrintSummaryNames: a re-run into the same folder says which
// carried-over segments kept their names and which were renamed.
func TestPrintSummaryNames(t *testing.T) {
	sum := &pipeline.Summary{Users: 10, K: 3, Segments: []persona.Segment{
		{ID: 0, Name: "loyal — books", Previous: "loyal — books", Size: 5, Share: 0.5},
		{ID: 1, Name: "lapsed — night owls", Previous: "occasional — via 2, 1-based", Size: 3, Share: 0.3},
		{ID: 4, Name: "prospects", Size: 2, Share: 0.2},
	}}
	var b bytes.Buffer
	printSummary(&b, "out", "", sum)
	want := "Segments carried over from the previous run in out: 1 kept their names (0), 1 renamed as their standing or leading traits changed:\n" +
		"  1 \"lapsed — night owls\" (was \"occasional — via 2, 1-based\").\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("summary lacks\n%s\ngot:\n%s", want, b.String())
	}
	b.Reset()
	sum.Segments = sum.Segments[2:]
	printSummary(&b, "out", "", sum)
	if strings.Contains(b.String(), "carried over") {
		t.Errorf("first run mentions a previous one:\n%s", b.String())
	}
}
