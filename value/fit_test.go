package value

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
)

// checkGradient compares obj's gradient with central differences at
// theta.
func checkGradient(t *testing.T, name string, obj objective, theta []float64) {
	t.Helper()
	g := make([]float64, len(theta))
	obj(theta, g)
	x := make([]float64, len(theta))
	for i := range theta {
		const h = 1e-6
		copy(x, theta)
		x[i] = theta[i] + h
		fp := obj(x, nil)
		x[i] = theta[i] - h
		fm := obj(x, nil)
		num := (fp - fm) / (2 * h)
		if math.Abs(num-g[i]) > 1e-6*math.Max(1, math.Abs(num)) {
			t.Errorf("%s: d/dθ%d = %.10g, central difference %.10g", name, i, g[i], num)
		}
	}
}

func TestGradients(t *testing.T) {
	x, tx, T, _ := simBGNBD(3000, BGNBD{R: 0.8, Alpha: 20, A: 0.9, B: 3}, 60, 300, 0, 1)
	p := compress(x, tx, T, nil, nil).scaled(1.0 / 300)
	m := simSpend(x, GammaGamma{P: 6, Q: 4, V: 15}, 2)
	var xs, ms, ws []float64
	for i := range x {
		if x[i] > 0 {
			xs, ms, ws = append(xs, x[i]), append(ms, m[i]), append(ws, 1)
		}
	}
	points := [][]float64{{0.1, 0.1, 0.1, 0.1}, {-1, -2, 0.5, 1.5}, {1, -1, -0.3, 2}}
	for _, theta := range points {
		checkGradient(t, "BG/NBD", bgnbdObjective(p, 0.01, 2), theta)
		checkGradient(t, "Pareto/NBD", paretoObjective(p, 0.01, 2, nil), theta)
		checkGradient(t, "Gamma-Gamma", gammaGammaObjective(xs, ms, ws, float64(len(xs)), 0.01, 2), theta[:3])
	}
	// Pareto/NBD where alpha is far from beta: the 1 − z branch.
	checkGradient(t, "Pareto/NBD, alpha << beta", paretoObjective(p, 0, 1, nil), []float64{0.5, -6, 2, 5})
	checkGradient(t, "Pareto/NBD, alpha >> beta", paretoObjective(p, 0, 1, nil), []float64{0.5, 4, 1, -5})
}

// TestWorkersSameResult checks that the number of goroutines does not
// change a fit in the last bit.
func TestWorkersSameResult(t *testing.T) {
	x, tx, T, _ := simBGNBD(20000, BGNBD{R: 0.5, Alpha: 10, A: 0.7, B: 2.5}, 90, 365, 0, 3)
	var fits []*BGNBDFit
	for _, w := range []int{1, 2, 7} {
		f, err := FitBGNBD(context.Background(), x, tx, T, nil, &FitOptions{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		fits = append(fits, f)
	}
	for _, f := range fits[1:] {
		if f.BGNBD != fits[0].BGNBD || f.LogLikelihood != fits[0].LogLikelihood {
			t.Errorf("fit %+v differs from the one-worker fit %+v", f.BGNBD, fits[0].BGNBD)
		}
	}
}

// TestRecover fits data drawn from known models.
func TestRecover(t *testing.T) {
	want := BGNBD{R: 0.6, Alpha: 12, A: 0.8, B: 2.5}
	x, tx, T, _ := simBGNBD(40000, want, 90, 365, 0, 4)
	fit, err := FitBGNBD(context.Background(), x, tx, T, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{fit.R, fit.Alpha, fit.A, fit.B}
	se := []float64{fit.SE.R, fit.SE.Alpha, fit.SE.A, fit.SE.B}
	for i, w := range []float64{want.R, want.Alpha, want.A, want.B} {
		if math.Abs(got[i]-w) > 4*se[i] {
			t.Errorf("BG/NBD parameter %d = %.4g ± %.2g, drawn with %g", i, got[i], se[i], w)
		}
	}
	g := GammaGamma{P: 6, Q: 4, V: 15}
	m := simSpend(x, g, 5)
	gg, err := FitGammaGamma(context.Background(), x, m, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ggot, gse := []float64{gg.P, gg.Q, gg.V}, []float64{gg.SE.P, gg.SE.Q, gg.SE.V}
	for i, w := range []float64{g.P, g.Q, g.V} {
		if math.Abs(ggot[i]-w) > 4*gse[i] {
			t.Errorf("Gamma-Gamma parameter %d = %.4g ± %.2g, drawn with %g", i, ggot[i], gse[i], w)
		}
	}
	if math.Abs(gg.Correlation) > 0.05 {
		t.Errorf("correlation %.3f of independent draws", gg.Correlation)
	}
}

// TestBoundedRidge: drawn with dropout that does not vary, the BG/NBD
// likelihood rises towards a, b = ∞; the fit stops at the bound, says
// so, and predicts as the true model does.
func TestBoundedRidge(t *testing.T) {
	x, tx, T, _ := simBGNBD(20000, BGNBD{R: 2, Alpha: 30, A: 2e6, B: 8e7}, 90, 365, 0, 6)
	fit, err := FitBGNBD(context.Background(), x, tx, T, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fit.AtBound) == 0 {
		t.Errorf("no parameter at the bound: %+v", fit.BGNBD)
	}
	truth := BGNBD{R: 2, Alpha: 30, A: 2e6, B: 8e7}
	for i := 0; i < 2000; i += 97 {
		got, want := fit.ExpectedPurchases(180, x[i], tx[i], T[i]), truth.ExpectedPurchases(180, x[i], tx[i], T[i])
		if math.Abs(got-want) > 0.05*want+0.05 {
			t.Errorf("customer %d: expected purchases %.4f, the drawing model %.4f", i, got, want)
		}
	}
}

func TestFitErrors(t *testing.T) {
	ctx := context.Background()
	x, tx, T := []float64{0, 0, 1, 0, 2}, []float64{0, 0, 3, 0, 5}, []float64{9, 8, 9, 7, 9}
	_, err := FitBGNBD(ctx, x, tx, T, nil, nil)
	var tf *TooFewError
	if !errors.As(err, &tf) || tf.Have != 2 || tf.Need != DefaultMinRepeat {
		t.Fatalf("got %v, want a TooFewError 2 of 10", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "at least 10 customers with a repeat purchase") || !strings.Contains(msg, "have 2 of 5") {
		t.Errorf("message %q", msg)
	}
	bad := []struct {
		name       string
		x, tx, T   []float64
		w          []float64
		penalizer  float64
		wantSubstr string
	}{
		{"fractional frequency", []float64{1.5}, []float64{1}, []float64{2}, nil, 0, "customer 1: frequency 1.5"},
		{"recency beyond T", []float64{1}, []float64{3}, []float64{2}, nil, 0, "T 2 is not a number >= recency 3"},
		{"recency without repeats", []float64{0}, []float64{1}, []float64{2}, nil, 0, "recency 1 with no repeat purchase"},
		{"NaN", []float64{1}, []float64{math.NaN()}, []float64{2}, nil, 0, "recency NaN"},
		{"negative weight", []float64{1}, []float64{1}, []float64{2}, []float64{-1}, 0, "weight -1"},
		{"negative penalizer", []float64{1}, []float64{1}, []float64{2}, nil, -1, "penalizer -1"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitBGNBD(ctx, tt.x, tt.tx, tt.T, tt.w, &FitOptions{Penalizer: tt.penalizer})
			if err == nil || !strings.Contains(err.Error(), tt.wantSubstr) {
				t.Errorf("got %v, want %q", err, tt.wantSubstr)
			}
		})
	}
	// Gamma-Gamma counts repeat customers with a positive spend.
	_, err = FitGammaGamma(ctx, []float64{1, 2, 0}, []float64{3, 0, 0}, nil, nil)
	if !errors.As(err, &tf) || !strings.Contains(err.Error(), "worth more than 0") || tf.Have != 1 {
		t.Errorf("got %v", err)
	}
}

// TestMinimizeFails: an objective that gives no descent direction ends
// in a ConvergenceError naming the gradient.
func TestMinimizeFails(t *testing.T) {
	var calls atomic.Int64
	obj := func(theta, grad []float64) float64 {
		calls.Add(1)
		if grad != nil {
			grad[0] = 1 // says "go left", but every other point is worse
		}
		if theta[0] != 0 {
			return math.Inf(1)
		}
		return 0
	}
	_, _, err := minimize(context.Background(), "test", obj, []float64{0})
	var ce *ConvergenceError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "test fit did not converge: the gradient is still 1") || !strings.Contains(err.Error(), "penalizer") {
		t.Errorf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, tx, T, _ := simBGNBD(500, BGNBD{R: 0.6, Alpha: 12, A: 0.8, B: 2.5}, 90, 365, 0, 4)
	if _, err := FitBGNBD(ctx, x, tx, T, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: %v", err)
	}
}

// TestHypergeometric checks the series and the 1 − z connection against
// values from mpmath (hyp2f1 at 30 digits).
func TestHypergeometric(t *testing.T) {
	tests := []struct {
		u, v, z    float64
		want       float64 // log ₂F₁(1, u; v; z)
		du, dv, dz float64
	}{
		{5601, 5607.5, 0.99994, 6.85617271116508, 0.167189, -0.167023, 1120.51},
		{5601, 5657.5, 0.9999, 4.61395492189022, 0.0178297, -0.0176547, 101.687},
		{1.6, 7.1, 0.999, 0.303754601537794, 0.221807, -0.0581574, 0.456404},
		{7.5, 9.1, 0.95, 1.80890997900591, 0.551454, -0.480723, 7.41146},
		{2, 5, 0.99, 0.674728562476238, 0.475568, -0.234425, 1.73521},
		{3.0000001, 5, 0.99, 1.29472900055486, 0.814291, -0.587842, 6.6554},
		{50.5, 52.1, 0.9, 2.08234412530612, 0.126214, -0.122724, 7.98874},
		{1.5, 3.5, 0.9999999, 0.916288506212599, 0.999982, -0.599983, 20.7566},
		{142.3, 149.8, 0.999, 3.10540007677587, 0.149165, -0.14262, 24.9454},
		{142.3, 145.3, 0.999, 4.16563363581668, 0.422038, -0.415793, 97.3157},
	}
	for _, tt := range tests {
		f, du, dv, dz, ok := logHyp1(tt.u, tt.v, tt.z, 1-tt.z)
		if !ok || math.Abs(f-tt.want) > 1e-9*math.Abs(tt.want) {
			t.Errorf("log 2F1(1, %g; %g; %g) = %.15g (ok %v), want %.15g", tt.u, tt.v, tt.z, f, ok, tt.want)
		}
		for _, d := range [][2]float64{{du, tt.du}, {dv, tt.dv}, {dz, tt.dz}} {
			if math.Abs(d[0]-d[1]) > 2e-4*math.Abs(d[1]) {
				t.Errorf("(%g, %g, %g): derivative %.6g, want %.6g", tt.u, tt.v, tt.z, d[0], d[1])
			}
		}
	}
}
