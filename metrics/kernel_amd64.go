//go:build !purego

package metrics

import "golang.org/x/sys/cpu"

// distSumsTo returns the sum of the distances from xi to the rows of data at
// offs (row j starts at data[offs[j]]) and adds each distance to col[j].
// It runs an assembly kernel, AVX where the CPU and OS support it and SSE2
// (part of every amd64 CPU) otherwise, that gives the same bits as
// distSumsToGo: its accumulators are distSumsToGo's four running sums.
func distSumsTo(xi, data []float64, offs []int, col []float64) float64 {
	checkKernelArgs(xi, data, offs)
	if len(col) < len(offs) {
		panic("metrics: col shorter than offs")
	}
	if hasAVX {
		return distSumsAVX(xi, data, offs, col)
	}
	return distSumsSSE2(xi, data, offs, col)
}

// distSum returns the sum of the distances from xi to the rows of data at
// offs.
func distSum(xi, data []float64, offs []int) float64 {
	checkKernelArgs(xi, data, offs)
	if hasAVX {
		return distSumsAVX(xi, data, offs, nil)
	}
	return distSumsSSE2(xi, data, offs, nil)
}

// checkKernelArgs keeps the assembly inside data: every row must fit.
func checkKernelArgs(xi, data []float64, offs []int) {
	last := len(data) - len(xi)
	for _, o := range offs {
		if o < 0 || o > last {
			panic("metrics: row offset outside the data")
		}
	}
}

// distSumsSSE2 is distSumsToGo in assembly; col may be nil.
//
//go:noescape
func distSumsSSE2(xi, data []float64, offs []int, col []float64) float64

// distSumsAVX is distSumsToGo in AVX assembly; col may be nil. Call it only
// when hasAVX.
//
//go:noescape
func distSumsAVX(xi, data []float64, offs []int, col []float64) float64

// hasAVX reports whether the CPU has AVX and the OS saves its registers
// (golang.org/x/sys/cpu, as package cluster asks it for AVX2). It is set
// once, when the package is initialized, and never changes.
var hasAVX = cpu.X86.HasAVX
