package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GridCell is one cell of an RFM grid: a segment's buyers whose recency
// score is R and frequency score F.
type GridCell struct {
	Segment  int     // index into GridSpec.Segments
	R, F     int     // scores 1..5 (5: most recent, most orders)
	Users    int     // users in the cell
	Monetary float64 // their mean spend
	Group    string  // the named RFM group most of the cell is in; "" for none
}

// GridSpec describes a Klaviyo-style RFM grid per segment.
type GridSpec struct {
	Title    string
	Segments []string // panel names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	// IDs numbers the panels as segments.csv does (a negative id, the
	// unsegmented group, shows no number); nil means 1, 2, ...
	IDs   []int
	Cells []GridCell
	// Groups and GroupColors are the named RFM groups in legend order
	// and their colours: each cell carries a corner mark in the colour of
	// its Group. A group without a colour takes CategoryColor.
	Groups      []string
	GroupColors []color.RGBA
	// SpendLabel titles the colour bar ("mean spend (€)").
	SpendLabel string
	Columns    int // panels per row; 0 means 4
}

// Grid draws, per segment, a 5 × 5 grid of recency score (across) by
// frequency score (up): each cell is coloured by its users' mean spend on
// a log(1 + x) scale shared by every panel, labelled with its share of the
// segment's buyers in the grid, and marked in a corner with the colour of
// its RFM group. A cell without users is left pale and blank, a panel
// without buyers says so.
func Grid(s GridSpec) (*Figure, error) {
	ns := len(s.Segments)
	if ns == 0 {
		return nil, errors.New("chart: grid: no segments")
	}
	if len(s.GroupColors) > len(s.Groups) {
		return nil, fmt.Errorf("chart: grid: %d group colours for %d groups", len(s.GroupColors), len(s.Groups))
	}
	groupColor := map[string]color.RGBA{}
	for i, g := range s.Groups {
		c := CategoryColor(i)
		if i < len(s.GroupColors) {
			c = s.GroupColors[i]
		}
		groupColor[g] = c
	}
	type cell struct {
		users    int
		monetary float64
		group    string
	}
	cells := make([][5][5]cell, ns) // [segment][R-1][F-1]
	total := make([]int, ns)
	hi := 0.0
	for i, c := range s.Cells {
		switch {
		case c.Segment < 0 || c.Segment >= ns:
			return nil, fmt.Errorf("chart: grid: cell %d: segment %d of %d", i, c.Segment, ns)
		case c.R < 1 || c.R > 5 || c.F < 1 || c.F > 5:
			return nil, fmt.Errorf("chart: grid: cell %d: scores R %d, F %d are not in 1..5", i, c.R, c.F)
		case c.Users < 0 || math.IsNaN(c.Monetary) || math.IsInf(c.Monetary, 0):
			return nil, fmt.Errorf("chart: grid: cell %d: %d users with mean spend %v", i, c.Users, c.Monetary)
		case c.Group != "" && !hasKey(groupColor, c.Group):
			return nil, fmt.Errorf("chart: grid: cell %d: group %q is not among Groups", i, c.Group)
		}
		cl := &cells[c.Segment][c.R-1][c.F-1]
		if cl.users > 0 {
			return nil, fmt.Errorf("chart: grid: cell %d: segment %d has R %d, F %d twice", i, c.Segment, c.R, c.F)
		}
		*cl = cell{c.Users, c.Monetary, c.Group}
		total[c.Segment] += c.Users
		if c.Users > 0 {
			hi = math.Max(hi, symlog1p(math.Max(c.Monetary, 0)))
		}
	}

	cols := s.Columns
	if cols <= 0 {
		cols = 4
	}
	cols = min(cols, ns)
	rows := (ns + cols - 1) / cols
	const (
		barStrip = vg.Length(90)
		yAxisW   = vg.Length(30) // frequency label and ticks
		headH    = vg.Length(30) // two lines of the segment's name
		xAxisH   = vg.Length(26) // ticks and recency label
		panelGap = vg.Length(14)
		rowGap   = vg.Length(12)
	)
	bodyW := figureWidth - 2*margin
	panelW := (bodyW - barStrip - vg.Length(cols-1)*panelGap) / vg.Length(cols)
	cellW := min((panelW-yAxisW)/5, 30)
	panelH := headH + 5*cellW + xAxisH
	paint := segmentPaint(ns, s.Unsegmented)

	var legend []legendEntry
	for _, g := range s.Groups {
		legend = append(legend, legendEntry{label: g, color: groupColor[g], kind: keySwatch})
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: vg.Length(rows)*panelH + vg.Length(rows-1)*rowGap,
		body: func(c draw.Canvas) {
			head := textStyle(labelSize, true, ink)
			head.YAlign = draw.YCenter
			tick := textStyle(tickSize, false, softInk)
			label := textStyle(tickSize, false, ink)
			value := textStyle(cellSize, false, ink)
			value.XAlign, value.YAlign = draw.XCenter, draw.YCenter
			empty := color.RGBA{R: 0xf4, G: 0xf4, B: 0xf4, A: 0xff}
			for seg := range ns {
				px := c.Min.X + vg.Length(seg%cols)*(panelW+panelGap)
				top := c.Max.Y - vg.Length(seg/cols)*(panelH+rowGap)
				// Heading: the segment's colour and its number and name.
				sw := vg.Length(9)
				hy := top - 7
				c.FillPolygon(paint[seg], rect(px, px+sw, hy-sw/2, hy+sw/2))
				name := s.Segments[seg]
				if seg >= len(s.IDs) || s.IDs[seg] >= 0 { // the unsegmented group (id -1) has no number
					name = segmentNumber(s.IDs, seg) + " · " + name
				}
				for k, line := range strings.Split(wrap(name, head, panelW-sw-4, 2), "\n") {
					c.FillText(head, vg.Point{X: px + sw + 4, Y: hy - vg.Length(k)*12}, line)
				}
				gx := px + yAxisW
				gy := top - headH - 5*cellW // bottom of the grid
				gap := vg.Points(0.75)
				for r := range 5 {
					for f := range 5 {
						cl := cells[seg][r][f]
						x0, y0 := gx+vg.Length(r)*cellW, gy+vg.Length(f)*cellW
						fill := empty
						if cl.users > 0 {
							t := 0.0
							if hi > 0 {
								t = symlog1p(math.Max(cl.monetary, 0)) / hi
							}
							fill = sequential(t)
						}
						c.FillPolygon(fill, rect(x0+gap, x0+cellW-gap, y0+gap, y0+cellW-gap))
						if cl.users == 0 {
							continue
						}
						if gc, ok := groupColor[cl.group]; ok {
							m := cellW / 4
							c.FillPolygon(gc, []vg.Point{{X: x0 + gap, Y: y0 + cellW - gap}, {X: x0 + gap + m, Y: y0 + cellW - gap}, {X: x0 + gap, Y: y0 + cellW - gap - m}})
						}
						value.Color = textOn(fill)
						c.FillText(value, vg.Point{X: x0 + cellW/2, Y: y0 + cellW/2 - 1}, gridShare(cl.users, total[seg]))
					}
				}
				if total[seg] == 0 {
					value.Color = softInk
					c.FillText(value, vg.Point{X: gx + 2.5*cellW, Y: gy + 2.5*cellW}, "no buyers")
				}
				// Axes: scores 1..5, then their names.
				tick.XAlign, tick.YAlign = draw.XCenter, draw.YTop
				for k := range 5 {
					c.FillText(tick, vg.Point{X: gx + (vg.Length(k)+0.5)*cellW, Y: gy - 2}, strconv.Itoa(k+1))
				}
				label.XAlign, label.YAlign = draw.XCenter, draw.YTop
				c.FillText(label, vg.Point{X: gx + 2.5*cellW, Y: gy - 14}, "recency score")
				tick.XAlign, tick.YAlign = draw.XRight, draw.YCenter
				for k := range 5 {
					c.FillText(tick, vg.Point{X: gx - 3, Y: gy + (vg.Length(k)+0.5)*cellW}, strconv.Itoa(k+1))
				}
				rot := label
				rot.Rotation = math.Pi / 2
				rot.XAlign, rot.YAlign = draw.XCenter, draw.YBottom
				c.FillText(rot, vg.Point{X: gx - 12, Y: gy + 2.5*cellW}, "frequency score")
			}
			// The spend scale.
			top := c.Max.Y - headH
			bottom := max(c.Min.Y, top-min(180, vg.Length(rows)*panelH-headH))
			bar := vg.Rectangle{Min: vg.Point{X: c.Max.X - barStrip + 30, Y: bottom}, Max: vg.Point{X: c.Max.X - barStrip + 44, Y: top}}
			drawSpendBar(c, bar, hi, s.SpendLabel)
		},
	}, nil
}

// gridShare writes a cell's share of its segment's buyers: whole
// percents, "<1%" for a share that would round to 0.
func gridShare(users, total int) string {
	p := int(math.Round(100 * float64(users) / float64(total)))
	if p == 0 {
		return "<1%"
	}
	return strconv.Itoa(p) + "%"
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func rect(x0, x1, y0, y1 vg.Length) []vg.Point {
	return []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// sequentialStops run from pale yellow to dark blue (Vega's
// yellowgreenblue, which the page's interactive grid uses).
var sequentialStops = [...]uint32{0xeff9bd, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x0c2c84}

// sequential maps t in [0, 1] onto the sequential scale.
func sequential(t float64) color.RGBA {
	if math.IsNaN(t) {
		t = 0
	}
	t = math.Max(0, math.Min(1, t)) * float64(len(sequentialStops)-1)
	i := min(int(t), len(sequentialStops)-2)
	f := t - float64(i)
	a, b := rgb(sequentialStops[i]), rgb(sequentialStops[i+1])
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// drawSpendBar draws the key of the sequential spend scale, 0 to
// exp(hi) - 1 on a log(1 + x) axis, in r with ticks at 0 and powers of ten.
func drawSpendBar(c draw.Canvas, r vg.Rectangle, hi float64, label string) {
	const steps = 64
	h := r.Max.Y - r.Min.Y
	for k := range steps {
		y0 := r.Min.Y + h*vg.Length(k)/steps
		y1 := r.Min.Y + h*vg.Length(k+1)/steps + 0.3
		c.FillPolygon(sequential((float64(k)+0.5)/steps), rect(r.Min.X, r.Max.X, y0, y1))
	}
	ts := textStyle(tickSize, false, softInk)
	ts.YAlign = draw.YCenter
	if hi > 0 {
		top := math.Expm1(hi)
		for v := 0.0; v <= top; v = nextPower(v) {
			y := r.Min.Y + h*vg.Length(symlog1p(v)/hi)
			c.StrokeLine2(draw.LineStyle{Color: axisInk, Width: 0.5}, r.Max.X, y, r.Max.X+3, y)
			c.FillText(ts, vg.Point{X: r.Max.X + 5, Y: y}, formatNumber(v, math.Max(1, v)))
		}
	}
	ls := textStyle(labelSize, false, ink)
	label = wrap(label, ls, h, 2)
	ls.Rotation = math.Pi / 2
	ls.XAlign, ls.YAlign = draw.XCenter, draw.YBottom
	c.FillText(ls, vg.Point{X: r.Min.X - 5, Y: (r.Min.Y + r.Max.Y) / 2}, label)
}

// nextPower is the power of ten after v (1 after 0).
func nextPower(v float64) float64 {
	if v < 1 {
		return 1
	}
	return v * 10
}
