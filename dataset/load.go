package dataset

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/internal/sqlquote"
)

// Counts says what became of one dataset's rows.
type Counts struct {
	// Read is every row of the source.
	Read int64 `json:"read"`
	// Filtered rows failed the config's filter; they are not written out.
	Filtered int64 `json:"filtered"`
	// Rejected rows could not be used (empty required field, unparsable
	// value, negative price); each is in rejects/<dataset>.csv.
	Rejected int64 `json:"rejected"`
	// Duplicates repeat an earlier row of the source in every column and
	// were dropped by rule.
	Duplicates int64 `json:"duplicates"`
	// AfterAsOf rows are stamped after the reference date and were dropped
	// by rule.
	AfterAsOf int64 `json:"after_as_of"`
	// Used rows made it into the canonical table.
	Used int64 `json:"used"`
	// RowIDs says that the per-user table had no id column: each row's
	// number (1, 2, ... in file order) is its user_id.
	RowIDs bool `json:"row_number_ids,omitempty"`
	// Reasons counts rejected rows per reason.
	Reasons map[string]int64 `json:"reject_reasons,omitempty"`
	// Warnings are things about the rows used worth checking (a latest
	// timestamp far from the bulk of them, when as_of defaults to it).
	Warnings []string `json:"warnings,omitempty"`
}

// Reject is one row that could not be used.
type Reject struct {
	File   string
	Line   int64 // 1-based line of the file, header included (a row number for Parquet and Postgres)
	Column string
	Value  string
	Reason string
}

func (r Reject) String() string {
	s := fmt.Sprintf("%s line %d", r.File, r.Line)
	if r.Column != "" {
		s += ", column " + r.Column
	}
	s += ": " + r.Reason
	if r.Value != "" {
		s += fmt.Sprintf(" %q", clip(r.Value, maxEcho))
	}
	return s
}

// RejectRateError reports a dataset with more rejected rows than the
// config allows.
type RejectRateError struct {
	Dataset Kind
	Counts  Counts
	Max     float64
	First   Reject
	// Hint, when not empty, says how the first reject could be read
	// (a timestamp_format that reads its timestamp).
	Hint string
	// Dir, when set, is the folder the rejects were written to (the
	// message names it); else they are said to be in rejects/.
	Dir string
}

func (e *RejectRateError) Error() string {
	base := e.Counts.Read - e.Counts.Filtered
	hint := ""
	if e.Hint != "" {
		hint = "; " + e.Hint
	}
	dir := "rejects"
	if e.Dir != "" {
		dir = e.Dir
	}
	return fmt.Sprintf("%s: %d of %d rows rejected (%.2f%%), more than max_reject_rate %g%%; first: %s%s (every reject is in %s)",
		e.Dataset, e.Counts.Rejected, base, 100*float64(e.Counts.Rejected)/float64(max(base, 1)), 100*e.Max, e.First, hint, filepath.Join(dir, string(e.Dataset)+".csv"))
}

// inputFields returns the fields a mapping may set for dataset k: the
// canonical ones plus, for transactions, amount (the line's total) and
// is_return.
func inputFields(k Kind) []Field {
	fs := Schema(k)
	if k == Transactions {
		fs = append(fs, Field{"amount", "DOUBLE", false}, Field{"is_return", "BOOLEAN", false})
	}
	return fs
}

// Load creates one table per canonical dataset in db from the sources in
// cfg, validating every row: rows that cannot be used are kept in the table
// _persona_rejects (see WriteRejects) and counted per reason. A dataset
// without a source becomes an empty table. db must hold a single
// connection (SetMaxOpenConns(1)): Load sets the session's time zone while
// it parses timestamps.
//
// When a dataset's share of rejects exceeds the config's maximum, Load
// returns the counts so far and a *RejectRateError after loading every
// dataset, so the rejects can still be written.
func Load(ctx context.Context, db *sql.DB, cfg *Config) (Stats, error) {
	return LoadWith(ctx, db, cfg, LoadOptions{})
}

// LoadWith is Load with options. Before it reads a row it sandboxes the
// database for good: from then on DuckDB reads only the config's source
// files and writes only opts.Outputs (see the package documentation).
func LoadWith(ctx context.Context, db *sql.DB, cfg *Config, opts LoadOptions) (Stats, error) {
	progress := opts.Progress
	st := Stats{Rows: map[Kind]int64{}, Counts: map[Kind]Counts{}}
	if err := cfg.Validate(); err != nil {
		return st, err
	}
	files, err := sourceFiles(cfg)
	if err != nil {
		return st, err
	}
	if err := notSandboxed(ctx, db); err != nil {
		return st, err
	}
	res := cfg.DuckDB
	res.TempDirectory = cfg.resolve(res.TempDirectory)
	if res.TempDirectory == "" {
		res.TempDirectory = opts.TempDirectory
	}
	if st.Memory, err = applyResources(ctx, db, res); err != nil {
		return st, err
	}
	// Decompressed copies and Postgres rows go to a folder of this load's
	// own, the only one the sandbox opens.
	if res.TempDirectory != "" {
		if err := os.MkdirAll(res.TempDirectory, 0o755); err != nil {
			return st, fmt.Errorf("duckdb.temp_directory: %w", err)
		}
	}
	work, err := os.MkdirTemp(res.TempDirectory, "persona-load-")
	if err != nil {
		return st, fmt.Errorf("temporary folder: %w", err)
	}
	defer os.RemoveAll(work)
	if work, err = filepath.Abs(work); err != nil {
		return st, err
	}
	var allowed []string
	for _, k := range append(cfg.kinds(), cfg.sourceKinds()...) {
		abs, err := absPaths(files[k])
		if err != nil {
			return st, fmt.Errorf("%s: %w", k, err)
		}
		allowed = append(allowed, abs...)
	}
	outs, err := absPaths(opts.Outputs)
	if err != nil {
		return st, err
	}
	if err := sandbox(ctx, db, append(allowed, outs...), []string{work}); err != nil {
		return st, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var asOf *time.Time
	if !cfg.AsOf.IsZero() {
		t := cfg.AsOf.Time
		asOf = &t
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE _persona_rejects (dataset VARCHAR, file VARCHAR, line BIGINT, reason VARCHAR, "column" VARCHAR, value VARCHAR)`); err != nil {
		return st, fmt.Errorf("create rejects table: %w", err)
	}
	var (
		rateErr error
		used    []string // rows used of rows read, per dataset
		anyUsed bool
	)
	src, err := loadSources(ctx, db, cfg, files, work)
	if err != nil {
		return st, err
	}
	kinds := cfg.kinds()
	for i, k := range kinds {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if progress != nil {
			progress(i, len(kinds))
		}
		s := cfg.Source(k)
		if s == nil {
			dropObject(ctx, db, string(k))
			if _, err := db.ExecContext(ctx, createEmpty(k)); err != nil {
				return st, fmt.Errorf("create empty %s table: %w", k, err)
			}
			continue
		}
		l := &loader{db: db, k: k, s: s, cfg: cfg, asOf: asOf, now: now, paths: files[k], work: work, src: src}
		c, err := l.load(ctx)
		if err == nil && asOf == nil {
			var w string
			if w, err = l.lateOutlier(ctx); w != "" {
				c.Warnings = append(c.Warnings, w)
			}
		}
		if err == nil && (k == Users || !slices.Contains(Kinds, k)) {
			var w string
			if w, err = repeatedUsers(ctx, db, k); w != "" {
				c.Warnings = append(c.Warnings, w)
			}
		}
		if err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) && (strings.HasPrefix(ce.Key, cfg.key(k)+".") || strings.HasPrefix(ce.Key, "outcomes.")) {
				return st, err // the key names the dataset, or is a top-level outcome
			}
			return st, fmt.Errorf("%s: %w", cfg.key(k), err)
		}
		used = append(used, fmt.Sprintf("%s: %d of %d rows", k, c.Used, c.Read))
		anyUsed = anyUsed || c.Used > 0
		st.Rows[k] = c.Read
		st.Counts[k] = c
		base := c.Read - c.Filtered
		if rateErr == nil && c.Rejected > 0 && float64(c.Rejected) > cfg.RejectRate()*float64(base) {
			first, err := l.firstReject(ctx)
			if err != nil {
				return st, err
			}
			rateErr = &RejectRateError{Dataset: k, Counts: c, Max: cfg.RejectRate(), First: first}
			if first.Reason == "unparsable timestamp" || first.Reason == "unparsable signup_date" {
				rateErr.(*RejectRateError).Hint = formatHint(ctx, db, first.Value)
			}
		}
	}
	if _, err := db.ExecContext(ctx, "SET TimeZone = 'UTC'"); err != nil {
		return st, err
	}
	if progress != nil {
		progress(len(kinds), len(kinds))
	}
	if rateErr == nil && !anyUsed {
		return st, fmt.Errorf("no row to use (%s): the files hold no rows, or every row was filtered, rejected or dropped", strings.Join(used, "; "))
	}
	if err := checkCustom(ctx, db, cfg); err != nil {
		return st, err
	}
	return st, rateErr
}

// applyResources sets DuckDB's memory limit (the config's, else the
// default budget), temp directory and threads, and returns what DuckDB
// then reports.
func applyResources(ctx context.Context, db *sql.DB, r Resources) (Memory, error) {
	lim, bytes, rule := r.budget()
	m := Memory{LimitBytes: bytes, Rule: rule}
	sets := []string{"SET memory_limit = " + sqlquote.String(lim)}
	if r.TempDirectory != "" {
		sets = append(sets, "SET temp_directory = "+sqlquote.String(r.TempDirectory))
	}
	if r.Threads > 0 {
		sets = append(sets, fmt.Sprintf("SET threads = %d", r.Threads))
	}
	for _, q := range sets {
		if _, err := db.ExecContext(ctx, q); err != nil {
			key := "duckdb"
			switch {
			case strings.HasPrefix(q, "SET memory_limit") && bytes == 0:
				key = "duckdb.memory_limit"
			case strings.HasPrefix(q, "SET temp_directory"):
				key = "duckdb.temp_directory"
			case strings.HasPrefix(q, "SET threads"):
				key = "duckdb.threads"
			}
			return m, fmt.Errorf("%s: %s: %w", key, q, err)
		}
	}
	return m, readMemory(ctx, db, &m)
}

// loader loads one dataset.
type loader struct {
	db   *sql.DB
	k    Kind
	s    *Source
	cfg  *Config
	asOf *time.Time
	now  time.Time // the run's clock: later rows are rejected
	// spread is the latest, mean and standard deviation of the used
	// rows' times, in epoch seconds (when outlierCheck).
	spread struct{ max, mean, sd sql.NullFloat64 }
	// paths are the source's files, as the config names them (relative
	// to its folder); work is the folder for temporary files, the only
	// one the sandbox opens.
	paths []string
	work  string

	raw    string   // relation with the source columns plus __file (an index into names), __line
	names  []string // the files read, as shown in rejects
	cols   []column // source columns that the mapping or filter may use
	all    []string // every source column, when known before reading
	sel    string   // projection of the source: the columns in cols
	typed  bool     // the source's columns carry types (not CSV text)
	pgTemp string   // temporary CSV file of a Postgres source

	// perFile, for CSV sources, holds one relation per file (its columns
	// in cols plus __file and a NULL __line): the rows are parsed and
	// checked in one pass per file, straight into the stage table, whose
	// row order gives the lines.
	perFile []string
	display []string // the files as named in messages
	header  int      // lines before a CSV file's first row
	line    string   // SQL for a stage row's line: __line, or from its rowid
	done    bool     // the canonical view over the stage table exists
	lazy    bool     // the stage is a view over the source files, not a table
	plain   string   // SQL for a lazy stage without id normalisation (when it has ids to normalise)
	// byText says that duplicates are found by their text in the file
	// (CSV and JSON lines files), not by every value kept in the stage.
	byText  bool
	resid   []string  // the stage's columns of source values a duplicate must repeat too (see stage)
	parquet []string  // the Parquet files read, by absolute path
	csv     []csvFile // the CSV files parsed (not for Postgres), for fixLines
	temps   []string  // decompressed copies of .gz files, removed after loading

	keepAll bool     // keep every source column (a named source, read for queries)
	pass    []string // source columns custom features read, in the canonical view
	src     *loaded  // the named sources, for a dataset given as a query
	temp    string   // the table of a query's result, dropped after loading
	attrs   []field  // the attribute and outcome fields, as staged
	extra   []string // their stage columns, quoted
	rowIDs  bool     // user_id is the row number (a per-user table without an id)
}

type column struct {
	name  string
	typ   string // DuckDB type of the raw column
	guess string // type sniffed for text columns, used in expressions
	comma bool   // numbers with a decimal comma (csv.decimal ","): DOUBLE in expressions
}

func (l *loader) exec(ctx context.Context, q string, args ...any) error {
	_, err := l.db.ExecContext(ctx, q, args...)
	return err
}

func (l *loader) load(ctx context.Context) (Counts, error) {
	defer l.cleanup(ctx)
	if err := l.openSource(ctx); err != nil {
		return Counts{}, err
	}
	tz := l.s.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	if err := l.exec(ctx, "SET TimeZone = "+sqlquote.String(tz)); err != nil {
		return Counts{}, fmt.Errorf("time zone %s: %w", tz, err)
	}
	if err := l.stage(ctx); err != nil {
		// A CSV file that does not parse misleads the sniffer into
		// column names the mapping cannot find: the parse error is the
		// one to show.
		var ce *ConfigError
		if errors.As(err, &ce) {
			if rerr := l.readError(ctx); rerr != nil {
				return Counts{}, rerr
			}
		}
		return Counts{}, err
	}
	return l.finish(ctx)
}

// raggedError is DuckDB's error err reading the CSV file i of a row with
// another number of fields than the header, said with the row's line
// (DuckDB counts lines its own way), or nil.
func (l *loader) raggedError(i int, err error) error {
	if i >= len(l.csv) || len(l.csv[i].delim) != 1 || !strings.Contains(err.Error(), "Expected Number of Columns") {
		return nil
	}
	if rerr := raggedRow(l.csv[i].path, rune(l.csv[i].delim[0])); rerr != nil {
		return fmt.Errorf("read %s: %w", l.display[i], rerr)
	}
	return nil
}

// readError reads every file of a CSV source and returns the first read
// error, if any.
func (l *loader) readError(ctx context.Context) error {
	for i, rel := range l.perFile {
		var n int64
		if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM "+rel).Scan(&n); err != nil {
			if rerr := l.raggedError(i, err); rerr != nil {
				return rerr
			}
			return fmt.Errorf("read %s: %w", l.display[i], shortError(err))
		}
	}
	return nil
}

func (l *loader) cleanup(ctx context.Context) {
	for _, t := range []string{"_persona_raw"} {
		l.db.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+t)
		l.db.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+t)
	}
	if l.pgTemp != "" {
		os.Remove(l.pgTemp)
	}
	if l.temp != "" {
		dropObject(context.WithoutCancel(ctx), l.db, l.temp)
	}
	for _, f := range l.temps {
		os.RemoveAll(f)
	}
	k := string(l.k)
	tables := []string{"_persona_duph_" + k, "_persona_dedup_" + k}
	if !l.done {
		tables = append(tables, "_persona_stage_"+k, "_persona_skip_"+k)
	}
	for _, t := range tables {
		dropObject(context.WithoutCancel(ctx), l.db, t)
	}
}

func (l *loader) format() string {
	if l.s.Postgres != nil {
		return "csv"
	}
	if l.s.Format != "" {
		return l.s.Format
	}
	return formatOf(l.s.Path)
}

// openSource creates _persona_raw: the source's columns, plus __file (the
// file's name) and __line (the row's line in it).
func (l *loader) openSource(ctx context.Context) error {
	var (
		files   []string
		display []string
		err     error
		header  = 1
	)
	if l.s.Query != "" {
		return l.openQuery(ctx)
	}
	if l.s.Postgres != nil {
		f, name, err := l.copyPostgres(ctx)
		if err != nil {
			return err
		}
		l.pgTemp = f
		files, display, header = []string{f}, []string{name}, 0
	} else {
		display = l.paths
		if files, err = absPaths(l.paths); err != nil {
			return err
		}
	}
	switch l.format() {
	case "csv":
		return l.openCSV(ctx, files, display, header)
	case "parquet":
		l.typed = true
		var parts []string
		for i, f := range files {
			// The stage may be a view read later: the path must not
			// depend on the working folder then.
			if a, err := filepath.Abs(f); err == nil {
				f = a
			}
			l.parquet = append(l.parquet, f)
			if err := checkParquetNames(ctx, l.db, f, display[i]); err != nil {
				return err
			}
			parts = append(parts, fmt.Sprintf("SELECT * EXCLUDE (file_row_number), CAST(%d AS INTEGER) AS __file, file_row_number + 1 AS __line FROM read_parquet(%s, file_row_number = true)", i, sqlquote.String(f)))
		}
		l.names = display
		union := strings.Join(parts, " UNION ALL BY NAME ")
		if err := l.exec(ctx, "CREATE OR REPLACE VIEW _persona_raw AS "+union); err != nil {
			return fmt.Errorf("read %s: %w", clip(strings.Join(display, ", "), 200), shortError(err))
		}
		// The stage may be a view that outlives _persona_raw: it reads
		// the files itself.
		l.raw = "(" + union + ")"
	case "json":
		l.typed = true
		return l.openJSON(ctx, files, display)
	}
	return l.describe(ctx)
}

// openJSON reads JSON lines files the way openCSV reads CSV files: each in
// one pass straight into the stage table, parsing only the keys the
// mapping may use, typed as DuckDB reads them from all the files (a key
// missing from a record is NULL).
func (l *loader) openJSON(ctx context.Context, files, display []string) error {
	list := make([]string, len(files))
	formats := make([]string, len(files))
	l.byText = l.dedup() && l.byteEncoding()
	for i, f := range files {
		if err := checkJSONDepth(f, display[i]); err != nil {
			return err
		}
		if !jsonArray(f) {
			if err := checkJSONKeys(f, display[i]); err != nil {
				return err
			}
		}
		list[i] = sqlquote.String(f)
		formats[i] = "newline_delimited"
		if jsonArray(f) {
			formats[i] = "array"
			l.byText = false // no lines to compare
		}
	}
	q := fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_json([%s], format = 'auto', union_by_name = true))", strings.Join(list, ", "))
	rows, err := l.db.QueryContext(ctx, q)
	if err != nil {
		return l.jsonError(display[0], files[0], err)
	}
	var all []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			rows.Close()
			return err
		}
		if c.typ == "JSON" {
			// Values of different JSON types in different records or
			// files (1 here, "u3" there): their text, unquoted.
			c.typ = "VARCHAR"
		}
		c.guess = c.typ
		all = append(all, c)
		l.all = append(l.all, c.name)
		if l.mentions(c.name) || l.dedup() && !l.byText {
			l.cols = append(l.cols, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return l.jsonError(display[0], files[0], err)
	}
	if len(all) == 0 {
		return fmt.Errorf("read %s: no keys found", display[0])
	}
	if len(l.cols) == 0 {
		l.cols = all[:1]
	}
	var spec, keep []string
	for _, c := range l.cols {
		spec = append(spec, fmt.Sprintf("%s: %s", sqlquote.String(c.name), sqlquote.String(c.typ)))
		keep = append(keep, sqlquote.Ident(c.name))
	}
	l.sel = strings.Join(keep, ", ")
	for i, f := range files {
		l.perFile = append(l.perFile, fmt.Sprintf("(SELECT %s, CAST(%d AS INTEGER) AS __file, CAST(NULL AS BIGINT) AS __line FROM read_json(%s, format = %s, columns = {%s}))",
			l.sel, i, sqlquote.String(f), sqlquote.String(formats[i]), strings.Join(spec, ", ")))
		l.csv = append(l.csv, csvFile{path: f, spaces: true, array: formats[i] == "array"})
	}
	l.raw = l.perFile[0]
	l.names, l.display, l.header = display, display, 0
	return nil
}

// jsonError is err reading the JSON lines file path (shown as name); a
// malformed record is named by its line, which DuckDB counts its own way.
func (l *loader) jsonError(name, path string, err error) error {
	if !jsonArray(path) {
		if line, jerr := badJSONLine(path); jerr != nil {
			return fmt.Errorf("read %s: line %d is not JSON: %w", name, line, jerr)
		}
	}
	return fmt.Errorf("read %s: %w", name, shortError(err))
}

func (l *loader) openCSV(ctx context.Context, files, display []string, header int) error {
	o := l.s.CSV
	// Sniff the dialect and column types from the first file; what the
	// config sets wins.
	var opts []string
	if o.Delimiter != "" {
		opts = append(opts, "delim = "+sqlquote.String(unescapeTab(o.Delimiter)))
	}
	if o.Quote != "" {
		opts = append(opts, "quote = "+sqlquote.String(o.Quote))
	}
	if o.Escape != "" {
		opts = append(opts, "escape = "+sqlquote.String(o.Escape))
	}
	if o.Header != nil {
		opts = append(opts, fmt.Sprintf("header = %t", *o.Header))
	} else if len(o.Columns) > 0 {
		opts = append(opts, "header = false")
	}
	// What DuckDB reads the files as: a Windows-1252 file is read from a
	// UTF-8 copy.
	enc := strings.ReplaceAll(o.Encoding, "utf8", "utf-8")
	if windows1252(enc) {
		copies, err := l.toUTF8(files, display)
		if err != nil {
			return err
		}
		files, enc = copies, ""
	}
	if enc != "" {
		opts = append(opts, "encoding = "+sqlquote.String(enc))
	}
	// DuckDB reads a gzipped file in one thread; a plain copy it reads
	// in parallel, and decompressing first is faster overall. The files
	// are decompressed in the background while the first is sniffed.
	files, sn, err := l.gunzipAndSniff(ctx, files, display, opts)
	if err != nil {
		return err
	}
	sn.Encoding = enc // for decimalCommaColumns' read
	for i, f := range files {
		if err := checkSniffed(f, sn); err != nil {
			return fmt.Errorf("read %s: %w", display[i], err)
		}
		if err := checkCSVHeader(ctx, l.db, f, display[i], sn, enc); err != nil {
			return err
		}
	}
	if err := l.nameColumns(sn, display[0]); err != nil {
		return err
	}
	comma := map[string]bool{}
	if o.Decimal == "," {
		if sn.Delimiter == "," {
			return &ConfigError{Key: string(l.k) + ".csv.decimal", Err: fmt.Errorf(`a decimal comma needs another delimiter than ",", which %s uses: set csv.delimiter`, display[0])}
		}
		// Expressions see the columns of such numbers (mostly) as numbers.
		cols, err := decimalCommaColumns(ctx, l.db, files[0], sn, 0.5)
		if err != nil {
			return fmt.Errorf("read %s: %w", display[0], shortError(err))
		}
		for _, c := range cols {
			comma[c] = true
		}
	}
	if !sn.Header {
		header = 0
	}
	if l.s.Postgres == nil {
		for _, f := range files {
			c := csvFile{path: f, quote: '"', delim: unescapeTab(sn.Delimiter)}
			if sn.Quote != "" {
				c.quote = sn.Quote[0]
			}
			if sn.Escape != "" {
				c.escape = sn.Escape[0]
			}
			l.csv = append(l.csv, c)
		}
	}
	// Only the columns the mapping and filter may refer to are kept, and
	// every column when duplicates are dropped by their values (a
	// duplicate repeats the whole source row) rather than their text.
	l.byText = l.dedup() && l.s.Postgres == nil && l.byteEncoding()
	var colSpec, keep []string
	for _, c := range sn.Columns {
		colSpec = append(colSpec, fmt.Sprintf("%s: 'VARCHAR'", sqlquote.String(c.Name)))
		l.all = append(l.all, c.Name)
		if l.mentions(c.Name) || l.dedup() && !l.byText {
			l.cols = append(l.cols, column{name: c.Name, typ: "VARCHAR", guess: c.Type, comma: comma[c.Name]})
			keep = append(keep, sqlquote.Ident(c.Name))
		}
	}
	if len(keep) == 0 {
		l.cols = append(l.cols, column{name: sn.Columns[0].Name, typ: "VARCHAR", guess: sn.Columns[0].Type})
		keep = append(keep, sqlquote.Ident(sn.Columns[0].Name))
	}
	l.sel = strings.Join(keep, ", ")
	read := fmt.Sprintf("delim = %s, quote = %s, escape = %s, header = %t, auto_detect = false, columns = {%s}",
		sqlquote.String(sn.Delimiter), sqlquote.String(sn.Quote), sqlquote.String(sn.Escape), sn.Header, strings.Join(colSpec, ", "))
	if enc != "" {
		read += ", encoding = " + sqlquote.String(enc)
	}
	l.names, l.display, l.header = display, display, header
	for i, f := range files {
		l.perFile = append(l.perFile, fmt.Sprintf("(SELECT %s, CAST(%d AS INTEGER) AS __file, CAST(NULL AS BIGINT) AS __line FROM read_csv(%s, %s))",
			l.projection(), i, sqlquote.String(f), read))
	}
	l.raw = l.perFile[0]
	return nil
}

func unescapeTab(s string) string {
	if s == `\t` {
		return "\t"
	}
	return s
}

// describe lists the source's columns (for typed sources).
func (l *loader) describe(ctx context.Context) error {
	if l.raw == "" {
		l.raw = "_persona_raw"
	}
	if !l.typed {
		return nil
	}
	rows, err := l.db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+l.raw+")")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return err
		}
		if c.name == "__file" || c.name == "__line" {
			continue
		}
		c.guess = c.typ
		l.cols = append(l.cols, c)
	}
	return rows.Err()
}

// sniffed is what DuckDB's sniff_csv found in a CSV file.
type sniffed struct {
	Delimiter, Quote, Escape string
	Header                   bool
	Columns                  []sniffedColumn
	TimestampFormat          string
	DateFormat               string
	// Encoding is the csv.encoding it was read with ("" for UTF-8); set
	// by persona init, which guesses it.
	Encoding string
}

// encodingOpt is the read_csv option of s's encoding, after a comma, or "".
func (s *sniffed) encodingOpt() string {
	if s.Encoding == "" {
		return ""
	}
	return ", encoding = " + sqlquote.String(s.Encoding)
}

// sniffedColumn is one column's name and guessed type.
type sniffedColumn struct{ Name, Type string }

// decimalComma rewrites the text of a number written with a decimal comma
// the way DuckDB reads numbers. A point can only group thousands
// (1.234,5): 2.5 becomes NULL, not a number with a decimal comma.
func decimalComma(src string) string {
	return fmt.Sprintf(`CASE WHEN NOT contains(%[1]s, '.') THEN replace(%[1]s, ',', '.')
		WHEN regexp_full_match(trim(%[1]s), '[-+]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?') THEN replace(replace(%[1]s, '.', ''), ',', '.') END`, src)
}

// sniffFile runs DuckDB's CSV sniffer on a file.
func sniffFile(ctx context.Context, db *sql.DB, path string) (*sniffed, error) {
	return sniff(ctx, db, path, nil)
}

func sniff(ctx context.Context, db *sql.DB, path string, opts []string) (*sniffed, error) {
	if err := regularFile(path); err != nil {
		return nil, err
	}
	q := "SELECT Delimiter, Quote, Escape, HasHeader, Columns, coalesce(TimestampFormat, ''), coalesce(DateFormat, '') FROM sniff_csv(" + sqlquote.String(path)
	for _, o := range opts {
		q += ", " + o
	}
	q += ", sample_size = 20480)"
	var (
		s    sniffed
		cols any
	)
	if err := db.QueryRowContext(ctx, q).Scan(&s.Delimiter, &s.Quote, &s.Escape, &s.Header, &cols, &s.TimestampFormat, &s.DateFormat); err != nil {
		return nil, err
	}
	list, _ := cols.([]any)
	for _, c := range list {
		m, _ := c.(map[string]any)
		name, _ := m["name"].(string)
		typ, _ := m["type"].(string)
		s.Columns = append(s.Columns, sniffedColumn{name, typ})
	}
	if len(s.Columns) == 0 {
		return nil, errors.New("no columns found")
	}
	// sniff_csv spells "none" as (empty).
	for _, v := range []*string{&s.Quote, &s.Escape} {
		if *v == "(empty)" {
			*v = ""
		}
	}
	if s.Quote == "" {
		s.Quote = `"`
	}
	if s.Escape == "" {
		s.Escape = s.Quote
	}
	return &s, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// field is one canonical field's mapping.
type field struct {
	Field
	src     string // SQL for the source value, over the staging relation; "" when unmapped
	srcType string // its DuckDB type
	label   string // the source column or expression, for messages
	// attr is the attribute (or outcome, then attr.Type is "") the field
	// reads; nil for a canonical field.
	attr *Attribute
	// format, when set, is the strptime format of a time field (a date
	// attribute's) instead of the source's.
	format string
	// pass marks a source column passed through as it is, for custom
	// features.
	pass bool
}

// lookup finds a source column by name, exactly first, then ignoring case.
func (l *loader) lookup(name string) (int, bool) {
	for i, c := range l.cols {
		if c.name == name {
			return i, true
		}
	}
	for i, c := range l.cols {
		if strings.EqualFold(c.name, name) {
			return i, true
		}
	}
	return -1, false
}

// mapField sets fd's source from the mapping m (key names it in errors):
// a column of the source (by name, exactly or ignoring case, or quoted),
// else a SQL expression over the relation from, typed as DuckDB types it.
func (l *loader) mapField(ctx context.Context, fd *field, m, key, from string) error {
	name, quoted := sqlquote.Unident(m)
	if quoted {
		if _, ok := l.lookup(name); !ok {
			return &ConfigError{Key: key, Err: fmt.Errorf("column %q not found in %s (its columns: %s)", name, l.where(), l.columnList())}
		}
	}
	if i, ok := l.lookup(name); ok {
		fd.src, fd.srcType, fd.label = fmt.Sprintf("__r%d", i), l.cols[i].typ, l.cols[i].name
		return nil
	}
	if identRE.MatchString(name) {
		return &ConfigError{Key: key, Err: fmt.Errorf("column %q not found in %s (its columns: %s)", name, l.where(), l.columnList())}
	}
	fd.src, fd.label = "("+m+")", m
	var typ string
	err := l.db.QueryRowContext(ctx, fmt.Sprintf("SELECT column_type FROM (DESCRIBE SELECT %s AS v FROM %s)", fd.src, from)).Scan(&typ)
	if err != nil {
		return &ConfigError{Key: key, Err: fmt.Errorf("expression %s: %w", clip(m, 200), shortError(err))}
	}
	fd.srcType = typ
	return nil
}

// where says which file a column list came from, for messages.
func (l *loader) where() string {
	if l.s.Postgres != nil {
		return "the Postgres result"
	}
	if l.s.Query != "" {
		return "the result of " + l.key() + ".query"
	}
	return l.cfg.resolve(l.s.Path)
}

// fileName is SQL for the name of the file whose index is idx.
func (l *loader) fileName(idx string) string {
	return fmt.Sprintf("%s[%s + 1]", sqlquote.Array(l.names), idx)
}

// projection is the list of source columns read ("*" when all).
func (l *loader) projection() string {
	if l.sel == "" {
		return "*"
	}
	return l.sel
}

// dedup reports whether rows repeating an earlier source row are dropped.
func (l *loader) dedup() bool { return l.s.Duplicates != "keep" }

// rowKey lists the stage's columns that make a source row: equal rows
// are duplicates.
func (l *loader) rowKey() []string {
	var names []string
	for _, f := range Schema(l.k) {
		names = append(names, sqlquote.Ident(f.Name))
	}
	names = append(names, l.extra...) // the attributes
	return append(names, l.resid...)
}

// mentions reports whether a source column may be used: its name is a
// canonical field's, or appears in a mapping or the filter.
func (l *loader) mentions(col string) bool {
	if l.keepAll || l.attributeMentions(col) || l.customMentions(col) {
		return true
	}
	c := strings.ToLower(col)
	for _, f := range inputFields(l.k) {
		if f.Name == c {
			return true
		}
	}
	texts := []string{l.s.Filter}
	for _, m := range l.s.Columns {
		texts = append(texts, m)
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), c) {
			return true
		}
	}
	return false
}

// columnList names the source's columns for messages: the first
// listColumns of them, each clipped.
func (l *loader) columnList() string { return l.columnListN(listColumns) }

// columnListN lists at most limit of the source's columns.
func (l *loader) columnListN(limit int) string {
	names := l.all
	if len(names) == 0 {
		for _, c := range l.cols {
			names = append(names, c.name)
		}
	}
	var out []string
	for i, n := range names {
		if i == limit {
			out = append(out, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		out = append(out, clip(n, 40))
	}
	return strings.Join(out, ", ")
}

// listColumns is how many columns a message lists.
const listColumns = 20

// stage maps and parses every row once into _persona_stage, with the
// reason it cannot be used (NULL when it can).
func (l *loader) stage(ctx context.Context) error {
	// The inner relation: expressions see the columns typed as sniffed;
	// plain column mappings read the raw text (__rN) so a value that does
	// not parse can be reported as written.
	var inner []string
	for i, c := range l.cols {
		if c.comma {
			inner = append(inner, fmt.Sprintf("TRY_CAST(%s AS DOUBLE) AS %s", decimalComma(sqlquote.Ident(c.name)), sqlquote.Ident(c.name)))
		} else if c.typ == "VARCHAR" && c.guess != "VARCHAR" && c.guess != "" {
			inner = append(inner, fmt.Sprintf("TRY_CAST(%s AS %s) AS %s", sqlquote.Ident(c.name), c.guess, sqlquote.Ident(c.name)))
		} else {
			inner = append(inner, sqlquote.Ident(c.name))
		}
		inner = append(inner, fmt.Sprintf("%s AS __r%d", sqlquote.Ident(c.name), i))
	}
	inner = append(inner, "__file", "__line")
	fromOf := func(raw string) string { return fmt.Sprintf("(SELECT %s FROM %s)", strings.Join(inner, ", "), raw) }
	from := fromOf(l.raw)

	var fields []field
	claimed := l.attributeColumns()
	for _, f := range inputFields(l.k) {
		fd := field{Field: f}
		m, explicit := l.s.Columns[f.Name]
		key := fmt.Sprintf("%s.columns.%s", l.key(), f.Name)
		switch {
		case !explicit:
			// A column an attribute reads is not also a canonical field.
			if i, ok := l.lookup(f.Name); ok && !claimed[i] {
				fd.src, fd.srcType, fd.label = fmt.Sprintf("__r%d", i), l.cols[i].typ, l.cols[i].name
			}
		default:
			if err := l.mapField(ctx, &fd, m, key, from); err != nil {
				return err
			}
		}
		fields = append(fields, fd)
	}
	attrs, err := l.attributeFields(ctx, from)
	if err != nil {
		return err
	}
	fields = append(fields, attrs...)
	fields = append(fields, l.passFields()...)
	byName := map[string]*field{}
	for i := range fields {
		byName[fields[i].Name] = &fields[i]
	}
	if l.k == Transactions {
		// A line without quantity counts one; a line with an amount but no
		// unit price costs amount / quantity.
		if q := byName["quantity"]; q.src == "" {
			q.Required = false
		}
		if p := byName["unit_price"]; p.src == "" && byName["amount"].src != "" {
			p.Required = false
		}
	}
	if u := byName["user_id"]; u.src == "" && l.perUser() {
		// A per-user table without an id column: each row's number is
		// its user_id (set once the rows are staged).
		u.Required = false
		l.rowIDs = true
	}
	for _, f := range fields {
		if f.Required && f.src == "" {
			return &ConfigError{Key: fmt.Sprintf("%s.columns.%s", l.key(), f.Name),
				Err: fmt.Errorf("required field %s has no column of that name in %s (its columns: %s): map it under columns%s", f.Name, l.where(), l.columnListN(12), l.missingHint(f.Name, byName))}
		}
	}

	// Three levels, fused by DuckDB into one pass: inner converts each
	// mapped field (keeping its source value as __sN), the middle finds why
	// a row cannot be used (only for rows that fail a cheap test), the outer
	// applies the returns rule.
	//
	// convPlain is conv without the normalisation of text ids, which
	// changes no value when none ends in .0, starts or ends with a space
	// or is empty (idWork).
	var conv, convPlain, idWork, checked, bad, checks []string
	for i, f := range fields {
		name := sqlquote.Ident(f.Name)
		checked = append(checked, name)
		if f.src == "" {
			conv = append(conv, fmt.Sprintf("CAST(NULL AS %s) AS %s", f.Type, name))
			convPlain = append(convPlain, conv[len(conv)-1])
			continue
		}
		v := l.convert(f)
		if f.Name == "event_type" && l.k == Events {
			v = l.mapEventTypes(v)
		}
		sv := fmt.Sprintf("__s%d", i)
		conv = append(conv, fmt.Sprintf("%s AS %s, %s AS %s", v, name, f.src, sv))
		if f.Type == "VARCHAR" && f.srcType == "VARCHAR" && idFields[f.Name] {
			idWork = append(idWork, fmt.Sprintf("%[1]s LIKE '%%.0' OR %[1]s LIKE ' %%' OR %[1]s LIKE '%% ' OR %[1]s = ''", f.src))
			convPlain = append(convPlain, fmt.Sprintf("%s AS %s, %s AS %s", f.src, name, f.src, sv))
		} else {
			convPlain = append(convPlain, conv[len(conv)-1])
		}
		empty := sv + " IS NULL"
		if f.srcType == "VARCHAR" {
			empty = fmt.Sprintf("(%s IS NULL OR trim(%s) = '')", sv, sv)
		}
		if f.attr != nil {
			empty = missingSQL(sv, f.srcType)
		}
		lab := sqlquote.String(f.label)
		if f.Required {
			bad = append(bad, name+" IS NULL")
			checks = append(checks, fmt.Sprintf("WHEN %s IS NULL AND %s THEN {'r': 'empty %s', 'c': %s, 'v': ''}", name, empty, f.Name, lab))
		}
		if v != f.src && (f.Type != "VARCHAR" || f.attr != nil && len(f.attr.Levels) > 0) {
			bad = append(bad, fmt.Sprintf("(%s IS NULL AND %s IS NOT NULL)", name, sv))
			checks = append(checks, fmt.Sprintf("WHEN %s IS NULL AND NOT %s THEN {'r': 'unparsable %s', 'c': %s, 'v': CAST(%s AS VARCHAR)}", name, empty, f.Name, lab, sv))
		}
	}
	// A duplicate repeats a whole source row. Rows read from CSV and JSON
	// lines files are compared by their text in the file (dropByText);
	// otherwise resid are the source values a row's canonical fields may
	// not give back (columns not mapped, or mapped through a conversion
	// that can turn two values into one: text parsed, an id normalised, an
	// expression), kept beside them for the comparison.
	l.resid = nil
	if l.dedup() && !l.byText {
		covered := map[string]bool{}
		for _, f := range fields {
			if strings.HasPrefix(f.src, "__r") && (l.convert(f) == f.src || f.Type == "DOUBLE" && f.srcType == "DOUBLE") {
				covered[f.src] = true
			}
		}
		for i := range l.cols {
			if r := fmt.Sprintf("__r%d", i); !covered[r] {
				u := fmt.Sprintf("__u%d", i)
				conv, convPlain = append(conv, r+" AS "+u), append(convPlain, r+" AS "+u)
				l.resid = append(l.resid, u)
			}
		}
	}
	pb, pc := l.plausible(fields)
	bad, checks = append(bad, pb...), append(checks, pc...)
	out := checked
	if l.k == Transactions {
		// Returns: a negative quantity or amount, or is_return, makes the
		// line a return with quantity −|q| and price |p|. A line without
		// quantity counts one; without unit price it costs amount / quantity.
		ret := `(coalesce(is_return, false) OR coalesce(quantity, 0) < 0 OR coalesce(amount, 0) < 0)`
		if p := byName["unit_price"]; p.src != "" {
			neg := fmt.Sprintf("(unit_price < 0 AND NOT %s)", ret)
			bad = append(bad, neg)
			sv := "CAST(unit_price AS VARCHAR)"
			for i := range fields {
				if fields[i].Name == "unit_price" {
					sv = fmt.Sprintf("CAST(__s%d AS VARCHAR)", i)
				}
			}
			checks = append(checks, fmt.Sprintf("WHEN %s THEN {'r': 'negative unit_price', 'c': %s, 'v': %s}", neg, sqlquote.String(p.label), sv))
		}
		// A line worth 10^15 or more is no sale (and its sums would
		// leave the range the features add exactly, or overflow).
		label := byName["unit_price"].label
		if byName["unit_price"].src == "" {
			label = byName["amount"].label
		}
		value := "abs(coalesce(quantity, 1) * coalesce(unit_price, amount / nullif(coalesce(quantity, 1), 0), 0) * (1 + abs(coalesce(discount, 0))))"
		huge := fmt.Sprintf("(%s >= 1e15)", value)
		bad = append(bad, huge)
		checks = append(checks, fmt.Sprintf("WHEN %s THEN {'r': 'line value out of range', 'c': %s, 'v': CAST(%s AS VARCHAR)}", huge, sqlquote.String(label), value))
		out = []string{"user_id", "order_id", "timestamp", "product_id", "category",
			fmt.Sprintf("CASE WHEN %s THEN -abs(coalesce(quantity, 1)) ELSE coalesce(quantity, 1) END AS quantity", ret),
			"abs(coalesce(unit_price, amount / nullif(coalesce(quantity, 1), 0), 0)) AS unit_price", "discount"}
	}
	if l.k == Transactions {
		for _, f := range fields {
			if f.pass {
				out = append(out, sqlquote.Ident(f.Name))
			}
		}
	}
	keep := "true"
	if l.s.Filter != "" {
		keep = "coalesce((" + l.s.Filter + "), false)"
		var typ string
		if err := l.db.QueryRowContext(ctx, fmt.Sprintf("SELECT column_type FROM (DESCRIBE SELECT %s AS v FROM %s)", keep, from)).Scan(&typ); err != nil {
			return &ConfigError{Key: string(l.k) + ".filter", Err: fmt.Errorf("%s: %w", clip(l.s.Filter, 200), shortError(err))}
		}
	}
	why := "CAST(NULL AS STRUCT(r VARCHAR, c VARCHAR, v VARCHAR))"
	if len(bad) > 0 {
		why = fmt.Sprintf("CASE WHEN __keep AND (%s) THEN CASE %s END END", strings.Join(bad, " OR "), strings.Join(checks, " "))
	}
	hashCol := ""
	if l.dedup() {
		hashCol = fmt.Sprintf(", hash(%s) AS __h", strings.Join(l.rowKey(), ", "))
	}
	// sel is the stage's SQL; with idw, it has a column __idw that says
	// whether a row's ids need normalising.
	sel := func(from string, conv []string, idw bool) string {
		pass, cols := "", strings.Join(conv, ", ")
		for _, u := range l.resid {
			pass += ", " + u
		}
		if idw {
			pass += ", __idw"
			cols += ", coalesce(" + strings.Join(idWork, " OR ") + ", false) AS __idw"
		}
		return fmt.Sprintf(`SELECT *%s FROM (
SELECT __file, __line, __keep, __why, %s%s FROM (
  SELECT __file, __line, __keep, %s AS __why, %s%s FROM (
    SELECT __file, __line, %s AS __keep, %s FROM %s)))`,
			hashCol, strings.Join(out, ", "), pass, why, strings.Join(checked, ", "), pass, keep, cols, from)
	}
	table := "_persona_stage_" + string(l.k)
	l.line = "__line"
	dropObject(ctx, l.db, table)
	if l.perFile == nil {
		if l.lazyOK(ctx, fields) {
			// Reading Parquet again costs less than writing a table: the
			// stage is a view, evaluated where it is used. When no id
			// needs normalising (finish counts them), a plainer view
			// replaces it.
			if err := l.exec(ctx, "CREATE VIEW "+table+" AS "+sel(from, conv, len(idWork) > 0)); err != nil {
				return l.rowsError("", err)
			}
			l.lazy = true
			if len(idWork) > 0 {
				l.plain = sel(from, convPlain, false)
			}
			return nil
		}
		if err := l.exec(ctx, "CREATE TABLE "+table+" AS "+sel(from, conv, false)); err != nil {
			return l.rowsError("", err)
		}
		return nil
	}
	// One file at a time, so that a row's line is its rowid less its
	// file's first rowid.
	starts := make([]string, len(l.perFile))
	var n int64
	for i, rel := range l.perFile {
		q := "INSERT INTO " + table + " "
		if i == 0 {
			q = "CREATE OR REPLACE TABLE " + table + " AS "
		}
		if err := l.exec(ctx, q+sel(fromOf(rel), conv, false)); err != nil {
			if l.format() == "json" && sandboxed(err) == nil {
				return l.jsonError(l.display[i], l.csv[i].path, err)
			}
			if rerr := l.raggedError(i, err); rerr != nil {
				return rerr
			}
			return l.rowsError(l.display[i], err)
		}
		starts[i] = fmt.Sprint(n - int64(l.header) - 1)
		var m int64
		if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&m); err != nil {
			return err
		}
		if i < len(l.csv) {
			l.csv[i].records = m - n + int64(l.header)
		}
		n = m
	}
	l.line = fmt.Sprintf("(rowid - [%s][__file + 1])", strings.Join(starts, ", "))
	return nil
}

// lazyOK reports whether the stage of a Parquet source can stay a view:
// it reads the files again whenever it is used, so every field must be a
// plain column whose conversion cannot depend on the session's time zone
// (set per source while loading), and there must be no filter. DuckDB
// reads a Parquet file's row groups in parallel, a table's in groups of
// 122,880 rows: files with larger row groups than maxLazyGroup are copied.
func (l *loader) lazyOK(ctx context.Context, fields []field) bool {
	if l.format() != "parquet" || l.s.Postgres != nil || l.s.Filter != "" || len(l.parquet) == 0 || len(l.attrs) > 0 || l.rowIDs {
		return false
	}
	for _, f := range fields {
		if f.src == "" {
			continue
		}
		if !strings.HasPrefix(f.src, "__r") || !l.zoneFree(f) {
			return false
		}
	}
	var rows int64
	err := l.db.QueryRowContext(ctx, "SELECT coalesce(max(row_group_num_rows), 0) FROM parquet_metadata("+sqlquote.Array(l.parquet)+")").Scan(&rows)
	return err == nil && rows <= maxLazyGroup
}

// maxLazyGroup is the most rows a Parquet row group may have for its file
// to be read where used rather than copied (pyarrow's default row group).
const maxLazyGroup = 1 << 20

// zoneFree reports whether a field's conversion gives the same value in
// every time zone.
func (l *loader) zoneFree(f field) bool {
	st := f.srcType
	switch {
	case l.convert(f) == f.src:
		return true
	case f.Type == "VARCHAR":
		return st == "VARCHAR" || isNumeric(st)
	case f.Type == "DOUBLE" || f.Type == "INTEGER" || f.Type == "BOOLEAN":
		return isNumeric(st) || st == "BOOLEAN"
	case f.Type == "TIMESTAMP" || f.Type == "DATE":
		return l.s.TimestampFormat == "" && (st == "TIMESTAMP" || st == "DATE" || l.utc() && utcTimes[st])
	}
	return false
}

// utcTimes are the time types that convert to TIMESTAMP without the
// session's zone when the source's zone is UTC.
var utcTimes = map[string]bool{"TIMESTAMP_NS": true, "TIMESTAMP_MS": true, "TIMESTAMP_S": true, "TIMESTAMP WITH TIME ZONE": true}

// utc reports whether the source's wall-clock times are in UTC.
func (l *loader) utc() bool {
	return l.s.TimeZone == "" || l.s.TimeZone == "UTC"
}

// requiredHint is what the error of a missing required field adds when a
// common way round it exists.
func requiredHint(k Kind, field, user, ts string) string {
	if k == Transactions && field == "order_id" {
		if user == "" || ts == "" {
			user, ts = "customer", "date"
		}
		return fmt.Sprintf("; a log without order numbers can make one order per customer and timestamp: order_id: %q", fmt.Sprintf("concat(%s, '/', %s)", user, ts))
	}
	return ""
}

func isNumeric(typ string) bool {
	switch typ {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE":
		return true
	}
	return strings.HasPrefix(typ, "DECIMAL")
}

var idFields = map[string]bool{"user_id": true, "order_id": true, "product_id": true, "session_id": true}

// convert returns the SQL that turns a field's source value into its
// canonical type, NULL when it does not parse.
func (l *loader) convert(f field) string {
	if f.pass {
		return f.src
	}
	if f.attr != nil {
		return l.convertAttribute(f)
	}
	src, st := f.src, f.srcType
	if st == f.Type && !(st == "VARCHAR" && idFields[f.Name]) && !(st == "TIMESTAMP" && l.s.TimestampFormat != "") && f.Type != "DOUBLE" {
		return src // already canonical: no work, nothing can fail
	}
	switch f.Type {
	case "VARCHAR":
		switch {
		case st == "VARCHAR" && idFields[f.Name]:
			// Ids written as 17850.0 (spreadsheets, pandas) lose the .0.
			// Most ids need neither: the test is cheaper than the work.
			return fmt.Sprintf("nullif(CASE WHEN %[1]s LIKE '%%.0' THEN regexp_replace(trim(%[1]s), '^(-?[0-9]+)\\.0+$', '\\1') WHEN %[1]s LIKE ' %%' OR %[1]s LIKE '%% ' THEN trim(%[1]s) ELSE %[1]s END, '')", src)
		case (st == "DOUBLE" || st == "FLOAT") && idFields[f.Name]:
			return fmt.Sprintf("CASE WHEN %[1]s = trunc(%[1]s) THEN CAST(CAST(%[1]s AS BIGINT) AS VARCHAR) ELSE CAST(%[1]s AS VARCHAR) END", src)
		}
		return "nullif(CAST(" + src + " AS VARCHAR), '')"
	case "TIMESTAMP", "DATE":
		var ts string
		switch format := l.timestampFormat(f); {
		case format == "epoch" || format == "epoch_ms":
			div := ""
			if format == "epoch_ms" {
				div = " / 1000.0"
			}
			// Beyond what a timestamp holds (to_timestamp fails there),
			// an epoch value is out of range, as infinity is.
			d := fmt.Sprintf("(TRY_CAST(%s AS DOUBLE)%s)", src, div)
			ts = fmt.Sprintf("CASE WHEN abs(%[1]s) < 9e12 THEN to_timestamp(%[1]s) WHEN %[1]s IS NOT NULL THEN TIMESTAMPTZ 'infinity' END", d)
		case st == "VARCHAR" && format != "":
			ts = fmt.Sprintf("TRY_STRPTIME(%s, %s)", src, sqlquote.String(format)) // strptime skips surrounding white space
		case st == "VARCHAR":
			// A time with an offset or a zone name goes through
			// TIMESTAMPTZ, which converts it to the session's zone (the
			// source's). A naive time (nothing after the date but digits,
			// separators and spaces) is already a wall-clock time in that
			// zone: read as written, it skips the zone arithmetic, which
			// costs more than the parsing, and DuckDB's habit of reading
			// a naive time in the zone of an earlier row that named one.
			tz := fmt.Sprintf("TRY_CAST(TRY_CAST(%s AS TIMESTAMPTZ) AS TIMESTAMP)", src)
			return fmt.Sprintf("CAST(CASE WHEN regexp_matches(%[1]s[12:], '[A-Za-z+-]') THEN %[2]s ELSE coalesce(TRY_CAST(%[1]s AS TIMESTAMP), %[2]s) END AS %[3]s)", src, tz, f.Type)
		case st == "TIMESTAMP" || st == "DATE":
			return fmt.Sprintf("CAST(%s AS %s)", src, f.Type)
		case l.utc() && utcTimes[st]:
			// What the default gives in UTC, without the session's zone.
			if st == "TIMESTAMP WITH TIME ZONE" {
				return fmt.Sprintf("CAST(timezone('UTC', %s) AS %s)", src, f.Type)
			}
			return fmt.Sprintf("CAST(CAST(%s AS TIMESTAMP) AS %s)", src, f.Type)
		default:
			ts = fmt.Sprintf("TRY_CAST(%s AS TIMESTAMPTZ)", src)
		}
		return fmt.Sprintf("TRY_CAST(%s AS %s)", ts, f.Type)
	case "DOUBLE", "INTEGER":
		// DuckDB's casts from text ignore surrounding spaces.
		if st == "VARCHAR" && l.s.CSV.Decimal == "," {
			src = decimalComma(src)
		}
		if f.Type == "DOUBLE" {
			// NaN and ±Inf (text like "NaN", "inf" or 1e400, or such
			// values in a typed source) are no amount: rejected as
			// unparsable, as text that is no number is.
			return fmt.Sprintf("CASE WHEN isfinite(TRY_CAST(%[1]s AS DOUBLE)) THEN TRY_CAST(%[1]s AS DOUBLE) END", src)
		}
		return fmt.Sprintf("TRY_CAST(%s AS %s)", src, f.Type)
	case "BOOLEAN":
		if st == "VARCHAR" {
			return fmt.Sprintf("TRY_CAST(lower(trim(%s)) AS BOOLEAN)", src)
		}
		return fmt.Sprintf("TRY_CAST(%s AS BOOLEAN)", src)
	}
	return fmt.Sprintf("TRY_CAST(%s AS %s)", src, f.Type)
}

// finish records rejects and counts, then deletes from the stage table
// every row that is not used (filtered, rejected, after as_of, a
// duplicate) and makes the canonical dataset a view of what is left.
func (l *loader) finish(ctx context.Context) (Counts, error) {
	var c Counts
	k := string(l.k)
	table := "_persona_stage_" + k
	good := "__keep AND __why IS NULL"
	late := "false"
	ts := tsField(l.k)
	if l.k == Users {
		ts = "signup_date" // a user who signed up after as_of is not there yet
	}
	if ts != "" && l.asOf != nil {
		late = fmt.Sprintf("coalesce(%s > TIMESTAMP '%s', false)", sqlquote.Ident(ts), l.asOf.Format("2006-01-02 15:04:05"))
	}
	idw, work := "0", int64(0)
	if l.plain != "" {
		idw = "count(*) FILTER (WHERE __idw)"
	}
	if l.rowIDs {
		if err := l.numberRows(ctx, table); err != nil {
			return c, err
		}
	}
	// With the counts, the spread of the rows' times (see lateOutlier).
	spread := "NULL, NULL, NULL"
	if l.outlierCheck() {
		e := fmt.Sprintf("epoch(%s)", sqlquote.Ident(ts))
		spread = fmt.Sprintf("max(%[1]s) FILTER (WHERE %[2]s), avg(%[1]s) FILTER (WHERE %[2]s), stddev_pop(%[1]s) FILTER (WHERE %[2]s)", e, good)
	}
	err := l.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT __keep),
		count(*) FILTER (WHERE __keep AND __why IS NOT NULL), count(*) FILTER (WHERE `+good+` AND `+late+`), `+idw+`, `+spread+` FROM `+table).
		Scan(&c.Read, &c.Filtered, &c.Rejected, &c.AfterAsOf, &work, &l.spread.max, &l.spread.mean, &l.spread.sd)
	if err != nil {
		return c, err
	}
	if l.plain != "" && work == 0 {
		// Normalising would change no id (of any row, used or not).
		if err := l.exec(ctx, "CREATE OR REPLACE VIEW "+table+" AS "+l.plain); err != nil {
			return c, err
		}
	}
	if c.Rejected > 0 {
		if err := l.exec(ctx, `INSERT INTO _persona_rejects SELECT ?, `+l.fileName("__file")+`, `+l.line+`, __why.r, __why.c, __why.v
		FROM `+table+` WHERE __keep AND __why IS NOT NULL ORDER BY __file, 3`, k); err != nil {
			return c, fmt.Errorf("record rejects: %w", err)
		}
		if c.Reasons, err = l.reasons(ctx); err != nil {
			return c, err
		}
	}
	if c.AfterAsOf > 0 {
		if err := l.exec(ctx, fmt.Sprintf(`INSERT INTO _persona_rejects SELECT ?, %s, %s, 'after as_of (dropped by rule)', %s, CAST(%s AS VARCHAR)
			FROM %s WHERE %s AND %s ORDER BY __file, 3`, l.fileName("__file"), l.line, sqlquote.String(ts), sqlquote.Ident(ts), table, good, late), k); err != nil {
			return c, err
		}
	}
	good += " AND NOT " + late
	// used selects the rows to keep from the stage: those not deleted
	// from a stage table, all but the unused ones of a stage view.
	used := "true"
	switch unused := c.Filtered + c.Rejected + c.AfterAsOf; {
	case unused == 0:
	case l.lazy:
		used = good
	case c.Read > unused:
		// Rows are deleted in place: no copy of the data is made.
		if err := l.exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE NOT (%s)", table, good)); err != nil {
			return c, fmt.Errorf("drop unused rows: %w", err)
		}
	default:
		if err := l.exec(ctx, "DELETE FROM "+table); err != nil {
			return c, fmt.Errorf("drop unused rows: %w", err)
		}
	}
	var names []string
	for _, f := range Schema(l.k) {
		names = append(names, sqlquote.Ident(f.Name))
	}
	for _, p := range l.pass {
		names = append(names, sqlquote.Ident(p)) // source columns of custom features
	}
	cols := strings.Join(names, ", ")
	from := table
	if l.s.Duplicates != "keep" {
		if l.lazy {
			var skip string
			if c.Duplicates, skip, err = l.skipDuplicates(ctx, table, strings.Join(l.rowKey(), ", "), used); err != nil {
				return c, err
			}
			if skip != "" {
				// An anti join: NOT EXISTS costs ten times more.
				from += " ANTI JOIN " + skip + " ON " + skip + ".f = __file AND " + skip + ".l = __line"
			}
		} else if c.Duplicates, err = l.dropDuplicates(ctx, table, strings.Join(l.rowKey(), ", ")); err != nil {
			return c, err
		}
	}
	if err := l.fixLines(ctx); err != nil {
		return c, err
	}
	dropObject(ctx, l.db, k)
	q := fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM %s", k, cols, from)
	if used != "true" {
		q += " WHERE " + used
	}
	if err := l.exec(ctx, q); err != nil {
		return c, fmt.Errorf("create table: %w", err)
	}
	if err := l.attributeView(ctx, from, used); err != nil {
		return c, err
	}
	l.done = true
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM "+k).Scan(&c.Used); err != nil {
		return c, err
	}
	c.RowIDs = l.rowIDs
	if sum := c.Filtered + c.Rejected + c.AfterAsOf + c.Duplicates + c.Used; sum != c.Read {
		return c, fmt.Errorf("rows do not add up: %d read, %d accounted for (a bug)", c.Read, sum)
	}
	return c, nil
}

// dropDuplicates keeps one of each set of rows equal in every column of
// cols (the canonical fields and the source values they may not give
// back: the whole source row), the first in file order, records the
// others and returns their number. The stage's hash column (__h) finds the candidates cheaply;
// equal rows are then grouped exactly.
func (l *loader) dropDuplicates(ctx context.Context, table, cols string) (int64, error) {
	k := string(l.k)
	duph, dedup := "_persona_duph_"+k, "_persona_dedup_"+k
	if nh, err := l.candidates(ctx, duph, table, "true"); err != nil || nh == 0 {
		return 0, err
	}
	if l.byText {
		return l.dropByText(ctx, table, cols, "__h IN (SELECT h FROM "+duph+")")
	}
	cand := "__h IN (SELECT h FROM " + duph + ")"
	first := "{'f': __file, 'r': rowid}"
	line := strings.ReplaceAll(strings.ReplaceAll(l.line, "rowid", "__first.r"), "__file", "__first.f")
	if l.line == "__line" {
		// Lines are a column: the first row's comes along (rowids
		// being unique, it does not change which row is first).
		first, line = "{'f': __file, 'r': rowid, 'l': __line}", "__first.l"
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT %s, count(*) AS __n, min(%s) AS __first
		FROM %s WHERE %s GROUP BY ALL`, dedup, cols, first, table, cand)
	if err := l.exec(ctx, q); err != nil {
		return 0, fmt.Errorf("drop duplicates: %w", err)
	}
	if err := l.exec(ctx, `INSERT INTO _persona_rejects SELECT ?, `+l.fileName("__first.f")+`, `+line+`, 'duplicate: ' || (__n - 1) || ' more copies of this row dropped by rule', NULL, NULL
		FROM `+dedup+` WHERE __n > 1 ORDER BY __first.f, __first.r`, k); err != nil {
		return 0, err
	}
	var n int64
	if err := l.db.QueryRowContext(ctx, "SELECT coalesce(sum(__n - 1), 0) FROM "+dedup).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		q := fmt.Sprintf(`DELETE FROM %s WHERE %s AND rowid NOT IN (SELECT __first.r FROM %s)`, table, cand, dedup)
		if err := l.exec(ctx, q); err != nil {
			return 0, fmt.Errorf("drop duplicates: %w", err)
		}
	}
	return n, nil
}

// candidates creates table duph with the hashes (h) shared by more than
// one row of table that satisfies where, and returns their number: sorting
// the hashes costs less than grouping them, most being unique.
func (l *loader) candidates(ctx context.Context, duph, table, where string) (int64, error) {
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT DISTINCT h FROM (
		SELECT __h AS h, lag(__h) OVER (ORDER BY __h) AS p FROM %s WHERE %s) WHERE h = p`, duph, table, where)
	if err := l.exec(ctx, q); err != nil {
		return 0, fmt.Errorf("find duplicates: %w", err)
	}
	var n int64
	err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM "+duph).Scan(&n)
	return n, err
}

// skipDuplicates is dropDuplicates for a stage view (whose rows where
// used holds), which cannot lose rows: it records the file (f) and line
// (l) of the rows to skip in a table and returns their number and the
// table's name ("" when no row is skipped).
func (l *loader) skipDuplicates(ctx context.Context, table, cols, used string) (int64, string, error) {
	k := string(l.k)
	duph, dedup, skip := "_persona_duph_"+k, "_persona_dedup_"+k, "_persona_skip_"+k
	if nh, err := l.candidates(ctx, duph, table, used); err != nil || nh == 0 {
		return 0, "", err
	}
	// Rows with a shared hash, numbered within each set of equal rows in
	// file order (PARTITION BY, like GROUP BY, takes NULLs as equal).
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT __file AS f, __line AS l,
		row_number() OVER (PARTITION BY %s ORDER BY __file, __line) AS i, count(*) OVER (PARTITION BY %s) AS n
		FROM %s WHERE %s AND __h IN (SELECT h FROM %s)`, dedup, cols, cols, table, used, duph)
	if err := l.exec(ctx, q); err != nil {
		return 0, "", fmt.Errorf("drop duplicates: %w", err)
	}
	if err := l.exec(ctx, `INSERT INTO _persona_rejects SELECT ?, `+l.fileName("f")+`, l, 'duplicate: ' || (n - 1) || ' more copies of this row dropped by rule', NULL, NULL
		FROM `+dedup+` WHERE i = 1 AND n > 1 ORDER BY f, l`, k); err != nil {
		return 0, "", err
	}
	if err := l.exec(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT f, l FROM %s WHERE i > 1", skip, dedup)); err != nil {
		return 0, "", fmt.Errorf("drop duplicates: %w", err)
	}
	var n int64
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM "+skip).Scan(&n); err != nil {
		return 0, "", err
	}
	if n == 0 {
		return 0, "", nil
	}
	return n, skip, nil
}

// reasons counts the rejected rows per reason, from _persona_rejects
// (which holds no other row of the dataset yet: no table scan).
func (l *loader) reasons(ctx context.Context) (map[string]int64, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT reason, count(*) FROM _persona_rejects WHERE dataset = ? GROUP BY 1`, string(l.k))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var r string
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			return nil, err
		}
		out[r] = n
	}
	return out, rows.Err()
}

// dropObject drops a table or view called name, if there is one.
func dropObject(ctx context.Context, db *sql.DB, name string) {
	db.ExecContext(ctx, "DROP VIEW IF EXISTS "+sqlquote.Ident(name))
	db.ExecContext(ctx, "DROP TABLE IF EXISTS "+sqlquote.Ident(name))
}

// missingHint is what the error of a missing required field adds: a
// common way round it (requiredHint), else a join (joinHint).
func (l *loader) missingHint(field string, byName map[string]*field) string {
	if h := requiredHint(l.k, field, byName["user_id"].label, byName["timestamp"].label); h != "" {
		return h
	}
	return l.joinHint()
}

// joinHint points a file dataset missing a required field to a join:
// the field may be in another file (the customer of an order line is in
// the orders file).
func (l *loader) joinHint() string {
	if l.s.Query != "" || l.s.Postgres != nil || tsField(l.k) == "" {
		return ""
	}
	return fmt.Sprintf(", or join the file holding it (init --%s A --%s B; README)", l.k, l.k)
}

func tsField(k Kind) string {
	if k == Events || k == Transactions || k == Social {
		return "timestamp"
	}
	return "" // users and profiles tables
}

func (l *loader) firstReject(ctx context.Context) (Reject, error) {
	var r Reject
	var col, val sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT file, line, "column", value, reason FROM _persona_rejects
		WHERE dataset = ? AND NOT starts_with(reason, 'duplicate') AND NOT starts_with(reason, 'after as_of') ORDER BY file, line LIMIT 1`, string(l.k)).
		Scan(&r.File, &r.Line, &col, &val, &r.Reason)
	r.Column, r.Value = col.String, val.String
	return r, err
}

// Rejects returns the rejected rows of dataset k in file and line order,
// at most limit of them (limit <= 0: all).
func Rejects(ctx context.Context, db *sql.DB, k Kind, limit int) ([]Reject, error) {
	q := `SELECT file, line, coalesce("column", ''), coalesce(value, ''), reason FROM _persona_rejects WHERE dataset = ? ORDER BY file, line`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := db.QueryContext(ctx, q, string(k))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.File, &r.Line, &r.Column, &r.Value, &r.Reason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WriteRejects writes dir/<dataset>.csv (file, line, reason, column, value)
// for every dataset with rejected or dropped rows, each file atomically, and
// returns their paths. Go writes them, not DuckDB, which a load sandboxes.
func WriteRejects(ctx context.Context, db *sql.DB, dir string) ([]string, error) {
	var written []string
	kinds := slices.Clone(Kinds)
	rows, err := db.QueryContext(ctx, "SELECT DISTINCT dataset FROM _persona_rejects ORDER BY 1")
	if err != nil {
		return nil, fmt.Errorf("list rejects: %w", err)
	}
	for rows.Next() {
		var k Kind
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k) // a profiles table
		}
	}
	rows.Close()
	for _, k := range kinds {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM _persona_rejects WHERE dataset = ?", string(k)).Scan(&n); err != nil {
			return written, fmt.Errorf("count rejects: %w", err)
		}
		if n == 0 {
			continue
		}
		path, err := writeRejectFile(dir, k, func(cw *csv.Writer) error {
			rows, err := db.QueryContext(ctx, `SELECT file, CAST(line AS VARCHAR), reason, "column", value FROM _persona_rejects WHERE dataset = ? ORDER BY file, line`, string(k))
			if err != nil {
				return err
			}
			defer rows.Close()
			var rec [5]sql.NullString
			for rows.Next() {
				if err := rows.Scan(&rec[0], &rec[1], &rec[2], &rec[3], &rec[4]); err != nil {
					return err
				}
				cw.Write([]string{rec[0].String, rec[1].String, rec[2].String, rec[3].String, rec[4].String})
			}
			return rows.Err()
		})
		if err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// writeRejectFile writes dir/<k>.csv atomically: the header file, line,
// reason, column, value, then the rows fill writes; it returns the path.
func writeRejectFile(dir string, k Kind, fill func(*csv.Writer) error) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, string(k)+".csv")
	err := atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"file", "line", "reason", "column", "value"})
		if err := fill(cw); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
	return path, err
}

// shortError makes a DuckDB error one short line: the first lines of its
// message, without DuckDB's lists of fixes and reader options, the SQL it
// points into (persona's, not the user's to act on) or more than
// maxEcho bytes of the data it quotes; a sniffer's failure and text in
// another encoding are said in persona's terms.
func shortError(err error) error {
	if s := sandboxed(err); s != nil {
		return s
	}
	msg := err.Error()
	line := ""
	if m := csvLineRE.FindStringSubmatch(msg); m != nil {
		line = "line " + m[1] + ": "
	}
	switch {
	case strings.Contains(msg, "Error when sniffing file"):
		return errors.New("cannot tell how it is written as CSV (delimiter, quote, escape): set csv.delimiter, csv.quote and csv.escape, or check that it is a CSV text file")
	case strings.Contains(msg, "Invalid unicode"):
		return fmt.Errorf("%sno UTF-8 text: set csv.encoding (latin-1 or utf-16)", line)
	}
	var keep []string
	for _, l := range strings.Split(msg, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "Possible") || strings.HasPrefix(t, "LINE ") || strings.HasPrefix(t, "Candidate functions") || strings.HasPrefix(t, "Either add it") ||
			strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(t, "See also") {
			break
		}
		if t == "" {
			continue
		}
		if v, ok := strings.CutPrefix(t, "Original Line: "); ok {
			t = "the line: " + clip(v, maxEcho)
		}
		keep = append(keep, clipQuoted(t))
	}
	if len(keep) == 0 {
		keep = strings.Fields(msg) // all indented: its words, on one line
	}
	// a quote may open on one line and close on the next: clip again
	out := clipQuoted(strings.ReplaceAll(strings.Join(keep, "; "), "\r", `\r`))
	if out == msg && len(out) <= 3*maxEcho {
		return err
	}
	return errors.New(clip(out, 3*maxEcho))
}

// maxEcho is the most bytes of a value an error quotes.
const maxEcho = 100

// longQuotedRE matches a value DuckDB quotes in a message that is longer
// than maxEcho: a string in single or double quotes.
var longQuotedRE = regexp.MustCompile(`'[^']{101,}'|"[^"]{101,}"`)

// clipQuoted shortens each quoted value of a DuckDB message longer than
// maxEcho bytes (Could not convert string '…' quotes the whole value).
func clipQuoted(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	return longQuotedRE.ReplaceAllStringFunc(s, func(q string) string {
		return q[:1] + clip(q[1:len(q)-1], maxEcho) + q[:1]
	})
}

var csvLineRE = regexp.MustCompile(`CSV Error on Line: (\d+)`)

// repeatedUsers warns when rows of the per-user table k share a user_id:
// the features take each attribute's least value over a user's rows (a
// mix of them), which is rarely what a table of one row per customer
// means, so the user should see it rather than a smaller user count.
func repeatedUsers(ctx context.Context, db *sql.DB, k Kind) (string, error) {
	var rows, users int64
	var example sql.NullString
	q := fmt.Sprintf(`SELECT count(*), count(DISTINCT user_id),
		(SELECT user_id FROM %[1]s WHERE user_id IS NOT NULL GROUP BY user_id HAVING count(*) > 1 ORDER BY user_id LIMIT 1)
		FROM %[1]s WHERE user_id IS NOT NULL`, attrView(k))
	if err := db.QueryRowContext(ctx, q).Scan(&rows, &users, &example); err != nil {
		return "", fmt.Errorf("count users of %s: %w", k, err)
	}
	if rows == users {
		return "", nil
	}
	return fmt.Sprintf("%d rows hold %d distinct user_ids: %d repeat the user_id of an earlier row (e.g. %s); each attribute and outcome takes its least value over a user's rows: map user_id to a column that is one per row, or filter the rows",
		rows, users, rows-users, strconv.Quote(clip(example.String, 100))), nil
}
