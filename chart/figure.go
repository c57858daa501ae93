package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is a finished chart: a title, a legend and a body of panels. It is
// immutable and can be encoded any number of times.
type Figure struct {
	title  string
	legend []legendEntry
	// body draws the panels into the canvas left below the title and
	// legend; bodyHeight is its height.
	body       func(c draw.Canvas)
	bodyHeight vg.Length
}

// legendKind is how a legend entry's key is drawn.
type legendKind int

const (
	keySwatch legendKind = iota // filled square
	keyLine                     // line with a marker
	keyMarker                   // marker only
	keyDashed                   // dashed line
)

type legendEntry struct {
	label string
	color color.Color
	kind  legendKind
	glyph draw.GlyphDrawer
}

// Margins and spacing of a figure, in points.
const (
	margin      = vg.Length(12)
	legendKeyW  = vg.Length(22)
	legendGapX  = vg.Length(16)
	legendRowH  = vg.Length(15)
	titleGap    = vg.Length(8)
	legendAfter = vg.Length(10)
)

// Size returns the width and height of the figure.
func (f *Figure) Size() (w, h vg.Length) {
	return figureWidth, f.headerHeight() + f.bodyHeight + margin
}

// Title returns the figure's title.
func (f *Figure) Title() string { return f.title }

func (f *Figure) headerHeight() vg.Length {
	ts := textStyle(titleSize, true, ink)
	h := margin + ts.Height(f.title) + titleGap
	if rows := len(f.legendRows()); rows > 0 {
		h += vg.Length(rows)*legendRowH + legendAfter - 4
	}
	return h
}

// legendRows flows the legend entries left to right, wrapping at the
// figure width.
func (f *Figure) legendRows() [][]legendEntry {
	ls := textStyle(legendSize, false, ink)
	var rows [][]legendEntry
	var row []legendEntry
	x := vg.Length(0)
	avail := figureWidth - 2*margin
	for _, e := range f.legend {
		w := legendKeyW + 5 + ls.Width(e.label)
		if len(row) > 0 && x+w > avail {
			rows = append(rows, row)
			row, x = nil, 0
		}
		row = append(row, e)
		x += w + legendGapX
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func (f *Figure) draw(c draw.Canvas) {
	w, h := f.Size()
	c.FillPolygon(paper, []vg.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}})

	ts := textStyle(titleSize, true, ink)
	ts.YAlign = draw.YTop
	y := h - margin
	c.FillText(ts, vg.Point{X: margin, Y: y}, f.title)
	y -= ts.Height(f.title) + titleGap

	ls := textStyle(legendSize, false, ink)
	ls.YAlign = draw.YCenter
	for _, row := range f.legendRows() {
		x := margin
		mid := y - legendRowH/2
		km := mid - 1.5 // optical centre of lower-case text sits below the box centre
		for _, e := range row {
			drawKey(c, e, vg.Rectangle{Min: vg.Point{X: x, Y: km - 5}, Max: vg.Point{X: x + legendKeyW, Y: km + 5}})
			x += legendKeyW + 5
			c.FillText(ls, vg.Point{X: x, Y: mid}, e.label)
			x += ls.Width(e.label) + legendGapX
		}
		y -= legendRowH
	}
	if len(f.legend) > 0 {
		y -= legendAfter - 4
	}
	body := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: margin, Y: margin},
		Max: vg.Point{X: w - margin, Y: y},
	}}
	f.body(body)
}

func drawKey(c draw.Canvas, e legendEntry, r vg.Rectangle) {
	mid := vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
	switch e.kind {
	case keySwatch:
		s := r.Max.Y - r.Min.Y
		x0 := mid.X - s/2
		c.FillPolygon(e.color, []vg.Point{{X: x0, Y: r.Min.Y}, {X: x0 + s, Y: r.Min.Y}, {X: x0 + s, Y: r.Max.Y}, {X: x0, Y: r.Max.Y}})
	case keyLine, keyDashed:
		ls := draw.LineStyle{Color: e.color, Width: vg.Points(1.8)}
		if e.kind == keyDashed {
			ls.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			ls.Width = vg.Points(1.2)
		}
		c.StrokeLine2(ls, r.Min.X, mid.Y, r.Max.X, mid.Y)
		if e.glyph != nil {
			c.DrawGlyphNoClip(draw.GlyphStyle{Color: e.color, Radius: vg.Points(3), Shape: e.glyph}, mid)
		}
	case keyMarker:
		g := e.glyph
		if g == nil {
			g = shapeCircle
		}
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: e.color, Radius: vg.Points(3.5), Shape: g}, mid)
	}
}

// WriteSVG writes the figure as a standalone SVG document. The font family
// is widened to 'Liberation Sans',Arial,Helvetica,sans-serif so viewers
// without Liberation Sans fall back to a face with the same metrics.
func (f *Figure) WriteSVG(w io.Writer) error {
	fw, fh := f.Size()
	c := vgsvg.New(fw, fh)
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("chart %q: encode svg: %w", f.title, err)
	}
	s := strings.ReplaceAll(buf.String(), "font-family:Liberation Sans;",
		"font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	_, err := io.WriteString(w, s)
	return err
}

// WritePNG writes the figure as a PNG image at dpi dots per inch.
func (f *Figure) WritePNG(w io.Writer, dpi int) error {
	if dpi <= 0 {
		return fmt.Errorf("chart %q: png dpi %d is not positive", f.title, dpi)
	}
	fw, fh := f.Size()
	c := vgimg.NewWith(vgimg.UseWH(fw, fh), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(paper))
	f.draw(draw.New(c))
	// Default compression spends more time than drawing does and saves
	// little on anti-aliased charts, so favour speed.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, c.Image()); err != nil {
		return fmt.Errorf("chart %q: encode png: %w", f.title, err)
	}
	return nil
}

// drawGrid draws plots in a grid of rows, aligning their axes. Nil entries
// leave their tile empty.
func drawGrid(c draw.Canvas, plots [][]*plot.Plot, padX, padY vg.Length) {
	rows := len(plots)
	cols := 0
	for _, r := range plots {
		cols = max(cols, len(r))
	}
	var stand *plot.Plot
	full := make([][]*plot.Plot, rows)
	for i, r := range plots {
		full[i] = make([]*plot.Plot, cols)
		copy(full[i], r)
		for _, p := range r {
			if p != nil && stand == nil {
				stand = p
			}
		}
	}
	for i := range full {
		for j := range full[i] {
			if full[i][j] == nil {
				full[i][j] = stand
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: padX, PadY: padY}
	canvases := plot.Align(full, tiles, c)
	for i, r := range plots {
		for j, p := range r {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

// segmentLegend returns legend entries for segments in display order, in
// the colours cols (from segmentPaint).
func segmentLegend(names []string, cols []color.RGBA, kind legendKind) []legendEntry {
	out := make([]legendEntry, len(names))
	for i, n := range names {
		out[i] = legendEntry{label: n, color: cols[i], kind: kind}
		if kind != keySwatch {
			out[i].glyph = segmentGlyph(i)
		}
	}
	return out
}
