//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/value"
)

// shopConfig writes a shop's transactions (customers buying every few
// weeks, some of them lately, some long ago) and returns its config with
// the value section given.
func shopConfig(t *testing.T, customers int, valueYAML string) *dataset.Config {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("user_id,order_id,timestamp,product_id,quantity,unit_price\n")
	start := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	order := 0
	for c := range customers {
		gap := 10 + c%30
		n := 1 + c%10
		first := c % 90
		if c%3 == 0 {
			first = 200 + c%60 // late starters
		}
		for k := range n {
			order++
			at := start.AddDate(0, 0, first+k*gap)
			fmt.Fprintf(&b, "c%03d,o%d,%s,p%d,%d,%g\n", c, order, at.Format("2006-01-02 15:04:05"), k%7, 1+k%3, float64(5+c%11))
		}
	}
	path := filepath.Join(dir, "tx.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := dataset.ParseConfig([]byte(fmt.Sprintf("as_of: 2024-12-31\ntransactions:\n  path: %s\n%s", path, valueYAML)))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRunCustomerValue(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	cfg := shopConfig(t, 400, "value: {likely_lost_below: 0.4, calibration_end: 2024-09-30}\n")
	sum, err := pipeline.Run(ctx, "duckdb", cfg, pipeline.Options{Out: out, Seed: 1, KMax: 5, Store: duckStore(out), Features: features.Options{AsOf: cfg.AsOf.Time}})
	if err != nil {
		t.Fatal(err)
	}
	v := sum.Value
	if v == nil || v.Customers != 400 || v.LostBelow != 0.4 || v.HoldoutMAE == nil || v.TotalCLV == nil || v.Transaction["r"] <= 0 {
		t.Fatalf("summary value %+v", v)
	}
	var prof struct {
		Segments []struct {
			Size  int `json:"size"`
			Value *struct {
				Customers  int      `json:"customers"`
				MeanPAlive float64  `json:"mean_p_alive"`
				LikelyLost float64  `json:"likely_lost_share"`
				TotalCLV   *float64 `json:"total_clv"`
				CLVShare   *float64 `json:"clv_share"`
			} `json:"value"`
		} `json:"segments"`
	}
	data, err := os.ReadFile(filepath.Join(out, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &prof); err != nil {
		t.Fatal(err)
	}
	customers, share, total := 0, 0.0, 0.0
	for _, s := range prof.Segments {
		if s.Value == nil {
			t.Fatalf("a segment of buyers without value: %s", data[:200])
		}
		customers += s.Value.Customers
		share += *s.Value.CLVShare
		total += *s.Value.TotalCLV
		if s.Value.MeanPAlive <= 0 || s.Value.MeanPAlive > 1 || s.Value.LikelyLost < 0 || s.Value.LikelyLost > 1 {
			t.Errorf("segment value %+v", *s.Value)
		}
	}
	if customers != 400 || share < 0.999999 || share > 1.000001 || total < *v.TotalCLV*(1-1e-9) || total > *v.TotalCLV*(1+1e-9) {
		t.Errorf("segments add up to %d customers, CLV share %g, total %g (summary %g)", customers, share, total, *v.TotalCLV)
	}
	if vr := readCSV(t, filepath.Join(out, "value.csv")); len(vr) != 401 {
		t.Errorf("value.csv has %d rows", len(vr)-1)
	}

	t.Run("the store keeps value.csv", func(t *testing.T) {
		st, err := duckStore(out)(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		id, err := st.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := st.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v := res.Values
		if v == nil || v.TimeUnit != "days" || v.HorizonMonths != 12 || v.LostBelow != 0.4 || !v.End.Equal(cfg.AsOf.Time) {
			t.Fatalf("stored values %+v", v)
		}
		var cust []int
		for i, c := range v.Users {
			if c.Customer {
				cust = append(cust, i)
			}
		}
		var buf bytes.Buffer
		if err := value.WriteRows(&buf, value.Days, v.End, v.LostBelow, len(cust), func(k int) value.Row {
			r, _ := v.Row(cust[k], res.UserIDs[cust[k]])
			return r
		}); err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile(filepath.Join(out, "value.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(file), buf.String()); diff != "" {
			t.Errorf("value.csv from the store (-file +store):\n%s", diff)
		}
	})
	t.Run("the report shows it", func(t *testing.T) {
		html, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<h2>Customer value</h2>", `id="chart-value"`, `id="chart-calibration"`, "Customer value: "} {
			if !bytes.Contains(html, []byte(want)) {
				t.Errorf("report.html has no %q", want)
			}
		}
		for _, f := range []string{"value.svg", "calibration.svg"} {
			if _, err := os.Stat(filepath.Join(out, "charts", f)); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("score with the saved models", func(t *testing.T) {
		m, err := model.Read(filepath.Join(out, pipeline.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		if m.Value == nil || m.Value.BGNBD == nil && m.Value.ParetoNBD == nil {
			t.Fatalf("model.json has no value models: %+v", m.Value)
		}
		scored := t.TempDir()
		sc, err := pipeline.Score(ctx, "duckdb", cfg, m, features.Options{AsOf: cfg.AsOf.Time}, scored)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Value == nil {
			t.Fatal("no value columns")
		}
		// The same users and purchases: the values of the run, refitted on
		// the whole period there, applied here without a fit.
		run, got := readCSV(t, filepath.Join(out, "value.csv")), readCSV(t, filepath.Join(scored, "value.csv"))
		if len(run) != len(got) {
			t.Fatalf("%d rows scored, %d in the run", len(got), len(run))
		}
		for i := range run {
			if strings.Join(run[i], ",") != strings.Join(got[i], ",") {
				t.Fatalf("row %d: scored %v, run %v", i, got[i], run[i])
			}
		}
	})
	t.Run("skip", func(t *testing.T) {
		out := t.TempDir()
		cfg := shopConfig(t, 100, "value: {skip: true}\n")
		sum, err := pipeline.Run(ctx, "duckdb", cfg, pipeline.Options{Out: out, Seed: 1, KMax: 4, Store: duckStore(out)})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Value != nil {
			t.Error("value step ran")
		}
		if _, err := os.Stat(filepath.Join(out, "value.csv")); !os.IsNotExist(err) {
			t.Errorf("value.csv: %v", err)
		}
	})
	t.Run("too few repeat customers is a warning", func(t *testing.T) {
		out := t.TempDir()
		cfg := shopConfig(t, 60, "value: {}\n")
		// Keep one purchase per customer but for 5 of them.
		data, _ := os.ReadFile(cfg.Transactions.Path)
		var keep []string
		seen := map[string]int{}
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			user := strings.Split(line, ",")[0]
			if i == 0 || seen[user] == 0 || user < "c005" {
				keep = append(keep, line)
			}
			seen[user]++
		}
		os.WriteFile(cfg.Transactions.Path, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
		sum, err := pipeline.Run(ctx, "duckdb", cfg, pipeline.Options{Out: out, Seed: 1, KMax: 4, Store: duckStore(out)})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range sum.Warnings {
			found = found || strings.Contains(w, "customer value skipped: BG/NBD needs at least 10 customers with a repeat purchase")
		}
		if !found || sum.Value != nil {
			t.Errorf("warnings %q, value %+v", sum.Warnings, sum.Value)
		}
	})
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
