package profile

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/features"
)

// Version is the version of the profiles.json schema written by this
// package (see docs/profiles.md). Version 2 added the demographic,
// psychographic and behavioural sections, the medoid, RFM scores and the
// RFM cross-table; version 3 the facts, standing reasons, outcomes,
// attributes, constant features and the capped Cohen's d.
const Version = 3

// Unsegmented is the segment id of users that fit no segment (DBSCAN noise).
const Unsegmented = -1

// Input is what Build profiles: the raw (unscaled) feature table and one
// segment label per user.
type Input struct {
	UserIDs []string
	Names   []string   // feature names, one per column of X
	X       *mat.Dense // raw features, len(UserIDs) x len(Names)
	Labels  []int      // segment per user; Unsegmented for noise
	// Columns, when set, describes each column of X (one per name): an
	// attribute's kind, level, label and section, or that its dataset is
	// absent. Nil means every column is a catalogue feature that is there.
	Columns []Column
	// Outcomes are per-user columns that were not clustered (churned,
	// responded, revenue next quarter): they are reported per segment,
	// and a strong lift names the segment.
	Outcomes []Outcome
	// Distance, when set, is each user's distance to its segment centre in
	// the clustering space; it picks the representative users.
	Distance []float64
	// Space, when set, is the clustering space (one row per user); the
	// medoid is then searched in it (see Segment.Medoid).
	Space *mat.Dense
	// Keep, when set, gives by segment id what segments were called in a
	// previous run (see StableIDs): a segment keeps its name when its
	// standing and name labels still hold, else it is renamed.
	Keep map[int]Previous
	// Value, when set, carries each user's P(alive), expected purchases
	// and CLV (package value): per segment they are summarised, and the
	// "at risk" standing uses P(alive).
	Value *ValueInput
}

// Previous is a segment of a previous run, as Input.Keep gives it.
type Previous struct {
	Name string
	// Standing and Labels are the standing and the labels of the name;
	// when Labels is nil they are read from the name ("standing — label,
	// label"), the form every name of profiles.json version 2 had.
	Standing string
	Labels   []string
}

// Report holds every segment's profile and the base statistics.
type Report struct {
	Version int        `json:"version"`
	Users   int        `json:"users"`
	Base    []BaseStat `json:"base"`
	// Constant lists the features that are constant or nearly so in the
	// base (see FlatSpread) or whose dataset is absent: they appear in Base
	// but in no segment's statistics.
	Constant []string `json:"constant,omitempty"`
	// Facts are the base's facts the standings compare segments with.
	Facts    BaseFacts     `json:"facts"`
	Outcomes []OutcomeStat `json:"outcomes,omitempty"`
	Segments []Segment     `json:"segments"`
	// RFM is the cross-table of RFM groups against segments; nil when the
	// features have no recency_days, frequency and monetary columns.
	RFM *RFMTable `json:"rfm,omitempty"`
}

// BaseStat summarises one feature over the whole base.
type BaseStat struct {
	Feature string  `json:"feature"`
	Mean    float64 `json:"mean"`
	Std     float64 `json:"std"`
	Median  float64 `json:"median"`
	// Constant is set when the feature is constant or nearly so, or its
	// dataset is absent (see Report.Constant).
	Constant bool `json:"constant,omitempty"`
	// Users, for a feature counted among some users only (Column.Among:
	// recency_days among the buyers), is how many users the statistics
	// are over; 0 means all of them.
	Users int `json:"users,omitempty"`
}

// Segment is one segment's profile.
type Segment struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// Previous is the segment's name in the previous run into the same
	// folder when its id was carried over (Input.Keep): equal to Name when
	// the name was kept, else the name it had.
	Previous string `json:"previous_name,omitempty"`
	// Standing is the naming rule that matched (empty for data without
	// purchases or activity, such as a table of attributes), and Why the
	// numbers that made it match.
	Standing string `json:"standing,omitempty"`
	Why      string `json:"standing_reason,omitempty"`
	// Labels are the trait labels of the name, most distinctive first.
	Labels   []string      `json:"labels,omitempty"`
	Size     int           `json:"size"`
	Share    float64       `json:"share"`
	Facts    Facts         `json:"facts"`
	Outcomes []OutcomeStat `json:"outcomes,omitempty"`
	Features []FeatureStat `json:"features"`
	Top      []Trait       `json:"top_traits"`
	Actions  []Action      `json:"actions"`
	// Medoid is the member with the smallest total distance to the other
	// members, searched among the 50 members nearest the centre when the
	// clustering space is given, else the member nearest the centre.
	Medoid string `json:"medoid"`
	// Examples are the members nearest the centre (the medoid excluded).
	Examples      []string      `json:"representative_users"`
	Summary       string        `json:"summary"`
	Demographics  Demographics  `json:"demographics,omitzero"`
	Psychographic Psychographic `json:"psychographic,omitzero"`
	Behaviour     Behaviour     `json:"behaviour,omitzero"`
	// Value summarises the segment's customer value (Input.Value); nil
	// without it or without customers.
	Value  *SegmentValue  `json:"value,omitempty"`
	traits map[string]int // feature name -> index into Features
}

// FeatureStat compares one feature within a segment to the whole base.
type FeatureStat struct {
	Feature string  `json:"feature"`
	Mean    float64 `json:"mean"`
	Median  float64 `json:"median"`
	Q1      float64 `json:"q1"`
	Q3      float64 `json:"q3"`
	// Z is (segment mean − base mean) / base standard deviation.
	Z float64 `json:"z"`
	// Lift is segment mean / base mean (1 when the base mean is 0).
	Lift float64 `json:"lift"`
	// D is Cohen's d of the segment against the rest of the base: the
	// difference of the means over the pooled standard deviation, which is
	// taken to be at least DFloor times the base's; |D| is at most DCap.
	D float64 `json:"cohens_d"`
	// Users, for a feature counted among some users only (Column.Among),
	// is how many of the segment's users the statistics are over; nil
	// means all. With none the statistics are zero, Z and D 0 and Lift 1,
	// and Segment.Feature does not report the feature.
	Users *int `json:"users,omitempty"`
}

// Trait is one of a segment's most distinctive features.
type Trait struct {
	Feature string  `json:"feature"`
	D       float64 `json:"cohens_d"`
	Z       float64 `json:"z"`
	Text    string  `json:"text"`
}

// Action is a suggested action for one area of the business.
type Action struct {
	Area string `json:"area"` // marketing, service or recommendations
	Text string `json:"text"`
}

// Build profiles every segment of in. Segments are ordered by id, with the
// unsegmented group (if any) last.
func Build(in Input) (*Report, error) {
	n, d := in.X.Dims()
	switch {
	case n == 0:
		return nil, fmt.Errorf("profile: no users")
	case len(in.Names) != d:
		return nil, fmt.Errorf("profile: %d feature names for %d columns", len(in.Names), d)
	case len(in.Labels) != n:
		return nil, fmt.Errorf("profile: %d labels for %d users", len(in.Labels), n)
	case len(in.UserIDs) != n:
		return nil, fmt.Errorf("profile: %d user ids for %d users", len(in.UserIDs), n)
	case in.Distance != nil && len(in.Distance) != n:
		return nil, fmt.Errorf("profile: %d distances for %d users", len(in.Distance), n)
	case in.Columns != nil && len(in.Columns) != d:
		return nil, fmt.Errorf("profile: %d column descriptions for %d columns", len(in.Columns), d)
	case in.Value != nil && (len(in.Value.PAlive) != n || len(in.Value.ExpectedPurchases) != n || (in.Value.CLV != nil && len(in.Value.CLV) != n)):
		return nil, fmt.Errorf("profile: value columns of %d, %d, %d users for %d users", len(in.Value.PAlive), len(in.Value.ExpectedPurchases), len(in.Value.CLV), n)
	}
	if in.Space != nil {
		if r, _ := in.Space.Dims(); r != n {
			return nil, fmt.Errorf("profile: clustering space has %d rows for %d users", r, n)
		}
	}
	for j, name := range in.Names {
		for i := 0; i < n; i++ {
			if v := in.X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("profile: feature %q of user %q is not finite: %v", name, in.UserIDs[i], v)
			}
		}
	}
	if err := checkOutcomes(in.Outcomes, n); err != nil {
		return nil, err
	}
	members := map[int][]int{}
	for i, l := range in.Labels {
		members[l] = append(members[l], i)
	}
	ids := make([]int, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool {
		if (ids[a] == Unsegmented) != (ids[b] == Unsegmented) {
			return ids[b] == Unsegmented
		}
		return ids[a] < ids[b]
	})

	among, err := amongRows(in)
	if err != nil {
		return nil, err
	}
	col := make([]float64, n)
	base := make([]BaseStat, d)
	rep := &Report{Version: Version, Users: n, Base: base}
	var keep []int // the columns that vary, in order
	for j := 0; j < d; j++ {
		mat.Col(col, j, in.X)
		if among[j] != nil {
			col = col[:0]
			for i, ok := range among[j] {
				if ok {
					col = append(col, in.X.At(i, j))
				}
			}
		}
		var s, maxAbs float64
		for _, v := range col {
			s += v
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
		mean := s / float64(max(len(col), 1))
		var ss float64
		for _, v := range col {
			ss += (v - mean) * (v - mean)
		}
		std := math.Sqrt(ss / float64(max(len(col), 1)))
		base[j] = BaseStat{Feature: in.Names[j], Mean: mean, Std: std}
		if len(col) > 0 {
			base[j].Median = Quantile(sorted(col), 0.5)
		}
		if among[j] != nil {
			base[j].Users = len(col)
		}
		col = col[:n]
		if len(col) == 0 || among[j] != nil && base[j].Users < 2 || flat(std, maxAbs) || (in.Columns != nil && in.Columns[j].Absent) {
			base[j].Constant = true
			rep.Constant = append(rep.Constant, in.Names[j])
			continue
		}
		keep = append(keep, j)
	}

	// Per segment and column: size, mean and sum of squares about the
	// segment's own mean. The rest of the base's sum of squares is put
	// together from the other segments' (no subtraction, so no
	// cancellation when a column is nearly constant within segments).
	// A column counted among some users only (Column.Among) counts those
	// of each segment.
	type moments struct {
		n        int
		mean, ss float64
	}
	mom := make([][]moments, len(ids))
	buf := make([]float64, 0, n)
	stats := make([][]FeatureStat, len(ids))
	for g, id := range ids {
		rows := members[id]
		mom[g] = make([]moments, len(keep))
		for k, j := range keep {
			buf = buf[:0]
			var s float64
			for _, i := range rows {
				if among[j] != nil && !among[j][i] {
					continue
				}
				v := in.X.At(i, j)
				buf = append(buf, v)
				s += v
			}
			fs := FeatureStat{Feature: in.Names[j], Lift: 1}
			if among[j] != nil {
				fs.Users = new(len(buf))
			}
			if len(buf) == 0 {
				stats[g] = append(stats[g], fs)
				continue
			}
			m := s / float64(len(buf))
			var ss float64
			for _, v := range buf {
				ss += (v - m) * (v - m)
			}
			mom[g][k] = moments{len(buf), m, ss}
			sort.Float64s(buf)
			fs.Mean, fs.Median, fs.Q1, fs.Q3 = m, Quantile(buf, 0.5), Quantile(buf, 0.25), Quantile(buf, 0.75)
			fs.Z = (m - base[j].Mean) / base[j].Std
			if base[j].Mean != 0 {
				fs.Lift = m / base[j].Mean
			}
			stats[g] = append(stats[g], fs)
		}
	}
	for g := range ids {
		for k, j := range keep {
			n1 := mom[g][k].n
			var n2 int
			var sum2 float64
			for h := range ids {
				if h != g {
					n2 += mom[h][k].n
					sum2 += float64(mom[h][k].n) * mom[h][k].mean
				}
			}
			if n1 == 0 || n2 == 0 {
				continue
			}
			m2 := sum2 / float64(n2)
			var ss2 float64
			for h := range ids {
				if h != g {
					dm := mom[h][k].mean - m2
					ss2 += mom[h][k].ss + float64(mom[h][k].n)*dm*dm
				}
			}
			stats[g][k].D = cohensD(mom[g][k].mean, mom[g][k].ss, n1, m2, ss2, n2, base[j].Std)
		}
	}
	for g, id := range ids {
		rows := members[id]
		seg := Segment{ID: id, Size: len(rows), Share: float64(len(rows)) / float64(n), Features: stats[g], traits: map[string]int{}}
		for k, f := range seg.Features {
			seg.traits[f.Feature] = k
		}
		seg.Medoid, seg.Examples = representatives(rows, in.UserIDs, in.Distance, in.Space, 5)
		rep.Segments = append(rep.Segments, seg)
	}
	cols := columnsByName(in)
	for i := range rep.Segments {
		rep.Segments[i].Top = topTraits(rep.Segments[i].Features, 8, cols, baseMeans(rep.Base))
	}
	rep.Facts = baseFacts(in, rep.Base)
	for i := range rep.Segments {
		rep.Segments[i].Facts = segmentFacts(in, members[rep.Segments[i].ID], rep.Base)
	}
	rep.Outcomes, _ = outcomeStats(in.Outcomes, nil)
	for i := range rep.Segments {
		rep.Segments[i].Outcomes, _ = outcomeStats(in.Outcomes, members[rep.Segments[i].ID])
	}
	addValue(rep, in.Value, members)
	nameSegments(rep, in.Keep, cols)
	addSections(rep, in, members, cols)
	return rep, nil
}

// amongRows returns, per column counted among some users only
// (Column.Among), which users count: those whose Among column is not 0.
// Other columns get nil.
func amongRows(in Input) ([][]bool, error) {
	_, d := in.X.Dims()
	out := make([][]bool, d)
	if in.Columns == nil {
		return out, nil
	}
	for j, c := range in.Columns {
		if c.Among == "" {
			continue
		}
		a := slices.Index(in.Names, c.Among)
		if a < 0 || a == j {
			return nil, fmt.Errorf("profile: feature %q is counted among the users with %q, which is no other feature", in.Names[j], c.Among)
		}
		out[j] = make([]bool, len(in.UserIDs))
		for i := range out[j] {
			out[j][i] = in.X.At(i, a) != 0
		}
	}
	return out, nil
}

// columnsByName returns every column's description by feature name.
func columnsByName(in Input) map[string]Column {
	m := make(map[string]Column, len(in.Names))
	for j, name := range in.Names {
		if in.Columns != nil {
			m[name] = in.Columns[j]
		} else {
			m[name] = Column{}
		}
	}
	return m
}

// addSections fills every segment's demographic, psychographic and
// behavioural sections and the RFM cross-table.
func addSections(rep *Report, in Input, members map[int][]int, cols map[string]Column) {
	c := &sectioner{base: map[string]BaseStat{}, col: map[string]int{}, names: in.Names, cols: cols}
	for j, b := range rep.Base {
		c.base[b.Feature] = b
		if !b.Constant {
			c.col[b.Feature] = j
		}
	}
	n := len(in.UserIDs)
	column := func(name string) []float64 {
		j, ok := c.col[name]
		if !ok {
			return nil
		}
		return mat.Col(nil, j, in.X)
	}
	age := column(features.Age)
	var baseBands []float64
	if age != nil {
		baseBands = make([]float64, len(ageBandEdges)-1)
		for _, a := range age {
			baseBands[ageBand(a)] += 1 / float64(n)
		}
	}
	var scores []RFMScore
	if r, f, m := column(features.RecencyDays), column(features.Frequency), column(features.Monetary); r != nil && f != nil && m != nil {
		scores, _ = ScoreRFM(r, f, m) // the values were checked to be finite
		rep.RFM = &RFMTable{Groups: RFMGroups()}
	}
	for i := range rep.Segments {
		s := &rep.Segments[i]
		rows := members[s.ID]
		var ages []float64
		if age != nil {
			ages = make([]float64, len(rows))
			for k, r := range rows {
				ages[k] = age[r]
			}
		}
		s.Demographics = c.demographics(s, ages, baseBands)
		s.Psychographic = c.psychographic(s)
		s.Behaviour = c.behaviour(s)
		if scores != nil {
			counts := make([]int, len(rep.RFM.Groups))
			gi := map[string]int{}
			for k, g := range rep.RFM.Groups {
				gi[g] = k
			}
			sr := &SegmentRFM{}
			for _, r := range rows {
				sc := scores[r]
				counts[gi[sc.Group]]++
				if sc.R > 0 {
					sr.Buyers++
					sr.R += float64(sc.R)
					sr.F += float64(sc.F)
					sr.M += float64(sc.M)
				}
			}
			if sr.Buyers > 0 {
				sr.R /= float64(sr.Buyers)
				sr.F /= float64(sr.Buyers)
				sr.M /= float64(sr.Buyers)
			}
			best := 0
			for k, v := range counts {
				if v > counts[best] {
					best = k
				}
			}
			sr.Top = rep.RFM.Groups[best]
			s.Behaviour.Scores = sr
			rep.RFM.Segments = append(rep.RFM.Segments, s.ID)
			rep.RFM.Counts = append(rep.RFM.Counts, counts)
		}
	}
}

// DFloor and DCap bound Cohen's d: the pooled standard deviation is taken
// to be at least DFloor times the base's standard deviation, and |d| is
// reported as at most DCap. Without them a column that is nearly constant
// within the segment and the rest (a share that is 1 for all but a few
// users) divides by a rounding error: d = −37,406,339 was seen.
const (
	DFloor = 0.1
	DCap   = 10
)

// cohensD is (m1 − m2) / pooled sd with the usual (n−1) weights, the
// pooled sd floored at DFloor × baseStd and the result capped at ±DCap.
func cohensD(m1, ss1 float64, n1 int, m2, ss2 float64, n2 int, baseStd float64) float64 {
	if n2 == 0 || n1+n2 <= 2 {
		return 0
	}
	pooled := math.Max(math.Sqrt((ss1+ss2)/float64(n1+n2-2)), DFloor*baseStd)
	if pooled == 0 {
		return 0
	}
	return math.Max(-DCap, math.Min(DCap, (m1-m2)/pooled))
}

// topTraits returns the k features with the largest |Cohen's d|, both
// directions, ties broken by feature order.
func topTraits(fs []FeatureStat, k int, cols map[string]Column, means map[string]float64) []Trait {
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(fs[idx[a]].D) > math.Abs(fs[idx[b]].D) })
	var out []Trait
	for _, i := range idx {
		if len(out) == k || math.Abs(fs[i].D) < 0.2 {
			break
		}
		out = append(out, Trait{Feature: fs[i].Feature, D: fs[i].D, Z: fs[i].Z, Text: describe(fs[i].Feature, cols[fs[i].Feature], fs[i].D > 0, fs[i].Mean, means[fs[i].Feature])})
	}
	return out
}

// medoidCandidates is how many members nearest the centre are tried as
// the medoid.
const medoidCandidates = 50

// representatives returns the segment's medoid and the ids of up to k
// other members nearest its centre. Without distances the members are
// taken in input order; without the clustering space the medoid is the
// member nearest the centre.
func representatives(rows []int, ids []string, dist []float64, space *mat.Dense, k int) (string, []string) {
	r := append([]int(nil), rows...)
	if dist == nil && space != nil {
		dist = centreDistances(space, rows)
	}
	if dist != nil {
		sort.SliceStable(r, func(a, b int) bool { return dist[r[a]] < dist[r[b]] })
	}
	medoid := 0
	if space != nil && len(r) > 2 {
		best := math.Inf(1)
		for c := 0; c < min(medoidCandidates, len(r)); c++ {
			x := space.RawRowView(r[c])
			var total float64
			for _, o := range rows {
				total += euclid(x, space.RawRowView(o))
			}
			if total < best {
				medoid, best = c, total
			}
		}
	}
	var out []string
	for i, j := range r {
		if len(out) == k {
			break
		}
		if i != medoid {
			out = append(out, ids[j])
		}
	}
	return ids[r[medoid]], out
}

// centreDistances returns every user's distance to the mean of rows in
// space (only the entries of rows are set).
func centreDistances(space *mat.Dense, rows []int) []float64 {
	n, d := space.Dims()
	c := make([]float64, d)
	for _, i := range rows {
		for j, v := range space.RawRowView(i) {
			c[j] += v / float64(len(rows))
		}
	}
	out := make([]float64, n)
	for _, i := range rows {
		out[i] = euclid(c, space.RawRowView(i))
	}
	return out
}

func euclid(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("profile: vector length mismatch")
	}
	var s float64
	for i, v := range a {
		t := v - b[i]
		s += t * t
	}
	return math.Sqrt(s)
}

func sorted(v []float64) []float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of sorted data with numpy's
// default linear interpolation, 0 for no data. Profiles and the report's
// box plots use it, so both agree.
func Quantile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// Feature returns the segment's statistics for the named feature.
func (s *Segment) Feature(name string) (FeatureStat, bool) {
	if s.traits == nil {
		for _, f := range s.Features {
			if f.Feature == name && (f.Users == nil || *f.Users > 0) {
				return f, true
			}
		}
		return FeatureStat{}, false
	}
	i, ok := s.traits[name]
	if !ok || s.Features[i].Users != nil && *s.Features[i].Users == 0 {
		return FeatureStat{}, false
	}
	return s.Features[i], true
}
