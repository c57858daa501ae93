package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/report"
)

// maxProjected caps the points drawn in the 2-D projection.
const maxProjected = 3000

// heatFeatures is how many of the most distinctive features the z-score
// heatmap shows.
const heatFeatures = 24

func (r *run) reportInput(ctx context.Context, db *sql.DB, tab *features.Table, z *mat.Dense, seg *segmentation, prof *profile.Report, sum *Summary) (report.Input, error) {
	in := report.Input{
		Title:    r.opts.Title,
		Subtitle: fmt.Sprintf("%d users, %d features, %d segments", sum.Users, sum.Features, sum.K),
		ChosenK:  sum.K,
	}
	if !tab.AsOf.IsZero() {
		in.Subtitle += ", as of " + tab.AsOf.Format("2006-01-02")
	}
	segIndex := map[int]int{} // segment id -> display position
	for i, s := range prof.Segments {
		segIndex[s.ID] = i
		seg := report.Segment{ID: s.ID, Name: s.Name, Size: s.Size, Share: s.Share, Description: s.Summary}
		for _, t := range s.Top {
			seg.Traits = append(seg.Traits, report.Trait{Feature: t.Feature, Z: t.Z})
		}
		for _, a := range s.Actions {
			seg.Actions = append(seg.Actions, a.Area+": "+a.Text)
		}
		seg.Profile = profileLines(&s)
		in.Segments = append(in.Segments, seg)
	}

	// Heatmap: the features with the largest |z| in any segment.
	in.HeatFeatures, in.HeatZ = heatmap(prof, heatFeatures)

	// Behaviour by segment, from the raw data.
	userIdx := make(map[string]int, len(tab.UserIDs))
	for i, id := range tab.UserIDs {
		userIdx[id] = i
	}
	segOf := func(user string) (int, bool) {
		i, ok := userIdx[user]
		if !ok {
			return 0, false
		}
		return segIndex[seg.labels[i]], true
	}
	k := len(prof.Segments)
	if t := prof.RFM; t != nil {
		in.RFMGroups = rfmGroups(t, segIndex, k)
	}
	in.Glossary = make(map[string]string, len(tab.Features))
	for _, f := range tab.Features {
		in.Glossary[f.Name] = f.Description
	}
	var err error
	act, err := activitySource(ctx, db)
	if err != nil {
		return in, err
	}
	if act != "events" {
		in.ActivityMeasure = "orders"
	}
	if in.HourShare, err = shareBy(ctx, db, `SELECT user_id, hour(timestamp), count(*) FROM `+act+` GROUP BY ALL`, 24, k, segOf, func(v int) int { return v }); err != nil {
		return in, fmt.Errorf("activity by hour: %w", err)
	}
	if in.WeekdayShare, err = shareBy(ctx, db, `SELECT user_id, isodow(timestamp), count(*) FROM `+act+` GROUP BY ALL`, 7, k, segOf, func(v int) int { return v - 1 }); err != nil {
		return in, fmt.Errorf("activity by weekday: %w", err)
	}
	if in.Categories, in.CategoryShare, err = categoryMix(ctx, db, k, segOf); err != nil {
		return in, fmt.Errorf("category mix: %w", err)
	}
	if rev, err := revenue(ctx, db, k, segOf); err != nil {
		return in, fmt.Errorf("revenue by segment: %w", err)
	} else if rev != nil {
		in.RevenueBySegment = rev
	}

	for _, s := range sum.KSelection {
		in.KCurve = append(in.KCurve, report.KPoint{K: s.K, Inertia: s.Inertia, Silhouette: s.Silhouette, Stability: s.Stability, PredictionStrength: s.PredictionStrength})
	}
	if seg.dendro != nil {
		in.Dendrogram = dendrogram(seg.dendro, sum.K, seg.labels, segIndex)
	}
	if res := seg.dbscan; res != nil {
		in.KDistance, in.Eps, in.MinSamples = res.KDistances, res.Eps, res.MinSamples
		if in.KDistance == nil { // eps was given: compute the curve it sits on
			n, _ := z.Dims()
			kd, err := cluster.KDistance(ctx, z, min(res.MinSamples, n), cluster.KDistanceOptions{Metric: res.Metric, Sample: sampleSize(cluster.DBSCANAutoSample, n)})
			if err != nil {
				return in, fmt.Errorf("k-distance curve: %w", err)
			}
			in.KDistance = kd.Distances
		}
	}
	if in.SilhouetteBySegment, err = silhouetteBySegment(ctx, z, seg.labels, segIndex, len(prof.Segments), r.opts.Seed); err != nil {
		return in, fmt.Errorf("silhouette by segment: %w", err)
	}
	if in.Projection, in.ProjectionAxes, err = project(z, seg.labels, tab.UserIDs, segIndex, r.opts.Seed); err != nil {
		return in, fmt.Errorf("projection: %w", err)
	}
	if sum.Rows["transactions"] > 0 {
		in.RFM = rfmBoxes(tab, seg.labels, segIndex, k)
		if in.RFMGrid, err = rfmGrid(tab, seg.labels, segIndex, k); err != nil {
			return in, fmt.Errorf("rfm grid: %w", err)
		}
	}
	in.Demographics = demographicMix(prof)
	in.NumericAttributes = numericAttributes(tab, profileColumns(tab, sum.Rows), seg.labels, segIndex, k)
	// Ages only come from a users dataset; without one the column is a fill-in.
	if j := tab.Col("age"); j >= 0 && sum.Rows["users"] > 0 {
		in.Ages = make([][]int, k)
		for i := range tab.UserIDs {
			p := segIndex[seg.labels[i]]
			in.Ages[p] = append(in.Ages[p], int(tab.X.At(i, j)))
		}
	}
	in.Method = r.method(sum)
	return in, nil
}

// dendrogramLeaves is how many leaves the report's dendrogram shows (as
// SciPy's default p = 30), more when there are more segments.
const dendrogramLeaves = 30

// dendrogram truncates the tree to its last merges for the report and gives
// each leaf the display position of its users' segment (the cut into k
// segments never splits a leaf, since at least k leaves are kept).
func dendrogram(dg *cluster.Dendrogram, k int, labels []int, segIndex map[int]int) *report.DendrogramData {
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
	out := &report.DendrogramData{Linkage: dg.Method, CutHeight: dg.CutHeight(max(k, 1))}
	for _, l := range tr.Leaves {
		id := l.ID
		for id >= dg.Leaves { // descend to a leaf of the full tree
			id = dg.Merges[id-dg.Leaves].A
		}
		seg := -1
		if r := row[id]; r >= 0 {
			seg = segIndex[labels[r]]
		}
		out.Leaves = append(out.Leaves, report.DendrogramLeaf{Size: l.Size, Segment: seg})
	}
	for _, m := range tr.Merges {
		out.Merges = append(out.Merges, report.DendrogramMerge{A: m.A, B: m.B, Height: m.Distance})
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

func heatmap(prof *profile.Report, m int) ([]string, [][]float64) {
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

// activitySource is the relation the activity-by-time charts count:
// the events, or when there are none, the orders (one row per order at its
// first line's time).
func activitySource(ctx context.Context, db *sql.DB) (string, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil {
		return "", fmt.Errorf("count events: %w", err)
	}
	if n > 0 {
		return "events", nil
	}
	return "(SELECT user_id, order_id, min(timestamp) AS timestamp FROM transactions WHERE quantity > 0 GROUP BY ALL)", nil
}

// shareBy runs q, which returns (user_id, bucket, count) rows, and returns
// per segment the share of its count in each of nb buckets.
func shareBy(ctx context.Context, db *sql.DB, q string, nb, k int, seg func(string) (int, bool), bucket func(int) int) ([][]float64, error) {
	out := make([][]float64, k)
	for i := range out {
		out[i] = make([]float64, nb)
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			user string
			b    int
			n    float64
		)
		if err := rows.Scan(&user, &b, &n); err != nil {
			return nil, err
		}
		s, ok := seg(user)
		if !ok {
			continue
		}
		if bb := bucket(b); bb >= 0 && bb < nb {
			out[s][bb] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	normalise(out)
	return out, nil
}

func normalise(m [][]float64) {
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

// categoryMix is each segment's share of net spend per category, or of
// categorised events when there are no transactions.
func categoryMix(ctx context.Context, db *sql.DB, k int, seg func(string) (int, bool)) ([]string, [][]float64, error) {
	q := `SELECT user_id, category, fsum(quantity * unit_price * (1 - coalesce(discount, 0))) FROM transactions
	      WHERE quantity > 0 AND category IS NOT NULL AND category <> '' GROUP BY ALL`
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM transactions`).Scan(&n); err != nil {
		return nil, nil, err
	}
	if n == 0 {
		q = `SELECT user_id, category, count(*) FROM events WHERE category IS NOT NULL AND category <> '' GROUP BY ALL`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	idx := map[string]int{}
	var cats []string
	var acc [][]float64
	for i := 0; i < k; i++ {
		acc = append(acc, nil)
	}
	for rows.Next() {
		var (
			user, cat string
			v         float64
		)
		if err := rows.Scan(&user, &cat, &v); err != nil {
			return nil, nil, err
		}
		s, ok := seg(user)
		if !ok {
			continue
		}
		c, ok := idx[cat]
		if !ok {
			c = len(cats)
			idx[cat] = c
			cats = append(cats, cat)
		}
		for len(acc[s]) <= c {
			acc[s] = append(acc[s], 0)
		}
		acc[s][c] += v
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(cats) == 0 {
		return nil, nil, nil
	}
	// Order categories by name so the output does not depend on row order.
	order := make([]int, len(cats))
	for i := range order {
		order[i] = i
	}
	sortStableBy(order, func(a, b int) bool { return cats[a] < cats[b] })
	names := make([]string, len(cats))
	out := make([][]float64, k)
	for s := range out {
		out[s] = make([]float64, len(cats))
		for i, c := range order {
			if c < len(acc[s]) {
				out[s][i] = acc[s][c]
			}
		}
	}
	for i, c := range order {
		names[i] = cats[c]
	}
	normalise(out)
	return names, out, nil
}

func revenue(ctx context.Context, db *sql.DB, k int, seg func(string) (int, bool)) ([]float64, error) {
	rows, err := db.QueryContext(ctx, `SELECT user_id, fsum(quantity * unit_price * (1 - coalesce(discount, 0))) FROM transactions GROUP BY ALL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]float64, k)
	any := false
	for rows.Next() {
		var (
			user string
			v    float64
		)
		if err := rows.Scan(&user, &v); err != nil {
			return nil, err
		}
		if s, ok := seg(user); ok {
			out[s] += v
			any = true
		}
	}
	if !any {
		return nil, rows.Err()
	}
	return out, rows.Err()
}

// project returns a 2-D PCA projection of a seeded sample of at most
// maxProjected rows of z (the PCA is fitted on the sample too).
func project(z *mat.Dense, labels []int, users []string, segIndex map[int]int, seed uint64) ([]report.Point2, [2]string, error) {
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
	p, err := prep.FitPCA(sub, prep.PCAConfig{Components: 2})
	if err != nil {
		return nil, axes, err
	}
	xy := mat.NewDense(len(idx), 2, nil)
	if err := p.Transform(xy, sub); err != nil {
		return nil, axes, err
	}
	out := make([]report.Point2, len(idx))
	for i, r := range idx {
		out[i] = report.Point2{X: xy.At(i, 0), Y: xy.At(i, 1), Segment: segIndex[labels[r]], User: users[r]}
	}
	for j := range axes {
		axes[j] = fmt.Sprintf("PC %d (%.0f%% of variance)", j+1, 100*p.ExplainedVarianceRatio[j])
	}
	return out, axes, nil
}

func (r *run) method(sum *Summary) []report.KeyValue {
	kv := func(k, v string) report.KeyValue { return report.KeyValue{Key: k, Value: v} }
	out := []report.KeyValue{}
	for _, name := range []string{"users", "events", "transactions", "social"} {
		if n, ok := sum.Rows[name]; ok {
			out = append(out, kv("rows read: "+name, strconv.FormatInt(n, 10)))
		}
	}
	out = append(out,
		kv("users profiled", strconv.Itoa(sum.Users)),
		kv("reference date (as_of)", sum.AsOf),
		kv("features", fmt.Sprintf("%d computed, %d used for clustering after log1p of heavy-tailed ones, standard scaling and dropping constant or highly correlated ones", sum.Features, len(sum.FeaturesUsed))),
		r.algorithmRow(sum),
		r.segmentsRow(sum),
		kv("silhouette", fmt.Sprintf("%.3f", sum.Silhouette)),
		kv("Calinski-Harabasz", fmt.Sprintf("%.1f", sum.CalinskiHarabasz)),
		kv("Davies-Bouldin", fmt.Sprintf("%.3f", sum.DaviesBouldin)),
	)
	if sum.KElbow != 0 && sum.KElbow != sum.K {
		out = append(out, kv("note", fmt.Sprintf("the inertia elbow suggests k = %d; the rule chose k = %d", sum.KElbow, sum.K)))
	}
	return out
}

// algorithmRow describes the clustering algorithm and its parameters.
func (r *run) algorithmRow(sum *Summary) report.KeyValue {
	v := fmt.Sprintf("k-means (k-means++ initialisation, %d restarts, seed %d)", r.opts.NInit, r.opts.Seed)
	switch sum.Algorithm {
	case AlgorithmHierarchical:
		v = fmt.Sprintf("hierarchical clustering (%s linkage, Euclidean)", r.opts.Linkage)
	case AlgorithmDBSCAN:
		v = fmt.Sprintf("DBSCAN (eps %.4g, min_samples %d; %d users in no dense region are left unsegmented)", sum.Eps, r.opts.MinSamples, sum.Noise)
	case AlgorithmKMedoids, AlgorithmKPrototypes:
		v = sum.AlgorithmReason
	}
	if sum.Algorithm == AlgorithmKMeans && sum.AlgorithmReason != "" {
		v += "; " + sum.AlgorithmReason
	}
	return report.KeyValue{Key: "algorithm", Value: v}
}

// segmentsRow says how the number of segments was chosen.
func (r *run) segmentsRow(sum *Summary) report.KeyValue {
	kmin, kmax := r.opts.KMin, r.opts.KMax
	if n := len(sum.KSelection); n > 0 { // the range scored, extended or not
		kmin, kmax = sum.KSelection[0].K, sum.KSelection[n-1].K
	}
	v := fmt.Sprintf("k = %d (%s over k = %d..%d)", sum.K, sum.KRule, kmin, kmax)
	if sum.Algorithm == AlgorithmDBSCAN || r.opts.K > 0 {
		v = fmt.Sprintf("k = %d (%s)", sum.K, sum.KRule)
	}
	return report.KeyValue{Key: "number of segments", Value: v}
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

// rfmGroups turns the profile's RFM cross-table into each segment's
// shares of the named groups.
func rfmGroups(t *profile.RFMTable, segIndex map[int]int, k int) *report.Mix {
	m := &report.Mix{Field: "RFM group", Values: t.Groups, Share: make([][]float64, k)}
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

// rfmGrid counts each segment's buyers per recency × frequency score.
func rfmGrid(tab *features.Table, labels []int, segIndex map[int]int, k int) ([]report.RFMCell, error) {
	r, f, m := tab.Col("recency_days"), tab.Col("frequency"), tab.Col("monetary")
	if r < 0 || f < 0 || m < 0 {
		return nil, nil
	}
	seg := make([]int, len(labels))
	for i, l := range labels {
		seg[i] = segIndex[l]
	}
	return report.RFMGrid(mat.Col(nil, r, tab.X), mat.Col(nil, f, tab.X), mat.Col(nil, m, tab.X), seg, k)
}

// rfmBoxes summarises each segment's recency, frequency and monetary value
// (the features of those names) as five numbers, with the profiles'
// quantile rule (profile.Quantile).
func rfmBoxes(tab *features.Table, labels []int, segIndex map[int]int, k int) []report.RFMBox {
	cols := [3]int{tab.Col("recency_days"), tab.Col("frequency"), tab.Col("monetary")}
	for _, c := range cols {
		if c < 0 {
			return nil
		}
	}
	vals := make([][3][]float64, k)
	for i, l := range labels {
		p := segIndex[l]
		for f, c := range cols {
			vals[p][f] = append(vals[p][f], tab.X.At(i, c))
		}
	}
	five := func(v []float64) report.FiveNum {
		sort.Float64s(v)
		q := func(p float64) float64 { return profile.Quantile(v, p) }
		return report.FiveNum{Min: q(0), Q1: q(0.25), Median: q(0.5), Q3: q(0.75), Max: q(1)}
	}
	out := make([]report.RFMBox, k)
	for p := range out {
		out[p] = report.RFMBox{Recency: five(vals[p][0]), Frequency: five(vals[p][1]), Monetary: five(vals[p][2])}
	}
	return out
}

// profileLines puts a segment's demographic and psychographic profile in
// a few lines of words: the values of each categorical field it leans to
// most (by lift, among those held by at least 5% of the segment), its age,
// its strongest interests, and its price and variety attitude.
func profileLines(s *profile.Segment) []string {
	var out []string
	if a := s.Demographics.Age; a != nil {
		out = append(out, fmt.Sprintf("Age: median %.0f, mean %.0f (base mean %.0f).", a.Median, a.Mean, a.Base))
	}
	for _, f := range s.Demographics.Fields {
		shares := append([]profile.Share(nil), f.Shares...)
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
	for _, ms := range [][]profile.Metric{s.Demographics.Attributes, s.Psychographic.Attributes, s.Behaviour.Attributes} {
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%s: mean %s, median %s (base mean %s).", m.Label, reportNum(m.Mean), reportNum(m.Median), reportNum(m.Base)))
		}
	}
	for _, fs := range [][]profile.Categorical{s.Psychographic.Fields, s.Behaviour.Fields} {
		for _, f := range fs {
			shares := append([]profile.Share(nil), f.Shares...)
			sort.SliceStable(shares, func(i, j int) bool { return shares[i].Share > shares[j].Share })
			var parts []string
			for _, sh := range shares[:min(3, len(shares))] {
				parts = append(parts, fmt.Sprintf("%s %.0f%% (base %.0f%%)", sh.Value, 100*sh.Share, 100*sh.Base))
			}
			out = append(out, fmt.Sprintf("%s: %s.", strings.ReplaceAll(f.Field, "_", " "), strings.Join(parts, ", ")))
		}
	}
	for _, o := range s.Outcomes {
		if o.Kind == profile.OutcomeRate {
			out = append(out, fmt.Sprintf("Outcome %s: %.1f%% of %d users (%.2f× the base %.1f%%).", o.Name, 100*o.Value, o.Users, o.Lift, 100*o.Base))
		} else {
			out = append(out, fmt.Sprintf("Outcome %s: mean %s over %d users (%.2f× the base %s).", o.Name, reportNum(o.Value), o.Users, o.Lift, reportNum(o.Base)))
		}
	}
	return out
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

// numericAttributes summarises each numeric, ordinal or date attribute of
// the run (its one column) per segment as five numbers, for the report's
// attribute box plots. An attribute that is never negative and whose
// largest value is more than five times its base's upper quartile is drawn
// on a log axis.
func numericAttributes(tab *features.Table, cols []profile.Column, labels []int, segIndex map[int]int, k int) []report.NumericAttribute {
	var out []report.NumericAttribute
	for j, c := range cols {
		if c.Absent || (c.Kind != profile.KindNumeric && c.Kind != profile.KindOrdinal && c.Kind != profile.KindDate) {
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
		five := func(v []float64) report.FiveNum {
			if len(v) == 0 {
				return report.FiveNum{}
			}
			sort.Float64s(v)
			q := func(p float64) float64 { return profile.Quantile(v, p) }
			return report.FiveNum{Min: q(0), Q1: q(0.25), Median: q(0.5), Q3: q(0.75), Max: q(1)}
		}
		base := five(all)
		name := c.Label
		if name == "" {
			name = strings.ReplaceAll(c.Attribute, "_", " ")
		}
		if c.Kind == profile.KindDate {
			name += " (days ago)"
		}
		a := report.NumericAttribute{Name: name, Log: base.Min >= 0 && base.Max > 5*math.Max(base.Q3, 1e-12)}
		for p := range k {
			a.Boxes = append(a.Boxes, five(vals[p]))
		}
		out = append(out, a)
	}
	return out
}

// demographicMix is each segment's split over the values of the
// categorical demographic fields (country, channel, device, gender), from
// the profiles; fields without a users dataset are absent there.
func demographicMix(prof *profile.Report) []report.Mix {
	if len(prof.Segments) == 0 {
		return nil
	}
	// The categorical fields of every section: the demographic ones and
	// the categorical attributes profiled as psychographic or behavioural.
	sections := []func(s *profile.Segment) []profile.Categorical{
		func(s *profile.Segment) []profile.Categorical { return s.Demographics.Fields },
		func(s *profile.Segment) []profile.Categorical { return s.Psychographic.Fields },
		func(s *profile.Segment) []profile.Categorical { return s.Behaviour.Fields },
	}
	var out []report.Mix
	for _, fields := range sections {
		for fi, f := range fields(&prof.Segments[0]) {
			m := report.Mix{Field: strings.ReplaceAll(f.Field, "_", " ")}
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
			out = append(out, m)
		}
	}
	return out
}
