//go:build !unix

package cli

import "time"

// kmeansProcessCPU is not measured on this system.
func kmeansProcessCPU() time.Duration { return 0 }
