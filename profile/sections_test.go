package profile

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

var update = flag.Bool("update", false, "update .golden files")

// tinyInput is four users in two segments; TestSectionsHandChecked works
// out their profile by hand.
func tinyInput() Input {
	return Input{
		UserIDs: []string{"a", "b", "c", "d"},
		Names:   []string{"age", "gender_female", "gender_male", "spend_share_books", "spend_share_toys", "recency_days", "frequency", "monetary"},
		X: mat.NewDense(4, 8, []float64{
			20, 1, 0, 1.0, 0.0, 10, 5, 100,
			30, 1, 0, 0.5, 0.5, 20, 3, 50,
			50, 0, 1, 0.0, 1.0, 100, 1, 10,
			70, 0, 1, 0.0, 0.0, 400, 0, 0,
		}),
		Labels: []int{0, 0, 1, 1},
		Space:  mat.NewDense(4, 1, []float64{0, 1, 5, 9}),
	}
}

func TestSectionsHandChecked(t *testing.T) {
	rep, err := Build(tinyInput())
	if err != nil {
		t.Fatal(err)
	}
	s0, s1 := rep.Segments[0], rep.Segments[1]
	approx := cmpopts.EquateApprox(1e-12, 1e-12)

	// Gender: segment 0 is all female against half of the base.
	wantGender := Categorical{Field: "gender", Shares: []Share{
		{Value: "female", Share: 1, Base: 0.5, Lift: 2},
		{Value: "male", Share: 0, Base: 0.5, Lift: 0},
	}}
	if diff := cmp.Diff([]Categorical{wantGender}, s0.Demographics.Fields, approx); diff != "" {
		t.Errorf("segment 0 demographics (-want +got):\n%s", diff)
	}
	// Ages 20 and 30 against 20, 30, 50, 70 (one user per band).
	wantBands := []Share{
		{"under 25", 0.5, 0.25, 2}, {"25–34", 0.5, 0.25, 2}, {"35–44", 0, 0, 1},
		{"45–54", 0, 0.25, 0}, {"55–64", 0, 0, 1}, {"65+", 0, 0.25, 0},
	}
	if diff := cmp.Diff(wantBands, s0.Demographics.AgeBands, approx); diff != "" {
		t.Errorf("segment 0 age bands (-want +got):\n%s", diff)
	}
	if m := s0.Demographics.Age; m == nil || m.Mean != 25 || m.Base != 42.5 {
		t.Errorf("segment 0 age = %+v, want mean 25, base 42.5", m)
	}
	// Interests: books 0.75 vs 0.375 (lift 2); toys 0.25 vs 0.375 is below
	// the base and left out. Segment 1: toys 0.5 vs 0.375.
	if diff := cmp.Diff([]Interest{{Kind: "spend", Name: "books", Mean: 0.75, Base: 0.375, Lift: 2}}, s0.Psychographic.Interests, approx); diff != "" {
		t.Errorf("segment 0 interests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Interest{{Kind: "spend", Name: "toys", Mean: 0.5, Base: 0.375, Lift: 4.0 / 3}}, s1.Psychographic.Interests, approx); diff != "" {
		t.Errorf("segment 1 interests (-want +got):\n%s", diff)
	}
	// RFM (see TestScoreRFM): a loyal, b hibernating, c lost, d no purchase.
	want := &RFMTable{Groups: RFMGroups(), Segments: []int{0, 1}, Counts: [][]int{
		{0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1},
	}}
	if diff := cmp.Diff(want, rep.RFM); diff != "" {
		t.Errorf("RFM cross-table (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&SegmentRFM{Buyers: 2, R: 3, F: 3, M: 3, Top: GroupLoyal}, s0.Behaviour.Scores, approx); diff != "" {
		t.Errorf("segment 0 RFM scores (-want +got):\n%s", diff)
	}
	if len(s0.Behaviour.RFM) != 3 || s0.Behaviour.RFM[1].Feature != "frequency" || s0.Behaviour.RFM[1].Mean != 4 || s0.Behaviour.RFM[1].Base != 2.25 {
		t.Errorf("segment 0 RFM metrics = %+v, want recency, frequency (mean 4, base 2.25), monetary", s0.Behaviour.RFM)
	}
	// Medoids: in each segment both members are equally near the centre
	// and have the same total distance, so input order decides.
	if s1.Medoid != "c" || s0.Medoid != "a" {
		t.Errorf("medoids %q, %q; want a, c", s0.Medoid, s1.Medoid)
	}
}

func TestMedoidIsNotTheNearestToTheMean(t *testing.T) {
	// Points 0, 0.5, 1, 1.1, 20: the mean 4.52 is nearest 1.1 (total
	// distance to the others 1.1 + 0.6 + 0.1 + 18.9 = 20.7), but 1 has the
	// least total distance (1 + 0.5 + 0.1 + 19 = 20.6).
	in := Input{
		UserIDs: []string{"p", "q", "r", "s", "t"},
		Names:   []string{"x"},
		X:       mat.NewDense(5, 1, []float64{0, 0.5, 1, 1.1, 20}),
		Labels:  []int{0, 0, 0, 0, 0},
		Space:   mat.NewDense(5, 1, []float64{0, 0.5, 1, 1.1, 20}),
	}
	rep, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Segments[0]
	if s.Medoid != "r" {
		t.Errorf("medoid = %q, want r", s.Medoid)
	}
	if diff := cmp.Diff([]string{"s", "q", "p", "t"}, s.Examples); diff != "" {
		t.Errorf("examples (-want +got):\n%s", diff)
	}
}

func TestWriteMarkdownGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   Input
	}{{"tiny", tinyInput()}, {"attributes", customerTable()}} {
		t.Run(tt.name, func(t *testing.T) { markdownGolden(t, tt.in, filepath.Join("testdata", tt.name+".md.golden")) })
	}
}

func markdownGolden(t *testing.T, in Input, golden string) {
	rep, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("profiles.md (-want +got):\n%s", diff)
	}
}

func TestUnsegmentedProfiledLast(t *testing.T) {
	in := tinyInput()
	in.Labels = []int{Unsegmented, 0, 0, 1}
	rep, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, s := range rep.Segments {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]int{0, 1, Unsegmented}, ids); diff != "" {
		t.Errorf("segment order (-want +got):\n%s", diff)
	}
	last := rep.Segments[2]
	if last.Standing != StandingUnsegmented || last.Size != 1 || len(last.Actions) != 3 {
		t.Errorf("noise group: standing %q, size %d, %d actions", last.Standing, last.Size, len(last.Actions))
	}
	if diff := cmp.Diff([]int{0, 1, Unsegmented}, rep.RFM.Segments); diff != "" {
		t.Errorf("RFM cross-table rows (-want +got):\n%s", diff)
	}
}

func TestReportJSONGolden(t *testing.T) {
	rep, err := Build(tinyInput())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "tiny.json.golden")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("profiles.json (-want +got):\n%s", diff)
	}
	var back Report
	if err := json.Unmarshal(want, &back); err != nil || back.Version != Version {
		t.Errorf("golden file does not decode as version %d: %v", Version, err)
	}
}
