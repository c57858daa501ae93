package synth

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const tsLayout = "2006-01-02 15:04:05"

// generate writes a data set of n users into a fresh directory.
func generate(t *testing.T, n int, seed uint64) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Generate(context.Background(), dir, Options{Users: n, Seed: seed})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, sum
}

// readCSV reads a whole file, checks its header and returns the data rows.
func readCSV(t *testing.T, path string, header []string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	r.ReuseRecord = false
	got, err := r.Read()
	if err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	if d := cmp.Diff(header, got); d != "" {
		t.Fatalf("%s: header mismatch (-want +got):\n%s", path, d)
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

var (
	usersHeader  = []string{"user_id", "signup_date", "birth_year", "gender", "country", "acquisition_channel", "device"}
	eventsHeader = []string{"user_id", "timestamp", "session_id", "event_type", "category", "device"}
	txnsHeader   = []string{"user_id", "order_id", "timestamp", "product_id", "category", "quantity", "unit_price", "discount"}
	socialHeader = []string{"user_id", "timestamp", "platform", "action", "topic"}
	truthHeader  = []string{"user_id", "persona"}
)

// dataset is a generated data set parsed back from its files.
type dataset struct {
	users   [][]string
	events  [][]string
	txns    [][]string
	social  [][]string
	truth   map[string]string // user → persona
	persona []string          // personas in users order
}

func load(t *testing.T, dir string) dataset {
	t.Helper()
	d := dataset{
		users:  readCSV(t, filepath.Join(dir, UsersFile), usersHeader),
		events: readCSV(t, filepath.Join(dir, EventsFile), eventsHeader),
		txns:   readCSV(t, filepath.Join(dir, TransactionsFile), txnsHeader),
		social: readCSV(t, filepath.Join(dir, SocialFile), socialHeader),
		truth:  map[string]string{},
	}
	for _, row := range readCSV(t, filepath.Join(dir, TruthFile), truthHeader) {
		d.truth[row[0]] = row[1]
		d.persona = append(d.persona, row[1])
	}
	return d
}

func TestGenerateSizes(t *testing.T) {
	tests := []struct {
		name  string
		users int
	}{
		{"one", 1},
		{"small", 37},
		{"medium", 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, sum := generate(t, tt.users, 7)
			d := load(t, dir)
			if len(d.users) != tt.users || len(d.truth) != tt.users || sum.Users != tt.users {
				t.Fatalf("users.csv has %d rows, truth.csv %d, Summary.Users %d; want %d",
					len(d.users), len(d.truth), sum.Users, tt.users)
			}
			gotCounts := Summary{Users: len(d.users), Events: len(d.events), Transactions: len(d.txns), Social: len(d.social)}
			wantCounts := Summary{Users: sum.Users, Events: sum.Events, Transactions: sum.Transactions, Social: sum.Social}
			if diff := cmp.Diff(wantCounts, gotCounts); diff != "" {
				t.Errorf("Summary counts differ from the files (-summary +files):\n%s", diff)
			}
			sizes := map[string]int{}
			for _, p := range d.persona {
				sizes[p]++
			}
			for _, p := range Personas() {
				if _, ok := sum.PersonaSizes[p.Name]; !ok {
					t.Errorf("PersonaSizes has no entry for %s", p.Name)
				}
				if sizes[p.Name] == 0 {
					delete(sum.PersonaSizes, p.Name) // compare the non-empty ones below
				}
			}
			if diff := cmp.Diff(sizes, sum.PersonaSizes); diff != "" {
				t.Errorf("PersonaSizes differ from truth.csv (-truth +summary):\n%s", diff)
			}
			var want []string
			for _, n := range []string{UsersFile, EventsFile, TransactionsFile, SocialFile, TruthFile} {
				want = append(want, filepath.Join(dir, n))
			}
			if diff := cmp.Diff(want, sum.Files); diff != "" {
				t.Errorf("Files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPersonaShares(t *testing.T) {
	const n = 3000
	_, sum := generate(t, n, 11)
	ps := profiles()
	total := 0.0
	for _, p := range ps {
		total += p.share
	}
	if math.Abs(total-1) > 1e-9 {
		t.Fatalf("persona shares sum to %v, want 1", total)
	}
	lo, hi := n, 0
	for _, p := range ps {
		got := sum.PersonaSizes[p.name]
		if math.Abs(float64(got)-p.share*n) > 1 {
			t.Errorf("persona %s has %d users, want %.0f±1", p.name, got, p.share*n)
		}
		lo, hi = min(lo, got), max(hi, got)
	}
	if hi < 4*lo {
		t.Errorf("largest persona has %d users, smallest %d: want largest >= 4x smallest", hi, lo)
	}
	if noise := float64(sum.PersonaSizes["noise"]) / n; noise < 0.03 || noise > 0.05 {
		t.Errorf("noise share is %.3f, want 0.03..0.05", noise)
	}
	if len(sum.PersonaSizes) != len(ps) {
		t.Errorf("PersonaSizes has %d personas, want %d", len(sum.PersonaSizes), len(ps))
	}
}

func TestPersonas(t *testing.T) {
	ps := Personas()
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
		if p.Description == "" {
			t.Errorf("persona %s has no description", p.Name)
		}
	}
	want := []string{"champions", "bargain_hunters", "window_browsers", "lapsed", "new_users", "influencers", "noise"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("Personas() names (-want +got):\n%s", diff)
	}
	ps[0].Name = "changed"
	if Personas()[0].Name != "champions" {
		t.Error("Personas returned shared state")
	}
}

func hashFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range []string{UsersFile, EventsFile, TransactionsFile, SocialFile, TruthFile} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	return out
}

func TestDeterminism(t *testing.T) {
	dirA, _ := generate(t, 500, 42)
	dirB, _ := generate(t, 500, 42)
	dirC, _ := generate(t, 500, 43)
	a, b, c := hashFiles(t, dirA), hashFiles(t, dirB), hashFiles(t, dirC)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed gave different files")
	}
	for n := range a {
		if n == TruthFile && a[n] == c[n] {
			continue // a shuffle of 500 personas may coincide only by chance
		}
		if a[n] == c[n] {
			t.Errorf("seeds 42 and 43 gave identical %s", n)
		}
	}
}

func TestBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"negative users", Options{Users: -1}, "Users"},
		{"end too early", Options{End: time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC)}, "End"},
		{"end too late", Options{End: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "End"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opts.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
			}
			dir := t.TempDir()
			if _, err := Generate(context.Background(), dir, tt.opts); err == nil {
				t.Error("Generate: want an error")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("Generate left %d files after an error", len(ents))
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := Generate(ctx, dir, Options{Users: 100})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate with a canceled context: err = %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("Generate left %d files after cancellation", len(ents))
	}
}

func TestDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.Users != DefaultUsers || !o.End.Equal(defaultEnd()) {
		t.Errorf("defaults: %+v", o)
	}
	loc := time.FixedZone("X", 3600)
	o = Options{End: time.Date(2020, 6, 1, 12, 0, 0, 500, loc)}.withDefaults()
	if want := time.Date(2020, 6, 1, 11, 0, 0, 0, time.UTC); !o.End.Equal(want) || o.End.Location() != time.UTC {
		t.Errorf("End = %v, want %v", o.End, want)
	}
}

func TestGenerateBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(context.Background(), filepath.Join(file, "out"), Options{Users: 10})
	if err == nil || !strings.Contains(err.Error(), "plain") {
		t.Errorf("Generate into a path below a file: err = %v, want an error naming the path", err)
	}
}

func TestGenerateOverwrites(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{50, 20} {
		if _, err := Generate(context.Background(), dir, Options{Users: n}); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(readCSV(t, filepath.Join(dir, UsersFile), usersHeader)); got != 20 {
		t.Errorf("users.csv has %d rows after regenerating 20 users", got)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{EventsFile, SocialFile, TransactionsFile, TruthFile, UsersFile}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("files in dir (-want +got):\n%s", diff)
	}
}
