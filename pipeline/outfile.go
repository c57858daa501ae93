package pipeline

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/internal/fault"
)

// rejectsHeader is the first line of every file dataset.WriteRejects
// writes: the files a rejects folder may hold for FileOut to replace it.
const rejectsHeader = "file,line,reason,column,value"

// FileOut is the commit of a command whose output is one file rather than
// a folder — persona features' table — together with the folder of the
// rows it rejected. A file is not a run's folder: FileOut makes no
// .persona/ and no lock beside it, and leaves the folder's other entries
// alone. The new file is written to Temp, in the same folder, and Commit
// renames it over the file: a reader, or a second process writing the
// same file, sees the old table or a new one whole, never a mixture (the
// last commit wins). The rejects are written to RejectsTemp and Commit
// swaps that folder in just before the file (so a kill between the two
// leaves the new rejects beside the old table); a rejects folder that
// holds files other than rejects is refused by OpenFile, not replaced.
//
// The temporary names carry the process id (.NAME.persona-PID): a process
// killed before its commit leaves them behind, and the next OpenFile of
// the same names removes those whose process is gone.
type FileOut struct {
	path, tmp      string
	rejects, rtmp  string // "" when the command writes no rejects
	id             string // names a failed run's rejects: rejects-ID
	committed, end bool
}

// OpenFile prepares the replacement of path and, when rejects is not
// empty, of the folder rejects. It fails when either is an output of a
// persona run (a run's folder would be torn) or when rejects holds files
// other than rejects, and it removes what dead processes left of earlier
// commits of the same names.
func OpenFile(path, rejects string) (*FileOut, error) {
	pid := strconv.Itoa(os.Getpid())
	f := &FileOut{path: path, tmp: tempName(path, pid), id: time.Now().UTC().Format("20060102-150405.000000000")}
	if err := refuseRunOutput(path); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a folder: name a file", path)
	}
	if rejects != "" {
		f.rejects, f.rtmp = rejects, tempName(rejects, pid)
		if err := refuseRunOutput(rejects); err != nil {
			return nil, err
		}
		if err := checkRejectsFolder(rejects); err != nil {
			return nil, err
		}
	}
	for _, p := range []string{path, rejects} {
		if p == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("create output folder: %w", err)
		}
		if err := removeDeadTemps(p); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// tempName is the temporary name of path for process pid.
func tempName(path, pid string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".persona-"+pid)
}

// refuseRunOutput fails when p is, or would replace, an output of a
// persona run.
func refuseRunOutput(p string) error {
	dir, name := filepath.Dir(p), filepath.Base(p)
	if t, err := os.Readlink(p); err == nil && strings.HasPrefix(t, linkPrefix) {
		return fmt.Errorf("%s holds the results of a persona run: write into another folder", dir)
	}
	o := &Out{dir: dir}
	if slices.Contains(runOutputs, name) && o.holdsRun() {
		return fmt.Errorf("%s holds the results of a persona run: write into another folder", dir)
	}
	return nil
}

// checkRejectsFolder fails unless dir is missing or a folder of rejects
// files (CSV files that start with rejectsHeader), which Commit replaces.
func checkRejectsFolder(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("rejects folder %s is not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".csv" || !startsWith(filepath.Join(dir, e.Name()), rejectsHeader) {
			return fmt.Errorf("rejects folder %s holds %s, which is not a rejects file persona wrote: name another folder (it would be replaced)", dir, e.Name())
		}
	}
	return nil
}

// startsWith reports whether the first line of file p is line.
func startsWith(p, line string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	return s.Scan() && strings.TrimSuffix(s.Text(), "\r") == line
}

// removeDeadTemps removes p's temporary names (.NAME.persona-PID, and
// .NAME.persona-PID-old) whose process has ended.
func removeDeadTemps(p string) error {
	prefix := "." + filepath.Base(p) + ".persona-"
	entries, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		return err
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSuffix(rest, "-old"))
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(filepath.Dir(p), e.Name())); err != nil {
			return fmt.Errorf("remove what an earlier persona left: %w", err)
		}
	}
	return nil
}

// Temp is the file to write the new output to.
func (f *FileOut) Temp() string { return f.tmp }

// RejectsTemp is the folder to write the rejects to, or "" when OpenFile
// was given none.
func (f *FileOut) RejectsTemp() string { return f.rtmp }

// KeepFailed moves the rejects written to RejectsTemp to a folder beside
// the rejects folder that names this attempt (rejects-ID), replacing
// those of earlier failed attempts, and returns its path. The rejects
// folder and the file stay as they were.
func (f *FileOut) KeepFailed() (string, error) {
	dir := filepath.Dir(f.rejects)
	dst := filepath.Join(dir, filepath.Base(f.rejects)+"-"+f.id)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	prefix := filepath.Base(f.rejects) + "-"
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), prefix); ok && e.IsDir() && failedName.MatchString("rejects-"+rest) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return "", err
			}
		}
	}
	if err := os.MkdirAll(f.rtmp, 0o755); err != nil {
		return "", err
	}
	if err := atomicfile.SyncTree(f.rtmp); err != nil {
		return "", err
	}
	if err := os.Rename(f.rtmp, dst); err != nil {
		return "", err
	}
	return dst, atomicfile.SyncDir(dir)
}

// Commit puts the rejects folder (RejectsTemp, or none when nothing was
// written there) and then the file (Temp, which must exist) in place,
// each with one rename, fsyncing them before and their folders after.
func (f *FileOut) Commit() error {
	if f.end {
		return errors.New("pipeline: FileOut committed or aborted twice")
	}
	if err := atomicfile.SyncTree(f.tmp); err != nil {
		return err
	}
	if f.rejects != "" {
		if err := f.commitRejects(); err != nil {
			return err
		}
	}
	if err := fault.Check("file-rename"); err != nil {
		return err
	}
	if err := os.Rename(f.tmp, f.path); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	f.end, f.committed = true, true
	return atomicfile.SyncDir(filepath.Dir(f.path))
}

// commitRejects replaces the rejects folder by RejectsTemp. When both
// exist they are swapped in one step where the system can (Linux), and
// the old one, now at RejectsTemp, is removed; elsewhere the old one is
// renamed aside, the new one renamed in (put back when that fails) and
// the old one removed, and a kill between the two renames leaves no
// rejects folder. With no new rejects the old folder is removed.
func (f *FileOut) commitRejects() error {
	dir := filepath.Dir(f.rejects)
	_, err := os.Lstat(f.rejects)
	hasOld := err == nil
	_, err = os.Stat(f.rtmp)
	hasNew := err == nil
	if hasNew {
		if err := atomicfile.SyncTree(f.rtmp); err != nil {
			return err
		}
	}
	if err := fault.Check("rejects-rename"); err != nil {
		return err
	}
	switch {
	case hasNew && hasOld:
		if err := exchange(f.rtmp, f.rejects); err == nil {
			if err := atomicfile.SyncDir(dir); err != nil {
				return err
			}
			return os.RemoveAll(f.rtmp)
		} else if !errors.Is(err, errors.ErrUnsupported) {
			return fmt.Errorf("replace %s: %w", f.rejects, err)
		}
	case hasNew:
		if err := os.Rename(f.rtmp, f.rejects); err != nil {
			return fmt.Errorf("write %s: %w", f.rejects, err)
		}
		return atomicfile.SyncDir(dir)
	case !hasOld:
		return nil
	}
	old := f.rtmp + "-old"
	if err := os.Rename(f.rejects, old); err != nil {
		return fmt.Errorf("replace %s: %w", f.rejects, err)
	}
	if hasNew {
		if err := fault.Check("rejects-renamed-aside"); err != nil {
			return err
		}
		if err := os.Rename(f.rtmp, f.rejects); err != nil {
			os.Rename(old, f.rejects)
			return fmt.Errorf("replace %s: %w", f.rejects, err)
		}
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// Abort removes the temporary file and folder. It does nothing after
// Commit, so it can be deferred.
func (f *FileOut) Abort() error {
	if f.committed {
		return nil
	}
	f.end = true
	err := os.RemoveAll(f.tmp)
	if f.rtmp != "" {
		err = errors.Join(err, os.RemoveAll(f.rtmp))
	}
	return err
}
