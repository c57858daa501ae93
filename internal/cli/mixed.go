package cli

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/cluster"
)

// mixedHelp explains the input of the mixed-type commands; it is part of
// their --help.
const mixedHelp = `Input: a CSV file with a header row, one row per customer. Columns whose
values are all numbers are numeric; any other column is nominal (a
category: every distinct text is a level). An empty field, NA, NaN or null
is a missing value. Declare other types with --type NAME=TYPE (repeat the
flag for several columns):

  numeric             interval-scaled number
  nominal             unordered category
  ordinal:A<B<C       ordered category, levels in that order; the position
                      of a level counts, so unused levels keep their place
  ordinal             on a numeric column: the order of the numbers
  ordratio            number of which only the order counts (its rank)
  logratio            positive number compared on a log10 scale
  symmetric           two values, both informative (0/1, yes/no, true/false,
                      or any two texts)
  asymmetric          two values where only 1/yes/true counts: two rows that
                      both hold 0/no/false are not compared on it
  list, list:SEP      items separated by SEP (default ";"), e.g.
                      "books;music"; an empty field is an empty list, NA
                      an unknown one
  skip                leave the column out (an id, say)`

// attrSpec is the parsed --type and --weight flags.
type attrSpec struct {
	types   map[string]string  // column -> type as given
	weights map[string]float64 // column -> weight
}

// declares reports whether a --type other than skip was given.
func (s attrSpec) declares() bool {
	for _, k := range s.types {
		if k != "skip" {
			return true
		}
	}
	return false
}

// parseAttrSpec checks the --type and --weight flags.
func parseAttrSpec(types, weights []string) (attrSpec, error) {
	s := attrSpec{types: map[string]string{}, weights: map[string]float64{}}
	for _, t := range types {
		name, kind, ok := strings.Cut(t, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return s, usagef("--type %q: want NAME=TYPE, e.g. --type plan=ordinal:basic<plus<premium", t)
		}
		base, _, _ := strings.Cut(kind, ":")
		switch base {
		case "numeric", "nominal", "ordinal", "ordratio", "logratio", "symmetric", "asymmetric", "list", "skip":
		default:
			return s, usagef("--type %s: unknown type %q (want numeric, nominal, ordinal[:A<B<...], ordratio, logratio, symmetric, asymmetric, list[:SEP] or skip)", t, base)
		}
		if _, dup := s.types[name]; dup {
			return s, usagef("--type: column %q is given twice", name)
		}
		s.types[name] = kind
	}
	for _, w := range weights {
		name, val, ok := strings.Cut(w, "=")
		name = strings.TrimSpace(name)
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if !ok || name == "" || err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return s, usagef("--weight %q: want NAME=W with W a number >= 0, e.g. --weight income=2", w)
		}
		if _, dup := s.weights[name]; dup {
			return s, usagef("--weight: column %q is given twice", name)
		}
		s.weights[name] = v
	}
	return s, nil
}

// mixedTable is a mixed-type CSV file read into attributes.
type mixedTable struct {
	path    string
	rows    int
	attrs   []cluster.Attr
	columns []int      // the 1-based column of each attribute
	levels  [][]string // the level of each code, for coded attributes
	weights []float64  // nil when no --weight was given
	text    [][]string // the fields of every kept column, for writing rows back
	header  []string   // every column of the file
}

// numericOnly reports whether every attribute is numeric without a
// missing value (the Euclidean metric's input).
func (t *mixedTable) numericOnly() bool {
	for _, a := range t.attrs {
		if a.Type != cluster.AttrNumeric || slices.ContainsFunc(a.Values, math.IsNaN) {
			return false
		}
	}
	return true
}

// describe lists the attributes and their types, for the summary.
func (t *mixedTable) describe() string {
	parts := make([]string, len(t.attrs))
	for j, a := range t.attrs {
		s := a.Name + " " + string(a.Type)
		if n := len(t.levels[j]); n > 0 && a.Type != cluster.AttrList {
			s += fmt.Sprintf(" (%d levels)", n)
		}
		if t.weights != nil && t.weights[j] != 1 {
			s += fmt.Sprintf(" weight %g", t.weights[j])
		}
		parts[j] = s
	}
	return strings.Join(parts, ", ")
}

func isMissing(s string) bool {
	switch strings.ToLower(s) {
	case "", "na", "nan", "null":
		return true
	}
	return false
}

// readMixedCSV reads a CSV file with a header into typed attributes, as
// mixedHelp describes. Errors name the file, line and column.
func readMixedCSV(path string, spec attrSpec) (*mixedTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	header = slices.Clone(header)
	for j := range header {
		header[j] = strings.TrimSpace(header[j])
	}
	if allNumbers(header) {
		return nil, fmt.Errorf("%s: line 1 is all numbers; the mixed-type commands need a header row naming the columns", path)
	}
	seen := map[string]int{}
	for j, h := range header {
		if h == "" {
			return nil, &CSVError{File: path, Line: 1, Column: j + 1, Err: errors.New("empty column name")}
		}
		if k, dup := seen[h]; dup {
			return nil, &CSVError{File: path, Line: 1, Column: j + 1, Err: fmt.Errorf("column name %q is also column %d", h, k+1)}
		}
		seen[h] = j
	}
	for _, m := range []map[string]string{spec.types, floatKeys(spec.weights)} {
		for name := range m {
			if _, ok := seen[name]; !ok {
				return nil, fmt.Errorf("%s has no column %q (its columns: %s)", path, name, strings.Join(header, ", "))
			}
		}
	}
	cols := make([][]string, len(header))
	lines := []int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		line, _ := cr.FieldPos(0)
		lines = append(lines, line)
		for j, s := range rec {
			cols[j] = append(cols[j], strings.TrimSpace(s))
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s: no data rows", path)
	}
	t := &mixedTable{path: path, rows: len(lines), header: header}
	for j, name := range header {
		kind, given := spec.types[name]
		if kind == "skip" {
			continue
		}
		a, levels, err := typeColumn(name, cols[j], kind, given)
		if err != nil {
			var re *rowError
			if errors.As(err, &re) {
				return nil, &CSVError{File: path, Line: lines[re.row], Column: j + 1, Err: re.err}
			}
			return nil, fmt.Errorf("%s: column %d (%s): %w", path, j+1, name, err)
		}
		t.attrs = append(t.attrs, a)
		t.columns = append(t.columns, j+1)
		t.levels = append(t.levels, levels)
		t.text = append(t.text, cols[j])
	}
	if len(t.attrs) == 0 {
		return nil, fmt.Errorf("%s: every column is skipped", path)
	}
	if len(spec.weights) > 0 {
		t.weights = make([]float64, len(t.attrs))
		for j, a := range t.attrs {
			t.weights[j] = 1
			if w, ok := spec.weights[a.Name]; ok {
				t.weights[j] = w
			}
		}
	}
	return t, nil
}

func floatKeys(m map[string]float64) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = ""
	}
	return out
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// rowError is an error at row (0-based) of a column.
type rowError struct {
	row int
	err error
}

func (e *rowError) Error() string { return fmt.Sprintf("row %d: %v", e.row, e.err) }

// typeColumn turns the fields of one column into an attribute: of the
// declared kind when given, else numeric when every present value is a
// number and nominal otherwise.
func typeColumn(name string, vals []string, kind string, given bool) (cluster.Attr, []string, error) {
	base, arg, _ := strings.Cut(kind, ":")
	nums, numErr := parseNumbers(vals)
	if !given {
		base = "numeric"
		if numErr != nil {
			base = "nominal"
		}
	}
	a := cluster.Attr{Name: name}
	switch base {
	case "numeric", "ordratio", "logratio":
		if numErr != nil {
			return a, nil, &rowError{numErr.row, fmt.Errorf("%v (a %s column holds numbers)", numErr.err, base)}
		}
		a.Type, a.Values = cluster.AttrType(base), nums
		return a, nil, nil
	case "nominal":
		codes, levels := codeLevels(vals, nil)
		a.Type, a.Codes = cluster.AttrNominal, codes
		return a, levels, nil
	case "ordinal":
		a.Type = cluster.AttrOrdinal
		if arg == "" {
			if numErr != nil {
				return a, nil, fmt.Errorf("the levels of an ordinal text column need an order: --type %s=ordinal:LOW<MID<HIGH (%v)", name, numErr.err)
			}
			codes, levels := codeLevels(vals, numberOrder)
			a.Codes = codes
			return a, levels, nil
		}
		order := strings.Split(arg, "<")
		for i := range order {
			order[i] = strings.TrimSpace(order[i])
		}
		pos := map[string]int32{}
		for i, l := range order {
			if _, dup := pos[l]; dup || l == "" {
				return a, nil, fmt.Errorf("ordinal levels %q: each level once, none empty", arg)
			}
			pos[l] = int32(i)
		}
		a.Codes = make([]int32, len(vals))
		for i, s := range vals {
			if isMissing(s) {
				a.Codes[i] = -1
				continue
			}
			p, ok := pos[s]
			if !ok {
				return a, nil, &rowError{i, fmt.Errorf("%q is not one of the levels %s", s, strings.Join(order, " < "))}
			}
			a.Codes[i] = p
		}
		return a, order, nil
	case "symmetric", "asymmetric":
		a.Type = cluster.AttrType(base)
		codes, levels, err := binaryCodes(vals, base == "asymmetric")
		if err != nil {
			return a, nil, err
		}
		a.Codes = codes
		return a, levels, nil
	case "list":
		sep := arg
		if sep == "" {
			sep = ";"
		}
		a.Type = cluster.AttrList
		items := map[string]int32{}
		var levels []string
		a.Sets = make([][]int32, len(vals))
		for i, s := range vals {
			if strings.EqualFold(s, "na") || strings.EqualFold(s, "null") {
				if a.Missing == nil {
					a.Missing = make([]bool, len(vals))
				}
				a.Missing[i] = true
				continue
			}
			a.Sets[i] = []int32{}
			for _, it := range strings.Split(s, sep) {
				if it = strings.TrimSpace(it); it == "" {
					continue
				}
				c, ok := items[it]
				if !ok {
					c = int32(len(levels))
					items[it] = c
					levels = append(levels, it)
				}
				a.Sets[i] = append(a.Sets[i], c)
			}
		}
		return a, levels, nil
	}
	panic("cli: unchecked type " + base)
}

// parseNumbers parses every present value as a finite number (NaN for a
// missing one), or returns an error naming the first that is not.
func parseNumbers(vals []string) ([]float64, *rowError) {
	out := make([]float64, len(vals))
	for i, s := range vals {
		if isMissing(s) {
			out[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(v, 0) {
			return nil, &rowError{i, fmt.Errorf("%q is not a finite number", s)}
		}
		out[i] = v
	}
	return out, nil
}

// numberOrder sorts numeric texts by value.
func numberOrder(a, b string) int {
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// codeLevels codes the present values by their position among the
// distinct values, sorted by cmp (text order when nil); -1 for missing.
func codeLevels(vals []string, cmp func(a, b string) int) ([]int32, []string) {
	set := map[string]bool{}
	for _, s := range vals {
		if !isMissing(s) {
			set[s] = true
		}
	}
	levels := make([]string, 0, len(set))
	for s := range set {
		levels = append(levels, s)
	}
	if cmp == nil {
		sort.Strings(levels)
	} else {
		slices.SortStableFunc(levels, cmp)
		// Texts of the same number ("1" and "1.0") are one level.
		levels = slices.CompactFunc(levels, func(a, b string) bool { return cmp(a, b) == 0 })
	}
	pos := make(map[string]int32, len(levels))
	for i, l := range levels {
		pos[l] = int32(i)
	}
	codes := make([]int32, len(vals))
	for i, s := range vals {
		switch {
		case isMissing(s):
			codes[i] = -1
		case cmp != nil:
			j, _ := slices.BinarySearchFunc(levels, s, cmp)
			codes[i] = int32(j)
		default:
			codes[i] = pos[s]
		}
	}
	return codes, levels
}

// binaryCodes codes a two-valued column as 0 and 1: 0/1, no/yes, n/y,
// false/true, f/t (any case) are read as such; for a symmetric attribute
// any other two values are coded in text order.
func binaryCodes(vals []string, asym bool) ([]int32, []string, error) {
	known := map[string]int32{"0": 0, "1": 1, "no": 0, "yes": 1, "n": 0, "y": 1, "false": 0, "true": 1, "f": 0, "t": 1}
	codes := make([]int32, len(vals))
	var distinct []string
	allKnown := true
	for _, s := range vals {
		if isMissing(s) || slices.Contains(distinct, s) {
			continue
		}
		distinct = append(distinct, s)
		if len(distinct) > 2 {
			return nil, nil, fmt.Errorf("a binary column holds two values, this one holds %q, %q, %q, ...", distinct[0], distinct[1], distinct[2])
		}
		if _, ok := known[strings.ToLower(s)]; !ok {
			allKnown = false
		}
	}
	if !allKnown && asym {
		return nil, nil, fmt.Errorf("an asymmetric column holds 0/1, no/yes, n/y, false/true or f/t (1 is the value that counts), not %q", strings.Join(distinct, `", "`))
	}
	sort.Strings(distinct)
	for i, s := range vals {
		switch {
		case isMissing(s):
			codes[i] = -1
		case allKnown:
			codes[i] = known[strings.ToLower(s)]
		default:
			codes[i] = int32(slices.Index(distinct, s))
		}
	}
	levels := distinct
	if allKnown {
		levels = []string{"0", "1"}
	}
	return codes, levels, nil
}

// writeCSVRecord writes one CSV record, quoting fields as needed.
func writeCSVRecord(w io.Writer, rec []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(rec); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
