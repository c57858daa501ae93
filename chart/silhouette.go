package chart

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SilhouetteSpec describes the mean silhouette of each segment beside the
// mean over all users.
type SilhouetteSpec struct {
	Title    string
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	// Values holds each segment's mean silhouette in [−1, 1]; NaN where
	// there is none (such as the unsegmented group).
	Values []float64
	// Mean is the mean silhouette of all users drawn as a dashed line; NaN
	// draws none.
	Mean float64
}

// Silhouette draws one horizontal bar per segment from zero to its mean
// silhouette, with its value at the end, and the overall mean as a dashed
// line. Segments without a value get a note instead of a bar.
func Silhouette(s SilhouetteSpec) (*Figure, error) {
	n := len(s.Segments)
	if n == 0 {
		return nil, errors.New("chart: silhouette: no segments")
	}
	if len(s.Values) != n {
		return nil, fmt.Errorf("chart: silhouette: %d values for %d segments", len(s.Values), n)
	}
	vals := make([]float64, n)
	labels := make([]string, n)
	lo, hi := 0.0, 0.0
	for i, v := range s.Values {
		if math.IsNaN(v) {
			labels[i] = "not computed"
			if s.Unsegmented && i == n-1 {
				labels[i] = "none: not a segment"
			}
			continue
		}
		if v < -1 || v > 1 {
			return nil, fmt.Errorf("chart: silhouette: segment %d (%q) has %v, want a value in [−1, 1]", i, s.Segments[i], v)
		}
		vals[i] = v
		labels[i] = formatSigned(v, 2)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if !math.IsNaN(s.Mean) && (s.Mean < -1 || s.Mean > 1) {
		return nil, fmt.Errorf("chart: silhouette: mean %v is not in [−1, 1]", s.Mean)
	}
	cols := segmentPaint(n, s.Unsegmented)
	tick := textStyle(tickSize, false, ink)
	p := newPlot()
	p.X.Label.Text = "mean silhouette (−1 to 1; higher: users sit closer to their own segment than to the next)"
	p.X.Tick.Marker = numberTicks{}
	p.Y.Tick.Marker = categoryTicks{names: wrapAll(s.Segments, tick, 150, 2), top: true}
	p.Y.Tick.Length = 0
	addGrid(p, true, false)
	bars := &hbars{zero: lo < 0, values: vals, labels: labels, colors: asColors(cols), height: 0.62}
	p.Add(bars)
	legend := segmentLegend(s.Segments, cols, keySwatch)
	if !math.IsNaN(s.Mean) {
		bars.between = &meanLine{v: s.Mean} // over the bars, under their labels
		legend = append(legend, legendEntry{label: "mean of all users = " + formatSigned(s.Mean, 2), color: ink, kind: keyDashed})
		lo, hi = math.Min(lo, s.Mean), math.Max(hi, s.Mean)
	}
	// Room for the labels past the bar ends: about 0.12 of the span.
	span := math.Max(hi-lo, 0.1)
	p.X.Min = lo
	if lo < 0 {
		p.X.Min = lo - 0.15*span
	}
	p.X.Max = hi + 0.18*span
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: vg.Length(n)*24 + 64,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}

// meanLine draws a vertical dashed line at v over the whole panel.
type meanLine struct{ v float64 }

// Plot implements plot.Plotter.
func (m *meanLine) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	x := tx(m.v)
	c.StrokeLine2(draw.LineStyle{Color: ink, Width: 1.2, Dashes: []vg.Length{4, 3}}, x, c.Min.Y, x, c.Max.Y)
}
