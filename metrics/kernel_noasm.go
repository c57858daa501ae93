//go:build !amd64 || purego

package metrics

// distSumsTo returns the sum of the distances from xi to the rows of data at
// offs (row j starts at data[offs[j]]) and adds each distance to col[j].
func distSumsTo(xi, data []float64, offs []int, col []float64) float64 {
	return distSumsToGo(xi, data, offs, col)
}

// distSum returns the sum of the distances from xi to the rows of data at
// offs.
func distSum(xi, data []float64, offs []int) float64 {
	return distSumGo(xi, data, offs)
}
