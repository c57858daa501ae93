package server_test

import (
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/server"
)

// TestOverviewOutcomeColumns checks that a run's outcomes become columns
// of the dashboard's segment table: a rate as a percentage, a mean as a
// number, each segment's own value.
func TestOverviewOutcomeColumns(t *testing.T) {
	run := results(t, "run-1", 300, 4)
	n := len(run.UserIDs)
	churned := make([]float64, n)
	spend := make([]float64, n)
	for i, l := range run.Segments {
		if l == 1 {
			churned[i] = 1 // segment 1 churned, all of it
		}
		spend[i] = float64(10 * (l + 1))
	}
	churned[0] = math.NaN()
	prof, err := profile.Build(profile.Input{UserIDs: run.UserIDs, Names: run.FeatureNames, X: mat.NewDense(n, len(run.FeatureNames), run.X),
		Labels: run.Segments, Distance: run.Distance, Outcomes: []profile.Outcome{
			{Name: "churned", Kind: profile.OutcomeRate, Values: churned}, {Name: "next_quarter_spend", Kind: profile.OutcomeMean, Values: spend}}})
	if err != nil {
		t.Fatal(err)
	}
	run.Profiles = prof
	src := newRuns()
	src.add(t, run)
	code, body, _ := do(t, newServer(t, src, server.Options{}).Handler(), "GET", "/", "")
	if code != http.StatusOK {
		t.Fatalf("GET /: %d", code)
	}
	for _, h := range []string{">churned</th>", ">next_quarter_spend</th>"} {
		if !strings.Contains(body, h) {
			t.Errorf("no %s column in the segment table", h)
		}
	}
	for _, seg := range prof.Segments {
		row := regexp.MustCompile(`(?s)<tr data-seg="` + regexp.QuoteMeta(itoa(seg.ID)) + `">.*?</tr>`).FindString(body)
		cells := regexp.MustCompile(`<td class="n outcome[^"]*" data-sort="[^"]*"[^>]*>([^<]*)</td>`).FindAllStringSubmatch(row, -1)
		if len(cells) != 2 {
			t.Fatalf("segment %d's row has %d outcome cells, want 2: %s", seg.ID, len(cells), row)
		}
		wantRate := "0.0%"
		if seg.ID == 1 {
			wantRate = "100.0%"
		}
		if cells[0][1] != wantRate || cells[1][1] != itoa(10*(seg.ID+1)) {
			t.Errorf("segment %d: churned %q, next_quarter_spend %q; want %q and %d", seg.ID, cells[0][1], cells[1][1], wantRate, 10*(seg.ID+1))
		}
	}
}

// TestSegmentsOutcomes checks GET /api/segments gives each segment's
// outcomes: its rate or mean, the base's, the lift and the count.
func TestSegmentsOutcomes(t *testing.T) {
	run := results(t, "run-1", 300, 4)
	n := len(run.UserIDs)
	churned := make([]float64, n)
	var base float64
	for i, l := range run.Segments {
		if l == 1 {
			churned[i] = 1
			base++
		}
	}
	base /= float64(n)
	prof, err := profile.Build(profile.Input{UserIDs: run.UserIDs, Names: run.FeatureNames, X: mat.NewDense(n, len(run.FeatureNames), run.X),
		Labels: run.Segments, Outcomes: []profile.Outcome{{Name: "churned", Kind: profile.OutcomeRate, Values: churned}}})
	if err != nil {
		t.Fatal(err)
	}
	run.Profiles = prof
	src := newRuns()
	src.add(t, run)
	code, body, _ := do(t, newServer(t, src, server.Options{}).Handler(), "GET", "/api/segments", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/segments: %d %s", code, body)
	}
	var got struct {
		Segments []struct {
			ID       int                   `json:"id"`
			Size     int                   `json:"size"`
			Outcomes []profile.OutcomeStat `json:"outcomes"`
		} `json:"segments"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Segments) != len(prof.Segments) {
		t.Fatalf("%d segments, want %d", len(got.Segments), len(prof.Segments))
	}
	for _, s := range got.Segments {
		if len(s.Outcomes) != 1 {
			t.Fatalf("segment %d: outcomes %+v", s.ID, s.Outcomes)
		}
		o := s.Outcomes[0]
		want, count := 0.0, 0
		if s.ID == 1 {
			want, count = 1, s.Size
		}
		if o.Name != "churned" || o.Value != want || o.Count != count || o.Users != s.Size || math.Abs(o.Base-base) > 1e-12 {
			t.Errorf("segment %d: %+v; want rate %g, count %d of %d, base %g", s.ID, o, want, count, s.Size, base)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
