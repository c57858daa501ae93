package value

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/persona-seg/persona/internal/parallel"
)

// FitOptions configures the fitters. The zero value fits without a
// penalty, on every CPU, and needs DefaultMinRepeat repeat customers.
type FitOptions struct {
	// Penalizer is lifetimes' penalizer_coef: it adds Penalizer times the
	// sum of the squared parameters (alpha and beta on lifetimes' time
	// scale, in which the largest T is 1) to the negative mean
	// log-likelihood. 0 means none.
	Penalizer float64
	// MinRepeat is the least number of customers with a repeat purchase
	// (BG/NBD, Pareto/NBD) or with a repeat purchase worth more than 0
	// (Gamma-Gamma) a fit needs; 0 means DefaultMinRepeat.
	MinRepeat int
	// Workers bounds the goroutines that sum the likelihood; 0 means
	// runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
}

// DefaultMinRepeat is the least number of repeat customers a fit needs
// unless FitOptions.MinRepeat says otherwise.
const DefaultMinRepeat = 10

func (o *FitOptions) withDefaults() FitOptions {
	var d FitOptions
	if o != nil {
		d = *o
	}
	if d.MinRepeat <= 0 {
		d.MinRepeat = DefaultMinRepeat
	}
	if d.Workers <= 0 {
		d.Workers = runtime.GOMAXPROCS(0)
	}
	return d
}

func (o FitOptions) validate() error {
	if math.IsNaN(o.Penalizer) || math.IsInf(o.Penalizer, 0) || o.Penalizer < 0 {
		return fmt.Errorf("penalizer %g: want a number >= 0", o.Penalizer)
	}
	return nil
}

// TooFewError reports data with too few repeat customers to fit a model.
type TooFewError struct {
	Model     string // "BG/NBD", "Pareto/NBD" or "Gamma-Gamma"
	Have      int    // repeat customers in the data
	Need      int    // the least number the fit needs
	Customers int    // customers in the data
	What      string // what was counted: "with a repeat purchase", ...
}

func (e *TooFewError) Error() string {
	return fmt.Sprintf("%s needs at least %d customers %s to fit; the data have %d of %d customers",
		e.Model, e.Need, e.What, e.Have, e.Customers)
}

// ConvergenceError reports a fit that did not converge.
type ConvergenceError struct {
	Model  string
	Reason string
}

func (e *ConvergenceError) Error() string {
	return fmt.Sprintf("%s fit did not converge: %s (a penalizer such as 0.001 often helps)", e.Model, e.Reason)
}

// warmPatterns is the size of the subsample whose fit starts the fit of
// data with at least four times as many patterns.
const warmPatterns = 20000

// blockSize is the number of patterns summed into one partial sum. The
// partial sums are added in block order, so a likelihood is the same to
// the last bit for any number of goroutines.
const blockSize = 4096

// summer evaluates sums over patterns in parallel blocks.
type summer struct {
	n, k    int // patterns, accumulators per block
	workers int
	parts   []float64 // block b's accumulators at parts[b*k:]
}

func newSummer(n, k, workers int) *summer {
	nb := (n + blockSize - 1) / blockSize
	return &summer{n: n, k: k, workers: max(1, min(workers, nb)), parts: make([]float64, nb*k)}
}

// sum calls f(lo, hi, acc) for every block [lo, hi) with a zeroed acc of
// length k and adds the blocks' acc into dst (length k) in block order.
func (s *summer) sum(dst []float64, f func(lo, hi int, acc []float64)) {
	clear(s.parts)
	nb := len(s.parts) / s.k
	run := func(b int) {
		lo := b * blockSize
		f(lo, min(lo+blockSize, s.n), s.parts[b*s.k:(b+1)*s.k])
	}
	parallel.For(context.Background(), s.workers, nb, func(_, b int) { run(b) })
	clear(dst)
	for b := range nb {
		for j := range s.k {
			dst[j] += s.parts[b*s.k+j]
		}
	}
}

// paramBound bounds the parameters (on the fitting time scale) to
// [1/paramBound, paramBound], as BTYD bounds them at 10,000: where the
// likelihood keeps rising towards a boundary (dropout or purchase rates
// that hardly vary across customers send a pair of parameters to
// infinity with their ratio fixed), the fit stops at the bound.
const paramBound = 1e4

// wall adds a quadratic penalty for log-parameters beyond ±log(paramBound)
// to the objective, and its gradient to grad (when not nil).
func wall(theta, grad []float64) float64 {
	lim := math.Log(paramBound)
	v := 0.0
	for i, t := range theta {
		d := math.Abs(t) - lim
		if d <= 0 {
			continue
		}
		v += d * d
		if grad != nil {
			grad[i] += math.Copysign(2*d, t)
		}
	}
	return v
}

// atBound lists the parameters (by name) that ended at the bound.
func atBound(theta []float64, names ...string) []string {
	lim := math.Log(paramBound) - 0.1
	var out []string
	for i, t := range theta {
		if math.Abs(t) >= lim {
			out = append(out, names[i])
		}
	}
	return out
}

// gradTol is the largest gradient (of a mean log-likelihood, in the
// log-parameters) a converged fit may have.
const gradTol = 1e-5

// objective is a smooth function of log-parameters with its gradient.
// It returns +Inf where it is not defined.
type objective func(theta, grad []float64) float64

// minimize runs BFGS on obj from theta0 and returns the minimiser and the
// minimum. A cancelled ctx stops it with ctx's error.
func minimize(ctx context.Context, model string, obj objective, theta0 []float64) ([]float64, float64, error) {
	n := len(theta0)
	grad := make([]float64, n)
	var ctxErr error
	// BFGS asks for the value and then often the gradient at the same
	// point: one pass computes both.
	lastX := make([]float64, n)
	lastG := make([]float64, n)
	lastF, have := 0.0, false
	eval := func(x []float64) {
		if have && slices.Equal(x, lastX) {
			return
		}
		copy(lastX, x)
		lastF = obj(x, lastG) + wall(x, lastG)
		have = true
	}
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			eval(x)
			return lastF
		},
		Grad: func(g, x []float64) {
			eval(x)
			copy(g, lastG)
		},
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				ctxErr = err
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	// BFGS can stall in a line search on a flat ridge of the likelihood
	// (as when dropout hardly varies across customers): restart it from
	// where it stopped, with a fresh Hessian estimate, while that helps.
	theta := slices.Clone(theta0)
	f := math.Inf(1)
	iters := 0
	var lastErr error
	for attempt := 0; ; attempt++ {
		settings := &optimize.Settings{
			GradientThreshold: 1e-10,
			Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 25},
			MajorIterations:   2000,
		}
		res, err := optimize.Minimize(p, theta, settings, &optimize.BFGS{})
		if ctxErr != nil {
			return nil, 0, ctxErr
		}
		if res == nil {
			return nil, 0, &ConvergenceError{Model: model, Reason: err.Error()}
		}
		iters += res.Stats.MajorIterations
		lastErr = err
		improved := math.IsInf(f, 1) || res.F < f-1e-15*math.Abs(f)
		if res.F <= f {
			theta, f = res.X, res.F
		}
		eval(theta)
		copy(grad, lastG)
		if maxAbs(grad) <= gradTol || !improved || attempt == 4 {
			break
		}
	}
	for i, t := range theta {
		if math.IsNaN(t) || math.Abs(t) > 30 {
			return nil, 0, &ConvergenceError{Model: model, Reason: fmt.Sprintf("parameter %d ran off to exp(%.3g)", i+1, t)}
		}
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, 0, &ConvergenceError{Model: model, Reason: "the likelihood is not finite at the end"}
	}
	// A line search that cannot improve any more ends BFGS with an error
	// though the point may be the optimum: judge by the gradient.
	if g := maxAbs(grad); g > gradTol {
		reason := fmt.Sprintf("the gradient is still %.3g after %d iterations", g, iters)
		if lastErr != nil {
			reason += " (" + lastErr.Error() + ")"
		}
		return nil, 0, &ConvergenceError{Model: model, Reason: reason}
	}
	return theta, f, nil
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	if math.IsNaN(m) {
		return math.Inf(1)
	}
	for _, v := range x {
		if math.IsNaN(v) {
			return math.Inf(1)
		}
	}
	return m
}

// hessian returns the Hessian of obj at theta by central differences of
// its gradient, symmetrised.
func hessian(obj objective, theta []float64) *mat.SymDense {
	n := len(theta)
	const h = 1e-5
	h2 := mat.NewDense(n, n, nil)
	x := make([]float64, n)
	gp := make([]float64, n)
	gm := make([]float64, n)
	for i := range n {
		copy(x, theta)
		x[i] = theta[i] + h
		obj(x, gp)
		x[i] = theta[i] - h
		obj(x, gm)
		for j := range n {
			h2.Set(i, j, (gp[j]-gm[j])/(2*h))
		}
	}
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (h2.At(i, j)+h2.At(j, i))/2)
		}
	}
	return s
}

// standardErrors returns lifetimes' standard errors of params, whose logs
// minimise a mean negative log-likelihood over n customers with Hessian
// hess (in the log-parameters): sqrt(p_i² (H⁻¹)_ii / n), the delta method.
// It returns NaNs when the Hessian is singular.
func standardErrors(params []float64, hess *mat.SymDense, n float64) []float64 {
	k := len(params)
	se := make([]float64, k)
	var inv mat.Dense
	if err := inv.Inverse(hess); err != nil {
		for i := range se {
			se[i] = math.NaN()
		}
		return se
	}
	for i, p := range params {
		v := p * p * inv.At(i, i) / n
		if v < 0 {
			v = math.NaN()
		}
		se[i] = math.Sqrt(v)
	}
	return se
}

// covariance returns the delta-method covariance of params:
// p_i p_j (H⁻¹)_ij / n, or nil when the Hessian is singular.
func covariance(params []float64, hess *mat.SymDense, n float64) [][]float64 {
	var inv mat.Dense
	if err := inv.Inverse(hess); err != nil {
		return nil
	}
	k := len(params)
	c := make([][]float64, k)
	for i := range k {
		c[i] = make([]float64, k)
		for j := range k {
			c[i][j] = params[i] * params[j] * inv.At(i, j) / n
		}
	}
	return c
}

// logAddExp returns log(exp(a) + exp(b)).
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// sigmoid returns 1 / (1 + exp(-x)).
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
