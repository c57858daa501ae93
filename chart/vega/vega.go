package vega

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"strconv"
)

// Assets holds the scripts a served page loads: assets/vega.min.js,
// assets/vega-lite.min.js, assets/vega-embed.min.js and assets/page.js, in
// that order, with their licences.
//
//go:embed assets
var Assets embed.FS

// scriptFiles are the scripts of Assets in load order.
var scriptFiles = []string{"assets/vega.min.js", "assets/vega-lite.min.js", "assets/vega-embed.min.js", "assets/page.js"}

// ScriptFiles returns the names, relative to assets/, of the scripts a
// served page loads, in order.
func ScriptFiles() []string {
	out := make([]string, len(scriptFiles))
	for i, f := range scriptFiles {
		out[i] = f[len("assets/"):]
	}
	return out
}

// Script returns every script a page needs, one after the other, for
// inlining in a single <script> element of a self-contained page.
func Script() []byte {
	var buf bytes.Buffer
	for _, f := range scriptFiles {
		b, err := Assets.ReadFile(f)
		if err != nil {
			panic("vega: embedded script missing: " + f)
		}
		buf.Write(b)
		buf.WriteString("\n;\n")
	}
	return buf.Bytes()
}

// Spec is a Vega-Lite specification.
type Spec map[string]any

// JSON encodes the spec for a <script type="application/json"> element:
// "<", ">" and "&" are escaped, so no text of the data can close the
// element.
func (s Spec) JSON() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic("vega: spec does not encode: " + err.Error())
	}
	return b
}

type obj = map[string]any

// Segment is a segment as the charts show it.
type Segment struct {
	ID    int    // as in segments.csv; negative for the unsegmented group
	Name  string // e.g. "bargain hunters"
	Color string // CSS colour, e.g. "#0072b2"
}

// Label is how the charts name the segment: its id and name ("3 champions"),
// or "no segment" for the unsegmented group.
func (s Segment) Label() string {
	if s.ID < 0 {
		return "no segment: " + s.Name
	}
	return strconv.Itoa(s.ID) + " " + s.Name
}

// FiveNum is a five-number summary.
type FiveNum struct {
	Min, Q1, Median, Q3, Max float64
}

// NoBox is the summary of a segment without values (recency in a segment
// where nobody bought): Boxes writes "none" in its row, with a tooltip
// saying so, instead of a box.
func NoBox() FiveNum { n := math.NaN(); return FiveNum{n, n, n, n, n} }

func (f FiveNum) none() bool { return math.IsNaN(f.Min) && math.IsNaN(f.Median) && math.IsNaN(f.Max) }

// Font is the font family of every chart, the report's and the static
// charts' (Liberation Sans has Arial's metrics).
const Font = "Liberation Sans, Arial, Helvetica, sans-serif"

// Width is the default plot width in pixels; the page scales charts down
// to its width.
const Width = 620

// highlight is the test of the "hl" parameter: no highlight, or this
// row's segment.
const highlight = "hl == null || datum.seg == hl"

func newSpec(title, caption string) Spec {
	s := Spec{
		"params": []any{obj{"name": "hl", "value": nil}},
		"config": obj{
			"font":   Font,
			"view":   obj{"stroke": nil},
			"axis":   obj{"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal", "gridColor": "#e6e6e6"},
			"legend": obj{"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal", "labelLimit": 260},
			"title":  obj{"fontSize": 14, "anchor": "start", "subtitleColor": "#555", "subtitleFontSize": 11},
			"header": obj{"labelFontSize": 12, "titleFontSize": 12},
		},
	}
	if title != "" {
		t := obj{"text": title}
		if caption != "" {
			t["subtitle"] = caption
		}
		s["title"] = t
	}
	return s
}

// colorEnc colours marks by segment with the page's colours; legend false
// hides the legend (the segment is then on an axis).
func colorEnc(segs []Segment, legend bool) obj {
	domain := make([]string, len(segs))
	rng := make([]string, len(segs))
	for i, s := range segs {
		domain[i], rng[i] = s.Label(), s.Color
	}
	e := obj{"field": "segment", "type": "nominal", "title": "segment", "sort": domain,
		"scale": obj{"domain": domain, "range": rng}}
	if legend {
		e["legend"] = obj{"orient": "bottom", "columns": 2, "symbolType": "circle"}
	} else {
		e["legend"] = nil
	}
	return e
}

// opacityEnc fades the segments the highlight is not on.
func opacityEnc(on float64) obj {
	return obj{"condition": obj{"test": highlight, "value": on}, "value": 0.12}
}

func segAxis(segs []Segment, field string) obj {
	domain := make([]string, len(segs))
	for i, s := range segs {
		domain[i] = s.Label()
	}
	return obj{"field": field, "type": "nominal", "sort": domain, "title": nil,
		"axis": obj{"labelLimit": 240}}
}

func tip(field, title, typ, format string) obj {
	t := obj{"field": field, "title": title, "type": typ}
	if format != "" {
		t["format"] = format
	}
	return t
}

var segTip = tip("segment", "segment", "nominal", "")

// clean maps NaN and infinities to nil (JSON null), which Vega-Lite leaves
// out.
func clean(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// Money is how amounts are formatted in tooltips and axes.
const moneyFormat = ",.2f"

// SizesSpec is the input of Sizes.
type SizesSpec struct {
	Title, Caption string
	Segments       []Segment
	Users          []int
	Revenue        []float64 // per segment; nil leaves the revenue panel out
	Currency       string    // e.g. "EUR"; empty means no unit
}

// Sizes draws users (and revenue) per segment as horizontal bars.
func Sizes(s SizesSpec) Spec {
	total, revTotal := 0, 0.0
	for i := range s.Segments {
		total += s.Users[i]
		if s.Revenue != nil {
			revTotal += s.Revenue[i]
		}
	}
	var rows []any
	for i, seg := range s.Segments {
		r := obj{"seg": seg.ID, "segment": seg.Label(), "users": s.Users[i], "share": ratio(float64(s.Users[i]), float64(total))}
		if s.Revenue != nil {
			r["revenue"] = clean(s.Revenue[i])
			r["revenue_share"] = ratio(s.Revenue[i], revTotal)
		}
		rows = append(rows, r)
	}
	tips := []any{segTip, tip("users", "users", "quantitative", ","), tip("share", "share of users", "quantitative", ".1%")}
	if s.Revenue != nil {
		tips = append(tips, tip("revenue", withUnit("revenue", s.Currency), "quantitative", moneyFormat),
			tip("revenue_share", "share of revenue", "quantitative", ".1%"))
	}
	panel := func(field, title string, axisLabels bool) obj {
		y := segAxis(s.Segments, "segment")
		if !axisLabels {
			y["axis"] = nil
		}
		return obj{
			"width": 300, "height": obj{"step": 22},
			"mark": obj{"type": "bar", "cursor": "pointer"},
			"encoding": obj{
				"y":       y,
				"x":       obj{"field": field, "type": "quantitative", "title": title},
				"color":   colorEnc(s.Segments, false),
				"opacity": opacityEnc(1),
				"tooltip": tips,
			},
		}
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	if s.Revenue == nil {
		p := panel("users", "users", true)
		p["width"] = Width - 240
		for k, v := range p {
			spec[k] = v
		}
		return spec
	}
	spec["hconcat"] = []any{panel("users", "users", true), panel("revenue", withUnit("revenue", s.Currency), false)}
	return spec
}

func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}

func ratio(a, b float64) any {
	if b == 0 {
		return nil
	}
	return clean(a / b)
}

// HeatmapSpec is the input of Heatmap.
type HeatmapSpec struct {
	Title, Caption string
	Segments       []Segment
	// Features are the row labels; Z[s][f] is segment s's z-score on
	// feature f (NaN: no cell). Values, when not nil, is the segment's
	// mean of the feature, shown in the tooltip.
	Features []string
	// About, when not nil, says more about each feature on hover (its
	// column name and what it measures).
	About  []string
	Z      [][]float64
	Values [][]float64
	Limit  float64 // colours saturate at ±Limit; 0 means 2
}

// Heatmap draws segments × features coloured by z-score.
func Heatmap(s HeatmapSpec) Spec {
	limit := s.Limit
	if limit == 0 {
		limit = 2
	}
	var rows []any
	for i, seg := range s.Segments {
		for j, f := range s.Features {
			z := s.Z[i][j]
			if math.IsNaN(z) {
				continue
			}
			r := obj{"seg": seg.ID, "segment": seg.Label(), "feature": f, "z": clean(z)}
			if s.Values != nil {
				r["value"] = clean(s.Values[i][j])
			}
			if s.About != nil {
				r["about"] = s.About[j]
			}
			rows = append(rows, r)
		}
	}
	tips := []any{segTip, tip("feature", "feature", "nominal", ""), tip("z", "z-score", "quantitative", "+.2f")}
	if s.Values != nil {
		tips = append(tips, tip("value", "segment mean", "quantitative", ",.4~g"))
	}
	if s.About != nil {
		tips = append(tips, tip("about", "column", "nominal", ""))
	}
	x := segAxis(s.Segments, "segment")
	x["axis"] = obj{"labelAngle": -40, "labelLimit": 160}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = obj{"step": max(28, min(60, (Width-200)/max(1, len(s.Segments))))}
	spec["height"] = obj{"step": 18}
	spec["mark"] = obj{"type": "rect", "cursor": "pointer", "stroke": "white", "strokeWidth": 1}
	spec["encoding"] = obj{
		"x":       x,
		"y":       obj{"field": "feature", "type": "nominal", "sort": s.Features, "title": nil, "axis": obj{"labelLimit": 260}},
		"color":   obj{"field": "z", "type": "quantitative", "title": "z-score", "scale": obj{"scheme": "redblue", "reverse": true, "domain": []float64{-limit, limit}, "clamp": true}},
		"opacity": opacityEnc(1),
		"tooltip": tips,
	}
	return spec
}

// TraitsSpec is the input of Traits.
type TraitsSpec struct {
	Title, Caption string
	Segments       []Segment
	// Labels[s] and Z[s] are segment s's strongest features and their
	// z-scores, strongest first.
	Labels  [][]string
	Z       [][]float64
	Columns int // panels per row; 0 means 2
}

// Traits draws each segment's strongest traits as a panel of bars.
func Traits(s TraitsSpec) Spec {
	var rows []any
	for i, seg := range s.Segments {
		for j, f := range s.Labels[i] {
			rows = append(rows, obj{"seg": seg.ID, "segment": seg.Label(), "feature": f, "z": clean(s.Z[i][j]), "rank": j})
		}
	}
	cols := s.Columns
	if cols == 0 {
		cols = 2
	}
	domain := make([]string, len(s.Segments))
	for i, seg := range s.Segments {
		domain[i] = seg.Label()
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["columns"] = cols
	spec["facet"] = obj{"field": "segment", "type": "nominal", "sort": domain, "title": nil, "header": obj{"labelFontWeight": "bold", "labelAnchor": "start", "labelLimit": 280}}
	spec["resolve"] = obj{"scale": obj{"y": "independent"}}
	spec["spec"] = obj{
		"width": (Width - 260) / cols, "height": obj{"step": 16},
		"mark": obj{"type": "bar", "cursor": "pointer"},
		"encoding": obj{
			"y":       obj{"field": "feature", "type": "nominal", "sort": obj{"field": "rank"}, "title": nil, "axis": obj{"labelLimit": 170}},
			"x":       obj{"field": "z", "type": "quantitative", "title": "z-score"},
			"color":   colorEnc(s.Segments, false),
			"opacity": opacityEnc(1),
			"tooltip": []any{segTip, tip("feature", "feature", "nominal", ""), tip("z", "z-score", "quantitative", "+.2f")},
		},
	}
	return spec
}

// LinesSpec is the input of Lines.
type LinesSpec struct {
	Title, Caption string
	XTitle, YTitle string
	Segments       []Segment
	X              []string    // the categories along x, in order
	Share          [][]float64 // Share[s][x], 0..1
}

// Lines draws one line per segment over ordered categories (hours,
// weekdays, age bands), its y a share shown as a percentage.
func Lines(s LinesSpec) Spec {
	var rows []any
	for i, seg := range s.Segments {
		for j, x := range s.X {
			rows = append(rows, obj{"seg": seg.ID, "segment": seg.Label(), "x": x, "share": clean(s.Share[i][j])})
		}
	}
	enc := obj{
		"x":       obj{"field": "x", "type": "ordinal", "sort": s.X, "title": s.XTitle, "axis": obj{"labelAngle": 0}},
		"y":       obj{"field": "share", "type": "quantitative", "title": s.YTitle, "axis": obj{"format": "%"}},
		"color":   colorEnc(s.Segments, true),
		"opacity": opacityEnc(1),
		"tooltip": []any{segTip, tip("x", s.XTitle, "ordinal", ""), tip("share", s.YTitle, "quantitative", ".1%")},
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = Width
	spec["height"] = 220
	spec["encoding"] = enc
	spec["layer"] = []any{
		obj{"mark": obj{"type": "line", "strokeWidth": 2}},
		obj{"mark": obj{"type": "point", "filled": true, "size": 36, "cursor": "pointer"}},
	}
	return spec
}

// StackedSpec is the input of Stacked.
type StackedSpec struct {
	Title, Caption string
	XTitle         string
	Segments       []Segment
	Categories     []string
	Share          [][]float64 // Share[s][c], 0..1; each row sums to 1
	// Colors, when not nil, colours the categories (one per category);
	// otherwise a pale categorical scheme does.
	Colors []string
}

// Stacked draws one bar per segment split by category share.
func Stacked(s StackedSpec) Spec {
	var rows []any
	for i, seg := range s.Segments {
		for j, c := range s.Categories {
			v := s.Share[i][j]
			if v == 0 {
				continue
			}
			rows = append(rows, obj{"seg": seg.ID, "segment": seg.Label(), "category": c, "order": j, "share": clean(v)})
		}
	}
	scale := obj{"domain": s.Categories, "scheme": "tableau20"}
	if s.Colors != nil {
		scale = obj{"domain": s.Categories, "range": s.Colors}
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = Width - 240
	spec["height"] = obj{"step": 22}
	spec["mark"] = obj{"type": "bar", "cursor": "pointer", "stroke": "white", "strokeWidth": 0.5}
	spec["encoding"] = obj{
		"y":       segAxis(s.Segments, "segment"),
		"x":       obj{"field": "share", "type": "quantitative", "title": s.XTitle, "stack": "zero", "axis": obj{"format": "%"}, "scale": obj{"domain": []float64{0, 1}}},
		"color":   obj{"field": "category", "type": "nominal", "title": nil, "scale": scale, "legend": obj{"orient": "bottom", "columns": 4, "labelLimit": 160}},
		"order":   obj{"field": "order"},
		"opacity": opacityEnc(1),
		"tooltip": []any{segTip, tip("category", "category", "nominal", ""), tip("share", s.XTitle, "quantitative", ".1%")},
	}
	return spec
}

// BoxPanel is one panel of Boxes.
type BoxPanel struct {
	Title  string    // e.g. "Recency"
	XTitle string    // e.g. "days since the last order"
	Log    bool      // a symmetric log axis (zero allowed), for money and counts
	Boxes  []FiveNum // one per segment
	Format string    // d3 format of the values, e.g. ",.0f"; empty means ",.4~g"
	// None is the tooltip of a segment's NoBox row; empty means "no
	// values in this segment".
	None string
}

// BoxesSpec is the input of Boxes.
type BoxesSpec struct {
	Title, Caption string
	Segments       []Segment
	Panels         []BoxPanel
}

// Boxes draws box plots from five-number summaries: a whisker from min to
// max, a box from Q1 to Q3 and a tick at the median, one row per segment,
// panels side by side.
func Boxes(s BoxesSpec) Spec {
	var panels []any
	for p, pan := range s.Panels {
		format := pan.Format
		if format == "" {
			format = ",.4~g"
		}
		var rows, none []any
		for i, seg := range s.Segments {
			b := pan.Boxes[i]
			if b.none() {
				why := pan.None
				if why == "" {
					why = "no values in this segment"
				}
				none = append(none, obj{"seg": seg.ID, "segment": seg.Label(), "note": "none", "why": why})
				continue
			}
			rows = append(rows, obj{"seg": seg.ID, "segment": seg.Label(), "min": clean(b.Min), "q1": clean(b.Q1),
				"median": clean(b.Median), "q3": clean(b.Q3), "max": clean(b.Max)})
		}
		x := obj{"field": "min", "type": "quantitative", "title": pan.XTitle}
		if pan.Log {
			hi := 0.0
			for _, b := range pan.Boxes {
				if !b.none() {
					hi = math.Max(hi, b.Max)
				}
			}
			x["scale"] = obj{"type": "symlog"}
			x["title"] = pan.XTitle + " (log scale)"
			x["axis"] = obj{"values": logTicks(hi), "format": ",~r", "labelOverlap": "greedy"}
		}
		y := segAxis(s.Segments, "segment")
		if p > 0 {
			y["axis"] = nil
		}
		tips := []any{segTip, tip("min", "min", "quantitative", format), tip("q1", "25%", "quantitative", format),
			tip("median", "median", "quantitative", format), tip("q3", "75%", "quantitative", format), tip("max", "max", "quantitative", format)}
		layers := []any{
			obj{"mark": obj{"type": "rule", "color": "#777"}, "encoding": obj{"x": x, "x2": obj{"field": "max"}, "tooltip": tips}},
			obj{"mark": obj{"type": "bar", "size": 14, "cursor": "pointer"}, "encoding": obj{
				"x": obj{"field": "q1", "type": "quantitative"}, "x2": obj{"field": "q3"}, "color": colorEnc(s.Segments, false), "tooltip": tips}},
			obj{"mark": obj{"type": "tick", "color": "black", "size": 14, "thickness": 2}, "encoding": obj{"x": obj{"field": "median", "type": "quantitative"}, "tooltip": tips}},
		}
		if len(none) > 0 {
			// A segment without values: "none" at the left of its row.
			layers = append(layers, obj{"data": obj{"values": none},
				"mark": obj{"type": "text", "align": "left", "dx": 4, "color": "#777", "fontSize": 11},
				"encoding": obj{"x": obj{"value": 0}, "text": obj{"field": "note"},
					"tooltip": []any{segTip, tip("why", pan.Title, "nominal", "")}}})
		}
		panels = append(panels, obj{
			"title": pan.Title, "data": obj{"values": rows},
			"width": max(140, (Width-220)/max(1, len(s.Panels))), "height": obj{"step": 22},
			"encoding": obj{"y": y, "opacity": opacityEnc(1)},
			"layer":    layers,
		})
	}
	spec := newSpec(s.Title, s.Caption)
	spec["hconcat"] = panels
	return spec
}

// Point is a user on the 2-D map.
type Point struct {
	X, Y float64
	Seg  int    // index into the spec's Segments
	User string // user id; "" when unknown
}

// ScatterSpec is the input of Scatter.
type ScatterSpec struct {
	Title, Caption string
	XTitle, YTitle string
	Segments       []Segment
	Points         []Point
	// UserLink, when not empty, makes each point a link: the user id,
	// path-escaped, is appended to it (e.g. "/users/").
	UserLink string
}

// Scatter draws users in two dimensions coloured by segment; the tooltip
// names the user and a click opens UserLink.
func Scatter(s ScatterSpec) Spec {
	rows := make([]any, 0, len(s.Points))
	for _, p := range s.Points {
		seg := s.Segments[p.Seg]
		r := obj{"seg": seg.ID, "segment": seg.Label(), "x": clean(p.X), "y": clean(p.Y)}
		if p.User != "" {
			r["user"] = p.User
			if s.UserLink != "" {
				r["href"] = s.UserLink + pathEscape(p.User)
			}
		}
		rows = append(rows, r)
	}
	enc := obj{
		"x":       obj{"field": "x", "type": "quantitative", "title": s.XTitle, "scale": obj{"zero": false}},
		"y":       obj{"field": "y", "type": "quantitative", "title": s.YTitle, "scale": obj{"zero": false}},
		"color":   colorEnc(s.Segments, true),
		"opacity": opacityEnc(0.75),
		"tooltip": []any{tip("user", "user", "nominal", ""), segTip, tip("x", s.XTitle, "quantitative", ".3f"), tip("y", s.YTitle, "quantitative", ".3f")},
	}
	if s.UserLink != "" {
		enc["href"] = obj{"field": "href", "type": "nominal"}
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = Width
	spec["height"] = 420
	spec["mark"] = obj{"type": "circle", "size": 22, "cursor": "pointer"}
	spec["encoding"] = enc
	return spec
}

// pathEscape escapes a user id for a URL path segment.
func pathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

// ValuesSpec is the input of Values: one value per segment.
type ValuesSpec struct {
	Title, Caption string
	XTitle         string
	Segments       []Segment
	Values         []float64 // NaN: no bar
	Format         string    // d3 format; empty means ".3f"
	Rule           float64   // a dashed reference line at this x; NaN for none
	RuleLabel      string
}

// Values draws one bar per segment, e.g. the mean silhouette.
func Values(s ValuesSpec) Spec {
	format := s.Format
	if format == "" {
		format = ".3f"
	}
	var rows []any
	for i, seg := range s.Segments {
		if math.IsNaN(s.Values[i]) {
			continue
		}
		rows = append(rows, obj{"seg": seg.ID, "segment": seg.Label(), "value": clean(s.Values[i])})
	}
	layers := []any{obj{
		"mark": obj{"type": "bar", "cursor": "pointer"},
		"encoding": obj{
			"y": segAxis(s.Segments, "segment"), "x": obj{"field": "value", "type": "quantitative", "title": s.XTitle},
			"color": colorEnc(s.Segments, false), "opacity": opacityEnc(1),
			"tooltip": []any{segTip, tip("value", s.XTitle, "quantitative", format)},
		},
	}}
	if !math.IsNaN(s.Rule) {
		layers = append(layers, obj{
			"data": obj{"values": []any{obj{"rule": s.Rule, "label": s.RuleLabel}}},
			"mark": obj{"type": "rule", "strokeDash": []int{5, 4}, "color": "#333"},
			"encoding": obj{"x": obj{"field": "rule", "type": "quantitative"},
				"tooltip": []any{tip("label", "line", "nominal", ""), tip("rule", "value", "quantitative", format)}},
		})
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = Width - 240
	spec["height"] = obj{"step": 22}
	spec["layer"] = layers
	return spec
}

// CurveSpec is the input of Curve: lines over a numeric x without
// segments (the k-selection scores, the k-distance curve).
type CurveSpec struct {
	Title, Caption string
	XTitle         string
	X              []float64
	// Series are drawn as panels side by side, each with its own y axis.
	Series []Series
	// Mark, when not NaN, draws a dashed vertical line at this x.
	Mark      float64
	MarkLabel string
	// Rule, when not NaN, draws a dashed horizontal line at this y in the
	// first panel.
	Rule      float64
	RuleLabel string
}

// Series is one curve of a CurveSpec.
type Series struct {
	Name   string
	Y      []float64 // NaN: no point
	Format string    // d3 format; empty means ",.4~g"
}

// Curve draws numeric curves, one panel per series.
func Curve(s CurveSpec) Spec {
	var panels []any
	for _, ser := range s.Series {
		format := ser.Format
		if format == "" {
			format = ",.4~g"
		}
		var rows []any
		for i, x := range s.X {
			if math.IsNaN(ser.Y[i]) {
				continue
			}
			rows = append(rows, obj{"x": clean(x), "y": clean(ser.Y[i])})
		}
		var layers []any
		if !math.IsNaN(s.Mark) {
			layers = append(layers, obj{"data": obj{"values": []any{obj{"x": s.Mark, "label": s.MarkLabel}}},
				"mark": obj{"type": "rule", "strokeDash": []int{5, 4}, "color": "#333"},
				"encoding": obj{"x": obj{"field": "x", "type": "quantitative"}, "y": nil,
					"tooltip": []any{tip("label", "line", "nominal", ""), tip("x", s.XTitle, "quantitative", ",.4~g")}}})
		}
		if !math.IsNaN(s.Rule) && len(panels) == 0 {
			layers = append(layers, obj{"data": obj{"values": []any{obj{"y": s.Rule, "label": s.RuleLabel}}},
				"mark": obj{"type": "rule", "strokeDash": []int{5, 4}, "color": "#D55E00"},
				"encoding": obj{"y": obj{"field": "y", "type": "quantitative"}, "x": nil,
					"tooltip": []any{tip("label", "line", "nominal", ""), tip("y", ser.Name, "quantitative", format)}}})
		}
		// Points on top of the reference lines, so a hover finds the value.
		pointTips := []any{tip("x", s.XTitle, "quantitative", ",.4~g"), tip("y", ser.Name, "quantitative", format)}
		points := obj{"mark": obj{"type": "point", "filled": true, "color": "#0072B2", "size": 30}, "encoding": obj{"tooltip": pointTips}}
		if len(rows) > 200 {
			points["mark"] = obj{"type": "point", "filled": true, "color": "#0072B2", "size": 10, "opacity": 0.01}
		}
		layers = append(layers, obj{"mark": obj{"type": "line", "color": "#0072B2"}}, points)
		panels = append(panels, obj{
			"data":  obj{"values": rows},
			"width": max(220, (Width-60*len(s.Series))/max(1, len(s.Series))), "height": 200,
			"encoding": obj{
				"x": obj{"field": "x", "type": "quantitative", "title": s.XTitle, "scale": obj{"zero": false}},
				"y": obj{"field": "y", "type": "quantitative", "title": ser.Name, "scale": obj{"zero": false}},
			},
			"layer": layers,
		})
	}
	spec := newSpec(s.Title, s.Caption)
	if len(panels) == 1 {
		for k, v := range panels[0].(obj) {
			spec[k] = v
		}
		spec["width"] = Width
		return spec
	}
	spec["hconcat"] = panels
	return spec
}

// Link is one line of a Dendrogram, in layout coordinates: leaves sit at
// x = 0, 1, ..., merges at their height.
type Link struct {
	X1, Y1, X2, Y2 float64
	Seg            int     // index into Segments, -1 when it spans several
	Height         float64 // the merge height it belongs to
	Users          int     // users below the merge
}

// DendrogramSpec is the input of Dendrogram.
type DendrogramSpec struct {
	Title, Caption string
	YTitle         string
	Segments       []Segment
	Links          []Link
	LeafUsers      []int   // users of each leaf, left to right
	Cut            float64 // height of the cut line; NaN for none
	CutLabel       string
}

// Dendrogram draws a truncated merge tree laid out by the caller.
func Dendrogram(s DendrogramSpec) Spec {
	var rows []any
	for _, l := range s.Links {
		r := obj{"x": l.X1, "y": l.Y1, "x2": l.X2, "y2": l.Y2, "height": clean(l.Height), "users": l.Users, "seg": nil, "segment": "several segments"}
		if l.Seg >= 0 {
			r["seg"] = s.Segments[l.Seg].ID
			r["segment"] = s.Segments[l.Seg].Label()
		}
		rows = append(rows, r)
	}
	domain := []string{"several segments"}
	rng := []string{"#555555"}
	for _, seg := range s.Segments {
		domain = append(domain, seg.Label())
		rng = append(rng, seg.Color)
	}
	layers := []any{obj{
		"mark": obj{"type": "rule", "strokeWidth": 1.5},
		"encoding": obj{
			"x":       obj{"field": "x", "type": "quantitative", "axis": nil, "scale": obj{"domain": []float64{-0.5, float64(len(s.LeafUsers)) - 0.5}}},
			"x2":      obj{"field": "x2"},
			"y":       obj{"field": "y", "type": "quantitative", "title": s.YTitle},
			"y2":      obj{"field": "y2"},
			"color":   obj{"field": "segment", "type": "nominal", "scale": obj{"domain": domain, "range": rng}, "legend": nil},
			"opacity": obj{"condition": obj{"test": "hl == null || datum.seg == hl || datum.seg == null", "value": 1}, "value": 0.15},
			"tooltip": []any{segTip, tip("height", "merge height", "quantitative", ",.4~g"), tip("users", "users below", "quantitative", ",")},
		},
	}}
	var leaves []any
	for i, n := range s.LeafUsers {
		leaves = append(leaves, obj{"x": float64(i), "users": n})
	}
	layers = append(layers, obj{"data": obj{"values": leaves},
		"mark": obj{"type": "text", "baseline": "top", "dy": 4, "fontSize": 9, "angle": 0},
		"encoding": obj{"x": obj{"field": "x", "type": "quantitative"}, "y": obj{"datum": 0}, "text": obj{"field": "users", "format": ","},
			"tooltip": []any{tip("users", "users in this leaf", "quantitative", ",")}}})
	if !math.IsNaN(s.Cut) {
		layers = append(layers, obj{"data": obj{"values": []any{obj{"y": s.Cut, "label": s.CutLabel}}},
			"mark": obj{"type": "rule", "strokeDash": []int{6, 4}, "color": "#D55E00"},
			"encoding": obj{"y": obj{"field": "y", "type": "quantitative"},
				"tooltip": []any{tip("label", "cut", "nominal", ""), tip("y", "height", "quantitative", ",.4~g")}}})
	}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["width"] = Width
	spec["height"] = 260
	spec["layer"] = layers
	return spec
}

// GridCell is one cell of an RFM grid.
type GridCell struct {
	Seg       int     // index into Segments
	Recency   int     // recency score 1..5 (5: most recent)
	Frequency int     // frequency score 1..5 (5: most frequent)
	Users     int     // users of the segment in the cell
	Monetary  float64 // their mean spend
	Group     string  // the named RFM group of the cell, e.g. "champions"
}

// GridSpec is the input of Grid.
type GridSpec struct {
	Title, Caption string
	Segments       []Segment
	Cells          []GridCell
	Currency       string
	Columns        int // panels per row; 0 means 4
}

// Grid draws, per segment, the Klaviyo-style RFM grid: recency score
// across, frequency score up, each cell coloured by its users' mean spend
// and labelled with its share of the segment.
func Grid(s GridSpec) Spec {
	total := make([]int, len(s.Segments))
	for _, c := range s.Cells {
		total[c.Seg] += c.Users
	}
	var rows []any
	for _, c := range s.Cells {
		seg := s.Segments[c.Seg]
		rows = append(rows, obj{"seg": seg.ID, "segment": seg.Label(), "r": c.Recency, "f": c.Frequency, "users": c.Users,
			"share": ratio(float64(c.Users), float64(total[c.Seg])), "monetary": clean(c.Monetary), "group": c.Group})
	}
	domain := make([]string, len(s.Segments))
	for i, seg := range s.Segments {
		domain[i] = seg.Label()
	}
	cols := s.Columns
	if cols == 0 {
		cols = 4
	}
	scores := []int{1, 2, 3, 4, 5}
	scoresDown := []int{5, 4, 3, 2, 1}
	spec := newSpec(s.Title, s.Caption)
	spec["data"] = obj{"values": rows}
	spec["columns"] = cols
	spec["facet"] = obj{"field": "segment", "type": "nominal", "sort": domain, "title": nil, "header": obj{"labelFontWeight": "bold", "labelAnchor": "start", "labelLimit": 170}}
	spec["spec"] = obj{
		"width": obj{"step": 26}, "height": obj{"step": 26},
		"encoding": obj{
			"x":       obj{"field": "r", "type": "ordinal", "sort": scores, "scale": obj{"domain": scores}, "title": "recency score", "axis": obj{"labelAngle": 0}},
			"y":       obj{"field": "f", "type": "ordinal", "sort": scoresDown, "scale": obj{"domain": scoresDown}, "title": "frequency score"},
			"opacity": opacityEnc(1),
			"tooltip": []any{segTip, tip("group", "RFM group", "nominal", ""), tip("r", "recency score", "ordinal", ""), tip("f", "frequency score", "ordinal", ""),
				tip("users", "users", "quantitative", ","), tip("share", "share of the segment", "quantitative", ".1%"),
				tip("monetary", withUnit("mean spend", s.Currency), "quantitative", moneyFormat)},
		},
		"layer": []any{
			obj{"mark": obj{"type": "rect", "cursor": "pointer", "stroke": "white"}, "encoding": obj{
				"color": obj{"field": "monetary", "type": "quantitative", "title": withUnit("mean spend", s.Currency), "scale": obj{"type": "symlog", "scheme": "yellowgreenblue"}}}},
			obj{"mark": obj{"type": "text", "fontSize": 8}, "encoding": obj{
				"text":  obj{"field": "share", "format": ".0%"},
				"color": obj{"condition": obj{"test": "datum.share > 0.0", "value": "black"}, "value": "black"}}},
		},
	}
	return spec
}

// HTML returns the elements that place spec on a page under id: an empty
// container and the spec as JSON for page.js. The caller marks it safe
// for html/template.
func HTML(id string, spec Spec) string {
	return fmt.Sprintf(`<div class="vega" id="%s"></div><script type="application/json" data-chart="%s">%s</script>`, id, id, spec.JSON())
}

// RawHTML is HTML for a spec already encoded, such as one stored as JSON
// by a report (report.ChartsFile): it is compacted and escaped as JSON
// does ("<", ">", "&", U+2028 and U+2029), so no text of it can close the
// element, and id is HTML-escaped. It fails when spec is not JSON.
func RawHTML(id string, spec []byte) (string, error) {
	var compact, safe bytes.Buffer
	if err := json.Compact(&compact, spec); err != nil {
		return "", fmt.Errorf("vega: chart %s: %w", id, err)
	}
	json.HTMLEscape(&safe, compact.Bytes())
	id = html.EscapeString(id)
	return fmt.Sprintf(`<div class="vega" id="%s"></div><script type="application/json" data-chart="%s">%s</script>`, id, id, safe.Bytes()), nil
}

// logTicks are the axis values of a symlog axis up to hi: 0 and the powers
// of ten, with 2 and 5 between them over few decades.
func logTicks(hi float64) []float64 {
	ticks := []float64{0}
	few := hi < 1000
	for p := 1.0; p <= hi; p *= 10 {
		ticks = append(ticks, p)
		for _, m := range []float64{2, 5} {
			if few && m*p <= hi {
				ticks = append(ticks, m*p)
			}
		}
	}
	return ticks
}
