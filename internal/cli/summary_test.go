package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The --json summaries hold what the command did, not just any object.

func TestVersionJSON(t *testing.T) {
	f, out, errOut := testFactory()
	if code := Run(f, []string{"version", "--json"}); code != ExitOK {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	var got versionInfo
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := versionInfo{Version: Version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(versionInfo{}, "Revision")); diff != "" {
		t.Errorf("version --json (-want +got):\n%s", diff)
	}
	var keys map[string]any
	json.Unmarshal(out.Bytes(), &keys)
	for _, k := range []string{"version", "go", "os", "arch", "revision"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("no %q key in %s", k, out)
		}
	}
}

func TestInitAndFeaturesJSON(t *testing.T) {
	dir, config := writeShop(t)
	f, out, errOut := testFactory()
	drafted := filepath.Join(dir, "drafted.yaml")
	if code := Run(f, []string{"init", "--transactions", filepath.Join(dir, "sales.csv"), "--out", drafted, "--json"}); code != ExitOK {
		t.Fatalf("init: exit code %d: %s", code, errOut)
	}
	var in initSummary
	if err := json.Unmarshal(out.Bytes(), &in); err != nil {
		t.Fatal(err)
	}
	yes := true
	wantInit := initSummary{Config: drafted, Ready: true, Datasets: map[string]initGuess{"transactions": {
		Path: "sales.csv", Delimiter: ",", Header: &yes,
		Columns: map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "Date", "product_id": "Sku", "quantity": "Qty", "unit_price": "Price"},
	}}}
	if diff := cmp.Diff(wantInit, in, cmpopts.IgnoreFields(initGuess{}, "TimestampFormat")); diff != "" {
		t.Errorf("init --json (-want +got):\n%s", diff)
	}

	f, out, errOut = testFactory()
	path := filepath.Join(dir, "features.csv")
	if code := Run(f, []string{"features", "--config", config, "--out", path, "--json"}); code != ExitOK {
		t.Fatalf("features: exit code %d: %s", code, errOut)
	}
	var fs featuresSummary
	if err := json.Unmarshal(out.Bytes(), &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Features < 10 || fs.Seconds <= 0 {
		t.Errorf("features %d, seconds %g: want a real count and time", fs.Features, fs.Seconds)
	}
	got := featuresSummary{Rows: fs.Rows, RowsUsed: fs.RowsUsed, RowsRejected: fs.RowsRejected, Users: fs.Users, Path: fs.Path, Rejects: fs.Rejects}
	want := featuresSummary{Rows: 240, RowsUsed: 239, RowsRejected: 1, Users: 60, Path: path, Rejects: []string{filepath.Join(dir, "rejects", "transactions.csv")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("features --json (-want +got):\n%s", diff)
	}
}

func TestRunsAndScoreJSON(t *testing.T) {
	dir, config := writeShop(t)
	saved := filepath.Join(dir, "out")
	f, _, errOut := testFactory()
	if code := Run(f, []string{"run", "-c", config, "-o", saved, "--k", "3", "-q"}); code != ExitOK {
		t.Fatalf("run: exit code %d: %s", code, errOut)
	}

	f, out, errOut := testFactory()
	if code := Run(f, []string{"runs", "--store", saved, "--json"}); code != ExitOK {
		t.Fatalf("runs: exit code %d: %s", code, errOut)
	}
	var list struct {
		Store string
		Runs  []struct{ ID string }
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if list.Store != saved || len(list.Runs) != 1 || list.Runs[0].ID == "" {
		t.Fatalf("runs --json = %s, want the one run of %s", out, saved)
	}

	f, out, errOut = testFactory()
	back := filepath.Join(dir, "back")
	if code := Run(f, []string{"runs", "--store", saved, "--export", list.Runs[0].ID, "--out", back, "--json"}); code != ExitOK {
		t.Fatalf("runs --export: exit code %d: %s", code, errOut)
	}
	var exp struct {
		Run, Out string
		Files    []string
	}
	if err := json.Unmarshal(out.Bytes(), &exp); err != nil {
		t.Fatal(err)
	}
	if exp.Run != list.Runs[0].ID || exp.Out != back || len(exp.Files) != 7 { // value.csv as well: the run has transactions
		t.Errorf("runs --export --json = %s", out)
	}
	for _, name := range exp.Files {
		if _, err := os.Stat(filepath.Join(back, name)); err != nil {
			t.Errorf("listed file not written: %v", err)
		}
	}

	f, out, errOut = testFactory()
	if code := Run(f, []string{"score", "-m", saved, "-c", config, "-o", filepath.Join(dir, "scored"), "--json"}); code != ExitOK {
		t.Fatalf("score: exit code %d: %s", code, errOut)
	}
	var sc scoreSummary
	if err := json.Unmarshal(out.Bytes(), &sc); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range sc.Segments {
		total += s.Users
		if s.Name == "" {
			t.Errorf("segment %d has no name", s.ID)
		}
	}
	if sc.RunID != list.Runs[0].ID || sc.Users != 60 || total != 60 || len(sc.Segments) != 3 {
		t.Errorf("score --json = %s, want 60 users in the 3 segments of run %s", out, list.Runs[0].ID)
	}

	// export-sql --json carries the very query it prints without --json.
	f, plain, errOut := testFactory()
	if code := Run(f, []string{"export-sql", "-m", saved, "--dialect", "postgres"}); code != ExitOK {
		t.Fatalf("export-sql: exit code %d: %s", code, errOut)
	}
	f, out, errOut = testFactory()
	if code := Run(f, []string{"export-sql", "-m", saved, "--dialect", "postgres", "--json"}); code != ExitOK {
		t.Fatalf("export-sql --json: exit code %d: %s", code, errOut)
	}
	var q struct{ Dialect, SQL string }
	if err := json.Unmarshal(out.Bytes(), &q); err != nil {
		t.Fatal(err)
	}
	if q.Dialect != "postgres" || q.SQL != plain.String() || !strings.Contains(q.SQL, "SELECT") {
		t.Errorf("export-sql --json = %s, want the postgres query printed without --json", out)
	}
}
