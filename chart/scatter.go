package chart

import (
	"errors"
	"fmt"
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
	X, Y     []float64
	Segment  []int // index into Segments of each point
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
	p.Add(&dots{x: s.X, y: s.Y, g: s.Segment, n: n})
	pad(&p.X, 0.02, true, true)
	pad(&p.Y, 0.02, true, true)
	legend := segmentLegend(s.Segments, keyMarker)
	for i := range legend {
		legend[i].glyph = shapeCircle
		legend[i].label = fmt.Sprintf("%d %s", i+1, legend[i].label)
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: 460,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}

type dots struct {
	x, y []float64
	g    []int
	n    int
}

// Plot implements plot.Plotter.
func (d *dots) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sx := make([]float64, d.n)
	sy := make([]float64, d.n)
	cnt := make([]int, d.n)
	for i := range d.x {
		g := d.g[i]
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: withAlpha(SegmentColor(g), 0xa0), Radius: 1.8, Shape: shapeCircle},
			vg.Point{X: tx(d.x[i]), Y: ty(d.y[i])})
		sx[g] += d.x[i]
		sy[g] += d.y[i]
		cnt[g]++
	}
	ts := textStyle(cellSize, true, paper)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YCenter
	for g := range d.n {
		if cnt[g] == 0 {
			continue
		}
		pt := vg.Point{X: tx(sx[g] / float64(cnt[g])), Y: ty(sy[g] / float64(cnt[g]))}
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: paper, Radius: 9, Shape: shapeCircle}, pt)
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: SegmentColor(g), Radius: 7.8, Shape: shapeCircle}, pt)
		ts.Color = textOn(SegmentColor(g))
		c.FillText(ts, pt, fmt.Sprint(g+1))
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
