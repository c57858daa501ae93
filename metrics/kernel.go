package metrics

import "math"

// distSumsToGo returns the sum of the distances from xi to the rows of data
// at offs and adds each distance to col[j]. It is dist inlined by hand: the
// compiler does not inline a function with a loop this large, and the call
// cost a third of the time. It is the portable twin of the amd64 assembly
// and gives bit-identical results.
func distSumsToGo(xi, data []float64, offs []int, col []float64) float64 {
	n := len(xi)
	col = col[:len(offs)]
	var s float64
	for j, o := range offs {
		xj := data[o : o+n]
		xj = xj[:len(xi)]
		var s0, s1, s2, s3 float64
		k := 0
		for ; k <= n-4; k += 4 {
			p := xi[k : k+4 : k+4]
			q := xj[k : k+4 : k+4]
			d0 := p[0] - q[0]
			d1 := p[1] - q[1]
			d2 := p[2] - q[2]
			d3 := p[3] - q[3]
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
		}
		for ; k < n; k++ {
			d0 := xi[k] - xj[k]
			s0 += d0 * d0
		}
		v := math.Sqrt((s0 + s1) + (s2 + s3))
		s += v
		col[j] += v
	}
	return s
}

// distSumGo returns the sum of the distances from xi to the rows of data at
// offs; it is distSumsToGo without the per-row output.
func distSumGo(xi, data []float64, offs []int) float64 {
	n := len(xi)
	var s float64
	for _, o := range offs {
		xj := data[o : o+n]
		xj = xj[:len(xi)]
		var s0, s1, s2, s3 float64
		k := 0
		for ; k <= n-4; k += 4 {
			p := xi[k : k+4 : k+4]
			q := xj[k : k+4 : k+4]
			d0 := p[0] - q[0]
			d1 := p[1] - q[1]
			d2 := p[2] - q[2]
			d3 := p[3] - q[3]
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
		}
		for ; k < n; k++ {
			d0 := xi[k] - xj[k]
			s0 += d0 * d0
		}
		s += math.Sqrt((s0 + s1) + (s2 + s3))
	}
	return s
}
