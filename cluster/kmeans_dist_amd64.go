//go:build !purego

package cluster

import "golang.org/x/sys/cpu"

//go:noescape
func kmDistBlockAVX2(x *float64, stride, rows int, mean, cen *float64, d, k int, scratch, out *float64)

//go:noescape
func kmDistIdxPackedAVX2(x *float64, stride int, idx *int, rows int, mean, pk *float64, d, k int, out *float64)

//go:noescape
func kmAccumAVX2(x *float64, stride, rows int, mean *float64, labels *int, sums *float64, d int)

//go:noescape
func kmNearest4BlockAVX2(x *float64, stride, rows int, mean, ct *float64, d, nb int, scratch, out *float64)

//go:noescape
func kmNearest4IdxAVX2(x *float64, stride int, idx *int, rows int, mean, ct *float64, d, nb int, scratch, out *float64)

// kmHasAVX2 reports whether the CPU and the OS support AVX2 and FMA
// (golang.org/x/sys/cpu, as package metrics asks it for AVX). It is set
// once when the package is initialised and only read afterwards.
var kmHasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kmDistBlockAsm calls the AVX2 kernel; the caller has checked the bounds.
func kmDistBlockAsm(x []float64, off, stride, rows int, mean, cen []float64, d, k int, scratch, out []float64) {
	kmDistBlockAVX2(&x[off], stride, rows, &mean[0], &cen[0], d, k, &scratch[0], &out[0])
}

// kmDistIdxAsm calls the AVX2 gather kernel on the centres packed by
// kmPackCentres; the caller has checked the bounds.
func kmDistIdxAsm(x []float64, stride int, idx []int, mean, pk []float64, d, k int, out []float64) {
	kmDistIdxPackedAVX2(&x[0], stride, &idx[0], len(idx), &mean[0], &pk[0], d, k, &out[0])
}

// kmAccumAsm calls the AVX2 accumulation kernel; the caller has checked the
// bounds.
func kmAccumAsm(x []float64, off, stride int, labels []int, mean, sums []float64, d int) {
	kmAccumAVX2(&x[off], stride, len(labels), &mean[0], &labels[0], &sums[0], d)
}

// kmNearest4BlockAsm calls the AVX2 transposed nearest-centre kernel; the
// caller has checked the bounds.
func kmNearest4BlockAsm(x []float64, off, stride, rows int, mean, ct []float64, d, nb int, scratch, out []float64) {
	kmNearest4BlockAVX2(&x[off], stride, rows, &mean[0], &ct[0], d, nb, &scratch[0], &out[0])
}

// kmNearest4IdxAsm calls the AVX2 transposed nearest-centre gather kernel;
// the caller has checked the bounds.
func kmNearest4IdxAsm(x []float64, stride int, idx []int, mean, ct []float64, d, nb int, scratch, out []float64) {
	kmNearest4IdxAVX2(&x[0], stride, &idx[0], len(idx), &mean[0], &ct[0], d, nb, &scratch[0], &out[0])
}

//go:noescape
func kmPPMergeAVX2(cs *float64, ns *int32, slot *int, rows int, out *float64, kk, col, skip, fold, id int, acc *float64) int

// kmPPMergeAsm calls the AVX2 k-means++ merge kernel; the caller has
// checked that out holds the rows up to skip and four values from col.
func kmPPMergeAsm(cs []float64, ns []int32, slot []int, out []float64, kk, col, skip int, fold bool, id int32, acc *[4]float64) int {
	f := 0
	if fold {
		f = 1
	}
	return kmPPMergeAVX2(&cs[0], &ns[0], &slot[0], len(cs), &out[0], kk, col, skip, f, int(id), &acc[0])
}

//go:noescape
func kmPPListAsm(cs *float64, ns *int32, rows int, minCC *float64, nc, b, skip int, list, slot *int) int

// kmPPListFast is kmPPList in assembly; the caller has checked the lengths.
func kmPPListFast(cs []float64, ns []int32, minCC []float64, b, skip int, list, slot []int) int {
	return kmPPListAsm(&cs[0], &ns[0], len(cs), &minCC[0], len(minCC), b, skip, &list[0], &slot[0])
}
