//go:build !unix

package value

// cpuSeconds is unknown here: the benchmarks report 0 cores.
func cpuSeconds() float64 { return 0 }
