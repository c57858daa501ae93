package chart

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// TestBarLabelsStayInside checks that every bar's value label is drawn
// within the plotting area: outside a short bar, inside a bar that ends
// too near the axis edge for its label (or runs past it).
func TestBarLabelsStayInside(t *testing.T) {
	values := []float64{5.0, -5.1, 1.0, -1.0, 9.0}
	labels := []string{"+5.0", "-5.1", "+1.0", "-1.0", "+9.0"}
	p := newPlot()
	p.Add(&hbars{zero: true, values: values, labels: labels, colors: repeatColor(color.Black, len(values)), height: 0.7})
	p.X.Min, p.X.Max = -5.4, 5.4
	rec := &recorder.Canvas{}
	c := draw.NewCanvas(rec, 300, 200)
	da := p.DataCanvas(c)
	p.Draw(c)
	sty := textStyle(tickSize, false, ink)
	found := map[string]bool{}
	for _, a := range rec.Actions {
		f, ok := a.(*recorder.FillString)
		if !ok {
			continue
		}
		for i, l := range labels {
			if f.String != l {
				continue
			}
			found[l] = true
			x0, x1 := f.Point.X, f.Point.X+sty.Width(l)
			if x0 < da.Min.X || x1 > da.Max.X {
				t.Errorf("label %q spans x %.1f..%.1f, outside the plotting area %.1f..%.1f", l, x0, x1, da.Min.X, da.Max.X)
			}
			// Short bars keep their label outside, past the bar's end.
			if v := values[i]; v == 1 || v == -1 {
				tx, _ := p.Transforms(&da)
				end := tx(v)
				if (v > 0 && x0 < end) || (v < 0 && x1 > end) {
					t.Errorf("label %q of a short bar is drawn over the bar (x %.1f..%.1f, bar end %.1f)", l, x0, x1, end)
				}
			}
		}
	}
	for _, l := range labels {
		if !found[l] {
			t.Errorf("label %q not drawn", l)
		}
	}
}

// A log panel takes negative values (refunds): the axis is symmetric,
// sign(x)·log(1 + |x|), monotone through zero, with mirrored ticks.
func TestBoxesSymmetricLog(t *testing.T) {
	_, err := Boxes(BoxesSpec{Title: "t", Segments: []string{"a", "b"}, Panels: []BoxPanel{{
		Title: "Monetary", XLabel: "spend", Log: true,
		Boxes: []FiveNum{{-500, -10, 5, 40, 900}, {0, 1, 2, 3, 4}},
	}}})
	if err != nil {
		t.Fatalf("Boxes with a negative value on a log axis: %v", err)
	}
	var s log1pScale
	prev := -1.0
	for _, x := range []float64{-500, -10, -1, 0, 1, 10, 900} {
		v := s.Normalize(-500, 900, x)
		if v <= prev && x != -500 {
			t.Errorf("Normalize(%v) = %v, not above %v", x, v, prev)
		}
		prev = v
	}
	if a, b := s.Normalize(-100, 100, -10), s.Normalize(-100, 100, 10); math.Abs(a+b-1) > 1e-12 {
		t.Errorf("scale not symmetric: %v and %v", a, b)
	}
	var labels []float64
	for _, tk := range (log1pTicks{}).Ticks(-5000, 90000) {
		if tk.Label != "" {
			labels = append(labels, tk.Value)
		}
	}
	want := []float64{-100, 0, 100, 10000}
	if fmt.Sprint(labels) != fmt.Sprint(want) {
		t.Errorf("labelled ticks %v, want %v", labels, want)
	}
}

// A segment without values (recency where nobody bought) gets "none" in its
// row instead of a box, and does not stretch the axis.
func TestBoxesNone(t *testing.T) {
	f, err := Boxes(BoxesSpec{Title: "t", Segments: []string{"a", "b"}, Panels: []BoxPanel{
		{Title: "Recency", XLabel: "days", Boxes: []FiveNum{{1, 2, 3, 4, 5}, NoBox()}},
		{Title: "Empty", XLabel: "days", Boxes: []FiveNum{NoBox(), NoBox()}},
	}})
	if err != nil {
		t.Fatalf("Boxes with a segment without values: %v", err)
	}
	var b strings.Builder
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), ">none<"); n != 3 {
		t.Errorf("SVG has %d \"none\" labels, want 3 (one per empty box)", n)
	}
}
