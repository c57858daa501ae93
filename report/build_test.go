package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/kselect"
	segprof "github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/value"
)

// buildSources makes the sources of a small run: 90 users in three groups
// of different sizes (ids 4, 9, 2, so display positions differ from ids),
// RFM features and age, and activity for two of the groups.
func buildSources(t *testing.T) Sources {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 5))
	names := []string{"recency_days", "frequency", "monetary", "age"}
	const n = 90
	ids := make([]string, n)
	labels := make([]int, n)
	x := mat.NewDense(n, len(names), nil)
	for i := range n {
		ids[i] = fmt.Sprintf("U%03d", i)
		g := 0
		switch {
		case i%9 == 0:
			g = 2
		case i%3 == 0:
			g = 1
		}
		labels[i] = []int{4, 9, 2}[g]
		x.Set(i, 0, 10+30*float64(g)+rng.Float64())
		x.Set(i, 1, 5-float64(g)+rng.Float64())
		x.Set(i, 2, 100*float64(3-g)+10*rng.Float64())
		x.Set(i, 3, 20+15*float64(g)+rng.Float64()*5)
	}
	z := mat.DenseCopyOf(x)
	for j := range len(names) {
		col := mat.Col(nil, j, z)
		var mean, sd float64
		for _, v := range col {
			mean += v / n
		}
		for _, v := range col {
			sd += (v - mean) * (v - mean) / n
		}
		for i, v := range col {
			z.Set(i, j, (v-mean)/math.Sqrt(sd))
		}
	}
	prof, err := segprof.Build(segprof.Input{UserIDs: ids, Names: names, X: x, Labels: labels, Space: z})
	if err != nil {
		t.Fatal(err)
	}
	tab := &features.Table{UserIDs: ids, X: x, AsOf: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)}
	for _, nm := range names {
		tab.Features = append(tab.Features, features.Feature{Name: nm})
	}
	a4 := &features.Activity{Category: map[string]float64{"toys": 30, "books": 10}, Revenue: 40}
	a4.Hour[9], a4.Hour[10], a4.Weekday[0] = 3, 1, 4
	a2 := &features.Activity{Category: map[string]float64{"garden": 5}, Revenue: 5}
	a2.Hour[23], a2.Weekday[6] = 2, 2
	// Customer value for every user but each tenth.
	worth := &segprof.ValueInput{PAlive: make([]float64, n), ExpectedPurchases: make([]float64, n), CLV: make([]float64, n), LostBelow: 0.5}
	for i := range n {
		worth.PAlive[i], worth.ExpectedPurchases[i], worth.CLV[i] = float64(i%8)/7, float64(i%5), float64(i)
		if i%10 == 0 {
			worth.PAlive[i], worth.ExpectedPurchases[i], worth.CLV[i] = math.NaN(), math.NaN(), math.NaN()
		}
	}
	return Sources{
		Value: &ValueSource{Users: worth, Model: value.ModelBGNBD, HorizonMonths: 12, Discount: 0.01},
		Title: "test run", Table: tab, Space: z, Labels: labels, Profiles: prof,
		Behaviour: &features.Behaviour{Groups: map[int]*features.Activity{4: a4, 2: a2}, HasRevenue: true},
		Run: Run{
			Rows: map[string]int64{"users": 90, "transactions": 400}, Features: 4, FeaturesUsed: 4,
			Algorithm: "kmeans", NInit: 10, Seed: 7, K: 3, KRule: "highest silhouette", KMin: 2, KMax: 5, KElbow: 4,
			KSelection: []kselect.Score{{K: 2, Inertia: 9, Silhouette: 0.4}, {K: 3, Inertia: 5, Silhouette: 0.6}},
			Silhouette: 0.6, Calinski: 120, DaviesBould: 0.5,
		},
	}
}

// position returns the display position of segment id in in.
func position(t *testing.T, in Input, id int) int {
	t.Helper()
	for p, s := range in.Segments {
		if s.ID == id {
			return p
		}
	}
	t.Fatalf("segment %d not in the input", id)
	return -1
}

func TestBuild(t *testing.T) {
	src := buildSources(t)
	in, err := Build(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Segments) != 3 || in.ChosenK != 3 || !strings.Contains(in.Subtitle, "90 users, 4 features, 3 segments, as of 2024-02-01") {
		t.Fatalf("segments %d, k %d, subtitle %q", len(in.Segments), in.ChosenK, in.Subtitle)
	}
	for p, s := range src.Profiles.Segments {
		if in.Segments[p].ID != s.ID || in.Segments[p].Name != s.Name || in.Segments[p].Size != s.Size {
			t.Errorf("segment %d: %+v, want the profile's %d %q %d", p, in.Segments[p], s.ID, s.Name, s.Size)
		}
	}
	p4, p9, p2 := position(t, in, 4), position(t, in, 9), position(t, in, 2)
	// Activity lands at each segment's display position, as shares.
	if h := in.HourShare[p4]; h[9] != 0.75 || h[10] != 0.25 {
		t.Errorf("segment 4's hour shares %v, want 0.75 at 9 and 0.25 at 10", h)
	}
	if h := in.HourShare[p2]; h[23] != 1 {
		t.Errorf("segment 2's hour shares %v, want all at 23", h)
	}
	for _, v := range in.HourShare[p9] {
		if v != 0 {
			t.Errorf("segment 9 has no activity, got hour shares %v", in.HourShare[p9])
			break
		}
	}
	if w := in.WeekdayShare[p2]; w[6] != 1 {
		t.Errorf("segment 2's weekday shares %v, want all on Sunday", w)
	}
	if got := strings.Join(in.Categories, ","); got != "books,garden,toys" {
		t.Errorf("categories %q, want every segment's, by name", got)
	}
	if c := in.CategoryShare[p4]; c[0] != 0.25 || c[1] != 0 || c[2] != 0.75 {
		t.Errorf("segment 4's category shares %v, want [0.25 0 0.75]", c)
	}
	if r := in.RevenueBySegment; r[p4] != 40 || r[p2] != 5 || r[p9] != 0 {
		t.Errorf("revenue by position %v, want 40 at %d, 5 at %d", r, p4, p2)
	}
	if len(in.RFM) != 3 || in.RFM[p2].Recency.Median < in.RFM[p4].Recency.Median {
		t.Errorf("RFM boxes %+v: want 3, segment 2 the most recent-less", in.RFM)
	}
	if len(in.Ages) != 3 || len(in.Ages[p2]) != src.Profiles.Segments[p2].Size {
		t.Errorf("ages per segment: %d segments, %d ages for segment 2", len(in.Ages), len(in.Ages[p2]))
	}
	if len(in.Projection) != 90 || in.ProjectionAxes[0] == "" {
		t.Errorf("projection of %d points, axes %q", len(in.Projection), in.ProjectionAxes)
	}
	if v := in.Value; v == nil || v.Customers[p4]+v.Customers[p9]+v.Customers[p2] != 81 || v.Model != "BG/NBD" || v.Holdout != nil || len(v.CLV) != 3 {
		t.Errorf("value section %+v: want 81 customers in 3 segments, BG/NBD, no holdout", v)
	}
	if len(in.SilhouetteBySegment) != 3 || len(in.KCurve) != 2 || in.HeatFeatures == nil {
		t.Errorf("silhouettes %v, k curve %v, heat features %v", in.SilhouetteBySegment, in.KCurve, in.HeatFeatures)
	}
	method := map[string]string{}
	for _, kv := range in.Method {
		method[kv.Key] = kv.Value
	}
	for key, want := range map[string]string{
		"rows read: transactions": "400",
		"users profiled":          "90",
		"algorithm":               "k-means (k-means++ initialisation, 10 restarts, seed 7)",
		"number of segments":      "k = 3 (highest silhouette over k = 2..3)", // the range scored,
		"note":                    "the inertia elbow suggests k = 4; the rule chose k = 3",
	} {
		if method[key] != want {
			t.Errorf("method %q = %q, want %q", key, method[key], want)
		}
	}
	// The golden file pins what Build shapes; the texts it copies from the
	// profiles (names, descriptions, actions, traits) are package
	// profile's, checked above, and left out so that they can change there.
	for i := range in.Segments {
		s := &in.Segments[i]
		s.Name, s.Description, s.Actions, s.Traits = "", "", nil, nil
	}
	b, err := json.MarshalIndent(in, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "build.golden.json", append(b, '\n'))
}

// TestBuildWithout builds from sources that lack parts: no behaviour, no
// transactions or users read, a hierarchical and a DBSCAN clustering.
func TestBuildWithout(t *testing.T) {
	ctx := context.Background()
	src := buildSources(t)
	src.Behaviour = &features.Behaviour{Groups: map[int]*features.Activity{}}
	src.Run.Rows = map[string]int64{"events": 10}
	in, err := Build(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if in.RevenueBySegment != nil || in.Categories != nil || in.RFM != nil || in.Ages != nil {
		t.Errorf("without revenue, categories, transactions or users: revenue %v, categories %v, RFM %v, ages %v",
			in.RevenueBySegment, in.Categories, in.RFM, in.Ages)
	}
	src.Behaviour = nil
	if in, err := Build(ctx, src); err != nil || in.HourShare != nil {
		t.Errorf("without behaviour: hour shares %v, err %v", in.HourShare, err)
	}
	src.Run.Algorithm, src.Run.Linkage, src.Run.FixedK = "hierarchical", "average", true
	src.Dendrogram, err = cluster.Linkage(ctx, src.Space, cluster.LinkageOptions{Method: "average"})
	if err != nil {
		t.Fatal(err)
	}
	in, err = Build(ctx, src)
	if err != nil || in.Dendrogram == nil || len(in.Dendrogram.Leaves) == 0 {
		t.Fatalf("hierarchical: dendrogram %+v, err %v", in.Dendrogram, err)
	}
	for _, kv := range in.Method {
		if kv.Key == "number of segments" && kv.Value != "k = 3 (highest silhouette)" {
			t.Errorf("a fixed k is described as %q", kv.Value)
		}
	}
	src.Dendrogram = nil
	src.Run.Algorithm = "dbscan"
	src.DBSCAN = &cluster.DBSCANResult{Eps: 0.8, MinSamples: 5, Metric: "euclidean"}
	in, err = Build(ctx, src)
	if err != nil || len(in.KDistance) == 0 || in.Eps != 0.8 || in.MinSamples != 5 {
		t.Errorf("dbscan with a given eps: k-distance curve of %d, eps %v, min samples %d, err %v", len(in.KDistance), in.Eps, in.MinSamples, err)
	}
	if _, err := Build(ctx, Sources{Table: src.Table}); err == nil {
		t.Errorf("sources without profiles: no error")
	}
}

// A segment in which nobody bought has no recency box (its users' recency
// is only the data window's length); the others' recency is over their
// buyers alone.
func TestRFMBoxesWithoutBuyers(t *testing.T) {
	names := []string{features.RecencyDays, features.Frequency, features.Monetary}
	// users 0-2 in segment 7 bought; users 3-4 of segment 7 and all of
	// segment 3 never did (recency 400, the window).
	rows := [][]float64{{5, 2, 50}, {10, 1, 20}, {20, 3, 90}, {400, 0, 0}, {400, 0, 0}, {400, 0, 0}, {400, 0, 0}}
	labels := []int{7, 7, 7, 7, 7, 3, 3}
	tab := &features.Table{X: mat.NewDense(len(rows), len(names), nil)}
	for _, n := range names {
		tab.Features = append(tab.Features, features.Feature{Name: n})
	}
	for i, r := range rows {
		tab.UserIDs = append(tab.UserIDs, fmt.Sprintf("u%d", i))
		tab.X.SetRow(i, r)
	}
	got := rfmBoxes(tab, labels, map[int]int{7: 0, 3: 1}, 2)
	want := []RFMBox{
		{Recency: FiveNum{5, 7.5, 10, 15, 20}, Frequency: FiveNum{0, 0, 1, 2, 3}, Monetary: FiveNum{0, 0, 20, 50, 90}},
		{NoBuyers: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rfmBoxes (-want +got):\n%s", diff)
	}
	in := sampleInput()
	in.RFM[0].NoBuyers, in.RFM[0].Recency = true, FiveNum{}
	if err := in.Validate(); err != nil {
		t.Fatalf("input with a segment without buyers: %v", err)
	}
}
