package pipeline

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the entries a and b, both existing, in one step
// (renameat2 with RENAME_EXCHANGE). It returns errors.ErrUnsupported
// where the file system cannot.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return errors.ErrUnsupported
	}
	return err
}
