package chart

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// KDistanceSpec describes the k-distance curve DBSCAN's eps is read from:
// every user's distance to its k-th nearest neighbour, sorted ascending.
type KDistanceSpec struct {
	Title     string
	Distances []float64 // sorted ascending, finite, not negative
	K         int       // the neighbour rank (DBSCAN's min_samples), at least 1
	Eps       float64   // the eps used; 0 marks none
	// MaxPoints bounds the points drawn; a longer curve is thinned to
	// about that many, keeping its shape. 0 means 1,000.
	MaxPoints int
}

// KDistance draws the sorted k-distance curve against the share of users,
// with eps as a dashed line and a ring where the curve crosses it. Users
// right of the ring have a k-distance above eps, so they are not core
// points of any segment.
func KDistance(s KDistanceSpec) (*Figure, error) {
	n := len(s.Distances)
	if n == 0 {
		return nil, errors.New("chart: k-distance: no distances")
	}
	if s.K < 1 {
		return nil, fmt.Errorf("chart: k-distance: k = %d, want at least 1", s.K)
	}
	if err := checkFinite(s.Distances); err != nil {
		return nil, fmt.Errorf("chart: k-distance: distances: %w", err)
	}
	for i, d := range s.Distances {
		if d < 0 {
			return nil, fmt.Errorf("chart: k-distance: distance %d is negative: %v", i, d)
		}
		if i > 0 && d < s.Distances[i-1] {
			return nil, fmt.Errorf("chart: k-distance: distances are not sorted ascending at %d", i)
		}
	}
	if !finite(s.Eps) || s.Eps < 0 {
		return nil, fmt.Errorf("chart: k-distance: eps %v is not a finite number ≥ 0", s.Eps)
	}
	if s.MaxPoints < 0 {
		return nil, fmt.Errorf("chart: k-distance: max points %d is negative", s.MaxPoints)
	}
	maxPts := s.MaxPoints
	if maxPts == 0 {
		maxPts = 1000
	}
	// x is the share of users (percent) at or below each rank.
	share := func(i int) float64 {
		if n == 1 {
			return 100
		}
		return 100 * float64(i) / float64(n-1)
	}
	xy := thinCurve(s.Distances, share, maxPts)

	p := newPlot()
	p.X.Label.Text = "users, sorted by k-distance (% of users)"
	p.Y.Label.Text = "distance to the " + Ordinal(s.K) + " nearest neighbour (k = min_samples = " + strconv.Itoa(s.K) + ")"
	p.X.Tick.Marker = numberTicks{suffix: "%"}
	p.Y.Tick.Marker = numberTicks{}
	addGrid(p, true, true)
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, fmt.Errorf("chart: k-distance: %w", err)
	}
	l.Color, l.Width = neutralA, vg.Points(1.8)
	p.Add(l)
	legend := []legendEntry{{label: "k-distance, k = " + strconv.Itoa(s.K), color: neutralA, kind: keyLine}}
	if s.Eps > 0 {
		// The first core users are those with a k-distance ≤ eps; the ring
		// sits on the last of them.
		core := sort.Search(n, func(i int) bool { return s.Distances[i] > s.Eps })
		above := n - core
		mark := &epsMark{eps: s.Eps, x: math.NaN()}
		if core > 0 {
			mark.x = share(core - 1)
		}
		p.Add(mark)
		legend = append(legend,
			legendEntry{label: "eps = " + strconv.FormatFloat(s.Eps, 'g', 4, 64), color: markInk, kind: keyDashed},
			legendEntry{label: fmt.Sprintf("%s of users above eps (not core)", formatPct(float64(above)/float64(n))), color: markInk, kind: keyMarker, glyph: shapeRing})
		p.Y.Max = math.Max(p.Y.Max, s.Eps)
	}
	p.Y.Min = 0
	p.X.Min, p.X.Max = 0, 100
	pad(&p.Y, 0.04, false, true)
	pad(&p.X, 0.01, true, true)
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: 300,
		body:       func(c draw.Canvas) { p.Draw(c) },
	}, nil
}

// thinCurve returns the points (x(i), v[i]) of an ascending curve, thinned
// to about maxPts: a point is kept when it has moved far enough from the
// last kept one, in either direction, relative to the ranges. The first and
// last points are always kept, so the steep tail of a k-distance curve keeps
// its shape while its long flat body shrinks.
func thinCurve(v []float64, x func(int) float64, maxPts int) plotter.XYs {
	n := len(v)
	if n <= maxPts {
		out := make(plotter.XYs, n)
		for i, d := range v {
			out[i] = plotter.XY{X: x(i), Y: d}
		}
		return out
	}
	xr := x(n-1) - x(0)
	yr := v[n-1] - v[0]
	if !(yr > 0) {
		yr = 1
	}
	// The path length in normalised units is at most 2, so this step keeps
	// at most about maxPts points.
	step := 2 / float64(maxPts)
	out := plotter.XYs{{X: x(0), Y: v[0]}}
	last := 0
	for i := 1; i < n-1; i++ {
		if (x(i)-x(last))/xr+(v[i]-v[last])/yr >= step {
			out = append(out, plotter.XY{X: x(i), Y: v[i]})
			last = i
		}
	}
	return append(out, plotter.XY{X: x(n - 1), Y: v[n-1]})
}

// epsMark draws eps as a dashed line across the panel and a ring where
// the curve reaches it (x NaN: nowhere).
type epsMark struct {
	eps, x float64
}

// Plot implements plot.Plotter.
func (m *epsMark) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	c.StrokeLine2(draw.LineStyle{Color: markInk, Width: 1.2, Dashes: []vg.Length{4, 3}}, c.Min.X, ty(m.eps), c.Max.X, ty(m.eps))
	if !math.IsNaN(m.x) {
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: markInk, Radius: 5.5, Shape: shapeRing}, vg.Point{X: tx(m.x), Y: ty(m.eps)})
	}
}

// Ordinal writes 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st.
func Ordinal(k int) string {
	suffix := "th"
	if k%100 < 11 || k%100 > 13 {
		switch k % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(k) + suffix
}

// formatPct formats a share 0..1 as a percentage with one decimal.
func formatPct(v float64) string {
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}
