package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Plausible values. A timestamp or date must lie between minTime and the
// run's clock plus futureSlack (the slack covers the data's time zone and
// clocks that run a little ahead), date and age attributes' too; a birth
// year between 1900 and the year
// of as_of (the run's clock's when as_of is not set). Other rows are
// rejected. (A user who signed up after as_of is dropped by rule, as rows
// stamped after it are: not there yet.)
var minTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

const futureSlack = 24 * time.Hour

// plausible returns the conditions (over the stage's converted fields) and
// the reasons of the checks of plausible values, in the form of the
// stage's bad and checks.
func (l *loader) plausible(fields []field) (bad, checks []string) {
	latest := l.now.UTC().Add(futureSlack).Format("2006-01-02 15:04:05")
	year := l.now.Year()
	if l.asOf != nil {
		year = l.asOf.Year()
	}
	for i, f := range fields {
		if f.src == "" || f.attr != nil && f.Type != "TIMESTAMP" {
			continue // an attribute's number or text may be anything; its dates are checked as dates
		}
		name, lab, sv := sqlquote.Ident(f.Name), sqlquote.String(f.label), fmt.Sprintf("CAST(__s%d AS VARCHAR)", i)
		add := func(cond, reason string) {
			bad = append(bad, "coalesce("+cond+", false)")
			checks = append(checks, fmt.Sprintf("WHEN %s THEN {'r': %s, 'c': %s, 'v': %s}", cond, sqlquote.String(reason), lab, sv))
		}
		switch {
		case f.Type == "TIMESTAMP" || f.Type == "DATE":
			add(fmt.Sprintf("(NOT isfinite(%[1]s) OR %[1]s < TIMESTAMP '%[2]s')", name, minTime.Format("2006-01-02")), f.Name+" out of range")
			add(fmt.Sprintf("%s > TIMESTAMP '%s'", name, latest), f.Name+" in the future")
			if f.attr != nil && f.attr.Type == TypeAge && l.asOf != nil {
				// born after as_of: a negative age
				add(fmt.Sprintf("%s > TIMESTAMP '%s'", name, l.asOf.UTC().Format("2006-01-02 15:04:05")), f.Name+" after as_of")
			}
		case f.Name == "birth_year":
			add(fmt.Sprintf("%s NOT BETWEEN %d AND %d", name, minTime.Year(), year), "birth_year out of range")
		}
	}
	if l.k == Transactions {
		// A line priced by its amount has none when the amount is empty
		// (it would cost 0).
		var amount, price *field
		for i := range fields {
			switch fields[i].Name {
			case "amount":
				amount = &fields[i]
			case "unit_price":
				price = &fields[i]
			}
		}
		if amount != nil && price != nil && amount.src != "" && price.src == "" {
			for i := range fields {
				if &fields[i] == amount {
					sv := fmt.Sprintf("__s%d", i)
					empty := sv + " IS NULL"
					if amount.srcType == "VARCHAR" {
						empty = fmt.Sprintf("(%s IS NULL OR trim(%s) = '')", sv, sv)
					}
					bad = append(bad, "(amount IS NULL AND "+empty+")")
					checks = append(checks, fmt.Sprintf("WHEN amount IS NULL AND %s THEN {'r': 'empty amount', 'c': %s, 'v': ''}", empty, sqlquote.String(amount.label)))
				}
			}
		}
	}
	return bad, checks
}

// A latest timestamp is far from the bulk of a dataset's rows when it is
// later than their 99th percentile by more than a tenth of the time from
// their 1st to their 99th percentile, and by more than a day: as_of, which
// defaults to it, would then leave most users looking inactive.
const (
	farShare = 0.1
	farMin   = 24 * time.Hour
)

// outlierCheck reports whether the dataset's latest timestamp is checked
// against the bulk of its rows: a dataset of timestamps (not per-user
// rows) whose as_of defaults to the latest of them.
func (l *loader) outlierCheck() bool {
	return l.asOf == nil && (l.k == Events || l.k == Transactions || l.k == Social)
}

// lateOutlier returns a warning when the latest timestamp of the dataset's
// used rows is far from the bulk of them, or "". Percentiles cost a pass
// over the rows: they are computed only when the latest time lies more
// than three standard deviations after the mean (found with the counts),
// as it does not for rows spread evenly or growing in number.
func (l *loader) lateOutlier(ctx context.Context) (string, error) {
	sp := l.spread
	if !l.outlierCheck() || !sp.max.Valid || !sp.sd.Valid || sp.max.Float64-sp.mean.Float64 <= 3*sp.sd.Float64 {
		return "", nil
	}
	ts := sqlquote.Ident(tsField(l.k))
	var p1, p99, last sql.NullTime
	err := l.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT approx_quantile(%[1]s, 0.01), approx_quantile(%[1]s, 0.99), max(%[1]s) FROM %[2]s`, ts, sqlquote.Ident(string(l.k)))).
		Scan(&p1, &p99, &last)
	if err != nil || !last.Valid {
		return "", err
	}
	gap := last.Time.Sub(p99.Time)
	if gap <= farMin || float64(gap) <= farShare*float64(p99.Time.Sub(p1.Time)) {
		return "", nil
	}
	return fmt.Sprintf("the latest timestamp, %s, is %s after 99%% of the rows (up to %s); as_of defaults to it: check the rows after %s, or set as_of",
		last.Time.Format("2006-01-02 15:04:05"), days(gap), p99.Time.Format("2006-01-02"), p99.Time.Format("2006-01-02")), nil
}

// days writes a duration in days, or years when long.
func days(d time.Duration) string {
	n := d.Hours() / 24
	if n >= 730 {
		return fmt.Sprintf("%.1f years", n/365.25)
	}
	return fmt.Sprintf("%.0f days", n)
}
