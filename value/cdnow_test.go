package value

import (
	"bufio"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cdnowDir finds the CDNOW data as lifetimes ships it (see its SOURCE.md):
// ../shared/data/cdnow beside the checkout, or $PERSONA_SHARED_DATA/cdnow.
// The test skips when it is absent: a fresh clone has no ../shared.
func cdnowDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "data")
	if d := os.Getenv("PERSONA_SHARED_DATA"); d != "" {
		dir = d
	}
	dir = filepath.Join(dir, "cdnow")
	if _, err := os.Stat(filepath.Join(dir, "cdnow_customers_summary.csv")); err != nil {
		t.Skipf("the CDNOW data is absent (%v): it is in ../shared/data/cdnow beside the checkout", err)
	}
	return dir
}

// readTable reads a CSV file with a header into its columns by name.
func readTable(t testing.TB, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]string{}
	for _, r := range recs[1:] {
		for j, name := range recs[0] {
			cols[strings.TrimSpace(name)] = append(cols[strings.TrimSpace(name)], strings.TrimSpace(r[j]))
		}
	}
	return cols
}

func floats(t testing.TB, s []string) []float64 {
	t.Helper()
	v := make([]float64, len(s))
	for i, x := range s {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			t.Fatal(err)
		}
		v[i] = f
	}
	return v
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// cdnowSample builds the Builder of the 1/10 sample's purchases from the
// raw master log: the 2,357 customers of CDNOW_sample.txt, renamed to
// their sample ids as lifetimes' summary files name them.
func cdnowSample(t testing.TB, unit Unit) *Builder {
	t.Helper()
	dir := cdnowDir(t)
	sample, err := os.ReadFile(filepath.Join(dir, "CDNOW_sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // master id -> sample id
	for _, line := range strings.Split(string(sample), "\n") {
		f := strings.Fields(line)
		if len(f) == 5 {
			m, _ := strconv.Atoi(f[0])
			s, _ := strconv.Atoi(f[1])
			ids[strconv.Itoa(m)] = strconv.Itoa(s)
		}
	}
	if len(ids) != 2357 {
		t.Fatalf("%d sample customers, want 2357", len(ids))
	}
	c := readTable(t, filepath.Join(dir, "cdnow_master.csv"))
	b := NewBuilder(SummaryOptions{Unit: unit, ObservationEnd: time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)})
	for i, id := range c["customer_id"] {
		m, _ := strconv.Atoi(id)
		s, ok := ids[strconv.Itoa(m)]
		if !ok {
			continue
		}
		at, err := time.Parse("20060102", c["date"][i])
		if err != nil {
			t.Fatal(err)
		}
		v, err := strconv.ParseFloat(c["dollar_value"][i], 64)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(s, at, v); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestCDNOWBGNBD fits lifetimes' CDNOW summary and compares with the fit
// its Quickstart prints (coef and se(coef)).
func TestCDNOWBGNBD(t *testing.T) {
	c := readTable(t, filepath.Join(cdnowDir(t), "cdnow_customers_summary.csv"))
	x, tx, T := floats(t, c["frequency"]), floats(t, c["recency"]), floats(t, c["T"])
	fit, err := FitBGNBD(context.Background(), x, tx, T, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/NBD %+v", *fit)
	tests := []struct {
		name          string
		got, want     float64
		tol, seTol    float64
		gotSE, wantSE float64
	}{
		{"r", fit.R, 0.242593, 1e-4, 0.01, fit.SE.R, 0.012557},
		{"alpha", fit.Alpha, 4.413532, 1e-4, 0.01, fit.SE.Alpha, 0.378221},
		{"a", fit.A, 0.792886, 1e-4, 0.01, fit.SE.A, 0.185719},
		{"b", fit.B, 2.425752, 1e-4, 0.01, fit.SE.B, 0.705345},
	}
	for _, tt := range tests {
		if e := relErr(tt.got, tt.want); e > tt.tol {
			t.Errorf("%s = %.7g, want %.7g (relative error %.2g)", tt.name, tt.got, tt.want, e)
		}
		if e := relErr(tt.gotSE, tt.wantSE); e > tt.seTol {
			t.Errorf("se(%s) = %.7g, want %.7g (relative error %.2g)", tt.name, tt.gotSE, tt.wantSE, e)
		}
	}
	// Fader, Hardie & Lee (2005) report LL = −9582.4 for this fit.
	if math.Abs(fit.LogLikelihood-(-9582.4)) > 0.05 {
		t.Errorf("log-likelihood %.4f, want -9582.4", fit.LogLikelihood)
	}
}

// cdnowMoney reads cdnow_customers_summary_with_transactions.csv as
// lifetimes' load_cdnow_summary_data_with_monetary_value does.
func cdnowMoney(t testing.TB) (x, tx, T, m []float64) {
	c := readTable(t, filepath.Join(cdnowDir(t), "cdnow_customers_summary_with_transactions.csv"))
	return floats(t, c["x"]), floats(t, c["t_x"]), floats(t, c["T"]), floats(t, c["zbar"])
}

// TestCDNOWGammaGamma fits the Gamma-Gamma model to the 946 repeat
// customers and compares with lifetimes' Quickstart.
func TestCDNOWGammaGamma(t *testing.T) {
	x, _, _, m := cdnowMoney(t)
	fit, err := FitGammaGamma(context.Background(), x, m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Gamma-Gamma %+v", *fit)
	if fit.Customers != 946 {
		t.Errorf("fitted %g customers, want 946", fit.Customers)
	}
	// The Quickstart prints p: 6.25, q: 3.74, v: 15.45.
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p", fit.P, 6.25}, {"q", fit.Q, 3.74}, {"v", fit.V, 15.45}} {
		if math.Abs(c.got-c.want) > 0.005 {
			t.Errorf("%s = %.6f, want %.2f", c.name, c.got, c.want)
		}
	}
	// conditional_expected_average_profit of customers 1, 2, 3 (lifetimes
	// stops at tol 1e-7: its optimum differs in the 7th digit).
	for i, want := range []float64{24.658619, 18.911489, 35.170981} {
		if got := fit.ExpectedValue(x[i], m[i]); relErr(got, want) > 1e-6 {
			t.Errorf("customer %d: expected order value %.6f, want %.6f", i+1, got, want)
		}
	}
	// The Quickstart's correlation of frequency and monetary value is
	// 0.113884.
	if math.Abs(fit.Correlation-0.113884) > 1e-6 {
		t.Errorf("correlation %.6f, want 0.113884", fit.Correlation)
	}
}

// TestCDNOWLifetimeValue refits the BG/NBD on the file with money, as the
// Quickstart does, and computes 12 months of CLV at 1% a month. The
// Quickstart calls customer_lifetime_value with its default freq="D" on
// this weekly summary, so its months are 30 of the summary's units.
func TestCDNOWLifetimeValue(t *testing.T) {
	x, tx, T, m := cdnowMoney(t)
	bg, err := FitBGNBD(context.Background(), x, tx, T, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := FitGammaGamma(context.Background(), x, m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{140.096211, 18.943467, 38.180574} {
		got := LifetimeValue(bg.BGNBD, x[i], tx[i], T[i], gg.ExpectedValue(x[i], m[i]), 12, 0.01, 30)
		if relErr(got, want) > 1e-6 {
			t.Errorf("customer %d: CLV %.6f, want %.6f", i+1, got, want)
		}
	}
}

// TestCDNOWSummaryFromRawLog builds the summary of the sample from the
// raw master log (calibration end 1997-09-30, weeks) and compares every
// customer with lifetimes' summary files, to their 2-decimal rounding.
func TestCDNOWSummaryFromRawLog(t *testing.T) {
	s, err := cdnowSample(t, Weeks).Calibration(time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c := readTable(t, filepath.Join(cdnowDir(t), "cdnow_customers_summary.csv"))
	x, tx, T := floats(t, c["frequency"]), floats(t, c["recency"]), floats(t, c["T"])
	_, _, _, zbar := cdnowMoney(t)
	if s.Len() != len(x) {
		t.Fatalf("%d customers, want %d", s.Len(), len(x))
	}
	pos := map[string]int{}
	for i, id := range s.IDs {
		pos[id] = i
	}
	bad := 0
	for k, id := range c["ID"] {
		i, ok := pos[id]
		if !ok {
			t.Fatalf("customer %s is missing", id)
		}
		if s.Frequency[i] != x[k] || math.Abs(s.Recency[i]-tx[k]) > 0.005+1e-9 ||
			math.Abs(s.T[i]-T[k]) > 0.005+1e-9 || math.Abs(s.Monetary[i]-zbar[k]) > 0.005+1e-9 {
			if bad++; bad <= 5 {
				t.Errorf("customer %s: (x, t_x, T, zbar) = (%g, %.4f, %.4f, %.4f), lifetimes (%g, %g, %g, %g)",
					id, s.Frequency[i], s.Recency[i], s.T[i], s.Monetary[i], x[k], tx[k], T[k], zbar[k])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d customers differ", bad, len(x))
	}
	if s.Holdout != 39 {
		t.Errorf("holdout %g weeks, want 39", s.Holdout)
	}
}

// TestCDNOWParetoNBD fits the Pareto/NBD to the sample's exact summary
// (built from the raw log, as BTYD and CLVTools build theirs) and
// compares with the published fit: Fader, Hardie & Lee (2005) report
// r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669 and LL = −9595.0;
// CLVTools' tests and BTYD's walkthrough give LL = −9594.976.
func TestCDNOWParetoNBD(t *testing.T) {
	s, err := cdnowSample(t, Weeks).Calibration(time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	fit, err := FitParetoNBD(context.Background(), s.Frequency, s.Recency, s.T, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Pareto/NBD %+v", *fit)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"r", fit.R, 0.553}, {"alpha", fit.Alpha, 10.578}, {"s", fit.S, 0.606}, {"beta", fit.Beta, 11.669}} {
		if math.Abs(c.got-c.want) > 0.0005 {
			t.Errorf("%s = %.5f, want %.3f", c.name, c.got, c.want)
		}
	}
	if math.Abs(fit.LogLikelihood-(-9594.976)) > 0.001 {
		t.Errorf("log-likelihood %.4f, want -9594.976", fit.LogLikelihood)
	}
}

// TestCDNOWHoldout fits both models to the sample's 39 calibration weeks
// and compares their predictions for the 39 holdout weeks with the
// purchase days made: 1,882 in all, and the mean per calibration
// frequency as pandas counts them from CDNOW_sample.txt (distinct
// customer-days; they are BTYD's walkthrough's "actual" column too).
func TestCDNOWHoldout(t *testing.T) {
	b := cdnowSample(t, Weeks)
	cal, err := b.Calibration(time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	full, err := b.Summary()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Score(context.Background(), full, cal, Options{Discount: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	h := res.Holdout
	t.Logf("model %s (%s); actual %g, predicted %.1f; MAE %.4f (BG/NBD %.4f, Pareto/NBD %.4f), RMSE %.4f (%.4f, %.4f)",
		res.Model, res.Reason, h.Actual, h.Predicted, h.MAE, h.BGNBDMAE, h.ParetoNBDMAE, h.RMSE, h.BGNBDRMSE, h.ParetoNBDRMSE)
	for _, g := range h.ByFrequency {
		t.Logf("  x=%d%s n=%d actual %.3f predicted %.3f", g.Frequency, map[bool]string{true: "+"}[g.AndMore], g.Customers, g.Actual, g.Predicted)
	}
	if h.Actual != 1882 {
		t.Errorf("%g holdout purchase days, want 1882", h.Actual)
	}
	for i, want := range []float64{0.2367, 0.697, 1.3925, 1.56, 2.5323, 2.9474, 3.8621, 6.3594} {
		if g := h.ByFrequency[i]; math.Abs(g.Actual-want) > 5e-5 {
			t.Errorf("calibration frequency %d: mean holdout purchases %.4f, pandas %.4f", i, g.Actual, want)
		}
	}
	// Both models predict too few for the customers without a repeat
	// purchase (as Fader, Hardie & Lee's figures show) and well for the
	// frequent ones.
	if g := h.ByFrequency[7]; math.Abs(g.Predicted-g.Actual) > 0.05*g.Actual {
		t.Errorf("7+: predicted %.3f, actual %.3f", g.Predicted, g.Actual)
	}
	if h.BGNBD == nil || h.ParetoNBD == nil || res.GammaGamma == nil {
		t.Fatal("a model is missing")
	}
}
