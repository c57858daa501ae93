package dataset

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Engines the features are computed in (Config.Engine).
const (
	EngineDuckDB   = "duckdb"
	EnginePostgres = "postgres"
)

// PushdownEngine returns where the features of cfg are computed: its
// engine when set, else postgres when every dataset it reads is a
// postgres source on one server (same DSN) and it needs nothing the
// pushdown lacks (see pushdownBlocker), else duckdb. With engine:
// postgres set and a blocker, it returns the blocker as the error.
func (c *Config) PushdownEngine() (string, error) {
	switch c.Engine {
	case EngineDuckDB:
		return EngineDuckDB, nil
	case EnginePostgres:
		if err := c.pushdownBlocker(); err != nil {
			return "", &ConfigError{Key: "engine", Err: fmt.Errorf("engine postgres: %w", err)}
		}
		return EnginePostgres, nil
	}
	if c.pushdownBlocker() != nil {
		return EngineDuckDB, nil
	}
	return EnginePostgres, nil
}

// pushdownBlocker says why cfg cannot be pushed down, or nil. Attributes,
// outcomes, profiles tables and custom features push down with the
// datasets; what cannot is named with the reason.
func (c *Config) pushdownBlocker() error {
	dsn := ""
	for _, name := range c.sourceNames() {
		s, key := c.Sources[name], "sources."+name
		switch {
		case s.Postgres == nil:
			return fmt.Errorf("%s is not a postgres source (every source a dataset's query reads must be one)", key)
		case dsn != "" && s.Postgres.DSN != dsn:
			return fmt.Errorf("%s reads another Postgres server than the other sources (one dsn for all)", key)
		case s.TimeZone != "":
			return fmt.Errorf("%s.time_zone is not pushed down: set time_zone on the dataset whose query reads it", key)
		}
		dsn = s.Postgres.DSN
	}
	n := 0
	for _, k := range c.kinds() {
		s := c.Source(k)
		if s == nil {
			continue
		}
		n++
		key := c.key(k)
		switch {
		case s.Query != "":
			// A query over the named sources, checked above.
		case s.Postgres == nil:
			return fmt.Errorf("%s is not a postgres source (every dataset must be one, or a query over postgres sources)", key)
		case dsn != "" && s.Postgres.DSN != dsn:
			return fmt.Errorf("%s reads another Postgres server than the other datasets (one dsn for all)", key)
		case !pushFormat(s.TimestampFormat):
			return fmt.Errorf("%s.timestamp_format %s is not pushed down (a strptime format is DuckDB's; epoch and epoch_ms are): map the column to a Postgres expression that gives a timestamp, such as to_timestamp(col, 'DD/MM/YYYY HH24:MI')", key, s.TimestampFormat)
		}
		for _, a := range s.Attributes {
			if !pushFormat(a.Format) && a.Loaded() {
				return fmt.Errorf("%s.attributes.%s.format %s is not pushed down (a strptime format is DuckDB's; epoch and epoch_ms are): give the attribute a column that is a Postgres expression giving a timestamp, such as to_timestamp(col, 'DD/MM/YYYY')", key, a.Name, a.Format)
			}
		}
		if s.Postgres != nil {
			dsn = s.Postgres.DSN
		}
	}
	if n == 0 {
		return errNoData
	}
	return nil
}

// pushFormat reports whether a timestamp format is read in Postgres:
// none (ISO 8601 text, or typed columns), epoch or epoch_ms.
func pushFormat(f string) bool { return f == "" || f == "epoch" || f == "epoch_ms" }

// pushDSN is the DSN of the server a pushed-down config reads (its key
// for errors).
func (c *Config) pushDSN() (string, string) {
	for _, k := range c.kinds() {
		if s := c.Source(k); s != nil && s.Postgres != nil {
			return s.Postgres.DSN, c.key(k) + ".postgres.dsn"
		}
	}
	for _, name := range c.sourceNames() {
		return c.Sources[name].Postgres.DSN, "sources." + name + ".postgres.dsn"
	}
	return "", ""
}

// sourcesWith is the WITH clause that defines the named sources, by
// name, over their tables or queries ("" without sources): a dataset's
// query over them is prefixed with it.
func (c *Config) sourcesWith() (string, error) {
	var defs []string
	for _, name := range c.sourceNames() {
		p := c.Sources[name].Postgres
		rel := ""
		if p.Table != "" {
			parts := strings.Split(p.Table, ".")
			for i, s := range parts {
				parts[i] = pgx.Identifier{s}.Sanitize()
			}
			rel = "SELECT * FROM " + strings.Join(parts, ".")
		} else {
			if err := checkReadOnlySQL("sources."+name+".postgres.query", p.Query, true); err != nil {
				return "", err
			}
			rel = strings.TrimRight(strings.TrimSpace(p.Query), ";")
		}
		defs = append(defs, sqlquote.Ident(name)+" AS NOT MATERIALIZED ("+rel+")")
	}
	if len(defs) == 0 {
		return "", nil
	}
	return "WITH " + strings.Join(defs, ",\n"), nil
}

// withPrefix puts the WITH clause with (of definitions) in front of the
// query q, merging it with q's own WITH.
func withPrefix(with, q string) string {
	if with == "" {
		return q
	}
	t := strings.TrimLeft(q, " \t\n")
	if len(t) > 4 && strings.EqualFold(t[:4], "with") && (t[4] == ' ' || t[4] == '\n' || t[4] == '\t') {
		return with + ",\n" + t[5:]
	}
	return with + "\n" + q
}

// Pushdown is a Postgres server that holds a config's datasets, with the
// canonical datasets (users, events, transactions, social) defined over
// them as common table expressions that every query it runs is prefixed
// with: nothing is created on the server and no raw row leaves it. The
// per-user tables' attributes and outcomes are defined there too, as the
// views package features reads (PerUser.View), with the loader's
// conversions and checks, and so are the source columns custom features
// read. Custom selects are Postgres SQL then (checked before the snapshot
// is taken, and for writes as mappings are). It is
// a features.Querier. Every statement runs in one REPEATABLE READ, READ
// ONLY transaction on a connection whose default is read-only, so the
// role it connects as needs only SELECT on the sources.
//
// The row checks of Load run there too: Stats counts every dataset's rows
// read, filtered, rejected (per reason), after as_of, duplicated and used,
// and Rejects holds up to RejectSample rejected rows of each, with their
// row number in the source's scan order, column, value and reason.
type Pushdown struct {
	db   *sql.DB
	conn *sql.Conn
	with string // the canonical definitions, "name AS NOT MATERIALIZED (...)", comma-separated

	// Stats are the counts of every dataset, as Load gives them.
	Stats Stats
	// Rejects are the sampled rejected rows, per dataset, in source
	// order.
	Rejects map[Kind][]Reject
	// RowsRead counts the rows the inspection and feature queries read
	// back through QueryContext's callers (see CountRows), and the
	// rejected rows sampled.
	RowsRead int64
}

// PushdownOptions configures OpenPushdown. The zero value means defaults.
type PushdownOptions struct {
	// Now is the run's clock: rows stamped more than a day after it are
	// rejected. Zero means time.Now().
	Now time.Time
	// RejectSample is how many rejected rows of each dataset are read
	// back; 0 means 1,000.
	RejectSample int
}

// OpenPushdown connects to the Postgres server of cfg's datasets, checks
// their mappings (only reads: see checkReadOnlySQL), defines the canonical
// datasets over the sources and counts their rows. A dataset with more
// rejects than the config allows gives a *RejectRateError, after every
// dataset has been counted; the Pushdown is then still returned (for its
// rejects) and must be closed.
func OpenPushdown(ctx context.Context, cfg *Config, opts PushdownOptions) (*Pushdown, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.pushdownBlocker(); err != nil {
		return nil, fmt.Errorf("push down: %w", err)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.RejectSample <= 0 {
		opts.RejectSample = 1000
	}
	raw, dsnKey := cfg.pushDSN()
	dsn := os.ExpandEnv(raw)
	if dsn == "" {
		return nil, &ConfigError{Key: dsnKey, Err: fmt.Errorf("postgres dsn %s is empty (is the variable set?)", raw)}
	}
	srcWith, err := cfg.sourcesWith()
	if err != nil {
		return nil, err
	}
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres dsn: %w", err)
	}
	// Every transaction of the session is read-only unless it says
	// otherwise, and the mappings cannot say so (set_config is refused).
	pc.RuntimeParams["default_transaction_read_only"] = "on"
	pc.RuntimeParams["TimeZone"] = "UTC"
	pc.RuntimeParams["extra_float_digits"] = "3"
	if _, ok := pc.RuntimeParams["work_mem"]; !ok {
		// The per-user aggregation sorts or hashes every event once: with
		// Postgres's default of 4MB it spills at a few thousand users.
		// The DSN's options=-c work_mem=... overrides this.
		pc.RuntimeParams["work_mem"] = "64MB"
	}
	db := stdlib.OpenDB(*pc)
	db.SetMaxOpenConns(1)
	p := &Pushdown{db: db, Rejects: map[Kind][]Reject{}, Stats: Stats{Rows: map[Kind]int64{}, Counts: map[Kind]Counts{}}}
	if p.conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	// The columns and types of the sources and mappings are probed first
	// (a failed probe would abort a transaction), then one snapshot reads
	// everything.
	for i, c := range cfg.Features.Custom {
		if err := checkReadOnlySQL(fmt.Sprintf("features.custom[%d].select", i), c.Select, false); err != nil {
			return nil, err
		}
	}
	var defs []string
	var pds []*pushDataset
	for _, k := range cfg.kinds() {
		s := cfg.Source(k)
		if s == nil {
			defs = append(defs, string(k)+" AS NOT MATERIALIZED ("+emptyCanonical(k)+")")
			continue
		}
		d := &pushDataset{k: k, s: s, cfg: cfg, now: opts.Now, sources: srcWith}
		if err := d.prepare(ctx, p.conn); err != nil {
			p.Close()
			var ce *ConfigError
			if errors.As(err, &ce) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		defs = append(defs, d.stageName()+" AS NOT MATERIALIZED ("+d.stage+")")
		pds = append(pds, d)
	}
	if err := checkCustomOn(ctx, p.conn, cfg, defs, pds); err != nil {
		p.Close()
		return nil, err
	}
	if _, err := p.conn.ExecContext(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
		p.Close()
		return nil, fmt.Errorf("begin read-only transaction: %w", err)
	}
	var (
		rateErr error
		anyUsed bool
		used    []string
	)
	for _, d := range pds {
		p.with = strings.Join(defs, ",\n")
		c, rejects, err := d.count(ctx, p, opts.RejectSample)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("%s: %w", d.k, err)
		}
		p.RowsRead += int64(len(rejects))
		if d.hasCanonical() {
			defs = append(defs, sqlquote.Ident(string(d.k))+" AS NOT MATERIALIZED ("+d.canonical(c.Duplicates > 0)+")")
		}
		if d.perUser() {
			defs = append(defs, attrView(d.k)+" AS NOT MATERIALIZED ("+d.attrView()+")")
		}
		p.Stats.Rows[d.k], p.Stats.Counts[d.k], p.Rejects[d.k] = c.Read, c, rejects
		used = append(used, fmt.Sprintf("%s: %d of %d rows", d.k, c.Used, c.Read))
		anyUsed = anyUsed || c.Used > 0
		base := c.Read - c.Filtered
		if rateErr == nil && c.Rejected > 0 && float64(c.Rejected) > cfg.RejectRate()*float64(base) {
			e := &RejectRateError{Dataset: d.k, Counts: c, Max: cfg.RejectRate()}
			for _, r := range rejects {
				if !strings.HasPrefix(r.Reason, "after as_of") {
					e.First = r
					break
				}
			}
			rateErr = e
		}
	}
	p.with = strings.Join(defs, ",\n")
	if rateErr == nil && !anyUsed {
		p.Close()
		return nil, fmt.Errorf("no row to use (%s): the tables hold no rows, or every row was filtered, rejected or dropped", strings.Join(used, "; "))
	}
	return p, rateErr
}

// Close ends the transaction and the connection.
func (p *Pushdown) Close() error {
	if p.conn != nil {
		p.conn.ExecContext(context.Background(), "ROLLBACK")
		p.conn.Close()
	}
	return p.db.Close()
}

// SQL returns q with the canonical definitions in front, as the queries
// run: for a query of one's own over users, events, transactions and
// social (a COPY of it, say).
func (p *Pushdown) SQL(q string) string {
	t := strings.TrimLeft(q, " \t\n")
	if len(t) > 4 && strings.EqualFold(t[:4], "with") && (t[4] == ' ' || t[4] == '\n' || t[4] == '\t') {
		return "WITH " + p.with + ",\n" + t[5:]
	}
	return "WITH " + p.with + "\n" + q
}

// QueryContext runs q over the canonical datasets.
func (p *Pushdown) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.conn.QueryContext(ctx, p.SQL(q), args...)
}

// QueryRowContext runs q over the canonical datasets.
func (p *Pushdown) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.conn.QueryRowContext(ctx, p.SQL(q), args...)
}

// CountRows adds n to the rows read back (RowsRead).
func (p *Pushdown) CountRows(n int64) { p.RowsRead += n }

// WriteRejects writes dir/<dataset>.csv (file, line, reason, column,
// value) for every dataset with sampled rejected rows, as the package's
// WriteRejects does, and returns their paths.
func (p *Pushdown) WriteRejects(dir string) ([]string, error) {
	var written []string
	for _, k := range Kinds {
		rs := p.Rejects[k]
		if len(rs) == 0 {
			continue
		}
		path, err := writeRejectFile(dir, k, func(cw *csv.Writer) error {
			for _, r := range rs {
				cw.Write([]string{r.File, strconv.FormatInt(r.Line, 10), r.Reason, r.Column, r.Value})
			}
			return nil
		})
		if err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// emptyCanonical is a query of no rows with dataset k's columns.
func emptyCanonical(k Kind) string {
	var cols []string
	for _, f := range Schema(k) {
		cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", pgType(f.Type), sqlquote.Ident(f.Name)))
	}
	return "SELECT " + strings.Join(cols, ", ") + " WHERE false"
}

// pgType is the Postgres type of a canonical DuckDB type.
func pgType(t string) string {
	switch t {
	case "VARCHAR":
		return "text"
	case "DOUBLE":
		return "double precision"
	case "INTEGER":
		return "integer"
	case "TIMESTAMP":
		return "timestamp"
	case "DATE":
		return "date"
	case "BOOLEAN":
		return "boolean"
	}
	return t
}

// pushDataset is one dataset pushed down.
type pushDataset struct {
	k    Kind
	s    *Source
	cfg  *Config
	now  time.Time
	from string // the source relation, aliased s
	name string // the source as rejects name it

	sources string // the WITH clause of the named sources a query reads

	cols  map[string]string // source column (lowercase) → its name as written
	types map[string]string // source column as written → Postgres type class
	order []string          // source columns in order

	stage  string   // SQL of the stage: converted fields, __keep, __bad, __why, __col, __val, __row
	out    []string // the canonical columns over the stage
	late   string   // SQL: the row is after as_of
	dedup  bool
	labels map[string]string
	attrs  []pushField // the attribute and outcome fields
}

func (d *pushDataset) stageName() string { return "_persona_pg_" + string(d.k) }

func (d *pushDataset) key() string { return d.cfg.key(d.k) }

// prepare checks the mappings, reads the source's columns and the types
// of the expressions, and writes the stage.
func (d *pushDataset) prepare(ctx context.Context, conn *sql.Conn) error {
	p := d.s.Postgres
	switch {
	case d.s.Query != "":
		// A query over the named sources, in Postgres's SQL.
		if err := checkReadOnlySQL(d.key()+".query", d.s.Query, true); err != nil {
			return err
		}
		d.from = "(" + withPrefix(d.sources, strings.TrimRight(strings.TrimSpace(d.s.Query), ";")) + ") AS s"
		d.name = "the query of " + d.key()
	case p.Table != "":
		parts := strings.Split(p.Table, ".")
		for i, s := range parts {
			parts[i] = pgx.Identifier{s}.Sanitize()
		}
		d.from = strings.Join(parts, ".") + " AS s"
		d.name = "postgres table " + p.Table
	default:
		if err := checkReadOnlySQL(d.key()+".postgres.query", p.Query, true); err != nil {
			return err
		}
		d.from = "(" + strings.TrimRight(strings.TrimSpace(p.Query), ";") + ") AS s"
		d.name = "postgres query"
	}
	for f, m := range d.s.Columns {
		if err := checkReadOnlySQL(d.key()+".columns."+f, m, false); err != nil {
			return err
		}
	}
	if d.s.Filter != "" {
		if err := checkReadOnlySQL(d.key()+".filter", d.s.Filter, false); err != nil {
			return err
		}
	}
	names, types, err := probe(ctx, conn, "SELECT * FROM "+d.from+" LIMIT 0")
	if err != nil {
		if d.s.Query != "" {
			return &ConfigError{Key: d.key() + ".query", Err: fmt.Errorf("run in Postgres (pushed down, the query is Postgres SQL over the sources; engine: duckdb runs it in DuckDB): %w", err)}
		}
		return fmt.Errorf("read %s: %w", d.name, err)
	}
	d.cols, d.types, d.order = map[string]string{}, map[string]string{}, names
	for i, n := range names {
		if _, ok := d.cols[strings.ToLower(n)]; !ok {
			d.cols[strings.ToLower(n)] = n
		}
		d.types[n] = types[i]
	}
	return d.build(ctx, conn)
}

// probe returns the columns of a query and their type classes.
func probe(ctx context.Context, conn *sql.Conn, q string) ([]string, []string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(cts))
	types := make([]string, len(cts))
	for i, ct := range cts {
		names[i], types[i] = ct.Name(), typeClass(ct.DatabaseTypeName())
	}
	return names, types, rows.Err()
}

// typeClass groups Postgres types by how they convert: text, int, float,
// numeric, timestamp, timestamptz, date, bool, other.
func typeClass(t string) string {
	switch strings.ToUpper(t) {
	case "TEXT", "VARCHAR", "BPCHAR", "NAME", "CHAR", "CITEXT":
		return "text"
	case "INT2", "INT4", "INT8":
		return "int"
	case "FLOAT4", "FLOAT8":
		return "float"
	case "NUMERIC":
		return "numeric"
	case "TIMESTAMP":
		return "timestamp"
	case "TIMESTAMPTZ":
		return "timestamptz"
	case "DATE":
		return "date"
	case "BOOL":
		return "bool"
	}
	return "other"
}

// pushField is a field as pushed down.
type pushField struct {
	Field
	src, class, label string
	// attr is the attribute (or outcome, then attr.Type is "") the field
	// reads; pass marks a source column passed through for custom
	// features.
	attr *Attribute
	pass bool
	// format is a time field's timestamp format: "", epoch or epoch_ms
	// (pushFormat).
	format string
}

// build writes the stage SQL: the same conversions, checks and reasons as
// the DuckDB loader (load.go, plausible.go), in Postgres's SQL.
func (d *pushDataset) build(ctx context.Context, conn *sql.Conn) error {
	var fields []pushField
	claimed := d.claimed()
	for _, f := range inputFields(d.k) {
		pf := pushField{Field: f, format: d.s.TimestampFormat}
		m, explicit := d.s.Columns[f.Name]
		key := fmt.Sprintf("%s.columns.%s", d.key(), f.Name)
		if !explicit {
			// A column an attribute reads is not also a canonical field.
			if n, ok := d.cols[f.Name]; ok && !claimed[n] {
				pf.src, pf.class, pf.label = "s."+sqlquote.Ident(n), d.types[n], n
			}
		} else if err := d.mapField(ctx, conn, &pf, m, key); err != nil {
			return err
		}
		fields = append(fields, pf)
	}
	attrs, err := d.attributeFields(ctx, conn)
	if err != nil {
		return err
	}
	fields = append(fields, attrs...)
	fields = append(fields, d.passFields()...)
	byName := map[string]*pushField{}
	for i := range fields {
		byName[fields[i].Name] = &fields[i]
	}
	if d.k == Transactions {
		if q := byName["quantity"]; q.src == "" {
			q.Required = false
		}
		if p := byName["unit_price"]; p.src == "" && byName["amount"].src != "" {
			p.Required = false
		}
	}
	for _, f := range fields {
		if f.Required && f.src == "" {
			var names []string
			for _, n := range d.order {
				names = append(names, n)
			}
			return &ConfigError{Key: fmt.Sprintf("%s.columns.%s", d.key(), f.Name),
				Err: fmt.Errorf("required field %s has no column of that name in the Postgres result (its columns: %s): map it under columns", f.Name, strings.Join(names, ", "))}
		}
	}
	tz := d.s.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	var conv, bad, reasons, cols, vals []string
	add := func(cond, reason, label, value string) {
		bad = append(bad, "coalesce("+cond+", false)")
		reasons = append(reasons, fmt.Sprintf("WHEN coalesce(%s, false) THEN %s", cond, sqlquote.String(reason)))
		cols = append(cols, fmt.Sprintf("WHEN coalesce(%s, false) THEN %s", cond, sqlquote.String(label)))
		vals = append(vals, fmt.Sprintf("WHEN coalesce(%s, false) THEN %s", cond, value))
	}
	d.labels = map[string]string{}
	for i, f := range fields {
		name := sqlquote.Ident(f.Name)
		if f.src == "" {
			conv = append(conv, fmt.Sprintf("CAST(NULL AS %s) AS %s", pgType(f.Type), name))
			continue
		}
		if f.pass {
			conv = append(conv, f.src+" AS "+name)
			continue
		}
		if f.attr != nil {
			v, err := d.convertAttribute(f, tz)
			if err != nil {
				return &ConfigError{Key: d.attrKey(f), Err: err}
			}
			sv := fmt.Sprintf("__s%d", i)
			conv = append(conv, fmt.Sprintf("%s AS %s, %s AS %s", v, name, f.src, sv))
			if (f.Type != "VARCHAR" || len(f.attr.Levels) > 0) && !attrTotal(f) {
				add(fmt.Sprintf("(%s IS NULL AND NOT %s)", name, pgMissing(sv, f.class)), "unparsable "+f.Name, f.label, "CAST("+sv+" AS text)")
			}
			continue
		}
		v, err := d.convert(f, tz)
		if err != nil {
			return &ConfigError{Key: fmt.Sprintf("%s.columns.%s", d.key(), f.Name), Err: err}
		}
		if f.Name == "event_type" && d.k == Events && len(d.s.EventTypes) > 0 {
			from := make([]string, 0, len(d.s.EventTypes))
			for k := range d.s.EventTypes {
				from = append(from, k)
			}
			slices.Sort(from)
			var whens []string
			for _, k := range from {
				whens = append(whens, fmt.Sprintf("WHEN %s THEN %s", sqlquote.String(k), sqlquote.String(d.s.EventTypes[k])))
			}
			v = fmt.Sprintf("CASE %s %s ELSE %s END", v, strings.Join(whens, " "), v)
		}
		sv := fmt.Sprintf("__s%d", i)
		conv = append(conv, fmt.Sprintf("%s AS %s, %s AS %s", v, name, f.src, sv))
		empty := sv + " IS NULL"
		if f.class == "text" {
			empty = fmt.Sprintf("(%s IS NULL OR trim(%s) = '')", sv, sv)
		}
		total := totalConversion(f)
		if f.Required {
			if total {
				add(name+" IS NULL", "empty "+f.Name, f.label, "''")
			} else {
				add(fmt.Sprintf("(%s IS NULL AND %s)", name, empty), "empty "+f.Name, f.label, "''")
			}
		}
		if v != f.src && f.Type != "VARCHAR" && !total {
			add(fmt.Sprintf("(%s IS NULL AND NOT %s)", name, empty), "unparsable "+f.Name, f.label, "CAST("+sv+" AS text)")
		}
	}
	// Plausibility (plausible.go).
	latest := d.now.UTC().Add(futureSlack).Format("2006-01-02 15:04:05")
	year := d.now.Year()
	if !d.cfg.AsOf.IsZero() {
		year = d.cfg.AsOf.Year()
	}
	for i, f := range fields {
		if f.src == "" {
			continue
		}
		name, sv := sqlquote.Ident(f.Name), fmt.Sprintf("CAST(__s%d AS text)", i)
		switch {
		case f.pass:
		case f.Type == "TIMESTAMP" || f.Type == "DATE":
			add(fmt.Sprintf("(NOT isfinite(%[1]s) OR %[1]s < TIMESTAMP '%[2]s')", name, minTime.Format("2006-01-02")), f.Name+" out of range", f.label, sv)
			add(fmt.Sprintf("%s > TIMESTAMP '%s'", name, latest), f.Name+" in the future", f.label, sv)
			if f.attr != nil && f.attr.Type == TypeAge && !d.cfg.AsOf.IsZero() {
				// born after as_of: a negative age
				add(fmt.Sprintf("%s > TIMESTAMP '%s'", name, d.cfg.AsOf.Time.UTC().Format("2006-01-02 15:04:05")), f.Name+" after as_of", f.label, sv)
			}
		case f.attr != nil:
		case f.Name == "birth_year":
			add(fmt.Sprintf("%s NOT BETWEEN %d AND %d", name, minTime.Year(), year), "birth_year out of range", f.label, sv)
		}
	}
	out := make([]string, 0, 8)
	for _, f := range Schema(d.k) {
		out = append(out, sqlquote.Ident(f.Name))
	}
	if d.k == Transactions {
		if a, p := byName["amount"], byName["unit_price"]; a.src != "" && p.src == "" {
			for i := range fields {
				if fields[i].Name == "amount" {
					sv := fmt.Sprintf("__s%d", i)
					empty := sv + " IS NULL"
					if a.class == "text" {
						empty = fmt.Sprintf("(%s IS NULL OR trim(%s) = '')", sv, sv)
					}
					add("(amount IS NULL AND "+empty+")", "empty amount", a.label, "''")
				}
			}
		}
		ret := `(coalesce(is_return, false) OR coalesce(quantity, 0) < 0 OR coalesce(amount, 0) < 0)`
		if p := byName["unit_price"]; p.src != "" {
			sv := "CAST(unit_price AS text)"
			for i := range fields {
				if fields[i].Name == "unit_price" {
					sv = fmt.Sprintf("CAST(__s%d AS text)", i)
				}
			}
			add(fmt.Sprintf("(unit_price < 0 AND NOT %s)", ret), "negative unit_price", p.label, sv)
		}
		label := byName["unit_price"].label
		if byName["unit_price"].src == "" {
			label = byName["amount"].label
		}
		value := "abs(coalesce(quantity, 1) * coalesce(unit_price, amount / nullif(coalesce(quantity, 1), 0), 0) * (1 + abs(coalesce(discount, 0))))"
		add(fmt.Sprintf("(%s >= 1e15)", value), "line value out of range", label, "CAST("+value+" AS text)")
		out = []string{"user_id", "order_id", `"timestamp"`, "product_id", "category",
			fmt.Sprintf("CASE WHEN %s THEN -abs(coalesce(quantity, 1)) ELSE coalesce(quantity, 1) END AS quantity", ret),
			"abs(coalesce(unit_price, amount / nullif(coalesce(quantity, 1), 0), 0)) AS unit_price", "discount"}
	}
	for _, f := range fields {
		if f.pass {
			out = append(out, sqlquote.Ident(f.Name))
		}
	}
	d.out = out
	keep := "true"
	if d.s.Filter != "" {
		keep = "coalesce((" + d.s.Filter + "), false)"
		if _, _, err := probe(ctx, conn, fmt.Sprintf("SELECT %s AS v FROM %s LIMIT 0", keep, d.from)); err != nil {
			return &ConfigError{Key: d.key() + ".filter", Err: fmt.Errorf("%s: %w", clip(d.s.Filter, 200), err)}
		}
	}
	d.dedup = d.s.Duplicates != "keep"
	row := ""
	if d.dedup {
		row = ", ROW(s.*) AS __row"
	}
	// Postgres pulls the inner select up into the outer, copying each
	// conversion into every check that reads it: text parsed by regular
	// expressions would be parsed once per check. OFFSET 0 keeps the
	// inner select apart (at the cost of a parallel scan), so it is
	// there only when some field parses text.
	fence := ""
	for _, f := range fields {
		if f.src != "" && f.class == "text" && f.Type != "VARCHAR" && !f.pass {
			fence = " OFFSET 0"
		}
	}
	badSQL, why, col, val := "false", "CAST(NULL AS text)", "CAST(NULL AS text)", "CAST(NULL AS text)"
	if len(bad) > 0 {
		badSQL = strings.Join(bad, " OR ")
		why = "CASE " + strings.Join(reasons, " ") + " END"
		col = "CASE " + strings.Join(cols, " ") + " END"
		val = "CASE " + strings.Join(vals, " ") + " END"
	}
	d.stage = fmt.Sprintf(`SELECT t.*, __keep AND (%s) AS __bad, %s AS __why, %s AS __col, %s AS __val FROM (
    SELECT %s AS __keep, %s%s FROM %s%s) AS t`, badSQL, why, col, val, keep, strings.Join(conv, ", "), row, d.from, fence)
	d.late = "false"
	ts := tsField(d.k)
	if d.k == Users {
		ts = "signup_date"
	}
	if ts != "" && !d.cfg.AsOf.IsZero() {
		d.late = fmt.Sprintf("coalesce(%s > TIMESTAMP '%s', false)", sqlquote.Ident(ts), d.cfg.AsOf.Time.Format("2006-01-02 15:04:05"))
	}
	// Type-check the whole stage now: an error in the snapshot would end it.
	if _, _, err := probe(ctx, conn, "SELECT * FROM ("+d.stage+") AS st LIMIT 0"); err != nil {
		return fmt.Errorf("mapping of %s: %w", d.name, err)
	}
	return nil
}

// mapField sets a field's source from its mapping: a column of the source
// (by name, exactly or ignoring case, or quoted), else a Postgres
// expression over the source's columns.
func (d *pushDataset) mapField(ctx context.Context, conn *sql.Conn, pf *pushField, m, key string) error {
	name, quoted := sqlquote.Unident(m)
	if quoted {
		if _, ok := d.types[name]; !ok {
			return &ConfigError{Key: key, Err: fmt.Errorf("column %q not found in the Postgres result (its columns: %s)", name, strings.Join(d.order, ", "))}
		}
	}
	if _, ok := d.types[name]; ok {
		pf.src, pf.class, pf.label = "s."+sqlquote.Ident(name), d.types[name], name
		return nil
	}
	if n, ok := d.cols[strings.ToLower(name)]; ok {
		pf.src, pf.class, pf.label = "s."+sqlquote.Ident(n), d.types[n], n
		return nil
	}
	if identRE.MatchString(name) {
		return &ConfigError{Key: key, Err: fmt.Errorf("column %q not found in the Postgres result (its columns: %s)", name, strings.Join(d.order, ", "))}
	}
	_, types, err := probe(ctx, conn, fmt.Sprintf("SELECT (%s) AS v FROM %s LIMIT 0", m, d.from))
	if err != nil {
		return &ConfigError{Key: key, Err: fmt.Errorf("expression %s: %w", clip(m, 200), err)}
	}
	pf.src, pf.class, pf.label = "("+m+")", types[0], m
	return nil
}

// Regular expressions that text must match before a cast that would
// otherwise fail the whole query (Postgres 15 has no TRY_CAST).
const (
	pgNumberRE = `'^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?\s*$'`
	pgIntRE    = `'^\s*[+-]?[0-9]{1,9}\s*$'`
	// A date, with a time (T or a space) and an offset or Z optional;
	// months 01-12, days 01-31, hours 00-23.
	pgTimeRE = `'^\s*[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$'`
)

// convert returns the Postgres SQL that turns a field's source value into
// its canonical type, NULL when it does not parse, as the DuckDB loader's
// convert does.
func (d *pushDataset) convert(f pushField, tz string) (string, error) {
	src, c := f.src, f.class
	switch f.Type {
	case "VARCHAR":
		switch {
		case c == "text" && idFields[f.Name]:
			return fmt.Sprintf(`nullif(CASE WHEN %[1]s LIKE '%%.0' THEN regexp_replace(trim(%[1]s), '^(-?[0-9]+)\.0+$', '\1') ELSE trim(%[1]s) END, '')`, src), nil
		case c == "text":
			return src, nil
		case (c == "float" || c == "numeric") && idFields[f.Name]:
			return fmt.Sprintf("CASE WHEN %[1]s = trunc(%[1]s) THEN CAST(CAST(%[1]s AS bigint) AS text) ELSE CAST(%[1]s AS text) END", src), nil
		}
		return "nullif(CAST(" + src + " AS text), '')", nil
	case "TIMESTAMP", "DATE":
		typ := pgType(f.Type)
		var ts string
		if (f.format == "epoch" || f.format == "epoch_ms") && !(c == "date" && f.Type == "DATE") {
			// Seconds (or milliseconds) since 1970 UTC, as a wall-clock
			// time in the source's zone; beyond what a timestamp holds,
			// out of range, as DuckDB's loader has it.
			switch c {
			case "text", "int", "float", "numeric":
			default:
				return "", fmt.Errorf("timestamp format %s reads numbers, and this is a %s column in Postgres: drop the format", f.format, c)
			}
			x, err := d.convert(pushField{Field: Field{Type: "DOUBLE"}, src: src, class: c}, tz)
			if err != nil {
				return "", err
			}
			if f.format == "epoch_ms" {
				x = "(" + x + ") / 1000.0"
			}
			return fmt.Sprintf("CAST(CASE WHEN abs(%[1]s) < 9e12 THEN to_timestamp(%[1]s) AT TIME ZONE %[2]s WHEN %[1]s IS NOT NULL THEN TIMESTAMP 'infinity' END AS %[3]s)", x, sqlquote.String(tz), typ), nil
		}
		switch c {
		case "timestamp", "date":
			return fmt.Sprintf("CAST(%s AS %s)", src, typ), nil
		case "timestamptz":
			ts = fmt.Sprintf("(%s AT TIME ZONE %s)", src, sqlquote.String(tz))
		case "text":
			// A valid day of its month: the last day is the first of the
			// next month less one.
			t := "trim(" + src + ")"
			day := fmt.Sprintf("CAST(substr(%[1]s, 9, 2) AS integer) <= extract(day from make_date(CAST(substr(%[1]s, 1, 4) AS integer), CAST(substr(%[1]s, 6, 2) AS integer), 1) + interval '1 month' - interval '1 day')", t)
			naive := fmt.Sprintf("CAST(%s AS timestamp)", t)
			zoned := fmt.Sprintf("(CAST(%s AS timestamptz) AT TIME ZONE %s)", t, sqlquote.String(tz))
			ts = fmt.Sprintf("CASE WHEN %[1]s ~ %[2]s THEN CASE WHEN %[3]s THEN CASE WHEN substr(%[1]s, 12) ~ '[A-Za-z+-]' THEN %[4]s ELSE %[5]s END END END", t, pgTimeRE, day, zoned, naive)
		default:
			return "", fmt.Errorf("a %s column cannot be read as a timestamp in Postgres", f.class)
		}
		return fmt.Sprintf("CAST(%s AS %s)", ts, typ), nil
	case "DOUBLE", "INTEGER":
		var x string
		switch c {
		case "text":
			t := "trim(" + src + ")"
			if f.Type == "INTEGER" {
				return fmt.Sprintf("CASE WHEN %[1]s ~ %[2]s THEN CASE WHEN abs(CAST(%[1]s AS bigint)) <= 2147483647 THEN CAST(%[1]s AS integer) END END", t, pgIntRE), nil
			}
			// Through numeric, which holds what a double would overflow
			// or underflow in: such values are unparsable (DuckDB reads
			// a denormal as itself; Postgres fails).
			n := "CAST(" + t + " AS numeric)"
			return fmt.Sprintf("CASE WHEN %[1]s ~ %[2]s THEN CASE WHEN abs(%[3]s) < 1e308 AND (%[3]s = 0 OR abs(%[3]s) > 1e-307) THEN CAST(%[1]s AS double precision) END END", t, pgNumberRE, n), nil
		case "int", "float", "numeric":
			x = src
		case "bool":
			x = "CAST(" + src + " AS integer)"
		default:
			return "", fmt.Errorf("a %s column cannot be read as a number in Postgres", f.class)
		}
		if f.Type == "INTEGER" {
			if c == "int" {
				return fmt.Sprintf("CASE WHEN %[1]s BETWEEN -2147483648 AND 2147483647 THEN CAST(%[1]s AS integer) END", x), nil
			}
			return fmt.Sprintf("CASE WHEN %[1]s > -2147483648.5 AND %[1]s < 2147483647.5 THEN CAST(%[1]s AS integer) END", x), nil
		}
		dbl := "CAST(" + x + " AS double precision)"
		return fmt.Sprintf("CASE WHEN %[1]s > CAST('-Infinity' AS double precision) AND %[1]s < CAST('Infinity' AS double precision) THEN %[1]s END", dbl), nil
	case "BOOLEAN":
		switch c {
		case "bool":
			return src, nil
		case "int", "float", "numeric":
			return fmt.Sprintf("(%s <> 0)", src), nil
		case "text":
			return fmt.Sprintf("CASE lower(trim(%s)) WHEN 'true' THEN true WHEN 't' THEN true WHEN '1' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true WHEN 'false' THEN false WHEN 'f' THEN false WHEN '0' THEN false WHEN 'no' THEN false WHEN 'n' THEN false END", src), nil
		}
		return "", fmt.Errorf("a %s column cannot be read as a boolean in Postgres", f.class)
	}
	return "", fmt.Errorf("no Postgres conversion to %s", f.Type)
}

// totalConversion reports whether convert turns every value of the
// field's source type into a value (so only NULL is NULL after it): the
// checks for unparsable values are then left out, which also keeps
// Postgres's row estimates sane.
func totalConversion(f pushField) bool {
	switch f.Type {
	case "TIMESTAMP", "DATE":
		return f.format == "" && (f.class == "timestamp" || f.class == "date" || f.class == "timestamptz")
	case "DOUBLE":
		return f.class == "int"
	case "BOOLEAN":
		return f.class == "bool" || f.class == "int"
	}
	return false
}

// used is the condition of a stage row that makes the canonical dataset.
func (d *pushDataset) used() string { return "__keep AND NOT __bad AND NOT " + d.late }

// canonical is the dataset's definition over its stage.
func (d *pushDataset) canonical(dups bool) string {
	if dups {
		// Equal source rows give equal canonical rows: one of each.
		return fmt.Sprintf("SELECT %s FROM (SELECT DISTINCT ON (__row) * FROM %s WHERE %s) AS t", strings.Join(d.out, ", "), d.stageName(), d.used())
	}
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(d.out, ", "), d.stageName(), d.used())
}

// count counts the dataset's rows by what became of them, and samples
// its rejected rows (and those after as_of).
func (d *pushDataset) count(ctx context.Context, p *Pushdown, sample int) (Counts, []Reject, error) {
	var c Counts
	st := d.stageName()
	err := p.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE NOT __keep), count(*) FILTER (WHERE __bad),
		count(*) FILTER (WHERE __keep AND NOT __bad AND %s) FROM %s`, d.late, st)).Scan(&c.Read, &c.Filtered, &c.Rejected, &c.AfterAsOf)
	if err != nil {
		return c, nil, fmt.Errorf("count rows: %w", err)
	}
	if d.dedup {
		if err := p.QueryRowContext(ctx, fmt.Sprintf(`SELECT coalesce(sum(n - 1), 0) FROM (
			SELECT count(*) AS n FROM %s WHERE %s GROUP BY __row HAVING count(*) > 1) AS g`, st, d.used())).Scan(&c.Duplicates); err != nil {
			return c, nil, fmt.Errorf("count duplicates: %w", err)
		}
	}
	c.Used = c.Read - c.Filtered - c.Rejected - c.AfterAsOf - c.Duplicates
	var rejects []Reject
	if c.Rejected > 0 {
		c.Reasons = map[string]int64{}
		rows, err := p.QueryContext(ctx, "SELECT __why, count(*) FROM "+st+" WHERE __bad GROUP BY 1")
		if err != nil {
			return c, nil, fmt.Errorf("count rejects: %w", err)
		}
		for rows.Next() {
			var r string
			var n int64
			if err := rows.Scan(&r, &n); err != nil {
				rows.Close()
				return c, nil, err
			}
			c.Reasons[r] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, nil, err
		}
	}
	if c.Rejected+c.AfterAsOf > 0 {
		cond := "__bad"
		if d.late != "false" {
			cond = fmt.Sprintf("(__bad OR __keep AND %s)", d.late)
		}
		ts := tsField(d.k)
		if d.k == Users {
			ts = "signup_date"
		}
		lateCol, lateVal := "NULL", "NULL"
		if ts != "" {
			lateCol, lateVal = sqlquote.String(ts), "CAST("+sqlquote.Ident(ts)+" AS text)"
		}
		rows, err := p.QueryContext(ctx, fmt.Sprintf(`SELECT __line, coalesce(CASE WHEN __bad THEN __why ELSE 'after as_of (dropped by rule)' END, ''),
			coalesce(CASE WHEN __bad THEN __col ELSE %s END, ''), coalesce(CASE WHEN __bad THEN __val ELSE %s END, '')
			FROM (SELECT row_number() OVER () AS __line, * FROM %s) AS t WHERE %s ORDER BY __line LIMIT %d`, lateCol, lateVal, st, cond, sample))
		if err != nil {
			return c, nil, fmt.Errorf("sample rejects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r := Reject{File: d.name}
			if err := rows.Scan(&r.Line, &r.Reason, &r.Column, &r.Value); err != nil {
				return c, nil, err
			}
			rejects = append(rejects, r)
		}
		if err := rows.Err(); err != nil {
			return c, nil, err
		}
	}
	return c, rejects, nil
}
