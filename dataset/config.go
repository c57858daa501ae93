package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config says where each canonical dataset comes from and how its columns
// map to canonical fields. It decodes from YAML (see LoadConfig); its zero
// value, once one dataset is set, means defaults everywhere.
type Config struct {
	// AsOf is the reference date, "2006-01-02" or "2006-01-02 15:04:05".
	// Empty means the latest timestamp in the data. Rows stamped after it
	// are dropped (and counted) by rule.
	AsOf string `yaml:"as_of"`
	// MaxRejectRate is the largest share of a dataset's rows (after the
	// filter) that may be rejected before loading fails. Nil means 0.01;
	// 0 allows no rejects at all.
	MaxRejectRate *float64 `yaml:"max_reject_rate"`

	Users        *Source `yaml:"users"`
	Events       *Source `yaml:"events"`
	Transactions *Source `yaml:"transactions"`
	Social       *Source `yaml:"social"`

	// Features tunes the feature catalogue.
	Features FeatureSettings `yaml:"features"`
	// DuckDB sets the embedded database's resources.
	DuckDB Resources `yaml:"duckdb"`

	// dir is the folder relative paths are resolved against (the config
	// file's folder); empty means the working directory.
	dir string
}

// Source is where one dataset comes from and how to read it.
type Source struct {
	// Path is a file or a glob (data/*.csv.gz). Relative paths are
	// relative to the config file.
	Path string `yaml:"path"`
	// Format is csv, parquet or json (JSON lines). Empty means from the
	// file extension (.csv, .tsv, .txt, .parquet, .json, .jsonl, .ndjson,
	// optionally followed by .gz or .zst).
	Format string `yaml:"format"`
	// CSV overrides what is sniffed from CSV files.
	CSV CSVOptions `yaml:"csv"`
	// Postgres reads a table or query from a Postgres server instead of
	// Path.
	Postgres *PostgresSource `yaml:"postgres"`
	// Columns maps canonical fields to a source column or a SQL expression
	// over the source's columns (Quantity * UnitPrice). A canonical field
	// left out is read from the column of the same name (case-insensitive)
	// when there is one.
	Columns map[string]string `yaml:"columns"`
	// TimestampFormat is a strptime format (%Y-%m-%d %H:%M:%S) for the
	// timestamp and date fields, or "epoch" / "epoch_ms" for Unix times.
	// Empty accepts ISO 8601.
	TimestampFormat string `yaml:"timestamp_format"`
	// TimeZone is the IANA zone the data's wall-clock times are in.
	// Timestamps with an offset are converted to it; those without one are
	// taken as already in it. Empty means UTC.
	TimeZone string `yaml:"time_zone"`
	// Filter is a SQL condition over the source's columns; rows for which
	// it is not true are skipped and counted as filtered.
	Filter string `yaml:"filter"`
	// Duplicates is "drop" (default) or "keep": what to do with rows that
	// equal an earlier row in every canonical field.
	Duplicates string `yaml:"duplicates"`
}

// CSVOptions overrides the CSV dialect DuckDB sniffs.
type CSVOptions struct {
	Delimiter string `yaml:"delimiter"`
	Quote     string `yaml:"quote"`
	Escape    string `yaml:"escape"`
	// Header says whether the first line holds column names. Nil sniffs.
	Header *bool `yaml:"header"`
	// Encoding is utf-8 (default), utf-16 or latin-1.
	Encoding string `yaml:"encoding"`
	// Decimal is the decimal separator of numbers written as text: "."
	// (default) or "," (1,5 is one and a half, 1.234,5 a thousand and
	// more; 2.5 does not parse; the delimiter must be another character).
	Decimal string `yaml:"decimal"`
}

// PostgresSource reads rows from Postgres with pgx.
type PostgresSource struct {
	// DSN is a postgres:// URL; $VAR and ${VAR} are replaced from the
	// environment, so secrets can stay out of the file.
	DSN string `yaml:"dsn"`
	// Table (schema.table) or Query, exactly one.
	Table string `yaml:"table"`
	Query string `yaml:"query"`
}

// FeatureSettings tunes the feature catalogue; zero values mean defaults.
type FeatureSettings struct {
	TopCategories int `yaml:"top_categories"`
	TopTopics     int `yaml:"top_topics"`
	TopValues     int `yaml:"top_values"`
	// SessionGap is a Go duration (30m): a new session starts after this
	// much inactivity when events have no session id.
	SessionGap string `yaml:"session_gap"`
}

// Resources bounds the embedded DuckDB. Empty fields keep DuckDB's
// defaults (80% of RAM, all cores, spilling next to nothing).
type Resources struct {
	// MemoryLimit is DuckDB's memory_limit (4GB).
	MemoryLimit string `yaml:"memory_limit"`
	// TempDirectory is where DuckDB spills when memory runs short.
	TempDirectory string `yaml:"temp_directory"`
	// Threads caps DuckDB's worker threads.
	Threads int `yaml:"threads"`
}

// DefaultMaxRejectRate is the share of rejected rows tolerated by default.
const DefaultMaxRejectRate = 0.01

// Source returns the source of dataset k, or nil.
func (c *Config) Source(k Kind) *Source {
	switch k {
	case Users:
		return c.Users
	case Events:
		return c.Events
	case Transactions:
		return c.Transactions
	case Social:
		return c.Social
	}
	return nil
}

// RejectRate returns the configured or default maximum reject rate.
func (c *Config) RejectRate() float64 {
	if c.MaxRejectRate == nil {
		return DefaultMaxRejectRate
	}
	return *c.MaxRejectRate
}

// SetDir sets the folder that relative paths are resolved against.
func (c *Config) SetDir(dir string) { c.dir = dir }

// resolve returns p relative to the config's folder.
func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}

// ConfigError is a problem with one config key.
type ConfigError struct {
	File string // may be empty
	Line int    // 0 when unknown
	Key  string // dotted path: transactions.columns.amount
	Err  error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// LoadConfig reads a YAML config file. Unknown keys and values of the wrong
// type are errors naming their line; then the config is validated, and
// relative paths become relative to the file's folder.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = path
			return nil, ce
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.dir = filepath.Dir(path)
	return c, nil
}

// ParseConfig decodes and validates a YAML config.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ConfigError{Err: ErrNoData}
		}
		return nil, &ConfigError{Line: yamlLine(err), Err: yamlMessage(err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &ConfigError{Line: extra.Line, Err: errors.New("more than one YAML document")}
	}
	if err := c.Validate(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			var root yaml.Node
			if yaml.Unmarshal(data, &root) == nil {
				ce.Line = keyLine(&root, ce.Key)
			}
		}
		return nil, err
	}
	return &c, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlLine(err error) int {
	var n int
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &n)
	}
	return n
}

// yamlMessage drops the "yaml: unmarshal errors:" preamble and joins the
// lines of a multi-error.
func yamlMessage(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	var parts []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return errors.New(strings.Join(parts, "; "))
}

// keyLine finds the line of a dotted key in a YAML document, or 0.
func keyLine(n *yaml.Node, key string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(key, ".") {
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				line = n.Content[i].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}

var formats = map[string]bool{"csv": true, "parquet": true, "json": true}

// Validate reports the first problem with the config: no dataset, a
// dataset without a source, an unknown canonical field, a bad format,
// duration, time zone or date.
func (c *Config) Validate() error {
	found := false
	for _, k := range Kinds {
		s := c.Source(k)
		if s == nil {
			continue
		}
		found = true
		if err := s.validate(k); err != nil {
			return err
		}
	}
	if !found {
		return &ConfigError{Err: ErrNoData}
	}
	if c.AsOf != "" {
		if _, err := ParseAsOf(c.AsOf); err != nil {
			return &ConfigError{Key: "as_of", Err: err}
		}
	}
	if r := c.MaxRejectRate; r != nil && (*r < 0 || *r > 1 || *r != *r) {
		return &ConfigError{Key: "max_reject_rate", Err: fmt.Errorf("must be between 0 and 1, got %g", *r)}
	}
	f := c.Features
	for _, v := range []struct {
		key string
		n   int
	}{{"top_categories", f.TopCategories}, {"top_topics", f.TopTopics}, {"top_values", f.TopValues}} {
		if v.n < 0 {
			return &ConfigError{Key: "features." + v.key, Err: fmt.Errorf("must be >= 0, got %d", v.n)}
		}
	}
	if f.SessionGap != "" {
		if d, err := time.ParseDuration(f.SessionGap); err != nil || d <= 0 {
			return &ConfigError{Key: "features.session_gap", Err: fmt.Errorf("must be a positive duration like 30m, got %q", f.SessionGap)}
		}
	}
	if c.DuckDB.Threads < 0 {
		return &ConfigError{Key: "duckdb.threads", Err: fmt.Errorf("must be >= 0, got %d", c.DuckDB.Threads)}
	}
	if strings.ContainsAny(c.DuckDB.MemoryLimit, "'\\") {
		return &ConfigError{Key: "duckdb.memory_limit", Err: fmt.Errorf("must look like 4GB, got %q", c.DuckDB.MemoryLimit)}
	}
	return nil
}

func (s *Source) validate(k Kind) error {
	key := string(k)
	if s.Postgres != nil {
		p := s.Postgres
		switch {
		case s.Path != "":
			return &ConfigError{Key: key + ".postgres", Err: errors.New("set either path or postgres, not both")}
		case p.DSN == "":
			return &ConfigError{Key: key + ".postgres.dsn", Err: errors.New("missing: set a postgres:// URL")}
		case (p.Table == "") == (p.Query == ""):
			return &ConfigError{Key: key + ".postgres", Err: errors.New("set exactly one of table and query")}
		}
		if !strings.HasPrefix(p.DSN, "postgres://") && !strings.HasPrefix(p.DSN, "postgresql://") && !strings.HasPrefix(p.DSN, "$") {
			return &ConfigError{Key: key + ".postgres.dsn", Err: errors.New("must be a postgres:// URL or $VARIABLE")}
		}
		if p.Table != "" && !tableRE.MatchString(p.Table) {
			return &ConfigError{Key: key + ".postgres.table", Err: fmt.Errorf("must be a table name like schema.table, got %q", p.Table)}
		}
	} else if s.Path == "" {
		return &ConfigError{Key: key + ".path", Err: errors.New("missing: set a file or glob (or a postgres source)")}
	}
	if s.Format != "" && !formats[s.Format] {
		return &ConfigError{Key: key + ".format", Err: fmt.Errorf("must be csv, parquet or json, got %q", s.Format)}
	}
	if s.Postgres == nil && s.Format == "" && formatOf(s.Path) == "" {
		return &ConfigError{Key: key + ".format", Err: fmt.Errorf("cannot tell the format of %q from its extension: set format to csv, parquet or json", s.Path)}
	}
	switch s.CSV.Encoding {
	case "", "utf-8", "utf8", "utf-16", "latin-1":
	default:
		return &ConfigError{Key: key + ".csv.encoding", Err: fmt.Errorf("must be utf-8, utf-16 or latin-1, got %q", s.CSV.Encoding)}
	}
	switch {
	case s.CSV.Decimal != "" && s.CSV.Decimal != "." && s.CSV.Decimal != ",":
		return &ConfigError{Key: key + ".csv.decimal", Err: fmt.Errorf(`must be "." or ",", got %q`, s.CSV.Decimal)}
	case s.CSV.Decimal == "," && s.CSV.Delimiter == ",":
		return &ConfigError{Key: key + ".csv.decimal", Err: errors.New(`a decimal comma needs another delimiter than ","`)}
	}
	for _, v := range []struct{ name, val string }{{"delimiter", s.CSV.Delimiter}, {"quote", s.CSV.Quote}, {"escape", s.CSV.Escape}} {
		if len(v.val) > 1 && v.val != `\t` {
			return &ConfigError{Key: key + ".csv." + v.name, Err: fmt.Errorf("must be one character, got %q", v.val)}
		}
	}
	switch s.Duplicates {
	case "", "drop", "keep":
	default:
		return &ConfigError{Key: key + ".duplicates", Err: fmt.Errorf("must be drop or keep, got %q", s.Duplicates)}
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || strings.Contains(s.TimeZone, "'") {
			return &ConfigError{Key: key + ".time_zone", Err: fmt.Errorf("unknown time zone %q (use an IANA name like Europe/London)", s.TimeZone)}
		}
	}
	if f := s.TimestampFormat; f != "" && f != "epoch" && f != "epoch_ms" && !strings.Contains(f, "%") {
		return &ConfigError{Key: key + ".timestamp_format", Err: fmt.Errorf("must be a strptime format like %%Y-%%m-%%d %%H:%%M:%%S, or epoch / epoch_ms, got %q", f)}
	}
	known := map[string]bool{}
	for _, f := range inputFields(k) {
		known[f.Name] = true
	}
	for name, expr := range s.Columns {
		if !known[name] {
			return &ConfigError{Key: key + ".columns." + name, Err: fmt.Errorf("not a canonical field of %s (they are: %s)", k, fieldNames(inputFields(k)))}
		}
		if strings.TrimSpace(expr) == "" {
			return &ConfigError{Key: key + ".columns." + name, Err: errors.New("empty mapping: name a column or write an expression")}
		}
		if strings.Contains(expr, ";") {
			return &ConfigError{Key: key + ".columns." + name, Err: errors.New("a mapping is one SQL expression, without ';'")}
		}
	}
	if strings.Contains(s.Filter, ";") {
		return &ConfigError{Key: key + ".filter", Err: errors.New("a filter is one SQL condition, without ';'")}
	}
	return nil
}

var tableRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)

func fieldNames(fs []Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// formatOf guesses a file's format from its extension, or "".
func formatOf(path string) string {
	p := strings.ToLower(path)
	for _, z := range []string{".gz", ".zst"} {
		p = strings.TrimSuffix(p, z)
	}
	switch filepath.Ext(p) {
	case ".csv", ".tsv", ".txt", ".tab":
		return "csv"
	case ".parquet", ".pq":
		return "parquet"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	}
	return ""
}

// ParseAsOf reads a reference date: 2006-01-02, 2006-01-02 15:04:05 or
// RFC 3339.
func ParseAsOf(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be a date like 2024-01-31 or 2024-01-31 18:00:00, got %q", s)
}
