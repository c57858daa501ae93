package recommend

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Columns names the CSV columns ReadCSV takes each field from. Empty names
// mean the canonical transactions columns: user_id, order_id, product_id,
// timestamp, quantity and unit_price. Basket, Quantity and Price are
// optional in the file.
type Columns struct {
	User, Basket, Product, Time, Quantity, Price string
}

// OnlineRetailColumns names the columns of the UCI Online Retail data set.
func OnlineRetailColumns() Columns {
	return Columns{User: "CustomerID", Basket: "InvoiceNo", Product: "StockCode", Time: "InvoiceDate", Quantity: "Quantity", Price: "UnitPrice"}
}

func (c Columns) withDefaults() Columns {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.User, "user_id")
	def(&c.Basket, "order_id")
	def(&c.Product, "product_id")
	def(&c.Time, "timestamp")
	def(&c.Quantity, "quantity")
	def(&c.Price, "unit_price")
	return c
}

// ParseTime parses a timestamp in one of the layouts ReadCSV accepts.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range [...]string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not YYYY-MM-DD[ HH:MM[:SS]] or RFC 3339", s)
}

// ParseError locates a bad field of a purchases CSV.
type ParseError struct {
	Line   int
	Column string
	Err    error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %s: %v", e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ReadCSV reads purchases from a CSV with a header row. Lines with an empty
// user or product, or a quantity ≤ 0 (returns and cancellations), are
// skipped. Value is quantity × price when both columns exist.
func ReadCSV(r io.Reader, cols Columns) ([]Purchase, error) {
	cols = cols.withDefaults()
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("empty file: want a header row")
	}
	if err != nil {
		return nil, err
	}
	at := map[string]int{}
	for i, h := range head {
		at[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	need := func(name string) (int, error) {
		i, ok := at[name]
		if !ok {
			return 0, fmt.Errorf("no column %q in the header", name)
		}
		return i, nil
	}
	ui, err := need(cols.User)
	if err != nil {
		return nil, err
	}
	pi, err := need(cols.Product)
	if err != nil {
		return nil, err
	}
	ti, err := need(cols.Time)
	if err != nil {
		return nil, err
	}
	opt := func(name string) int {
		if i, ok := at[name]; ok {
			return i
		}
		return -1
	}
	bi, qi, ri := opt(cols.Basket), opt(cols.Quantity), opt(cols.Price)
	var out []Purchase
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		p := Purchase{User: strings.TrimSpace(rec[ui]), Product: strings.TrimSpace(rec[pi])}
		if p.User == "" || p.Product == "" {
			continue
		}
		q := 1.0
		if qi >= 0 {
			if q, err = parseFinite(rec[qi]); err != nil {
				return nil, &ParseError{line, cols.Quantity, err}
			}
			if !(q > 0) {
				continue
			}
		}
		if p.Time, err = ParseTime(rec[ti]); err != nil {
			return nil, &ParseError{line, cols.Time, err}
		}
		if bi >= 0 {
			p.Basket = rec[bi]
		}
		if ri >= 0 {
			price, err := parseFinite(rec[ri])
			if err != nil {
				return nil, &ParseError{line, cols.Price, err}
			}
			p.Value = q * price
		}
		out = append(out, p)
	}
}

func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}
