package value

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// simSummary draws a whole-period summary and its calibration summary
// from the BG/NBD and Gamma-Gamma models (the holdout spend is the
// calibration spend: only counts are compared).
func simSummary(n int, m BGNBD, g GammaGamma, seed uint64) (full, cal *Summary) {
	x, tx, T, xh := simBGNBD(n, m, 60, 240, 120, seed)
	money := simSpend(x, g, seed+1)
	end := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	cal = &Summary{Unit: Days, End: end.AddDate(0, 0, -120), HoldoutEnd: end, Holdout: 120, HasAmounts: true,
		Frequency: x, Recency: tx, T: T, Monetary: money, FrequencyHoldout: xh, MonetaryHoldout: make([]float64, n)}
	full = &Summary{Unit: Days, End: end, HasAmounts: true, Frequency: make([]float64, n), Recency: make([]float64, n), T: make([]float64, n), Monetary: money}
	for i := range n {
		cal.IDs = append(cal.IDs, "c"+string(rune('a'+i%26))+strings.Repeat("x", i/26%3))
		full.Frequency[i] = x[i] + xh[i]
		full.T[i] = T[i] + 120
		full.Recency[i] = tx[i]
		if xh[i] > 0 {
			full.Recency[i] = T[i] + 60 // some day in the holdout period
		}
		if full.Frequency[i] > 0 && money[i] == 0 {
			money[i] = 20
		}
	}
	full.IDs = cal.IDs
	return full, cal
}

func finiteAll(t *testing.T, name string, v []float64) {
	t.Helper()
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("%s[%d] = %g", name, i, x)
		}
	}
}

func TestScoreHoldout(t *testing.T) {
	full, cal := simSummary(3000, BGNBD{R: 0.7, Alpha: 15, A: 0.9, B: 3}, GammaGamma{P: 5, Q: 4, V: 20}, 11)
	res, err := Score(context.Background(), full, cal, Options{Discount: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	h := res.Holdout
	if h == nil || h.BGNBD == nil || h.ParetoNBD == nil || res.GammaGamma == nil {
		t.Fatalf("missing fits: %+v", res)
	}
	if !strings.Contains(res.Reason, "lower holdout error") {
		t.Errorf("reason %q", res.Reason)
	}
	// The predicted holdout purchases come within 10% of the actual ones,
	// and group by group within 0.3 purchases on average.
	if math.Abs(h.Predicted-h.Actual) > 0.1*h.Actual {
		t.Errorf("predicted %.1f holdout purchases, actual %.0f", h.Predicted, h.Actual)
	}
	for _, g := range h.ByFrequency {
		if g.Customers > 50 && math.Abs(g.Predicted-g.Actual) > 0.3 {
			t.Errorf("frequency %d: predicted %.3f, actual %.3f", g.Frequency, g.Predicted, g.Actual)
		}
	}
	if h.RMSE != math.Min(h.BGNBDRMSE, h.ParetoNBDRMSE) {
		t.Errorf("RMSE %g is not the lower of %g, %g", h.RMSE, h.BGNBDRMSE, h.ParetoNBDRMSE)
	}
	for name, v := range map[string][]float64{"p_alive": res.PAlive, "expected": res.ExpectedPurchases, "value": res.ExpectedValue, "clv": res.CLV, "next": res.NextPurchaseDays} {
		if len(v) != full.Len() {
			t.Fatalf("%s has %d values for %d customers", name, len(v), full.Len())
		}
		finiteAll(t, name, v)
	}
	for i := range res.PAlive {
		if res.PAlive[i] < 0 || res.PAlive[i] > 1 || res.CLV[i] < 0 || res.ExpectedPurchases[i] < 0 {
			t.Fatalf("customer %d: p_alive %g, clv %g, expected %g", i, res.PAlive[i], res.CLV[i], res.ExpectedPurchases[i])
		}
	}
	// The per-customer values agree with the model's own functions.
	var tm TransactionModel
	if res.Model == ModelParetoNBD {
		tm = res.ParetoNBD.ParetoNBD
	} else {
		tm = res.BGNBD.BGNBD
	}
	for i := 0; i < full.Len(); i += 211 {
		x, tx, T := full.Frequency[i], full.Recency[i], full.T[i]
		want := LifetimeValue(tm, x, tx, T, res.GammaGamma.ExpectedValue(x, full.Monetary[i]), 12, 0.01, 30)
		if relErr(res.CLV[i], want) > 1e-12 && math.Abs(res.CLV[i]-want) > 1e-12 {
			t.Errorf("customer %d: CLV %g, LifetimeValue %g", i, res.CLV[i], want)
		}
		if e := tm.ExpectedPurchases(360, x, tx, T); relErr(res.ExpectedPurchases[i], e) > 1e-12 && math.Abs(res.ExpectedPurchases[i]-e) > 1e-12 {
			t.Errorf("customer %d: expected purchases %g, model %g", i, res.ExpectedPurchases[i], e)
		}
	}
}

// TestScoreMessages covers each problem Score reports: it either fails
// with a message that says what is needed or warns and leaves the values
// it cannot compute out, never a NaN.
func TestScoreMessages(t *testing.T) {
	ctx := context.Background()
	base, _ := simSummary(2000, BGNBD{R: 0.7, Alpha: 15, A: 0.9, B: 3}, GammaGamma{P: 5, Q: 4, V: 20}, 12)
	t.Run("too few repeat customers", func(t *testing.T) {
		s := *base
		s.Frequency, s.Recency = make([]float64, s.Len()), make([]float64, s.Len())
		for i := range 4 {
			s.Frequency[i], s.Recency[i] = 1, 3
		}
		_, err := Score(ctx, &s, nil, Options{})
		var tf *TooFewError
		if !errors.As(err, &tf) || !strings.Contains(err.Error(), "BG/NBD needs at least 10 customers with a repeat purchase to fit; the data have 4 of 2000") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("no amounts", func(t *testing.T) {
		s := *base
		s.HasAmounts = false
		res, err := Score(ctx, &s, nil, Options{Model: ModelBGNBD})
		if err != nil {
			t.Fatal(err)
		}
		if res.BGNBD == nil || res.CLV != nil || res.ExpectedValue != nil || !hasWarning(res, "carry no amounts") {
			t.Errorf("BG/NBD %v, CLV %v, warnings %q", res.BGNBD != nil, res.CLV != nil, res.Warnings)
		}
		finiteAll(t, "p_alive", res.PAlive)
	})
	t.Run("spend depends on frequency", func(t *testing.T) {
		s := *base
		s.Monetary = make([]float64, s.Len())
		for i, x := range s.Frequency {
			if x > 0 {
				s.Monetary[i] = 5 * x * (1 + 0.1*float64(i%7))
			}
		}
		res, err := Score(ctx, &s, nil, Options{Model: ModelBGNBD})
		if err != nil {
			t.Fatal(err)
		}
		if !hasWarning(res, "assumes spend independent of frequency") {
			t.Errorf("warnings %q", res.Warnings)
		}
	})
	t.Run("bad options", func(t *testing.T) {
		for _, o := range []Options{{HorizonMonths: -1}, {Discount: 1}, {Discount: math.NaN()}, {Model: 7}, {MaxCorrelation: 2}, {Fit: FitOptions{Penalizer: -1}}} {
			if _, err := Score(ctx, base, nil, o); err == nil {
				t.Errorf("options %+v accepted", o)
			}
		}
	})
}

func hasWarning(res *Result, s string) bool {
	for _, w := range res.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// TestGammaGammaFewSpenders: fewer repeat customers with a spend than the
// Gamma-Gamma fit needs skips the lifetime value with a warning.
func TestGammaGammaFewSpenders(t *testing.T) {
	base, _ := simSummary(2000, BGNBD{R: 0.7, Alpha: 15, A: 0.9, B: 3}, GammaGamma{P: 5, Q: 4, V: 20}, 13)
	s := *base
	s.Monetary = make([]float64, s.Len())
	n := 0
	for i, x := range s.Frequency {
		if x > 0 && n < 5 {
			s.Monetary[i] = 10
			n++
		}
	}
	res, err := Score(context.Background(), &s, nil, Options{Model: ModelBGNBD})
	if err != nil {
		t.Fatal(err)
	}
	if res.GammaGamma != nil || res.CLV != nil || !hasWarning(res, "Gamma-Gamma needs at least 10 customers with a repeat purchase worth more than 0 to fit; the data have 5") || !hasWarning(res, "lifetime value are skipped") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// TestApplySaved: the saved models value customers as Score did.
func TestApplySaved(t *testing.T) {
	full, _ := simSummary(1500, BGNBD{R: 0.7, Alpha: 15, A: 0.9, B: 3}, GammaGamma{P: 5, Q: 4, V: 20}, 14)
	res, err := Score(context.Background(), full, nil, Options{Model: ModelBGNBD, Discount: 0.01, HorizonMonths: 6})
	if err != nil {
		t.Fatal(err)
	}
	saved := Save(res, Days, 0.5)
	got, err := Apply(full, saved)
	if err != nil {
		t.Fatal(err)
	}
	for i := range full.IDs {
		if got.PAlive[i] != res.PAlive[i] || got.CLV[i] != res.CLV[i] || got.ExpectedPurchases[i] != res.ExpectedPurchases[i] {
			t.Fatalf("customer %d: applied (%g, %g), scored (%g, %g)", i, got.PAlive[i], got.CLV[i], res.PAlive[i], res.CLV[i])
		}
	}
	weeks := *full
	weeks.Unit = Weeks
	if _, err := Apply(&weeks, saved); err == nil || !strings.Contains(err.Error(), "the summary is in weeks, the saved models in days") {
		t.Errorf("unit mismatch: %v", err)
	}
}
