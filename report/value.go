package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/persona-seg/persona/chart"
	"github.com/persona-seg/persona/chart/vega"
	segprof "github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/value"
)

// ValueSource is what Build takes of a run's customer-value step (package
// value, docs/value.md).
type ValueSource struct {
	// Users holds each user's P(alive), expected purchases and CLV, in
	// the order of the table's users (NaN for a user without a purchase).
	Users *segprof.ValueInput
	// Model is the transaction model used, HorizonMonths and Discount
	// (monthly) the CLV's horizon and discount rate.
	Model         value.Model
	HorizonMonths int
	Discount      float64
	// Holdout is the calibration check; nil without a calibration end.
	Holdout *value.Holdout
}

// ValueSection is the report's customer-value part: what each segment's
// customers are worth, how many are still active, and how well the model
// predicted a holdout period.
type ValueSection struct {
	// Model names the transaction model ("BG/NBD", "Pareto/NBD");
	// HorizonMonths and Discount (monthly) are the CLV's; LostBelow is
	// the P(alive) under which a customer counts as likely lost.
	Model         string
	HorizonMonths int
	Discount      float64
	LostBelow     float64
	// Per segment, in Segments' order, over its customers (members with
	// a purchase): their number, the five-number summaries of P(alive)
	// and of CLV (zero for a segment without customers), the share likely
	// lost, and the mean and total CLV. CLV, MeanCLV and TotalCLV are nil
	// without amounts.
	Customers  []int
	PAlive     []FiveNum
	LikelyLost []float64
	CLV        []FiveNum
	MeanCLV    []float64
	TotalCLV   []float64
	// Holdout is the check of the predictions on the purchases after the
	// calibration end; nil without one.
	Holdout *HoldoutCheck
}

// HoldoutCheck is a model's calibration check, as lifetimes'
// plot_calibration_purchases_vs_holdout_purchases draws it.
type HoldoutCheck struct {
	CalibrationEnd, HoldoutEnd time.Time
	// Customers are those who bought by the calibration end; Actual and
	// Predicted their total purchases in the holdout period, MAE and RMSE
	// the errors per customer.
	Customers         int
	Actual, Predicted float64
	MAE, RMSE         float64
	// Groups are the customers by their repeat purchases in the
	// calibration period, with their mean holdout purchases.
	Groups []CalibrationGroup
}

// CalibrationGroup is one group of a HoldoutCheck.
type CalibrationGroup struct {
	Label     string // "0", "1", ..., "7+"
	Customers int
	Actual    float64 // mean holdout purchases
	Predicted float64
}

// valueSection summarises src per segment (display positions by
// segIndex).
func valueSection(src *ValueSource, labels []int, segIndex map[int]int, k int) (*ValueSection, error) {
	u := src.Users
	if u == nil {
		return nil, nil
	}
	if len(u.PAlive) != len(labels) || (u.CLV != nil && len(u.CLV) != len(labels)) {
		return nil, fmt.Errorf("value figures of %d users for %d users", len(u.PAlive), len(labels))
	}
	vs := &ValueSection{Model: src.Model.Name(), HorizonMonths: src.HorizonMonths, Discount: src.Discount, LostBelow: u.LostBelow,
		Customers: make([]int, k), PAlive: make([]FiveNum, k), LikelyLost: make([]float64, k)}
	pa := make([][]float64, k)
	var clv [][]float64
	if u.CLV != nil {
		clv = make([][]float64, k)
		vs.CLV, vs.MeanCLV, vs.TotalCLV = make([]FiveNum, k), make([]float64, k), make([]float64, k)
	}
	for i, l := range labels {
		p, ok := segIndex[l]
		if !ok || math.IsNaN(u.PAlive[i]) {
			continue
		}
		vs.Customers[p]++
		pa[p] = append(pa[p], u.PAlive[i])
		if u.PAlive[i] < u.LostBelow {
			vs.LikelyLost[p]++
		}
		if clv != nil && !math.IsNaN(u.CLV[i]) {
			clv[p] = append(clv[p], u.CLV[i])
			vs.TotalCLV[p] += u.CLV[i]
		}
	}
	for p := range k {
		vs.PAlive[p] = fiveNum(pa[p])
		if n := vs.Customers[p]; n > 0 {
			vs.LikelyLost[p] /= float64(n)
		}
		if clv != nil {
			vs.CLV[p] = fiveNum(clv[p])
			if len(clv[p]) > 0 {
				vs.MeanCLV[p] = vs.TotalCLV[p] / float64(len(clv[p]))
			}
		}
	}
	if h := src.Holdout; h != nil {
		hc := &HoldoutCheck{CalibrationEnd: h.CalibrationEnd, HoldoutEnd: h.HoldoutEnd, Customers: h.Customers,
			Actual: h.Actual, Predicted: h.Predicted, MAE: h.MAE, RMSE: h.RMSE}
		for _, g := range h.ByFrequency {
			if g.Customers == 0 {
				continue
			}
			label := strconv.Itoa(g.Frequency)
			if g.AndMore {
				label += "+"
			}
			hc.Groups = append(hc.Groups, CalibrationGroup{Label: label, Customers: g.Customers, Actual: g.Actual, Predicted: g.Predicted})
		}
		if len(hc.Groups) > 0 {
			vs.Holdout = hc
		}
	}
	return vs, nil
}

// fiveNum summarises v (sorted in place); zero when v is empty.
func fiveNum(v []float64) FiveNum {
	if len(v) == 0 {
		return FiveNum{}
	}
	sort.Float64s(v)
	q := func(p float64) float64 { return segprof.Quantile(v, p) }
	return FiveNum{Min: q(0), Q1: q(0.25), Median: q(0.5), Q3: q(0.75), Max: q(1)}
}

// validate checks the section against n segments; nil is valid.
func (v *ValueSection) validate(n int) error {
	if v == nil {
		return nil
	}
	if len(v.Customers) != n || len(v.PAlive) != n || len(v.LikelyLost) != n {
		return fieldErr("Value", "%d customer counts, %d P(alive) summaries and %d likely-lost shares for %d segments", len(v.Customers), len(v.PAlive), len(v.LikelyLost), n)
	}
	if v.CLV != nil && (len(v.CLV) != n || len(v.MeanCLV) != n || len(v.TotalCLV) != n) {
		return fieldErr("Value.CLV", "%d summaries, %d means and %d totals for %d segments", len(v.CLV), len(v.MeanCLV), len(v.TotalCLV), n)
	}
	if v.HorizonMonths < 1 || !finite(v.Discount) || v.Discount < 0 {
		return fieldErr("Value", "horizon %d months and discount %v: want a positive horizon and a discount ≥ 0", v.HorizonMonths, v.Discount)
	}
	for i := range n {
		if v.Customers[i] < 0 || !(v.LikelyLost[i] >= 0 && v.LikelyLost[i] <= 1) {
			return fieldErr(fmt.Sprintf("Value[%d]", i), "%d customers, %v likely lost: want a count and a share", v.Customers[i], v.LikelyLost[i])
		}
		boxes := []FiveNum{v.PAlive[i]}
		if v.CLV != nil {
			boxes = append(boxes, v.CLV[i])
			if !finite(v.MeanCLV[i]) || !finite(v.TotalCLV[i]) {
				return fieldErr(fmt.Sprintf("Value.TotalCLV[%d]", i), "mean %v, total %v: not finite", v.MeanCLV[i], v.TotalCLV[i])
			}
		}
		for _, b := range boxes {
			if !(b.Min <= b.Q1 && b.Q1 <= b.Median && b.Median <= b.Q3 && b.Q3 <= b.Max) || !finite(b.Min) || !finite(b.Max) {
				return fieldErr(fmt.Sprintf("Value[%d]", i), "summary %+v is not ordered and finite", b)
			}
		}
	}
	if h := v.Holdout; h != nil {
		if len(h.Groups) == 0 {
			return fieldErr("Value.Holdout", "no groups")
		}
		for i, g := range h.Groups {
			if g.Label == "" || g.Customers < 1 || !finite(g.Actual) || !finite(g.Predicted) {
				return fieldErr(fmt.Sprintf("Value.Holdout.Groups[%d]", i), "group %+v needs a label, customers and finite means", g)
			}
		}
	}
	return nil
}

// valueFigures are the charts of the customer-value section.
func valueFigures(in *Input, names []string, unseg bool) ([]figure, error) {
	v := in.Value
	if v == nil {
		return nil, nil
	}
	var out []figure
	panels := []chart.BoxPanel{{Title: "P(alive)", XLabel: "probability of still being a customer", Boxes: chartBoxes(v.PAlive)}}
	caption := fmt.Sprintf("Each segment's customers (users with a purchase) by their probability of still being a customer (%s model); "+
		"below %.2g a customer counts as likely lost.", v.Model, v.LostBelow)
	title := "Customer value: P(alive) per segment"
	if v.CLV != nil {
		panels = append([]chart.BoxPanel{{Title: "Lifetime value", XLabel: withUnit(fmt.Sprintf("CLV, next %d months", v.HorizonMonths), in.Currency),
			Boxes: chartBoxes(v.CLV), Log: true}}, panels...)
		caption = fmt.Sprintf("Each segment's customers (users with a purchase) by their expected value over the next %d months, discounted at %s a month "+
			"(%s purchases × Gamma-Gamma order value), and by their probability of still being a customer; below %.2g a customer counts as likely lost.",
			v.HorizonMonths, formatPercent(v.Discount), v.Model, v.LostBelow)
		title = "Customer value: lifetime value and P(alive) per segment"
	}
	if noCustomers(v.Customers) {
		caption += " Segments without customers show an empty box at 0."
	}
	f, err := chart.Boxes(chart.BoxesSpec{Unsegmented: unseg, Title: title, Segments: names, Panels: panels})
	if err != nil {
		return nil, fmt.Errorf("chart value: %w", err)
	}
	out = append(out, figure{name: "value", section: secValue, caption: caption, fig: f})

	if h := v.Holdout; h != nil {
		groups := make([]string, len(h.Groups))
		actual := make([]float64, len(h.Groups))
		predicted := make([]float64, len(h.Groups))
		for i, g := range h.Groups {
			groups[i], actual[i], predicted[i] = g.Label, g.Actual, g.Predicted
		}
		f, err := chart.Lines(chart.LinesSpec{Title: "Calibration: predicted and actual purchases after " + h.CalibrationEnd.Format("2006-01-02"),
			XLabel: "repeat purchases up to " + h.CalibrationEnd.Format("2006-01-02"), YLabel: "mean purchases after it",
			XTicks: groups, Segments: []string{"actual", "predicted (" + v.Model + ")"}, Values: [][]float64{actual, predicted}, Height: 240})
		if err != nil {
			return nil, fmt.Errorf("chart calibration: %w", err)
		}
		out = append(out, figure{name: "calibration", section: secValue, fig: f, caption: fmt.Sprintf(
			"The model fitted to the purchases up to %s predicted each customer's purchases from then to %s. Customers are grouped by their repeat purchases up to %s; "+
				"each point is the group's mean, as made and as predicted. Over all %s customers: %s purchases made, %s predicted; per customer a mean absolute error of %.3f and a root mean squared error of %.3f.",
			h.CalibrationEnd.Format("2006-01-02"), h.HoldoutEnd.Format("2006-01-02"), h.CalibrationEnd.Format("2006-01-02"),
			formatInt(h.Customers), formatNumber(h.Actual), formatNumber(h.Predicted), h.MAE, h.RMSE)})
	}
	return out, nil
}

func chartBoxes(b []FiveNum) []chart.FiveNum {
	out := make([]chart.FiveNum, len(b))
	for i, x := range b {
		out[i] = chart.FiveNum(x)
	}
	return out
}

func vegaBoxes(b []FiveNum) []vega.FiveNum {
	out := make([]vega.FiveNum, len(b))
	for i, x := range b {
		out[i] = vega.FiveNum(x)
	}
	return out
}

func noCustomers(c []int) bool {
	for _, n := range c {
		if n == 0 {
			return true
		}
	}
	return false
}

// formatNumber formats a total with thousands separators and no decimals
// above 100, else one decimal.
func formatNumber(v float64) string {
	if math.Abs(v) >= 100 {
		return chart.GroupDigits(strconv.FormatFloat(v, 'f', 0, 64))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// valueSpec is the interactive version of a customer-value figure.
func valueSpec(in *Input, f figure, segs []vega.Segment) (vega.Spec, bool) {
	v := in.Value
	if v == nil {
		return nil, false
	}
	switch f.name {
	case "value":
		panels := []vega.BoxPanel{{Title: "P(alive)", XTitle: "probability of still being a customer", Boxes: vegaBoxes(v.PAlive), Format: ".3f"}}
		if v.CLV != nil {
			panels = append([]vega.BoxPanel{{Title: "Lifetime value", XTitle: withUnit(fmt.Sprintf("CLV, next %d months", v.HorizonMonths), in.Currency),
				Log: true, Boxes: vegaBoxes(v.CLV), Format: ",.2f"}}, panels...)
		}
		return vega.Boxes(vega.BoxesSpec{Title: f.title(), Segments: segs, Panels: panels}), true
	case "calibration":
		h := v.Holdout
		if h == nil {
			return nil, false
		}
		groups := make([]string, len(h.Groups))
		customers := make([]int, len(h.Groups))
		actual := make([]float64, len(h.Groups))
		predicted := make([]float64, len(h.Groups))
		for i, g := range h.Groups {
			groups[i], customers[i], actual[i], predicted[i] = g.Label, g.Customers, g.Actual, g.Predicted
		}
		end := h.CalibrationEnd.Format("2006-01-02")
		return vega.Calibration(vega.CalibrationSpec{Title: f.title(), XTitle: "repeat purchases up to " + end, YTitle: "mean purchases after " + end,
			Groups: groups, Customers: customers, Series: []vega.Series{
				{Name: "actual", Y: actual, Format: ".3f"}, {Name: "predicted (" + v.Model + ")", Y: predicted, Format: ".3f"}}}), true
	}
	return nil, false
}

// valueLine is the segment's customer value in words, for its part of
// "Segments in detail"; "" when it has none.
func valueLine(sv *segprof.SegmentValue) string {
	if sv == nil {
		return ""
	}
	s := fmt.Sprintf("Customer value: %s customers", formatInt(sv.Customers))
	if sv.MeanCLV != nil {
		s += fmt.Sprintf(", a mean CLV of %s (total %s", formatAmount(*sv.MeanCLV), formatAmount(*sv.TotalCLV))
		if sv.CLVShare != nil {
			s += ", " + formatPercent(*sv.CLVShare) + " of all"
		}
		s += ")"
	}
	return s + fmt.Sprintf(", a mean P(alive) of %.2f, %s likely lost (P(alive) below %.2g).", sv.MeanPAlive, formatPercent(sv.LikelyLost), sv.LostBelow)
}

// formatAmount formats money with cents below 10,000, else as
// formatMoney does.
func formatAmount(v float64) string {
	if math.Abs(v) < 1e4 {
		return chart.GroupDigits(strconv.FormatFloat(v, 'f', 2, 64))
	}
	return formatMoney(v)
}
