package value

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteCSV writes value.csv: per customer of s (scored into res) the
// summary and the values, as docs/value.md describes its columns. A value
// that could not be computed is an empty field, never NaN; so is the next
// order's date of a customer whose P(alive) is below lostBelow (it is an
// active customer's date).
func WriteCSV(w io.Writer, s *Summary, res *Result, lostBelow float64) error {
	u := s.Unit.String()
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
	for i, id := range s.IDs {
		buf = appendCSVField(buf[:0], id)
		mv, ev, clv := s.Monetary[i], math.NaN(), math.NaN()
		if !s.HasAmounts {
			mv = math.NaN()
		}
		if res.ExpectedValue != nil {
			ev, clv = res.ExpectedValue[i], res.CLV[i]
		}
		for _, v := range []float64{s.Frequency[i], s.Recency[i], s.T[i], mv, res.PAlive[i], res.ExpectedPurchases[i], ev, clv} {
			buf = num(append(buf, ','), v)
		}
		buf = append(buf, ',')
		if d := res.NextPurchaseDays[i]; res.PAlive[i] >= lostBelow && !math.IsNaN(d) && d < 3e6 {
			buf = s.End.AddDate(0, 0, int(math.Round(d))).AppendFormat(buf, "2006-01-02")
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
