package value

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
)

// ParetoNBD holds the parameters of the Pareto/NBD model (Schmittlein,
// Morrison & Colombo 1987): purchase rates are Gamma(R, Alpha) and
// dropout rates Gamma(S, Beta) across customers, independent of each
// other (Alpha and Beta in the summary's time unit).
type ParetoNBD struct {
	R, Alpha, S, Beta float64
}

// ParetoNBDFit is a Pareto/NBD model fitted by maximum likelihood.
type ParetoNBDFit struct {
	ParetoNBD
	SE            ParetoNBD
	LogLikelihood float64
	Customers     float64
	// AtBound: as for BGNBDFit.
	AtBound []string
}

// FitParetoNBD fits the Pareto/NBD model to the customers' frequency x,
// recency tx and age T: maximum likelihood on the log-parameters with
// BFGS and an exact gradient, on lifetimes' time scale (T divided by its
// largest value), from (1, 1, 1, 1) on that scale as BTYD starts. The
// likelihood is Fader & Hardie's (note 009, equation 18, as lifetimes'
// ParetoNBDFitter writes it); its Gaussian hypergeometric functions
// ₂F₁(a, b; a+1; z) are summed after Euler's transformation, whose series
// has positive terms falling at least as fast as z^k. The penalizer is
// lifetimes': Penalizer times the sum of the squared (scaled) parameters
// added to the negative total log-likelihood. Nil w weights every
// customer 1.
func FitParetoNBD(ctx context.Context, x, tx, T, w []float64, o *FitOptions) (*ParetoNBDFit, error) {
	opts := o.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := checkRFM(x, tx, T, w); err != nil {
		return nil, err
	}
	return fitParetoNBD(ctx, compress(x, tx, T, w, nil), opts)
}

// fitParetoNBD fits the model to patterns with the options' defaults set.
func fitParetoNBD(ctx context.Context, p *patterns, opts FitOptions) (*ParetoNBDFit, error) {
	if err := needRepeaters("Pareto/NBD", p, opts.MinRepeat); err != nil {
		return nil, err
	}
	scale := 1 / p.maxT
	q := p.scaled(scale)
	var extreme atomic.Bool
	obj := paretoObjective(q, opts.Penalizer, opts.Workers, &extreme)
	theta, _, err := minimize(ctx, "Pareto/NBD", obj, []float64{0, 0, 0, 0})
	var ce *ConvergenceError
	if errors.As(err, &ce) && extreme.Load() {
		ce.Reason += "; on the way one of alpha and beta grew beyond reach of the other (as when dropout or purchase rates hardly vary across customers)"
	}
	if err != nil {
		return nil, err
	}
	params := []float64{math.Exp(theta[0]), math.Exp(theta[1]) / scale, math.Exp(theta[2]), math.Exp(theta[3]) / scale}
	se := standardErrors(params, hessian(obj, theta), p.total)
	fit := &ParetoNBDFit{
		ParetoNBD: ParetoNBD{params[0], params[1], params[2], params[3]},
		SE:        ParetoNBD{se[0], se[1], se[2], se[3]},
		Customers: p.total,
		AtBound:   atBound(theta, "r", "alpha", "s", "beta"),
	}
	var ll [1]float64
	newSummer(len(p.x), 1, opts.Workers).sum(ll[:], func(lo, hi int, acc []float64) {
		for i := lo; i < hi; i++ {
			acc[0] += p.w[i] * fit.LogLikelihood1(p.x[i], p.tx[i], p.T[i])
		}
	})
	fit.LogLikelihood = ll[0]
	return fit, nil
}

// paretoObjective returns the negative mean log-likelihood plus the
// penalty over the total weight, in the log-parameters (r, α, s, β).
// extreme is set when a pattern's likelihood could not be summed.
func paretoObjective(p *patterns, penalizer float64, workers int, extreme *atomic.Bool) objective {
	s := newSummer(len(p.x), 5, workers)
	var acc [5]float64
	return func(theta, grad []float64) float64 {
		var par [4]dual
		for i := range par {
			v := math.Exp(theta[i])
			if !(v > 0) || math.IsInf(v, 0) {
				for i := range grad {
					grad[i] = math.NaN()
				}
				return math.Inf(1)
			}
			par[i] = dual{v: v}
			par[i].g[i] = v // d exp(θ)/dθ
		}
		s.sum(acc[:], func(lo, hi int, acc []float64) {
			for i := lo; i < hi; i++ {
				ll := paretoLL(par[0], par[1], par[2], par[3], p.x[i], p.tx[i], p.T[i])
				if math.IsNaN(ll.v) && extreme != nil {
					extreme.Store(true)
				}
				acc[0] += p.w[i] * ll.v
				for j := range 4 {
					acc[1+j] += p.w[i] * ll.g[j]
				}
			}
		})
		n := p.total
		pen := 0.0
		for _, v := range par {
			pen += v.v * v.v
		}
		val := -acc[0]/n + penalizer*pen/n
		if grad != nil {
			for j := range 4 {
				grad[j] = -acc[1+j]/n + 2*penalizer*par[j].v*par[j].v/n
			}
		}
		if math.IsNaN(val) {
			return math.Inf(1)
		}
		return val
	}
}

// paretoLL returns one customer's log-likelihood with its gradient.
func paretoLL(r, alpha, s, beta dual, x, tx, T float64) dual {
	rx := r.addc(x)
	a1 := rx.lgamma().sub(r.lgamma()).add(r.mul(alpha.log())).add(s.mul(beta.log()))
	// Alive at T: Γ(r+x)α^r β^s / (Γ(r) (α+T)^(r+x) (β+T)^s).
	alive := rx.mul(alpha.addc(T).log()).add(s.mul(beta.addc(T).log())).scale(-1)
	if tx == T {
		return a1.add(alive) // no time between the last purchase and T to drop out in
	}
	rsx := rx.add(s)
	died := s.log().add(paretoLogA0(r, alpha, s, beta, x, tx, T)).sub(rsx.log())
	return a1.add(logAddExpD(alive, died))
}

// paretoLogA0 returns log A₀ = log ∫_{tx}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ
// ·(r+s+x) (Fader & Hardie's note 009, equations 19–20).
func paretoLogA0(r, alpha, s, beta dual, x, tx, T float64) dual {
	rx := r.addc(x)
	a := rx.add(s)
	c := a.addc(1)
	var mx, mn, delta, b, u dual
	if alpha.v < beta.v {
		mx, mn, delta, b, u = beta, alpha, beta.sub(alpha), rx, s.addc(1)
	} else {
		mx, mn, delta, b, u = alpha, beta, alpha.sub(beta), s.addc(1), rx
	}
	oneMinusB := b.scale(-1).addc(1)
	term := func(t float64) dual {
		q := mx.addc(t)
		z := delta.div(q)
		w := (mn.v + t) / q.v // 1 − z with its digits
		// ₂F₁(a, b; a+1; z) = (1−z)^(1−b) ₂F₁(1, a+1−b; a+1; z)
		f, du, dc, dz, ok := logHyp1(u.v, c.v, z.v, w)
		if !ok {
			f = math.NaN() // max(α,β)/min(α,β) too extreme to sum
		}
		h := dual{v: f}
		for i := range h.g {
			h.g[i] = du*u.g[i] + dc*c.g[i] + dz*z.g[i]
		}
		return oneMinusB.mul(z.chain(math.Log(w), -1/w)).add(h).sub(a.mul(q.log()))
	}
	return logSubExpD(term(tx), term(T))
}

// LogLikelihood1 returns the log-likelihood of one customer's history.
func (m ParetoNBD) LogLikelihood1(x, tx, T float64) float64 {
	return paretoLL(constant(m.R), constant(m.Alpha), constant(m.S), constant(m.Beta), x, tx, T).v
}

// PAlive returns the probability that a customer with history (x, tx,
// T) is still active (note 009, equation 36).
func (m ParetoNBD) PAlive(x, tx, T float64) float64 {
	if tx == T {
		return 1
	}
	r, alpha, s, beta := constant(m.R), constant(m.Alpha), constant(m.S), constant(m.Beta)
	la0 := paretoLogA0(r, alpha, s, beta, x, tx, T).v
	return sigmoid(-(math.Log(m.S) - math.Log(m.R+m.S+x) + (m.R+x)*math.Log(m.Alpha+T) + m.S*math.Log(m.Beta+T) + la0))
}

// ExpectedPurchases returns the expected number of purchases in the next
// t units of a customer with history (x, tx, T) (note 009, equation 41).
func (m ParetoNBD) ExpectedPurchases(t, x, tx, T float64) float64 {
	return m.activeFactor(x, tx, T) * m.future(x, T, t)
}

// activeFactor is P(alive)·(r+x)/(α+T): the customer-specific factor of
// ExpectedPurchases.
func (m ParetoNBD) activeFactor(x, tx, T float64) float64 {
	return m.PAlive(x, tx, T) * (m.R + x) / (m.Alpha + T)
}

// future returns (β+T)/(s−1)·[1 − ((β+T)/(β+T+t))^(s−1)], the expected
// lifetime in the next t units over the expected rate's factor.
func (m ParetoNBD) future(x, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	bt := m.Beta + T
	l := math.Log(bt / (bt + t))
	if math.Abs(m.S-1) < 1e-9 {
		return -bt * l
	}
	return bt / (m.S - 1) * -math.Expm1((m.S-1)*l)
}

func (m ParetoNBD) rate(x, T float64) (shape, rate float64) { return m.R + x, m.Alpha + T }
