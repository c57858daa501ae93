package cli

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/atomicfile"
)

// CSVError locates a problem in an input CSV file.
type CSVError struct {
	File   string
	Line   int // 1-based line number in the file
	Column int // 1-based column number, 0 when the whole row is at fault
	Err    error
}

func (e *CSVError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%s: line %d, column %d: %v", e.File, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%s: line %d: %v", e.File, e.Line, e.Err)
}

func (e *CSVError) Unwrap() error { return e.Err }

// readMatrixCSV reads a CSV of numbers, one row per point. A first row that is
// not all numbers is taken as a header and returned as names. Every row must
// have the same number of fields, and every value must be a finite number.
func readMatrixCSV(path string) (x *mat.Dense, names []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return parseMatrixCSV(path, bufio.NewReaderSize(f, 1<<20))
}

func parseMatrixCSV(name string, r io.Reader) (*mat.Dense, []string, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0
	var (
		data []float64
		d    int
		rows int
		hdr  []string
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, &CSVError{File: name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
			}
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if d == 0 {
			d = len(rec)
			if !allNumbers(rec) {
				hdr = append([]string(nil), rec...)
				continue
			}
		}
		for j, s := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, nil, &CSVError{File: name, Line: line, Column: j + 1, Err: fmt.Errorf("%q is not a number", s)}
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, &CSVError{File: name, Line: line, Column: j + 1, Err: fmt.Errorf("%q is not a finite number", s)}
			}
			data = append(data, v)
		}
		rows++
	}
	if rows == 0 {
		return nil, nil, fmt.Errorf("%s: no data rows", name)
	}
	return mat.NewDense(rows, d, data), hdr, nil
}

func allNumbers(rec []string) bool {
	for _, s := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return false
		}
	}
	return true
}

// readLabelsCSV reads one integer label per row from the first column of a
// CSV file, skipping a header row that is not a number.
func readLabelsCSV(path string) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.FieldsPerRecord = -1
	var labels []int
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		s := strings.TrimSpace(rec[0])
		v, err := strconv.Atoi(s)
		if err != nil {
			if first {
				first = false
				continue
			}
			return nil, &CSVError{File: path, Line: line, Column: 1, Err: fmt.Errorf("%q is not an integer label", s)}
		}
		first = false
		labels = append(labels, v)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%s: no labels", path)
	}
	return labels, nil
}

// writeLabelsCSV writes labels with the header "label", atomically.
func writeLabelsCSV(path string, labels []int) error {
	return writeIntColumn(path, "label", labels)
}

// writeIntColumn writes one integer column with a header, atomically.
func writeIntColumn(path, header string, v []int) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		buf := make([]byte, 0, 32)
		if _, err := io.WriteString(w, header+"\n"); err != nil {
			return err
		}
		for _, l := range v {
			buf = strconv.AppendInt(buf[:0], int64(l), 10)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeMatrixCSV writes x with a header x0..x{d-1}, floats in the shortest
// form that round-trips, atomically.
func writeMatrixCSV(path string, x mat.Matrix, header []string) error {
	r, c := x.Dims()
	if header == nil {
		header = make([]string, c)
		for j := range header {
			header[j] = "x" + strconv.Itoa(j)
		}
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, strings.Join(header, ",")+"\n"); err != nil {
			return err
		}
		buf := make([]byte, 0, 64*c)
		for i := 0; i < r; i++ {
			buf = buf[:0]
			for j := 0; j < c; j++ {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = strconv.AppendFloat(buf, x.At(i, j), 'g', -1, 64)
			}
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}
