package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// readMatrixCSVCompact reads a numeric CSV with the rules of readMatrixCSV
// but within the memory of the matrix itself: a first pass counts the lines
// so that the matrix is allocated once at its final size, and the second
// pass parses the unquoted fields in place without allocating per row.
// Files that contain a double quote go through readMatrixCSV.
func readMatrixCSVCompact(path string) (*mat.Dense, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	lines, quoted, err := kmeansCountLines(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if quoted {
		return readMatrixCSV(path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return kmeansParseUnquoted(path, bufio.NewReaderSize(f, 1<<20), lines)
}

// kmeansCountLines returns the number of lines of r (a last line without a
// newline counts) and whether r contains a double quote.
func kmeansCountLines(r io.Reader) (lines int, quoted bool, err error) {
	buf := make([]byte, 1<<20)
	last := byte('\n')
	for {
		n, err := r.Read(buf)
		if n > 0 {
			lines += bytes.Count(buf[:n], []byte{'\n'})
			quoted = quoted || bytes.IndexByte(buf[:n], '"') >= 0
			last = buf[n-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false, err
		}
	}
	if last != '\n' {
		lines++
	}
	return lines, quoted, nil
}

// kmeansParseUnquoted parses a CSV without quotes as encoding/csv and
// parseMatrixCSV would: empty lines are skipped, "\r\n" ends a line, every
// record has the first record's number of fields, a first record that is
// not all numbers is the header, fields are trimmed of spaces and must be
// finite numbers. maxRows bounds the number of records.
func kmeansParseUnquoted(name string, br *bufio.Reader, maxRows int) (*mat.Dense, []string, error) {
	var (
		data  []float64
		hdr   []string
		d     int
		rows  int
		long  []byte // a line longer than the reader's buffer
		field []byte
	)
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
			line = long
		}
		if err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		atEOF := err == io.EOF
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > 0 {
			nf := bytes.Count(line, []byte{','}) + 1
			if d == 0 {
				d = nf
				rec := make([]string, 0, nf)
				for f := range bytes.SplitSeq(line, []byte{','}) {
					rec = append(rec, string(f))
				}
				if !allNumbers(rec) {
					hdr = rec
					if atEOF {
						break
					}
					continue
				}
				data = make([]float64, 0, maxRows*d)
			} else if nf != d {
				return nil, nil, &CSVError{File: name, Line: lineNo, Column: 1, Err: csv.ErrFieldCount}
			}
			if data == nil {
				data = make([]float64, 0, maxRows*d)
			}
			rest := line
			for j := 0; j < d; j++ {
				field = rest
				if c := bytes.IndexByte(rest, ','); c >= 0 {
					field, rest = rest[:c], rest[c+1:]
				}
				v, err := strconv.ParseFloat(string(bytes.TrimSpace(field)), 64)
				if err != nil {
					return nil, nil, &CSVError{File: name, Line: lineNo, Column: j + 1, Err: fmt.Errorf("%q is not a number", field)}
				}
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, nil, &CSVError{File: name, Line: lineNo, Column: j + 1, Err: fmt.Errorf("%q is not a finite number", field)}
				}
				data = append(data, v)
			}
			rows++
		}
		if atEOF {
			break
		}
	}
	if rows == 0 {
		return nil, nil, errors.New(name + ": no data rows")
	}
	return mat.NewDense(rows, d, data[:rows*d:rows*d]), hdr, nil
}
