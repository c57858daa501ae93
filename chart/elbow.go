package chart

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ElbowSpec describes the model-selection curves of a clustering: inertia
// and silhouette by number of clusters k.
type ElbowSpec struct {
	Title      string
	K          []int
	Inertia    []float64 // one per k
	Silhouette []float64 // one per k; NaN where not computed; nil for none
	// Stability (mean adjusted Rand index of half-sample segmentations
	// with the full one) and PredictionStrength, one per k, 0 to 1, NaN
	// where not computed; nil for none. Drawn together in a third panel.
	Stability          []float64
	PredictionStrength []float64
	Chosen             int // the k that was used; 0 marks none
}

// Elbow draws inertia (and silhouette, stability and prediction strength,
// when any is known) against k, with the chosen k marked by a dashed line
// and a highlighted point.
func Elbow(s ElbowSpec) (*Figure, error) {
	if len(s.K) == 0 {
		return nil, errors.New("chart: elbow: no k values")
	}
	if len(s.Inertia) != len(s.K) {
		return nil, fmt.Errorf("chart: elbow: %d inertia values for %d k values", len(s.Inertia), len(s.K))
	}
	if s.Silhouette != nil && len(s.Silhouette) != len(s.K) {
		return nil, fmt.Errorf("chart: elbow: %d silhouette values for %d k values", len(s.Silhouette), len(s.K))
	}
	for _, v := range []struct {
		name string
		vals []float64
	}{{"stability", s.Stability}, {"prediction strength", s.PredictionStrength}} {
		if v.vals != nil && len(v.vals) != len(s.K) {
			return nil, fmt.Errorf("chart: elbow: %d %s values for %d k values", len(v.vals), v.name, len(s.K))
		}
	}
	if err := checkFinite(s.Inertia); err != nil {
		return nil, fmt.Errorf("chart: elbow: inertia: %w", err)
	}
	type series struct {
		vals  []float64
		glyph shapeGlyph
		dash  bool
	}
	panel := func(title, ylabel string, lines ...series) (*plot.Plot, error) {
		p := newPlot()
		p.Title.Text = title
		p.X.Label.Text = "number of segments k"
		p.Y.Label.Text = ylabel
		p.X.Tick.Marker = intTicks{}
		p.Y.Tick.Marker = numberTicks{}
		addGrid(p, false, true)
		for _, line := range lines {
			var xy plotter.XYs
			for i, v := range line.vals {
				if !math.IsNaN(v) {
					xy = append(xy, plotter.XY{X: float64(s.K[i]), Y: v})
				}
			}
			if len(xy) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = neutralA, vg.Points(1.6)
			if line.dash {
				l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
			}
			pts.Color, pts.Shape, pts.Radius = neutralA, line.glyph, vg.Points(2.8)
			p.Add(l, pts)
			for i, v := range line.vals {
				if s.K[i] == s.Chosen && !math.IsNaN(v) {
					p.Add(&chosenMark{k: float64(s.K[i]), v: v})
				}
			}
		}
		if s.Chosen > 0 {
			p.X.Min = math.Min(p.X.Min, float64(s.Chosen))
			p.X.Max = math.Max(p.X.Max, float64(s.Chosen))
			p.Add(&chosenLine{k: float64(s.Chosen)})
		}
		p.X.Min -= 0.5
		p.X.Max += 0.5
		pad(&p.Y, 0.06, true, true)
		return p, nil
	}
	inertia, err := panel("Inertia (lower is tighter)", "within-segment sum of squares", series{vals: s.Inertia, glyph: shapeCircle})
	if err != nil {
		return nil, fmt.Errorf("chart: elbow: %w", err)
	}
	row := []*plot.Plot{inertia}
	legend := []legendEntry{{label: "inertia", color: neutralA, kind: keyLine, glyph: shapeCircle}}
	known := 0
	for _, v := range s.Silhouette {
		if !math.IsNaN(v) {
			known++
		}
	}
	if known > 0 {
		sil, err := panel("Silhouette (higher is better separated)", "mean silhouette (−1 to 1)", series{vals: s.Silhouette, glyph: shapeSquare})
		if err != nil {
			return nil, fmt.Errorf("chart: elbow: %w", err)
		}
		row = append(row, sil)
		legend = append(legend, legendEntry{label: "silhouette", color: neutralA, kind: keyLine, glyph: shapeSquare})
	}
	if anyKnown(s.Stability) || anyKnown(s.PredictionStrength) {
		st, err := panel("Stability (higher is steadier)", "agreement across samples (0 to 1)",
			series{vals: s.Stability, glyph: shapeTriangle}, series{vals: s.PredictionStrength, glyph: shapeDiamond, dash: true})
		if err != nil {
			return nil, fmt.Errorf("chart: elbow: %w", err)
		}
		row = append(row, st)
		if anyKnown(s.Stability) {
			legend = append(legend, legendEntry{label: "stability", color: neutralA, kind: keyLine, glyph: shapeTriangle})
		}
		if anyKnown(s.PredictionStrength) {
			legend = append(legend, legendEntry{label: "prediction strength", color: neutralA, kind: keyDashed, glyph: shapeDiamond})
		}
	}
	if s.Chosen > 0 {
		legend = append(legend, legendEntry{label: "chosen k = " + strconv.Itoa(s.Chosen), color: markInk, kind: keyDashed})
	}
	return &Figure{
		title:      s.Title,
		legend:     legend,
		bodyHeight: 280,
		body:       func(c draw.Canvas) { drawGrid(c, [][]*plot.Plot{row}, 28, 0) },
	}, nil
}

// anyKnown reports whether some value is not NaN.
func anyKnown(vals []float64) bool {
	for _, v := range vals {
		if !math.IsNaN(v) {
			return true
		}
	}
	return false
}

// intTicks labels every integer in range (every second or fifth when the
// range is wide).
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1
	switch span := hi - lo; {
	case span > 40:
		step = 10
	case span > 20:
		step = 5
	case span > 12:
		step = 2
	}
	var out []plot.Tick
	for k := int(math.Ceil(lo)); float64(k) <= hi; k++ {
		if k%step == 0 {
			out = append(out, plot.Tick{Value: float64(k), Label: strconv.Itoa(k)})
		}
	}
	return out
}

type chosenLine struct{ k float64 }

// Plot implements plot.Plotter.
func (m *chosenLine) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	c.StrokeLine2(draw.LineStyle{Color: markInk, Width: 1.2, Dashes: []vg.Length{4, 3}}, tx(m.k), c.Min.Y, tx(m.k), c.Max.Y)
}

type chosenMark struct{ k, v float64 }

// Plot implements plot.Plotter.
func (m *chosenMark) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	pt := vg.Point{X: tx(m.k), Y: ty(m.v)}
	c.DrawGlyphNoClip(draw.GlyphStyle{Color: markInk, Radius: 5.5, Shape: shapeRing}, pt)
}
