package cluster

import (
	"context"
	"math"

	"github.com/persona-seg/persona/internal/parallel"
)

// Row-major kernels and the fixed chunking shared by the k-means code.
//
// Every pass over the rows of x is split into chunks whose boundaries depend
// only on n, never on the number of workers. Per-chunk partial results are
// combined in chunk order, so a run gives bit-identical results whatever the
// number of workers.

const (
	kmMinChunkRows = 1024 // smallest chunk of rows
	kmMaxChunks    = 64   // upper bound on the number of chunks (bounds the partial sums)
	kmSerialRows   = 8192 // below this many rows, passes run on the calling goroutine
)

// kmData is a read-only view of the input rows together with the column
// means (the data are centred on the fly, as scikit-learn centres a copy).
type kmData struct {
	x       []float64 // x.RawMatrix().Data
	stride  int
	n, d    int
	mean    []float64 // column means, length d
	chunk   int       // rows per chunk
	nChunk  int
	workers int
	simd    bool // use the AVX2 kernel

	// k-means++ scratch, kept for the next initialisation of the same call.
	ppClosest   []float64
	ppNear      []int32
	ppBlockRows int // rows per block of a k-means++ step; 0 means kmPPBlockRows (tests set fewer)
}

// kmWork holds the per-row buffers of a run, reused by the next run of the
// same KMeans call so that NInit runs do not leave garbage behind.
type kmWork struct {
	labels       []int
	upper, lower []float64
}

// ints returns a slice of n ints from buf (reused when large enough).
func kmInts(buf *[]int, n int) []int {
	if cap(*buf) < n {
		*buf = make([]int, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// kmFloats returns a slice of n float64s from buf (reused when large enough).
func kmFloats(buf *[]float64, n int) []float64 {
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

func kmNewData(x []float64, n, d, stride, workers int) *kmData {
	chunk := max(kmMinChunkRows, (n+kmMaxChunks-1)/kmMaxChunks)
	nChunk := (n + chunk - 1) / chunk
	if n < kmSerialRows {
		workers = 1
	}
	return &kmData{x: x, stride: stride, n: n, d: d, chunk: chunk, nChunk: nChunk, workers: max(1, workers), simd: kmHasAVX2}
}

// row returns row i of x.
func (dt *kmData) row(i int) []float64 {
	o := i * dt.stride
	return dt.x[o : o+dt.d : o+dt.d]
}

// span returns the rows [lo, hi) of chunk c.
func (dt *kmData) span(c int) (lo, hi int) {
	lo = c * dt.chunk
	return lo, min(lo+dt.chunk, dt.n)
}

// centre writes row i minus the column means into dst (length d).
func (dt *kmData) centre(dst []float64, i int) {
	r := dt.row(i)
	m := dt.mean[:len(r)]
	dst = dst[:len(r)]
	for t, v := range r {
		dst[t] = v - m[t]
	}
}

// dists sets out[r*k+j], for the rows lo+r in [lo, hi) and the k centres
// in cen (row-major, centred), to the squared distance between the centred
// row and centre j. It leaves the last centred row in scratch[:d]. Every
// value is computed the same way whatever lo, hi and k are, so distances
// computed alone and in blocks agree bit for bit.
func (dt *kmData) dists(lo, hi int, cen []float64, k int, scratch, out []float64) {
	rows, d := hi-lo, dt.d
	if rows <= 0 || k <= 0 {
		return
	}
	if lo < 0 || len(out) < rows*k || len(scratch) < d || len(cen) < k*d || len(dt.mean) < d || (hi-1)*dt.stride+d > len(dt.x) {
		panic("cluster: dists: slice too short")
	}
	if dt.simd {
		kmDistBlockAsm(dt.x, lo*dt.stride, dt.stride, rows, dt.mean, cen, d, k, scratch, out)
		return
	}
	p := scratch[:d]
	for r := range rows {
		dt.centre(p, lo+r)
		for j := range k {
			out[r*k+j] = kmSqDist(p, cen[j*d:(j+1)*d])
		}
	}
}

// distsIdx is dists for the rows listed in idx (each in [0, n)): out[r*k+j]
// is the squared distance between row idx[r], centred, and centre j of
// cen (row-major). pk holds the same centres packed by kmPackCentres, which
// the AVX2 kernel reads. The values are bit for bit those of dists.
func (dt *kmData) distsIdx(idx []int, cen, pk []float64, k int, scratch, out []float64) {
	d := dt.d
	if len(idx) == 0 || k <= 0 {
		return
	}
	if len(out) < len(idx)*k || len(scratch) < d || len(cen) < k*d || len(dt.mean) < d {
		panic("cluster: distsIdx: slice too short")
	}
	for _, i := range idx {
		if i < 0 || i >= dt.n {
			panic("cluster: distsIdx: row out of range")
		}
	}
	if dt.simd {
		if len(pk) < k*d {
			panic("cluster: distsIdx: slice too short")
		}
		kmDistIdxAsm(dt.x, dt.stride, idx, dt.mean, pk, d, k, out)
		return
	}
	p := scratch[:d]
	for r, i := range idx {
		dt.centre(p, i)
		for j := range k {
			out[r*k+j] = kmSqDist(p, cen[j*d:(j+1)*d])
		}
	}
}

// kmPackCentres returns the k centres cen (row-major) in the layout the
// AVX2 gather kernel reads, in dst when it is large enough. Each group of
// four centres 4g..4g+3 takes 4d values: for each block of eight
// coordinates, the eight values of each of the four centres in turn, in the
// order 4g, 4g+2, 4g+1, 4g+3 (the kernel's horizontal sums then come out in
// the order 4g..4g+3); then likewise for the next four coordinates if
// d%8 >= 4; then for each of the d%4 last coordinates, its value in the
// centres 4g..4g+3. The k%4 last centres follow, row-major.
func kmPackCentres(dst, cen []float64, k, d int) []float64 {
	if len(cen) < k*d {
		panic("cluster: kmPackCentres: slice too short")
	}
	if cap(dst) < k*d {
		dst = make([]float64, k*d)
	}
	dst = dst[:k*d]
	o := 0
	for g := 0; g+4 <= k; g += 4 {
		group := [4]int{g, g + 2, g + 1, g + 3}
		t := 0
		for ; t+8 <= d; t += 8 {
			for _, j := range group {
				o += copy(dst[o:], cen[j*d+t:j*d+t+8])
			}
		}
		if t+4 <= d {
			for _, j := range group {
				o += copy(dst[o:], cen[j*d+t:j*d+t+4])
			}
			t += 4
		}
		for ; t < d; t++ { // added to the horizontal sums: in centre order
			for j := g; j < g+4; j++ {
				dst[o] = cen[j*d+t]
				o++
			}
		}
	}
	copy(dst[o:], cen[o:k*d])
	return dst
}

// accum adds the centred rows [lo, lo+len(labels)) to the cluster sums:
// sums[labels[r]*d:] += row lo+r - mean, exactly as centre then kmAddTo.
// The counts are not touched.
func (dt *kmData) accum(lo int, labels []int, sums []float64) {
	d, rows := dt.d, len(labels)
	if rows == 0 {
		return
	}
	k := len(sums) / d
	for _, l := range labels {
		if l < 0 || l >= k {
			panic("cluster: accum: label out of range")
		}
	}
	if lo < 0 || len(dt.mean) < d || (lo+rows-1)*dt.stride+d > len(dt.x) {
		panic("cluster: accum: slice too short")
	}
	if dt.simd {
		kmAccumAsm(dt.x, lo*dt.stride, dt.stride, labels, dt.mean, sums, d)
		return
	}
	m := dt.mean[:d]
	for r, l := range labels {
		row := dt.row(lo + r)
		s := sums[l*d : (l+1)*d]
		for t, v := range row {
			s[t] += v - m[t]
		}
	}
}

// kmCentres holds k centred centres in the layouts the kernels read.
type kmCentres struct {
	k  int
	c  []float64 // row-major, k*d
	ct []float64 // for the AVX2 kernel: blocks of four centres, transposed, +Inf padding
}

// prepCentres sets kc to the k centres c (row-major, not copied).
func (dt *kmData) prepCentres(kc *kmCentres, c []float64, k int) {
	d := dt.d
	kc.k, kc.c = k, c[:k*d]
	if !dt.simd {
		return
	}
	nb := (k + 3) / 4
	if cap(kc.ct) < nb*4*d {
		kc.ct = make([]float64, nb*4*d)
	}
	kc.ct = kc.ct[:nb*4*d]
	for b := range nb {
		for l := range 4 {
			j := 4*b + l
			for t := range d {
				v := math.Inf(1)
				if j < k {
					v = c[j*d+t]
				}
				kc.ct[(b*d+t)*4+l] = v
			}
		}
	}
}

// nearest sets, for the rows lo+r in [lo, hi), lab[r] to the nearest of the
// centres kc (ties: lowest index) and d1[r], d2[r] to the smallest and
// second smallest squared distances (+Inf when k == 1). d2 may be nil. out
// is scratch space of length at least 3*(hi-lo). Every row gets the same
// arithmetic whether it comes through nearest or nearestIdx, so Lloyd and
// Hamerly agree bit for bit.
func (dt *kmData) nearest(lo, hi int, kc *kmCentres, scratch, out []float64, lab []int, d1, d2 []float64) {
	rows, k := hi-lo, kc.k
	if rows <= 0 {
		return
	}
	if dt.simd {
		nb := (k + 3) / 4
		if lo < 0 || k <= 0 || len(out) < 3*rows || len(scratch) < dt.d || len(kc.ct) < nb*4*dt.d || len(dt.mean) < dt.d || (hi-1)*dt.stride+dt.d > len(dt.x) {
			panic("cluster: nearest: slice too short")
		}
		kmNearest4BlockAsm(dt.x, lo*dt.stride, dt.stride, rows, dt.mean, kc.ct, dt.d, nb, scratch, out)
		kmUnpackNearest(out, lab[:rows], d1[:rows], d2)
		return
	}
	buf := make([]float64, k)
	for r := range rows {
		dt.dists(lo+r, lo+r+1, kc.c, k, scratch, buf)
		j, a, b := kmArgmin2(buf)
		lab[r], d1[r] = j, a
		if d2 != nil {
			d2[r] = b
		}
	}
}

// nearestIdx is nearest for the rows listed in idx.
func (dt *kmData) nearestIdx(idx []int, kc *kmCentres, scratch, out []float64, lab []int, d1, d2 []float64) {
	rows, k := len(idx), kc.k
	if rows == 0 {
		return
	}
	if dt.simd {
		nb := (k + 3) / 4
		if k <= 0 || len(out) < 3*rows || len(scratch) < dt.d || len(kc.ct) < nb*4*dt.d || len(dt.mean) < dt.d {
			panic("cluster: nearestIdx: slice too short")
		}
		for _, i := range idx {
			if i < 0 || i >= dt.n {
				panic("cluster: nearestIdx: row out of range")
			}
		}
		kmNearest4IdxAsm(dt.x, dt.stride, idx, dt.mean, kc.ct, dt.d, nb, scratch, out)
		kmUnpackNearest(out, lab[:rows], d1[:rows], d2)
		return
	}
	buf := make([]float64, k)
	for r, i := range idx {
		dt.dists(i, i+1, kc.c, k, scratch, buf)
		j, a, b := kmArgmin2(buf)
		lab[r], d1[r] = j, a
		if d2 != nil {
			d2[r] = b
		}
	}
}

// kmUnpackNearest splits the kernel's (index, d1, d2) triples.
func kmUnpackNearest(out []float64, lab []int, d1, d2 []float64) {
	for r := range lab {
		o := out[3*r : 3*r+3 : 3*r+3]
		lab[r], d1[r] = int(o[0]), o[1]
		if d2 != nil {
			d2[r] = o[2]
		}
	}
}

// kmBlockRows is the number of rows per dists call in full passes.
func kmBlockRows(k int) int { return min(256, max(1, 4096/k)) }

// kmArgmin2 returns the index of the smallest value of v (ties: lowest
// index), that value and the second smallest (+Inf when len(v) == 1).
func kmArgmin2(v []float64) (best int, d1, d2 float64) {
	d1, d2 = math.Inf(1), math.Inf(1)
	for j, s := range v {
		if s < d1 {
			best, d1, d2 = j, s, d1
		} else if s < d2 {
			d2 = s
		}
	}
	return best, d1, d2
}

// parallel calls fn(c) once for every chunk c, on up to dt.workers goroutines.
func (dt *kmData) parallel(fn func(c int)) {
	parallel.For(context.Background(), dt.workers, dt.nChunk, func(_, c int) { fn(c) })
}

// parallelW is parallel that also passes the worker's number w in
// [0, dt.workers), so that passes can reuse per-worker buffers.
func (dt *kmData) parallelW(fn func(w, c int)) {
	parallel.For(context.Background(), dt.workers, dt.nChunk, fn)
}

// kmSqDist returns the squared Euclidean distance between a and b, summing
// the coordinates directly (no ||a||^2 - 2a.b + ||b||^2 shortcut).
func kmSqDist(a, b []float64) float64 {
	if len(b) != len(a) {
		panic("cluster: slice length mismatch")
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		aa := a[i : i+4 : i+4]
		bb := b[i : i+4 : i+4]
		d0 := aa[0] - bb[0]
		d1 := aa[1] - bb[1]
		d2 := aa[2] - bb[2]
		d3 := aa[3] - bb[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d0 := a[i] - b[i]
		s0 += d0 * d0
	}
	return (s0 + s1) + (s2 + s3)
}

// kmNearest returns the index of the centre nearest to p (ties: lowest
// index) and the squared distances to the nearest and the second nearest
// centre (second is +Inf when k == 1). centres holds k rows of len(p). Two
// centres are done at a time, with four partial sums each, so that every
// coordinate of p is loaded once per two centres.
func kmNearest(p, centres []float64, k int) (best int, d1, d2 float64) {
	d := len(p)
	if len(centres) < k*d {
		panic("cluster: too few centres")
	}
	d1, d2 = math.Inf(1), math.Inf(1)
	j := 0
	for ; j+2 <= k; j += 2 {
		c0 := centres[j*d : (j+1)*d : (j+1)*d]
		c1 := centres[(j+1)*d : (j+2)*d : (j+2)*d]
		var a0, a1, a2, a3, b0, b1, b2, b3 float64
		t := 0
		for ; t+4 <= d; t += 4 {
			pp := p[t : t+4 : t+4]
			q0 := c0[t : t+4 : t+4]
			q1 := c1[t : t+4 : t+4]
			e0, e1, e2, e3 := pp[0]-q0[0], pp[1]-q0[1], pp[2]-q0[2], pp[3]-q0[3]
			f0, f1, f2, f3 := pp[0]-q1[0], pp[1]-q1[1], pp[2]-q1[2], pp[3]-q1[3]
			a0 += e0 * e0
			a1 += e1 * e1
			a2 += e2 * e2
			a3 += e3 * e3
			b0 += f0 * f0
			b1 += f1 * f1
			b2 += f2 * f2
			b3 += f3 * f3
		}
		for ; t < d; t++ {
			e := p[t] - c0[t]
			f := p[t] - c1[t]
			a0 += e * e
			b0 += f * f
		}
		// The same summation order as kmSqDist.
		sa := (a0 + a1) + (a2 + a3)
		sb := (b0 + b1) + (b2 + b3)
		if sa < d1 {
			best, d1, d2 = j, sa, d1
		} else if sa < d2 {
			d2 = sa
		}
		if sb < d1 {
			best, d1, d2 = j+1, sb, d1
		} else if sb < d2 {
			d2 = sb
		}
	}
	if j < k {
		s := kmSqDist(p, centres[j*d:(j+1)*d])
		if s < d1 {
			best, d1, d2 = j, s, d1
		} else if s < d2 {
			d2 = s
		}
	}
	return best, d1, d2
}

// kmAddTo adds p to dst (dst += p).
func kmAddTo(dst, p []float64) {
	dst = dst[:len(p)]
	for t, v := range p {
		dst[t] += v
	}
}

// kmSubFrom subtracts p from dst (dst -= p).
func kmSubFrom(dst, p []float64) {
	dst = dst[:len(p)]
	for t, v := range p {
		dst[t] -= v
	}
}
