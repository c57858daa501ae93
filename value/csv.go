package value

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Row is one customer's line of value.csv (docs/value.md): the summary
// and the values. A figure that could not be computed is NaN.
type Row struct {
	UserID string
	// RepeatPurchases, FirstToLast and FirstToEnd are lifetimes'
	// frequency, recency and T, MeanRepeatValue its monetary_value.
	RepeatPurchases int
	FirstToLast     float64
	FirstToEnd      float64
	MeanRepeatValue float64
	// PAlive, ExpectedPurchases, ExpectedOrderValue and CLV are as in
	// Result; NextOrderDays is the median number of days from the end of
	// the data to an active customer's next purchase.
	PAlive             float64
	ExpectedPurchases  float64
	ExpectedOrderValue float64
	CLV                float64
	NextOrderDays      float64
}

// Rows returns s's customers scored into res as value.csv's rows, in the
// order of s.IDs.
func Rows(s *Summary, res *Result) []Row {
	out := make([]Row, s.Len())
	for i, id := range s.IDs {
		r := Row{UserID: id, RepeatPurchases: int(s.Frequency[i]), FirstToLast: s.Recency[i], FirstToEnd: s.T[i], MeanRepeatValue: math.NaN(),
			PAlive: res.PAlive[i], ExpectedPurchases: res.ExpectedPurchases[i], ExpectedOrderValue: math.NaN(), CLV: math.NaN(),
			NextOrderDays: res.NextPurchaseDays[i]}
		if s.HasAmounts {
			r.MeanRepeatValue = s.Monetary[i]
		}
		if res.ExpectedValue != nil {
			r.ExpectedOrderValue, r.CLV = res.ExpectedValue[i], res.CLV[i]
		}
		out[i] = r
	}
	return out
}

// NextOrderDate is the date of the next order of a customer whose P(alive)
// is pAlive, nextOrderDays after end: none (ok false) for a customer
// likely lost (P(alive) below lostBelow) or without a finite expectation.
func NextOrderDate(end time.Time, pAlive, nextOrderDays, lostBelow float64) (d time.Time, ok bool) {
	if !(pAlive >= lostBelow) || math.IsNaN(nextOrderDays) || nextOrderDays >= 3e6 {
		return time.Time{}, false
	}
	return end.AddDate(0, 0, int(math.Round(nextOrderDays))), true
}

// WriteCSV writes value.csv: per customer of s (scored into res) the
// summary and the values, as docs/value.md describes its columns.
func WriteCSV(w io.Writer, s *Summary, res *Result, lostBelow float64) error {
	rows := Rows(s, res)
	return WriteRows(w, s.Unit, s.End, lostBelow, len(rows), func(i int) Row { return rows[i] })
}

// WriteRows writes value.csv's header and n rows, row(i) for each, with
// times in unit and next-order dates counted from end. A figure that could
// not be computed is an empty field, never NaN; so is the next order's
// date of a customer whose P(alive) is below lostBelow (it is an active
// customer's date).
func WriteRows(w io.Writer, unit Unit, end time.Time, lostBelow float64, n int, row func(i int) Row) error {
	u := unit.String()
	if _, err := fmt.Fprintf(w, "user_id,repeat_purchases,first_to_last_%s,first_to_end_%s,mean_repeat_value,p_alive,expected_purchases,expected_order_value,clv,next_order_date\n", u, u); err != nil {
		return err
	}
	buf := make([]byte, 0, 256)
	num := func(b []byte, v float64) []byte {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return b
		}
		return strconv.AppendFloat(b, v, 'g', 10, 64)
	}
	for i := range n {
		r := row(i)
		buf = appendCSVField(buf[:0], r.UserID)
		buf = strconv.AppendInt(append(buf, ','), int64(r.RepeatPurchases), 10)
		for _, v := range []float64{r.FirstToLast, r.FirstToEnd, r.MeanRepeatValue, r.PAlive, r.ExpectedPurchases, r.ExpectedOrderValue, r.CLV} {
			buf = num(append(buf, ','), v)
		}
		buf = append(buf, ',')
		if d, ok := NextOrderDate(end, r.PAlive, r.NextOrderDays, lostBelow); ok {
			buf = d.AppendFormat(buf, "2006-01-02")
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// appendCSVField appends s quoted as CSV needs it.
func appendCSVField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") && strings.TrimSpace(s) == s {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
