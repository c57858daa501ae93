package value

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// logHyp2F1 returns log ₂F₁(a, b; c; z) for a, b, c > 0 and 0 <= z < 1,
// where the function is positive. It uses gonum's port of Cephes (the
// routine behind SciPy's hyp2f1, which lifetimes calls), then Euler's
// transformation (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) when the value
// overflows (as lifetimes does), then the power series summed with
// rescaling.
func logHyp2F1(a, b, c, z float64) float64 {
	if z == 0 {
		return 0
	}
	if f := mathext.Hypergeo(a, b, c, z); f > 0 && !math.IsInf(f, 0) {
		return math.Log(f)
	}
	if g := mathext.Hypergeo(c-a, c-b, c, z); g > 0 && !math.IsInf(g, 0) {
		return (c-a-b)*math.Log1p(-z) + math.Log(g)
	}
	return logHyp2F1Series(a, b, c, z)
}

// logHyp2F1Series sums the hypergeometric series of positive terms in
// scaled form, so that values beyond the float64 range come out as logs.
func logHyp2F1Series(a, b, c, z float64) float64 {
	const big = 1e200
	sum, term, shift := 1.0, 1.0, 0.0
	for k := 0.0; k < 1e8; k++ {
		ratio := (a + k) * (b + k) / ((c + k) * (k + 1)) * z
		term *= ratio
		sum += term
		if sum > big {
			sum /= big
			term /= big
			shift += math.Log(big)
		}
		if ratio < 1 && term < sum*1e-17 {
			break
		}
	}
	return math.Log(sum) + shift
}

// maxTerms bounds the terms of logHypOneSeries: beyond it the sum is
// reported as failed (z too near 1 for the series).
const maxTerms = 20000

// logHypOneSeries returns log ₂F₁(1, u; v; z) for 0 < u < v and
// 0 <= z < 1, with its partial derivatives in u, v and z. The terms
// (u)_k/(v)_k z^k are positive and their ratio rises towards z, so the
// tail after a term is at most term·z/(1−z). ok is false when the sum
// needs more than maxTerms terms.
func logHypOneSeries(u, v, z float64) (f, du, dv, dz float64, ok bool) {
	if z == 0 {
		return 0, 0, 0, u / v, true
	}
	const big = 1e200
	sum, term := 1.0, 1.0
	var su, sv float64 // Σ_{j<k} 1/(u+j), Σ_{j<k} 1/(v+j)
	var tu, tv, tk float64
	shift := 0.0
	ok = false
	for k := 0.0; k < maxTerms; k++ {
		// The tail after this term: at most term·z/(1−z) as the ratios
		// rise towards z, and about term·(k+v)/(v−u−1) when the terms
		// fall like k^−(v−u), v − u > 1.
		tail := z / (1 - z)
		if m := v - u; m > 1.5 {
			tail = math.Min(tail, 2*(k+1+v)/(m-1))
		}
		ratio := (u + k) / (v + k) * z
		su += 1 / (u + k)
		sv += 1 / (v + k)
		term *= ratio
		sum += term
		tu += term * su
		tv += term * sv
		tk += term * (k + 1)
		if sum > big {
			sum /= big
			term /= big
			tu /= big
			tv /= big
			tk /= big
			shift += math.Log(big)
		}
		if term*tail*(k+2)*(1+su+sv) < sum*1e-16 {
			ok = true
			break
		}
	}
	f = math.Log(sum) + shift
	du = tu / sum
	dv = -tv / sum
	dz = tk / sum / z
	return f, du, dv, dz, ok
}

// logHyp1 returns log ₂F₁(1, u; v; z) for 0 < u < v and 0 <= z < 1 with
// its partial derivatives in u, v and z; w is 1 − z, passed apart so that
// it keeps its digits when z is near 1. It sums the power series in z or,
// when that would take longer, uses the connection to 1 − z (with
// derivatives by central differences); ok is false when neither sums.
func logHyp1(u, v, z, w float64) (f, du, dv, dz float64, ok bool) {
	if z == 0 {
		return 0, 0, 0, u / v, true
	}
	costZ := 40 / -math.Log(z)
	if m := v - u; m > 1.5 {
		costZ = math.Min(costZ, math.Exp(37/(m-1))+v)
	}
	costW := u*w/z + 40/-math.Log(w)
	if costZ <= costW || w >= 0.5 {
		if f, du, dv, dz, ok = logHypOneSeries(u, v, z); ok {
			return
		}
	}
	f, ok = logHypOneW(u, v, z, w)
	if !ok {
		if costZ > costW {
			return logHypOneSeries(u, v, z)
		}
		return math.NaN(), 0, 0, 0, false
	}
	g := func(u, v, z, w float64) float64 {
		r, ok2 := logHypOneW(u, v, z, w)
		if !ok2 {
			ok = false
		}
		return r
	}
	hu := 1e-6 * u
	hv := 1e-6 * v
	hz := 1e-6 * math.Min(z, w)
	du = (g(u+hu, v, z, w) - g(u-hu, v, z, w)) / (2 * hu)
	dv = (g(u, v+hv, z, w) - g(u, v-hv, z, w)) / (2 * hv)
	dz = (g(u, v, z+hz, w-hz) - g(u, v, z-hz, w+hz)) / (2 * hz)
	return f, du, dv, dz, ok
}

// logHypOneW returns log ₂F₁(1, u; v; z) from its connection to 1 − z
// (Abramowitz & Stegun 15.3.6 with a = 1, where the second series sums
// to z^(1−v)): with d = v − 1 − u,
//
//	₂F₁(1, u; v; z) = (v−1)/d · ₂F₁(1, u; 1−d; w) + Γ(v)Γ(−d)/Γ(u) · w^d z^(1−v).
//
// Both terms have poles at whole d >= 0 that cancel: within 1e-3 of one
// the value is the cubic through the values at d = n ± 1e-3, n ± 2e-3.
func logHypOneW(u, v, z, w float64) (float64, bool) {
	d := v - 1 - u
	const h = 1e-3
	if n := math.Round(d); n >= 0 && math.Abs(d-n) < h {
		t := (d - n) / h
		var f float64
		ok := true
		for _, node := range [4]float64{-2, -1, 1, 2} {
			y, ok1 := hypOneW(u, u+1+n+node*h, z, w)
			ok = ok && ok1
			// Lagrange weight of node at t.
			l := 1.0
			for _, o := range [4]float64{-2, -1, 1, 2} {
				if o != node {
					l *= (t - o) / (node - o)
				}
			}
			f += l * y
		}
		return math.Log(f), ok && f > 0 && !math.IsInf(f, 0)
	}
	f, ok := hypOneW(u, v, z, w)
	return math.Log(f), ok && f > 0 && !math.IsInf(f, 0)
}

func hypOneW(u, v, z, w float64) (float64, bool) {
	d := v - 1 - u
	// ₂F₁(1, u; 1−d; w): its terms change sign while 1−d+k < 0.
	sum, term := 1.0, 1.0
	ok := false
	for k := 0.0; k < maxTerms; k++ {
		ratio := (u + k) / (1 - d + k) * w
		term *= ratio
		sum += term
		if k > d && math.Abs(ratio) < 1 && math.Abs(term)*w/(1-w) < math.Abs(sum)*1e-17 {
			ok = true
			break
		}
	}
	first := (v - 1) / d * sum
	lgv, _ := math.Lgamma(v)
	lgd, sign := math.Lgamma(-d)
	lgu, _ := math.Lgamma(u)
	second := float64(sign) * math.Exp(lgv+lgd-lgu+d*math.Log(w)+(1-v)*math.Log(z))
	return first + second, ok
}
