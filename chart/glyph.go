package chart

import (
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// shapeGlyph draws one of numShapes marker shapes, filled or with a
// stroke heavy enough to read at small sizes.
type shapeGlyph int

const (
	shapeCircle shapeGlyph = iota
	shapeSquare
	shapeTriangle
	shapeDiamond
	shapeDown
	shapeRing
	shapeOpenSquare
	shapePlus
	numShapes
)

// DrawGlyph implements draw.GlyphDrawer.
func (g shapeGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	poly := func(fill bool, pts ...vg.Point) {
		var p vg.Path
		p.Move(pts[0])
		for _, q := range pts[1:] {
			p.Line(q)
		}
		p.Close()
		if fill {
			c.Fill(p)
			return
		}
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: r * 0.45})
		c.Stroke(p)
	}
	at := func(dx, dy vg.Length) vg.Point { return vg.Point{X: pt.X + dx, Y: pt.Y + dy} }
	switch g {
	case shapeCircle, shapeRing:
		var p vg.Path
		p.Move(at(r, 0))
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		if g == shapeCircle {
			c.Fill(p)
			return
		}
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: r * 0.45})
		c.Stroke(p)
	case shapeSquare, shapeOpenSquare:
		s := r * 0.85
		poly(g == shapeSquare, at(-s, -s), at(s, -s), at(s, s), at(-s, s))
	case shapeTriangle:
		s := r * 1.15
		poly(true, at(0, s), at(-s*0.866, -s*0.5), at(s*0.866, -s*0.5))
	case shapeDown:
		s := r * 1.15
		poly(true, at(0, -s), at(-s*0.866, s*0.5), at(s*0.866, s*0.5))
	case shapeDiamond:
		s := r * 1.15
		poly(true, at(0, s), at(s, 0), at(0, -s), at(-s, 0))
	case shapePlus:
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: r * 0.5})
		var p vg.Path
		p.Move(at(-r, 0))
		p.Line(at(r, 0))
		p.Move(at(0, -r))
		p.Line(at(0, r))
		c.Stroke(p)
	}
}
