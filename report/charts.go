package report

import (
	"fmt"
	"strconv"

	"github.com/persona-seg/persona/chart"
)

// figure is one chart of the report: its file name stem, the section it
// belongs to and a caption under it.
type figure struct {
	name    string
	section string
	caption string
	fig     *chart.Figure
}

// Section identifiers, in page order.
const (
	secDistribution = "distribution"
	secTraits       = "characteristics"
	secBehaviour    = "behaviour"
	secMap          = "projection"
	secDiagnostics  = "diagnostics"
	secAges         = "ages"
)

// figures builds every chart the input has data for, in page order.
func figures(in *Input) ([]figure, error) {
	names := make([]string, len(in.Segments))
	for i, s := range in.Segments {
		names[i] = s.Name
	}
	var out []figure
	add := func(name, section, caption string, f *chart.Figure, err error) error {
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		out = append(out, figure{name: name, section: section, caption: caption, fig: f})
		return nil
	}

	// Segment distribution.
	total := 0
	sizes := make([]float64, len(in.Segments))
	sizeLabels := make([]string, len(in.Segments))
	for i, s := range in.Segments {
		total += s.Size
		sizes[i] = float64(s.Size)
		sizeLabels[i] = formatInt(s.Size) + " (" + formatPercent(s.Share) + ")"
	}
	panels := []chart.BarPanel{{Title: "Users", XLabel: "users", Values: sizes, Labels: sizeLabels}}
	title := "Users per segment"
	if in.RevenueBySegment != nil {
		sum := 0.0
		for _, v := range in.RevenueBySegment {
			sum += v
		}
		labels := make([]string, len(in.RevenueBySegment))
		for i, v := range in.RevenueBySegment {
			labels[i] = formatMoney(v)
			if sum > 0 {
				labels[i] += " (" + formatPercent(v/sum) + ")"
			}
		}
		panels = append(panels, chart.BarPanel{Title: "Revenue", XLabel: withUnit("revenue", in.Currency), Values: in.RevenueBySegment, Labels: labels})
		title = "Users and revenue per segment"
	}
	f, err := chart.Bars(chart.BarsSpec{Title: title, Segments: names, Panels: panels})
	if err := add("segment-sizes", secDistribution,
		"Number of users in each segment, with its share of all "+formatInt(total)+" users"+
			map[bool]string{true: ", and the revenue each segment brought in.", false: "."}[in.RevenueBySegment != nil], f, err); err != nil {
		return nil, err
	}

	// Key characteristics.
	if len(in.HeatFeatures) > 0 {
		f, err := chart.Heatmap(chart.HeatmapSpec{
			Title: "Key characteristics: how each segment differs from all users", Segments: names,
			Rows: in.HeatFeatures, Z: in.HeatZ, Limit: 2, XLabel: "segment", YLabel: "feature",
			ScaleLabel: "z-score (standard deviations from the mean of all users)",
		})
		if err := add("heatmap", secTraits,
			"Each cell is the segment's mean of a feature, as a z-score against all users: red is above average, blue below; colours saturate at ±2.", f, err); err != nil {
			return nil, err
		}
	}

	// Behavioural patterns.
	if in.HourShare != nil {
		hours := make([]string, 24)
		for h := range hours {
			hours[h] = strconv.Itoa(h)
		}
		f, err := chart.Lines(chart.LinesSpec{
			Title: "Activity by hour of day", XLabel: "hour of day", YLabel: "share of the segment's events (%)",
			XTicks: hours, TickStep: 2, Segments: names, Values: percentRows(in.HourShare),
		})
		if err := add("hour-of-day", secBehaviour,
			"Share of each segment's events in each hour of the day; each line sums to 100%.", f, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// percentRows returns m scaled from shares to percent.
func percentRows(m [][]float64) [][]float64 {
	out := make([][]float64, len(m))
	for i, row := range m {
		out[i] = make([]float64, len(row))
		for j, v := range row {
			out[i][j] = 100 * v
		}
	}
	return out
}

func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}
