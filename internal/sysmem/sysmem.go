// Package sysmem tells how much memory this process may use: the
// machine's RAM, or its control group's limit where that is lower.
//
//	ram, from, err := sysmem.Total()   // 25769803776, "RAM (/proc/meminfo)"
package sysmem

import "errors"

// ErrUnknown is returned where the memory cannot be read.
var ErrUnknown = errors.New("the machine's memory is unknown on this system")

// Total returns the bytes of memory this process may use and where that
// figure comes from: the RAM, or the limit of its control group (cgroup v2
// memory.max, v1 memory.limit_in_bytes) when lower.
func Total() (int64, string, error) { return total("/") }
