package chart

import (
	"bytes"
	"image/color"
	"math"
	"strings"
	"testing"
)

// gridSample is three segments' RFM grids: champions in the top right,
// lapsed one-time buyers in the bottom left, and the unsegmented group.
func gridSample() GridSpec {
	var cells []GridCell
	add := func(seg, r, f, users int, spend float64, group string) {
		cells = append(cells, GridCell{Segment: seg, R: r, F: f, Users: users, Monetary: spend, Group: group})
	}
	add(0, 5, 5, 60, 2400, "champions")
	add(0, 5, 4, 25, 1300, "champions")
	add(0, 4, 4, 15, 900, "loyal")
	add(1, 1, 1, 70, 35, "lost")
	add(1, 2, 1, 20, 40, "hibernating")
	add(1, 2, 2, 10, 80, "hibernating")
	add(2, 3, 2, 1, 0, "about to sleep")
	add(2, 3, 3, 0, 0, "")
	add(0, 3, 3, 0, 0, "")
	add(0, 1, 5, 0, 0, "")
	add(1, 1, 5, 1, 10, "lost")
	return GridSpec{
		Title: "RFM grid", Segments: []string{"champions — bulk buyers", "lapsed — rare buyers", "unsegmented", "prospects — a long name that needs two lines in its panel"},
		Unsegmented: false, IDs: []int{4, 7, -1, 9}, Cells: cells,
		Groups:      []string{"champions", "loyal", "about to sleep", "hibernating", "lost"},
		GroupColors: []color.RGBA{{R: 0x1a, G: 0x98, B: 0x50, A: 0xff}},
		SpendLabel:  "mean spend (€)",
	}
}

// TestGrid checks what the static RFM grid writes: each panel headed by
// the segment's id (none for the unsegmented group) and name, each cell's
// share of its segment, the groups in the legend and the spend scale.
func TestGrid(t *testing.T) {
	f, err := Grid(gridSample())
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "rfm-grid", f)
	var b bytes.Buffer
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{">4 · champions — bulk", "7 · lapsed — rare buyers", ">unsegmented<",
		">60%<", ">25%<", ">15%<", ">69%<", ">buyers<", ">20%<", ">10%<", ">1%<", ">100%<", ">no buyers<", ">9 · prospects — a long", ">name that needs two",
		">champions<", ">loyal<", ">about to sleep<", ">hibernating<", ">lost<",
		"mean spend (€)", ">1,000<", "recency score", "frequency score"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the grid's SVG lacks %q", want)
		}
	}
	for _, bad := range []string{"-1 · unsegmented", ">0%<", ">10,000<"} {
		if strings.Contains(svg, bad) {
			t.Errorf("the grid's SVG has %q", bad)
		}
	}
	if _, h := f.Size(); h < 150 {
		t.Errorf("height %v for a row of panels", h)
	}
	s := gridSample()
	s.Columns = 1
	tall, err := Grid(s)
	if err != nil {
		t.Fatal(err)
	}
	_, h1 := f.Size()
	_, h3 := tall.Size()
	if h3 < h1+2*150 {
		t.Errorf("three rows of one panel are %v tall, one row of three %v", h3, h1)
	}
}

func TestGridErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*GridSpec)
		want string
	}{
		{"no segments", func(s *GridSpec) { s.Segments = nil }, "no segments"},
		{"segment out of range", func(s *GridSpec) { s.Cells[0].Segment = 4 }, "cell 0: segment 4 of 4"},
		{"score 0", func(s *GridSpec) { s.Cells[1].R = 0 }, "cell 1: scores R 0, F 4"},
		{"score 6", func(s *GridSpec) { s.Cells[1].F = 6 }, "cell 1: scores R 5, F 6"},
		{"NaN spend", func(s *GridSpec) { s.Cells[2].Monetary = math.NaN() }, "cell 2: 15 users with mean spend NaN"},
		{"unknown group", func(s *GridSpec) { s.Cells[3].Group = "vip" }, `cell 3: group "vip" is not among Groups`},
		{"a cell twice", func(s *GridSpec) { s.Cells[1].F = 5 }, "cell 1: segment 0 has R 5, F 5 twice"},
		{"more colours than groups", func(s *GridSpec) { s.Groups = nil }, "1 group colours for 0 groups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := gridSample()
			tt.edit(&s)
			_, err := Grid(s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestGridShare(t *testing.T) {
	for _, tt := range []struct {
		users, total int
		want         string
	}{{1, 1, "100%"}, {1, 3, "33%"}, {1, 200, "1%"}, {1, 201, "<1%"}, {0, 5, "<1%"}} {
		if got := gridShare(tt.users, tt.total); got != tt.want {
			t.Errorf("gridShare(%d, %d) = %q, want %q", tt.users, tt.total, got, tt.want)
		}
	}
}

// TestElbowStability: the k chart draws stability and prediction strength
// in a panel of their own when they were measured, and only then.
func TestElbowStability(t *testing.T) {
	svg := func(s ElbowSpec) string {
		f, err := Elbow(s)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.WriteSVG(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	base := ElbowSpec{Title: "k", K: []int{2, 3, 4, 5}, Inertia: []float64{9, 5, 4, 3.5}, Silhouette: []float64{0.3, 0.5, 0.4, 0.35}, Chosen: 3}
	with := base
	with.Stability = []float64{0.95, 0.9, 0.7, math.NaN()}
	with.PredictionStrength = []float64{0.9, 0.85, 0.4, 0.3}
	f, err := Elbow(with)
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "elbow-stability", f)
	got := svg(with)
	for _, want := range []string{">Stability (higher is steadier)<", ">stability<", ">prediction strength<", ">Silhouette (higher is better separated)<"} {
		if !strings.Contains(got, want) {
			t.Errorf("the k chart with stability lacks %q", want)
		}
	}
	for _, s := range []ElbowSpec{base, func() ElbowSpec {
		s := base
		s.Stability = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
		return s
	}()} {
		if got := svg(s); strings.Contains(got, "Stability (higher is") || strings.Contains(got, ">stability<") {
			t.Errorf("a k chart without stability values draws its panel")
		}
	}
}
