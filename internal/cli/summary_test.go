package cli

import (
	"encoding/json"
	"path/filepath"
	"runtime"
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
