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

// DendrogramSpec describes the top of a hierarchical clustering tree, cut
// down to its last merges as SciPy's dendrogram(Z, truncate_mode="lastp")
// draws it: each leaf is a single user or a collapsed cluster.
type DendrogramSpec struct {
	Title    string
	YLabel   string   // merge height axis, with the linkage
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	// Leaves are drawn left to right at positions 0, 1, ...
	Leaves []DendrogramLeaf
	// Merges joins two nodes each, in order: A and B below len(Leaves) are
	// leaves, len(Leaves)+i is the node Merges[i] made. A is drawn on the
	// left. There are len(Leaves)-1 merges, the last one the root.
	Merges []DendrogramMerge
	// Cut is the height of the cut line; 0 draws none. CutLabel names it
	// in the legend, e.g. "cut into k = 5 segments".
	Cut      float64
	CutLabel string
}

// DendrogramLeaf is a leaf of a truncated dendrogram.
type DendrogramLeaf struct {
	Size    int // users in it, at least 1
	Segment int // index into Segments; −1 when its users are in several
}

// DendrogramMerge is one merge of a truncated dendrogram.
type DendrogramMerge struct {
	A, B   int     // the nodes joined
	Height float64 // linkage distance, finite and not negative
}

// Dendrogram draws the tree with merges as ⊓ links. Links inside one
// segment take its colour up to the cut line, links that join segments are
// dark grey (as SciPy's above_threshold_color); each
// leaf is a dot in its segment's colour, larger for more users, labelled
// with its number of users.
func Dendrogram(s DendrogramSpec) (*Figure, error) {
	ns, nl := len(s.Segments), len(s.Leaves)
	if ns == 0 {
		return nil, errors.New("chart: dendrogram: no segments")
	}
	if nl == 0 {
		return nil, errors.New("chart: dendrogram: no leaves")
	}
	if len(s.Merges) != nl-1 {
		return nil, fmt.Errorf("chart: dendrogram: %d merges for %d leaves, want %d", len(s.Merges), nl, nl-1)
	}
	for i, l := range s.Leaves {
		if l.Size < 1 {
			return nil, fmt.Errorf("chart: dendrogram: leaf %d has size %d, want at least 1", i, l.Size)
		}
		if l.Segment < -1 || l.Segment >= ns {
			return nil, fmt.Errorf("chart: dendrogram: leaf %d has segment %d, want −1 or [0, %d)", i, l.Segment, ns)
		}
	}
	used := make([]bool, 2*nl-1)
	for i, m := range s.Merges {
		for _, c := range []int{m.A, m.B} {
			if c < 0 || c >= nl+i {
				return nil, fmt.Errorf("chart: dendrogram: merge %d joins node %d, want [0, %d)", i, c, nl+i)
			}
			if used[c] {
				return nil, fmt.Errorf("chart: dendrogram: merge %d joins node %d, which an earlier merge already joined", i, c)
			}
			used[c] = true
		}
		if m.A == m.B {
			return nil, fmt.Errorf("chart: dendrogram: merge %d joins node %d with itself", i, m.A)
		}
		if !finite(m.Height) || m.Height < 0 {
			return nil, fmt.Errorf("chart: dendrogram: merge %d has height %v, want a finite number ≥ 0", i, m.Height)
		}
	}
	if !finite(s.Cut) || s.Cut < 0 {
		return nil, fmt.Errorf("chart: dendrogram: cut %v is not a finite number ≥ 0", s.Cut)
	}
	cols := segmentPaint(ns, s.Unsegmented)

	// Positions, heights and segments of every node.
	nodes := 2*nl - 1
	x, y := make([]float64, nodes), make([]float64, nodes)
	seg := make([]int, nodes)
	maxSize := 1
	for i, l := range s.Leaves {
		x[i], seg[i] = float64(i), l.Segment
		maxSize = max(maxSize, l.Size)
	}
	for i, m := range s.Merges {
		id := nl + i
		x[id] = (x[m.A] + x[m.B]) / 2
		y[id] = m.Height
		seg[id] = -1
		if seg[m.A] == seg[m.B] {
			seg[id] = seg[m.A]
		}
	}
	ticks := make([]string, nl)
	for i, l := range s.Leaves {
		ticks[i] = GroupDigits(fmt.Sprint(l.Size))
	}

	p := newPlot()
	p.X.Label.Text = "leaves: single users or collapsed clusters (number of users)"
	p.Y.Label.Text = s.YLabel
	// The leaf labels are drawn by dendroLinks, below the leaf dots and
	// turned to read downwards; the axis label leaves room for them.
	p.X.Tick.Marker = plot.ConstantTicks(nil)
	p.X.Label.Padding = leafLabelGap + maxWidth(ticks, textStyle(tickSize, false, ink)) + 4
	p.Y.Tick.Marker = numberTicks{}
	addGrid(p, false, true)
	p.Add(&dendroLinks{s: s, x: x, y: y, seg: seg, cols: cols, maxSize: maxSize, labels: ticks})
	p.X.Min, p.X.Max = -0.6, float64(nl)-0.4
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max, s.Cut)
	if !(p.Y.Max > 0) {
		p.Y.Max = 1
	}
	pad(&p.Y, 0.05, false, true)

	// Only the segments that own a leaf go into the legend.
	var legend []legendEntry
	for i, e := range segmentLegend(s.Segments, cols, keySwatch) {
		for _, l := range s.Leaves {
			if l.Segment == i {
				legend = append(legend, e)
				break
			}
		}
	}
	for i := range s.Merges {
		if seg[nl+i] < 0 {
			legend = append(legend, legendEntry{label: "joins segments", color: linkInk, kind: keyLine})
			break
		}
	}
	if s.Cut > 0 {
		label := s.CutLabel
		if label == "" {
			label = "cut"
		}
		legend = append(legend, legendEntry{label: label, color: markInk, kind: keyDashed})
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: 330,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}

// linkInk draws the links that join different segments.
var linkInk = color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff}

type dendroLinks struct {
	s       DendrogramSpec
	x, y    []float64
	seg     []int
	cols    []color.RGBA
	maxSize int
	labels  []string // of the leaves
}

// leafLabelGap is the room between the axis line and the leaf labels,
// clear of the largest leaf dot.
const leafLabelGap = 10

// Plot implements plot.Plotter.
func (d *dendroLinks) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	nl := len(d.s.Leaves)
	colorOf := func(id int) color.Color {
		if g := d.seg[id]; g >= 0 {
			return d.cols[g]
		}
		return linkInk
	}
	if d.s.Cut > 0 {
		c.StrokeLine2(draw.LineStyle{Color: markInk, Width: 1.4, Dashes: []vg.Length{5, 3}}, c.Min.X, ty(d.s.Cut), c.Max.X, ty(d.s.Cut))
	}
	for i, m := range d.s.Merges {
		id := nl + i
		h := ty(d.y[id])
		// Each leg takes the colour of the child it leads to up to the cut,
		// and the joining grey above it; the bar takes the merge's colour.
		for _, ch := range []int{m.A, m.B} {
			x, y0 := tx(d.x[ch]), ty(d.y[ch])
			split := h
			if d.s.Cut > 0 && d.y[id] > d.s.Cut && d.seg[ch] >= 0 {
				split = max(y0, ty(d.s.Cut))
				c.StrokeLine2(draw.LineStyle{Color: linkInk, Width: 1.5}, x, split, x, h)
			}
			c.StrokeLine2(draw.LineStyle{Color: colorOf(ch), Width: 1.5}, x, y0, x, split)
		}
		c.StrokeLine2(draw.LineStyle{Color: colorOf(id), Width: 1.5}, tx(d.x[m.A]), h, tx(d.x[m.B]), h)
	}
	for i, l := range d.s.Leaves {
		r := vg.Length(2.5 + 4.5*math.Sqrt(float64(l.Size)/float64(d.maxSize)))
		pt := vg.Point{X: tx(d.x[i]), Y: ty(0)}
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: paper, Radius: r + 1, Shape: shapeCircle}, pt)
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: colorOf(i), Radius: r, Shape: shapeCircle}, pt)
	}
	ts := textStyle(tickSize, false, softInk)
	ts.Rotation = -math.Pi / 2
	ts.XAlign, ts.YAlign = draw.XLeft, draw.YCenter
	for i, l := range d.labels {
		c.FillText(ts, vg.Point{X: tx(d.x[i]), Y: c.Min.Y - leafLabelGap}, l)
	}
}

// DataRange implements plot.DataRanger.
func (d *dendroLinks) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, h := range d.y {
		ymax = math.Max(ymax, h)
	}
	return 0, float64(len(d.s.Leaves) - 1), 0, ymax
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
