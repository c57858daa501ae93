package dataset

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Bucket is a range of numbers written as text: 18-24, 65+, <18, 20k-40k,
// $100,000 or more. Lo is -Inf for an open lower end, Hi +Inf for an open
// upper end; a single number is a bucket with Lo = Hi.
type Bucket struct {
	Lo, Hi float64
}

// Closed reports whether both ends are finite.
func (b Bucket) Closed() bool { return !math.IsInf(b.Lo, 0) && !math.IsInf(b.Hi, 0) }

// Open reports whether the bucket is a range or open at one end (not a
// single number).
func (b Bucket) Open() bool { return b.Lo != b.Hi }

var (
	// A number and the letters right after it: a multiplier (k, m, mn,
	// b, bn) or the start of a unit word (3months).
	bucketNum = `([0-9]+(?:\.[0-9]+)?)([a-z]*)`
	// Unit words after a number (years, hours old).
	bucketUnit  = `(?:\s+[a-z]+)*`
	bucketRange = regexp.MustCompile(`^` + bucketNum + `\s*(?:-|–|—|to)\s*` + bucketNum + bucketUnit + `$`)
	bucketUp    = []*regexp.Regexp{
		regexp.MustCompile(`^` + bucketNum + bucketUnit + `\s*(?:\+|or more|or over|or above|and more|and over|and above|plus)$`),
		regexp.MustCompile(`^(?:>=|≥|>|over|above|more than|at least)\s*` + bucketNum + bucketUnit + `$`),
	}
	bucketDown = []*regexp.Regexp{
		regexp.MustCompile(`^(?:<=|≤|<|under|below|less than|up to|at most)\s*` + bucketNum + bucketUnit + `$`),
		regexp.MustCompile(`^` + bucketNum + bucketUnit + `\s*(?:or less|or under|or below|and less|and under|and below)$`),
	}
	bucketPoint = regexp.MustCompile(`^` + bucketNum + bucketUnit + `$`)
	thousands   = regexp.MustCompile(`([0-9]),([0-9]{3})`)
)

// ParseBucket reads a bucket label. Case, surrounding spaces, currency
// signs ($ € £ ¥), a % sign and thousands separators (20,000) are ignored;
// k, m (or mn) and b (or bn) after a number multiply it by a thousand, a
// million and a billion, and in a range the second number's multiplier
// also applies to a bare first one (20-40k is 20k-40k). A range is
// A-B, A–B or A to B; an open upper end A+, A or more, over A, >A; an open
// lower end <A, under A, less than A, up to A, A or less. A unit word
// after a number (years, hours) is allowed.
func ParseBucket(s string) (Bucket, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.NewReplacer("$", "", "€", "", "£", "", "¥", "", "%", "").Replace(t)
	for thousands.MatchString(t) {
		t = thousands.ReplaceAllString(t, "$1$2")
	}
	t = strings.TrimSpace(t)
	if m := bucketRange.FindStringSubmatch(t); m != nil {
		mult := m[2]
		if mult == "" {
			mult = m[4]
		}
		lo, ok1 := bucketValue(m[1], mult)
		hi, ok2 := bucketValue(m[3], m[4])
		if !ok1 || !ok2 || hi < lo {
			return Bucket{}, false
		}
		return Bucket{lo, hi}, true
	}
	for _, re := range bucketUp {
		if m := re.FindStringSubmatch(t); m != nil {
			v, ok := bucketValue(m[1], m[2])
			return Bucket{v, math.Inf(1)}, ok
		}
	}
	for _, re := range bucketDown {
		if m := re.FindStringSubmatch(t); m != nil {
			v, ok := bucketValue(m[1], m[2])
			return Bucket{math.Inf(-1), v}, ok
		}
	}
	if m := bucketPoint.FindStringSubmatch(t); m != nil {
		v, ok := bucketValue(m[1], m[2])
		return Bucket{v, v}, ok
	}
	return Bucket{}, false
}

// bucketValue is num times the multiplier letters name (none for the
// start of a unit word).
func bucketValue(num, letters string) (float64, bool) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	switch letters {
	case "k":
		v *= 1e3
	case "m", "mn":
		v *= 1e6
	case "b", "bn":
		v *= 1e9
	}
	return v, true
}

// BucketLevels orders bucket labels and gives each a number: a closed
// bucket its midpoint ((lo + hi) / 2), an open upper end lo plus half the
// width of the nearest closed bucket, an open lower end hi minus that
// half width (a single number is itself; without any closed bucket an
// open end is its bound). The labels come back sorted by that number
// (then by label). It fails, naming the label, when one does not parse,
// and when no label is a range or open at one end (numbers alone are a
// numeric attribute).
func BucketLevels(labels []string) (sorted []string, values []float64, err error) {
	type lv struct {
		label string
		b     Bucket
	}
	var ls []lv
	anyOpen := false
	for _, l := range labels {
		b, ok := ParseBucket(l)
		if !ok {
			return nil, nil, fmt.Errorf("%q is not a bucket like 18-24, 65+ or 20k-40k", l)
		}
		anyOpen = anyOpen || b.Open()
		ls = append(ls, lv{l, b})
	}
	if !anyOpen {
		return nil, nil, fmt.Errorf("the values are plain numbers, not buckets: make it a numeric attribute")
	}
	// The nearest closed bucket of each open end, by the finite bound.
	half := func(at float64) float64 {
		best, w := math.Inf(1), 0.0
		for _, x := range ls {
			if x.b.Closed() && x.b.Open() {
				d := math.Min(math.Abs(x.b.Lo-at), math.Abs(x.b.Hi-at))
				if d < best {
					best, w = d, x.b.Hi-x.b.Lo
				}
			}
		}
		return w / 2
	}
	mid := func(b Bucket) float64 {
		switch {
		case b.Closed():
			return (b.Lo + b.Hi) / 2
		case math.IsInf(b.Hi, 1):
			return b.Lo + half(b.Lo)
		}
		return b.Hi - half(b.Hi)
	}
	slices.SortStableFunc(ls, func(a, b lv) int {
		ma, mb := mid(a.b), mid(b.b)
		switch {
		case ma < mb:
			return -1
		case ma > mb:
			return 1
		case a.b.Lo != b.b.Lo: // <10 before 10+
			return cmpFloat(a.b.Lo, b.b.Lo)
		}
		return strings.Compare(a.label, b.label)
	})
	for _, x := range ls {
		sorted = append(sorted, x.label)
		values = append(values, mid(x.b))
	}
	return sorted, values, nil
}

// scales are ordered word scales that persona init recognises as ordinal
// levels, lowest first (compared ignoring case).
var scales = [][]string{
	{"very low", "low", "medium", "high", "very high"},
	{"very low", "low", "mid", "high", "very high"},
	{"low", "moderate", "high"},
	{"never", "rarely", "sometimes", "often", "always"},
	{"strongly disagree", "disagree", "neutral", "agree", "strongly agree"},
	{"very dissatisfied", "dissatisfied", "neutral", "satisfied", "very satisfied"},
	{"very poor", "poor", "fair", "good", "very good", "excellent"},
	{"xs", "s", "m", "l", "xl", "xxl"},
	{"small", "medium", "large"},
	{"bronze", "silver", "gold", "platinum"},
	{"basic", "standard", "premium"},
	{"none", "some", "all"},
	{"primary", "secondary", "tertiary"},
	{"high school", "bachelor", "master", "phd"},
}

// ScaleLevels returns the values ordered as a known word scale (low,
// medium, high; never ... always; bronze ... platinum) when at least two
// distinct values, compared ignoring case, all belong to one scale; else
// nil.
func ScaleLevels(values []string) []string {
	for _, sc := range scales {
		var out []string
		ok := true
		distinct := map[string]bool{}
		for _, v := range values {
			if !slices.Contains(sc, strings.ToLower(strings.TrimSpace(v))) {
				ok = false
				break
			}
			distinct[strings.ToLower(strings.TrimSpace(v))] = true
		}
		if !ok || len(distinct) < 2 {
			continue
		}
		for _, w := range sc {
			for _, v := range values {
				if strings.ToLower(strings.TrimSpace(v)) == w && !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
		return out
	}
	return nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
