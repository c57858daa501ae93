package report

import (
	"errors"
	"fmt"
	"math"

	"github.com/persona-seg/persona/features"
)

// Input is everything the report shows. Slices indexed by segment follow the
// order of Segments, which is also the display and colour order. Optional
// fields may be nil; their charts are then left out.
type Input struct {
	Title    string
	Subtitle string // e.g. "Demo: 20,000 users"

	Segments []Segment

	// RevenueBySegment is the revenue of each segment; nil when there are
	// no transactions.
	RevenueBySegment []float64
	// Currency labels revenue figures, e.g. "EUR"; empty means no unit.
	Currency string

	// Glossary maps feature names to what they measure (the feature
	// catalogue's descriptions); the charts name features by features.Label
	// and show the description on hover. Optional.
	Glossary map[string]string
	// Labels, optional, name features outright, before the glossary: the
	// attributes' labels as the profiles use them.
	Labels map[string]string `json:",omitempty"`

	// HeatFeatures names the features of HeatZ; HeatZ[s][f] is the z-score
	// of segment s's mean of feature f against all users.
	HeatFeatures []string
	HeatZ        [][]float64
	// HeatMean, optional, is segment s's mean of feature f, in the
	// feature's units: the interactive heatmap shows it on hover.
	HeatMean [][]float64 `json:",omitempty"`

	// HourShare[s][h] is the share (0..1) of segment s's events in hour h
	// (0..23) of the day.
	HourShare [][]float64
	// ActivityMeasure names what HourShare and WeekdayShare count, plural:
	// "orders" when they come from transactions; empty means "events".
	ActivityMeasure string
	// WeekdayShare[s][d] is the share (0..1) of segment s's events on
	// weekday d, Monday first.
	WeekdayShare [][]float64

	// Categories names the columns of CategoryShare; CategoryShare[s][c] is
	// the share (0..1) of segment s's spend or activity in category c.
	Categories    []string
	CategoryShare [][]float64
	// CategoryMeasure says what CategoryShare measures: Build sets
	// "spend" (net spend of purchase lines) or "events" (events naming
	// a category, when there are no purchases); empty means "activity".
	CategoryMeasure string

	// RFM holds one five-number summary set per segment; optional.
	RFM []RFMBox
	// RFMGrid holds each segment's buyers by recency and frequency score
	// (see RFMGrid); optional.
	RFMGrid []RFMCell
	// RFMGroups is how each segment's users split over the named RFM
	// groups (champions, loyal, ..., no purchase); optional.
	RFMGroups *Mix

	// KCurve is the model-selection curve; ChosenK is the k that was used.
	KCurve  []KPoint
	ChosenK int

	// Dendrogram is the top of the hierarchical clustering tree, with the
	// cut into ChosenK segments; nil for other algorithms.
	Dendrogram *DendrogramData

	// KDistance is the k-distance curve DBSCAN's eps was read from: each
	// user's (or a sample's) distance to its MinSamples-th nearest
	// neighbour, counting the user, sorted ascending; nil for other
	// algorithms. Eps is the eps DBSCAN used.
	KDistance  []float64
	Eps        float64
	MinSamples int

	// SilhouetteBySegment is the mean silhouette of each segment's users,
	// in [−1, 1]; NaN where there is none (the unsegmented group). nil
	// leaves the chart out.
	SilhouetteBySegment []float64

	// Projection is a sample of users in two dimensions (e.g. the first two
	// principal components); Point2.Segment indexes Segments.
	Projection []Point2
	// ProjectionAxes names the two axes; empty means "PC 1" and "PC 2".
	ProjectionAxes [2]string
	// DashboardURL is the address of "persona serve" for this run's store:
	// the 2-D map links each user to DashboardURL/users/ID. Empty means
	// DefaultDashboardURL; "-" means no links.
	DashboardURL string

	// Demographics holds, per categorical field (country, channel, ...),
	// each segment's mix over the field's values; optional.
	Demographics []Mix

	// Ages holds, per segment, the ages of its users (or a sample); optional.
	Ages [][]int

	// NumericAttributes holds each numeric attribute of a per-user table
	// (income, tenure, ...) summarised per segment; they are drawn as box
	// plots, three to a chart. Categorical attributes go in Demographics.
	NumericAttributes []NumericAttribute

	// Value is the customer-value section (package value); nil leaves it
	// out.
	Value *ValueSection

	// Method describes how the result was made: data read and rejected,
	// features, algorithm, parameters, quality metrics, run time.
	Method []KeyValue
}

// NumericAttribute is one numeric attribute's five-number summary in each
// segment.
type NumericAttribute struct {
	Name  string    // in words, with its unit: "annual income (k$)"
	Boxes []FiveNum // one per segment
	// Log draws it on a symmetric log axis, sign(x)·log(1 + |x|): for
	// skewed amounts and counts.
	Log bool
}

// Mix is how each segment splits over the values of one field:
// Share[s][v] is the share (0..1) of segment s's users with value v.
type Mix struct {
	Field  string
	Values []string
	Share  [][]float64
	// Several says a user may hold several values (a list attribute):
	// then Share[s][v] is value v's share of all the values segment s's
	// users hold.
	Several bool `json:",omitempty"`
}

// Segment is one segment as shown in the report. A negative ID marks the
// unsegmented group (users no segment fits, such as DBSCAN noise): it must
// come last, and it is drawn in chart.UnsegmentedColor, a neutral grey.
type Segment struct {
	ID          int
	Name        string
	Size        int     // users
	Share       float64 // of all users, 0..1
	Description string
	Traits      []Trait // strongest first
	Actions     []string
	// Profile holds lines that describe the segment's demographic,
	// psychographic and behavioural character in words.
	Profile []string
}

// Trait is a feature on which a segment stands out, with its z-score.
type Trait struct {
	Feature string
	Z       float64
}

// FiveNum is a five-number summary.
type FiveNum struct {
	Min, Q1, Median, Q3, Max float64
}

// RFMBox summarises a segment's recency (days, over its buyers), frequency
// (purchases) and monetary value.
type RFMBox struct {
	Recency, Frequency, Monetary FiveNum
	// NoBuyers marks a segment in which nobody bought: it has no recency
	// (Recency is zero) and the chart draws no recency box for it.
	NoBuyers bool `json:",omitempty"`
}

// KPoint is one k of the model-selection curve. Silhouette is NaN when it
// was not computed; Stability (mean adjusted Rand index of half-sample
// clusterings with the full one) and PredictionStrength are 0 when they
// were not (see package kselect).
type KPoint struct {
	K                  int
	Inertia            float64
	Silhouette         float64
	Stability          float64
	PredictionStrength float64
}

// Point2 is a user in a 2-D projection.
type Point2 struct {
	X, Y    float64
	Segment int    // index into Input.Segments
	User    string // the user's id, shown on hover; "" when unknown
}

// DendrogramData is a hierarchical clustering tree truncated to its last
// merges, as SciPy's dendrogram(Z, truncate_mode="lastp") draws it.
type DendrogramData struct {
	// Linkage names the linkage ("ward", "average", ...) for the height
	// axis.
	Linkage string
	// Leaves are the clusters below the merges shown, left to right: single
	// users or collapsed clusters.
	Leaves []DendrogramLeaf
	// Merges join two nodes each, in order of height: A and B below
	// len(Leaves) index Leaves, len(Leaves)+i is the node Merges[i] made.
	// There are len(Leaves)-1 of them.
	Merges []DendrogramMerge
	// CutHeight is the height of the highest merge the cut into ChosenK
	// segments applies, 0 when it applies none. The cut line is drawn
	// halfway between it and the next merge up.
	CutHeight float64
}

// DendrogramLeaf is a leaf of a truncated dendrogram.
type DendrogramLeaf struct {
	Size    int // users, at least 1
	Segment int // index into Input.Segments; −1 when its users are in several
}

// DendrogramMerge is one merge of a truncated dendrogram.
type DendrogramMerge struct {
	A, B   int     // the nodes joined
	Height float64 // linkage distance
}

// KeyValue is one row of the "how this was made" table.
type KeyValue struct {
	Key, Value string
}

// FieldError reports an inconsistent Input field.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return "report: input " + e.Field + ": " + e.Err.Error() }

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Validate reports the first field whose shape does not match Segments or
// that holds a value the report cannot draw (NaN, negative size).
func (in *Input) Validate() error {
	n := len(in.Segments)
	if n == 0 {
		return &FieldError{Field: "Segments", Err: errors.New("no segments")}
	}
	for i, s := range in.Segments {
		if s.Size < 0 {
			return fieldErr(fmt.Sprintf("Segments[%d].Size", i), "negative size %d", s.Size)
		}
		if !finite(s.Share) || s.Share < 0 || s.Share > 1 {
			return fieldErr(fmt.Sprintf("Segments[%d].Share", i), "share %v is not in [0, 1]", s.Share)
		}
		if s.ID < 0 && i != n-1 {
			return fieldErr(fmt.Sprintf("Segments[%d].ID", i), "the unsegmented group (id %d) must be the last segment, not %d of %d", s.ID, i+1, n)
		}
	}
	if err := checkVector("RevenueBySegment", in.RevenueBySegment, n); err != nil {
		return err
	}
	if in.HeatZ == nil && len(in.HeatFeatures) > 0 {
		return fieldErr("HeatZ", "missing while HeatFeatures names %d features", len(in.HeatFeatures))
	}
	if in.HeatZ != nil {
		if err := checkMatrix("HeatZ", in.HeatZ, n, len(in.HeatFeatures), true); err != nil {
			return err
		}
	}
	if in.HeatMean != nil {
		if err := checkMatrix("HeatMean", in.HeatMean, n, len(in.HeatFeatures), true); err != nil {
			return err
		}
	}
	if err := checkMatrix("HourShare", in.HourShare, n, 24, false); err != nil {
		return err
	}
	if err := checkMatrix("WeekdayShare", in.WeekdayShare, n, 7, false); err != nil {
		return err
	}
	if m := in.RFMGroups; m != nil {
		if len(m.Values) == 0 {
			return fieldErr("RFMGroups", "no groups")
		}
		if err := checkMatrix("RFMGroups.Share", m.Share, n, len(m.Values), false); err != nil {
			return err
		}
	}
	for i, m := range in.Demographics {
		if m.Field == "" || len(m.Values) == 0 {
			return fieldErr(fmt.Sprintf("Demographics[%d]", i), "needs a field name and its values")
		}
		if err := checkMatrix(fmt.Sprintf("Demographics[%d].Share", i), m.Share, n, len(m.Values), false); err != nil {
			return err
		}
	}
	if in.CategoryShare == nil && len(in.Categories) > 0 {
		return fieldErr("CategoryShare", "missing while Categories names %d categories", len(in.Categories))
	}
	if in.CategoryShare != nil {
		if err := checkMatrix("CategoryShare", in.CategoryShare, n, len(in.Categories), false); err != nil {
			return err
		}
	}
	for i, c := range in.RFMGrid {
		if c.Segment < 0 || c.Segment >= n || c.R < 1 || c.R > 5 || c.F < 1 || c.F > 5 || c.Users < 1 || !finite(c.Monetary) {
			return fieldErr(fmt.Sprintf("RFMGrid[%d]", i), "cell %+v is not a segment's cell with scores 1..5, users and a finite spend", c)
		}
	}
	if in.RFM != nil && len(in.RFM) != n {
		return fieldErr("RFM", "%d summaries for %d segments", len(in.RFM), n)
	}
	for i, b := range in.RFM {
		for _, f := range []struct {
			name string
			v    FiveNum
		}{{"Recency", b.Recency}, {"Frequency", b.Frequency}, {"Monetary", b.Monetary}} {
			v := f.v
			if !(v.Min <= v.Q1 && v.Q1 <= v.Median && v.Median <= v.Q3 && v.Q3 <= v.Max) {
				return fieldErr(fmt.Sprintf("RFM[%d].%s", i, f.name), "summary %+v is not ordered", v)
			}
		}
	}
	for i, p := range in.KCurve {
		if p.K < 1 || !finite(p.Inertia) {
			return fieldErr(fmt.Sprintf("KCurve[%d]", i), "bad point %+v", p)
		}
	}
	for i, p := range in.Projection {
		if p.Segment < 0 || p.Segment >= n {
			return fieldErr(fmt.Sprintf("Projection[%d].Segment", i), "segment %d out of range [0, %d)", p.Segment, n)
		}
		if !finite(p.X) || !finite(p.Y) {
			return fieldErr(fmt.Sprintf("Projection[%d]", i), "coordinate is not finite")
		}
	}
	if err := in.Dendrogram.validate(n); err != nil {
		return err
	}
	if in.KDistance != nil {
		if len(in.KDistance) == 0 {
			return fieldErr("KDistance", "empty curve")
		}
		for i, d := range in.KDistance {
			if !finite(d) || d < 0 {
				return fieldErr(fmt.Sprintf("KDistance[%d]", i), "distance %v is not a finite number ≥ 0", d)
			}
			if i > 0 && d < in.KDistance[i-1] {
				return fieldErr(fmt.Sprintf("KDistance[%d]", i), "curve is not sorted ascending")
			}
		}
		if in.MinSamples < 1 {
			return fieldErr("MinSamples", "%d, want at least 1 with a k-distance curve", in.MinSamples)
		}
	}
	if !finite(in.Eps) || in.Eps < 0 {
		return fieldErr("Eps", "%v is not a finite number ≥ 0", in.Eps)
	}
	if in.SilhouetteBySegment != nil && len(in.SilhouetteBySegment) != n {
		return fieldErr("SilhouetteBySegment", "%d values for %d segments", len(in.SilhouetteBySegment), n)
	}
	for i, v := range in.SilhouetteBySegment {
		if !math.IsNaN(v) && !(v >= -1 && v <= 1) {
			return fieldErr(fmt.Sprintf("SilhouetteBySegment[%d]", i), "%v is not in [−1, 1]", v)
		}
	}
	for i, a := range in.NumericAttributes {
		field := fmt.Sprintf("NumericAttributes[%d]", i)
		if a.Name == "" {
			return fieldErr(field, "needs a name")
		}
		if len(a.Boxes) != n {
			return fieldErr(field+".Boxes", "%d summaries for %d segments", len(a.Boxes), n)
		}
		for j, b := range a.Boxes {
			if !(b.Min <= b.Q1 && b.Q1 <= b.Median && b.Median <= b.Q3 && b.Q3 <= b.Max) || !finite(b.Min) || !finite(b.Max) {
				return fieldErr(fmt.Sprintf("%s.Boxes[%d]", field, j), "summary %+v is not ordered and finite", b)
			}
		}
	}
	if err := in.Value.validate(n); err != nil {
		return err
	}
	if in.Ages != nil && len(in.Ages) != n {
		return fieldErr("Ages", "%d age lists for %d segments", len(in.Ages), n)
	}
	for i, ages := range in.Ages {
		for j, a := range ages {
			if a < 0 || a > maxAge {
				return fieldErr(fmt.Sprintf("Ages[%d][%d]", i, j), "age %d is not in [0, %d]", a, maxAge)
			}
		}
	}
	return nil
}

// validate checks the tree against n segments; nil is valid (no tree).
func (d *DendrogramData) validate(n int) error {
	if d == nil {
		return nil
	}
	nl := len(d.Leaves)
	if nl == 0 {
		return fieldErr("Dendrogram.Leaves", "no leaves")
	}
	if len(d.Merges) != nl-1 {
		return fieldErr("Dendrogram.Merges", "%d merges for %d leaves, want %d", len(d.Merges), nl, nl-1)
	}
	for i, l := range d.Leaves {
		if l.Size < 1 {
			return fieldErr(fmt.Sprintf("Dendrogram.Leaves[%d].Size", i), "size %d, want at least 1", l.Size)
		}
		if l.Segment < -1 || l.Segment >= n {
			return fieldErr(fmt.Sprintf("Dendrogram.Leaves[%d].Segment", i), "segment %d out of range [−1, %d)", l.Segment, n)
		}
	}
	used := make([]bool, 2*nl-1)
	for i, m := range d.Merges {
		for _, c := range []int{m.A, m.B} {
			if c < 0 || c >= nl+i || used[c] {
				return fieldErr(fmt.Sprintf("Dendrogram.Merges[%d]", i), "node %d is out of range [0, %d) or joined twice", c, nl+i)
			}
			used[c] = true
		}
		if !finite(m.Height) || m.Height < 0 {
			return fieldErr(fmt.Sprintf("Dendrogram.Merges[%d].Height", i), "%v is not a finite number ≥ 0", m.Height)
		}
	}
	if !finite(d.CutHeight) || d.CutHeight < 0 {
		return fieldErr("Dendrogram.CutHeight", "%v is not a finite number ≥ 0", d.CutHeight)
	}
	return nil
}

// maxAge bounds plausible ages; anything beyond is a data error (such as
// a NaN converted to int).
const maxAge = 150

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func checkVector(field string, v []float64, n int) error {
	if v == nil {
		return nil
	}
	if len(v) != n {
		return fieldErr(field, "%d values for %d segments", len(v), n)
	}
	for i, x := range v {
		if !finite(x) {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "value %v is not finite", x)
		}
	}
	return nil
}

// checkMatrix checks an [n][cols] matrix; nil is allowed (optional). NaN
// cells are allowed when nanOK.
func checkMatrix(field string, m [][]float64, n, cols int, nanOK bool) error {
	if m == nil {
		return nil
	}
	if len(m) != n {
		return fieldErr(field, "%d rows for %d segments", len(m), n)
	}
	for i, row := range m {
		if len(row) != cols {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "%d values, want %d", len(row), cols)
		}
		for j, x := range row {
			if math.IsInf(x, 0) || (!nanOK && math.IsNaN(x)) {
				return fieldErr(fmt.Sprintf("%s[%d][%d]", field, i, j), "value %v is not finite", x)
			}
		}
	}
	return nil
}

// label is the human label of feature name in this report: Labels', else
// features.Label with the run's description of it.
func (in *Input) label(name string) string {
	if l, ok := in.Labels[name]; ok && l != "" {
		return l
	}
	return features.Label(name, in.Glossary[name])
}

// labels maps label over names.
func (in *Input) labels(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = in.label(n)
	}
	return out
}
