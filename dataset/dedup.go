package dataset

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// byteEncoding reports whether the source's files are read byte by byte as
// they are (UTF-8 or Latin-1, or Windows-1252, read from a UTF-8 copy with
// the same lines), so that the records found in them are those DuckDB read.
func (l *loader) byteEncoding() bool {
	enc := strings.ToLower(l.s.CSV.Encoding)
	return enc == "" || strings.HasPrefix(enc, "utf8") || strings.HasPrefix(enc, "utf-8") || strings.Contains(enc, "latin") || windows1252(enc)
}

// dropByText is dropDuplicates for a stage table read from CSV or JSON
// lines files (l.csv): of the rows where cand holds that are equal in every
// column of cols (the canonical fields), those whose text in the file is
// the same are duplicates. The first of each set in file order is kept and
// listed with the number of its copies; the copies are deleted.
func (l *loader) dropByText(ctx context.Context, table, cols, cand string) (int64, error) {
	// The rows equal to another in every canonical field, each with its
	// set (the rowid of the set's first row), in file order: rowids grow
	// with files and records.
	rows, err := l.db.QueryContext(ctx, fmt.Sprintf(`SELECT __file, %s, rowid, g FROM (
		SELECT __file, rowid, min(rowid) OVER (PARTITION BY %s) AS g, count(*) OVER (PARTITION BY %s) AS n
		FROM %s WHERE %s) WHERE n > 1 ORDER BY rowid`, l.line, cols, cols, table, cand))
	if err != nil {
		return 0, fmt.Errorf("find duplicates: %w", err)
	}
	type member struct{ rec, row, set int64 }
	byFile := make([][]member, len(l.csv))
	for rows.Next() {
		var f int
		var m member
		if err := rows.Scan(&f, &m.rec, &m.row, &m.set); err != nil {
			rows.Close()
			return 0, err
		}
		byFile[f] = append(byFile[f], m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	type first struct {
		file        int
		rec, copies int64
	}
	type key struct {
		set  int64
		text string
	}
	firsts := map[key]*first{}
	var (
		kept []*first // in file order
		drop []string // rowids of the copies
	)
	for f, ms := range byFile {
		if len(ms) == 0 {
			continue
		}
		want := make([]int64, len(ms))
		for i, m := range ms {
			want[i] = m.rec
		}
		found, err := scanRecords(l.csv[f], want, true, func(i int, _ int64, text []byte) {
			m := ms[i]
			if fs := firsts[key{m.set, string(text)}]; fs != nil {
				fs.copies++
				drop = append(drop, strconv.FormatInt(m.row, 10))
				return
			}
			fs := &first{file: f, rec: m.rec}
			firsts[key{m.set, string(text)}] = fs
			kept = append(kept, fs)
		})
		if err != nil {
			return 0, fmt.Errorf("drop duplicates: read %s: %w", l.display[f], err)
		}
		if !found {
			return 0, fmt.Errorf("drop duplicates: %s has fewer records than were read (a bug)", l.display[f])
		}
	}
	if len(drop) == 0 {
		return 0, nil
	}
	// The lists go to DuckDB as text, cheaper to parse than VALUES.
	var files, recs, copies []string
	for _, fs := range kept {
		if fs.copies > 0 {
			files = append(files, strconv.Itoa(fs.file))
			recs = append(recs, strconv.FormatInt(fs.rec, 10))
			copies = append(copies, strconv.FormatInt(fs.copies, 10))
		}
	}
	list := func(p int) string { return fmt.Sprintf("unnest(CAST(string_split($%d, ',') AS BIGINT[]))", p) }
	if err := l.exec(ctx, fmt.Sprintf(`INSERT INTO _persona_rejects SELECT $1, %s, rec, 'duplicate: ' || n || ' more copies of this row dropped by rule', NULL, NULL
		FROM (SELECT %s AS f, %s AS rec, %s AS n)`, l.fileName("f"), list(2), list(3), list(4)),
		string(l.k), strings.Join(files, ","), strings.Join(recs, ","), strings.Join(copies, ",")); err != nil {
		return 0, fmt.Errorf("record duplicates: %w", err)
	}
	if err := l.exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE rowid IN (SELECT %s)", table, list(1)), strings.Join(drop, ",")); err != nil {
		return 0, fmt.Errorf("drop duplicates: %w", err)
	}
	return int64(len(drop)), nil
}
