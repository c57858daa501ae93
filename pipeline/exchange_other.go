//go:build !linux

package pipeline

import "errors"

// exchange would swap a and b in one step; only Linux has it here.
func exchange(a, b string) error { return errors.ErrUnsupported }
