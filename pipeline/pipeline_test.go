//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/store"
	"github.com/persona-seg/persona/store/appender"
)

// duckStore opens out's DuckDB store, as persona run does by default.
func duckStore(out string) func(context.Context) (persona.RunStore, error) {
	return func(ctx context.Context) (persona.RunStore, error) {
		return store.Open(ctx, filepath.Join(out, store.File), store.Options{Bulk: []store.BulkWriter{appender.Writer{}}})
	}
}

func runDemo(t *testing.T, out string, users int, seed uint64) *pipeline.Summary {
	t.Helper()
	sum, err := pipeline.Demo(context.Background(), "duckdb", pipeline.DemoOptions{
		Users:   users,
		Options: pipeline.Options{Out: out, Seed: seed, KMax: 9, Store: duckStore(out)},
	})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	return sum
}

func TestDemoEndToEnd(t *testing.T) {
	out := t.TempDir()
	sum := runDemo(t, out, 1500, 3)

	for _, f := range []string{"segments.csv", "profiles.json", "report.html", "summary.json", "data/users.csv", "data/truth.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output %s: %v", f, err)
		}
	}
	if sum.K < 2 || sum.K > 9 {
		t.Errorf("k = %d, want within the range 2..9", sum.K)
	}
	if sum.ARIVsPlanted == nil || *sum.ARIVsPlanted < 0.5 {
		t.Errorf("ari_vs_planted = %v, want >= 0.5 even at 1,500 users", sum.ARIVsPlanted)
	}
	// segments.csv: header, one row per user, names matching profiles.json.
	f, err := os.Open(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "user_id,segment,segment_name,distance" {
		t.Errorf("segments.csv header = %q", got)
	}
	if sum.Value == nil || sum.Value.Customers == 0 || sum.Value.TotalCLV == nil {
		t.Errorf("summary value %+v", sum.Value)
	}
	if _, err := os.Stat(filepath.Join(out, "value.csv")); err != nil {
		t.Error(err)
	}
	if len(recs)-1 != sum.Users || sum.Users != 1500 {
		t.Errorf("segments.csv has %d rows, summary says %d users, want 1500", len(recs)-1, sum.Users)
	}
	var prof struct {
		Version  int `json:"version"`
		Segments []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
			Size int    `json:"size"`
		} `json:"segments"`
	}
	b, err := os.ReadFile(filepath.Join(out, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &prof); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	total := 0
	for _, s := range prof.Segments {
		names[strings.TrimSpace(s.Name)] = s.Name
		total += s.Size
	}
	if len(names) != len(prof.Segments) || len(prof.Segments) != sum.K {
		t.Errorf("%d distinct names for %d segments (k = %d)", len(names), len(prof.Segments), sum.K)
	}
	if total != 1500 {
		t.Errorf("segment sizes add up to %d, want 1500", total)
	}
	for _, r := range recs[1:] {
		if _, ok := names[r[2]]; !ok {
			t.Fatalf("segments.csv names %q, not a segment of profiles.json", r[2])
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	for _, s := range prof.Segments {
		if !bytes.Contains(html, []byte(htmlEscape(s.Name))) {
			t.Errorf("report.html does not mention segment %q", s.Name)
		}
	}
	checkClean(t, out)
}

// checkClean checks that out holds one committed snapshot, the one its
// pointer names, and nothing of a staging folder or a journal.
func checkClean(t *testing.T, out string) {
	t.Helper()
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".persona-run-") {
			t.Errorf("left behind %s", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".persona", "pending")); err == nil {
		t.Errorf("left behind the journal .persona/pending")
	}
	snaps, _ := os.ReadDir(filepath.Join(out, ".persona", "runs"))
	if cur := pipeline.Current(out); len(snaps) != 1 || snaps[0].Name() != cur {
		t.Errorf("snapshots %v, want only the current one %q", snaps, cur)
	}
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

func TestDemoDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	runDemo(t, a, 800, 11)
	runDemo(t, b, 800, 11)
	sa, _ := os.ReadFile(filepath.Join(a, "segments.csv"))
	sb, _ := os.ReadFile(filepath.Join(b, "segments.csv"))
	if len(sa) == 0 || !bytes.Equal(sa, sb) {
		t.Error("the same seed gave different segments.csv")
	}
	// The report too, to the last bit of every sum in it.
	ra, _ := os.ReadFile(filepath.Join(a, "report.html"))
	rb, _ := os.ReadFile(filepath.Join(b, "report.html"))
	if len(ra) == 0 || !bytes.Equal(ra, rb) {
		t.Error("the same seed gave different report.html")
	}
}

// TestFailedRunKeepsPreviousResults runs once, then fails a second run on
// data that cannot be read, and checks the first run's files are untouched.
func TestFailedRunKeepsPreviousResults(t *testing.T) {
	out := t.TempDir()
	runDemo(t, out, 600, 5)
	before, err := os.ReadFile(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(bad, []byte("user_id,timestamp,session_id,event_type,category,device\nU1,not a time,S,page_view,x,mobile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.Run(context.Background(), "duckdb", dataset.Sources{Events: bad}.Config(), pipeline.Options{Out: out, Store: duckStore(out)})
	if err == nil {
		t.Fatal("run on a bad file succeeded")
	}
	after, _ := os.ReadFile(filepath.Join(out, "segments.csv"))
	if !bytes.Equal(before, after) {
		t.Error("a failed run changed segments.csv")
	}
	checkClean(t, out)
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts pipeline.Options
		ok   bool
	}{
		{"defaults", pipeline.Options{Out: "x"}, true},
		{"no output folder", pipeline.Options{}, false},
		{"k range below 2", pipeline.Options{Out: "x", KMin: 1, KMax: 4}, false},
		{"empty k range", pipeline.Options{Out: "x", KMin: 5, KMax: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opts.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
