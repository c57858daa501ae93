// Package audience turns a run's segments into the member lists ad
// platforms and CRMs take: one row per user of a segment with the
// segment, the user's distance to it, the run's customer-value and
// outcome columns, chosen attributes and hashed contact identifiers, as
// CSV, JSON lines or Parquet.
//
//	l, err := audience.New(res, 3, audience.Options{Attributes: []string{"plan"}})
//	err = l.WriteCSV(w)
//
// # Columns
//
//	user_id, segment_id, segment_name, distance    always
//	the value columns (KindValue, Options.Value    when the run or a value.csv has them
//	  or the run's Values, as value.csv's columns)
//	the outcome columns (KindOutcome)              when the run has them
//	the chosen attributes (KindAttribute)          Options.Attributes
//	the hashed identifiers (KindIdentifier)        when the data mapped email or phone attributes
//
// Identifiers are never kept in the clear: a run keeps the SHA-256 of an
// e-mail address normalised as customer lists want it (trimmed,
// lowercase: NormalizeEmail) and of a phone number in E.164 form (+ and
// the country code: NormalizePhone) and of its digits alone (Meta's form).
// A value that cannot be normalised has no hash (an empty cell).
//
// # Formats
//
// CSV has a header row, numbers in full precision and empty cells for
// missing values. JSON lines are one object per user with the columns as
// keys in order, null for missing. Parquet (written by DuckDB) has the same
// columns, typed: segment_id INTEGER, numbers DOUBLE, the rest VARCHAR,
// NULL for missing. Rows are in the run's user order (by user id).
package audience

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/persona-seg/persona"
)

// Options configures New. The zero value means defaults.
type Options struct {
	// Attributes names the run's attribute columns to add, in order;
	// ["all"] adds every one. Nil adds none.
	Attributes []string
	// Value, when set, adds its columns by user id (a value.csv), unless
	// the run has value columns of its own. Without either, the run's
	// customer values (Results.Values) give value.csv's columns.
	Value *Table
	// UserID returns user i's id; default the run's UserIDs[i].
	UserID func(i int) string
}

// Table is a table of per-user values read from a file (value.csv): its
// columns, each as a persona.Column with one value per row, and the rows'
// user ids.
type Table struct {
	UserIDs []string
	Columns []persona.Column
	index   map[string]int
}

// ReadTable reads a CSV table with a user_id column: a column whose every
// value is a number (or empty) is numeric, others text. name names the
// file in errors.
func ReadTable(r io.Reader, name string) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	key := slices.Index(head, "user_id")
	if key < 0 {
		return nil, fmt.Errorf("%s: no user_id column (its columns: %s)", name, strings.Join(head, ", "))
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rec)
	}
	t := &Table{UserIDs: make([]string, len(rows)), index: make(map[string]int, len(rows))}
	for i, rec := range rows {
		t.UserIDs[i] = rec[key]
		if _, dup := t.index[rec[key]]; dup {
			return nil, fmt.Errorf("%s line %d: user_id %q again", name, i+2, rec[key])
		}
		t.index[rec[key]] = i
	}
	for j, h := range head {
		if j == key {
			continue
		}
		c := persona.Column{Name: h, Kind: persona.KindValue, Numbers: make([]float64, len(rows))}
		for i, rec := range rows {
			v := strings.TrimSpace(rec[j])
			if v == "" {
				c.Numbers[i] = math.NaN()
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				c.Numbers = nil
				break
			}
			c.Numbers[i] = x
		}
		if c.Numbers == nil {
			c.Texts = make([]string, len(rows))
			for i, rec := range rows {
				c.Texts[i] = rec[j]
			}
		}
		t.Columns = append(t.Columns, c)
	}
	return t, nil
}

// column is one column of a list: its name, whether it is numeric, and
// user i's value (ok false when missing).
type column struct {
	name    string
	integer bool
	number  func(i int) (float64, bool)
	text    func(i int) (string, bool)
}

// List is the member list of one segment.
type List struct {
	cols []column
	rows []int
	keys [][]byte // the columns' names, JSON-quoted
}

// Segment finds a segment of res by its id or its name (in any case),
// and says which segments there are when it has none of them.
func Segment(res *persona.Results, idOrName string) (int, error) {
	if id, err := strconv.Atoi(strings.TrimSpace(idOrName)); err == nil {
		for _, s := range res.Profiles.Segments {
			if s.ID == id {
				return id, nil
			}
		}
	}
	for _, s := range res.Profiles.Segments {
		if strings.EqualFold(strings.TrimSpace(s.Name), strings.TrimSpace(idOrName)) {
			return s.ID, nil
		}
	}
	var have []string
	for _, s := range res.Profiles.Segments {
		have = append(have, fmt.Sprintf("%d %q", s.ID, s.Name))
	}
	return 0, fmt.Errorf("run %s has no segment %q (its segments: %s)", res.Run.ID, idOrName, strings.Join(have, ", "))
}

// New returns the list of segment seg's users in res, with the columns
// opts asks for.
func New(res *persona.Results, seg int, opts Options) (*List, error) {
	name := ""
	found := false
	for _, s := range res.Profiles.Segments {
		if s.ID == seg {
			name, found = s.Name, true
		}
	}
	if !found {
		return nil, fmt.Errorf("run %s has no segment %d", res.Run.ID, seg)
	}
	id := opts.UserID
	if id == nil {
		id = func(i int) string { return res.UserIDs[i] }
	}
	l := &List{}
	for i, s := range res.Segments {
		if s == seg {
			l.rows = append(l.rows, i)
		}
	}
	l.cols = []column{
		{name: "user_id", text: func(i int) (string, bool) { return id(i), true }},
		{name: "segment_id", integer: true, number: func(int) (float64, bool) { return float64(seg), true }},
		{name: "segment_name", text: func(int) (string, bool) { return name, true }},
		{name: "distance", number: func(i int) (float64, bool) { return finite(res.Distance[i]) }},
	}
	byKind := func(k persona.ColumnKind) []*persona.Column {
		var out []*persona.Column
		for j := range res.Columns {
			if res.Columns[j].Kind == k {
				out = append(out, &res.Columns[j])
			}
		}
		return out
	}
	if vs := byKind(persona.KindValue); len(vs) > 0 {
		l.addRun(vs)
	} else if opts.Value != nil {
		l.addTable(opts.Value, id)
	} else if res.Values != nil {
		l.addValues(res.Values)
	}
	l.addRun(byKind(persona.KindOutcome))
	attrs := byKind(persona.KindAttribute)
	if len(opts.Attributes) == 1 && opts.Attributes[0] == "all" {
		l.addRun(attrs)
	} else {
		var chosen []*persona.Column
		for _, a := range opts.Attributes {
			k := slices.IndexFunc(attrs, func(c *persona.Column) bool { return c.Name == a })
			if k < 0 {
				var have []string
				for _, c := range attrs {
					have = append(have, c.Name)
				}
				if len(have) == 0 {
					return nil, fmt.Errorf("run %s keeps no attributes: attribute %q cannot be exported", res.Run.ID, a)
				}
				return nil, fmt.Errorf("run %s has no attribute %q (its attributes: %s)", res.Run.ID, a, strings.Join(have, ", "))
			}
			chosen = append(chosen, attrs[k])
		}
		l.addRun(chosen)
	}
	l.addRun(byKind(persona.KindIdentifier))
	seen := map[string]bool{}
	for _, c := range l.cols {
		if seen[c.name] {
			return nil, fmt.Errorf("two columns are named %q", c.name)
		}
		seen[c.name] = true
		k, _ := json.Marshal(c.name)
		l.keys = append(l.keys, k)
	}
	return l, nil
}

func finite(v float64) (float64, bool) { return v, !math.IsNaN(v) && !math.IsInf(v, 0) }

func (l *List) addRun(cs []*persona.Column) {
	for _, c := range cs {
		l.cols = append(l.cols, fromColumn(c, func(i int) (int, bool) { return i, true }))
	}
}

func (l *List) addTable(t *Table, id func(int) string) {
	row := func(i int) (int, bool) {
		k, ok := t.index[id(i)]
		return k, ok
	}
	for j := range t.Columns {
		l.cols = append(l.cols, fromColumn(&t.Columns[j], row))
	}
}

// addValues adds value.csv's columns (value.WriteRows) from v: empty for
// a user without a purchase, and for a figure that could not be computed.
func (l *List) addValues(v *persona.Values) {
	num := func(name string, f func(c *persona.CustomerValue) float64) column {
		return column{name: name, number: func(i int) (float64, bool) {
			c := &v.Users[i]
			if !c.Customer {
				return 0, false
			}
			return finite(f(c))
		}}
	}
	repeat := num("repeat_purchases", func(c *persona.CustomerValue) float64 { return float64(c.RepeatPurchases) })
	repeat.integer = true
	l.cols = append(l.cols, repeat,
		num("first_to_last_"+v.TimeUnit, func(c *persona.CustomerValue) float64 { return c.FirstToLast }),
		num("first_to_end_"+v.TimeUnit, func(c *persona.CustomerValue) float64 { return c.FirstToEnd }),
		num("mean_repeat_value", func(c *persona.CustomerValue) float64 { return c.MeanRepeatValue }),
		num("p_alive", func(c *persona.CustomerValue) float64 { return c.PAlive }),
		num("expected_purchases", func(c *persona.CustomerValue) float64 { return c.ExpectedPurchases }),
		num("expected_order_value", func(c *persona.CustomerValue) float64 { return c.ExpectedOrderValue }),
		num("clv", func(c *persona.CustomerValue) float64 { return c.CLV }),
		column{name: "next_order_date", text: func(i int) (string, bool) {
			d, ok := v.NextOrderDate(v.Users[i])
			if !ok {
				return "", false
			}
			return d.Format("2006-01-02"), true
		}})
}

// fromColumn reads c's value of user i at row(i).
func fromColumn(c *persona.Column, row func(i int) (int, bool)) column {
	if c.Texts != nil {
		return column{name: c.Name, text: func(i int) (string, bool) {
			k, ok := row(i)
			if !ok || c.Texts[k] == "" {
				return "", false
			}
			return c.Texts[k], true
		}}
	}
	return column{name: c.Name, number: func(i int) (float64, bool) {
		k, ok := row(i)
		if !ok {
			return 0, false
		}
		return finite(c.Numbers[k])
	}}
}

// Columns returns the list's column names, in order.
func (l *List) Columns() []string {
	out := make([]string, len(l.cols))
	for j, c := range l.cols {
		out[j] = c.name
	}
	return out
}

// Len returns the number of users.
func (l *List) Len() int { return len(l.rows) }

func formatNumber(v float64, integer bool) string {
	if integer {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// WriteCSV writes the list as CSV with a header row.
func (l *List) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(l.Columns()); err != nil {
		return err
	}
	rec := make([]string, len(l.cols))
	for _, i := range l.rows {
		for j, c := range l.cols {
			rec[j] = ""
			if c.text != nil {
				rec[j], _ = c.text(i)
			} else if v, ok := c.number(i); ok {
				rec[j] = formatNumber(v, c.integer)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteJSONL writes the list as JSON lines: one object per user.
func (l *List) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var b []byte
	for k := range l.rows {
		b = append(l.AppendJSON(b[:0], k), '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// AppendJSON appends the list's k-th user (0 <= k < Len(), in the run's
// user order) as the JSON object of its line in WriteJSONL: the columns
// as keys in order, null for missing.
func (l *List) AppendJSON(b []byte, k int) []byte {
	i := l.rows[k]
	b = append(b, '{')
	for j, c := range l.cols {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, l.keys[j]...)
		b = append(b, ':')
		if c.text != nil {
			if v, ok := c.text(i); ok {
				q, _ := json.Marshal(v)
				b = append(b, q...)
			} else {
				b = append(b, "null"...)
			}
		} else if v, ok := c.number(i); ok {
			b = append(b, formatNumber(v, c.integer)...)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}
