package profile

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Version is the version of the profiles.json schema written by this
// package (see docs/profiles.md). Version 2 added the demographic,
// psychographic and behavioural sections, the medoid, RFM scores and the
// RFM cross-table.
const Version = 2

// Unsegmented is the segment id of users that fit no segment (DBSCAN noise).
const Unsegmented = -1

// Input is what Build profiles: the raw (unscaled) feature table and one
// segment label per user.
type Input struct {
	UserIDs []string
	Names   []string   // feature names, one per column of X
	X       *mat.Dense // raw features, len(UserIDs) x len(Names)
	Labels  []int      // segment per user; Unsegmented for noise
	// Distance, when set, is each user's distance to its segment centre in
	// the clustering space; it picks the representative users.
	Distance []float64
	// Space, when set, is the clustering space (one row per user); the
	// medoid is then searched in it (see Segment.Medoid).
	Space *mat.Dense
	// Keep, when set, gives the names segments keep from a previous run,
	// by segment id (see StableIDs).
	Keep map[int]string
}

// Report holds every segment's profile and the base statistics.
type Report struct {
	Version  int        `json:"version"`
	Users    int        `json:"users"`
	Base     []BaseStat `json:"base"`
	Segments []Segment  `json:"segments"`
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
}

// Segment is one segment's profile.
type Segment struct {
	ID       int           `json:"id"`
	Name     string        `json:"name"`
	Standing string        `json:"standing"`
	Size     int           `json:"size"`
	Share    float64       `json:"share"`
	Features []FeatureStat `json:"features"`
	Top      []Trait       `json:"top_traits"`
	Actions  []Action      `json:"actions"`
	// Medoid is the member with the smallest total distance to the other
	// members, searched among the 50 members nearest the centre when the
	// clustering space is given, else the member nearest the centre.
	Medoid string `json:"medoid"`
	// Examples are the members nearest the centre (the medoid excluded).
	Examples      []string       `json:"representative_users"`
	Summary       string         `json:"summary"`
	Demographics  Demographics   `json:"demographics"`
	Psychographic Psychographic  `json:"psychographic"`
	Behaviour     Behaviour      `json:"behaviour"`
	traits        map[string]int // feature name -> index into Features
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
	// D is Cohen's d of the segment against the rest of the base, with the
	// pooled standard deviation.
	D float64 `json:"cohens_d"`
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

	col := make([]float64, n)
	base := make([]BaseStat, d)
	sum := make([]float64, d)
	sumsq := make([]float64, d)
	for j := 0; j < d; j++ {
		mat.Col(col, j, in.X)
		var s, ss float64
		for _, v := range col {
			s += v
		}
		mean := s / float64(n)
		for _, v := range col {
			ss += (v - mean) * (v - mean)
		}
		sum[j], sumsq[j] = s, ss
		base[j] = BaseStat{Feature: in.Names[j], Mean: mean, Std: math.Sqrt(ss / float64(n)), Median: Quantile(sorted(col), 0.5)}
	}

	rep := &Report{Version: Version, Users: n, Base: base}
	buf := make([]float64, 0, n)
	for _, id := range ids {
		rows := members[id]
		seg := Segment{ID: id, Size: len(rows), Share: float64(len(rows)) / float64(n), traits: map[string]int{}}
		for j := 0; j < d; j++ {
			buf = buf[:0]
			var s float64
			for _, i := range rows {
				v := in.X.At(i, j)
				buf = append(buf, v)
				s += v
			}
			m := s / float64(len(rows))
			var ss float64
			for _, v := range buf {
				ss += (v - m) * (v - m)
			}
			sort.Float64s(buf)
			fs := FeatureStat{Feature: in.Names[j], Mean: m, Median: Quantile(buf, 0.5), Q1: Quantile(buf, 0.25), Q3: Quantile(buf, 0.75), Lift: 1}
			if base[j].Std > 0 {
				fs.Z = (m - base[j].Mean) / base[j].Std
			}
			if base[j].Mean != 0 {
				fs.Lift = m / base[j].Mean
			}
			fs.D = cohensD(m, ss, len(rows), sum[j]-s, restSS(sumsq[j], sum[j], n, s, ss, len(rows)), n-len(rows))
			seg.traits[fs.Feature] = len(seg.Features)
			seg.Features = append(seg.Features, fs)
		}
		seg.Medoid, seg.Examples = representatives(rows, in.UserIDs, in.Distance, in.Space, 5)
		rep.Segments = append(rep.Segments, seg)
	}
	for i := range rep.Segments {
		rep.Segments[i].Top = topTraits(rep.Segments[i].Features, 8)
	}
	nameSegments(rep.Segments, in.Keep)
	addSections(rep, in, members)
	return rep, nil
}

// addSections fills every segment's demographic, psychographic and
// behavioural sections and the RFM cross-table.
func addSections(rep *Report, in Input, members map[int][]int) {
	c := &sectioner{base: map[string]BaseStat{}, col: map[string]int{}, names: in.Names}
	for j, b := range rep.Base {
		c.base[b.Feature] = b
		c.col[b.Feature] = j
	}
	n := len(in.UserIDs)
	column := func(name string) []float64 {
		j, ok := c.col[name]
		if !ok {
			return nil
		}
		return mat.Col(nil, j, in.X)
	}
	age := column("age")
	var baseBands []float64
	if age != nil {
		baseBands = make([]float64, len(ageBandEdges)-1)
		for _, a := range age {
			baseBands[ageBand(a)] += 1 / float64(n)
		}
	}
	var scores []RFMScore
	if r, f, m := column("recency_days"), column("frequency"), column("monetary"); r != nil && f != nil && m != nil {
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

// restSS returns the sum of squared deviations of the rest of the base
// (everyone outside the segment) around its own mean, from the totals.
func restSS(totalSS, totalSum float64, n int, segSum, segSS float64, segN int) float64 {
	restN := n - segN
	if restN <= 0 {
		return 0
	}
	mean := totalSum / float64(n)
	segMean := segSum / float64(segN)
	restMean := (totalSum - segSum) / float64(restN)
	// totalSS = segSS + segN (segMean − mean)² + restSS + restN (restMean − mean)²
	ss := totalSS - segSS - float64(segN)*(segMean-mean)*(segMean-mean) - float64(restN)*(restMean-mean)*(restMean-mean)
	return math.Max(ss, 0)
}

// cohensD is (m1 − m2) / pooled sd with the usual (n−1) weights.
func cohensD(m1, ss1 float64, n1 int, sum2, ss2 float64, n2 int) float64 {
	if n2 == 0 || n1+n2 <= 2 {
		return 0
	}
	m2 := sum2 / float64(n2)
	pooled := math.Sqrt((ss1 + ss2) / float64(n1+n2-2))
	if pooled == 0 {
		return 0
	}
	return (m1 - m2) / pooled
}

// topTraits returns the k features with the largest |Cohen's d|, both
// directions, ties broken by feature order.
func topTraits(fs []FeatureStat, k int) []Trait {
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
		out = append(out, Trait{Feature: fs[i].Feature, D: fs[i].D, Z: fs[i].Z, Text: describe(fs[i].Feature, fs[i].D > 0)})
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
			if f.Feature == name {
				return f, true
			}
		}
		return FeatureStat{}, false
	}
	i, ok := s.traits[name]
	if !ok {
		return FeatureStat{}, false
	}
	return s.Features[i], true
}
