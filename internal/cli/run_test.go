package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/pipeline"
)

func TestNewCmdRunFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     RunOptions
		wantCode ExitCode
		wantErr  string
	}{
		{"defaults", []string{"--config", "p.yaml", "--out", "o"}, RunOptions{Config: "p.yaml", Out: "o", Seed: 1, SegmentFlags: defaultSegmentFlags, MaxRejectRate: -1}, ExitOK, ""},
		{"reject rate", []string{"-c", "p.yaml", "-o", "o", "--max-reject-rate", "0.2", "--k", "4", "--json"},
			RunOptions{Config: "p.yaml", Out: "o", Seed: 1, SegmentFlags: withK(defaultSegmentFlags, 4), MaxRejectRate: 0.2, JSON: true}, ExitOK, ""},
		{"no config", []string{"--out", "o"}, RunOptions{}, ExitUsage, "--config must name a config file"},
		{"no out", []string{"--config", "p.yaml"}, RunOptions{}, ExitUsage, "--out must name a folder"},
		{"reject rate above 1", []string{"-c", "p", "-o", "o", "--max-reject-rate", "1.5"}, RunOptions{}, ExitUsage, "--max-reject-rate must be between 0 and 1"},
		{"k of one", []string{"-c", "p", "-o", "o", "--k", "1"}, RunOptions{}, ExitUsage, "--k must be 2 or more"},
		{"positional", []string{"-c", "p", "-o", "o", "x"}, RunOptions{}, ExitUsage, "takes no arguments"},
		{"notify", []string{"-c", "p", "-o", "o", "--notify", "https://hooks.example.com/p"}, RunOptions{Config: "p", Out: "o", Seed: 1, SegmentFlags: defaultSegmentFlags, MaxRejectRate: -1, Notify: "https://hooks.example.com/p"}, ExitOK, ""},
		{"sample", []string{"-c", "p", "-o", "o", "--sample", "5000", "--assign-table", "crm.segments"}, RunOptions{Config: "p", Out: "o", Seed: 1, SegmentFlags: defaultSegmentFlags, MaxRejectRate: -1, Sample: 5000, AssignTable: "crm.segments"}, ExitOK, ""},
		{"negative sample", []string{"-c", "p", "-o", "o", "--sample", "-3"}, RunOptions{}, ExitUsage, "--sample must be a number of users"},
		{"assign table without sample", []string{"-c", "p", "-o", "o", "--assign-table", "t"}, RunOptions{}, ExitUsage, "--assign-table needs --sample"},
		{"notify not a URL", []string{"-c", "p", "-o", "o", "--notify", "hooks.example.com"}, RunOptions{}, ExitUsage, "--notify must be an http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			var got *RunOptions
			root := NewCmdRoot(f)
			for _, c := range root.Commands() {
				if c.Name() == "run" {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(NewCmdRun(f, func(o *RunOptions) error { got = o; return nil }))
			code := run(f, root, append([]string{"run"}, tt.args...))
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(errOut.String(), tt.wantErr) {
					t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
				}
				return
			}
			got.IO, got.Given = nil, nil // Given is cobra's Changed, tested by TestSegmentationConfig
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewCmdFeaturesFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     FeaturesOptions
		wantCode ExitCode
		wantErr  string
	}{
		{"defaults", []string{"--config", "p.yaml"}, FeaturesOptions{Config: "p.yaml", Out: "features.parquet", Rejects: "rejects", MaxRejectRate: -1}, ExitOK, ""},
		{"csv", []string{"-c", "p.yaml", "-o", "out/f.csv", "--max-reject-rate", "0"}, FeaturesOptions{Config: "p.yaml", Out: "out/f.csv", Rejects: "out/rejects", MaxRejectRate: 0}, ExitOK, ""},
		{"bad extension", []string{"-c", "p.yaml", "-o", "f.xlsx"}, FeaturesOptions{}, ExitUsage, "--out must name a .parquet or .csv file"},
		{"no config", nil, FeaturesOptions{}, ExitUsage, "--config must name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			var got *FeaturesOptions
			root := NewCmdRoot(f)
			for _, c := range root.Commands() {
				if c.Name() == "features" {
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(NewCmdFeatures(f, func(o *FeaturesOptions) error { got = o; return nil }))
			code := run(f, root, append([]string{"features"}, tt.args...))
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(errOut.String(), tt.wantErr) {
					t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
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

// writeShop writes a small shop: 60 customers' orders as CSV with its own
// column names, and a config mapping them; line 5 has a bad date.
func writeShop(t *testing.T) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	var b strings.Builder
	b.WriteString("Invoice,Customer,Date,Sku,Qty,Price\n")
	for i := 0; i < 240; i++ {
		date := "2024-01-%02d 10:00:00"
		if i == 3 {
			b.WriteString("X3,C1,someday,S1,1,1.0\n")
			continue
		}
		qty := 1 + i%5
		if i%3 == 0 {
			qty = 1 + i%2
		}
		b.WriteString(strings.Join([]string{"I" + strconv.Itoa(i), "C" + strconv.Itoa(i%60), fmt.Sprintf(date, 1+i%28), "S" + strconv.Itoa(i%7), strconv.Itoa(qty), fmt.Sprintf("%d.5", 1+(i*7)%13)}, ",") + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "sales.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, "persona.yaml")
	cfg := `transactions:
  path: sales.csv
  columns: {user_id: Customer, order_id: Invoice, timestamp: Date, product_id: Sku, quantity: Qty, unit_price: Price}
`
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, config
}

func TestRunAndFeaturesCommands(t *testing.T) {
	dir, config := writeShop(t)

	// 1 reject in 240 rows is above the default 1% only when lowered.
	f, _, errOut := testFactory()
	out := filepath.Join(dir, "out")
	if code := Run(f, []string{"run", "-c", config, "-o", out, "--max-reject-rate", "0.001", "-q"}); code != ExitFailure {
		t.Fatalf("exit code %d, want %d", code, ExitFailure)
	}
	for _, want := range []string{"transactions: 1 of 240 rows rejected", "sales.csv line 5, column Date: unparsable timestamp \"someday\""} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr %q does not contain %q", errOut, want)
		}
	}
	// The failed run's rejects are in a folder named after it, which the
	// error names; rejects/ would be the previous run's.
	failed, _ := filepath.Glob(filepath.Join(out, "rejects-*", "transactions.csv"))
	if len(failed) != 1 || !strings.Contains(errOut.String(), failed[0]) {
		t.Errorf("a failed run left rejects %v, want one rejects-ID/transactions.csv named in %q", failed, errOut)
	}
	if _, err := os.Stat(filepath.Join(out, "rejects")); err == nil {
		t.Errorf("a failed first run made rejects/")
	}

	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"run", "-c", config, "-o", out, "--k", "3", "--json"}); code != ExitOK {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	var sum pipeline.Summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	want := dataset.Counts{Read: 240, Rejected: 1, Used: 239, Reasons: map[string]int64{"unparsable timestamp": 1}}
	if diff := cmp.Diff(want, sum.Datasets["transactions"]); diff != "" {
		t.Errorf("transactions counts (-want +got):\n%s", diff)
	}
	if sum.Users != 60 || sum.K != 3 {
		t.Errorf("users %d, k %d; want 60 and 3", sum.Users, sum.K)
	}
	for _, name := range []string{"segments.csv", "profiles.json", "report.html", "summary.json", "rejects/transactions.csv"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, "rejects-*")); len(left) != 0 {
		t.Errorf("the failed run's rejects outlived a good run: %v", left)
	}
	// A run without rejects leaves no rejects/ of the one before.
	clean := filepath.Join(dir, "clean.yaml")
	cfgText, _ := os.ReadFile(config)
	if err := os.WriteFile(clean, []byte(strings.Replace(string(cfgText), "sales.csv", "sales-clean.csv", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	salesText, _ := os.ReadFile(filepath.Join(dir, "sales.csv"))
	var keep []string
	for _, l := range strings.Split(string(salesText), "\n") {
		if !strings.Contains(l, "someday") {
			keep = append(keep, l)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "sales-clean.csv"), []byte(strings.Join(keep, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, _, errOut := testFactory(); Run(f, []string{"run", "-c", clean, "-o", out, "--k", "3", "-q"}) != ExitOK {
		t.Fatalf("clean run failed: %s", errOut)
	}
	if _, err := os.Lstat(filepath.Join(out, "rejects")); err == nil {
		t.Errorf("a run without rejects left the previous run's rejects/")
	}

	for _, ext := range []string{"csv", "parquet"} {
		f, stdout, errOut = testFactory()
		path := filepath.Join(dir, "feat", "features."+ext)
		if code := Run(f, []string{"features", "-c", config, "-o", path}); code != ExitOK {
			t.Fatalf("exit code %d; stderr: %s", code, errOut)
		}
		if !strings.Contains(stdout.String(), "60 users") || !strings.Contains(stdout.String(), "rejects") {
			t.Errorf("stdout %q", stdout)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", path, err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "feat", "features.csv"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 61 || !strings.HasPrefix(lines[0], "user_id,recency_days,frequency,has_purchased,monetary,") || !strings.HasPrefix(lines[1], "C0,") {
		t.Errorf("features.csv has %d lines, header %q, first row %q", len(lines), lines[0], lines[1])
	}
	// A file output is a plain file beside the user's own: no .persona/,
	// no lock, no links, nothing temporary left.
	feat := filepath.Join(dir, "feat")
	listing := func() []string {
		entries, _ := os.ReadDir(feat)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name()+map[bool]string{true: "/"}[e.IsDir()]+map[bool]string{true: "@"}[e.Type()&os.ModeSymlink != 0])
		}
		return names
	}
	if diff := cmp.Diff([]string{"features.csv", "features.parquet", "rejects/"}, listing()); diff != "" {
		t.Errorf("persona features made (-want +got):\n%s", diff)
	}
	// Too many rejects: the table and rejects/ stay, this attempt's
	// rejects go to rejects-ID/, which the error names.
	f, _, errOut = testFactory()
	if code := Run(f, []string{"features", "-c", config, "-o", filepath.Join(feat, "features.csv"), "--max-reject-rate", "0.001", "-q"}); code != ExitFailure {
		t.Fatalf("exit code %d, want %d: %s", code, ExitFailure, errOut)
	}
	failed, _ = filepath.Glob(filepath.Join(feat, "rejects-*", "transactions.csv"))
	if len(failed) != 1 || !strings.Contains(errOut.String(), filepath.Dir(failed[0])) {
		t.Errorf("a failed features left rejects %v, want one rejects-ID/transactions.csv named in %q", failed, errOut)
	}
	if again, _ := os.ReadFile(filepath.Join(feat, "features.csv")); string(again) != string(data) {
		t.Errorf("a failed features changed features.csv")
	}
	if _, err := os.Stat(filepath.Join(feat, "rejects", "transactions.csv")); err != nil {
		t.Errorf("a failed features removed the previous rejects: %v", err)
	}
	// The run folder's outputs are not replaced by a features file's
	// rejects.
	f, _, errOut = testFactory()
	if code := Run(f, []string{"features", "-c", config, "-o", filepath.Join(out, "features.csv"), "-q"}); code != ExitFailure || !strings.Contains(errOut.String(), "holds the results of a persona run") {
		t.Errorf("features into a run folder: exit code %d, stderr %q", code, errOut)
	}
}

func TestInitCommand(t *testing.T) {
	dir, _ := writeShop(t)
	f, stdout, errOut := testFactory()
	config := filepath.Join(dir, "drafted.yaml")
	if code := Run(f, []string{"init", "--transactions", filepath.Join(dir, "sales.csv"), "--out", config}); code != ExitOK {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(stdout.String(), "persona run --config") {
		t.Errorf("stdout %q", stdout)
	}
	cfg, err := dataset.LoadConfig(config)
	if err != nil {
		data, _ := os.ReadFile(config)
		t.Fatalf("the drafted config does not load: %v\n%s", err, data)
	}
	want := map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "Date", "product_id": "Sku", "quantity": "Qty", "unit_price": "Price"}
	if diff := cmp.Diff(want, cfg.Transactions.Columns); diff != "" {
		t.Errorf("guessed columns (-want +got):\n%s", diff)
	}
	if cfg.Transactions.Path != "sales.csv" {
		t.Errorf("path %q, want sales.csv (relative to the config)", cfg.Transactions.Path)
	}
	// A second init does not overwrite without --force.
	f, _, errOut = testFactory()
	if code := Run(f, []string{"init", "--transactions", filepath.Join(dir, "sales.csv"), "--out", config}); code != ExitFailure || !strings.Contains(errOut.String(), "--force") {
		t.Errorf("exit code %d, stderr %q; want a failure naming --force", code, errOut)
	}
	f, _, errOut = testFactory()
	if code := Run(f, []string{"init", "--out", config}); code != ExitUsage {
		t.Errorf("init without files: exit code %d, want %d (%s)", code, ExitUsage, errOut)
	}
	// Numbers with a decimal comma are noticed.
	eu := filepath.Join(dir, "eu.csv")
	if err := os.WriteFile(eu, []byte("Kunde;Rechnung;Datum;Menge;Preis\nK1;R1;2024-12-31 10:00:00;2;2,50\nK2;R2;2024-12-30 11:00:00;1;1.234,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	euConfig := filepath.Join(dir, "eu.yaml")
	f, _, errOut = testFactory()
	if code := Run(f, []string{"init", "--transactions", eu, "--out", euConfig}); code != ExitOK {
		t.Fatalf("init on eu.csv: exit code %d; stderr: %s", code, errOut)
	}
	if cfg, err := dataset.LoadConfig(euConfig); err != nil || cfg.Transactions.CSV.Decimal != "," || cfg.Transactions.CSV.Delimiter != ";" {
		data, _ := os.ReadFile(euConfig)
		t.Errorf("drafted config for eu.csv (%v): want delimiter ; and decimal ,\n%s", err, data)
	}
	// A timestamp format the sniffer misses is tried on the values.
	dmy := filepath.Join(dir, "dmy.csv")
	if err := os.WriteFile(dmy, []byte("user,time,event\nu1,31/12/2024 10:00,login\nu2,30/12/2024 11:30,login\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dmyConfig := filepath.Join(dir, "dmy.yaml")
	f, _, errOut = testFactory()
	if code := Run(f, []string{"init", "--events", dmy, "--out", dmyConfig}); code != ExitOK {
		t.Fatalf("init on dmy.csv: exit code %d; stderr: %s", code, errOut)
	}
	if cfg, err := dataset.LoadConfig(dmyConfig); err != nil || cfg.Events.TimestampFormat != "%d/%m/%Y %H:%M" {
		data, _ := os.ReadFile(dmyConfig)
		t.Errorf("drafted config for dmy.csv (%v): want timestamp_format %%d/%%m/%%Y %%H:%%M\n%s", err, data)
	}
	// Files it cannot draft from: the error says why, and where.
	for name, tt := range map[string]struct{ body, want string }{
		"empty.csv":  {"", "empty.csv: the file is empty"},
		"ragged.csv": {"Customer,Invoice,Date\nC1,I1,2024-01-01\nC2,I2\n", "ragged.csv: line 3 has 2 fields separated by ',' where the header has 3"},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(tt.body), 0o644); err != nil {
			t.Fatal(err)
		}
		f, _, errOut = testFactory()
		if code := Run(f, []string{"init", "--transactions", p, "--out", filepath.Join(dir, "x.yaml")}); code != ExitFailure || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("init on %s: exit code %d, stderr %q; want a failure saying %q", name, code, errOut, tt.want)
		}
	}
}

func withK(s SegmentFlags, k int) SegmentFlags {
	s.K = k
	return s
}
