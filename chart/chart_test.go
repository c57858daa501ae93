package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// build returns a constructor call for each chart type over n segments, so
// tests can run every chart through the same checks.
func builds(n int, unseg bool) map[string]func() (*Figure, error) {
	segs := sampleSegments[:n]
	vals := make([]float64, n)
	rows := make([][]float64, n)
	fives := make([]FiveNum, n)
	labels := make([][]string, n)
	for i := range n {
		vals[i] = float64(100 * (i + 1))
		rows[i] = []float64{10, 20, 30, 40}
		fives[i] = FiveNum{0, 1, 2, 3, float64(4 + i)}
		labels[i] = []string{"spend", "visits"}
	}
	xs := []float64{0, 1, 2, 3, 4, 5}
	ys := []float64{1, 0, 2, 1, 3, 2}
	gs := make([]int, len(xs))
	for i := range gs {
		gs[i] = i % n
	}
	return map[string]func() (*Figure, error){
		"bars": func() (*Figure, error) {
			return Bars(BarsSpec{Title: "Users", Segments: segs, Unsegmented: unseg, Panels: []BarPanel{{Title: "Users", XLabel: "users", Values: vals}}})
		},
		"lines": func() (*Figure, error) {
			return Lines(LinesSpec{Title: "Hours", XLabel: "x", YLabel: "y (%)", XTicks: []string{"a", "b", "c", "d"}, Segments: segs, Unsegmented: unseg, Values: rows})
		},
		"heatmap": func() (*Figure, error) {
			z := make([][]float64, n)
			for i := range z {
				z[i] = []float64{1.5, -0.4, math.NaN(), 9}
			}
			return Heatmap(HeatmapSpec{Title: "Heat", Segments: segs, Unsegmented: unseg, Rows: []string{"a", "b", "c", "d"}, Z: z, ScaleLabel: "z"})
		},
		"profiles": func() (*Figure, error) {
			v := make([][]float64, n)
			for i := range v {
				v[i] = []float64{1.2, -0.8}
			}
			return Profiles(ProfilesSpec{Title: "Profiles", XLabel: "z", Segments: segs, Unsegmented: unseg, Labels: labels, Values: v})
		},
		"stacked": func() (*Figure, error) {
			return Stacked(StackedSpec{Title: "Mix", XLabel: "%", Segments: segs, Unsegmented: unseg, Categories: []string{"a", "b", "c", "d"}, Values: rows})
		},
		"boxes": func() (*Figure, error) {
			return Boxes(BoxesSpec{Title: "RFM", Segments: segs, Unsegmented: unseg, Panels: []BoxPanel{{Title: "R", XLabel: "days", Boxes: fives}}})
		},
		"scatter": func() (*Figure, error) {
			return Scatter(ScatterSpec{Title: "Map", XLabel: "PC 1", YLabel: "PC 2", Segments: segs, Unsegmented: unseg, X: xs, Y: ys, Segment: gs})
		},
		"elbow": func() (*Figure, error) {
			return Elbow(ElbowSpec{Title: "k", K: []int{2, 3, 4}, Inertia: []float64{9, 5, 4}, Silhouette: []float64{0.3, 0.5, math.NaN()}, Chosen: 3})
		},
		"histograms": func() (*Figure, error) {
			return Histograms(HistogramsSpec{Title: "Age", XLabel: "years", Segments: segs, Unsegmented: unseg, Values: rows})
		},
		"dendrogram": func() (*Figure, error) {
			leaves, merges := sampleTree(n)
			return Dendrogram(DendrogramSpec{Title: "Tree", YLabel: "Ward distance", Segments: segs, Unsegmented: unseg, Leaves: leaves, Merges: merges,
				Cut: merges[len(merges)-n].Height + 0.5, CutLabel: "cut"})
		},
		"kdistance": func() (*Figure, error) {
			return KDistance(KDistanceSpec{Title: "k-distance", Distances: sampleKDist(3000), K: 10, Eps: 1.1})
		},
		"silhouette": func() (*Figure, error) {
			v := make([]float64, n)
			for i := range v {
				v[i] = 0.6 - 0.15*float64(i)
			}
			return Silhouette(SilhouetteSpec{Title: "Silhouette", Segments: segs, Unsegmented: unseg, Values: v, Mean: 0.3})
		},
	}
}

// sampleTree returns a truncated dendrogram with two leaves per segment:
// the two leaves of a segment merge first, then the segments join one by
// one (a chain), heights rising.
func sampleTree(n int) ([]DendrogramLeaf, []DendrogramMerge) {
	var leaves []DendrogramLeaf
	var merges []DendrogramMerge
	for i := range n {
		leaves = append(leaves, DendrogramLeaf{Size: 10 * (i + 1), Segment: i}, DendrogramLeaf{Size: 1 + 5*i, Segment: i})
	}
	nl := len(leaves)
	for i := range n {
		merges = append(merges, DendrogramMerge{A: 2 * i, B: 2*i + 1, Height: 1 + 0.3*float64(i)})
	}
	prev := nl // the first segment's node
	for i := 1; i < n; i++ {
		merges = append(merges, DendrogramMerge{A: prev, B: nl + i, Height: 4 + float64(i)})
		prev = nl + len(merges) - 1
	}
	return leaves, merges
}

// sampleKDist is an ascending k-distance curve: a long flat body and a
// steep tail, as dense segments with noise give.
func sampleKDist(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = 0.5 + 0.4*t + 3*math.Pow(t, 12)
	}
	return out
}

// TestEveryChart draws every chart type for one and for seven segments and
// checks the SVG is well-formed, titled, uses the fallback font stack and is
// deterministic, and that the PNG has the figure's size at the given dpi.
func TestEveryChart(t *testing.T) {
	for _, n := range []int{1, 7} {
		for name, build := range builds(n, false) {
			t.Run(name+"/"+string(rune('0'+n)), func(t *testing.T) {
				f, err := build()
				if err != nil {
					t.Fatal(err)
				}
				var a, b bytes.Buffer
				if err := f.WriteSVG(&a); err != nil {
					t.Fatal(err)
				}
				if err := f.WriteSVG(&b); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a.Bytes(), b.Bytes()) {
					t.Error("two SVG encodings of one figure differ")
				}
				svg := a.String()
				if err := wellFormed(svg); err != nil {
					t.Errorf("SVG is not well-formed XML: %v", err)
				}
				if !strings.Contains(svg, ">"+f.Title()+"</text>") {
					t.Errorf("SVG lacks its title %q", f.Title())
				}
				if strings.Contains(svg, "font-family:Liberation Sans;") || !strings.Contains(svg, "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;") {
					t.Error("SVG font family is not widened to the Arial-compatible stack")
				}
				if strings.Contains(svg, "Serif") {
					t.Error("SVG uses a serif face; every text style must be set to Liberation Sans")
				}
				var p bytes.Buffer
				if err := f.WritePNG(&p, 72); err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(&p)
				if err != nil {
					t.Fatal(err)
				}
				w, h := f.Size()
				if got := img.Bounds().Dx(); math.Abs(float64(got)-w.Points()) > 1 {
					t.Errorf("PNG width %d px at 72 dpi, want %v", got, w.Points())
				}
				if got := img.Bounds().Dy(); math.Abs(float64(got)-h.Points()) > 1 {
					t.Errorf("PNG height %d px at 72 dpi, want %v", got, h.Points())
				}
			})
		}
	}
}

func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestLegendNamesEverySegment checks that each segment-coloured chart
// lists every segment name in its legend, in the segment's colour.
func TestLegendNamesEverySegment(t *testing.T) {
	for name, build := range builds(7, false) {
		if name == "elbow" || name == "stacked" || name == "kdistance" {
			continue // their legends name curves and categories
		}
		t.Run(name, func(t *testing.T) {
			f, err := build()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, e := range f.legend {
				if i < 7 {
					got = append(got, e.label)
					if e.color != SegmentColor(i) {
						t.Errorf("legend entry %d has colour %v, want SegmentColor(%d) = %v", i, e.color, i, SegmentColor(i))
					}
				}
			}
			for i, s := range sampleSegments {
				if i >= len(got) || !strings.HasSuffix(got[i], s) {
					t.Errorf("legend entry %d is %q, want it to name %q", i, got, s)
				}
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	two := []string{"a", "b"}
	tests := []struct {
		name  string
		build func() (*Figure, error)
		want  string
	}{
		{"bars no segments", func() (*Figure, error) { return Bars(BarsSpec{Panels: []BarPanel{{}}}) }, "no segments"},
		{"bars short values", func() (*Figure, error) {
			return Bars(BarsSpec{Segments: two, Panels: []BarPanel{{Title: "Users", Values: []float64{1}}}})
		}, `panel 0 ("Users") has 1 values for 2 segments`},
		{"bars NaN", func() (*Figure, error) {
			return Bars(BarsSpec{Segments: two, Panels: []BarPanel{{Values: []float64{1, math.NaN()}}}})
		}, "value 1 is NaN"},
		{"lines ragged", func() (*Figure, error) {
			return Lines(LinesSpec{XTicks: []string{"x", "y"}, Segments: two, Values: [][]float64{{1, 2}, {1}}})
		}, `segment 1 ("b") has 1 values for 2 positions`},
		{"heatmap short column", func() (*Figure, error) {
			return Heatmap(HeatmapSpec{Segments: two, Rows: []string{"f"}, Z: [][]float64{{1}, {}}})
		}, `segment 1 ("b") has 0 values for 1 rows`},
		{"heatmap bad limit", func() (*Figure, error) {
			return Heatmap(HeatmapSpec{Segments: two, Rows: []string{"f"}, Z: [][]float64{{1}, {2}}, Limit: -1})
		}, "limit -1"},
		{"stacked negative", func() (*Figure, error) {
			return Stacked(StackedSpec{Segments: two, Categories: []string{"c"}, Values: [][]float64{{1}, {-1}}})
		}, `category 0 ("c") is negative`},
		{"boxes unordered", func() (*Figure, error) {
			return Boxes(BoxesSpec{Segments: []string{"a"}, Panels: []BoxPanel{{Title: "R", Boxes: []FiveNum{{0, 2, 1, 3, 4}}}}})
		}, "not ordered"},
		{"scatter bad segment", func() (*Figure, error) {
			return Scatter(ScatterSpec{Segments: two, X: []float64{1}, Y: []float64{1}, Segment: []int{2}})
		}, "point 0 has segment 2"},
		{"elbow lengths", func() (*Figure, error) {
			return Elbow(ElbowSpec{K: []int{2, 3}, Inertia: []float64{1}})
		}, "1 inertia values for 2 k values"},
		{"elbow stability lengths", func() (*Figure, error) {
			return Elbow(ElbowSpec{K: []int{2, 3}, Inertia: []float64{2, 1}, Stability: []float64{0.9}})
		}, "1 stability values for 2 k values"},
		{"histograms empty", func() (*Figure, error) {
			return Histograms(HistogramsSpec{Segments: two, Values: [][]float64{nil, {math.NaN()}}})
		}, "no values"},
		{"histograms too many bins", func() (*Figure, error) {
			return Histograms(HistogramsSpec{Segments: []string{"a"}, Values: [][]float64{{30, -9.2e18}}, BinWidth: 5})
		}, "more than 500 bins"},
		{"dendrogram merges", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: two, Leaves: []DendrogramLeaf{{1, 0}, {1, 1}}})
		}, "0 merges for 2 leaves, want 1"},
		{"dendrogram reused node", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: two, Leaves: []DendrogramLeaf{{1, 0}, {1, 1}, {1, 1}},
				Merges: []DendrogramMerge{{0, 1, 1}, {1, 3, 2}}})
		}, "merge 1 joins node 1, which an earlier merge already joined"},
		{"dendrogram future node", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: two, Leaves: []DendrogramLeaf{{1, 0}, {1, 1}}, Merges: []DendrogramMerge{{0, 2, 1}}})
		}, "merge 0 joins node 2, want [0, 2)"},
		{"dendrogram segment", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: two, Leaves: []DendrogramLeaf{{1, 2}}})
		}, "leaf 0 has segment 2"},
		{"dendrogram NaN height", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: two, Leaves: []DendrogramLeaf{{1, 0}, {1, 1}}, Merges: []DendrogramMerge{{0, 1, math.NaN()}}})
		}, "merge 0 has height NaN"},
		{"k-distance unsorted", func() (*Figure, error) {
			return KDistance(KDistanceSpec{Distances: []float64{1, 3, 2}, K: 4})
		}, "not sorted ascending at 2"},
		{"k-distance k", func() (*Figure, error) {
			return KDistance(KDistanceSpec{Distances: []float64{1}})
		}, "k = 0"},
		{"k-distance eps", func() (*Figure, error) {
			return KDistance(KDistanceSpec{Distances: []float64{1}, K: 2, Eps: math.Inf(1)})
		}, "eps +Inf"},
		{"silhouette length", func() (*Figure, error) {
			return Silhouette(SilhouetteSpec{Segments: two, Values: []float64{0.5}, Mean: math.NaN()})
		}, "1 values for 2 segments"},
		{"silhouette range", func() (*Figure, error) {
			return Silhouette(SilhouetteSpec{Segments: two, Values: []float64{0.5, 1.5}, Mean: math.NaN()})
		}, `segment 1 ("b") has 1.5`},
		{"profiles ragged", func() (*Figure, error) {
			return Profiles(ProfilesSpec{Segments: []string{"a"}, Labels: [][]string{{"x"}}, Values: [][]float64{{1, 2}}})
		}, `segment 0 ("a") has 1 labels for 2 values`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.build()
			if err == nil {
				t.Fatalf("got a figure %q, want an error containing %q", f.Title(), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestDegenerateData draws data with no spread (all zeros, one k, equal
// values), which must not panic or produce NaN coordinates.
func TestDegenerateData(t *testing.T) {
	one := []string{"only"}
	tests := []struct {
		name  string
		build func() (*Figure, error)
	}{
		{"bars all zero", func() (*Figure, error) {
			return Bars(BarsSpec{Segments: one, Panels: []BarPanel{{Values: []float64{0}, Labels: []string{"0"}}}})
		}},
		{"lines all zero", func() (*Figure, error) {
			return Lines(LinesSpec{XTicks: []string{"x"}, Segments: one, Values: [][]float64{{0}}})
		}},
		{"elbow one k", func() (*Figure, error) {
			return Elbow(ElbowSpec{K: []int{3}, Inertia: []float64{7}, Chosen: 3})
		}},
		{"scatter one point", func() (*Figure, error) {
			return Scatter(ScatterSpec{Segments: one, X: []float64{1}, Y: []float64{1}, Segment: []int{0}})
		}},
		{"histogram equal values", func() (*Figure, error) {
			return Histograms(HistogramsSpec{Segments: one, Values: [][]float64{{30, 30, 30}}})
		}},
		{"heatmap all NaN", func() (*Figure, error) {
			return Heatmap(HeatmapSpec{Segments: one, Rows: []string{"f"}, Z: [][]float64{{math.NaN()}}})
		}},
		{"dendrogram one leaf", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: one, Leaves: []DendrogramLeaf{{5, 0}}})
		}},
		{"dendrogram zero heights", func() (*Figure, error) {
			return Dendrogram(DendrogramSpec{Segments: one, Leaves: []DendrogramLeaf{{1, 0}, {1, 0}}, Merges: []DendrogramMerge{{0, 1, 0}}})
		}},
		{"k-distance one value", func() (*Figure, error) {
			return KDistance(KDistanceSpec{Distances: []float64{0}, K: 1, Eps: 0.5})
		}},
		{"k-distance flat", func() (*Figure, error) {
			return KDistance(KDistanceSpec{Distances: make([]float64, 5000), K: 5, Eps: 0.1})
		}},
		{"silhouette none", func() (*Figure, error) {
			return Silhouette(SilhouetteSpec{Segments: one, Values: []float64{math.NaN()}, Mean: math.NaN()})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := f.WriteSVG(&b); err != nil {
				t.Fatal(err)
			}
			if s := b.String(); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
				t.Errorf("SVG has non-finite coordinates:\n%.2000s", s)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{0, 1, "0"},
		{1234567, 250000, "1,234,567"},
		{-2500, 500, "−2,500"},
		{0.25, 0.05, "0.25"},
		{0.3, 0.1, "0.3"},
		{2.5, 2.5, "2.5"},
		{-1e-15, 0.5, "0.0"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.v, tt.step); got != tt.want {
			t.Errorf("formatNumber(%v, %v) = %q, want %q", tt.v, tt.step, got, tt.want)
		}
	}
}

func TestNumberTicksRound(t *testing.T) {
	var labels []string
	for _, tk := range (numberTicks{}).Ticks(0, 2.2e7) {
		labels = append(labels, tk.Label)
	}
	if got, want := strings.Join(labels, " "), "0 5M 10M 15M 20M"; got != want {
		t.Errorf("ticks for 0 to 22 million are %q, want %q", got, want)
	}
	labels = nil
	for _, tk := range (numberTicks{}).Ticks(0, 1.1e6) {
		labels = append(labels, tk.Label)
	}
	if got, want := strings.Join(labels, " "), "0 0.25M 0.5M 0.75M 1M"; got != want {
		t.Errorf("ticks for 0 to 1.1 million are %q, want %q", got, want)
	}
	for _, r := range [][2]float64{{0, 1}, {0, 4210}, {-2.3, 3.1}, {0.28, 0.43}, {0, 1.2e6}} {
		ticks := numberTicks{}.Ticks(r[0], r[1])
		if len(ticks) < 3 || len(ticks) > 8 {
			t.Errorf("range %v: %d ticks, want 3 to 8", r, len(ticks))
		}
		for _, tk := range ticks {
			if tk.Value < r[0]-1e-9 || tk.Value > r[1]+1e-9 {
				t.Errorf("range %v: tick %v outside", r, tk.Value)
			}
			if strings.ContainsAny(tk.Label, "eE") {
				t.Errorf("range %v: tick label %q uses an exponent", r, tk.Label)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	sty := textStyle(tickSize, false, ink)
	w := vg.Length(60)
	got := wrap("Occasional gift buyers who never come back", sty, w, 2)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 {
		t.Fatalf("wrap gave %d lines %q, want 2", len(lines), lines)
	}
	for _, l := range lines {
		if sty.Width(l) > w {
			t.Errorf("line %q is %v wide, more than %v", l, sty.Width(l), w)
		}
	}
	if !strings.HasSuffix(got, "…") {
		t.Errorf("cut text %q does not end with an ellipsis", got)
	}
}

func TestSegmentColorsDistinct(t *testing.T) {
	seen := map[[3]uint8]int{}
	for i := range 16 {
		c := SegmentColor(i)
		k := [3]uint8{c.R, c.G, c.B}
		if j, ok := seen[k]; ok {
			t.Errorf("segments %d and %d share colour %v", j, i, c)
		}
		seen[k] = i
		if c.A != 0xff {
			t.Errorf("segment %d colour is not opaque", i)
		}
	}
	if SegmentColor(16) != SegmentColor(0) || SegmentColor(-1) != SegmentColor(15) {
		t.Error("colours do not cycle after 16 segments")
	}
}

func TestDiverging(t *testing.T) {
	mid := diverging(0)
	if mid.R < 0xf0 || mid.G < 0xf0 || mid.B < 0xf0 {
		t.Errorf("diverging(0) = %v, want near white", mid)
	}
	if lo := diverging(-1); !(lo.B > lo.R) {
		t.Errorf("diverging(-1) = %v, want blue", lo)
	}
	if hi := diverging(1); !(hi.R > hi.B) {
		t.Errorf("diverging(1) = %v, want red", hi)
	}
	if diverging(5) != diverging(1) || diverging(-5) != diverging(-1) {
		t.Error("diverging does not clamp to [-1, 1]")
	}
}
