package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config says where each canonical dataset comes from and how its columns
// map to canonical fields, which per-user attributes and outcomes to read,
// how features are computed and how users are segmented. It is the one
// config type of a run: it decodes straight from YAML (see LoadConfig),
// its sections are what packages dataset and features and the
// segmentation consume, and it encodes to JSON with the same snake_case
// keys (the stored config of a run). Its zero value, once one dataset is
// set, means defaults everywhere.
type Config struct {
	// AsOf is the reference date. The zero Date means the latest timestamp
	// in the data (or the latest date attribute; age attributes do not count). Rows stamped after it are
	// dropped (and counted) by rule.
	AsOf Date `yaml:"as_of" json:"as_of,omitzero"`
	// MaxRejectRate is the largest share of a dataset's rows (after the
	// filter) that may be rejected before loading fails. Nil means 0.01;
	// 0 allows no rejects at all.
	MaxRejectRate *float64 `yaml:"max_reject_rate" json:"max_reject_rate,omitempty"`

	// Sources are files or Postgres tables, by name, that a dataset given
	// as a query (Source.Query) reads: FROM orders JOIN customers ...
	Sources map[string]*Source `yaml:"sources" json:"sources,omitempty"`

	Users        *Source `yaml:"users" json:"users,omitempty"`
	Events       *Source `yaml:"events" json:"events,omitempty"`
	Transactions *Source `yaml:"transactions" json:"transactions,omitempty"`
	Social       *Source `yaml:"social" json:"social,omitempty"`
	// Profiles are further per-user tables, by name (a survey, a CRM
	// export), whose attributes and outcomes join the users on user_id.
	Profiles map[string]*Source `yaml:"profiles" json:"profiles,omitempty"`
	// Outcomes are per-user outcomes over the users source's columns, as
	// users.outcomes (churned: Churn = 'Yes').
	Outcomes Outcomes `yaml:"outcomes" json:"outcomes,omitempty"`

	// Features tunes the feature catalogue.
	Features FeatureSettings `yaml:"features" json:"features,omitzero"`
	// Segmentation chooses the algorithm, k and the clustering space.
	Segmentation Segmentation `yaml:"segmentation" json:"segmentation,omitzero"`
	// DuckDB sets the embedded database's resources.
	DuckDB Resources `yaml:"duckdb" json:"duckdb,omitzero"`
	// Engine is where the features are computed: "postgres" pushes the
	// canonical views and the feature query down into the Postgres server
	// that holds every dataset (only the per-user feature table comes
	// back), "duckdb" copies the rows into the embedded database. Empty
	// means postgres when every dataset is a postgres source on one
	// server and nothing in the config needs DuckDB (PushdownEngine).
	Engine string `yaml:"engine" json:"engine,omitempty"`
	// Value configures the customer-value step (docs/value.md).
	Value ValueSettings `yaml:"value" json:"value,omitzero"`

	// dir is the folder relative paths are resolved against (the config
	// file's folder); empty means the working directory.
	dir string
}

// Source is where one dataset comes from and how to read it.
type Source struct {
	// Path is a file or a glob (data/*.csv.gz). Relative paths are
	// relative to the config file.
	Path string `yaml:"path" json:"path,omitempty"`
	// Format is csv, parquet or json (JSON lines). Empty means from the
	// file extension (.csv, .tsv, .txt, .parquet, .json, .jsonl, .ndjson,
	// optionally followed by .gz or .zst).
	Format string `yaml:"format" json:"format,omitempty"`
	// CSV overrides what is sniffed from CSV files.
	CSV CSVOptions `yaml:"csv" json:"csv,omitzero"`
	// Postgres reads a table or query from a Postgres server instead of
	// Path.
	Postgres *PostgresSource `yaml:"postgres" json:"postgres,omitempty"`
	// Query is a SQL query over the config's sources (by name) that gives
	// the dataset's rows, instead of Path: a join, an unpivot, a union.
	Query string `yaml:"query" json:"query,omitempty"`
	// Columns maps canonical fields to a source column or a SQL expression
	// over the source's columns (Quantity * UnitPrice). A canonical field
	// left out is read from the column of the same name (case-insensitive)
	// when there is one and no attribute reads it.
	Columns map[string]string `yaml:"columns" json:"columns,omitempty"`
	// Attributes are the per-user columns that become features (users and
	// profiles only).
	Attributes Attributes `yaml:"attributes" json:"attributes,omitempty"`
	// Outcomes are per-user columns reported per segment, never clustered
	// (users and profiles only).
	Outcomes Outcomes `yaml:"outcomes" json:"outcomes,omitempty"`
	// EventTypes maps the source's event names to canonical ones (events
	// only): {pv: product_view, buy: checkout}.
	EventTypes map[string]string `yaml:"event_types" json:"event_types,omitempty"`
	// TimestampFormat is a strptime format (%Y-%m-%d %H:%M:%S) for the
	// timestamp and date fields, or "epoch" / "epoch_ms" for Unix times.
	// Empty accepts ISO 8601.
	TimestampFormat string `yaml:"timestamp_format" json:"timestamp_format,omitempty"`
	// TimeZone is the IANA zone the data's wall-clock times are in.
	// Timestamps with an offset are converted to it; those without one are
	// taken as already in it. Empty means UTC.
	TimeZone string `yaml:"time_zone" json:"time_zone,omitempty"`
	// Filter is a SQL condition over the source's columns; rows for which
	// it is not true are skipped and counted as filtered.
	Filter string `yaml:"filter" json:"filter,omitempty"`
	// Duplicates is "drop" (default) or "keep": what to do with rows that
	// repeat an earlier row of the source in every column, mapped or not,
	// each value as written.
	Duplicates string `yaml:"duplicates" json:"duplicates,omitempty"`
}

// CSVOptions overrides the CSV dialect DuckDB sniffs.
type CSVOptions struct {
	Delimiter string `yaml:"delimiter" json:"delimiter,omitempty"`
	Quote     string `yaml:"quote" json:"quote,omitempty"`
	Escape    string `yaml:"escape" json:"escape,omitempty"`
	// Header says whether the first line holds column names. Nil sniffs.
	Header *bool `yaml:"header" json:"header,omitempty"`
	// Columns names the columns of a file without a header line, in
	// order (it implies header: false).
	Columns []string `yaml:"columns" json:"columns,omitempty"`
	// Encoding is utf-8 (default), utf-16, latin-1 or windows-1252 (also
	// cp1252: Latin-1 with € and typographic quotes at 0x80-0x9F, as
	// Windows programs write; such files are read from a UTF-8 copy).
	Encoding string `yaml:"encoding" json:"encoding,omitempty"`
	// Decimal is the decimal separator of numbers written as text: "."
	// (default) or "," (1,5 is one and a half, 1.234,5 a thousand and
	// more; 2.5 does not parse; the delimiter must be another character).
	Decimal string `yaml:"decimal" json:"decimal,omitempty"`
}

// PostgresSource reads rows from Postgres with pgx.
type PostgresSource struct {
	// DSN is a postgres:// URL; $VAR and ${VAR} are replaced from the
	// environment, so secrets can stay out of the file.
	DSN string `yaml:"dsn" json:"dsn"`
	// Table (schema.table) or Query, exactly one.
	Table string `yaml:"table" json:"table,omitempty"`
	Query string `yaml:"query" json:"query,omitempty"`
}

// FeatureSettings is the config's features section: what tunes the
// feature catalogue (package features reads it as its Options); zero
// values mean defaults.
type FeatureSettings struct {
	// TopCategories is how many categories get their own spend share and
	// affinity columns; the rest are pooled into "other". Default 8.
	TopCategories int `yaml:"top_categories" json:"top_categories,omitempty"`
	// TopTopics is how many social topics get their own share. Default 8.
	TopTopics int `yaml:"top_topics" json:"top_topics,omitempty"`
	// TopValues is how many values of each categorical demographic field
	// and attribute are one-hot encoded; the rest are pooled. Default 6.
	TopValues int `yaml:"top_values" json:"top_values,omitempty"`
	// TopEvents is how many event names outside the canonical event types
	// get their own count and share. Default 6.
	TopEvents int `yaml:"top_events" json:"top_events,omitempty"`
	// SessionGap starts a new session after this much inactivity when an
	// event has no session id (30m). Default 30 minutes.
	SessionGap Duration `yaml:"session_gap" json:"session_gap,omitzero"`
	// Custom are features of your own: one aggregate per user over a
	// dataset.
	Custom []CustomFeature `yaml:"custom" json:"custom,omitempty"`
}

// CustomFeature is one aggregate per user over a dataset, computed in the
// feature query: {name: fav_count, from: events, select: "count(*) FILTER
// (WHERE event_type = 'wishlist')"}.
type CustomFeature struct {
	// Name is the feature's name: lowercase letters, digits and _.
	Name string `yaml:"name" json:"name"`
	// From is the dataset aggregated: users, events, transactions, social
	// or a profiles table.
	From string `yaml:"from" json:"from"`
	// Select is an aggregate SQL expression over the dataset's canonical
	// fields and source columns (sum(quantity * unit_price) FILTER (WHERE
	// category = 'books')).
	Select string `yaml:"select" json:"select"`
	// Log1p marks a heavy-tailed value, transformed with log1p before
	// scaling.
	Log1p bool `yaml:"log1p" json:"log1p,omitempty"`
	// Default is the value of users without rows in From, or whose
	// aggregate is NULL. Default 0.
	Default float64 `yaml:"default" json:"default,omitempty"`
}

// Resources bounds the embedded DuckDB. An empty MemoryLimit means the
// default budget (DefaultMemoryLimit: a quarter of the memory, at most 4
// GiB); an empty TempDirectory the run's staging folder (LoadOptions);
// Threads 0 all cores.
type Resources struct {
	// MemoryLimit is DuckDB's memory_limit (4GB).
	MemoryLimit string `yaml:"memory_limit" json:"memory_limit,omitempty"`
	// TempDirectory is where DuckDB spills when memory runs short.
	TempDirectory string `yaml:"temp_directory" json:"temp_directory,omitempty"`
	// Threads caps DuckDB's worker threads.
	Threads int `yaml:"threads" json:"threads,omitempty"`
}

// Date is a reference date as the config writes it: 2006-01-02,
// 2006-01-02 15:04:05 or RFC 3339. The zero Date is unset. It decodes
// from YAML and text with an error naming what is wrong, and encodes back
// the same way.
type Date struct{ time.Time }

// UnmarshalText parses a date (ParseAsOf).
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	t, err := ParseAsOf(string(b))
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// MarshalText writes the date as 2006-01-02, with the time of day when it
// has one.
func (d Date) MarshalText() ([]byte, error) {
	switch {
	case d.IsZero():
		return nil, nil
	case d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0 && d.Nanosecond() == 0:
		return []byte(d.Format("2006-01-02")), nil
	}
	return []byte(d.Format("2006-01-02 15:04:05")), nil
}

// UnmarshalYAML reads the date text, with its line in any error.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yamlError{n.Line, "must be a date like 2024-01-31"}
	}
	if err := d.UnmarshalText([]byte(n.Value)); err != nil {
		return &yamlError{n.Line, err.Error()}
	}
	return nil
}

// Duration is a length of time as the config writes it, a Go duration
// (30m, 1h30m). The zero Duration means the default.
type Duration struct{ time.Duration }

// UnmarshalText parses a positive Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Duration{}
		return nil
	}
	v, err := time.ParseDuration(string(b))
	if err != nil || v <= 0 {
		return fmt.Errorf("must be a positive duration like 30m, got %q", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as Go does (30m0s).
func (d Duration) MarshalText() ([]byte, error) {
	if d.Duration == 0 {
		return nil, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalYAML reads the duration text, with its line in any error.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yamlError{n.Line, "must be a duration like 30m"}
	}
	if err := d.UnmarshalText([]byte(n.Value)); err != nil {
		return &yamlError{n.Line, err.Error()}
	}
	return nil
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
	if n, ok := strings.CutPrefix(string(k), "sources."); ok {
		return c.Sources[n]
	}
	return c.Profiles[string(k)]
}

// kinds lists the datasets to load: the canonical ones, then the profiles
// tables in name order.
func (c *Config) kinds() []Kind {
	kinds := slices.Clone(Kinds)
	for _, p := range c.PerUser() {
		if p.Kind != Users {
			kinds = append(kinds, p.Kind)
		}
	}
	return kinds
}

// sourceKinds are the kinds the named sources are read under.
func (c *Config) sourceKinds() []Kind {
	var out []Kind
	for _, n := range c.sourceNames() {
		out = append(out, sourceKind(n))
	}
	return out
}

// key is the config key of dataset k: users, sources.NAME or
// profiles.NAME.
func (c *Config) key(k Kind) string {
	if slices.Contains(Kinds, k) || strings.HasPrefix(string(k), "sources.") {
		return string(k)
	}
	return "profiles." + string(k)
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
	var root yaml.Node
	yaml.Unmarshal(data, &root)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ConfigError{Err: errNoData}
		}
		var ye *yamlError
		if errors.As(err, &ye) {
			return nil, &ConfigError{Line: ye.line, Key: keyAt(&root, ye.line), Err: errors.New(ye.msg)}
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
			ce.Line = keyLine(&root, ce.Key)
		}
		return nil, err
	}
	return &c, nil
}

// keyAt returns the dotted key whose value starts at line, or "".
func keyAt(n *yaml.Node, line int) string {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var find func(n *yaml.Node, path string) string
	find = func(n *yaml.Node, path string) string {
		if n.Kind != yaml.MappingNode {
			return ""
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if v.Line == line && v.Kind != yaml.MappingNode || k.Line == line && v.Line == line {
				return p
			}
			if r := find(v, p); r != "" {
				return r
			}
		}
		return ""
	}
	return find(n, "")
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
		// name[i] is item i of the sequence under name.
		idx := -1
		if i := strings.IndexByte(part, '['); i > 0 && strings.HasSuffix(part, "]") {
			fmt.Sscan(part[i+1:len(part)-1], &idx)
			part = part[:i]
		}
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
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

var formats = map[string]bool{"csv": true, "parquet": true, "json": true}

// Validate reports the first problem with the config: no dataset, a
// dataset without a source, an unknown canonical field, a bad format,
// time zone, attribute, outcome or custom feature.
func (c *Config) Validate() error {
	found := false
	for _, k := range Kinds {
		s := c.Source(k)
		if s == nil {
			continue
		}
		found = true
		if err := c.validateSource(k, s); err != nil {
			return err
		}
	}
	for name, s := range c.Profiles {
		key := "profiles." + name
		switch {
		case !nameRE.MatchString(name):
			return &ConfigError{Key: key, Err: errors.New("a profiles table's name is lowercase letters, digits and _, starting with a letter")}
		case slices.Contains(Kinds, Kind(name)):
			return &ConfigError{Key: key, Err: fmt.Errorf("%s is a canonical dataset: name the table otherwise", name)}
		case s == nil:
			return &ConfigError{Key: key, Err: errors.New("empty: set a path (or query, or postgres) and its attributes")}
		case len(s.Attributes) == 0 && len(s.Outcomes) == 0:
			return &ConfigError{Key: key, Err: errors.New("no attributes or outcomes: a profiles table adds per-user columns")}
		}
		found = true
		if err := c.validateSource(Kind(name), s); err != nil {
			return err
		}
	}
	if !found {
		return &ConfigError{Err: errNoData}
	}
	switch c.Engine {
	case "", EngineDuckDB, EnginePostgres:
	default:
		return &ConfigError{Key: "engine", Err: fmt.Errorf("engine is duckdb or postgres, got %q", c.Engine)}
	}
	for name, s := range c.Sources {
		key := "sources." + name
		switch {
		case !nameRE.MatchString(name):
			return &ConfigError{Key: key, Err: errors.New("a source's name is lowercase letters, digits and _, starting with a letter")}
		case slices.Contains(Kinds, Kind(name)) || c.Profiles[name] != nil:
			return &ConfigError{Key: key, Err: fmt.Errorf("%s is the name of a dataset: name the source otherwise", name)}
		case s == nil:
			return &ConfigError{Key: key, Err: errors.New("empty: set a path or postgres")}
		case s.Query != "":
			return &ConfigError{Key: key + ".query", Err: errors.New("a source is a file or a Postgres table; a query goes in the dataset that reads the sources")}
		case len(s.Columns) > 0 || len(s.Attributes) > 0 || len(s.Outcomes) > 0 || len(s.EventTypes) > 0 || s.Filter != "" || s.Duplicates != "" || s.TimestampFormat != "":
			return &ConfigError{Key: key, Err: errors.New("a source is only read (path, format, csv, postgres, time_zone): map its columns in the dataset whose query reads it")}
		}
		if err := s.validateRead(key); err != nil {
			return err
		}
	}
	if len(c.Outcomes) > 0 {
		if c.Users == nil {
			return &ConfigError{Key: "outcomes", Err: errors.New("outcomes read the users dataset's columns: set users, or put the outcomes under a profiles table")}
		}
		if err := validateAttributes("users", c.Users.Attributes, append(slices.Clone(c.Users.Outcomes), c.Outcomes...)); err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) && strings.HasPrefix(ce.Key, "users.outcomes.") && !slices.ContainsFunc(c.Users.Outcomes, func(o Outcome) bool { return "users.outcomes."+o.Name == ce.Key }) {
				ce.Key = strings.TrimPrefix(ce.Key, "users.")
			}
			return err
		}
	}
	if r := c.MaxRejectRate; r != nil && (*r < 0 || *r > 1 || *r != *r) {
		return &ConfigError{Key: "max_reject_rate", Err: fmt.Errorf("must be between 0 and 1, got %g", *r)}
	}
	f := c.Features
	for _, v := range []struct {
		key string
		n   int
	}{{"top_categories", f.TopCategories}, {"top_topics", f.TopTopics}, {"top_values", f.TopValues}, {"top_events", f.TopEvents}} {
		if v.n < 0 {
			return &ConfigError{Key: "features." + v.key, Err: fmt.Errorf("must be >= 0, got %d", v.n)}
		}
	}
	if f.SessionGap.Duration < 0 {
		return &ConfigError{Key: "features.session_gap", Err: fmt.Errorf("must be a positive duration like 30m, got %s", f.SessionGap.Duration)}
	}
	if err := c.validateCustom(); err != nil {
		return err
	}
	if err := c.Segmentation.validate(); err != nil {
		return err
	}
	if c.DuckDB.Threads < 0 {
		return &ConfigError{Key: "duckdb.threads", Err: fmt.Errorf("must be >= 0, got %d", c.DuckDB.Threads)}
	}
	if strings.ContainsAny(c.DuckDB.MemoryLimit, "'\\") {
		return &ConfigError{Key: "duckdb.memory_limit", Err: fmt.Errorf("must look like 4GB, got %q", c.DuckDB.MemoryLimit)}
	}
	return c.Value.validate()
}

// validateCustom checks the custom features that can be checked without
// the data (Build checks each aggregate compiles over its dataset).
func (c *Config) validateCustom() error {
	seen := map[string]bool{}
	for i, cf := range c.Features.Custom {
		key := fmt.Sprintf("features.custom[%d]", i)
		switch {
		case cf.Name == "":
			return &ConfigError{Key: key + ".name", Err: errors.New("missing: name the feature (lowercase letters, digits and _)")}
		case !nameRE.MatchString(cf.Name):
			return &ConfigError{Key: key + ".name", Err: fmt.Errorf("%q: a feature name is lowercase letters, digits and _, starting with a letter", cf.Name)}
		case seen[cf.Name]:
			return &ConfigError{Key: key + ".name", Err: fmt.Errorf("%q is the name of an earlier custom feature", cf.Name)}
		case strings.TrimSpace(cf.Select) == "":
			return &ConfigError{Key: key + ".select", Err: errors.New("missing: an aggregate SQL expression such as count(*) FILTER (WHERE event_type = 'wishlist')")}
		case strings.Contains(cf.Select, ";"):
			return &ConfigError{Key: key + ".select", Err: errors.New("one SQL expression, without ';'")}
		case cf.Default != cf.Default || math.IsInf(cf.Default, 0):
			return &ConfigError{Key: key + ".default", Err: errors.New("must be a finite number")}
		}
		seen[cf.Name] = true
		if cf.From == "" {
			return &ConfigError{Key: key + ".from", Err: errors.New("missing: the dataset aggregated (users, events, transactions, social or a profiles table)")}
		}
		if c.Source(Kind(cf.From)) == nil {
			return &ConfigError{Key: key + ".from", Err: fmt.Errorf("%q is not a dataset of this config (%s)", cf.From, strings.Join(c.datasetNames(), ", "))}
		}
	}
	return nil
}

// datasetNames lists the datasets the config sets.
func (c *Config) datasetNames() []string {
	var out []string
	for _, k := range Kinds {
		if c.Source(k) != nil {
			out = append(out, string(k))
		}
	}
	for _, p := range c.PerUser() {
		if p.Kind != Users {
			out = append(out, string(p.Kind))
		}
	}
	return out
}

func (c *Config) validateSource(k Kind, s *Source) error {
	key := c.key(k)
	perUser := !slices.Contains(Kinds, k) || k == Users
	if s.Query != "" {
		switch {
		case s.Path != "" || s.Postgres != nil:
			return &ConfigError{Key: key + ".query", Err: errors.New("set one of path, postgres and query")}
		case len(c.Sources) == 0:
			return &ConfigError{Key: key + ".query", Err: errors.New("a query reads the config's sources: name the files under sources")}
		case s.Format != "" || !csvEmpty(s.CSV):
			return &ConfigError{Key: key + ".query", Err: errors.New("format and csv belong to the sources the query reads")}
		}
		if err := checkExpr(key+".query", strings.TrimRight(strings.TrimSpace(s.Query), ";"), false); err != nil {
			return &ConfigError{Key: key + ".query", Err: errors.New("a query is one SELECT statement, without ';'")}
		}
	} else if err := s.validateRead(key); err != nil {
		return err
	}
	switch {
	case s.Duplicates != "" && s.Duplicates != "drop" && s.Duplicates != "keep":
		return &ConfigError{Key: key + ".duplicates", Err: fmt.Errorf("must be drop or keep, got %q", s.Duplicates)}
	}
	if f := s.TimestampFormat; f != "" && f != "epoch" && f != "epoch_ms" && !strings.Contains(f, "%") {
		return &ConfigError{Key: key + ".timestamp_format", Err: fmt.Errorf("must be a strptime format like %%Y-%%m-%%d %%H:%%M:%%S, or epoch / epoch_ms, got %q", f)}
	}
	fields := inputFields(k)
	known := map[string]bool{}
	for _, f := range fields {
		known[f.Name] = true
	}
	for name, expr := range s.Columns {
		if !known[name] {
			return &ConfigError{Key: key + ".columns." + name, Err: fmt.Errorf("not a canonical field of %s (they are: %s)%s", key, fieldNames(fields), attributeHint(perUser))}
		}
		if err := checkExpr(key+".columns."+name, expr, false); err != nil {
			return err
		}
	}
	if strings.Contains(s.Filter, ";") {
		return &ConfigError{Key: key + ".filter", Err: errors.New("a filter is one SQL condition, without ';'")}
	}
	if !perUser && (len(s.Attributes) > 0 || len(s.Outcomes) > 0) {
		what := "attributes"
		if len(s.Attributes) == 0 {
			what = "outcomes"
		}
		return &ConfigError{Key: key + "." + what, Err: errors.New("attributes and outcomes are per-user columns: put them under users or a profiles table")}
	}
	if len(s.EventTypes) > 0 && k != Events {
		return &ConfigError{Key: key + ".event_types", Err: errors.New("event_types maps the names of events: set it under events")}
	}
	for from, to := range s.EventTypes {
		if slices.Contains(EventTypes, to) {
			continue
		}
		// A name of the user's own (fav: wishlist) is counted as its own
		// count_<name>; one spelled like a canonical type but not quite
		// (pageview) is a typo.
		near := slices.IndexFunc(EventTypes, func(t string) bool { return norm(t) == norm(to) })
		if near >= 0 || !nameRE.MatchString(to) {
			hint := "an own name is lowercase letters, digits and _"
			if near >= 0 {
				hint = "did you mean " + EventTypes[near] + "?"
			}
			return &ConfigError{Key: key + ".event_types." + from, Err: fmt.Errorf("%q is not a canonical event type (%s); %s", to, strings.Join(EventTypes, ", "), hint)}
		}
	}
	if perUser {
		if err := validateAttributes(key, s.Attributes, s.Outcomes); err != nil {
			return err
		}
	}
	return nil
}

func attributeHint(perUser bool) string {
	if perUser {
		return "; other columns go under attributes"
	}
	return ""
}

func csvEmpty(o CSVOptions) bool {
	return o.Delimiter == "" && o.Quote == "" && o.Escape == "" && o.Header == nil && len(o.Columns) == 0 && o.Encoding == "" && o.Decimal == ""
}

// validateRead checks how a file or Postgres table is read.
func (s *Source) validateRead(key string) error {
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
		return &ConfigError{Key: key + ".path", Err: errors.New("missing: set a file or glob (or a postgres source, or a query over sources)")}
	}
	if s.Format != "" && !formats[s.Format] {
		return &ConfigError{Key: key + ".format", Err: fmt.Errorf("must be csv, parquet or json, got %q", s.Format)}
	}
	if s.Postgres == nil && s.Format == "" && formatOf(s.Path) == "" {
		return &ConfigError{Key: key + ".format", Err: fmt.Errorf("cannot tell the format of %q from its extension: set format to csv, parquet or json", s.Path)}
	}
	switch s.CSV.Encoding {
	case "", "utf-8", "utf8", "utf-16", "latin-1", "windows-1252", "cp1252":
	default:
		return &ConfigError{Key: key + ".csv.encoding", Err: fmt.Errorf("must be utf-8, utf-16, latin-1 or windows-1252, got %q", s.CSV.Encoding)}
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
	if cols := s.CSV.Columns; len(cols) > 0 {
		if s.CSV.Header != nil && *s.CSV.Header {
			return &ConfigError{Key: key + ".csv.columns", Err: errors.New("columns name the columns of a file without a header: set header: false, or drop columns")}
		}
		seen := map[string]bool{}
		for _, name := range cols {
			switch {
			case strings.TrimSpace(name) == "":
				return &ConfigError{Key: key + ".csv.columns", Err: errors.New("a column name is empty")}
			case seen[strings.ToLower(name)]:
				return &ConfigError{Key: key + ".csv.columns", Err: fmt.Errorf("column %q is named twice (names are compared ignoring case)", name)}
			}
			seen[strings.ToLower(name)] = true
		}
	}
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || strings.Contains(s.TimeZone, "'") {
			return &ConfigError{Key: key + ".time_zone", Err: fmt.Errorf("unknown time zone %q (use an IANA name like Europe/London)", s.TimeZone)}
		}
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
