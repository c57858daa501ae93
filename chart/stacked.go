package chart

import (
	"errors"
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StackedSpec describes one horizontal 100% bar per segment, split into
// categories.
type StackedSpec struct {
	Title    string
	XLabel   string   // with unit
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, whose
	// square is UnsegmentedColor.
	Unsegmented bool
	Categories  []string    // stack order, left to right
	Values      [][]float64 // [segment][category] in percent, each row summing to about 100
	// Colors, when not nil, colours the categories (one each) instead of
	// CategoryColor.
	Colors []color.RGBA
}

// Stacked draws the category mix of each segment as stacked bars. Categories
// take CategoryColor; a square in the segment's colour starts each bar.
// Shares of at least 5% are written inside their stack.
func Stacked(s StackedSpec) (*Figure, error) {
	n, nc := len(s.Segments), len(s.Categories)
	if n == 0 || nc == 0 {
		return nil, errors.New("chart: stacked: no segments or no categories")
	}
	if len(s.Values) != n {
		return nil, fmt.Errorf("chart: stacked: %d value rows for %d segments", len(s.Values), n)
	}
	for i, row := range s.Values {
		if len(row) != nc {
			return nil, fmt.Errorf("chart: stacked: segment %d (%q) has %d values for %d categories", i, s.Segments[i], len(row), nc)
		}
		if err := checkFinite(row); err != nil {
			return nil, fmt.Errorf("chart: stacked: segment %d (%q): %w", i, s.Segments[i], err)
		}
		for j, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("chart: stacked: segment %d (%q) category %d (%q) is negative: %v", i, s.Segments[i], j, s.Categories[j], v)
			}
		}
	}
	tick := textStyle(tickSize, false, ink)
	p := newPlot()
	p.X.Label.Text = s.XLabel
	p.X.Tick.Marker = numberTicks{}
	p.Y.Tick.Marker = categoryTicks{names: wrapAll(s.Segments, tick, 150, 2), top: true}
	p.Y.Tick.Length = 0
	fills := make([]color.RGBA, nc)
	for j := range fills {
		fills[j] = CategoryColor(j)
		if j < len(s.Colors) {
			fills[j] = s.Colors[j]
		}
	}
	p.Add(&stackedBars{values: s.Values, colors: segmentPaint(n, s.Unsegmented), fills: fills})
	p.X.Min = -swatchSpan
	legend := make([]legendEntry, nc)
	for j, c := range s.Categories {
		legend[j] = legendEntry{label: c, color: fills[j], kind: keySwatch}
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: vg.Length(n)*28 + 40,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}

// swatchSpan is the room, in data units, left of zero for the segment
// colour squares.
const swatchSpan = 4.0

type stackedBars struct {
	values [][]float64
	colors []color.RGBA // of each segment
	fills  []color.RGBA // of each category
}

// Plot implements plot.Plotter.
func (b *stackedBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(b.values)
	ts := textStyle(cellSize, false, ink)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YCenter
	rect := func(x0, x1, y0, y1 vg.Length) []vg.Point {
		return []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
	}
	for i, row := range b.values {
		y := float64(n - 1 - i)
		y0, y1 := ty(y-0.34), ty(y+0.34)
		sq := (y1 - y0) * 0.7
		mid := (y0 + y1) / 2
		c.FillPolygon(b.colors[i], rect(tx(-swatchSpan/2)-sq/2, tx(-swatchSpan/2)+sq/2, mid-sq/2, mid+sq/2))
		acc := 0.0
		for j, v := range row {
			x0, x1 := tx(acc), tx(acc+v)
			acc += v
			fill := b.fills[j]
			c.FillPolygon(fill, rect(x0, x1, y0, y1))
			// White hairlines separate stacks of similar colour.
			c.StrokeLine2(draw.LineStyle{Color: paper, Width: 0.75}, x1, y0, x1, y1)
			if v >= 5 && ts.Width("00%") < x1-x0 {
				ts.Color = textOn(fill)
				c.FillText(ts, vg.Point{X: (x0 + x1) / 2, Y: mid}, strconv.Itoa(int(v+0.5))+"%")
			}
		}
	}
}

// DataRange implements plot.DataRanger.
func (b *stackedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmax = 100
	for _, row := range b.values {
		s := 0.0
		for _, v := range row {
			s += v
		}
		xmax = max(xmax, s)
	}
	return 0, xmax, -0.5, float64(len(b.values)) - 0.5
}
