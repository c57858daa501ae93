//go:build !unix

package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
)

const lockFile = ".persona.lock"

// LockedError reports an output folder another process is writing.
type LockedError struct {
	Dir string
	PID int
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is being written by another persona run (pid %d)", e.Dir, e.PID)
}

// lock only creates the lock file: there is no flock on this system, so
// two runs into one folder are not told apart.
func lock(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
}

func unlock(f *os.File) error { return f.Close() }

// processAlive cannot tell here: every process counts as alive, so no
// temporary file of another process is removed.
func processAlive(int) bool { return true }
