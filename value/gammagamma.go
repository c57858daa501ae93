package value

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat"
)

// GammaGamma holds the parameters of the Gamma-Gamma model of spend
// (Fader & Hardie 2013): a customer's purchase values are Gamma(P, ν)
// with ν Gamma(Q, V) across customers, so the mean purchase value across
// customers is P·V/(Q−1).
type GammaGamma struct {
	P, Q, V float64
}

// GammaGammaFit is a Gamma-Gamma model fitted by maximum likelihood.
type GammaGammaFit struct {
	GammaGamma
	SE            GammaGamma
	LogLikelihood float64
	// Customers is the total weight of the repeat customers fitted.
	Customers float64
	// AtBound: as for BGNBDFit.
	AtBound []string
	// Correlation is the Pearson correlation of frequency and mean repeat
	// value over the customers fitted: the model assumes they are
	// independent, so it should be near 0.
	Correlation float64
}

// FitGammaGamma fits the Gamma-Gamma model to the repeat customers'
// frequency x and mean repeat purchase value m (lifetimes'
// GammaGammaFitter.fit). Customers with x = 0 or m <= 0 are left out (the
// model is defined for x > 0 and m > 0). Nil w weights every customer 1.
func FitGammaGamma(ctx context.Context, x, m, w []float64, o *FitOptions) (*GammaGammaFit, error) {
	opts := o.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if len(x) != len(m) || (w != nil && len(w) != len(x)) {
		panic("value: slice length mismatch")
	}
	var xs, ms, ws []float64
	customers := 0.0
	for i := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if !finite(x[i]) || x[i] < 0 || x[i] != math.Trunc(x[i]) {
			return nil, fmt.Errorf("customer %d: frequency %g is not a whole number >= 0", i+1, x[i])
		}
		if !finite(wi) || wi < 0 {
			return nil, fmt.Errorf("customer %d: weight %g is not a number >= 0", i+1, wi)
		}
		customers += wi
		if x[i] == 0 || wi == 0 {
			continue
		}
		if !finite(m[i]) || m[i] < 0 {
			return nil, fmt.Errorf("customer %d: mean repeat value %g is not a number >= 0", i+1, m[i])
		}
		if m[i] == 0 {
			continue
		}
		xs = append(xs, x[i])
		ms = append(ms, m[i])
		ws = append(ws, wi)
	}
	total := 0.0
	for _, v := range ws {
		total += v
	}
	if total < float64(opts.MinRepeat) {
		return nil, &TooFewError{Model: "Gamma-Gamma", Have: int(total), Need: opts.MinRepeat, Customers: int(math.Round(customers)), What: "with a repeat purchase worth more than 0"}
	}
	obj := gammaGammaObjective(xs, ms, ws, total, opts.Penalizer, opts.Workers)
	theta, _, err := minimize(ctx, "Gamma-Gamma", obj, []float64{0.1, 0.1, 0.1})
	if err != nil {
		return nil, err
	}
	params := []float64{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])}
	se := standardErrors(params, hessian(obj, theta), total)
	fit := &GammaGammaFit{
		GammaGamma: GammaGamma{params[0], params[1], params[2]},
		SE:         GammaGamma{se[0], se[1], se[2]},
		Customers:  total,
		AtBound:    atBound(theta, "p", "q", "v"),
	}
	var ll float64
	for i := range xs {
		ll += ws[i] * fit.LogLikelihood1(xs[i], ms[i])
	}
	fit.LogLikelihood = ll
	fit.Correlation = stat.Correlation(xs, ms, ws)
	return fit, nil
}

// gammaGammaObjective returns lifetimes' Gamma-Gamma objective: the
// negative mean log-likelihood plus the penalty, in the log-parameters.
func gammaGammaObjective(x, m, w []float64, total, penalizer float64, workers int) objective {
	// Only log(x·m + v) changes with the parameters per customer: the
	// rest folds into sums over customers (c0, c1) and over distinct x.
	var c0, c1 float64 // Σ w log m, Σ w x (log m + log x)
	xs := slices.Clone(x)
	slices.Sort(xs)
	xs = slices.Compact(xs)
	wx := make([]float64, len(xs))
	for i, v := range x {
		lm := math.Log(m[i])
		c0 += w[i] * lm
		c1 += w[i] * v * (lm + math.Log(v))
		k, _ := slices.BinarySearch(xs, v)
		wx[k] += w[i]
	}
	xm := make([]float64, len(x))
	for i := range x {
		xm[i] = x[i] * m[i]
	}
	s := newSummer(len(x), 4, workers)
	var acc [4]float64
	return func(theta, grad []float64) float64 {
		p, q, v := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])
		if !(p > 0 && q > 0 && v > 0) || math.IsInf(p+q+v, 0) {
			for i := range grad {
				grad[i] = math.NaN()
			}
			return math.Inf(1)
		}
		// Σ w log(xm+v), Σ w x log(xm+v), Σ w/(xm+v), Σ w x/(xm+v)
		s.sum(acc[:], func(lo, hi int, acc []float64) {
			for i := lo; i < hi; i++ {
				l := math.Log(xm[i] + v)
				acc[0] += w[i] * l
				acc[1] += w[i] * x[i] * l
				if grad != nil {
					r := w[i] / (xm[i] + v)
					acc[2] += r
					acc[3] += r * x[i]
				}
			}
		})
		lgq, lv := lgamma(q), math.Log(v)
		ll := p*c1 - c0 - p*acc[1] - q*acc[0] + total*(q*lv-lgq)
		var gp, gq float64
		for k, xv := range xs {
			px := p * xv
			ll += wx[k] * (lgamma(px+q) - lgamma(px))
			if grad != nil {
				ps := mathext.Digamma(px + q)
				gp += wx[k] * xv * (ps - mathext.Digamma(px))
				gq += wx[k] * ps
			}
		}
		val := -ll/total + penalizer*(p*p+q*q+v*v)
		if grad != nil {
			grad[0] = -p*(gp+c1-acc[1])/total + 2*penalizer*p*p
			grad[1] = -q*(gq-total*mathext.Digamma(q)+total*lv-acc[0])/total + 2*penalizer*q*q
			grad[2] = -(q*total-v*(p*acc[3]+q*acc[2]))/total + 2*penalizer*v*v
		}
		if math.IsNaN(val) {
			return math.Inf(1)
		}
		return val
	}
}

// LogLikelihood1 returns the log-likelihood of one customer's x repeat
// purchases of mean value m.
func (g GammaGamma) LogLikelihood1(x, m float64) float64 {
	p, q, v := g.P, g.Q, g.V
	return lgamma(p*x+q) - lgamma(p*x) - lgamma(q) + q*math.Log(v) + (p*x-1)*math.Log(m) + p*x*math.Log(x) - (p*x+q)*math.Log(x*m+v)
}

// PopulationMean returns the mean purchase value across customers,
// P·V/(Q−1); it is infinite (+Inf) when Q <= 1.
func (g GammaGamma) PopulationMean() float64 {
	if g.Q <= 1 {
		return math.Inf(1)
	}
	return g.P * g.V / (g.Q - 1)
}

// ExpectedValue returns the expected value of a customer's future
// purchases given x repeat purchases of mean value m (equation 5 of Fader
// & Hardie's note 025, lifetimes' conditional_expected_average_profit):
// a weighted mean of m and the population mean. It needs Q > 1.
func (g GammaGamma) ExpectedValue(x, m float64) float64 {
	w := g.P * x / (g.P*x + g.Q - 1)
	return (1-w)*g.PopulationMean() + w*m
}
