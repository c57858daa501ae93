package dataset_test

import (
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/persona-seg/persona/dataset"
)

// TestSandbox checks that config SQL reaching for anything but the
// configured sources fails, naming the key that does, and that nothing
// is read or written on its behalf.
func TestSandbox(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	events := write("events.csv", "uid,at,what\nU1,2024-01-01 10:00:00,login\nU2,2024-01-02 10:00:00,login\n")
	// A file beside the source, which no dataset names.
	secret := write("secret.csv", "what\nsecret\n")
	users := write("users.csv", "user_id,country\nU1,FR\n")
	cols := func(eventType string) map[string]string {
		return map[string]string{"user_id": "uid", "timestamp": "at", "event_type": eventType}
	}
	tests := []struct {
		name string
		src  dataset.Source
		key  string // the key the error names
		want string // and what it says
	}{
		{"read_text of a system file", dataset.Source{Columns: cols("(SELECT content FROM read_text('/etc/hostname'))")},
			"events.columns.event_type", `reads "/etc/hostname", which is not one of the config's sources`},
		{"read_csv of a URL", dataset.Source{Columns: cols("(SELECT max(a) FROM read_csv('http://127.0.0.1:9/x.csv'))")},
			"events.columns.event_type", `reads "http://127.0.0.1:9/x.csv"`},
		{"read_parquet on S3", dataset.Source{Columns: cols("(SELECT max(a) FROM read_parquet('s3://bucket/x.parquet'))")},
			"events.columns.event_type", `reads "s3://bucket/x.parquet"`},
		{"a file beside the source", dataset.Source{Columns: cols("(SELECT max(what) FROM read_csv('" + secret + "'))")},
			"events.columns.event_type", `reads "` + secret + `"`},
		{"a glob over the source's folder", dataset.Source{Columns: cols("(SELECT max(file) FROM glob('" + dir + "/*'))")},
			"events.columns.event_type", `reads "` + dir + `/*"`},
		{"a filter reading a file", dataset.Source{Filter: "what <> (SELECT content FROM read_text('/etc/passwd'))", Columns: cols("what")},
			"events.filter", `reads "/etc/passwd"`},
		{"read_blob in a mapping", dataset.Source{Columns: map[string]string{"user_id": "uid", "timestamp": "at", "event_type": "what",
			"category": "(SELECT CAST(content AS VARCHAR) FROM read_blob('/proc/self/environ'))"}},
			"events.columns.category", `reads "/proc/self/environ"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			src.Path = events
			cfg := &dataset.Config{Events: &src, Users: &dataset.Source{Path: users}}
			_, err := dataset.Load(context.Background(), openDB(t), cfg)
			var ce *dataset.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a ConfigError", err)
			}
			if ce.Key != tt.key || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want key %s and %q", err, tt.key, tt.want)
			}
			if len(err.Error()) > 400 || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}

	// Another dataset's file is a source: a mapping may read it.
	t.Run("another source", func(t *testing.T) {
		cfg := &dataset.Config{Users: &dataset.Source{Path: users},
			Events: &dataset.Source{Path: events, Columns: cols("(SELECT max(country) FROM read_csv('" + users + "'))")}}
		db := openDB(t)
		if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.QueryRow("SELECT min(event_type) FROM events").Scan(&got); err != nil || got != "FR" {
			t.Fatalf("event_type %q, %v; want FR", got, err)
		}
	})
}

// TestSandboxAfterLoad checks that the database stays sandboxed once
// loaded (the feature SQL runs there), that the files named as outputs
// can be written, and that a gzipped source (decompressed to a
// temporary file) and spilling still work.
func TestSandboxAfterLoad(t *testing.T) {
	dir := t.TempDir()
	var gz strings.Builder
	z := gzip.NewWriter(&gz)
	z.Write([]byte("uid,at,what\nU1,2024-01-01 10:00:00,login\n"))
	z.Close()
	events := filepath.Join(dir, "events.csv.gz")
	if err := os.WriteFile(events, []byte(gz.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "features.parquet")
	os.MkdirAll(filepath.Dir(out), 0o755)
	spill := filepath.Join(dir, "spill")
	cfg := &dataset.Config{Events: &dataset.Source{Path: events, Columns: map[string]string{"user_id": "uid", "timestamp": "at", "event_type": "what"}}}
	cfg.DuckDB = dataset.Resources{MemoryLimit: "200MB", TempDirectory: spill, Threads: 1}
	db := openDB(t)
	if _, err := dataset.LoadWith(context.Background(), db, cfg, dataset.LoadOptions{Outputs: []string{out}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM read_text('/etc/hostname')",
		"SELECT * FROM read_csv('" + events + ".other')",
		"COPY (SELECT 1) TO '" + filepath.Join(dir, "out", "other.csv") + "'",
		"ATTACH '" + filepath.Join(dir, "x.duckdb") + "'",
		"SET enable_external_access = true",
		"SET allowed_directories = ['/']",
		"SET lock_configuration = false",
		"LOAD httpfs",
		"INSTALL httpfs",
	} {
		if _, err := db.Exec(q); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
	if _, err := db.Exec("COPY (SELECT * FROM events) TO '" + out + "' (FORMAT parquet)"); err != nil {
		t.Errorf("the output: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "other.csv")); err == nil {
		t.Error("a file not named as an output was written")
	}
	// The session's zone and threads may change; a sort larger than the
	// memory limit spills to temp_directory.
	for _, q := range []string{"SET TimeZone = 'Europe/Paris'", "SET threads = 2",
		"CREATE TABLE big AS SELECT i, hash(i) AS h, repeat('x', 40) AS s FROM range(6000000) t(i) ORDER BY h"} {
		if _, err := db.Exec(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if all, _ := os.ReadDir(spill); len(all) == 0 {
		t.Error("nothing spilled to temp_directory")
	}
	// A second load into the same database cannot widen the sandbox.
	if _, err := dataset.Load(context.Background(), db, cfg); err == nil || !strings.Contains(err.Error(), "sandboxed already") {
		t.Errorf("second load: %v, want sandboxed already", err)
	}
	left, _ := filepath.Glob(filepath.Join(spill, "persona-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestLoadNotRegular checks that a source that is a folder, a FIFO or a
// device is refused at once (a FIFO would block the reader).
func TestLoadNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "events.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	sub := filepath.Join(dir, "data.csv")
	os.Mkdir(sub, 0o755)
	for _, tt := range []struct{ name, path, want string }{
		{"fifo", fifo, "not a regular file (a FIFO)"},
		{"folder", sub, "not a regular file (a folder"},
		{"device", "/dev/null", "not a regular file (a device)"},
		{"glob matching a folder", filepath.Join(dir, "*.csv"), "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &dataset.Config{Events: &dataset.Source{Path: tt.path, Format: "csv"}}
			_, err := dataset.Load(context.Background(), openDB(t), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "events: ") {
				t.Errorf("error %v, want events: ... %q", err, tt.want)
			}
		})
	}
}

// TestSandboxKeys checks each other place config SQL is written — a query
// dataset, its mapping and filter, a profiles table's query, a users
// attribute's expression, outcomes and custom features — against the
// sandbox: reaching for a file that is not a source fails naming the key.
func TestSandboxKeys(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"events.csv": "uid,at,what\nU1,2024-01-01 10:00:00,login\nU2,2024-01-02 10:00:00,buy\n",
		"users.csv":  "user_id,country\nU1,FR\nU2,DE\n",
		"secret.csv": "what\nsecret\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(dir, "secret.csv")
	leak := "(SELECT max(what) FROM read_csv('" + secret + "'))"
	const (
		sources = "sources: {raw: {path: events.csv}, people: {path: users.csv}}\n"
		events  = "events: {path: events.csv, columns: {user_id: uid, timestamp: at, event_type: what}}\n"
		query   = `SELECT uid AS user_id, "at" AS timestamp, what AS event_type FROM raw`
	)
	tests := []struct {
		name, yaml, key string
	}{
		{"a query dataset", sources + "events: {query: \"SELECT *, " + leak + " AS x FROM raw\", columns: {user_id: uid, timestamp: at, event_type: what}}\n",
			"events.query"},
		{"a query from a table function", sources + "events: {query: \"SELECT * FROM read_csv('" + secret + "')\"}\n",
			"events.query"},
		{"a query dataset's mapping", sources + "events: {query: '" + query + "', columns: {category: \"" + leak + "\"}}\n",
			"events.columns.category"},
		{"a query dataset's filter", sources + "events: {query: '" + query + "', filter: \"event_type <> " + leak + "\"}\n",
			"events.filter"},
		{"a profiles table's query", sources + events + "users: {path: users.csv, attributes: {country: categorical}}\n" +
			"profiles: {extra: {query: \"SELECT user_id, " + leak + " AS x FROM people\", attributes: {x: categorical}}}\n",
			"profiles.extra.query"},
		{"an attribute's expression", events + "users: {path: users.csv, attributes: {country: categorical, x: {column: \"" + leak + "\", type: categorical}}}\n",
			"users.attributes.x.column"},
		{"an outcome of users", events + "users: {path: users.csv, attributes: {country: categorical}, outcomes: {won: \"country = " + leak + "\"}}\n",
			"users.outcomes.won"},
		{"a top-level outcome", events + "users: {path: users.csv, attributes: {country: categorical}}\noutcomes: {won: \"country = " + leak + "\"}\n",
			"outcomes.won"},
		{"a custom feature", events + "features: {custom: [{name: leaked, from: events, select: \"max(length(" + leak + "))\"}]}\n",
			"features.custom[0].select"},
		{"a custom feature reading a URL", events + "features: {custom: [{name: leaked, from: events, select: \"count(*) FILTER (WHERE event_type = (SELECT max(a) FROM read_csv('http://127.0.0.1:9/x.csv')))\"}]}\n",
			"features.custom[0].select"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := dataset.ParseConfig([]byte(tt.yaml))
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			cfg.SetDir(dir)
			_, err = dataset.Load(context.Background(), openDB(t), cfg)
			var ce *dataset.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a ConfigError", err)
			}
			if ce.Key != tt.key || !strings.HasPrefix(err.Error(), tt.key+": ") || !strings.Contains(err.Error(), "which is not one of the config's sources") {
				t.Errorf("error %q, want it to start with key %s and say it reads outside the sources", err, tt.key)
			}
			if len(err.Error()) > 400 || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}

	// The same SQL reading a configured source works.
	ok := sources + "events: {query: '" + query + "'}\n" +
		"features: {custom: [{name: fr, from: events, select: \"count(*) FILTER (WHERE user_id IN (SELECT user_id FROM read_csv('" + filepath.Join(dir, "users.csv") + "') WHERE country = 'FR'))\"}]}\n"
	cfg, err := dataset.ParseConfig([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	cfg.SetDir(dir)
	if _, err := dataset.Load(context.Background(), openDB(t), cfg); err != nil {
		t.Errorf("SQL over the sources: %v", err)
	}
}
