package report

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/chart"
	"github.com/persona-seg/persona/chart/vega"
)

// DefaultDashboardURL is where "persona serve" listens by default; the
// report's 2-D map links each user to its page there unless
// Input.DashboardURL says otherwise.
const DefaultDashboardURL = "http://127.0.0.1:8080"

// ChartsFile is where Write puts the report's interactive charts, under
// the report's folder, as the JSON of Charts: the dashboard (persona
// serve) shows them beside its own tables without recomputing them from
// the run's data.
const ChartsFile = "charts/interactive.json"

// Charts are the interactive charts of a report, in its order.
type Charts struct {
	// Segments are the report's segments, in its order: which run the
	// charts draw (a reader compares them with the run it serves).
	Segments []ChartSegment `json:"segments"`
	Charts   []Chart        `json:"charts"`
}

// ChartSegment names a segment of Charts.
type ChartSegment struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Size int    `json:"size"`
}

// Chart is one interactive chart of a report.
type Chart struct {
	// ID is the element id of the chart in report.html: "chart-" and
	// the name of its files in charts/.
	ID string `json:"id"`
	// Section and SectionTitle are the report section the chart is in;
	// Section is "" for a segment's own chart, whose segment id is
	// Segment.
	Section      string `json:"section,omitempty"`
	SectionTitle string `json:"section_title,omitempty"`
	Segment      *int   `json:"segment,omitempty"`
	Title        string `json:"title"`
	Caption      string `json:"caption,omitempty"`
	// Spec is the Vega-Lite specification (package chart/vega). Its 2-D
	// map links users to /users/ID, the dashboard's user pages.
	Spec json.RawMessage `json:"spec"`
}

// interactiveCharts are the charts of figs that have an interactive
// version, for ChartsFile.
func interactiveCharts(in *Input, figs []figure) Charts {
	served := *in
	served.DashboardURL = "/" // links relative to the dashboard serving them
	var c Charts
	for _, s := range in.Segments {
		c.Segments = append(c.Segments, ChartSegment{ID: s.ID, Name: s.Name, Size: s.Size})
	}
	add := func(f figure, ch Chart) {
		spec, ok := interactiveSpec(&served, f)
		if !ok {
			return
		}
		ch.ID, ch.Title, ch.Caption, ch.Spec = "chart-"+f.name, f.title(), f.caption, spec.JSON()
		c.Charts = append(c.Charts, ch)
	}
	for _, st := range sectionTitles {
		for _, f := range figs {
			if f.section == st.id {
				add(f, Chart{Section: st.id, SectionTitle: st.title})
			}
		}
	}
	for i, s := range in.Segments {
		for _, f := range figs {
			if f.section == segmentSection(i) {
				add(f, Chart{Segment: &s.ID})
			}
		}
	}
	return c
}

// ReadCharts reads the ChartsFile of a report's folder.
func ReadCharts(path string) (*Charts, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Charts
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &c, nil
}

// vegaSegments are the segments as the interactive charts name and colour
// them.
func vegaSegments(in *Input) []vega.Segment {
	out := make([]vega.Segment, len(in.Segments))
	for i, s := range in.Segments {
		out[i] = vega.Segment{ID: s.ID, Name: s.Name, Color: hexColor(segmentColor(in, i))}
	}
	return out
}

// interactiveSpec returns the interactive version of figure f: the same
// data as its static chart, with exact values on hover. ok is false for a
// figure that has none.
func interactiveSpec(in *Input, f figure) (spec vega.Spec, ok bool) {
	segs := vegaSegments(in)
	title := f.title()
	if f.section == secValue {
		return valueSpec(in, f, segs)
	}
	switch {
	case f.name == "rfm-grid":
		cells := make([]vega.GridCell, len(in.RFMGrid))
		for i, c := range in.RFMGrid {
			cells[i] = vega.GridCell{Seg: c.Segment, Recency: c.R, Frequency: c.F, Users: c.Users, Monetary: c.Monetary, Group: c.Group}
		}
		return vega.Grid(vega.GridSpec{Title: title, Segments: segs, Cells: cells, Currency: in.Currency}), true
	case f.name == "segment-sizes":
		users := make([]int, len(in.Segments))
		for i, s := range in.Segments {
			users[i] = s.Size
		}
		return vega.Sizes(vega.SizesSpec{Title: title, Segments: segs, Users: users, Revenue: in.RevenueBySegment, Currency: in.Currency}), true
	case f.name == "heatmap":
		about := make([]string, len(in.HeatFeatures))
		for j, f := range in.HeatFeatures {
			about[j] = f
			if d := in.Glossary[f]; d != "" {
				about[j] += ": " + d
			}
		}
		return vega.Heatmap(vega.HeatmapSpec{Title: title, Segments: segs, Features: in.labels(in.HeatFeatures), About: about, Z: in.HeatZ, Values: in.HeatMean, Limit: 2}), true
	case f.name == "profiles":
		labels, values, _ := traitBars(in)
		return vega.Traits(vega.TraitsSpec{Title: title, Segments: segs, Labels: labels, Z: values}), true
	case strings.HasPrefix(f.section, "segment:"):
		idx, err := strconv.Atoi(strings.TrimPrefix(f.section, "segment:"))
		if err != nil || idx < 0 || idx >= len(in.Segments) {
			return nil, false
		}
		labels, values, _ := traitBars(in)
		return vega.Traits(vega.TraitsSpec{Title: title, Segments: segs[idx : idx+1], Labels: labels[idx : idx+1], Z: values[idx : idx+1], Columns: 1}), true
	case f.name == "hour-of-day":
		hours := make([]string, 24)
		for h := range hours {
			hours[h] = strconv.Itoa(h)
		}
		return vega.Lines(vega.LinesSpec{Title: title, XTitle: "hour of day", YTitle: "share of the segment's " + activityNoun(in),
			Segments: segs, X: hours, Share: in.HourShare}), true
	case f.name == "weekday":
		return vega.Lines(vega.LinesSpec{Title: title, XTitle: "day of the week", YTitle: "share of the segment's " + activityNoun(in),
			Segments: segs, X: []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, Share: in.WeekdayShare}), true
	case f.name == "categories":
		cats, shares := pooledCategories(in)
		return vega.Stacked(vega.StackedSpec{Title: title, XTitle: "share of the segment's " + categoryMeasure(in), Segments: segs,
			Categories: cats, Share: shares, Colors: categoryColors(cats)}), true
	case f.name == "rfm":
		var r, fq, m []vega.FiveNum
		for _, b := range in.RFM {
			rec := vega.FiveNum(b.Recency)
			if b.NoBuyers {
				rec = vega.NoBox()
			}
			r = append(r, rec)
			fq = append(fq, vega.FiveNum(b.Frequency))
			m = append(m, vega.FiveNum(b.Monetary))
		}
		return vega.Boxes(vega.BoxesSpec{Title: title, Segments: segs, Panels: []vega.BoxPanel{
			{Title: "Recency", XTitle: "days since the last order", Boxes: r, Format: ",.0f", None: "nobody in this segment bought"},
			{Title: "Frequency", XTitle: "orders", Log: true, Boxes: fq, Format: ",.4~g"},
			{Title: "Monetary", XTitle: withUnit("spend", in.Currency), Log: true, Boxes: m, Format: ",.2f"},
		}}), true
	case f.name == "projection":
		ax := projectionAxes(in)
		pts := make([]vega.Point, len(in.Projection))
		for i, p := range in.Projection {
			pts[i] = vega.Point{X: p.X, Y: p.Y, Seg: p.Segment, User: p.User}
		}
		link := ""
		if in.DashboardURL != "-" {
			base := in.DashboardURL
			if base == "" {
				base = DefaultDashboardURL
			}
			link = strings.TrimRight(base, "/") + "/users/"
		}
		return vega.Scatter(vega.ScatterSpec{Title: title, XTitle: ax[0], YTitle: ax[1], Segments: segs, Points: pts, UserLink: link}), true
	case f.name == "diagnostics":
		xs := make([]float64, len(in.KCurve))
		inertia := make([]float64, len(in.KCurve))
		sil := make([]float64, len(in.KCurve))
		for i, p := range in.KCurve {
			xs[i], inertia[i], sil[i] = float64(p.K), p.Inertia, p.Silhouette
		}
		stab := make([]float64, len(in.KCurve))
		ps := make([]float64, len(in.KCurve))
		measured := false // stability and prediction strength (package kselect)
		for i, p := range in.KCurve {
			stab[i], ps[i] = p.Stability, p.PredictionStrength
			measured = measured || p.Stability != 0 || p.PredictionStrength != 0
		}
		series := []vega.Series{{Name: "inertia", Y: inertia}}
		if !allNaN(sil) {
			series = append(series, vega.Series{Name: "silhouette", Y: sil, Format: ".3f"})
		}
		if measured {
			series = append(series, vega.Series{Name: "stability", Y: stab, Format: ".3f"},
				vega.Series{Name: "prediction strength", Y: ps, Format: ".3f"})
		}
		mark := math.NaN()
		if in.ChosenK > 0 {
			mark = float64(in.ChosenK)
		}
		return vega.Curve(vega.CurveSpec{Title: title, XTitle: "number of segments k", X: xs, Series: series, Mark: mark, MarkLabel: "k used", Rule: math.NaN()}), true
	case f.name == "k-distance":
		xs, ys := thinCurve(in.KDistance, 1000)
		return vega.Curve(vega.CurveSpec{Title: title, XTitle: "users, sorted by that distance", X: xs,
			Series: []vega.Series{{Name: fmt.Sprintf("distance to the %s nearest neighbour", chart.Ordinal(in.MinSamples)), Y: ys, Format: ".4f"}},
			Mark:   math.NaN(), Rule: in.Eps, RuleLabel: "eps"}), true
	case f.name == "silhouette":
		return vega.Values(vega.ValuesSpec{Title: title, XTitle: "mean silhouette", Segments: segs, Values: in.SilhouetteBySegment,
			Rule: meanSilhouette(in), RuleLabel: "mean over all segmented users"}), true
	case f.name == "dendrogram":
		return dendrogramVega(in, segs, title), true
	case f.name == "rfm-groups":
		return vega.Stacked(vega.StackedSpec{Title: title, XTitle: "share of the segment's users", Segments: segs,
			Categories: in.RFMGroups.Values, Share: in.RFMGroups.Share, Colors: hexColors(rfmGroupColors(in.RFMGroups.Values))}), true
	case strings.HasPrefix(f.name, "mix-"):
		for _, m := range in.Demographics {
			if "mix-"+slugID(m.Field) == f.name {
				_, xtitle, _ := mixWords(m)
				return vega.Stacked(vega.StackedSpec{Title: title, XTitle: xtitle, Segments: segs,
					Categories: m.Values, Share: m.Share, Colors: categoryColors(m.Values)}), true
			}
		}
	case strings.HasPrefix(f.name, "attributes-"):
		k, err := strconv.Atoi(strings.TrimPrefix(f.name, "attributes-"))
		groups := attributeGroups(in.NumericAttributes)
		if err != nil || k < 1 || k > len(groups) {
			return nil, false
		}
		var panels []vega.BoxPanel
		for _, a := range groups[k-1] {
			boxes := make([]vega.FiveNum, len(a.Boxes))
			for i, b := range a.Boxes {
				boxes[i] = vega.FiveNum(b)
			}
			panels = append(panels, vega.BoxPanel{Title: capitalize(a.Name), XTitle: a.Name, Log: a.Log, Boxes: boxes})
		}
		return vega.Boxes(vega.BoxesSpec{Title: title, Segments: segs, Panels: panels}), true
	case f.name == "ages":
		bands, shares := ageBands(in.Ages, 5)
		return vega.Lines(vega.LinesSpec{Title: title, XTitle: "age (years)", YTitle: "share of the segment's users", Segments: segs, X: bands, Share: shares}), true
	}
	return nil, false
}

func projectionAxes(in *Input) [2]string {
	ax := in.ProjectionAxes
	if ax[0] == "" {
		ax[0] = "PC 1"
	}
	if ax[1] == "" {
		ax[1] = "PC 2"
	}
	return ax
}

func allNaN(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) {
			return false
		}
	}
	return true
}

// thinCurve returns the points of a sorted curve to draw, at most about n
// of them (evenly spaced ranks, always the last), with their 1-based rank.
func thinCurve(y []float64, n int) (xs, ys []float64) {
	step := max(1, len(y)/n)
	for i := 0; i < len(y); i += step {
		xs, ys = append(xs, float64(i+1)), append(ys, y[i])
	}
	if last := len(y) - 1; last >= 0 && int(xs[len(xs)-1]) != last+1 {
		xs, ys = append(xs, float64(last+1)), append(ys, y[last])
	}
	return xs, ys
}

// ageBands bins each segment's ages into bands of width years and returns
// the band labels ("25–29") and each segment's share per band.
func ageBands(ages [][]int, width int) ([]string, [][]float64) {
	lo, hi := math.MaxInt, math.MinInt
	for _, a := range ages {
		for _, v := range a {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi {
		return nil, nil
	}
	first := lo / width * width
	nb := (hi-first)/width + 1
	labels := make([]string, nb)
	for b := range labels {
		labels[b] = fmt.Sprintf("%d–%d", first+b*width, first+b*width+width-1)
	}
	shares := make([][]float64, len(ages))
	for s, a := range ages {
		shares[s] = make([]float64, nb)
		for _, v := range a {
			shares[s][(v-first)/width]++
		}
		for b := range shares[s] {
			if len(a) > 0 {
				shares[s][b] /= float64(len(a))
			}
		}
	}
	return labels, shares
}

// categoryColors gives categories the pale palette of the static charts,
// and "other" a grey.
func categoryColors(cats []string) []string {
	out := make([]string, len(cats))
	for i, c := range cats {
		if c == otherCategory {
			out[i] = "#bbbbbb"
			continue
		}
		out[i] = hexColor(chart.CategoryColor(i))
	}
	return out
}

// rfmGroupPalette colours the named RFM groups from green (best) through
// blue (new) and orange (slipping) to red and purple (lost); "no purchase"
// is grey.
var rfmGroupPalette = map[string]uint32{
	"champions": 0x1a9850, "loyal": 0x66bd63, "potential loyalists": 0xa6d96a, "new customers": 0x4393c3,
	"promising": 0x92c5de, "need attention": 0xfee08b, "about to sleep": 0xfdae61, "at risk": 0xf46d43,
	"can't lose them": 0xd73027, "hibernating": 0xb2abd2, "lost": 0x8073ac, "no purchase": 0xd9d9d9,
}

// rfmGroupColors are the colours of the groups, in order; a name the
// palette lacks takes the category colour of its position.
func rfmGroupColors(groups []string) []color.RGBA {
	out := make([]color.RGBA, len(groups))
	for i, g := range groups {
		v, ok := rfmGroupPalette[g]
		if !ok {
			out[i] = chart.CategoryColor(i)
			continue
		}
		out[i] = color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
	}
	return out
}

func hexColors(cs []color.RGBA) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = hexColor(c)
	}
	return out
}

// dendrogramVega lays the truncated tree out: leaves at x = 0, 1, ...,
// each merge above the middle of its two children, at its height.
func dendrogramVega(in *Input, segs []vega.Segment, title string) vega.Spec {
	d := in.Dendrogram
	nl := len(d.Leaves)
	x := make([]float64, 2*nl-1)
	y := make([]float64, 2*nl-1)
	seg := make([]int, 2*nl-1)
	users := make([]int, 2*nl-1)
	leafUsers := make([]int, nl)
	for i, l := range d.Leaves {
		x[i], seg[i], users[i], leafUsers[i] = float64(i), l.Segment, l.Size, l.Size
	}
	var links []vega.Link
	for i, m := range d.Merges {
		n := nl + i
		x[n], y[n] = (x[m.A]+x[m.B])/2, m.Height
		users[n] = users[m.A] + users[m.B]
		seg[n] = -1
		if seg[m.A] == seg[m.B] && seg[m.A] >= 0 && (in.ChosenK == 0 || m.Height <= d.CutHeight) {
			seg[n] = seg[m.A]
		}
		for _, c := range []int{m.A, m.B} {
			links = append(links, vega.Link{X1: x[c], Y1: y[c], X2: x[c], Y2: m.Height, Seg: seg[n], Height: m.Height, Users: users[n]})
		}
		links = append(links, vega.Link{X1: x[m.A], Y1: m.Height, X2: x[m.B], Y2: m.Height, Seg: seg[n], Height: m.Height, Users: users[n]})
	}
	spec := dendrogramSpec(in, nil, false)
	cut := math.NaN()
	if spec.Cut > 0 {
		cut = spec.Cut
	}
	return vega.Dendrogram(vega.DendrogramSpec{Title: title, YTitle: spec.YLabel, Segments: segs, Links: links, LeafUsers: leafUsers, Cut: cut, CutLabel: spec.CutLabel})
}
