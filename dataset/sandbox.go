package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// LoadOptions tunes Load; its zero value means defaults.
type LoadOptions struct {
	// Progress, when not nil, is called before each dataset and once at
	// the end, with the number of datasets done and their total.
	Progress func(done, total int)
	// Outputs are the files DuckDB may write (and read) once Load has
	// sandboxed the database, such as the file a feature table is copied
	// to. Relative paths are relative to the working folder.
	Outputs []string
	// Now is the run's clock; zero means the time Load starts. Rows
	// stamped more than a day later are rejected.
	Now time.Time
	// TempDirectory is where DuckDB spills beyond its memory limit, and
	// where the load keeps its temporary files, when the config sets no
	// duckdb.temp_directory: a run's staging folder. Empty means DuckDB's
	// default (.tmp in the working folder) and the system's temp folder.
	TempDirectory string
}

// sandbox confines the DuckDB database behind db for the rest of its life:
// its SQL can read and write only the files in files and what lies below
// the folders in dirs (the local file system, no URL), can neither install
// nor load an extension, and can change no setting but the session's time
// zone (which the loader sets per source) and its number of threads.
// DuckDB still spills to its temp_directory: its own temporary files are
// not subject to the list. Paths must be absolute.
//
// Config SQL — mappings, filters, queries and custom features — is the
// user's SQL run inside DuckDB: the sandbox keeps it to the configured
// sources. It must be set before any of it runs, once every source file
// is known.
func sandbox(ctx context.Context, db *sql.DB, files, dirs []string) error {
	if err := notSandboxed(ctx, db); err != nil {
		return err
	}
	sets := []string{
		"SET allowed_paths = " + sqlquote.Array(files),
		"SET allowed_directories = " + sqlquote.Array(dirs),
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET allow_community_extensions = false",
		"SET enable_external_access = false",
		"SET allowed_configs = ['TimeZone', 'threads']",
		"SET lock_configuration = true",
	}
	for _, q := range sets {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sandbox the database: %s: %w", q, err)
		}
	}
	return nil
}

// notSandboxed returns an error when db is sandboxed already: its
// settings cannot change, nor can the files it may read.
func notSandboxed(ctx context.Context, db *sql.DB) error {
	var locked bool
	if err := db.QueryRowContext(ctx, "SELECT current_setting('lock_configuration')").Scan(&locked); err != nil {
		return fmt.Errorf("sandbox the database: %w", err)
	}
	if locked {
		return errors.New("the database is sandboxed already (by an earlier load): load into a new one")
	}
	return nil
}

// sourceFiles returns, per dataset with a file source, its files in name
// order (a glob expanded), by absolute path. A file that is missing or is
// no regular file (a folder, a FIFO, a device) is an error naming it.
func sourceFiles(cfg *Config) (map[Kind][]string, error) {
	out := map[Kind][]string{}
	for _, k := range append(cfg.kinds(), cfg.sourceKinds()...) {
		s := cfg.Source(k)
		if s == nil || s.Postgres != nil || s.Query != "" {
			continue
		}
		files, err := expandPath(cfg.resolve(s.Path))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.key(k), err)
		}
		out[k] = files
	}
	return out, nil
}

// expandPath returns the file p names, or the files its glob matches in
// name order, each a regular file, as given and as absolute paths.
func expandPath(p string) ([]string, error) {
	var m []string
	if !strings.ContainsAny(p, "*?[") {
		m = []string{p}
	} else {
		var err error
		if m, err = filepath.Glob(p); err != nil {
			return nil, fmt.Errorf("source glob %q: %w", p, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("source glob %q matches no file", p)
		}
		sort.Strings(m)
	}
	for _, f := range m {
		if err := regularFile(f); err != nil {
			return nil, fmt.Errorf("source file: %w", err)
		}
	}
	return m, nil
}

// regularFile returns an error unless path is (a link to) a regular file:
// reading a FIFO would block, a folder or a device is no data file.
func regularFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch m := fi.Mode(); {
	case m.IsDir():
		what += " (a folder: name its files, or a glob like " + filepath.Join(path, "*.csv") + ")"
	case m&fs.ModeNamedPipe != 0:
		what += " (a FIFO)"
	case m&fs.ModeSocket != 0:
		what += " (a socket)"
	case m&fs.ModeDevice != 0:
		what += " (a device)"
	}
	return fmt.Errorf("%s: %s", path, what)
}

// absPaths returns the absolute forms of paths.
func absPaths(paths []string) ([]string, error) {
	out := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// permissionRE matches DuckDB's refusals of what the sandbox forbids.
var permissionRE = regexp.MustCompile(`Permission Error: (?:Cannot access (?:file|directory) "([^"]*)"|(.*extension.*))`)

// sandboxed rewrites DuckDB's refusal of SQL that reaches out of the
// sandbox into persona's terms; it returns nil when err is no such
// refusal.
func sandboxed(err error) error {
	if err == nil {
		return nil
	}
	m := permissionRE.FindStringSubmatch(err.Error())
	switch {
	case m == nil:
		return nil
	case m[1] == "" || strings.Contains(m[1], "/.duckdb/extensions"):
		return errors.New("config SQL may not install or load DuckDB extensions")
	}
	return &outsideError{path: m[1]}
}

// outsideError is SQL reaching for a file or URL that is not one of the
// config's sources.
type outsideError struct {
	path string // as the SQL names it
}

func (e *outsideError) Error() string {
	return fmt.Sprintf("reads %q, which is not one of the config's sources (config SQL may read only those)", clip(e.path, 200))
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut < len(s) && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes more)", len(s)-cut)
}

// rowsError is err reading the rows of the file name ("" for every file of
// the source): when config SQL reached out of the sandbox, a *ConfigError
// naming the mapping or filter that names the file (or the dataset, when
// none does).
func (l *loader) rowsError(name string, err error) error {
	s := sandboxed(err)
	if s == nil {
		if name == "" {
			return fmt.Errorf("read rows: %w", shortError(err))
		}
		return fmt.Errorf("read %s: %w", name, shortError(err))
	}
	key := string(l.k)
	var o *outsideError
	if errors.As(s, &o) {
		names := make([]string, 0, len(l.s.Columns))
		for f := range l.s.Columns {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			if strings.Contains(l.s.Columns[f], o.path) {
				key += ".columns." + f
				break
			}
		}
		if key == string(l.k) && strings.Contains(l.s.Filter, o.path) {
			key += ".filter"
		}
	}
	return &ConfigError{Key: key, Err: s}
}
