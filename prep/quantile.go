package prep

import (
	"math"
	"math/bits"
	"slices"
)

// quantileSorted returns the q-quantile of the sorted slice s with numpy's
// default "linear" method, reproducing numpy 1.24's arithmetic.
func quantileSorted(s []float64, q float64) float64 {
	n := len(s)
	lo, g, ok := quantileIndex(n, q)
	if !ok {
		return s[lo]
	}
	return lerp(s[lo], s[lo+1], g)
}

// quantileIndex returns the index lo and fraction g at which numpy's linear
// method reads the q-quantile of n sorted values. When ok is false the
// quantile is s[lo] itself.
func quantileIndex(n int, q float64) (lo int, g float64, ok bool) {
	h := float64(n-1) * q
	if h >= float64(n-1) {
		return n - 1, 0, false
	}
	if h <= 0 {
		return 0, 0, false
	}
	f := math.Floor(h)
	return int(f), h - f, true
}

// lerp interpolates between a and b as numpy 1.24's _lerp does: from the
// upper end when t >= 0.5.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// quantileSelect returns the q-quantile of a, like quantileSorted on a
// sorted copy, in expected linear time. It reorders a.
func quantileSelect(a []float64, q float64) float64 {
	lo, g, ok := quantileIndex(len(a), q)
	selectNth(a, lo)
	if !ok {
		return a[lo]
	}
	return lerp(a[lo], slices.Min(a[lo+1:]), g)
}

// medianSorted returns the median of the sorted slice s as numpy does: the
// middle value, or the mean of the two middle values.
func medianSorted(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianSelect returns the median of a like medianSorted on a sorted copy,
// in expected linear time. It reorders a.
func medianSelect(a []float64) float64 {
	n := len(a)
	selectNth(a, n/2)
	if n%2 == 1 {
		return a[n/2]
	}
	return (slices.Max(a[:n/2]) + a[n/2]) / 2
}

// selectNth reorders a so that a[k] holds the value it would hold if a were
// sorted, with no larger value before it and no smaller value after it.
// It is a quickselect with three-way partitioning (ties cost nothing) that
// falls back to sorting if partitioning makes too little progress.
func selectNth(a []float64, k int) {
	if k < 0 || k >= len(a) {
		panic("prep: selectNth index out of range")
	}
	lo, hi := 0, len(a) // the answer is in a[lo:hi]
	budget := 2 * bits.Len(uint(len(a)))
	for hi-lo > 16 {
		if budget == 0 {
			slices.Sort(a[lo:hi])
			return
		}
		budget--
		p := median3(a[lo], a[lo+(hi-lo)/2], a[hi-1])
		// a[lo:lt] < p, a[lt:i] == p, a[gt:hi] > p.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch v := a[i]; {
			case v < p:
				a[lt], a[i] = v, a[lt]
				lt++
				i++
			case v > p:
				gt--
				a[gt], a[i] = v, a[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return
		}
	}
	slices.Sort(a[lo:hi])
}

func median3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}
