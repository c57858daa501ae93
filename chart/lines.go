package chart

import (
	"errors"
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LinesSpec describes one line per segment over ordered positions
// 0..len(XTicks)-1, such as hours of the day or weekdays.
type LinesSpec struct {
	Title    string
	XLabel   string
	YLabel   string   // with unit
	XTicks   []string // label of each position
	TickStep int      // label every TickStep-th position; 0 labels all
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor with a dashed line.
	Unsegmented bool
	Values      [][]float64 // [segment][position]
	Height      vg.Length   // body height; 0 means 300pt
}

// Lines draws a line with markers per segment.
func Lines(s LinesSpec) (*Figure, error) {
	if len(s.Segments) == 0 {
		return nil, errors.New("chart: lines: no segments")
	}
	if len(s.XTicks) == 0 {
		return nil, errors.New("chart: lines: no x positions")
	}
	if len(s.Values) != len(s.Segments) {
		return nil, fmt.Errorf("chart: lines: %d value rows for %d segments", len(s.Values), len(s.Segments))
	}
	cols := segmentPaint(len(s.Segments), s.Unsegmented)
	p := newPlot()
	p.X.Label.Text = s.XLabel
	p.Y.Label.Text = s.YLabel
	p.X.Tick.Marker = categoryTicks{names: s.XTicks, step: s.TickStep}
	p.Y.Tick.Marker = numberTicks{}
	addGrid(p, false, true)
	for i, row := range s.Values {
		if len(row) != len(s.XTicks) {
			return nil, fmt.Errorf("chart: lines: segment %d (%q) has %d values for %d positions", i, s.Segments[i], len(row), len(s.XTicks))
		}
		if err := checkFinite(row); err != nil {
			return nil, fmt.Errorf("chart: lines: segment %d (%q): %w", i, s.Segments[i], err)
		}
		xy := make(plotter.XYs, len(row))
		for x, v := range row {
			xy[x] = plotter.XY{X: float64(x), Y: v}
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("chart: lines: segment %d: %w", i, err)
		}
		l.Color = cols[i]
		l.Width = vg.Points(1.6)
		if s.Unsegmented && i == len(s.Segments)-1 {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		pts.Color = cols[i]
		pts.Shape = segmentGlyph(i)
		pts.Radius = vg.Points(2.6)
		p.Add(l, pts)
	}
	p.Y.Min = 0
	pad(&p.Y, 0.05, false, true)
	p.X.Min, p.X.Max = -0.4, float64(len(s.XTicks))-0.6
	h := s.Height
	if h == 0 {
		h = 300
	}
	legend := segmentLegend(s.Segments, cols, keyLine)
	if s.Unsegmented {
		legend[len(legend)-1].kind = keyDashed
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: h,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}
