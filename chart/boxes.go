package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FiveNum is a five-number summary: minimum, quartiles and maximum.
type FiveNum struct {
	Min, Q1, Median, Q3, Max float64
}

// BoxesSpec describes panels of horizontal box plots with one box per
// segment, side by side and sharing the segment axis.
type BoxesSpec struct {
	Title    string
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	Panels      []BoxPanel
}

// BoxPanel is one panel of a BoxesSpec.
type BoxPanel struct {
	Title  string
	XLabel string    // with unit
	Boxes  []FiveNum // one per segment
}

// Boxes draws box plots: the box spans the quartiles, the bar inside is the
// median and the whiskers reach the minimum and maximum.
func Boxes(s BoxesSpec) (*Figure, error) {
	n := len(s.Segments)
	if n == 0 || len(s.Panels) == 0 {
		return nil, errors.New("chart: boxes: no segments or no panels")
	}
	cols := segmentPaint(n, s.Unsegmented)
	tick := textStyle(tickSize, false, ink)
	names := wrapAll(s.Segments, tick, 150, 2)
	row := make([]*plot.Plot, len(s.Panels))
	for j, pn := range s.Panels {
		if len(pn.Boxes) != n {
			return nil, fmt.Errorf("chart: boxes: panel %d (%q) has %d boxes for %d segments", j, pn.Title, len(pn.Boxes), n)
		}
		for i, b := range pn.Boxes {
			if err := checkFinite([]float64{b.Min, b.Q1, b.Median, b.Q3, b.Max}); err != nil {
				return nil, fmt.Errorf("chart: boxes: panel %d (%q) segment %d: %w", j, pn.Title, i, err)
			}
			if !(b.Min <= b.Q1 && b.Q1 <= b.Median && b.Median <= b.Q3 && b.Q3 <= b.Max) {
				return nil, fmt.Errorf("chart: boxes: panel %d (%q) segment %d: summary %+v is not ordered", j, pn.Title, i, b)
			}
		}
		p := newPlot()
		p.Title.Text = pn.Title
		p.X.Label.Text = pn.XLabel
		p.X.Tick.Marker = numberTicks{}
		p.Y.Tick.Marker = categoryTicks{names: names, top: true, blank: j > 0}
		p.Y.Tick.Length = 0
		addGrid(p, true, false)
		p.Add(&boxes{boxes: pn.Boxes, colors: cols})
		if p.X.Min >= 0 {
			p.X.Min = 0 // counts, days and amounts read best from zero
		}
		row[j] = p
	}
	return &Figure{
		title: s.Title,
		legend: append(segmentLegend(s.Segments, cols, keySwatch),
			legendEntry{label: "box: middle 50% · bar: median · whiskers: min–max", color: softInk, kind: keyLine}),
		bodyHeight: vg.Length(n)*26 + 60,
		body:       func(c draw.Canvas) { drawGrid(c, [][]*plot.Plot{row}, 18, 0) },
	}, nil
}

type boxes struct {
	boxes  []FiveNum
	colors []color.RGBA
}

// Plot implements plot.Plotter.
func (b *boxes) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(b.boxes)
	for i, f := range b.boxes {
		col := b.colors[i]
		y := float64(n - 1 - i)
		y0, y1 := ty(y-0.3), ty(y+0.3)
		mid := ty(y)
		whisker := draw.LineStyle{Color: col, Width: 1.2}
		c.StrokeLine2(whisker, tx(f.Min), mid, tx(f.Q1), mid)
		c.StrokeLine2(whisker, tx(f.Q3), mid, tx(f.Max), mid)
		c.StrokeLine2(whisker, tx(f.Min), (mid+y0)/2, tx(f.Min), (mid+y1)/2)
		c.StrokeLine2(whisker, tx(f.Max), (mid+y0)/2, tx(f.Max), (mid+y1)/2)
		box := []vg.Point{{X: tx(f.Q1), Y: y0}, {X: tx(f.Q3), Y: y0}, {X: tx(f.Q3), Y: y1}, {X: tx(f.Q1), Y: y1}}
		c.FillPolygon(withAlpha(col, 0x70), box)
		c.StrokeLines(draw.LineStyle{Color: col, Width: 1.2}, append(box, box[0]))
		c.StrokeLine2(draw.LineStyle{Color: ink, Width: 2}, tx(f.Median), y0, tx(f.Median), y1)
	}
}

// DataRange implements plot.DataRanger.
func (b *boxes) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, f := range b.boxes {
		xmin = math.Min(xmin, f.Min)
		xmax = math.Max(xmax, f.Max)
	}
	return xmin, xmax, -0.5, float64(len(b.boxes)) - 0.5
}
