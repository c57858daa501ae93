package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// sourceKind is the kind a named source is loaded under (its config key).
func sourceKind(name string) Kind { return Kind("sources." + name) }

// RowColumn is the column of a source's table that says where each row
// came from: {file, line}. A query that keeps it (SELECT o.*, or
// o._row_orders) has its rejects named by that file and line.
func RowColumn(source string) string { return "_row_" + source }

// sourceNames lists the config's sources in name order.
func (c *Config) sourceNames() []string {
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// loaded is what loading the sources left for the datasets that query
// them: the files read (display names, and the CSV files for fixLines,
// index for index).
type loaded struct {
	names []string
	csv   []csvFile
}

// loadSources reads every named source into a table of its name: its
// columns typed as sniffed where every value converts (else kept as text),
// and RowColumn(name) = {file, line}.
func loadSources(ctx context.Context, db *sql.DB, cfg *Config, files map[Kind][]string, work string) (*loaded, error) {
	ld := &loaded{}
	for _, name := range cfg.sourceNames() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s := cfg.Sources[name]
		l := &loader{db: db, k: sourceKind(name), s: s, cfg: cfg, paths: files[sourceKind(name)], work: work, keepAll: true}
		if err := l.loadSource(ctx, name); err != nil {
			return nil, fmt.Errorf("sources.%s: %w", name, err)
		}
		ld.names = append(ld.names, l.names...)
		csv := slices.Clone(l.csv)
		for len(csv) < len(l.names) {
			csv = append(csv, csvFile{array: true}) // Parquet: rows are numbered
		}
		ld.csv = append(ld.csv, csv...)
	}
	return ld, nil
}

// loadSource reads one source into the table name.
func (l *loader) loadSource(ctx context.Context, name string) error {
	defer l.cleanup(ctx)
	tz := l.s.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	if err := l.exec(ctx, "SET TimeZone = "+sqlquote.String(tz)); err != nil {
		return fmt.Errorf("time zone %s: %w", tz, err)
	}
	if err := l.openSource(ctx); err != nil {
		return err
	}
	if l.perFile == nil {
		if err := l.describe(ctx); err != nil {
			return err
		}
	}
	table := "_persona_src_" + name
	var cols []string
	for _, c := range l.cols {
		cols = append(cols, sqlquote.Ident(c.name))
	}
	sel := strings.Join(cols, ", ")
	dropObject(ctx, l.db, table)
	line := "__line"
	if l.perFile == nil {
		if err := l.exec(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT %s, __file, __line FROM %s", table, sel, l.raw)); err != nil {
			return fmt.Errorf("read %s: %w", strings.Join(l.names, ", "), shortError(err))
		}
	} else {
		// One file at a time: a row's record number is its rowid less
		// its file's first rowid (as in the stage).
		starts := make([]string, len(l.perFile))
		var n int64
		for i, rel := range l.perFile {
			q := "INSERT INTO " + table + " "
			if i == 0 {
				q = "CREATE TABLE " + table + " AS "
			}
			if err := l.exec(ctx, fmt.Sprintf("%sSELECT %s, __file FROM %s", q, sel, rel)); err != nil {
				if l.format() == "json" && sandboxed(err) == nil {
					return l.jsonError(l.display[i], l.csv[i].path, err)
				}
				if rerr := l.raggedError(i, err); rerr != nil {
					return rerr
				}
				return l.rowsError(l.display[i], err)
			}
			starts[i] = fmt.Sprint(n - int64(l.header) - 1)
			if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
		}
		line = fmt.Sprintf("(rowid - [%s][__file + 1])", strings.Join(starts, ", "))
	}
	// Text columns take the type the sniffer saw when every value has it.
	typed := make([]string, len(l.cols))
	var checks []string
	for i, c := range l.cols {
		typed[i] = sqlquote.Ident(c.name)
		if c.typ == "VARCHAR" && c.guess != "" && c.guess != "VARCHAR" || c.comma {
			v := fmt.Sprintf("TRY_CAST(%s AS %s)", sqlquote.Ident(c.name), c.guess)
			if c.comma {
				v = fmt.Sprintf("TRY_CAST(%s AS DOUBLE)", decimalComma(sqlquote.Ident(c.name)))
			}
			checks = append(checks, fmt.Sprintf("count(%s) = count(%s)", sqlquote.Ident(c.name), v))
			typed[i] = v
		}
	}
	if len(checks) > 0 {
		ok := make([]bool, len(checks))
		dest := make([]any, len(checks))
		for i := range ok {
			dest[i] = &ok[i]
		}
		if err := l.db.QueryRowContext(ctx, "SELECT "+strings.Join(checks, ", ")+" FROM "+table).Scan(dest...); err != nil {
			return fmt.Errorf("type the columns: %w", shortError(err))
		}
		k := 0
		for i, c := range l.cols {
			if strings.HasPrefix(typed[i], "TRY_CAST") {
				if !ok[k] {
					typed[i] = sqlquote.Ident(c.name)
				} else {
					typed[i] += " AS " + sqlquote.Ident(c.name)
				}
				k++
			}
		}
	}
	file := fmt.Sprintf("%s[__file + 1]", sqlquote.Array(l.names))
	q := fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT %s, {'file': %s, 'line': CAST(%s AS BIGINT)} AS %s FROM %s",
		sqlquote.Ident(name), strings.Join(typed, ", "), file, line, sqlquote.Ident(RowColumn(name)), table)
	if err := l.exec(ctx, q); err != nil {
		return fmt.Errorf("make the table %s: %w", name, shortError(err))
	}
	return nil
}

// openQuery makes the dataset's rows from its query over the sources: a
// table of the query's result, whose rows are named by the file and line
// of the source row they came from when the query keeps exactly one
// source's RowColumn, else by their number in the result ("the query of
// KEY", row N).
func (l *loader) openQuery(ctx context.Context) error {
	q := strings.TrimRight(strings.TrimSpace(l.s.Query), ";")
	table := "_persona_q_" + strings.ReplaceAll(string(l.k), ".", "_")
	l.temp = table
	dropObject(ctx, l.db, table)
	if err := l.exec(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM (%s)", table, q)); err != nil {
		if se := sandboxed(err); se != nil {
			err = se
		}
		return &ConfigError{Key: l.key() + ".query", Err: shortError(err)}
	}
	rows, err := l.db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+table+")")
	if err != nil {
		return err
	}
	var lineage []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		if strings.HasPrefix(name, "_row_") && strings.HasPrefix(typ, "STRUCT") {
			lineage = append(lineage, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	exclude := ""
	if len(lineage) > 0 {
		var q []string
		for _, c := range lineage {
			q = append(q, sqlquote.Ident(c))
		}
		exclude = " EXCLUDE (" + strings.Join(q, ", ") + ")"
	}
	l.names = slices.Clone(l.src.names)
	l.csv = slices.Clone(l.src.csv)
	if len(lineage) == 1 {
		c := sqlquote.Ident(lineage[0])
		l.raw = fmt.Sprintf("(SELECT *%s, CAST(list_position(%s, %s.file) - 1 AS INTEGER) AS __file, %s.line AS __line FROM %s)",
			exclude, sqlquote.Array(l.names), c, c, table)
	} else {
		l.names = append(l.names, "the query of "+l.key())
		l.csv = append(l.csv, csvFile{array: true})
		l.raw = fmt.Sprintf("(SELECT *%s, CAST(%d AS INTEGER) AS __file, rowid + 1 AS __line FROM %s)", exclude, len(l.names)-1, table)
	}
	l.typed = true
	return l.describe(ctx)
}
