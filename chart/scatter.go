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

// ScatterSpec describes points coloured by segment, such as users in a 2-D
// projection.
type ScatterSpec struct {
	Title    string
	XLabel   string
	YLabel   string
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group: its
	// points are grey, drawn beneath the others, and get no centre mark.
	Unsegmented bool
	X, Y        []float64
	Segment     []int // index into Segments of each point
	// IDs numbers the segments (legend and centre marks) as segments.csv
	// does; nil means 1, 2, ...
	IDs []int
}

// Scatter draws the points in input order as small translucent dots, and
// marks each segment's mean position with its number.
func Scatter(s ScatterSpec) (*Figure, error) {
	n := len(s.Segments)
	if n == 0 {
		return nil, errors.New("chart: scatter: no segments")
	}
	if len(s.X) != len(s.Y) || len(s.X) != len(s.Segment) {
		return nil, fmt.Errorf("chart: scatter: %d x, %d y and %d segment values", len(s.X), len(s.Y), len(s.Segment))
	}
	if len(s.X) == 0 {
		return nil, errors.New("chart: scatter: no points")
	}
	if err := checkFinite(s.X); err != nil {
		return nil, fmt.Errorf("chart: scatter: x: %w", err)
	}
	if err := checkFinite(s.Y); err != nil {
		return nil, fmt.Errorf("chart: scatter: y: %w", err)
	}
	for i, g := range s.Segment {
		if g < 0 || g >= n {
			return nil, fmt.Errorf("chart: scatter: point %d has segment %d, want [0, %d)", i, g, n)
		}
	}
	p := newPlot()
	p.X.Label.Text = s.XLabel
	p.Y.Label.Text = s.YLabel
	p.X.Tick.Marker = numberTicks{}
	p.Y.Tick.Marker = numberTicks{}
	addGrid(p, true, true)
	cols := segmentPaint(n, s.Unsegmented)
	p.Add(&dots{x: s.X, y: s.Y, g: s.Segment, colors: cols, unseg: s.Unsegmented, ids: s.IDs})
	pad(&p.X, 0.02, true, true)
	pad(&p.Y, 0.02, true, true)
	legend := segmentLegend(s.Segments, cols, keyMarker)
	for i := range legend {
		legend[i].glyph = shapeCircle
		if !(s.Unsegmented && i == n-1) {
			legend[i].label = segmentNumber(s.IDs, i) + " " + legend[i].label
		}
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: 460,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}

type dots struct {
	x, y   []float64
	g      []int
	colors []color.RGBA // of each segment
	unseg  bool         // the last segment is the unsegmented group
	ids    []int        // segment numbers; nil means 1, 2, ...
}

// Plot implements plot.Plotter.
func (d *dots) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(d.colors)
	sx := make([]float64, n)
	sy := make([]float64, n)
	cnt := make([]int, n)
	// The unsegmented group is drawn first, beneath the segments.
	for pass := range 2 {
		for i := range d.x {
			g := d.g[i]
			if (d.unseg && g == n-1) != (pass == 0) {
				continue
			}
			c.DrawGlyphNoClip(draw.GlyphStyle{Color: withAlpha(d.colors[g], 0xa0), Radius: 1.8, Shape: shapeCircle},
				vg.Point{X: tx(d.x[i]), Y: ty(d.y[i])})
			sx[g] += d.x[i]
			sy[g] += d.y[i]
			cnt[g]++
		}
	}
	ts := textStyle(cellSize, true, paper)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YCenter
	for g := range n {
		if cnt[g] == 0 || (d.unseg && g == n-1) {
			continue // the unsegmented group has no centre
		}
		pt := vg.Point{X: tx(sx[g] / float64(cnt[g])), Y: ty(sy[g] / float64(cnt[g]))}
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: paper, Radius: 9, Shape: shapeCircle}, pt)
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: d.colors[g], Radius: 7.8, Shape: shapeCircle}, pt)
		ts.Color = textOn(d.colors[g])
		c.FillText(ts, pt, segmentNumber(d.ids, g))
	}
}

// DataRange implements plot.DataRanger.
func (d *dots) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range d.x {
		xmin, xmax = math.Min(xmin, d.x[i]), math.Max(xmax, d.x[i])
		ymin, ymax = math.Min(ymin, d.y[i]), math.Max(ymax, d.y[i])
	}
	return xmin, xmax, ymin, ymax
}
