package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/vg/draw"
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// segmentPalette is Okabe & Ito's colour-blind-safe palette (yellow last,
// because it is pale on white), followed by Paul Tol's muted palette.
var segmentPalette = [...]uint32{
	0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9, 0x000000, 0xF0E442,
	0x332288, 0x117733, 0xAA4499, 0x882255, 0x999933, 0x44AA99, 0xDDCC77, 0xCC6677,
}

// SegmentColor returns the colour of segment i (0-based display order).
// Colours repeat after 16 segments.
func SegmentColor(i int) color.RGBA {
	return rgb(segmentPalette[mod(i, len(segmentPalette))])
}

// UnsegmentedColor returns the neutral grey of the unsegmented group (users
// that fit no segment, such as DBSCAN noise). No segment has it, so the
// group never looks like one more segment.
func UnsegmentedColor() color.RGBA { return rgb(unsegmentedGrey) }

const unsegmentedGrey = 0x9A9A9A

// segmentPaint returns the colour of each of n segments in display order:
// SegmentColor(i), except that the last is UnsegmentedColor when unseg is
// set.
func segmentPaint(n int, unseg bool) []color.RGBA {
	out := make([]color.RGBA, n)
	for i := range out {
		out[i] = SegmentColor(i)
	}
	if unseg && n > 0 {
		out[n-1] = UnsegmentedColor()
	}
	return out
}

// segmentGlyph returns the marker shape of segment i, so lines stay
// distinguishable in greyscale print.
func segmentGlyph(i int) draw.GlyphDrawer {
	return shapeGlyph(mod(i, int(numShapes)))
}

// categoryPalette is Paul Tol's "light" palette: pale enough that a
// category colour is never mistaken for a segment colour.
var categoryPalette = [...]uint32{
	0x77AADD, 0xEE8866, 0xEEDD88, 0xFFAABB, 0x99DDFF, 0x44BB99, 0xBBCC33, 0xAAAA00, 0xDDDDDD,
}

// CategoryColor returns the colour of category i in stacked charts.
func CategoryColor(i int) color.RGBA {
	return rgb(categoryPalette[mod(i, len(categoryPalette))])
}

// divergingStops is ColorBrewer's RdBu (11 classes) from blue (low) to red
// (high); it is colour-blind safe.
var divergingStops = [...]uint32{
	0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7,
	0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F,
}

// diverging maps t in [-1, 1] to a blue–white–red colour; t is clamped and
// NaN gives light grey.
func diverging(t float64) color.RGBA {
	if math.IsNaN(t) {
		return rgb(0xDDDDDD)
	}
	t = math.Max(-1, math.Min(1, t))
	pos := (t + 1) / 2 * float64(len(divergingStops)-1)
	i := int(math.Floor(pos))
	if i >= len(divergingStops)-1 {
		return rgb(divergingStops[len(divergingStops)-1])
	}
	f := pos - float64(i)
	a, b := rgb(divergingStops[i]), rgb(divergingStops[i+1])
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-f) + float64(y)*f)) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// luminance is the relative luminance of c (sRGB, WCAG definition).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// textOn returns ink or white, whichever reads better on background c.
func textOn(c color.Color) color.Color {
	if luminance(c) < 0.30 {
		return color.White
	}
	return ink
}

// withAlpha returns c with alpha a (not premultiplied input).
func withAlpha(c color.RGBA, a uint8) color.NRGBA {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: a}
}

func mod(i, n int) int {
	i %= n
	if i < 0 {
		i += n
	}
	return i
}
