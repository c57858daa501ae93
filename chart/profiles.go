package chart

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ProfilesSpec describes small multiples: one panel per segment with a few
// signed bars each (such as a segment's strongest z-scores). All panels
// share one symmetric value axis.
type ProfilesSpec struct {
	Title    string
	XLabel   string   // value axis label, with unit
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	Labels      [][]string  // [segment][bar] bar names, top to bottom
	Values      [][]float64 // [segment][bar]
	Columns     int         // panels per row; 0 means 2
	// First is the display index of Segments[0], so that a chart of some
	// segments only (one segment's own chart) keeps their colours.
	First int
}

// Profiles draws one bar panel per segment in the segment's colour.
func Profiles(s ProfilesSpec) (*Figure, error) {
	n := len(s.Segments)
	if n == 0 {
		return nil, errors.New("chart: profiles: no segments")
	}
	if len(s.Labels) != n || len(s.Values) != n {
		return nil, fmt.Errorf("chart: profiles: %d label rows and %d value rows for %d segments", len(s.Labels), len(s.Values), n)
	}
	paint := segmentPaint(s.First+n, s.Unsegmented)[s.First:]
	cols := s.Columns
	if cols <= 0 {
		cols = 2
	}
	cols = min(cols, n)
	lim, most := 0.0, 1
	for i := range n {
		if len(s.Labels[i]) != len(s.Values[i]) {
			return nil, fmt.Errorf("chart: profiles: segment %d (%q) has %d labels for %d values", i, s.Segments[i], len(s.Labels[i]), len(s.Values[i]))
		}
		if err := checkFinite(s.Values[i]); err != nil {
			return nil, fmt.Errorf("chart: profiles: segment %d (%q): %w", i, s.Segments[i], err)
		}
		for _, v := range s.Values[i] {
			lim = math.Max(lim, math.Abs(v))
		}
		most = max(most, len(s.Values[i]))
	}
	if lim == 0 {
		lim = 1
	}
	// One outlier must not flatten every other bar: the axis stops at 4,
	// and longer bars run to its edge with their value written inside.
	lim = math.Min(lim, 4) * 1.35
	tick := textStyle(tickSize, false, ink)
	panelW := (figureWidth - 2*margin - vg.Length(cols-1)*24) / vg.Length(cols)
	var grid [][]*plot.Plot
	for i := range n {
		if i%cols == 0 {
			grid = append(grid, make([]*plot.Plot, 0, cols))
		}
		labels := make([]string, len(s.Labels[i]))
		for j, l := range s.Labels[i] {
			labels[j] = truncate(l, tick, panelW*0.42)
		}
		vals := make([]string, len(s.Values[i]))
		for j, v := range s.Values[i] {
			vals[j] = formatSigned(v, 1)
			if v > 0 {
				vals[j] = "+" + vals[j]
			}
		}
		// Pad short panels so bars have the same thickness everywhere.
		for len(labels) < most {
			labels = append(labels, "")
		}
		values := append(append([]float64(nil), s.Values[i]...), make([]float64, most-len(s.Values[i]))...)
		vals = append(vals, make([]string, most-len(s.Values[i]))...)
		p := newPlot()
		p.Title.Text = wrap(s.Segments[i], textStyle(panelSize, true, ink), panelW-10, 2)
		if i+cols >= n {
			p.X.Label.Text = s.XLabel // only under the last panel of each column
		}
		p.X.Tick.Marker = numberTicks{}
		p.Y.Tick.Marker = categoryTicks{names: labels, top: true}
		p.Y.Tick.Length = 0
		addGrid(p, true, false)
		p.Add(&hbars{zero: true, values: values, labels: vals, colors: repeatColor(paint[i], most), height: 0.7})
		if len(s.Values[i]) == 0 {
			p.Add(note("no traits stand out"))
		}
		p.X.Min, p.X.Max = -lim, lim
		grid[len(grid)-1] = append(grid[len(grid)-1], p)
	}
	rows := len(grid)
	panelH := vg.Length(most)*15 + 58 + extraTitleLines(grid)
	return &Figure{
		title:      s.Title,
		legend:     segmentLegend(s.Segments, paint, keySwatch),
		bodyHeight: vg.Length(rows)*panelH + vg.Length(rows-1)*16,
		body:       func(c draw.Canvas) { drawGrid(c, grid, 24, 16) },
	}, nil
}

// note writes a short grey message in the middle of a panel.
type note string

// Plot implements plot.Plotter.
func (n note) Plot(c draw.Canvas, _ *plot.Plot) {
	ts := textStyle(labelSize, false, softInk)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YCenter
	c.FillText(ts, c.Center(), string(n))
}

// extraTitleLines is the height that two-line panel titles add to each row
// of a grid.
func extraTitleLines(grid [][]*plot.Plot) vg.Length {
	for _, row := range grid {
		for _, p := range row {
			if strings.Contains(p.Title.Text, "\n") {
				return panelSize + 2
			}
		}
	}
	return 0
}
