package cluster

import "math"

// daisyLog10 is log10 as R computes it on glibc (the logratio type): x is
// split into 2^y * m with m in [1, 2) (or [0.5, 1) when x < 1), and
// log10(x) = y*log10(2) + ln(m)/ln(10), with log10(2) in two parts and
// ln(m) correctly rounded. math.Log10 differs from it in the last bit for
// about one value in seven; this, for about one in two thousand.
func daisyLog10(x float64) float64 {
	const (
		invLn10   = 4.34294481903251816668e-01 // 1/ln(10)
		log10Of2a = 3.01029995663611771306e-01 // log10(2), its leading bits
		log10Of2b = 3.69423907715893078616e-13 // and the rest
	)
	frac, exp := math.Frexp(x) // x = frac * 2^exp, frac in [0.5, 1)
	m, y := 2*frac, float64(exp-1)
	if exp-1 < 0 {
		m, y = frac, float64(exp)
	}
	z := float64(y*log10Of2b) + float64(invLn10*lnRounded(m))
	return z + float64(y*log10Of2a)
}

// lnRounded returns ln(m) for m in [0.5, 2], correctly rounded except in
// the rarest cases: 2*atanh((m-1)/(m+1)) summed in double-double
// arithmetic (about 106 bits).
func lnRounded(m float64) float64 {
	s := ddDiv(twoSum(m, -1), twoSum(m, 1)) // |s| <= 1/3
	s2 := ddMul(s, s)
	term, sum := s, s
	for k := 3.0; ; k += 2 {
		term = ddMul(term, s2)
		t := ddDiv(term, dd{k, 0})
		sum = ddAdd(sum, t)
		if !(math.Abs(t.hi) > 0x1p-110*math.Abs(sum.hi)) {
			break
		}
	}
	return 2*sum.hi + 2*sum.lo
}

// dd is a double-double number hi + lo, |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func ddAdd(a, b dd) dd {
	s := twoSum(a.hi, b.hi)
	t := twoSum(a.lo, b.lo)
	s = quickTwoSum(s.hi, s.lo+t.hi)
	return quickTwoSum(s.hi, s.lo+t.lo)
}

func ddMul(a, b dd) dd {
	p := a.hi * b.hi
	e := math.FMA(a.hi, b.hi, -p) + (a.hi*b.lo + a.lo*b.hi)
	return quickTwoSum(p, e)
}

func ddDiv(a, b dd) dd {
	q1 := a.hi / b.hi
	r := ddAdd(a, ddMul(b, dd{-q1, 0}))
	q2 := r.hi / b.hi
	r = ddAdd(r, ddMul(b, dd{-q2, 0}))
	q3 := r.hi / b.hi
	return ddAdd(quickTwoSum(q1, q2), dd{q3, 0})
}
