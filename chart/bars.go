package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BarsSpec describes horizontal bar panels with one bar per segment, side
// by side and sharing the segment axis.
type BarsSpec struct {
	Title    string
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	Panels      []BarPanel
}

// BarPanel is one panel of a BarsSpec.
type BarPanel struct {
	Title  string    // heading above the panel
	XLabel string    // value axis label, with unit
	Values []float64 // one per segment, finite
	Labels []string  // optional text at the end of each bar
}

// Bars draws one horizontal bar per segment in each panel.
func Bars(s BarsSpec) (*Figure, error) {
	if len(s.Segments) == 0 {
		return nil, errors.New("chart: bars: no segments")
	}
	if len(s.Panels) == 0 {
		return nil, errors.New("chart: bars: no panels")
	}
	n := len(s.Segments)
	cols := segmentPaint(n, s.Unsegmented)
	tick := textStyle(tickSize, false, ink)
	names := wrapAll(s.Segments, tick, 150, 2)
	panelW := (figureWidth - 2*margin - maxWidth(names, tick) - vg.Length(len(s.Panels)-1)*20) / vg.Length(len(s.Panels))
	row := make([]*plot.Plot, len(s.Panels))
	for j, pn := range s.Panels {
		if len(pn.Values) != n {
			return nil, fmt.Errorf("chart: bars: panel %d (%q) has %d values for %d segments", j, pn.Title, len(pn.Values), n)
		}
		if pn.Labels != nil && len(pn.Labels) != n {
			return nil, fmt.Errorf("chart: bars: panel %d (%q) has %d labels for %d segments", j, pn.Title, len(pn.Labels), n)
		}
		if err := checkFinite(pn.Values); err != nil {
			return nil, fmt.Errorf("chart: bars: panel %d (%q): %w", j, pn.Title, err)
		}
		p := newPlot()
		p.Title.Text = pn.Title
		p.X.Label.Text = pn.XLabel
		p.X.Tick.Marker = numberTicks{}
		p.Y.Tick.Marker = categoryTicks{names: names, top: true, blank: j > 0}
		p.Y.Tick.Length = 0
		addGrid(p, true, false)
		hb := &hbars{values: pn.Values, labels: pn.Labels, colors: asColors(cols), height: 0.68}
		p.Add(hb)
		p.X.Min = math.Min(p.X.Min, 0)
		// Leave room for the end labels: the data width is roughly the
		// panel width less the label text.
		if pn.Labels != nil && p.X.Max > 0 {
			lw := maxWidth(pn.Labels, textStyle(tickSize, false, ink)) + 8
			dataW := panelW - 30
			if dataW > 2*lw {
				p.X.Max *= float64(dataW / (dataW - lw))
			}
		}
		row[j] = p
	}
	bodyH := vg.Length(n)*26 + 60
	return &Figure{
		title:      s.Title,
		legend:     segmentLegend(s.Segments, cols, keySwatch),
		bodyHeight: bodyH,
		body:       func(c draw.Canvas) { drawGrid(c, [][]*plot.Plot{row}, 20, 0) },
	}, nil
}

// hbars draws horizontal bars at y = n-1-i (first bar on top), with an
// optional label past the end of each bar.
type hbars struct {
	zero   bool // draw a line at x = 0
	values []float64
	labels []string
	colors []color.Color
	height float64
	// between, when set, is drawn after the bars and before the labels,
	// which then get a white backing so lines do not cross them.
	between plot.Plotter
}

// Plot implements plot.Plotter.
func (b *hbars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	n := len(b.values)
	ls := textStyle(tickSize, false, ink)
	ls.YAlign = draw.YCenter
	if b.zero {
		c.StrokeLine2(draw.LineStyle{Color: axisInk, Width: 0.75}, tx(0), c.Min.Y, tx(0), c.Max.Y)
	}
	for i, v := range b.values {
		y := float64(n - 1 - i)
		x0, x1 := tx(0), tx(v)
		y0, y1 := ty(y-b.height/2), ty(y+b.height/2)
		c.FillPolygon(b.colors[i], c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
	if b.between != nil {
		b.between.Plot(c, p)
	}
	for i, v := range b.values {
		y := float64(n - 1 - i)
		x1 := tx(v)
		if b.labels == nil || b.labels[i] == "" {
			continue
		}
		sty := ls
		pt := vg.Point{X: x1 + 4, Y: ty(y)}
		if v < 0 {
			sty.XAlign = draw.XRight
			pt.X = x1 - 4
		}
		// A bar whose label would not fit between its end and the edge
		// of the axis (or that is cut there) carries its label inside.
		w := sty.Width(b.labels[i])
		switch {
		case v >= 0 && x1+4+w > c.Max.X:
			sty.XAlign, sty.Color = draw.XRight, textOn(b.colors[i])
			pt.X = min(x1, c.Max.X) - 4
		case v < 0 && x1-4-w < c.Min.X:
			sty.XAlign, sty.Color = draw.XLeft, textOn(b.colors[i])
			pt.X = max(x1, c.Min.X) + 4
		}
		if b.between != nil && sty.Color == ink {
			w, h := sty.Width(b.labels[i]), sty.Height(b.labels[i])
			left := pt.X - 2
			if sty.XAlign == draw.XRight {
				left = pt.X - w - 2
			}
			c.FillPolygon(paper, []vg.Point{{X: left, Y: pt.Y - h/2}, {X: left + w + 4, Y: pt.Y - h/2}, {X: left + w + 4, Y: pt.Y + h/2}, {X: left, Y: pt.Y + h/2}})
		}
		c.FillText(sty, pt, b.labels[i])
	}
}

// DataRange implements plot.DataRanger.
func (b *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, v := range b.values {
		xmin = math.Min(xmin, v)
		xmax = math.Max(xmax, v)
	}
	return xmin, xmax, -0.5, float64(len(b.values)) - 0.5
}

func asColors(cols []color.RGBA) []color.Color {
	out := make([]color.Color, len(cols))
	for i, c := range cols {
		out[i] = c
	}
	return out
}

func repeatColor(c color.Color, n int) []color.Color {
	out := make([]color.Color, n)
	for i := range out {
		out[i] = c
	}
	return out
}

// wrapAll wraps every name to width w and at most lines lines.
func wrapAll(names []string, sty text.Style, w vg.Length, lines int) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = wrap(n, sty, w, lines)
	}
	return out
}

// checkFinite reports the first NaN or infinite value.
func checkFinite(v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("value %d is %v", i, x)
		}
	}
	return nil
}
