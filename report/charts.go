package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/chart"
	segprof "github.com/persona-seg/persona/profile"
)

// figure is one chart of the report: its file name stem, the section it
// belongs to and a caption under it.
type figure struct {
	name    string
	section string
	caption string
	fig     *chart.Figure // nil for a chart drawn only in the page
	heading string        // the title of a chart without fig
}

func (f figure) title() string {
	if f.fig == nil {
		return f.heading
	}
	return f.fig.Title()
}

// Section identifiers, in page order.
const (
	secDistribution = "distribution"
	secTraits       = "characteristics"
	secBehaviour    = "behaviour"
	secValue        = "value"
	secMap          = "projection"
	secDiagnostics  = "diagnostics"
	secAges         = "ages"
)

// chartNames lists every chart the report can have, in page order.
var chartNames = []string{"segment-sizes", "heatmap", "profiles", "hour-of-day", "weekday",
	"categories", "rfm", "rfm-groups", "rfm-grid", "value", "calibration", "projection", "diagnostics", "dendrogram", "k-distance", "silhouette", "ages"}

// figures builds every chart the input has data for, in page order.
func figures(in *Input) ([]figure, error) {
	names := make([]string, len(in.Segments))
	for i, s := range in.Segments {
		names[i] = s.Name
	}
	unseg := hasUnsegmented(in)
	var out []figure
	add := func(name, section, caption string, f *chart.Figure, err error) error {
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		out = append(out, figure{name: name, section: section, caption: caption, fig: f})
		return nil
	}

	// Segment distribution.
	total := 0
	sizes := make([]float64, len(in.Segments))
	sizeLabels := make([]string, len(in.Segments))
	for i, s := range in.Segments {
		total += s.Size
		sizes[i] = float64(s.Size)
		sizeLabels[i] = formatInt(s.Size) + " (" + formatPercent(s.Share) + ")"
	}
	panels := []chart.BarPanel{{Title: "Users", XLabel: "users", Values: sizes, Labels: sizeLabels}}
	title := "Users per segment"
	caption := "Number of users in each segment, with its share of all " + formatInt(total) + " users."
	if in.RevenueBySegment != nil {
		sum := 0.0
		for _, v := range in.RevenueBySegment {
			sum += v
		}
		labels := make([]string, len(in.RevenueBySegment))
		for i, v := range in.RevenueBySegment {
			labels[i] = formatMoney(v)
			if sum > 0 {
				labels[i] += " (" + formatPercent(v/sum) + ")"
			}
		}
		panels = append(panels, chart.BarPanel{Title: "Revenue", XLabel: withUnit("revenue", in.Currency), Values: in.RevenueBySegment, Labels: labels})
		title = "Users and revenue per segment"
		caption = "Number of users in each segment, with its share of all " + formatInt(total) +
			" users, and the revenue each segment brought in, with its share of all revenue."
	}
	f, err := chart.Bars(chart.BarsSpec{Unsegmented: unseg, Title: title, Segments: names, Panels: panels})
	if err := add("segment-sizes", secDistribution, caption, f, err); err != nil {
		return nil, err
	}

	// Key characteristics.
	if len(in.HeatFeatures) > 0 {
		f, err := chart.Heatmap(chart.HeatmapSpec{Unsegmented: unseg,
			Title: "Key characteristics: how each segment differs from all users", Segments: names,
			Rows: in.labels(in.HeatFeatures), Z: in.HeatZ, Limit: 2, XLabel: "segment", YLabel: "feature", IDs: segmentIDs(in),
			ScaleLabel: "z-score (standard deviations from the mean of all users)",
		})
		if err := add("heatmap", secTraits,
			"Each cell is the segment's mean of a feature, as a z-score against all users: red is above average, blue below; colours saturate at ±2.", f, err); err != nil {
			return nil, err
		}
	}

	if labels, values, ok := traitBars(in); ok {
		f, err := chart.Profiles(chart.ProfilesSpec{Unsegmented: unseg,
			Title: "Segment profiles: strongest traits", XLabel: "z-score (SD from the mean of all users)",
			Segments: names, Labels: labels, Values: values,
		})
		if err := add("profiles", secTraits,
			"For each segment, the features on which it differs most from all users; bars to the right are above average.", f, err); err != nil {
			return nil, err
		}
		// Each segment's own panel, for its section.
		for i := range in.Segments {
			if len(values[i]) == 0 {
				continue
			}
			f, err := chart.Profiles(chart.ProfilesSpec{Unsegmented: unseg && i == len(in.Segments)-1, First: i, Columns: 1,
				Title: segmentTitle(in.Segments[i]) + ": strongest traits", XLabel: "z-score (SD from the mean of all users)",
				Segments: names[i : i+1], Labels: labels[i : i+1], Values: values[i : i+1],
			})
			if err := add(segmentChartName(in.Segments[i]), segmentSection(i),
				"The features on which this segment differs most from all users.", f, err); err != nil {
				return nil, err
			}
		}
	}

	// Behavioural patterns.
	noun := activityNoun(in)
	if hasTimeOfDay(in.HourShare) {
		hours := make([]string, 24)
		for h := range hours {
			hours[h] = strconv.Itoa(h)
		}
		f, err := chart.Lines(chart.LinesSpec{Unsegmented: unseg,
			Title: capitalize(noun) + " by hour of day", XLabel: "hour of day", YLabel: "share of the segment's " + noun + " (%)",
			XTicks: hours, TickStep: 2, Segments: names, Values: percentRows(in.HourShare),
		})
		if err := add("hour-of-day", secBehaviour,
			"Share of each segment's "+noun+" in each hour of the day; each line sums to 100%.", f, err); err != nil {
			return nil, err
		}
	}
	if hasMass(in.WeekdayShare) {
		f, err := chart.Lines(chart.LinesSpec{Unsegmented: unseg,
			Title: capitalize(noun) + " by day of the week", XLabel: "day of the week", YLabel: "share of the segment's " + noun + " (%)",
			XTicks: []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, Segments: names,
			Values: percentRows(in.WeekdayShare), Height: 240,
		})
		if err := add("weekday", secBehaviour,
			"Share of each segment's "+noun+" on each day of the week; each line sums to 100%.", f, err); err != nil {
			return nil, err
		}
	}
	if hasMass(in.CategoryShare) {
		measure := categoryMeasure(in)
		cats, shares := pooledCategories(in)
		caption := "How each segment's " + measure + " splits across categories; each bar adds up to 100%."
		if len(cats) < len(in.Categories) {
			caption += fmt.Sprintf(" The %d categories with the largest overall share are shown; the other %d are pooled as %q.",
				len(cats)-1, len(in.Categories)-len(cats)+1, otherCategory)
		}
		f, err := chart.Stacked(chart.StackedSpec{Unsegmented: unseg,
			Title: capitalize(measure) + " by category", XLabel: "share of the segment's " + measure + " (%)",
			Segments: names, Categories: cats, Values: percentRows(shares),
		})
		if err := add("categories", secBehaviour, caption, f, err); err != nil {
			return nil, err
		}
	}
	if in.RFM != nil && rfmHasData(in.RFM) {
		var r, fq, m []chart.FiveNum
		for _, b := range in.RFM {
			rec := chart.FiveNum(b.Recency)
			if b.NoBuyers {
				rec = chart.NoBox()
			}
			r = append(r, rec)
			fq = append(fq, chart.FiveNum(b.Frequency))
			m = append(m, chart.FiveNum(b.Monetary))
		}
		f, err := chart.Boxes(chart.BoxesSpec{Unsegmented: unseg, Title: "Recency, frequency and monetary value", Segments: names, Panels: []chart.BoxPanel{
			{Title: "Recency", XLabel: "days since the last order", Boxes: r},
			{Title: "Frequency", XLabel: "orders", Boxes: fq, Log: true},
			{Title: "Monetary", XLabel: withUnit("spend", in.Currency), Boxes: m, Log: true},
		}})
		if err := add("rfm", secBehaviour,
			"Distribution of the days since the last order (over the segment's buyers; none for a segment without buyers), the number of orders and the total spend within each segment; orders and spend on log scales.", f, err); err != nil {
			return nil, err
		}
	}

	if m := in.RFMGroups; m != nil && hasMass(m.Share) {
		f, err := chart.Stacked(chart.StackedSpec{Unsegmented: unseg,
			Title: "RFM groups by segment", XLabel: "share of the segment's users (%)",
			Segments: names, Categories: m.Values, Values: percentRows(m.Share), Colors: rfmGroupColors(m.Values),
		})
		if err := add("rfm-groups", secBehaviour,
			"How each segment's users split over the named RFM groups (recency, frequency and spend scored by quintile over all buyers); each bar adds up to 100%.", f, err); err != nil {
			return nil, err
		}
	}
	if len(in.RFMGrid) > 0 {
		groups := rfmGridGroups(in.RFMGrid)
		cells := make([]chart.GridCell, len(in.RFMGrid))
		for i, c := range in.RFMGrid {
			cells[i] = chart.GridCell{Segment: c.Segment, R: c.R, F: c.F, Users: c.Users, Monetary: c.Monetary, Group: c.Group}
		}
		f, err := chart.Grid(chart.GridSpec{Title: "RFM grid: recency × frequency, coloured by spend", Segments: names, Unsegmented: unseg,
			IDs: segmentIDs(in), Cells: cells, Groups: groups, GroupColors: rfmGroupColors(groups), SpendLabel: withUnit("mean spend", in.Currency)})
		if err := add("rfm-grid", secBehaviour,
			"Each segment's buyers by recency score (across, 5 = most recent) and frequency score (up, 5 = most orders), scored by quintile over all buyers; "+
				"the colour is the cell's mean spend (log scale), the number its share of the segment's buyers, and the corner mark (in the page, the tooltip) the named RFM group most of the cell is in. Users without an order are left out.", f, err); err != nil {
			return nil, err
		}
	}

	// Customer value.
	vf, err := valueFigures(in, names, unseg)
	if err != nil {
		return nil, err
	}
	out = append(out, vf...)

	// Segment map.
	if len(in.Projection) > 0 {
		xs := make([]float64, len(in.Projection))
		ys := make([]float64, len(in.Projection))
		gs := make([]int, len(in.Projection))
		for i, p := range in.Projection {
			xs[i], ys[i], gs[i] = p.X, p.Y, p.Segment
		}
		ax := in.ProjectionAxes
		if ax[0] == "" {
			ax[0] = "PC 1"
		}
		if ax[1] == "" {
			ax[1] = "PC 2"
		}
		f, err := chart.Scatter(chart.ScatterSpec{Unsegmented: unseg,
			Title: "Segment map: users in two dimensions", XLabel: ax[0], YLabel: ax[1],
			Segments: names, X: xs, Y: ys, Segment: gs, IDs: segmentIDs(in),
		})
		if err := add("projection", secMap,
			"A sample of "+formatInt(len(in.Projection))+" users projected on the first two principal components. Hover a point to see who it is; a click opens the user's page on the dashboard (persona serve).", f, err); err != nil {
			return nil, err
		}
	}

	// Diagnostics.
	if len(in.KCurve) > 0 {
		ks := make([]int, len(in.KCurve))
		inertia := make([]float64, len(in.KCurve))
		sil := make([]float64, len(in.KCurve))
		for i, p := range in.KCurve {
			ks[i], inertia[i], sil[i] = p.K, p.Inertia, p.Silhouette
		}
		spec := chart.ElbowSpec{Title: "Choosing the number of segments", K: ks, Inertia: inertia, Silhouette: sil, Chosen: in.ChosenK}
		caption := "Inertia falls as k grows; the bend (the elbow) and the silhouette peak suggest a good k."
		if stab, ps, ok := kStability(in.KCurve); ok {
			spec.Stability, spec.PredictionStrength = stab, ps
			caption += " Stability (the mean adjusted Rand index between the segments of half samples and the full run's) and prediction strength (how well one half's segments hold the other half's together, for its worst segment) near 1 mean the segments come back on other samples."
		}
		caption += " The dashed line marks the k used."
		f, err := chart.Elbow(spec)
		if err := add("diagnostics", secDiagnostics, caption, f, err); err != nil {
			return nil, err
		}
	}

	if d := in.Dendrogram; d != nil {
		f, err := chart.Dendrogram(dendrogramSpec(in, names, unseg))
		caption := fmt.Sprintf("The top of the merge tree (its last %d merges): each leaf is a single user or a collapsed cluster, labelled with its number of users, and merges are drawn at the height where they happened.", len(d.Merges))
		if in.ChosenK > 0 {
			caption += fmt.Sprintf(" Cutting the tree at the dashed line gives the %d segments; links below it take their segment's colour.", in.ChosenK)
		}
		if err := add("dendrogram", secDiagnostics, caption, f, err); err != nil {
			return nil, err
		}
	}
	if in.KDistance != nil {
		f, err := chart.KDistance(chart.KDistanceSpec{Title: "Choosing eps: the k-distance curve", Distances: in.KDistance, K: in.MinSamples, Eps: in.Eps})
		caption := fmt.Sprintf("Each user's distance to its %s nearest neighbour (k = min_samples = %d, counting the user), sorted. "+
			"DBSCAN's eps (dashed line) sits near the knee, where the curve turns up: users right of the ring are too far from their neighbours to be core points, "+
			"so they lie on the edge of a segment or stay unsegmented.", chart.Ordinal(in.MinSamples), in.MinSamples)
		if len(in.KDistance) < total {
			caption += " The curve is drawn from a sample of " + formatInt(len(in.KDistance)) + " users."
		}
		if err := add("k-distance", secDiagnostics, caption, f, err); err != nil {
			return nil, err
		}
	}
	if in.SilhouetteBySegment != nil {
		f, err := chart.Silhouette(chart.SilhouetteSpec{Title: "How well each segment is separated: silhouette", Segments: names, Unsegmented: unseg,
			Values: in.SilhouetteBySegment, Mean: meanSilhouette(in)})
		caption := "The mean silhouette of each segment's users: near 1, users are much closer to their own segment than to the next one; near 0 they sit between segments; below 0 they are closer to another segment. The dashed line is the mean over all segmented users."
		if unseg {
			caption += " The unsegmented group is no segment, so it has no silhouette."
		}
		if err := add("silhouette", secDiagnostics, caption, f, err); err != nil {
			return nil, err
		}
	}

	// Demographics.
	for _, m := range in.Demographics {
		title, xlabel, caption := mixWords(m)
		f, err := chart.Stacked(chart.StackedSpec{Unsegmented: unseg,
			Title: title, XLabel: xlabel + " (%)",
			Segments: names, Categories: m.Values, Values: percentRows(m.Share),
		})
		if err := add("mix-"+slugID(m.Field), secAges, caption, f, err); err != nil {
			return nil, err
		}
	}

	// Numeric attributes, three to a chart.
	for k, group := range attributeGroups(in.NumericAttributes) {
		var panels []chart.BoxPanel
		var labels []string
		for _, a := range group {
			boxes := make([]chart.FiveNum, len(a.Boxes))
			for i, b := range a.Boxes {
				boxes[i] = chart.FiveNum(b)
			}
			panels = append(panels, chart.BoxPanel{Title: capitalize(a.Name), XLabel: a.Name, Boxes: boxes, Log: a.Log})
			labels = append(labels, a.Name)
		}
		f, err := chart.Boxes(chart.BoxesSpec{Unsegmented: unseg, Title: "Attributes by segment: " + strings.Join(labels, ", "), Segments: names, Panels: panels})
		if err := add(fmt.Sprintf("attributes-%d", k+1), secAges,
			"Distribution of each attribute within each segment: the box spans the middle half of its users, the bar is the median, the whiskers reach the minimum and maximum.", f, err); err != nil {
			return nil, err
		}
	}

	// Age.
	if hasAges(in.Ages) {
		vals := make([][]float64, len(in.Ages))
		for i, a := range in.Ages {
			vals[i] = make([]float64, len(a))
			for j, v := range a {
				vals[i][j] = float64(v)
			}
		}
		f, err := chart.Histograms(chart.HistogramsSpec{Unsegmented: unseg, Title: "Age by segment", XLabel: "age (years)", Segments: names, Values: vals, BinWidth: 5})
		if err := add("ages", secAges,
			"Share of each segment's users in each five-year age band (the static chart in charts/ marks the median age).", f, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// otherCategory names the pooled categories beyond the top ones.
const otherCategory = "other"

// maxCategories is how many categories the category chart shows before it
// pools the rest into "other".
const maxCategories = 8

// pooledCategories returns the categories to draw and each segment's
// share of them: all of them when there are at most maxCategories, else
// the maxCategories−1 with the largest share over all users (segments
// weighted by size) and "other" for the rest.
func pooledCategories(in *Input) ([]string, [][]float64) {
	nc := len(in.Categories)
	if nc <= maxCategories {
		return in.Categories, in.CategoryShare
	}
	overall := make([]float64, nc)
	for i, row := range in.CategoryShare {
		for j, v := range row {
			overall[j] += v * float64(in.Segments[i].Size)
		}
	}
	idx := make([]int, nc)
	for j := range idx {
		idx[j] = j
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(overall[b], overall[a]) })
	keep := idx[:maxCategories-1]
	slices.Sort(keep)
	cats := make([]string, 0, maxCategories)
	for _, j := range keep {
		cats = append(cats, in.Categories[j])
	}
	cats = append(cats, otherCategory)
	shares := make([][]float64, len(in.CategoryShare))
	for i, row := range in.CategoryShare {
		shares[i] = make([]float64, len(cats))
		rest := 0.0
		for _, v := range row {
			rest += v
		}
		for k, j := range keep {
			shares[i][k] = row[j]
			rest -= row[j]
		}
		shares[i][len(cats)-1] = math.Max(0, rest)
	}
	return cats, shares
}

// activityNoun is what the hour and weekday charts count.
func activityNoun(in *Input) string {
	if in.ActivityMeasure != "" {
		return in.ActivityMeasure
	}
	return "events"
}

// categoryMeasure is what the category shares measure.
func categoryMeasure(in *Input) string {
	if in.CategoryMeasure != "" {
		return in.CategoryMeasure
	}
	return "activity"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// hasMass reports whether a share matrix has any non-zero value: a chart of
// zeros says nothing.
func hasMass(m [][]float64) bool {
	for _, row := range m {
		for _, v := range row {
			if v != 0 {
				return true
			}
		}
	}
	return false
}

// hasTimeOfDay reports whether the hour shares say anything about the time
// of day: not when they are empty, or when every segment has all of its
// activity in one and the same hour (date-only timestamps read as
// midnight).
func hasTimeOfDay(m [][]float64) bool {
	if !hasMass(m) {
		return false
	}
	single := -1
	for _, row := range m {
		total, top, at := 0.0, 0.0, -1
		for h, v := range row {
			total += v
			if v > top {
				top, at = v, h
			}
		}
		if total == 0 {
			continue
		}
		if top < 0.999*total || (single >= 0 && at != single) {
			return true
		}
		single = at
	}
	return false
}

// rfmHasData reports whether any segment has a non-zero recency, frequency
// or spend.
func rfmHasData(boxes []RFMBox) bool {
	for _, b := range boxes {
		if b.Recency.Max != 0 || b.Frequency.Max != 0 || b.Monetary.Max != 0 {
			return true
		}
	}
	return false
}

// segmentIDs are the segments' ids in display order, as segments.csv
// numbers them.
func segmentIDs(in *Input) []int {
	ids := make([]int, len(in.Segments))
	for i, s := range in.Segments {
		ids[i] = s.ID
	}
	return ids
}

// segmentChartName is the file name stem of a segment's own chart and the
// anchor of its section: "segment-ID" with the id of segments.csv, or
// "segment-unsegmented".
func segmentChartName(s Segment) string {
	if s.ID < 0 {
		return "segment-unsegmented"
	}
	return fmt.Sprintf("segment-%d", s.ID)
}

// attributeGroups splits the numeric attributes into charts of three.
func attributeGroups(attrs []NumericAttribute) [][]NumericAttribute {
	var out [][]NumericAttribute
	for len(attrs) > 0 {
		n := min(3, len(attrs))
		out = append(out, attrs[:n])
		attrs = attrs[n:]
	}
	return out
}

// slugID turns a field name into a chart file name part.
func slugID(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	return string(b)
}

// isChartName reports whether name is the name of a chart this package
// writes: a fixed one, a segment's own ("segment-N") or a demographic mix
// ("mix-FIELD").
func isChartName(name string) bool {
	return slices.Contains(chartNames, name) || strings.HasPrefix(name, "segment-") || strings.HasPrefix(name, "mix-") || strings.HasPrefix(name, "attributes-")
}

// segmentSection is the section id of segment i's own charts, which go in
// its part of "Segments in detail".
func segmentSection(i int) string { return fmt.Sprintf("segment:%d", i) }

// hasUnsegmented reports whether the last segment is the unsegmented
// group (Validate keeps it last).
func hasUnsegmented(in *Input) bool {
	n := len(in.Segments)
	return n > 0 && in.Segments[n-1].ID < 0
}

// dendrogramSpec converts the tree and places the cut line halfway between
// the highest merge the cut applies and the next merge up.
func dendrogramSpec(in *Input, names []string, unseg bool) chart.DendrogramSpec {
	d := in.Dendrogram
	spec := chart.DendrogramSpec{
		Title:       "Dendrogram: how the segments nest",
		YLabel:      "merge height (linkage distance)",
		Segments:    names,
		Unsegmented: unseg,
		Leaves:      make([]chart.DendrogramLeaf, len(d.Leaves)),
		Merges:      make([]chart.DendrogramMerge, len(d.Merges)),
	}
	if d.Linkage != "" {
		spec.YLabel = "merge height (" + d.Linkage + " linkage distance)"
	}
	for i, l := range d.Leaves {
		spec.Leaves[i] = chart.DendrogramLeaf(l)
	}
	next := math.Inf(1)
	for i, m := range d.Merges {
		spec.Merges[i] = chart.DendrogramMerge(m)
		if m.Height > d.CutHeight {
			next = math.Min(next, m.Height)
		}
	}
	if in.ChosenK > 0 && !math.IsInf(next, 1) {
		spec.Cut = (d.CutHeight + next) / 2
		spec.CutLabel = fmt.Sprintf("cut into k = %d segments", in.ChosenK)
	}
	return spec
}

// meanSilhouette is the mean silhouette of all segmented users: the
// segments' means weighted by their sizes (NaN when none is known).
func meanSilhouette(in *Input) float64 {
	var sum, w float64
	for i, v := range in.SilhouetteBySegment {
		if !math.IsNaN(v) {
			sum += v * float64(in.Segments[i].Size)
			w += float64(in.Segments[i].Size)
		}
	}
	if w == 0 {
		return math.NaN()
	}
	return sum / w
}

// percentRows returns m scaled from shares to percent.
func percentRows(m [][]float64) [][]float64 {
	out := make([][]float64, len(m))
	for i, row := range m {
		out[i] = make([]float64, len(row))
		for j, v := range row {
			out[i][j] = 100 * v
		}
	}
	return out
}

func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + " (" + unit + ")"
}

// traitBars returns, per segment, the trait names and z-scores to draw: the
// segment's Traits (at most eight) when it has any, otherwise the six
// features of HeatZ with the largest absolute z-score. ok is false when no
// segment has anything to draw.
func traitBars(in *Input) (labels [][]string, values [][]float64, ok bool) {
	for i, s := range in.Segments {
		var l []string
		var v []float64
		switch {
		case len(s.Traits) > 0:
			for _, t := range s.Traits[:min(len(s.Traits), 8)] {
				l = append(l, in.label(t.Feature))
				v = append(v, t.Z)
			}
		case len(in.HeatFeatures) > 0:
			for _, j := range topAbs(in.HeatZ[i], 6) {
				l = append(l, in.label(in.HeatFeatures[j]))
				v = append(v, in.HeatZ[i][j])
			}
		}
		labels = append(labels, l)
		values = append(values, v)
		ok = ok || len(v) > 0
	}
	return labels, values, ok
}

// topAbs returns the indices of the k largest |z| (NaN skipped), largest
// first, ties by index.
func topAbs(z []float64, k int) []int {
	var idx []int
	for j, v := range z {
		if !math.IsNaN(v) {
			idx = append(idx, j)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(math.Abs(z[b]), math.Abs(z[a]))
	})
	return idx[:min(k, len(idx))]
}

func hasAges(ages [][]int) bool {
	for _, a := range ages {
		if len(a) > 0 {
			return true
		}
	}
	return false
}

// mixWords are the title, the axis label and the caption of a field's
// mix chart.
func mixWords(m Mix) (title, xlabel, caption string) {
	if m.Several {
		return capitalize(m.Field) + " by segment", "share of the values the segment's users hold",
			"How the " + m.Field + " values of each segment's users split (a user may hold several, each counted); each bar adds up to 100%."
	}
	return "Users by " + m.Field, "share of the segment's users",
		"How each segment's users split by " + m.Field + "; each bar adds up to 100%."
}

// rfmGridGroups are the named RFM groups the grid's cells are in, in the
// order of profile.RFMGroups.
func rfmGridGroups(cells []RFMCell) []string {
	var out []string
	for _, g := range segprof.RFMGroups() {
		if slices.ContainsFunc(cells, func(c RFMCell) bool { return c.Group == g && c.Users > 0 }) {
			out = append(out, g)
		}
	}
	return out
}

// segmentTitle heads a segment's own chart with its id of segments.csv
// and its file name (charts/segment-ID.*): "Segment 3 · champions — ...";
// the unsegmented group by its name alone.
func segmentTitle(s Segment) string {
	if s.ID < 0 {
		return s.Name
	}
	return fmt.Sprintf("Segment %d · %s", s.ID, s.Name)
}

// kStability returns the k curve's stability and prediction strength, and
// whether they were measured (both 0 at every k means they were not).
func kStability(curve []KPoint) (stab, ps []float64, ok bool) {
	for _, p := range curve {
		ok = ok || p.Stability != 0 || p.PredictionStrength != 0
	}
	if !ok {
		return nil, nil, false
	}
	stab = make([]float64, len(curve))
	ps = make([]float64, len(curve))
	for i, p := range curve {
		stab[i], ps[i] = p.Stability, p.PredictionStrength
	}
	return stab, ps, true
}
