package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// centroids returns the k x d cluster means of the rows of x, row-major
// (cluster c in row c).
func centroids(x *mat.Dense, e encoded) []float64 {
	raw := x.RawMatrix()
	k, d := len(e.counts), raw.Cols
	cen := make([]float64, k*d)
	for i, c := range e.idx {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		dst := cen[c*d : c*d+d]
		for j, v := range row {
			dst[j] += v
		}
	}
	for c, nc := range e.counts {
		for j := range d {
			cen[c*d+j] /= float64(nc)
		}
	}
	return cen
}

// CalinskiHarabasz returns the Calinski-Harabasz index (variance ratio
// criterion) of the rows of x clustered by labels: the between-cluster
// dispersion over the within-cluster dispersion, each divided by its degrees
// of freedom. Higher is better. It returns 1 when the within-cluster
// dispersion is 0, as scikit-learn's calinski_harabasz_score does.
func CalinskiHarabasz(x *mat.Dense, labels []int) (float64, error) {
	e, err := checkData(x, labels)
	if err != nil {
		return 0, err
	}
	raw := x.RawMatrix()
	n, d := raw.Rows, raw.Cols
	k := len(e.counts)
	mean := make([]float64, d)
	for i := range n {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	cen := centroids(x, e)
	var extra float64
	for c, nc := range e.counts {
		var s float64
		for j, v := range cen[c*d : c*d+d] {
			t := v - mean[j]
			s += t * t
		}
		extra += float64(nc) * s
	}
	intra := make([]float64, k)
	for i, c := range e.idx {
		intra[c] += sqDist(raw.Data[i*raw.Stride:i*raw.Stride+d], cen[c*d:c*d+d])
	}
	var within float64
	for _, v := range intra {
		within += v
	}
	if within == 0 {
		return 1, nil
	}
	return extra * float64(n-k) / (within * float64(k-1)), nil
}

// DaviesBouldin returns the Davies-Bouldin index of the rows of x clustered
// by labels: the mean over clusters of the largest (S_i + S_j) / M_ij, where
// S_i is the mean distance of cluster i's rows to its centroid and M_ij the
// distance between centroids. Lower is better; 0 is the minimum. As in
// scikit-learn's davies_bouldin_score, coinciding centroids (M_ij = 0) are
// ignored, and the score is 0 when all S_i or all M_ij are within 1e-8 of 0.
func DaviesBouldin(x *mat.Dense, labels []int) (float64, error) {
	e, err := checkData(x, labels)
	if err != nil {
		return 0, err
	}
	raw := x.RawMatrix()
	d := raw.Cols
	k := len(e.counts)
	cen := centroids(x, e)
	intra := make([]float64, k)
	for i, c := range e.idx {
		intra[c] += dist(raw.Data[i*raw.Stride:i*raw.Stride+d], cen[c*d:c*d+d])
	}
	const atol = 1e-8 // numpy.allclose(a, 0)
	allS, allM := true, true
	for c, nc := range e.counts {
		intra[c] /= float64(nc)
		allS = allS && math.Abs(intra[c]) <= atol
	}
	m := make([]float64, k*k)
	for a := range k {
		for b := range k {
			v := dist(cen[a*d:a*d+d], cen[b*d:b*d+d])
			m[a*k+b] = v
			allM = allM && v <= atol
		}
	}
	if allS || allM {
		return 0, nil
	}
	var score float64
	for a := range k {
		worst := math.Inf(-1)
		for b := range k {
			mab := m[a*k+b]
			if mab == 0 {
				mab = math.Inf(1)
			}
			worst = max(worst, (intra[a]+intra[b])/mab)
		}
		score += worst
	}
	return score / float64(k), nil
}

// Inertia returns the sum of squared distances of the rows of x to their
// centers: sum_i |x_i - centers[labels[i]]|^2. Here labels are row indices
// into centers. It panics if the dimensions disagree or a label is out of
// range, which is a programming error.
func Inertia(x, centers *mat.Dense, labels []int) float64 {
	raw, cr := x.RawMatrix(), centers.RawMatrix()
	if raw.Cols != cr.Cols {
		panic(fmt.Sprintf("metrics: x has %d columns, centers %d", raw.Cols, cr.Cols))
	}
	if len(labels) != raw.Rows {
		panic(fmt.Sprintf("metrics: %d labels for %d rows", len(labels), raw.Rows))
	}
	d := raw.Cols
	var s float64
	for i, c := range labels {
		if c < 0 || c >= cr.Rows {
			panic(fmt.Sprintf("metrics: label %d of row %d is not a row of centers (%d rows)", c, i, cr.Rows))
		}
		s += sqDist(raw.Data[i*raw.Stride:i*raw.Stride+d], cr.Data[c*cr.Stride:c*cr.Stride+d])
	}
	return s
}

// sqDist returns sum((a-b)^2); b must be at least as long as a.
func sqDist(a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	for len(a) >= 4 && len(b) >= 4 {
		d0 := a[0] - b[0]
		d1 := a[1] - b[1]
		d2 := a[2] - b[2]
		d3 := a[3] - b[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		a, b = a[4:], b[4:]
	}
	for i := range a {
		d0 := a[i] - b[i]
		s0 += d0 * d0
	}
	return (s0 + s1) + (s2 + s3)
}
