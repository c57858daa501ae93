//go:build !purego

package metrics

// distSumsTo returns the sum of the distances from xi to the rows of data at
// offs (row j starts at data[offs[j]]) and adds each distance to col[j].
// It runs an SSE2 kernel (part of every amd64 CPU) that gives the same bits
// as distSumsToGo: its two 2-lane accumulators are distSumsToGo's four
// running sums.
func distSumsTo(xi, data []float64, offs []int, col []float64) float64 {
	checkKernelArgs(xi, data, offs)
	if len(col) < len(offs) {
		panic("metrics: col shorter than offs")
	}
	return distSumsSSE2(xi, data, offs, col)
}

// distSum returns the sum of the distances from xi to the rows of data at
// offs.
func distSum(xi, data []float64, offs []int) float64 {
	checkKernelArgs(xi, data, offs)
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
