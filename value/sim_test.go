package value

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// simBGNBD draws n customers from the BG/NBD model with parameters m,
// each observed for T units after a first purchase at a uniform time in
// [0, spread): the summary columns and, per customer, the purchases in
// the holdout period of length holdout after the end.
func simBGNBD(n int, m BGNBD, spread, end, holdout float64, seed uint64) (x, tx, T, xh []float64) {
	src := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	rnd := rand.New(src)
	lam := distuv.Gamma{Alpha: m.R, Beta: m.Alpha, Src: src}
	drop := distuv.Beta{Alpha: m.A, Beta: m.B, Src: src}
	x, tx, T, xh = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		l, p := lam.Rand(), drop.Rand()
		first := rnd.Float64() * spread
		t := first
		last := first
		alive := true
		for alive {
			t += rnd.ExpFloat64() / l
			if t > end+holdout {
				break
			}
			if t <= end {
				x[i]++
				last = t
			} else {
				xh[i]++
			}
			if rnd.Float64() < p {
				alive = false
			}
		}
		tx[i] = last - first
		T[i] = end - first
	}
	return x, tx, T, xh
}

// simSpend draws each repeat customer's mean repeat value from the
// Gamma-Gamma model g (0 for x = 0).
func simSpend(x []float64, g GammaGamma, seed uint64) []float64 {
	src := rand.NewPCG(seed, 7)
	nu := distuv.Gamma{Alpha: g.Q, Beta: g.V, Src: src}
	m := make([]float64, len(x))
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		// The mean of x Gamma(p, ν) values is Gamma(p·x, ν·x).
		z := distuv.Gamma{Alpha: g.P * xi, Beta: nu.Rand() * xi, Src: src}
		m[i] = math.Max(z.Rand(), 1e-9)
	}
	return m
}
