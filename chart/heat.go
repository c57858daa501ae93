package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatmapSpec describes a table of signed scores (such as z-scores) with one
// column per segment and one row per feature.
type HeatmapSpec struct {
	Title    string
	Segments []string // column names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	Rows        []string    // row names, top to bottom
	Z           [][]float64 // [segment][row]; NaN cells are grey and blank
	Limit       float64     // |z| at which the colour saturates; 0 means 2
	ScaleLabel  string      // colour bar label, with unit
	XLabel      string
	YLabel      string
	Decimals    int // decimals of the values written in the cells; 0 means 1
	// IDs numbers the segments as segments.csv does when names give way to
	// numbers; nil means 1, 2, ...
	IDs []int
}

// Heatmap draws the scores on a diverging blue–white–red scale centred at
// zero, writes each value in its cell and adds a colour bar. A band of
// segment colours heads the columns.
func Heatmap(s HeatmapSpec) (*Figure, error) {
	ns, nr := len(s.Segments), len(s.Rows)
	if ns == 0 || nr == 0 {
		return nil, errors.New("chart: heatmap: no segments or no rows")
	}
	if len(s.Z) != ns {
		return nil, fmt.Errorf("chart: heatmap: %d z rows for %d segments", len(s.Z), ns)
	}
	for i, col := range s.Z {
		if len(col) != nr {
			return nil, fmt.Errorf("chart: heatmap: segment %d (%q) has %d values for %d rows", i, s.Segments[i], len(col), nr)
		}
	}
	limit := s.Limit
	if limit == 0 {
		limit = 2
	}
	if !(limit > 0) || math.IsInf(limit, 0) {
		return nil, fmt.Errorf("chart: heatmap: limit %v is not a positive number", s.Limit)
	}
	dec := s.Decimals
	if dec == 0 {
		dec = 1
	}

	const barStrip = 90 // width of the colour bar strip
	tick := textStyle(tickSize, false, ink)
	rowNames := make([]string, nr)
	for i, r := range s.Rows {
		rowNames[i] = truncate(r, tick, 190)
	}
	colW := (figureWidth - 2*margin - barStrip - maxWidth(rowNames, tick) - 30) / vg.Length(ns)
	colNames := wrapAll(s.Segments, tick, colW-6, 3)
	cols := segmentPaint(ns, s.Unsegmented)
	legend := segmentLegend(s.Segments, cols, keySwatch)
	// Names that do not fit their column give way to segment numbers,
	// which the legend then carries.
	if slices.ContainsFunc(colNames, func(n string) bool { return strings.Contains(n, "…") }) {
		for i := range colNames {
			colNames[i] = segmentNumber(s.IDs, i)
			legend[i].label = colNames[i] + " " + legend[i].label
		}
	}

	p := newPlot()
	p.X.Label.Text = s.XLabel
	p.Y.Label.Text = s.YLabel
	p.X.Tick.Marker = categoryTicks{names: colNames}
	p.Y.Tick.Marker = categoryTicks{names: rowNames, top: true}
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.LineStyle.Width, p.Y.LineStyle.Width = 0, 0
	p.Add(&heatCells{z: s.Z, limit: limit, dec: dec, colors: cols})
	p.X.Padding, p.Y.Padding = 0, 0

	rowH := vg.Length(15)
	lines := 1
	for _, n := range colNames {
		lines = max(lines, len(splitLines(n)))
	}
	// Leave room for a readable colour bar even with few rows (the rows
	// then grow).
	bodyH := max(vg.Length(nr)*rowH+rowH*0.9+vg.Length(lines)*11+30, 190)
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: bodyH,
		body: func(c draw.Canvas) {
			main := c
			main.Max.X -= barStrip
			p.Draw(main)
			top := c.Max.Y - 6
			bottom := max(c.Min.Y+vg.Length(lines)*11+30, top-280)
			bar := vg.Rectangle{Min: vg.Point{X: c.Max.X - barStrip + 30, Y: bottom}, Max: vg.Point{X: c.Max.X - barStrip + 44, Y: top}}
			drawColorBar(c, bar, limit, s.ScaleLabel)
		},
	}, nil
}

func splitLines(s string) []string {
	n := 1
	for _, r := range s {
		if r == '\n' {
			n++
		}
	}
	return make([]string, n)
}

// heatCells draws the grid of coloured cells with values, plus the segment
// colour band above the first row.
type heatCells struct {
	z      [][]float64 // [column][row]
	limit  float64
	dec    int
	colors []color.RGBA // of each column's segment
}

const bandHeight = 0.55 // in rows

// Plot implements plot.Plotter.
func (h *heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	nr := len(h.z[0])
	gap := vg.Points(0.75)
	vs := textStyle(cellSize, false, ink)
	vs.XAlign, vs.YAlign = draw.XCenter, draw.YCenter
	rect := func(x0, x1, y0, y1 vg.Length) []vg.Point {
		return []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
	}
	for j, col := range h.z {
		x0, x1 := tx(float64(j)-0.5)+gap, tx(float64(j)+0.5)-gap
		for i, z := range col {
			y := float64(nr - 1 - i)
			y0, y1 := ty(y-0.5)+gap, ty(y+0.5)-gap
			fill := diverging(z / h.limit)
			c.FillPolygon(fill, rect(x0, x1, y0, y1))
			if math.IsNaN(z) {
				continue
			}
			vs.Color = textOn(fill)
			c.FillText(vs, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, formatSigned(z, h.dec))
		}
		top := float64(nr) - 0.5
		c.FillPolygon(h.colors[j], rect(x0, x1, ty(top+0.12), ty(top+bandHeight)))
	}
}

// DataRange implements plot.DataRanger.
func (h *heatCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(h.z)) - 0.5, -0.5, float64(len(h.z[0])) - 0.5 + bandHeight
}

// drawColorBar draws the key of the diverging scale from -limit to limit
// in r, with tick labels to its right and label rotated along its left.
func drawColorBar(c draw.Canvas, r vg.Rectangle, limit float64, label string) {
	const steps = 64
	h := r.Max.Y - r.Min.Y
	for k := range steps {
		y0 := r.Min.Y + h*vg.Length(k)/steps
		y1 := r.Min.Y + h*vg.Length(k+1)/steps + 0.3
		t := (float64(k)+0.5)/steps*2 - 1
		c.FillPolygon(diverging(t), []vg.Point{{X: r.Min.X, Y: y0}, {X: r.Max.X, Y: y0}, {X: r.Max.X, Y: y1}, {X: r.Min.X, Y: y1}})
	}
	ts := textStyle(tickSize, false, softInk)
	ts.YAlign = draw.YCenter
	step := niceStep(limit / 2)
	for v := -math.Floor(limit/step) * step; v <= limit+1e-9; v += step {
		y := r.Min.Y + h*vg.Length((v+limit)/(2*limit))
		c.StrokeLine2(draw.LineStyle{Color: axisInk, Width: 0.5}, r.Max.X, y, r.Max.X+3, y)
		lab := formatNumber(v, step)
		switch {
		case v >= limit-1e-9:
			lab = "≥ " + lab
		case v <= -limit+1e-9:
			lab = "≤ " + lab
		}
		c.FillText(ts, vg.Point{X: r.Max.X + 5, Y: y}, lab)
	}
	ls := textStyle(labelSize, false, ink)
	label = wrap(label, ls, h, 2)
	ls.Rotation = math.Pi / 2
	ls.XAlign, ls.YAlign = draw.XCenter, draw.YBottom
	c.FillText(ls, vg.Point{X: r.Min.X - 5, Y: (r.Min.Y + r.Max.Y) / 2}, label)
}

// segmentNumber is the number a chart shows for segment i: its id, or
// i + 1 without ids.
func segmentNumber(ids []int, i int) string {
	if i < len(ids) {
		return strconv.Itoa(ids[i])
	}
	return strconv.Itoa(i + 1)
}
