package sysmem

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
)

// total reads the RAM from root's proc/meminfo and lowers it to the
// control group's limit.
func total(root string) (int64, string, error) {
	ram, err := memTotal(filepath.Join(root, "proc/meminfo"))
	if err != nil {
		return 0, "", err
	}
	if lim, from := fromCgroup(root); lim > 0 && lim < ram {
		return lim, "cgroup limit (" + from + ")", nil
	}
	return ram, "RAM (/proc/meminfo)", nil
}

// fromCgroup returns the lowest memory limit of root's control group
// files, 0 when there is none ("max", or v1's huge stand-in for none).
// The process's own group (from /proc/self/cgroup) is read as well as the
// mount's top, which is the container's own group where it has one.
func fromCgroup(root string) (int64, string) {
	var files []string
	if b, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			// v2: "0::/path"; v1: "4:memory:/path".
			parts := strings.SplitN(line, ":", 3)
			switch {
			case len(parts) != 3:
			case parts[0] == "0" && parts[1] == "":
				files = append(files, filepath.Join(root, "sys/fs/cgroup", parts[2], "memory.max"))
			case slices.Contains(strings.Split(parts[1], ","), "memory"):
				files = append(files, filepath.Join(root, "sys/fs/cgroup/memory", parts[2], "memory.limit_in_bytes"))
			}
		}
	}
	files = append(files, filepath.Join(root, "sys/fs/cgroup/memory.max"), filepath.Join(root, "sys/fs/cgroup/memory/memory.limit_in_bytes"))
	var best int64
	var from string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		// cgroup v1 writes a page-rounded MaxInt64 for no limit.
		if err != nil || v <= 0 || v >= 1<<60 {
			continue
		}
		if best == 0 || v < best {
			best, from = v, strings.TrimPrefix(f, filepath.Clean(root))
		}
	}
	return best, from
}

// memTotal reads MemTotal from a /proc/meminfo file.
func memTotal(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, ErrUnknown
		}
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("%s: MemTotal %q is not in kB", path, strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb <= 0 {
			return 0, fmt.Errorf("%s: MemTotal %q is not a number of kB", path, fields[0])
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: no MemTotal line", path)
}
