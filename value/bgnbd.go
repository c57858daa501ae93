package value

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// BGNBD holds the parameters of the BG/NBD model (Fader, Hardie & Lee
// 2005): purchase rates are Gamma(R, Alpha) across customers (Alpha in the
// summary's time unit), and after each purchase a customer drops out with
// a probability that is Beta(A, B) across customers.
type BGNBD struct {
	R, Alpha, A, B float64
}

// BGNBDFit is a BG/NBD model fitted by maximum likelihood.
type BGNBDFit struct {
	BGNBD
	// SE holds the standard errors of the parameters, in the same fields.
	SE BGNBD
	// LogLikelihood is the total log-likelihood of the data (without the
	// penalty), in the summary's time unit.
	LogLikelihood float64
	// Customers is the total weight of the customers fitted.
	Customers float64
	// AtBound names the parameters that ended at the bound of 10,000 (or
	// 1/10,000) on the fitting time scale: the likelihood rises towards a
	// limit where they are infinite, so their values mean little, while
	// the predictions hold.
	AtBound []string
}

// FitBGNBD fits the BG/NBD model to the customers' frequency x, recency
// tx and age T (lifetimes' BetaGeoFitter.fit): maximum likelihood on the
// log-parameters with BFGS from lifetimes' starting point, on lifetimes'
// time scale (T divided by its largest value), with its L2 penalizer.
// Nil w weights every customer 1.
func FitBGNBD(ctx context.Context, x, tx, T, w []float64, o *FitOptions) (*BGNBDFit, error) {
	opts := o.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := checkRFM(x, tx, T, w); err != nil {
		return nil, err
	}
	return fitBGNBD(ctx, compress(x, tx, T, w, nil), opts)
}

// fitBGNBD fits the model to patterns with the options' defaults set.
func fitBGNBD(ctx context.Context, p *patterns, opts FitOptions) (*BGNBDFit, error) {
	if err := needRepeaters("BG/NBD", p, opts.MinRepeat); err != nil {
		return nil, err
	}
	scale := 1 / p.maxT
	q := p.scaled(scale)
	theta0 := []float64{0.1, 0.1, 0.1, 0.1}
	// Many patterns: start from the fit of a subsample, which takes
	// most of the iterations at a fraction of the cost.
	if k := len(q.x) / warmPatterns; k >= 4 {
		if t, _, err := minimize(ctx, "BG/NBD", bgnbdObjective(q.every(k), opts.Penalizer, opts.Workers), theta0); err == nil {
			theta0 = t
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	obj := bgnbdObjective(q, opts.Penalizer, opts.Workers)
	theta, _, err := minimize(ctx, "BG/NBD", obj, theta0)
	if err != nil {
		return nil, err
	}
	params := []float64{math.Exp(theta[0]), math.Exp(theta[1]) / scale, math.Exp(theta[2]), math.Exp(theta[3])}
	se := standardErrors(params, hessian(obj, theta), p.total)
	fit := &BGNBDFit{
		BGNBD:     BGNBD{params[0], params[1], params[2], params[3]},
		SE:        BGNBD{se[0], se[1], se[2], se[3]},
		Customers: p.total,
		AtBound:   atBound(theta, "r", "alpha", "a", "b"),
	}
	// The log-likelihood in the summary's unit: the objective on the
	// unscaled patterns, without the penalty.
	unscaled := []float64{theta[0], math.Log(params[1]), theta[2], theta[3]}
	fit.LogLikelihood = -bgnbdObjective(p, 0, opts.Workers)(unscaled, nil) * p.total
	return fit, nil
}

// needRepeaters returns a TooFewError when p has fewer than need
// customers with a repeat purchase, or an error when every T is 0.
func needRepeaters(model string, p *patterns, need int) error {
	if p.repeaters < float64(need) {
		return &TooFewError{Model: model, Have: int(p.repeaters), Need: need, Customers: int(math.Round(p.total)), What: "with a repeat purchase"}
	}
	if p.maxT <= 0 {
		return &TooFewError{Model: model, Have: 0, Need: need, Customers: int(math.Round(p.total)), What: "observed for some time after their first purchase"}
	}
	return nil
}

// bgnbdObjective returns lifetimes' BG/NBD objective on p (already on
// the fitting time scale): the negative mean log-likelihood plus the
// penalty, as a function of the log-parameters (r, alpha, a, b).
func bgnbdObjective(p *patterns, penalizer float64, workers int) objective {
	nx := len(p.xs)
	lab := make([]float64, nx)  // log a − log(b + x − 1), x > 0
	dlab := make([]float64, nx) // its derivative in log b
	logAT := make([]float64, len(p.Ts))
	invAT := make([]float64, len(p.Ts)) // α/(α+T)
	lgR, psR := make([]float64, nx), make([]float64, nx)
	lgB, psB := make([]float64, nx), make([]float64, nx)
	lgAB, psAB := make([]float64, nx), make([]float64, nx)
	s := newSummer(len(p.x), 5, workers)
	var acc [5]float64
	return func(theta, grad []float64) float64 {
		r, alpha, a, b := math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])
		if !(r > 0 && alpha > 0 && a > 0 && b > 0) || math.IsInf(r+alpha+a+b, 0) {
			if grad != nil {
				for i := range grad {
					grad[i] = math.NaN()
				}
			}
			return math.Inf(1)
		}
		// The x-only terms, once per distinct x. The Γ ratios are sums
		// of logs: differences of log Γ at large a+b lose digits.
		var f, gr, ga, gaa, gb float64
		la := math.Log(alpha)
		gammaRatios(r, p.xs, lgR, psR, grad != nil)
		gammaRatios(b, p.xs, lgB, psB, grad != nil)
		gammaRatios(a+b, p.xs, lgAB, psAB, grad != nil)
		for k, xv := range p.xs {
			wk := p.wx[k]
			f += wk * (lgR[k] + r*la + lgB[k] - lgAB[k])
			if grad != nil {
				gr += wk * r * (psR[k] + la)
				ga += wk * r
				gaa += wk * a * -psAB[k]
				gb += wk * b * (psB[k] - psAB[k])
			}
			if xv > 0 {
				lab[k] = theta[2] - math.Log(b+xv-1)
				dlab[k] = -b / (b + xv - 1)
			}
		}
		// Functions of α + T and α + t_x, once per distinct value.
		for j, v := range p.Ts {
			logAT[j] = math.Log(alpha + v)
			invAT[j] = alpha / (alpha + v)
		}
		// The per-pattern terms.
		s.sum(acc[:], func(lo, hi int, acc []float64) {
			for i := lo; i < hi; i++ {
				xv, w := p.x[i], p.w[i]
				rx := r + xv
				ti := p.Ti[i]
				laT := logAT[ti]
				a3 := -rx * laT
				if xv == 0 {
					acc[0] += w * a3
					if grad != nil {
						acc[1] -= w * r * laT
						acc[2] -= w * rx * invAT[ti]
					}
					continue
				}
				k, tj := p.xi[i], p.txi[i]
				lat := logAT[tj]
				a4 := lab[k] - rx*lat
				// log(e^a3 + e^a4) and the weight of e^a4 in it, from one exp.
				var ll, w4 float64
				if a3 >= a4 {
					e := math.Exp(a4 - a3)
					ll, w4 = a3+math.Log1p(e), e/(1+e)
				} else {
					e := math.Exp(a3 - a4)
					ll, w4 = a4+math.Log1p(e), 1/(1+e)
				}
				acc[0] += w * ll
				if grad != nil {
					w3 := 1 - w4
					acc[1] -= w * r * (w3*laT + w4*lat)
					acc[2] -= w * rx * (w3*invAT[ti] + w4*invAT[tj])
					acc[3] += w * w4
					acc[4] += w * w4 * dlab[k]
				}
			}
		})
		n := p.total
		pen := penalizer * (r*r + alpha*alpha + a*a + b*b)
		val := -(f+acc[0])/n + pen
		if grad != nil {
			grad[0] = -(gr+acc[1])/n + 2*penalizer*r*r
			grad[1] = -(ga+acc[2])/n + 2*penalizer*alpha*alpha
			grad[2] = -(gaa+acc[3])/n + 2*penalizer*a*a
			grad[3] = -(gb+acc[4])/n + 2*penalizer*b*b
		}
		if math.IsNaN(val) {
			return math.Inf(1)
		}
		return val
	}
}

// gammaRatios sets lg[k] = log Γ(c+xs[k]) − log Γ(c) and, with psi,
// ps[k] = ψ(c+xs[k]) − ψ(c), for ascending whole xs >= 0, as sums of
// log(c+j) and 1/(c+j) over j < xs[k] (beyond a million terms, from log Γ
// and ψ).
func gammaRatios(c float64, xs, lg, ps []float64, psi bool) {
	if len(xs) > 0 && xs[len(xs)-1] > 1e6 {
		lc, pc := lgamma(c), 0.0
		if psi {
			pc = mathext.Digamma(c)
		}
		for k, x := range xs {
			lg[k] = lgamma(c+x) - lc
			if psi {
				ps[k] = mathext.Digamma(c+x) - pc
			}
		}
		return
	}
	var sl, sp float64
	j := 0.0
	for k, x := range xs {
		for ; j < x; j++ {
			sl += math.Log(c + j)
			if psi {
				sp += 1 / (c + j)
			}
		}
		lg[k], ps[k] = sl, sp
	}
}

// LogLikelihood1 returns the log-likelihood of one customer's history.
func (m BGNBD) LogLikelihood1(x, tx, T float64) float64 {
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	a1 := lgamma(r+x) - lgamma(r) + r*math.Log(alpha)
	a2 := lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x)
	a3 := -(r + x) * math.Log(alpha+T)
	if x == 0 {
		return a1 + a2 + a3
	}
	a4 := math.Log(a) - math.Log(b+x-1) - (r+x)*math.Log(alpha+tx)
	return a1 + a2 + logAddExp(a3, a4)
}

// PAlive returns the probability that a customer with history (x, tx,
// T) is still active (Fader, Hardie & Lee's note 021); 1 when x is 0.
func (m BGNBD) PAlive(x, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	logDiv := (m.R+x)*math.Log((m.Alpha+T)/(m.Alpha+tx)) + math.Log(m.A/(m.B+x-1))
	return sigmoid(-logDiv)
}

// ExpectedPurchases returns the expected number of purchases in the next
// t units of a customer with history (x, tx, T) (equation 10 of the
// paper, lifetimes' conditional_expected_number_of_purchases_up_to_time).
func (m BGNBD) ExpectedPurchases(t, x, tx, T float64) float64 {
	return m.PAlive(x, tx, T) * m.future(x, T, t)
}

// future returns the expected purchases in the next t units of a
// customer with x repeat purchases and age T who is still active.
func (m BGNBD) future(x, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	if math.Abs(a-1) < 1e-9 {
		a = 1 + math.Copysign(1e-9, a-1) // the formula's removable pole
	}
	c := a + b + x - 1
	z := t / (alpha + T + t)
	lf := logHyp2F1(r+x, b+x, c, z)
	g := -math.Expm1(lf + (r+x)*math.Log((alpha+T)/(alpha+t+T)))
	return c / (a - 1) * g
}

// activeFactor is the customer-specific factor of ExpectedPurchases:
// ExpectedPurchases(t, x, tx, T) = activeFactor(x, tx, T) · future(x, T, t).
func (m BGNBD) activeFactor(x, tx, T float64) float64 { return m.PAlive(x, tx, T) }

// rate returns the shape and rate of the posterior purchase rate of an
// active customer with x repeat purchases and age T: Gamma(r+x, α+T).
func (m BGNBD) rate(x, T float64) (shape, rate float64) { return m.R + x, m.Alpha + T }
