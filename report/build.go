package report

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/kselect"
	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/prep"
	segprof "github.com/persona-seg/persona/profile"
)

// Sources is what Build makes a report's Input from: a run's users, the
// clustering that segmented them, their profiles and their activity.
type Sources struct {
	Title string
	// Table is the feature table (raw values, one row per user); AsOf,
	// the RFM boxes and the ages come from it.
	Table *features.Table
	// Space is what the users were clustered in (scaled features, maybe
	// reduced), one row per user of Table.
	Space *mat.Dense
	// Labels holds each user's segment id (Profiles' ids; -1 for users no
	// segment fits).
	Labels []int
	// Profiles are the segments' profiles, in display order.
	Profiles *segprof.Report
	// Columns describe Table's columns as the profiles read them (their
	// kinds, attributes and labels); the numeric attributes' box plots
	// come from them. Nil leaves those out.
	Columns []segprof.Column
	// Behaviour is the activity of each segment (groups are segment ids),
	// from features.ComputeBehaviour.
	Behaviour *features.Behaviour
	// Run says how the segments were made.
	Run Run
	// Dendrogram is the tree of a hierarchical clustering, DBSCAN the
	// result of DBSCAN; nil for other algorithms.
	Dendrogram *cluster.Dendrogram
	DBSCAN     *cluster.DBSCANResult
	// Value is the customer-value step's figures; nil leaves its section
	// out.
	Value *ValueSource
}

// Run describes how a run made its segments, for the report's diagnostics
// and its "how this was made" table.
type Run struct {
	// Rows is the number of rows read per dataset (users, events,
	// transactions, social).
	Rows map[string]int64
	// Features is the number of features computed, FeaturesUsed the number
	// clustering used.
	Features, FeaturesUsed int
	// Algorithm is the algorithm that ran, with its parameters: NInit
	// restarts and Seed (k-means), Linkage (hierarchical), Eps, MinSamples
	// and the Noise users left out (DBSCAN).
	Algorithm cluster.Algorithm
	// AlgorithmReason describes a k-medoids or k-prototypes clustering,
	// or why k-means was chosen for mixed data; "" when there is nothing
	// to say.
	AlgorithmReason string
	NInit           int
	Seed            uint64
	Linkage         cluster.LinkageMethod
	Eps             float64
	MinSamples      int
	Noise           int
	// K is the number of segments; KRule says how it was chosen, among
	// KMin..KMax unless FixedK; KElbow is the elbow of the inertia curve
	// (0: none); KSelection scores every k tried.
	K           int
	KRule       string
	KMin, KMax  int
	FixedK      bool
	KElbow      int
	KSelection  []kselect.Score
	Silhouette  float64
	Calinski    float64
	DaviesBould float64
}

// maxProjected caps the points drawn in the 2-D projection.
const maxProjected = 3000

// heatFeatures is how many of the most distinctive features the z-score
// heatmap shows.
const heatFeatures = 24

// Build shapes src into the Input of a report: segments in the profiles'
// order (Input's indexes are display positions), the heatmap of the most
// distinctive features, activity shares per segment, diagnostics and the
// method table. Samples (projection, silhouettes) are seeded by
// src.Run.Seed, so the same sources give the same Input.
func Build(ctx context.Context, src Sources) (Input, error) {
	tab, prof, run := src.Table, src.Profiles, src.Run
	if tab == nil || prof == nil || src.Space == nil || len(src.Labels) != len(tab.UserIDs) {
		return Input{}, fmt.Errorf("report: sources need a table, a space, profiles and one label per user")
	}
	in := Input{
		Title:    src.Title,
		Subtitle: fmt.Sprintf("%d users, %d features, %d segments", len(tab.UserIDs), run.Features, run.K),
		ChosenK:  run.K,
	}
	if !tab.AsOf.IsZero() {
		in.Subtitle += ", as of " + tab.AsOf.Format("2006-01-02")
	}
	segIndex := map[int]int{} // segment id -> display position
	pairs := twoLevelAttributes(tab, src.Columns)
	for i, s := range prof.Segments {
		segIndex[s.ID] = i
		seg := Segment{ID: s.ID, Name: s.Name, Size: s.Size, Share: s.Share, Description: s.Summary}
		seg.Traits = traits(s.Top, pairs)
		for _, a := range s.Actions {
			seg.Actions = append(seg.Actions, a.Area+": "+a.Text)
		}
		seg.Profile = profileLines(&s, prof.Facts)
		in.Segments = append(in.Segments, seg)
	}

	// Heatmap: the features with the largest |z| in any segment.
	in.HeatFeatures, in.HeatZ = heatmap(prof, heatFeatures)
	in.HeatMean = heatMeans(prof, in.HeatFeatures)

	k := len(prof.Segments)
	if t := prof.RFM; t != nil {
		in.RFMGroups = rfmGroups(t, segIndex, k)
	}
	in.Glossary = make(map[string]string, len(tab.Features))
	for _, f := range tab.Features {
		in.Glossary[f.Name] = f.Description
	}
	in.Labels = attributeLabels(tab, src.Columns)
	if b := src.Behaviour; b != nil {
		if b.FromOrders {
			in.ActivityMeasure = "orders"
		}
		in.HourShare, in.WeekdayShare = make([][]float64, k), make([][]float64, k)
		for p := range k {
			in.HourShare[p], in.WeekdayShare[p] = make([]float64, 24), make([]float64, 7)
		}
		cats := map[string]bool{}
		for id, a := range b.Groups {
			p, ok := segIndex[id]
			if !ok {
				continue
			}
			copy(in.HourShare[p], a.Hour[:])
			copy(in.WeekdayShare[p], a.Weekday[:])
			for c := range a.Category {
				cats[c] = true
			}
		}
		normaliseRows(in.HourShare)
		normaliseRows(in.WeekdayShare)
		// Categories by name, so the output does not depend on row order.
		for c := range cats {
			in.Categories = append(in.Categories, c)
		}
		sort.Strings(in.Categories)
		if len(in.Categories) > 0 {
			in.CategoryShare = make([][]float64, k)
			for p := range in.CategoryShare {
				in.CategoryShare[p] = make([]float64, len(in.Categories))
			}
			for id, a := range b.Groups {
				if p, ok := segIndex[id]; ok {
					for c, name := range in.Categories {
						in.CategoryShare[p][c] = a.Category[name]
					}
				}
			}
			normaliseRows(in.CategoryShare)
			// Shares of the net spend of purchase lines, or without
			// any, of the events that name a category.
			in.CategoryMeasure = "spend"
			if b.CategoryFromEvents {
				in.CategoryMeasure = "events"
			}
		}
		if b.HasRevenue {
			in.RevenueBySegment = make([]float64, k)
			for id, a := range b.Groups {
				if p, ok := segIndex[id]; ok {
					in.RevenueBySegment[p] = a.Revenue
				}
			}
		}
	}

	for _, s := range run.KSelection {
		in.KCurve = append(in.KCurve, KPoint{K: s.K, Inertia: s.Inertia, Silhouette: s.Silhouette, Stability: s.Stability, PredictionStrength: s.PredictionStrength})
	}
	if src.Dendrogram != nil {
		in.Dendrogram = dendrogram(src.Dendrogram, run.K, src.Labels, segIndex)
	}
	z := src.Space
	if res := src.DBSCAN; res != nil {
		in.KDistance, in.Eps, in.MinSamples = res.KDistances, res.Eps, res.MinSamples
		if in.KDistance == nil { // eps was given: compute the curve it sits on
			n, _ := z.Dims()
			sample := cluster.DBSCANAutoSample
			if sample >= n {
				sample = 0
			}
			kd, err := cluster.KDistance(ctx, z, min(res.MinSamples, n), cluster.KDistanceOptions{Metric: res.Metric, Sample: sample})
			if err != nil {
				return in, fmt.Errorf("k-distance curve: %w", err)
			}
			in.KDistance = kd.Distances
		}
	}
	var err error
	if in.SilhouetteBySegment, err = silhouetteBySegment(ctx, z, src.Labels, segIndex, k, run.Seed); err != nil {
		return in, fmt.Errorf("silhouette by segment: %w", err)
	}
	if in.Projection, in.ProjectionAxes, err = project(z, src.Labels, tab.UserIDs, segIndex, run.Seed); err != nil {
		return in, fmt.Errorf("projection: %w", err)
	}
	if run.Rows["transactions"] > 0 {
		in.RFM = rfmBoxes(tab, src.Labels, segIndex, k)
		if in.RFMGrid, err = rfmGrid(tab, src.Labels, segIndex, k); err != nil {
			return in, fmt.Errorf("rfm grid: %w", err)
		}
	}
	if src.Value != nil {
		if in.Value, err = valueSection(src.Value, src.Labels, segIndex, k); err != nil {
			return in, fmt.Errorf("customer value: %w", err)
		}
	}
	in.Demographics = demographicMix(prof)
	if src.Columns != nil {
		in.NumericAttributes = numericAttributes(tab, src.Columns, src.Labels, segIndex, k)
	}
	// Ages only come from a users dataset; without one the column is a fill-in.
	if j := tab.Col(features.Age); j >= 0 && run.Rows["users"] > 0 {
		in.Ages = make([][]int, k)
		for i := range tab.UserIDs {
			p := segIndex[src.Labels[i]]
			in.Ages[p] = append(in.Ages[p], int(tab.X.At(i, j)))
		}
	}
	in.Method = method(run, len(tab.UserIDs), tab.AsOf)
	return in, nil
}

func normaliseRows(m [][]float64) {
	for _, row := range m {
		var t float64
		for _, v := range row {
			t += v
		}
		if t > 0 {
			for j := range row {
				row[j] /= t
			}
		}
	}
}

// clustered returns the rows of z and their labels without the users no
// segment fits (label -1).
func clustered(z *mat.Dense, labels []int) (*mat.Dense, []int) {
	n, d := z.Dims()
	m := 0
	for _, l := range labels {
		if l >= 0 {
			m++
		}
	}
	if m == n {
		return z, labels
	}
	out := mat.NewDense(max(m, 1), d, nil)
	lab := make([]int, 0, m)
	for i := range n {
		if labels[i] >= 0 {
			out.SetRow(len(lab), z.RawRowView(i))
			lab = append(lab, labels[i])
		}
	}
	return out, lab
}

// method is the "how this was made" table.
func method(run Run, users int, asOf time.Time) []KeyValue {
	kv := func(k, v string) KeyValue { return KeyValue{Key: k, Value: v} }
	asOfText := "" // none: the data holds no time
	if !asOf.IsZero() {
		asOfText = asOf.Format(time.RFC3339)
	}
	out := []KeyValue{}
	for _, name := range []string{"users", "events", "transactions", "social"} {
		if n, ok := run.Rows[name]; ok {
			out = append(out, kv("rows read: "+name, strconv.FormatInt(n, 10)))
		}
	}
	out = append(out,
		kv("users profiled", strconv.Itoa(users)),
		kv("reference date (as_of)", asOfText),
		kv("features", fmt.Sprintf("%d computed, %d used for clustering after log1p of heavy-tailed ones, standard scaling and dropping constant or highly correlated ones", run.Features, run.FeaturesUsed)),
		algorithmRow(run),
		segmentsRow(run),
		kv("silhouette", fmt.Sprintf("%.3f", run.Silhouette)),
		kv("Calinski-Harabasz", fmt.Sprintf("%.1f", run.Calinski)),
		kv("Davies-Bouldin", fmt.Sprintf("%.3f", run.DaviesBould)),
	)
	if run.KElbow != 0 && run.KElbow != run.K {
		out = append(out, kv("note", fmt.Sprintf("the inertia elbow suggests k = %d; the rule chose k = %d", run.KElbow, run.K)))
	}
	return out
}

// algorithmRow describes the clustering algorithm and its parameters.
func algorithmRow(run Run) KeyValue {
	v := fmt.Sprintf("k-means (k-means++ initialisation, %d restarts, seed %d)", run.NInit, run.Seed)
	switch run.Algorithm {
	case cluster.AlgorithmHierarchical:
		v = fmt.Sprintf("hierarchical clustering (%s linkage, Euclidean)", run.Linkage)
	case cluster.AlgorithmDBSCAN:
		v = fmt.Sprintf("DBSCAN (eps %.4g, min_samples %d; %d users in no dense region are left unsegmented)", run.Eps, run.MinSamples, run.Noise)
	case cluster.AlgorithmKMedoids, cluster.AlgorithmKPrototypes:
		v = run.AlgorithmReason
	}
	if run.Algorithm == cluster.AlgorithmKMeans && run.AlgorithmReason != "" {
		v += "; " + run.AlgorithmReason
	}
	return KeyValue{Key: "algorithm", Value: v}
}

// segmentsRow says how the number of segments was chosen.
func segmentsRow(run Run) KeyValue {
	kmin, kmax := run.KMin, run.KMax
	if n := len(run.KSelection); n > 0 { // the range scored, extended or not
		kmin, kmax = run.KSelection[0].K, run.KSelection[n-1].K
	}
	v := fmt.Sprintf("k = %d (%s over k = %d..%d)", run.K, run.KRule, kmin, kmax)
	if run.Algorithm == cluster.AlgorithmDBSCAN || run.FixedK {
		v = fmt.Sprintf("k = %d (%s)", run.K, run.KRule)
	}
	return KeyValue{Key: "number of segments", Value: v}
}

// dendrogramLeaves is how many leaves the report's dendrogram shows (as
// SciPy's default p = 30), more when there are more segments.
const dendrogramLeaves = 30

// dendrogram truncates the tree to its last merges for the report and gives
// each leaf the display position of its users' segment (the cut into k
// segments never splits a leaf, since at least k leaves are kept).
func dendrogram(dg *cluster.Dendrogram, k int, labels []int, segIndex map[int]int) *DendrogramData {
	tr := dg.LastP(max(dendrogramLeaves, k))
	// One input row of every leaf of the full tree.
	row := make([]int, dg.Leaves)
	if dg.Assign == nil {
		for i := range row {
			row[i] = i
		}
	} else {
		for i := range row {
			row[i] = -1
		}
		for i, l := range dg.Assign {
			if row[l] < 0 {
				row[l] = i
			}
		}
	}
	out := &DendrogramData{Linkage: string(dg.Method), CutHeight: dg.CutHeight(max(k, 1))}
	for _, l := range tr.Leaves {
		id := l.ID
		for id >= dg.Leaves { // descend to a leaf of the full tree
			id = dg.Merges[id-dg.Leaves].A
		}
		seg := -1
		if r := row[id]; r >= 0 {
			seg = segIndex[labels[r]]
		}
		out.Leaves = append(out.Leaves, DendrogramLeaf{Size: l.Size, Segment: seg})
	}
	for _, m := range tr.Merges {
		out.Merges = append(out.Merges, DendrogramMerge{A: m.A, B: m.B, Height: m.Distance})
	}
	return out
}

// silhouetteSample caps the users whose silhouettes are averaged per
// segment; up to it every segmented user counts.
const silhouetteSample = 20_000

// silhouetteBySegment is the mean silhouette of each segment's users (the
// unsegmented group, which has none, gets NaN), indexed by display
// position. Above silhouetteSample segmented users it uses a seeded sample
// of them, and each silhouette is then measured within the sample. It
// returns nil when fewer than two segments have users.
func silhouetteBySegment(ctx context.Context, z *mat.Dense, labels []int, segIndex map[int]int, k int, seed uint64) ([]float64, error) {
	zc, lc := clustered(z, labels)
	m, d := zc.Dims()
	if len(lc) == 0 {
		return nil, nil
	}
	distinct := map[int]bool{}
	for _, l := range lc {
		distinct[l] = true
	}
	if len(distinct) < 2 || len(distinct) > m-1 {
		return nil, nil
	}
	if m > silhouetteSample {
		rng := rand.New(rand.NewPCG(seed, 0x5111))
		idx := rng.Perm(m)[:silhouetteSample]
		sort.Ints(idx)
		sub := mat.NewDense(len(idx), d, nil)
		sl := make([]int, len(idx))
		for i, r := range idx {
			sub.SetRow(i, zc.RawRowView(r))
			sl[i] = lc[r]
		}
		zc, lc = sub, sl
	}
	s, err := metrics.SilhouetteSamples(ctx, zc, lc, nil)
	if err != nil {
		return nil, err
	}
	sum := make([]float64, k)
	cnt := make([]int, k)
	for i, v := range s {
		p := segIndex[lc[i]]
		sum[p] += v
		cnt[p]++
	}
	out := make([]float64, k)
	for p := range out {
		out[p] = math.NaN()
		if cnt[p] > 0 {
			out[p] = sum[p] / float64(cnt[p])
		}
	}
	return out, nil
}

// heatMeans is each segment's mean of each of the heatmap's features (NaN
// where its profile lacks one); nil without features.
func heatMeans(prof *segprof.Report, names []string) [][]float64 {
	if len(names) == 0 {
		return nil
	}
	out := make([][]float64, len(prof.Segments))
	for s := range prof.Segments {
		out[s] = make([]float64, len(names))
		for j, f := range names {
			out[s][j] = math.NaN()
			if st, ok := prof.Segments[s].Feature(f); ok {
				out[s][j] = st.Mean
			}
		}
	}
	return out
}

func heatmap(prof *segprof.Report, m int) ([]string, [][]float64) {
	if len(prof.Segments) == 0 {
		return nil, nil
	}
	nf := len(prof.Segments[0].Features)
	score := make([]float64, nf)
	for _, s := range prof.Segments {
		for j, f := range s.Features {
			if a := abs(f.Z); a > score[j] {
				score[j] = a
			}
		}
	}
	idx := make([]int, nf)
	for i := range idx {
		idx[i] = i
	}
	sortStableBy(idx, func(a, b int) bool { return score[a] > score[b] })
	if len(idx) > m {
		idx = idx[:m]
	}
	names := make([]string, len(idx))
	zs := make([][]float64, len(prof.Segments))
	for i, j := range idx {
		names[i] = prof.Segments[0].Features[j].Feature
	}
	for s, seg := range prof.Segments {
		zs[s] = make([]float64, len(idx))
		for i, j := range idx {
			zs[s][i] = seg.Features[j].Z
		}
	}
	return names, zs
}

// project returns a 2-D PCA projection of a seeded sample of at most
// maxProjected rows of z (the PCA is fitted on the sample too).
func project(z *mat.Dense, labels []int, users []string, segIndex map[int]int, seed uint64) ([]Point2, [2]string, error) {
	var axes [2]string
	n, d := z.Dims()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n > maxProjected {
		rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:maxProjected]
		sort.Ints(idx)
	}
	sub := mat.NewDense(len(idx), d, nil)
	for i, r := range idx {
		sub.SetRow(i, z.RawRowView(r))
	}
	// One clustering dimension (a table of one attribute) has one
	// component: the map puts every user at y = 0.
	comps := min(2, d)
	p, err := prep.FitPCA(sub, prep.PCAConfig{Components: comps})
	if err != nil {
		return nil, axes, err
	}
	xy := mat.NewDense(len(idx), comps, nil)
	if err := p.Transform(xy, sub); err != nil {
		return nil, axes, err
	}
	out := make([]Point2, len(idx))
	for i, r := range idx {
		out[i] = Point2{X: xy.At(i, 0), Segment: segIndex[labels[r]], User: users[r]}
		if comps == 2 {
			out[i].Y = xy.At(i, 1)
		}
	}
	for j := range comps {
		axes[j] = fmt.Sprintf("PC %d (%.0f%% of variance)", j+1, 100*p.ExplainedVarianceRatio[j])
	}
	if comps < 2 {
		axes[1] = "no second dimension"
	}
	return out, axes, nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// sortStableBy sorts idx by less applied to its elements.
func sortStableBy(idx []int, less func(a, b int) bool) {
	sort.SliceStable(idx, func(i, j int) bool { return less(idx[i], idx[j]) })
}

// rfmGrid counts each segment's buyers per recency × frequency score.
func rfmGrid(tab *features.Table, labels []int, segIndex map[int]int, k int) ([]RFMCell, error) {
	r, f, m := tab.Col(features.RecencyDays), tab.Col(features.Frequency), tab.Col(features.Monetary)
	if r < 0 || f < 0 || m < 0 {
		return nil, nil
	}
	seg := make([]int, len(labels))
	for i, l := range labels {
		seg[i] = segIndex[l]
	}
	return RFMGrid(mat.Col(nil, r, tab.X), mat.Col(nil, f, tab.X), mat.Col(nil, m, tab.X), seg, k)
}

// rfmBoxes summarises each segment's recency (over its buyers), frequency
// and monetary value (the features of those names) as five numbers, with
// the profiles' quantile rule (segprof.Quantile).
func rfmBoxes(tab *features.Table, labels []int, segIndex map[int]int, k int) []RFMBox {
	cols := [3]int{tab.Col(features.RecencyDays), tab.Col(features.Frequency), tab.Col(features.Monetary)}
	for _, c := range cols {
		if c < 0 {
			return nil
		}
	}
	// Recency is over the segment's buyers (a positive frequency): users
	// who never bought have no recency and get the data window's length.
	// A segment without buyers has no recency box.
	vals := make([][3][]float64, k)
	for i, l := range labels {
		p := segIndex[l]
		for f, c := range cols {
			if f == 0 && tab.X.At(i, cols[1]) <= 0 {
				continue
			}
			vals[p][f] = append(vals[p][f], tab.X.At(i, c))
		}
	}
	five := func(v []float64) FiveNum {
		if len(v) == 0 {
			return FiveNum{}
		}
		sort.Float64s(v)
		q := func(p float64) float64 { return segprof.Quantile(v, p) }
		return FiveNum{Min: q(0), Q1: q(0.25), Median: q(0.5), Q3: q(0.75), Max: q(1)}
	}
	out := make([]RFMBox, k)
	for p := range out {
		out[p] = RFMBox{Recency: five(vals[p][0]), Frequency: five(vals[p][1]), Monetary: five(vals[p][2]), NoBuyers: len(vals[p][0]) == 0}
	}
	return out
}

// profileLines puts a segment's demographic and psychographic profile in
// a few lines of words: the values of each categorical field it leans to
// most (by lift, among those held by at least 5% of the segment), its age,
// its strongest interests, and its price and variety attitude; with
// transactions, the share of its users who bought beside the base's (b).
func profileLines(s *segprof.Segment, b segprof.BaseFacts) []string {
	var out []string
	if s.Facts.Buyers != nil {
		l := fmt.Sprintf("Buyers: %.0f%% of the segment bought (base %.0f%%)", 100**s.Facts.Buyers, 100*b.Buyers)
		if m := s.Facts.MedianOrders; m != nil && *s.Facts.Buyers > 0 {
			l += fmt.Sprintf("; median orders %s", reportNum(*m))
		}
		out = append(out, l+".")
	}
	if a := s.Demographics.Age; a != nil {
		out = append(out, fmt.Sprintf("Age: median %.0f, mean %.0f (base mean %.0f).", a.Median, a.Mean, a.Base))
	}
	for _, f := range s.Demographics.Fields {
		shares := append([]segprof.Share(nil), f.Shares...)
		sort.SliceStable(shares, func(i, j int) bool { return shares[i].Lift > shares[j].Lift })
		var parts []string
		for _, sh := range shares {
			if len(parts) == 2 {
				break
			}
			if sh.Share >= 0.05 && sh.Lift > 1.1 {
				parts = append(parts, fmt.Sprintf("%s %.0f%% (%.1f× the base)", sh.Value, 100*sh.Share, sh.Lift))
			}
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("%s: more often %s.", strings.ReplaceAll(f.Field, "_", " "), strings.Join(parts, ", ")))
		}
	}
	var ints []string
	for _, it := range s.Psychographic.Interests {
		if len(ints) == 4 {
			break
		}
		if it.Lift > 1.1 {
			ints = append(ints, fmt.Sprintf("%s (%s, %.1f×)", it.Name, it.Kind, it.Lift))
		}
	}
	if len(ints) > 0 {
		out = append(out, "Interests: "+strings.Join(ints, ", ")+".")
	}
	if p, st := s.Psychographic.Price, s.Psychographic.Style; p != "" || st != "" {
		out = append(out, "Attitude: "+strings.Trim(p+", "+st, ", ")+".")
	}
	for _, ms := range [][]segprof.Metric{s.Demographics.Attributes, s.Psychographic.Attributes, s.Behaviour.Attributes} {
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%s: mean %s, median %s (base mean %s).", m.Label, reportNum(m.Mean), reportNum(m.Median), reportNum(m.Base)))
		}
	}
	for _, fs := range [][]segprof.Categorical{s.Psychographic.Fields, s.Behaviour.Fields} {
		for _, f := range fs {
			shares := append([]segprof.Share(nil), f.Shares...)
			sort.SliceStable(shares, func(i, j int) bool { return shares[i].Share > shares[j].Share })
			var parts []string
			for _, sh := range shares[:min(3, len(shares))] {
				parts = append(parts, fmt.Sprintf("%s %.0f%% (base %.0f%%)", sh.Value, 100*sh.Share, 100*sh.Base))
			}
			out = append(out, fmt.Sprintf("%s: %s.", strings.ReplaceAll(f.Field, "_", " "), strings.Join(parts, ", ")))
		}
	}
	for _, o := range s.Outcomes {
		if o.Kind == segprof.OutcomeRate {
			out = append(out, fmt.Sprintf("Outcome %s: %.1f%% of %d users (%.2f× the base %.1f%%).", o.Name, 100*o.Value, o.Users, o.Lift, 100*o.Base))
		} else {
			out = append(out, fmt.Sprintf("Outcome %s: mean %s over %d users (%.2f× the base %s).", o.Name, reportNum(o.Value), o.Users, o.Lift, reportNum(o.Base)))
		}
	}
	if l := valueLine(s.Value); l != "" {
		out = append(out, l)
	}
	return out
}

// demographicMix is each segment's split over the values of the
// categorical demographic fields (country, channel, device, gender), from
// the profiles; fields without a users dataset are absent there.
func demographicMix(prof *segprof.Report) []Mix {
	if len(prof.Segments) == 0 {
		return nil
	}
	// The categorical fields of every section: the demographic ones and
	// the categorical attributes profiled as psychographic or behavioural.
	sections := []func(s *segprof.Segment) []segprof.Categorical{
		func(s *segprof.Segment) []segprof.Categorical { return s.Demographics.Fields },
		func(s *segprof.Segment) []segprof.Categorical { return s.Psychographic.Fields },
		func(s *segprof.Segment) []segprof.Categorical { return s.Behaviour.Fields },
	}
	var out []Mix
	for _, fields := range sections {
		for fi, f := range fields(&prof.Segments[0]) {
			m := Mix{Field: strings.ReplaceAll(f.Field, "_", " ")}
			for _, sh := range f.Shares {
				m.Values = append(m.Values, sh.Value)
			}
			if len(m.Values) == 0 {
				continue
			}
			for i := range prof.Segments {
				row := make([]float64, len(m.Values))
				if sf := fields(&prof.Segments[i]); fi < len(sf) && sf[fi].Field == f.Field {
					for v, sh := range sf[fi].Shares {
						if v < len(row) && sh.Value == m.Values[v] {
							row[v] = sh.Share
						}
					}
				}
				m.Share = append(m.Share, row)
			}
			if completeMix(&m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// minMixShare is the share of a segment a value must reach in some
// segment for its field to be charted: a missing-value flag of one user
// in 8,950 (cc-general's credit limit) draws bars of 0%.
const minMixShare = 0.01

// completeMix readies a field's mix for a stacked chart and reports
// whether it is worth one. A field no segment has 1% of is left out. A
// field of one value (a yes/no attribute, a missing-value flag) or of
// levels that do not cover every user gets the rest as a value of its
// own ("false", "no", "not X", else "none of these"), so that each bar
// adds up to 100% as its caption says. A field whose values add up past
// 100% (a list: a user may have several) is marked Several and its rows
// become shares of the values held, which a stacked bar can show.
func completeMix(m *Mix) bool {
	top, most, least := 0.0, 0.0, math.Inf(1)
	for _, row := range m.Share {
		var t float64
		for _, v := range row {
			t += v
			top = math.Max(top, v)
		}
		most, least = math.Max(most, t), math.Min(least, t)
	}
	if top < minMixShare {
		return false
	}
	const eps = 1e-9
	switch {
	case most > 1+eps:
		m.Several = true
		normaliseRows(m.Share)
	case least < 1-1e-6:
		rest := "none of these"
		if len(m.Values) == 1 {
			switch v := m.Values[0]; strings.ToLower(v) {
			case "true":
				rest = "false"
			case "yes":
				rest = "no"
			default:
				rest = "not " + v
			}
		}
		m.Values = append(m.Values, rest)
		for i, row := range m.Share {
			var t float64
			for _, v := range row {
				t += v
			}
			m.Share[i] = append(row, math.Max(0, 1-t))
		}
	}
	return true
}

// reportNum writes a number with the precision its size needs.
func reportNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// rfmGroups turns the profile's RFM cross-table into each segment's
// shares of the named groups.
func rfmGroups(t *segprof.RFMTable, segIndex map[int]int, k int) *Mix {
	m := &Mix{Field: "RFM group", Values: t.Groups, Share: make([][]float64, k)}
	for p := range m.Share {
		m.Share[p] = make([]float64, len(t.Groups))
	}
	for i, id := range t.Segments {
		p, ok := segIndex[id]
		if !ok {
			continue
		}
		total := 0
		for _, c := range t.Counts[i] {
			total += c
		}
		for j, c := range t.Counts[i] {
			if total > 0 {
				m.Share[p][j] = float64(c) / float64(total)
			}
		}
	}
	return m
}

// numericAttributes summarises each numeric, ordinal or date attribute of
// the run (its one column) per segment as five numbers, for the report's
// attribute box plots. An attribute that is never negative and whose
// largest value is more than five times its base's upper quartile is drawn
// on a log axis.
// traits are a segment's strongest traits for the report. Of a two-level
// attribute (pairs, from twoLevelAttributes) one level says the other
// (gender: female −0.3 is gender: male +0.3): the one above the base is
// kept, else the first.
func traits(top []segprof.Trait, pairs map[string]string) []Trait {
	keep := map[string]segprof.Trait{}
	for _, t := range top {
		if a, ok := pairs[t.Feature]; ok {
			if k, seen := keep[a]; !seen || (k.Z <= 0 && t.Z > 0) {
				keep[a] = t
			}
		}
	}
	var out []Trait
	for _, t := range top {
		if a, ok := pairs[t.Feature]; ok && keep[a].Feature != t.Feature {
			continue
		}
		out = append(out, Trait{Feature: t.Feature, Z: t.Z})
	}
	return out
}

// twoLevelAttributes maps each indicator column of a categorical
// attribute with exactly two level columns to its attribute.
func twoLevelAttributes(tab *features.Table, cols []segprof.Column) map[string]string {
	levels := map[string][]string{}
	for j, c := range cols {
		if c.Kind == segprof.KindCategorical && c.Attribute != "" && !c.Absent && j < len(tab.Features) {
			levels[c.Attribute] = append(levels[c.Attribute], tab.Features[j].Name)
		}
	}
	out := map[string]string{}
	for a, names := range levels {
		if len(names) == 2 {
			out[names[0]], out[names[1]] = a, a
		}
	}
	return out
}

// attributeLabels names the attributes' columns as the profiles name them
// ("spending score", not "spending score 1 100" from the column name;
// "plan: pro" for a level); nil without attributes.
func attributeLabels(tab *features.Table, cols []segprof.Column) map[string]string {
	var out map[string]string
	for j, c := range cols {
		if c.IsAttribute() && j < len(tab.Features) {
			if out == nil {
				out = map[string]string{}
			}
			out[tab.Features[j].Name] = c.Text(tab.Features[j].Name)
		}
	}
	return out
}

func numericAttributes(tab *features.Table, cols []segprof.Column, labels []int, segIndex map[int]int, k int) []NumericAttribute {
	var out []NumericAttribute
	for j, c := range cols {
		if c.Absent || (c.Kind != segprof.KindNumeric && c.Kind != segprof.KindOrdinal && c.Kind != segprof.KindDate) {
			continue
		}
		vals := make([][]float64, k)
		all := make([]float64, 0, len(labels))
		for i, l := range labels {
			v := tab.X.At(i, j)
			if math.IsNaN(v) {
				continue
			}
			vals[segIndex[l]] = append(vals[segIndex[l]], v)
			all = append(all, v)
		}
		if len(all) == 0 {
			continue
		}
		five := func(v []float64) FiveNum {
			if len(v) == 0 {
				return FiveNum{}
			}
			sort.Float64s(v)
			q := func(p float64) float64 { return segprof.Quantile(v, p) }
			return FiveNum{Min: q(0), Q1: q(0.25), Median: q(0.5), Q3: q(0.75), Max: q(1)}
		}
		base := five(all)
		name := c.Label
		if name == "" {
			name = strings.ReplaceAll(c.Attribute, "_", " ")
		}
		if c.Kind == segprof.KindDate {
			name += " (days ago)"
		}
		a := NumericAttribute{Name: name, Log: base.Min >= 0 && base.Max > 5*math.Max(base.Q3, 1e-12)}
		for p := range k {
			a.Boxes = append(a.Boxes, five(vals[p]))
		}
		out = append(out, a)
	}
	return out
}
