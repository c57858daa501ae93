//go:build unix

package cli

import (
	"syscall"
	"time"
)

// kmeansProcessCPU returns the CPU time (user + system) the process has
// used so far, for the --json summary.
func kmeansProcessCPU() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
