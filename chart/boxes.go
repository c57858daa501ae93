package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FiveNum is a five-number summary: minimum, quartiles and maximum.
type FiveNum struct {
	Min, Q1, Median, Q3, Max float64
}

// NoBox is the summary of a segment without values (recency in a segment
// where nobody bought): Boxes writes "none" in its row instead of a box.
func NoBox() FiveNum { n := math.NaN(); return FiveNum{n, n, n, n, n} }

func (f FiveNum) none() bool { return math.IsNaN(f.Min) && math.IsNaN(f.Median) && math.IsNaN(f.Max) }

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
	// Log draws x on a symmetric log scale, sign(x)·log(1 + |x|), for
	// counts and money whose boxes would otherwise crowd at zero; negative
	// values (refunds) mirror the positive side.
	Log bool
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
			if b.none() {
				continue
			}
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
		if pn.Log {
			p.X.Scale = log1pScale{}
			p.X.Tick.Marker = log1pTicks{}
			p.X.Label.Text += " (log scale)"
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
		if f.none() {
			sty := textStyle(tickSize, false, softInk)
			sty.YAlign = draw.YCenter
			c.FillText(sty, vg.Point{X: c.Min.X + 4, Y: mid}, "none")
			continue
		}
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
		if f.none() {
			continue
		}
		xmin = math.Min(xmin, f.Min)
		xmax = math.Max(xmax, f.Max)
	}
	if xmin > xmax {
		xmin, xmax = 0, 1
	}
	return xmin, xmax, -0.5, float64(len(b.boxes)) - 0.5
}

// log1pScale maps x to sign(x)·log(1 + |x|), so that zero stays on the
// axis and negative values mirror positive ones.
type log1pScale struct{}

// symlog1p is sign(x)·log(1 + |x|).
func symlog1p(x float64) float64 {
	if x < 0 {
		return -math.Log1p(-x)
	}
	return math.Log1p(x)
}

// Normalize implements plot.Normalizer.
func (log1pScale) Normalize(lo, hi, x float64) float64 {
	a, b := symlog1p(lo), symlog1p(hi)
	if b == a {
		return 0.5
	}
	return (symlog1p(x) - a) / (b - a)
}

// log1pTicks labels 0 and the powers of ten (and their negatives) (with 2 and 5 between them
// when the range spans few decades) on a log1pScale axis.
type log1pTicks struct{}

// Ticks implements plot.Ticker.
func (log1pTicks) Ticks(lo, hi float64) []plot.Tick {
	// Labels stay readable on an axis that crosses zero: the decades both
	// sides add up, so past six of them only every other power of ten is
	// labelled, and none closer to zero than a tenth of the axis.
	span := symlog1p(hi) - symlog1p(lo)
	decades := math.Log10(math.Max(hi, 1)) + math.Log10(math.Max(-lo, 1))
	fine := decades < 3
	var ticks []plot.Tick
	add := func(v float64, major bool, k int) {
		if v < lo || v > hi {
			return
		}
		t := plot.Tick{Value: v}
		switch {
		case v == 0:
			major = true
		case lo < 0 && math.Log1p(math.Abs(v)) < span/10:
			major = false
		case decades > 6 && k%2 != 0:
			major = false
		}
		if major {
			t.Label = GroupDigits(trimFloat(v))
		}
		ticks = append(ticks, t)
	}
	add(0, true, 0)
	for _, sign := range []float64{1, -1} {
		top := hi
		if sign < 0 {
			top = -lo
		}
		k := 0
		for p := 1.0; p <= top*10; p *= 10 {
			add(sign*p, true, k)
			add(sign*2*p, fine, k)
			add(sign*5*p, fine, k)
			k++
		}
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Value < ticks[j].Value })
	return ticks
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
