//go:build !amd64 || purego

package cluster

// kmHasAVX2 is false: there is no assembly kernel on this architecture,
// or the purego tag asks for the Go loops.
const kmHasAVX2 = false

func kmDistBlockAsm(x []float64, off, stride, rows int, mean, cen []float64, d, k int, scratch, out []float64) {
	panic("cluster: no assembly kernel")
}

func kmDistIdxAsm(x []float64, stride int, idx []int, mean, pk []float64, d, k int, out []float64) {
	panic("cluster: no assembly kernel")
}

func kmAccumAsm(x []float64, off, stride int, labels []int, mean, sums []float64, d int) {
	panic("cluster: no assembly kernel")
}

func kmNearest4BlockAsm(x []float64, off, stride, rows int, mean, ct []float64, d, nb int, scratch, out []float64) {
	panic("cluster: no assembly kernel")
}

func kmNearest4IdxAsm(x []float64, stride int, idx []int, mean, ct []float64, d, nb int, scratch, out []float64) {
	panic("cluster: no assembly kernel")
}

func kmPPMergeAsm(cs []float64, ns []int32, slot []int, out []float64, kk, col, skip int, fold bool, id int32, acc *[4]float64) int {
	panic("cluster: no assembly kernel")
}

func kmPPListFast(cs []float64, ns []int32, minCC []float64, b, skip int, list, slot []int) int {
	panic("cluster: no assembly kernel")
}
