package dataset

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// csvFile is a CSV (or JSON lines) file as read: the file parsed (a
// decompressed copy for a .gz file) and its dialect, so that the lines of
// its rows can be found.
type csvFile struct {
	path          string
	quote, escape byte   // 0: none (JSON lines)
	delim         string // a CSV file's delimiter
	records       int64  // rows read, header included
	// spaces says that a line of spaces and tabs is empty (JSON lines);
	// in a CSV file only "" and "\r" are.
	spaces bool
	// array is a JSON file holding one array of records, not a record a
	// line: its rows are named by their number.
	array bool
}

// fixLines turns the record numbers that the rejects of l's CSV and JSON
// lines files carry into the lines of the files. DuckDB gives rows in
// order but skips empty lines and reads a quoted value across line breaks
// as one row, so the n-th record (a CSV header is the first) need not be
// on line n. Files in another encoding than UTF-8 or Latin-1, or whose
// records cannot all be found again, keep their record numbers.
func (l *loader) fixLines(ctx context.Context) error {
	if len(l.csv) == 0 {
		return nil
	}
	if !l.byteEncoding() {
		return nil
	}
	for i, f := range l.csv {
		if f.array {
			continue
		}
		rows, err := l.db.QueryContext(ctx, `SELECT DISTINCT line FROM _persona_rejects WHERE dataset = ? AND file = ? AND line IS NOT NULL ORDER BY line`, string(l.k), l.names[i])
		if err != nil {
			return err
		}
		var want []int64
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			want = append(want, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(want) == 0 {
			continue
		}
		if same, err := oneRecordPerLine(f); err != nil || same {
			continue
		}
		lines, err := recordLines(f, want)
		if err != nil || lines == nil {
			continue // keep the record numbers
		}
		var pairs []string
		for j, n := range want {
			if lines[j] != n {
				pairs = append(pairs, fmt.Sprintf("(%d, %d)", n, lines[j]))
			}
		}
		for len(pairs) > 0 {
			batch := pairs[:min(len(pairs), 10_000)]
			pairs = pairs[len(batch):]
			q := `UPDATE _persona_rejects r SET line = m.line FROM (VALUES ` + strings.Join(batch, ", ") + `) AS m(rec, line)
				WHERE r.dataset = ? AND r.file = ? AND r.line = m.rec`
			if err := l.exec(ctx, q, string(l.k), l.names[i]); err != nil {
				return fmt.Errorf("find the lines of rejected rows: %w", err)
			}
		}
	}
	return nil
}

// recordLines returns the line on which each of the records want (1-based,
// ascending, distinct; the header, if any, is record 1) starts in the file
// f: records are separated by line breaks outside quotes, and empty lines
// are not records. It returns nil when the file ends before the last one.
func recordLines(f csvFile, want []int64) ([]int64, error) {
	out := make([]int64, 0, len(want))
	found, err := scanRecords(f, want, false, func(_ int, start int64, _ []byte) { out = append(out, start) })
	if err != nil || !found {
		return nil, err
	}
	return out, nil
}

// recordTexts returns the text of each of the records want of the file f
// (as recordLines finds them), without its line break; nil when the file
// ends before the last one.
func recordTexts(f csvFile, want []int64) ([]string, error) {
	out := make([]string, 0, len(want))
	found, err := scanRecords(f, want, true, func(_ int, _ int64, text []byte) { out = append(out, string(text)) })
	if err != nil || !found {
		return nil, err
	}
	return out, nil
}

// scanRecords finds the records want of the file f in order and calls emit
// with the index in want of each, the line it starts on and, with text, its
// text (without its line break; valid during the call only). It reports
// whether it found them all.
func scanRecords(f csvFile, want []int64, text bool, emit func(i int, start int64, text []byte)) (bool, error) {
	if !slices.IsSorted(want) {
		return false, fmt.Errorf("records not in order")
	}
	if len(want) == 0 {
		return true, nil
	}
	file, err := openPlain(f.path)
	if err != nil {
		return false, err
	}
	defer file.Close()
	var (
		found           int    // records of want found
		cur             []byte // the text so far of the record being read, when it is wanted
		line, start     int64  = 1, 1
		rec             int64
		content, quoted bool
		escaped         bool
		quote, esc      = f.quote, f.escape
		separateEscape  = esc != 0 && esc != quote
		capture         = text && len(want) > 0 && want[0] == 1
	)
	// end ends a stretch of the file at a line break outside quotes (or at
	// its end): a record, unless it was empty. It reports whether every
	// record wanted is found.
	end := func() bool {
		if content {
			rec++
			if rec == want[found] {
				emit(found, start, bytes.TrimSuffix(cur, []byte{'\r'}))
				found++
			}
		}
		if found == len(want) {
			return true
		}
		cur = cur[:0]
		capture = text && rec+1 == want[found]
		return false
	}
	buf := make([]byte, 1<<20)
	for {
		n, err := file.Read(buf)
		data := buf[:n]
		for len(data) > 0 {
			// Most lines hold no quote: they are found a line at a time.
			nl := bytes.IndexByte(data, '\n')
			if !quoted && !escaped && nl >= 0 && (quote == 0 || bytes.IndexByte(data[:nl], quote) < 0) && (!separateEscape || bytes.IndexByte(data[:nl], esc) < 0) {
				if f.spaces && len(bytes.TrimSpace(data[:nl])) > 0 || !f.spaces && (nl > 1 || nl == 1 && data[0] != '\r') {
					content = true
				}
				if capture {
					cur = append(cur, data[:nl]...)
				}
				line++
				if end() {
					return true, nil
				}
				start, content = line, false
				data = data[nl+1:]
				continue
			}
			b := data[0]
			data = data[1:]
			if capture && (b != '\n' || quoted) {
				cur = append(cur, b)
			}
			switch {
			case escaped:
				escaped, content = false, true
			case quoted && separateEscape && b == esc:
				escaped, content = true, true
			case b == quote && quote != 0:
				quoted, content = !quoted, true
			case b == '\n':
				line++
				if !quoted {
					if end() {
						return true, nil
					}
					start, content = line, false
				}
			case b != '\r' && !(f.spaces && (b == ' ' || b == '\t')):
				content = true
			}
		}
		if err == io.EOF {
			if end() {
				return true, nil
			}
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// oneRecordPerLine reports whether f has as many lines as records, that is
// no empty line and no quoted line break: each record is then on the line
// of its number.
func oneRecordPerLine(f csvFile) (bool, error) {
	file, err := openPlain(f.path)
	if err != nil {
		return false, err
	}
	defer file.Close()
	buf := make([]byte, 1<<20)
	var lines int64
	var last byte
	for {
		n, err := file.Read(buf)
		if n > 0 {
			lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
			last = buf[n-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, err
		}
	}
	if last != '\n' && last != 0 {
		lines++ // a last line without a line break
	}
	return lines == f.records, nil
}

// checkSniffed returns why the CSV file path (perhaps gzipped) cannot be
// read as sniffed, if it can tell: the file is empty, or the sniffer found
// one column whose name holds a delimiter (it could not settle on one,
// some rows having another number of fields than the header).
func checkSniffed(path string, sn *sniffed) error {
	in, err := openPlain(path)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := in.Read(make([]byte, 1)); err == io.EOF {
		return errors.New("the file is empty (not even a header line)")
	}
	if len(sn.Columns) != 1 {
		return nil
	}
	for _, d := range []rune{',', ';', '\t', '|'} {
		if strings.ContainsRune(sn.Columns[0].Name, d) {
			if err := raggedRow(path, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// openPlain opens path, decompressing it when its name ends in .gz or
// .zst (as DuckDB does).
func openPlain(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	switch lower := strings.ToLower(path); {
	case strings.HasSuffix(lower, ".gz"):
		z, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("not a gzip file (it ends in .gz): %w", err)
		}
		return readCloser{z, func() error { z.Close(); return f.Close() }}, nil
	case strings.HasSuffix(lower, ".zst"):
		z, err := zstd.NewReader(bufio.NewReader(f), zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("not a zstd file (it ends in .zst): %w", err)
		}
		return readCloser{z, func() error { z.Close(); return f.Close() }}, nil
	}
	return f, nil
}

// readCloser is a decompressing reader and what closes it and its file.
type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// raggedRow returns an error naming the first row of the CSV file path
// (perhaps gzipped; fields separated by delim, quoted with ") whose number
// of fields differs from the header's, or nil when there is none.
func raggedRow(path string, delim rune) error {
	file, err := openPlain(path)
	if err != nil {
		return err
	}
	defer file.Close()
	r := csv.NewReader(bufio.NewReaderSize(file, 1<<20))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = delim, true, -1
	header, err := r.Read()
	if err != nil {
		return nil
	}
	for {
		rec, err := r.Read()
		if err != nil {
			return nil
		}
		if len(rec) != len(header) {
			line, _ := r.FieldPos(0)
			return fmt.Errorf("line %d has %d fields separated by %q where the header has %d (%s)",
				line, len(rec), delim, len(header), clip(strings.Join(header, ", "), 200))
		}
	}
}

// badJSONLine returns the first line of the JSON lines file path (perhaps
// gzipped) that is neither blank nor a JSON value, and why, or 0 and nil.
func badJSONLine(path string) (int, error) {
	in, err := openPlain(path)
	if err != nil {
		return 0, nil
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return line, err
		}
	}
	return 0, nil
}

// jsonArray reports whether the JSON file path (perhaps compressed) holds
// an array, that is starts with "[" (after white space).
func jsonArray(path string) bool {
	in, err := openPlain(path)
	if err != nil {
		return false
	}
	defer in.Close()
	r := bufio.NewReader(in)
	for {
		b, err := r.ReadByte()
		if err != nil {
			return false
		}
		switch b {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf: // white space, a UTF-8 BOM
			continue
		}
		return b == '['
	}
}

// maxJSONDepth is how deeply a JSON record may nest arrays and objects
// (a JSON file holding one array of records counts that array too).
// DuckDB's JSON reader recurses without a bound: 20,000 levels of [ crash
// the process.
const maxJSONDepth = 100

// tooDeepJSON returns the line of the JSON file path (perhaps compressed)
// on which arrays and objects first nest deeper than limit, or 0. Brackets
// inside strings do not count.
func tooDeepJSON(path string, limit int) (int64, error) {
	in, err := openPlain(path)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	buf := make([]byte, 1<<20)
	var (
		line        int64 = 1
		depth       int
		str, escape bool
	)
	for {
		n, err := in.Read(buf)
		for _, b := range buf[:n] {
			switch {
			case escape:
				escape = false
			case str:
				switch b {
				case '\\':
					escape = true
				case '"':
					str = false
				case '\n': // a broken record: the next line starts afresh
					str, depth = false, 0
					line++
				}
			case b == '"':
				str = true
			case b == '[' || b == '{':
				if depth++; depth > limit {
					return line, nil
				}
			case b == ']' || b == '}':
				depth = max(depth-1, 0)
			case b == '\n':
				line++
			}
		}
		if err == io.EOF {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// checkJSONDepth returns an error naming the line of the JSON file path
// (shown as name) that nests deeper than maxJSONDepth, if any.
func checkJSONDepth(path, name string) error {
	line, err := tooDeepJSON(path, maxJSONDepth)
	switch {
	case err != nil:
		return fmt.Errorf("read %s: %w", name, err)
	case line > 0:
		return fmt.Errorf("read %s: line %d nests arrays and objects more than %d levels deep (the most persona reads)", name, line, maxJSONDepth)
	}
	return nil
}
