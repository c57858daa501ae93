package report

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/persona-seg/persona/chart"
)

// writeAndList writes in to a temp dir and returns the HTML and the sorted
// names of the chart files.
func writeAndList(t *testing.T, in Input) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	if err := Write(context.Background(), dir, in, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return readReport(t, dir)
}

// readReport returns the HTML of the report in dir and the sorted names of
// its chart files (the SVG and PNG files).
func readReport(t *testing.T, dir string) (string, []string) {
	t.Helper()
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range ents {
		if e.Name() == filepath.Base(ChartsFile) {
			continue // the interactive charts (TestChartsFile)
		}
		files = append(files, e.Name())
	}
	slices.Sort(files)
	return string(html), files
}

func minimalInput() Input {
	return Input{Segments: []Segment{{ID: 4, Name: "Everyone", Size: 10, Share: 1}}}
}

// TestOptionalParts gives each optional part alone on top of the minimal
// input and checks that exactly its chart and section appear.
func TestOptionalParts(t *testing.T) {
	full := sampleInput()
	tests := []struct {
		name    string
		set     func(in *Input)
		charts  []string // beyond segment-sizes
		heading string   // section heading that must appear; "" for none
	}{
		{"minimal", func(*Input) {}, nil, ""},
		{"revenue", func(in *Input) { in.RevenueBySegment = []float64{123} }, nil, ""},
		{"heatmap", func(in *Input) { in.HeatFeatures, in.HeatZ = []string{"spend"}, [][]float64{{1.2}} }, []string{"heatmap", "profiles", "segment-4"}, "Key characteristics"},
		{"traits only", func(in *Input) { in.Segments[0].Traits = []Trait{{"spend", 1.2}} }, []string{"profiles", "segment-4"}, "Key characteristics"},
		{"hours", func(in *Input) { in.HourShare = full.HourShare[:1] }, []string{"hour-of-day"}, "Behavioural patterns"},
		{"weekdays", func(in *Input) { in.WeekdayShare = full.WeekdayShare[:1] }, []string{"weekday"}, "Behavioural patterns"},
		{"categories", func(in *Input) { in.Categories, in.CategoryShare = full.Categories, full.CategoryShare[:1] }, []string{"categories"}, "Behavioural patterns"},
		{"rfm", func(in *Input) { in.RFM = full.RFM[:1] }, []string{"rfm"}, "Behavioural patterns"},
		{"numeric attributes", func(in *Input) {
			in.NumericAttributes = []NumericAttribute{{Name: "annual income (k$)", Boxes: []FiveNum{{15, 40, 60, 78, 137}}, Log: true}, {Name: "spending score", Boxes: []FiveNum{{1, 35, 50, 73, 99}}}}
		}, []string{"attributes-1"}, "Demographics"},
		{"rfm groups", func(in *Input) {
			in.RFMGroups = &Mix{Field: "RFM group", Values: full.RFMGroups.Values, Share: full.RFMGroups.Share[:1]}
		}, []string{"rfm-groups"}, "Behavioural patterns"},
		{"rfm grid", func(in *Input) {
			in.RFMGrid = []RFMCell{{Segment: 0, R: 5, F: 5, Users: 3, Monetary: 900, Group: "champions"}, {Segment: 0, R: 1, F: 1, Users: 5, Monetary: 20, Group: "lost"}}
		}, []string{"rfm-grid"}, "Behavioural patterns"},
		{"date-only hours", func(in *Input) { h := make([]float64, 24); h[0] = 1; in.HourShare = [][]float64{h} }, nil, ""},
		{"zero weekdays", func(in *Input) { in.WeekdayShare = [][]float64{make([]float64, 7)} }, nil, ""},
		{"projection", func(in *Input) { in.Projection = []Point2{{X: 1, Y: 2}, {X: 2, Y: 1}} }, []string{"projection"}, "Segment map"},
		{"k curve", func(in *Input) { in.KCurve, in.ChosenK = full.KCurve, 7 }, []string{"diagnostics"}, "Diagnostics"},
		{"dendrogram", func(in *Input) {
			in.Dendrogram = &DendrogramData{Leaves: []DendrogramLeaf{{4, 0}, {6, 0}}, Merges: []DendrogramMerge{{0, 1, 2}}}
		}, []string{"dendrogram"}, "Diagnostics"},
		{"dendrogram one leaf", func(in *Input) { in.Dendrogram = &DendrogramData{Leaves: []DendrogramLeaf{{10, 0}}} }, []string{"dendrogram"}, "Diagnostics"},
		{"k-distance", func(in *Input) { in.KDistance, in.Eps, in.MinSamples = full.KDistance, full.Eps, full.MinSamples }, []string{"k-distance"}, "Diagnostics"},
		{"silhouette", func(in *Input) { in.SilhouetteBySegment = []float64{0.4} }, []string{"silhouette"}, "Diagnostics"},
		{"silhouette unknown", func(in *Input) { in.SilhouetteBySegment = []float64{math.NaN()} }, []string{"silhouette"}, "Diagnostics"},
		{"ages", func(in *Input) { in.Ages = [][]int{{20, 30, 40}} }, []string{"ages"}, "Demographics"},
		{"demographic mix", func(in *Input) {
			in.Demographics = []Mix{{Field: "acquisition channel", Values: []string{"email", "social"}, Share: [][]float64{{0.25, 0.75}}}}
		}, []string{"mix-acquisition-channel"}, "Demographics"},
		{"empty ages", func(in *Input) { in.Ages = [][]int{nil} }, nil, ""},
		{"value", func(in *Input) {
			in.Value = &ValueSection{Model: "BG/NBD", HorizonMonths: 12, Discount: 0.01, LostBelow: 0.5, Customers: []int{8},
				PAlive: []FiveNum{{0.1, 0.4, 0.6, 0.9, 1}}, LikelyLost: []float64{0.25}, CLV: []FiveNum{{0, 5, 10, 40, 300}}, MeanCLV: []float64{20}, TotalCLV: []float64{160}}
		}, []string{"value"}, "Customer value"},
		{"value without amounts", func(in *Input) {
			in.Value = &ValueSection{Model: "Pareto/NBD", HorizonMonths: 6, LostBelow: 0.5, Customers: []int{8}, PAlive: []FiveNum{{0.1, 0.4, 0.6, 0.9, 1}}, LikelyLost: []float64{0.25}}
		}, []string{"value"}, "Customer value"},
		{"value with holdout", func(in *Input) {
			in.Value = &ValueSection{Model: "BG/NBD", HorizonMonths: 12, LostBelow: 0.5, Customers: []int{8}, PAlive: []FiveNum{{0.1, 0.4, 0.6, 0.9, 1}}, LikelyLost: []float64{0.25},
				Holdout: &HoldoutCheck{Customers: 8, Actual: 3, Predicted: 2.5, Groups: []CalibrationGroup{{"0", 5, 0.2, 0.25}, {"1+", 3, 0.67, 0.42}}}}
		}, []string{"value", "calibration"}, "Customer value"},
		{"method", func(in *Input) { in.Method = []KeyValue{{"Algorithm", "K-Means"}} }, nil, "How this was made"},
	}
	sections := []string{"Key characteristics", "Behavioural patterns", "Customer value", "Segment map", "Diagnostics", "Demographics", "How this was made"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := minimalInput()
			tt.set(&in)
			html, files := writeAndList(t, in)
			var want []string
			for _, c := range append([]string{"segment-sizes"}, tt.charts...) {
				want = append(want, c+".png", c+".svg")
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, files); diff != "" {
				t.Errorf("chart files (-want +got):\n%s", diff)
			}
			for _, s := range sections {
				has := strings.Contains(html, "<h2>"+s+"</h2>")
				if has != (s == tt.heading) {
					t.Errorf("heading %q present = %v, want %v", s, has, s == tt.heading)
				}
			}
			if got, want := strings.Count(html, `<div class="vega" id="chart-`), len(tt.charts)+1; got != want {
				t.Errorf("HTML has %d interactive charts, want %d", got, want)
			}
			if strings.Contains(html, "<h4>Stands out by</h4>") != (len(in.Segments[0].Traits) > 0) {
				t.Error("traits list shown without traits, or missing with traits")
			}
		})
	}
}

// TestSelfContained checks that the full report's markup references
// nothing outside itself: no external scripts, stylesheets, images, fonts
// or URLs other than the SVG namespaces. Its one inline script (Vega and
// page.js) is checked where it runs: TestReportInChromium logs every
// request the page makes.
func TestSelfContained(t *testing.T) {
	html, files := readReport(t, sampleDir(t))
	scripts := regexp.MustCompile(`(?s)(<script[^>]*>)(.*?)</script>`)
	var inline int
	markup := scripts.ReplaceAllStringFunc(html, func(m string) string {
		open := scripts.FindStringSubmatch(m)[1]
		if open == "<script>" {
			inline++
		}
		return open + "</script>"
	})
	if inline != 1 {
		t.Errorf("report has %d inline scripts, want 1 (the charts')", inline)
	}
	for _, bad := range []string{"<script src", "<img", "<iframe", "<link rel=\"stylesheet\"", "@import", "url(", "@font-face", "src="} {
		if strings.Contains(markup, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	urls := regexp.MustCompile(`(?:https?:)?//[a-zA-Z0-9.-]+[^"' )<]*`).FindAllString(markup, -1)
	for _, u := range urls {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("report references %s", u)
		}
	}
	// Every chart file is on the page, the RFM grid too.
	if got := strings.Count(markup, "<svg ") + strings.Count(markup, `<div class="vega" id="chart-`); got != len(files)/2 || !strings.Contains(markup, `id="chart-rfm-grid"`) || !slices.Contains(files, "rfm-grid.svg") {
		t.Errorf("HTML shows %d charts, but %d were written (the RFM grid among them)", got, len(files)/2)
	}
	if strings.Contains(html, "font-family:Liberation Sans;") {
		t.Error("an inline SVG names Liberation Sans without fallback")
	}
	for _, s := range sampleInput().Segments {
		if !strings.Contains(html, s.Name) {
			t.Errorf("segment %q missing from the report", s.Name)
		}
	}
}

// TestDeterministic writes the full sample twice and compares every file.
func TestDeterministic(t *testing.T) {
	a, b := sampleDir(t), t.TempDir()
	if err := Write(context.Background(), b, sampleInput(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, path)
		x, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			return err
		}
		if string(x) != string(y) {
			t.Errorf("%s differs between two runs", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteDoesNotMutate(t *testing.T) {
	in := sampleInput()
	in.HeatZ[0][0] = math.NaN()
	before := sampleInput()
	before.HeatZ[0][0] = math.NaN()
	if err := Write(context.Background(), t.TempDir(), in, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, in, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("Write changed its input (-before +after):\n%s", diff)
	}
}

func TestWriteCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if err := Write(ctx, dir, sampleInput(), WriteOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with a cancelled context returned %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cancelled Write left report.html behind (stat: %v)", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		set   func(in *Input)
		field string
	}{
		{"no segments", func(in *Input) { in.Segments = nil }, "Segments"},
		{"negative size", func(in *Input) { in.Segments[1].Size = -1 }, "Segments[1].Size"},
		{"share above one", func(in *Input) { in.Segments[0].Share = 1.5 }, "Segments[0].Share"},
		{"revenue length", func(in *Input) { in.RevenueBySegment = in.RevenueBySegment[:2] }, "RevenueBySegment"},
		{"revenue NaN", func(in *Input) { in.RevenueBySegment[3] = math.NaN() }, "RevenueBySegment[3]"},
		{"heat rows", func(in *Input) { in.HeatZ = in.HeatZ[:3] }, "HeatZ"},
		{"heat columns", func(in *Input) { in.HeatZ[2] = in.HeatZ[2][:5] }, "HeatZ[2]"},
		{"heat without z", func(in *Input) { in.HeatZ = nil }, "HeatZ"},
		{"heat infinite", func(in *Input) { in.HeatZ[1][4] = math.Inf(1) }, "HeatZ[1][4]"},
		{"heat mean columns", func(in *Input) { in.HeatMean[2] = in.HeatMean[2][:5] }, "HeatMean[2]"},
		{"hours 23", func(in *Input) { in.HourShare[0] = in.HourShare[0][:23] }, "HourShare[0]"},
		{"weekday NaN", func(in *Input) { in.WeekdayShare[6][6] = math.NaN() }, "WeekdayShare[6][6]"},
		{"categories without shares", func(in *Input) { in.CategoryShare = nil }, "CategoryShare"},
		{"category columns", func(in *Input) { in.Categories = in.Categories[:3] }, "CategoryShare[0]"},
		{"demographic mix without values", func(in *Input) { in.Demographics = []Mix{{Field: "country"}} }, "Demographics[0]"},
		{"demographic mix rows", func(in *Input) {
			in.Demographics = []Mix{{Field: "country", Values: []string{"us"}, Share: [][]float64{{1}}}}
		}, "Demographics[0].Share"},
		{"rfm length", func(in *Input) { in.RFM = in.RFM[:1] }, "RFM"},
		{"rfm order", func(in *Input) { in.RFM[2].Monetary.Q1 = 1e9 }, "RFM[2].Monetary"},
		{"rfm grid score", func(in *Input) { in.RFMGrid[0].R = 6 }, "RFMGrid[0]"},
		{"rfm groups rows", func(in *Input) { in.RFMGroups.Share = in.RFMGroups.Share[:2] }, "RFMGroups.Share"},
		{"attribute boxes", func(in *Input) {
			in.NumericAttributes = []NumericAttribute{{Name: "income", Boxes: make([]FiveNum, 2)}}
		}, "NumericAttributes[0].Boxes"},
		{"k curve", func(in *Input) { in.KCurve[0].K = 0 }, "KCurve[0]"},
		{"projection segment", func(in *Input) { in.Projection[5].Segment = 8 }, "Projection[5].Segment"},
		{"unsegmented not last", func(in *Input) { in.Segments[2].ID = -1 }, "Segments[2].ID"},
		{"dendrogram no leaves", func(in *Input) { in.Dendrogram = &DendrogramData{} }, "Dendrogram.Leaves"},
		{"dendrogram merges", func(in *Input) { in.Dendrogram.Merges = in.Dendrogram.Merges[1:] }, "Dendrogram.Merges"},
		{"dendrogram node twice", func(in *Input) { in.Dendrogram.Merges[1].A = in.Dendrogram.Merges[0].A }, "Dendrogram.Merges[1]"},
		{"dendrogram future node", func(in *Input) { in.Dendrogram.Merges[0].B = 40 }, "Dendrogram.Merges[0]"},
		{"dendrogram leaf segment", func(in *Input) { in.Dendrogram.Leaves[3].Segment = 8 }, "Dendrogram.Leaves[3].Segment"},
		{"dendrogram leaf size", func(in *Input) { in.Dendrogram.Leaves[4].Size = 0 }, "Dendrogram.Leaves[4].Size"},
		{"dendrogram height", func(in *Input) { in.Dendrogram.Merges[2].Height = math.NaN() }, "Dendrogram.Merges[2].Height"},
		{"dendrogram cut", func(in *Input) { in.Dendrogram.CutHeight = -1 }, "Dendrogram.CutHeight"},
		{"k-distance unsorted", func(in *Input) { in.KDistance[10] = 99 }, "KDistance[11]"},
		{"k-distance NaN", func(in *Input) { in.KDistance[0] = math.NaN() }, "KDistance[0]"},
		{"k-distance empty", func(in *Input) { in.KDistance = []float64{} }, "KDistance"},
		{"min samples", func(in *Input) { in.MinSamples = 0 }, "MinSamples"},
		{"eps", func(in *Input) { in.Eps = math.Inf(1) }, "Eps"},
		{"silhouette length", func(in *Input) { in.SilhouetteBySegment = in.SilhouetteBySegment[:3] }, "SilhouetteBySegment"},
		{"silhouette range", func(in *Input) { in.SilhouetteBySegment[1] = 1.2 }, "SilhouetteBySegment[1]"},
		{"projection NaN", func(in *Input) { in.Projection[9].Y = math.NaN() }, "Projection[9]"},
		{"value customers", func(in *Input) { in.Value.Customers = in.Value.Customers[:7] }, "Value"},
		{"value CLV length", func(in *Input) { in.Value.TotalCLV = in.Value.TotalCLV[:7] }, "Value.CLV"},
		{"value horizon", func(in *Input) { in.Value.HorizonMonths = 0 }, "Value"},
		{"value share", func(in *Input) { in.Value.LikelyLost[2] = 1.5 }, "Value[2]"},
		{"value box order", func(in *Input) { in.Value.PAlive[1].Q1 = 2 }, "Value[1]"},
		{"value total NaN", func(in *Input) { in.Value.TotalCLV[3] = math.NaN() }, "Value.TotalCLV[3]"},
		{"value holdout empty", func(in *Input) { in.Value.Holdout.Groups = nil }, "Value.Holdout"},
		{"value holdout NaN", func(in *Input) { in.Value.Holdout.Groups[4].Predicted = math.NaN() }, "Value.Holdout.Groups[4]"},
		{"ages length", func(in *Input) { in.Ages = in.Ages[:6] }, "Ages"},
		{"age from NaN", func(in *Input) { in.Ages[3][17] = math.MinInt64 }, "Ages[3][17]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sampleInput()
			tt.set(&in)
			err := Write(context.Background(), t.TempDir(), in, WriteOptions{})
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Write returned %v, want a *FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("error names field %q, want %q (error: %v)", fe.Field, tt.field, err)
			}
		})
	}
	in := sampleInput()
	if err := in.Validate(); err != nil {
		t.Errorf("sample input does not validate: %v", err)
	}
}

// TestSegmentColoursEverywhere checks that segment i's colour appears in
// every chart that shows segments and in its overview swatch and section,
// and that the unsegmented group is grey everywhere.
func TestSegmentColoursEverywhere(t *testing.T) {
	dir := sampleDir(t)
	in := sampleInput()
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"segment-sizes", "heatmap", "profiles", "hour-of-day", "weekday", "categories", "rfm", "projection", "silhouette", "ages"} {
		svg, err := os.ReadFile(filepath.Join(dir, "charts", name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(string(svg))
		for i := range in.Segments {
			c := hexColor(segmentColor(&in, i))
			if c == "#000000" {
				continue // the SVG default fill, which vgsvg leaves unwritten
			}
			if !strings.Contains(low, c) {
				t.Errorf("%s.svg does not use segment %d's colour %s", name, i, c)
			}
		}
		// The unsegmented group (last) is grey, not the palette colour of
		// its position.
		if c := hexColor(chart.SegmentColor(len(in.Segments) - 1)); strings.Contains(low, c) {
			t.Errorf("%s.svg uses %s, the palette colour the unsegmented group must not take", name, c)
		}
	}
	if got, want := segmentColor(&in, len(in.Segments)-1), chart.UnsegmentedColor(); got != want {
		t.Errorf("the unsegmented group has colour %v, want %v", got, want)
	}
	for i, s := range in.Segments {
		c := hexColor(segmentColor(&in, i))
		if !strings.Contains(string(html), `id="`+segmentChartName(s)+`" style="--seg:`+c+`"`) {
			t.Errorf("section of segment %d (%s) is not marked with %s", i, s.Name, c)
		}
	}
}

func TestWriteProgress(t *testing.T) {
	in := minimalInput()
	in.HeatFeatures, in.HeatZ = []string{"spend"}, [][]float64{{1.2}}
	var (
		last, total int
		calls       int
	)
	err := Write(context.Background(), t.TempDir(), in, WriteOptions{Progress: func(done, n int) {
		if done < last {
			t.Errorf("progress went back from %d to %d", last, done)
		}
		last, total = done, n
		calls++
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Four charts (sizes, heatmap, profiles, the segment's own) and the page.
	if total != 5 || last != total || calls != 6 {
		t.Errorf("progress ended at %d/%d after %d calls, want 5/5 after 6", last, total, calls)
	}
}
