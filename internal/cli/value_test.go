package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/value"
)

func TestNewCmdValue(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    ValueOptions
		wantErr string
	}{
		{"defaults", []string{"-c", "p.yaml", "-o", "out"},
			ValueOptions{Config: "p.yaml", Out: "out", HorizonMonths: 12, Discount: 0.01, MaxRejectRate: -1}, ""},
		{"all", []string{"-c", "p.yaml", "-o", "out", "--calibration-end", "2011-09-30", "--time-unit", "weeks", "--horizon", "2y", "--discount", "0", "--model", "pnbd", "--penalizer", "0.01", "--json"},
			ValueOptions{Config: "p.yaml", Out: "out", CalibrationEnd: time.Date(2011, 9, 30, 0, 0, 0, 0, time.UTC), Unit: value.Weeks, HorizonMonths: 24, Model: value.ModelParetoNBD, Penalizer: 0.01, MaxRejectRate: -1, JSON: true}, ""},
		{"months", []string{"-c", "p.yaml", "-o", "out", "--horizon", "18"}, ValueOptions{Config: "p.yaml", Out: "out", HorizonMonths: 18, Discount: 0.01, MaxRejectRate: -1}, ""},
		{"no config", []string{"-o", "out"}, ValueOptions{}, "--config must name a config file"},
		{"no out", []string{"-c", "p.yaml"}, ValueOptions{}, "--out must name a folder"},
		{"bad date", []string{"-c", "p.yaml", "-o", "o", "--calibration-end", "30/09/2011"}, ValueOptions{}, `--calibration-end "30/09/2011": want a date like 2011-09-30`},
		{"bad unit", []string{"-c", "p.yaml", "-o", "o", "--time-unit", "months"}, ValueOptions{}, `--time-unit: time unit "months": want days or weeks`},
		{"bad horizon", []string{"-c", "p.yaml", "-o", "o", "--horizon", "52w"}, ValueOptions{}, "--horizon: want a whole number of months or years"},
		{"bad discount", []string{"-c", "p.yaml", "-o", "o", "--discount", "1.5"}, ValueOptions{}, "--discount must be a monthly rate from 0 to below 1, got 1.5"},
		{"bad model", []string{"-c", "p.yaml", "-o", "o", "--model", "glm"}, ValueOptions{}, `--model: model "glm": want auto, bgnbd or pnbd`},
		{"bad penalizer", []string{"-c", "p.yaml", "-o", "o", "--penalizer", "-1"}, ValueOptions{}, "--penalizer must be a number >= 0, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *ValueOptions
			cmd := NewCmdValue(f, func(o *ValueOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(f.IO.Out)
			cmd.SetErr(f.IO.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO = nil
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// writeValueShop writes a config and a transactions CSV of customers who buy
// every gap days (with a price, or 0 without amounts) to dir.
func writeValueShop(t *testing.T, dir string, customers int, price float64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("user_id,order_id,timestamp,quantity,unit_price\n")
	start := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	order := 0
	for c := range customers {
		gap := 15 + c%25
		n := 1 + c%12
		for k := range n {
			order++
			at := start.AddDate(0, 0, c%40+k*gap)
			fmt.Fprintf(&b, "u%03d,o%d,%s,%d,%g\n", c, order, at.Format("2006-01-02 15:04:05"), 1+k%2, price*float64(1+c%5))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "tx.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "persona.yaml")
	if err := os.WriteFile(cfg, []byte("as_of: 2025-06-30\ntransactions:\n  path: tx.csv\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestValueRun(t *testing.T) {
	dir := t.TempDir()
	cfg := writeValueShop(t, dir, 300, 10)
	out := filepath.Join(dir, "out")
	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"value", "-c", cfg, "-o", out, "--calibration-end", "2024-12-31", "--json", "-q"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum struct {
		Customers int    `json:"customers"`
		Model     string `json:"model"`
		BGNBD     *struct {
			R, Alpha, A, B, LogLikelihood float64
		} `json:"bgnbd"`
		GammaGamma *struct{ P, Q, V float64 } `json:"gamma_gamma"`
		Holdout    *struct {
			ActualPurchases    float64 `json:"actual_purchases"`
			PredictedPurchases float64 `json:"predicted_purchases"`
			MAE                float64 `json:"mae_per_customer"`
		} `json:"holdout"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if sum.Customers != 300 || sum.GammaGamma == nil || sum.Holdout == nil || sum.Holdout.ActualPurchases == 0 || (sum.BGNBD == nil && sum.Model == "bgnbd") {
		t.Fatalf("summary %s", stdout)
	}
	recs := readCSVFile(t, filepath.Join(out, "value.csv"))
	wantHeader := []string{"user_id", "repeat_purchases", "first_to_last_days", "first_to_end_days", "mean_repeat_value", "p_alive", "expected_purchases", "expected_order_value", "clv", "next_order_date"}
	if diff := cmp.Diff(wantHeader, recs[0]); diff != "" {
		t.Fatalf("header (-want +got):\n%s", diff)
	}
	if len(recs) != 301 {
		t.Fatalf("%d rows, want 300 customers", len(recs)-1)
	}
	// Customer u007 buys 8 times, every 22 days from 2024-01-08: 7
	// repeats, 154 days first to last, 539 days to as_of; at 10·3 a unit,
	// the repeats are worth 60, 30, 60, 30, 60, 30, 60.
	for _, r := range recs[1:] {
		for j, v := range r[1:9] {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				t.Fatalf("%s: column %s = %q", r[0], wantHeader[j+1], v)
			}
		}
		if r[0] == "u007" {
			if got := r[1:5]; !cmp.Equal(got, []string{"7", "154", "539", "47.14285714"}) {
				t.Errorf("u007 summary %v", got)
			}
		}
	}

	t.Run("no amounts", func(t *testing.T) {
		dir := t.TempDir()
		cfg := writeValueShop(t, dir, 100, 0)
		f, stdout, errOut := testFactory()
		if code := Run(f, []string{"value", "-c", cfg, "-o", filepath.Join(dir, "out"), "--model", "bgnbd"}); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(errOut.String(), "persona: warning: the purchases carry no amounts: the expected order value and the lifetime value are skipped") {
			t.Errorf("stderr %q", errOut)
		}
		if !strings.Contains(stdout.String(), "BG/NBD") {
			t.Errorf("stdout %q", stdout)
		}
		recs := readCSVFile(t, filepath.Join(dir, "out", "value.csv"))
		for _, r := range recs[1:] {
			if r[4] != "" || r[7] != "" || r[8] != "" || r[5] == "" {
				t.Fatalf("row %v: want empty value columns and a p_alive", r)
			}
		}
	})
	t.Run("too few repeat customers", func(t *testing.T) {
		dir := t.TempDir()
		cfg := writeValueShop(t, dir, 9, 10) // 8 repeat customers
		f, _, errOut := testFactory()
		code := Run(f, []string{"value", "-c", cfg, "-o", filepath.Join(dir, "out")})
		if code != ExitFailure || !strings.Contains(errOut.String(), "BG/NBD needs at least 10 customers with a repeat purchase to fit; the data have 8 of 9 customers") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "out", "value.csv")); !os.IsNotExist(err) {
			t.Errorf("value.csv written by a failed run: %v", err)
		}
	})
	t.Run("failed run keeps the previous value.csv", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(out, "value.csv"))
		f, _, _ := testFactory()
		if code := Run(f, []string{"value", "-c", cfg, "-o", out, "--calibration-end", "2025-07-31", "-q"}); code != ExitFailure {
			t.Fatalf("exit %d", code)
		}
		after, _ := os.ReadFile(filepath.Join(out, "value.csv"))
		if string(before) != string(after) {
			t.Error("value.csv changed")
		}
	})
}

// TestValueCDNOW runs persona value on the raw CDNOW master log through a
// config and DuckDB, and checks value.csv against the value package fed
// straight from the CSV file: the same summary on every customer and the
// same BG/NBD fit.
func TestValueCDNOW(t *testing.T) {
	data := filepath.Join("..", "..", "..", "shared", "data")
	if d := os.Getenv("PERSONA_SHARED_DATA"); d != "" {
		data = d
	}
	master, _ := filepath.Abs(filepath.Join(data, "cdnow", "cdnow_master.csv"))
	if _, err := os.Stat(master); err != nil {
		t.Skipf("the CDNOW data is absent (%v): it is in ../shared/data/cdnow beside the checkout", err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cdnow.yaml")
	yaml := fmt.Sprintf(`transactions:
  path: %s
  timestamp_format: "%%Y%%m%%d"
  duplicates: keep   # the log repeats some lines: they are purchases
  columns:
    user_id: customer_id
    order_id: customer_id || '-' || date
    timestamp: date
    quantity: number_of_cds
    amount: dollar_value
`, master)
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"value", "-c", cfg, "-o", out, "--time-unit", "weeks", "--model", "bgnbd", "--json", "-q"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum struct {
		BGNBD struct{ R, Alpha, A, B float64 } `json:"bgnbd"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	// The same data straight from the file.
	recs := readCSVFile(t, master)
	b := value.NewBuilder(value.SummaryOptions{Unit: value.Weeks})
	for _, r := range recs[1:] {
		at, _ := time.Parse("20060102", r[1])
		v, _ := strconv.ParseFloat(r[3], 64)
		id, _ := strconv.Atoi(r[0])
		if err := b.Add(strconv.Itoa(id), at, v); err != nil {
			t.Fatal(err)
		}
	}
	s, err := b.Summary()
	if err != nil {
		t.Fatal(err)
	}
	got := readCSVFile(t, filepath.Join(out, "value.csv"))[1:]
	if len(got) != s.Len() || s.Len() != 23570 {
		t.Fatalf("value.csv has %d customers, the summary %d", len(got), s.Len())
	}
	byID := map[string][]string{}
	for _, r := range got {
		id, _ := strconv.Atoi(r[0]) // the config keeps the leading zeros
		byID[strconv.Itoa(id)] = r
	}
	for i, id := range s.IDs {
		r := byID[id]
		for j, want := range []float64{s.Frequency[i], s.Recency[i], s.T[i], s.Monetary[i]} {
			v, _ := strconv.ParseFloat(r[1+j], 64)
			if math.Abs(v-want) > 1e-8*math.Max(1, math.Abs(want)) {
				t.Fatalf("customer %s column %d: %g, from the file %g", id, j+1, v, want)
			}
		}
	}
	fit, err := value.FitBGNBD(context.Background(), s.Frequency, s.Recency, s.T, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]float64{{sum.BGNBD.R, fit.R}, {sum.BGNBD.Alpha, fit.Alpha}, {sum.BGNBD.A, fit.A}, {sum.BGNBD.B, fit.B}} {
		// The ids sort otherwise ("00001" against "1"), so the sums run in
		// another order: equal to the optimiser's tolerance.
		if math.Abs(p[0]-p[1]) > 1e-6*p[1] {
			t.Errorf("persona value's BG/NBD %+v, fitted to the file %+v", sum.BGNBD, fit.BGNBD)
			break
		}
	}
}
