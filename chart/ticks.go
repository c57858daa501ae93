package chart

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// categoryTicks labels integer positions 0..n-1 with names. When top is
// set, names[0] sits at the highest position (n-1), so lists read top to
// bottom. Only every step-th name is labelled (step <= 1 labels all).
type categoryTicks struct {
	names []string
	top   bool
	step  int
	blank bool // ticks without labels (panels that share another's labels)
}

// Ticks implements plot.Ticker.
func (t categoryTicks) Ticks(_, _ float64) []plot.Tick {
	n := len(t.names)
	out := make([]plot.Tick, 0, n)
	step := max(t.step, 1)
	for i, name := range t.names {
		v := float64(i)
		if t.top {
			v = float64(n - 1 - i)
		}
		if i%step != 0 || t.blank {
			name = ""
		}
		out = append(out, plot.Tick{Value: v, Label: name})
	}
	return out
}

// numberTicks places about six ticks at round numbers (1, 2, 2.5 or 5
// times a power of ten) and formats labels with thousands separators and no
// exponent; from 100,000 on, labels use k and M (250k, 1.5M).
type numberTicks struct {
	suffix string // appended to every label, e.g. "%"
}

// Ticks implements plot.Ticker.
func (t numberTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: formatNumber(lo, 1) + t.suffix}}
	}
	step := niceStep((hi - lo) / 5)
	// Large values read better as 250k or 1.5M than as 1,500,000.
	scale, unit := 1.0, ""
	switch top := math.Max(math.Abs(lo), math.Abs(hi)); {
	case top >= 1e6:
		scale, unit = 1e6, "M"
	case top >= 1e5:
		scale, unit = 1e3, "k"
	}
	var out []plot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for k := first; k*step <= hi+step*1e-9; k++ {
		v := k * step
		label := formatNumber(v/scale, step/scale)
		if unit != "" {
			if strings.Contains(label, ".") {
				label = strings.TrimRight(strings.TrimRight(label, "0"), ".")
			}
			if v != 0 {
				label += unit
			}
		}
		out = append(out, plot.Tick{Value: v, Label: label + t.suffix})
	}
	return out
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// formatNumber formats v with as many decimals as step needs, thousands
// separators and a true minus sign.
func formatNumber(v, step float64) string {
	dec := 0
	for dec < 6 && step > 0 && math.Abs(step*math.Pow(10, float64(dec))-math.Round(step*math.Pow(10, float64(dec)))) > 1e-6 {
		dec++
	}
	if math.Abs(v) < 1e-12 {
		v = 0
	}
	return GroupDigits(strconv.FormatFloat(v, 'f', dec, 64))
}

// GroupDigits inserts thousands separators into a decimal number and
// replaces a leading hyphen by a minus sign.
func GroupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatSigned formats v with dec decimals and a true minus sign.
func formatSigned(v float64, dec int) string {
	if math.Abs(v) < 0.5*math.Pow(10, -float64(dec)) {
		v = 0
	}
	return GroupDigits(strconv.FormatFloat(v, 'f', dec, 64))
}

// wrap breaks s into lines no wider than w in style sty, at spaces, and
// keeps at most maxLines lines (the last one ends with an ellipsis when
// text is cut).
func wrap(s string, sty text.Style, w vg.Length, maxLines int) string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return ""
	}
	var lines []string
	cur := words[0]
	for _, word := range words[1:] {
		if sty.Width(cur+" "+word) <= w {
			cur += " " + word
			continue
		}
		lines = append(lines, cur)
		cur = word
	}
	lines = append(lines, cur)
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = truncate(lines[maxLines-1]+"…", sty, w)
	}
	for i, l := range lines {
		if sty.Width(l) > w {
			lines[i] = truncate(l, sty, w)
		}
	}
	return strings.Join(lines, "\n")
}

// truncate shortens s with an ellipsis until it fits in w.
func truncate(s string, sty text.Style, w vg.Length) string {
	if sty.Width(s) <= w {
		return s
	}
	r := []rune(strings.TrimSuffix(s, "…"))
	for len(r) > 1 {
		r = r[:len(r)-1]
		if c := string(r) + "…"; sty.Width(c) <= w {
			return c
		}
	}
	return string(r)
}

// maxWidth is the widest line among labels in style sty.
func maxWidth(labels []string, sty text.Style) vg.Length {
	var w vg.Length
	for _, l := range labels {
		w = max(w, sty.Width(l))
	}
	return w
}
