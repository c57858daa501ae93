package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HistogramsSpec describes one histogram per segment over shared bins, as
// small multiples with a common scale.
type HistogramsSpec struct {
	Title    string
	XLabel   string   // with unit
	Segments []string // names in display order
	// Unsegmented marks the last segment as the unsegmented group, drawn
	// in UnsegmentedColor.
	Unsegmented bool
	Values      [][]float64 // [segment] observations; NaN values are skipped
	BinWidth    float64     // 0 chooses a round width giving about 20 bins
	Columns     int         // panels per row; 0 means 2
}

// Histograms draws, for each segment, the percentage of its observations in
// each bin, with its median as a dashed line.
func Histograms(s HistogramsSpec) (*Figure, error) {
	n := len(s.Segments)
	if n == 0 {
		return nil, errors.New("chart: histograms: no segments")
	}
	if len(s.Values) != n {
		return nil, fmt.Errorf("chart: histograms: %d value lists for %d segments", len(s.Values), n)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, vs := range s.Values {
		for _, v := range vs {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("chart: histograms: segment %d (%q) has an infinite value", i, s.Segments[i])
			}
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return nil, errors.New("chart: histograms: no values")
	}
	bw := s.BinWidth
	if bw < 0 || math.IsNaN(bw) || math.IsInf(bw, 0) {
		return nil, fmt.Errorf("chart: histograms: bin width %v is not positive", s.BinWidth)
	}
	if bw == 0 {
		bw = niceStep(math.Max(hi-lo, 1) / 20)
	}
	start := math.Floor(lo/bw) * bw
	if (hi-start)/bw >= maxBins {
		return nil, fmt.Errorf("chart: histograms: values from %v to %v need more than %d bins of width %v", lo, hi, maxBins, bw)
	}
	nb := int(math.Floor((hi-start)/bw)) + 1
	paint := segmentPaint(n, s.Unsegmented)
	cols := s.Columns
	if cols <= 0 {
		cols = 2
	}
	cols = min(cols, n)
	pct := make([][]float64, n)
	medians := make([]float64, n)
	counts := make([]int, n)
	top := 0.0
	for i, vs := range s.Values {
		pct[i] = make([]float64, nb)
		var kept []float64
		for _, v := range vs {
			if math.IsNaN(v) {
				continue
			}
			b := min(int(math.Floor((v-start)/bw)), nb-1)
			pct[i][b]++
			kept = append(kept, v)
		}
		counts[i] = len(kept)
		medians[i] = math.NaN()
		if len(kept) > 0 {
			slices.Sort(kept)
			m := len(kept) / 2
			medians[i] = kept[m]
			if len(kept)%2 == 0 {
				medians[i] = (kept[m-1] + kept[m]) / 2
			}
			for b := range pct[i] {
				pct[i][b] *= 100 / float64(len(kept))
				top = math.Max(top, pct[i][b])
			}
		}
	}
	var grid [][]*plot.Plot
	panelW := (figureWidth - 2*margin - vg.Length(cols-1)*20) / vg.Length(cols)
	for i := range n {
		if i%cols == 0 {
			grid = append(grid, nil)
		}
		p := newPlot()
		title := fmt.Sprintf("%s (n = %s", s.Segments[i], GroupDigits(fmt.Sprint(counts[i])))
		if !math.IsNaN(medians[i]) {
			title += ", median " + strconv.FormatFloat(math.Round(medians[i]*10)/10, 'f', -1, 64)
		}
		p.Title.Text = wrap(title+")", textStyle(panelSize, true, ink), panelW-10, 2)
		if i+cols >= n {
			p.X.Label.Text = s.XLabel // only under the last panel of each column
		}
		p.Y.Label.Text = "% of segment"
		p.X.Tick.Marker = numberTicks{}
		p.Y.Tick.Marker = numberTicks{}
		addGrid(p, false, true)
		p.Add(&histBars{start: start, width: bw, pct: pct[i], color: paint[i], median: medians[i]})
		p.Y.Min, p.Y.Max = 0, top*1.05
		grid[len(grid)-1] = append(grid[len(grid)-1], p)
	}
	rows := len(grid)
	return &Figure{
		title: s.Title,
		legend: append(segmentLegend(s.Segments, paint, keySwatch),
			legendEntry{label: "median", color: ink, kind: keyDashed}),
		bodyHeight: vg.Length(rows)*(150+extraTitleLines(grid)) + vg.Length(rows-1)*16,
		body:       func(c draw.Canvas) { drawGrid(c, grid, 20, 16) },
	}, nil
}

// maxBins bounds the bins of a histogram, so a stray value cannot make one
// with millions of bars.
const maxBins = 500

type histBars struct {
	start, width float64
	pct          []float64
	color        color.Color
	median       float64
}

// Plot implements plot.Plotter.
func (h *histBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for b, v := range h.pct {
		if v == 0 {
			continue
		}
		x0 := tx(h.start+float64(b)*h.width) + 0.4
		x1 := tx(h.start+float64(b+1)*h.width) - 0.4
		c.FillPolygon(h.color, []vg.Point{{X: x0, Y: ty(0)}, {X: x1, Y: ty(0)}, {X: x1, Y: ty(v)}, {X: x0, Y: ty(v)}})
	}
	if !math.IsNaN(h.median) {
		// A white casing keeps the dashed line visible on dark bars.
		c.StrokeLine2(draw.LineStyle{Color: paper, Width: 3}, tx(h.median), c.Min.Y, tx(h.median), c.Max.Y)
		c.StrokeLine2(draw.LineStyle{Color: ink, Width: 1.2, Dashes: []vg.Length{3, 2}}, tx(h.median), c.Min.Y, tx(h.median), c.Max.Y)
	}
}

// DataRange implements plot.DataRanger.
func (h *histBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return h.start, h.start + float64(len(h.pct))*h.width, 0, slices.Max(h.pct)
}
