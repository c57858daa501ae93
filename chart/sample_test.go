package chart

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var outDir = flag.String("chartdir", "", "also write every test chart as SVG and PNG into this directory (for looking at them)")

var sampleSegments = []string{
	"Loyal high spenders", "Weekend bargain hunters", "Night-owl browsers",
	"New and curious", "Lapsed customers", "Mobile commuters", "Occasional gift buyers",
}

func sampleFeatures(n int) []string {
	base := []string{"events_total", "sessions_per_week", "txn_count", "txn_amount_mean", "txn_amount_sum",
		"days_since_last_event", "tenure_days", "share_mobile", "share_weekend", "share_night",
		"distinct_categories", "avg_session_minutes", "cart_abandon_rate", "discount_share", "returns_rate"}
	out := make([]string, n)
	for i := range out {
		out[i] = base[i%len(base)]
		if i >= len(base) {
			out[i] += "_" + string(rune('a'+i/len(base)))
		}
	}
	return out
}

func sampleZ(rng *rand.Rand, segs, feats int) [][]float64 {
	z := make([][]float64, segs)
	for i := range z {
		z[i] = make([]float64, feats)
		for j := range z[i] {
			z[i][j] = math.Round(rng.NormFloat64()*1.1*100) / 100
		}
	}
	return z
}

func hourShares(rng *rand.Rand, segs int) [][]float64 {
	out := make([][]float64, segs)
	for i := range out {
		peak := float64(8 + 3*i)
		row := make([]float64, 24)
		sum := 0.0
		for h := range row {
			d := math.Mod(math.Abs(float64(h)-peak), 24)
			d = math.Min(d, 24-d)
			row[h] = math.Exp(-d*d/18) + 0.05 + 0.02*rng.Float64()
			sum += row[h]
		}
		for h := range row {
			row[h] = row[h] / sum * 100
		}
		out[i] = row
	}
	return out
}

// writeOut saves f under *outDir when the flag is set.
func writeOut(t *testing.T, name string, f *Figure) {
	t.Helper()
	var svg, png bytes.Buffer
	if err := f.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	if err := f.WritePNG(&png, 96); err != nil {
		t.Fatal(err)
	}
	if *outDir == "" {
		return
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(*outDir, name+".svg"), svg.Bytes(), 0o644)
	os.WriteFile(filepath.Join(*outDir, name+".png"), png.Bytes(), 0o644)
}

func TestSampleCharts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := len(sampleSegments)
	sizes := []float64{4210, 3890, 3120, 2750, 2400, 2100, 1530}
	labels := make([]string, n)
	for i, v := range sizes {
		labels[i] = formatSigned(v, 0) + " (" + formatSigned(v/200, 1) + "%)"
	}
	bars, err := Bars(BarsSpec{Title: "Users and revenue per segment", Segments: sampleSegments, Panels: []BarPanel{
		{Title: "Users", XLabel: "users", Values: sizes, Labels: labels},
		{Title: "Revenue", XLabel: "revenue (EUR)", Values: []float64{912000, 210000, 80500, 40000, 12000, 150000, 99000}, Labels: labels},
	}})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "bars", bars)
	heat, err := Heatmap(HeatmapSpec{Title: "Key characteristics", Segments: sampleSegments, Rows: sampleFeatures(40),
		Z: sampleZ(rng, n, 40), ScaleLabel: "z-score (SD from all users)", XLabel: "segment", YLabel: "feature"})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "heat", heat)
	hours := make([]string, 24)
	for h := range hours {
		hours[h] = formatSigned(float64(h), 0)
	}
	lines, err := Lines(LinesSpec{Title: "Activity by hour of day", XLabel: "hour of day (local time)", YLabel: "share of the segment's events (%)",
		XTicks: hours, TickStep: 2, Segments: sampleSegments, Values: hourShares(rng, n)})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "lines", lines)

	leaves, merges := sampleTree(n)
	for i := range leaves {
		leaves[i].Size = 40 + 23*i*i
	}
	dendro, err := Dendrogram(DendrogramSpec{Title: "Dendrogram: the last merges", YLabel: "merge height (Ward linkage distance)",
		Segments: sampleSegments, Leaves: leaves, Merges: merges, Cut: merges[len(merges)-n].Height + 0.5, CutLabel: "cut into k = 7 segments"})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "dendrogram", dendro)
	kd, err := KDistance(KDistanceSpec{Title: "Choosing eps: the k-distance curve", Distances: sampleKDist(20000), K: 10, Eps: 1.05})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "kdistance", kd)
	segs := append(append([]string(nil), sampleSegments[:4]...), "Unsegmented")
	sil, err := Silhouette(SilhouetteSpec{Title: "Silhouette by segment", Segments: segs, Unsegmented: true,
		Values: []float64{0.52, 0.31, -0.04, 0.18, math.NaN()}, Mean: 0.29})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "silhouette", sil)
	xs, ys, gs := make([]float64, 1500), make([]float64, 1500), make([]int, 1500)
	for i := range xs {
		g := i % 5
		xs[i], ys[i], gs[i] = float64(g)*1.5+rng.NormFloat64()*0.5, float64(g%2)*2+rng.NormFloat64()*0.5, g
		if g == 4 {
			xs[i], ys[i] = rng.Float64()*8-1, rng.Float64()*5-1.5
		}
	}
	sc, err := Scatter(ScatterSpec{Title: "Segment map with noise", Segments: segs, Unsegmented: true, X: xs, Y: ys, Segment: gs})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "scatter-unsegmented", sc)
}
