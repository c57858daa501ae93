package report

import (
	"github.com/persona-seg/persona/chart"

	"math"
	"strconv"
)

// formatInt formats n with thousands separators: 20000 → "20,000".
func formatInt(n int) string {
	return chart.GroupDigits(strconv.Itoa(n))
}

// formatPercent formats a share 0..1 as a percentage with one decimal.
func formatPercent(share float64) string {
	return strconv.FormatFloat(100*share, 'f', 1, 64) + "%"
}

// formatMoney formats an amount compactly: 1234567 → "1.23M", 45600 →
// "45.6k", 950 → "950".
func formatMoney(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "B"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	default:
		return chart.GroupDigits(strconv.FormatFloat(v, 'f', 0, 64))
	}
}

// formatZ formats a z-score with a sign and one decimal: "+1.3", "−0.4".
func formatZ(z float64) string {
	s := strconv.FormatFloat(math.Abs(z), 'f', 1, 64)
	if s == "0.0" {
		return s
	}
	if z < 0 {
		return "−" + s
	}
	return "+" + s
}
