package value

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// dual is a number with its gradient in four variables (forward-mode
// differentiation), for likelihoods whose gradient is long to write out.
type dual struct {
	v float64
	g [4]float64
}

// variable returns x as the i-th variable.
func variable(x float64, i int) dual {
	d := dual{v: x}
	d.g[i] = 1
	return d
}

func constant(x float64) dual { return dual{v: x} }

func (a dual) add(b dual) dual {
	for i := range a.g {
		a.g[i] += b.g[i]
	}
	a.v += b.v
	return a
}

func (a dual) sub(b dual) dual {
	for i := range a.g {
		a.g[i] -= b.g[i]
	}
	a.v -= b.v
	return a
}

// addc returns a + c for a constant c.
func (a dual) addc(c float64) dual {
	a.v += c
	return a
}

// scale returns c·a for a constant c.
func (a dual) scale(c float64) dual {
	for i := range a.g {
		a.g[i] *= c
	}
	a.v *= c
	return a
}

func (a dual) mul(b dual) dual {
	var d dual
	d.v = a.v * b.v
	for i := range d.g {
		d.g[i] = a.g[i]*b.v + a.v*b.g[i]
	}
	return d
}

func (a dual) div(b dual) dual {
	var d dual
	d.v = a.v / b.v
	for i := range d.g {
		d.g[i] = (a.g[i] - d.v*b.g[i]) / b.v
	}
	return d
}

// chain returns f with the gradient of a times df, f'(a) = df.
func (a dual) chain(f, df float64) dual {
	d := dual{v: f}
	for i := range d.g {
		d.g[i] = a.g[i] * df
	}
	return d
}

func (a dual) log() dual { return a.chain(math.Log(a.v), 1/a.v) }

// log1pNeg returns log(1 − a).
func (a dual) log1pNeg() dual { return a.chain(math.Log1p(-a.v), -1/(1-a.v)) }

func (a dual) lgamma() dual { return a.chain(lgamma(a.v), mathext.Digamma(a.v)) }

// logAddExpD returns log(exp(a) + exp(b)).
func logAddExpD(a, b dual) dual {
	if a.v < b.v {
		a, b = b, a
	}
	if math.IsInf(b.v, -1) {
		return a
	}
	e := math.Exp(b.v - a.v)
	d := dual{v: a.v + math.Log1p(e)}
	wa, wb := 1/(1+e), e/(1+e)
	for i := range d.g {
		d.g[i] = wa*a.g[i] + wb*b.g[i]
	}
	return d
}

// logSubExpD returns log(exp(a) − exp(b)) for a > b.
func logSubExpD(a, b dual) dual {
	e := math.Exp(b.v - a.v)
	d := dual{v: a.v + math.Log(-math.Expm1(b.v-a.v))}
	wa, wb := 1/(1-e), e/(1-e)
	for i := range d.g {
		d.g[i] = wa*a.g[i] - wb*b.g[i]
	}
	return d
}
