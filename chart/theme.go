package chart

import (
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Type sizes, in points.
const (
	titleSize  = 14
	panelSize  = 11
	labelSize  = 10
	tickSize   = 9
	legendSize = 10
	cellSize   = 8
)

// figureWidth is the width of every figure. Figures are scaled to the page width
// in HTML, so one width keeps type the same size in all charts.
const figureWidth = 10 * vg.Inch

var (
	ink      = color.RGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
	softInk  = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	gridInk  = color.RGBA{R: 0xe3, G: 0xe3, B: 0xe3, A: 0xff}
	axisInk  = color.RGBA{R: 0x77, G: 0x77, B: 0x77, A: 0xff}
	paper    = color.White
	markInk  = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xff} // highlights (chosen k)
	neutralA = color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
)

// sans returns the report font at size, bold when asked. Weights must be
// x/image/font constants: the SVG backend panics on CSS numbers like 700.
func sans(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// textStyle is a left/bottom aligned text style in the report font.
func textStyle(size vg.Length, bold bool, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    sans(size, bold),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the report theme applied: every text style is
// set here, so the package never relies on plot.DefaultFont or
// plotter.DefaultFont (both default to a serif face).
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.Title.TextStyle.Font = sans(panelSize, true)
	p.Title.TextStyle.Color = ink
	p.Title.Padding = vg.Points(6)
	p.Legend.TextStyle.Font = sans(legendSize, false)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(labelSize, false)
		a.Label.TextStyle.Color = ink
		a.Label.Padding = vg.Points(4)
		a.Tick.Label.Font = sans(tickSize, false)
		a.Tick.Label.Color = softInk
		a.Tick.Length = vg.Points(3)
		a.Tick.LineStyle.Color = axisInk
		a.LineStyle.Color = axisInk
		a.Padding = vg.Points(2)
	}
	return p
}

// addGrid adds light grid lines behind the data (vertical, horizontal or
// both).
func addGrid(p *plot.Plot, vertical, horizontal bool) {
	g := plotter.NewGrid()
	g.Vertical.Color = gridInk
	g.Horizontal.Color = gridInk
	g.Vertical.Width = vg.Points(0.5)
	g.Horizontal.Width = vg.Points(0.5)
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	p.Add(g)
}

// pad widens an axis range by frac of its span on the sides asked for, so
// markers at the extremes are not cut by the frame.
func pad(a *plot.Axis, frac float64, low, high bool) {
	span := a.Max - a.Min
	if !(span > 0) {
		return
	}
	if low {
		a.Min -= frac * span
	}
	if high {
		a.Max += frac * span
	}
}
