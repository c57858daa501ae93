package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/audience"
	"github.com/persona-seg/persona/server"
)

type membersPage struct {
	RunID   string `json:"run_id"`
	Segment int    `json:"segment"`
	Total   int    `json:"total"`
	Users   []struct {
		UserID   string  `json:"user_id"`
		Distance float64 `json:"distance"`
	} `json:"users"`
	Next string `json:"next"`
}

// TestMembersPagination pages through every segment with several limits
// and checks that the pages together hold exactly the segment's users, in
// run order, with their distances.
func TestMembersPagination(t *testing.T) {
	src := newRuns()
	run := results(t, "run-1", 250, 1)
	src.add(t, run)
	h := newServer(t, src, server.Options{}).Handler()
	want := map[int][]string{}
	dist := map[string]float64{}
	for i, l := range run.Segments {
		want[l] = append(want[l], run.UserIDs[i])
		dist[run.UserIDs[i]] = run.Distance[i]
	}
	for seg, ids := range want {
		for _, limit := range []int{1, 7, 100, 10000} {
			var got []string
			path := "/api/segments/" + strconv.Itoa(seg) + "/users?limit=" + strconv.Itoa(limit)
			for pages := 0; ; pages++ {
				code, body, _ := do(t, h, "GET", path, "")
				if code != http.StatusOK {
					t.Fatalf("GET %s: %d %s", path, code, body)
				}
				var p membersPage
				if err := json.Unmarshal([]byte(body), &p); err != nil {
					t.Fatal(err)
				}
				if p.Total != len(ids) || p.Segment != seg || p.RunID != "run-1" || len(p.Users) > limit {
					t.Fatalf("GET %s: total %d, segment %d, run %q, %d users; want %d, %d, run-1, at most %d", path, p.Total, p.Segment, p.RunID, len(p.Users), len(ids), seg, limit)
				}
				for _, u := range p.Users {
					got = append(got, u.UserID)
					if u.Distance != dist[u.UserID] {
						t.Errorf("user %s: distance %v, want %v", u.UserID, u.Distance, dist[u.UserID])
					}
				}
				if p.Next == "" {
					break
				}
				if pages > len(ids) {
					t.Fatal("pagination does not end")
				}
				path = "/api/segments/" + strconv.Itoa(seg) + "/users?limit=" + strconv.Itoa(limit) + "&after=" + p.Next
			}
			if diff := cmp.Diff(ids, got); diff != "" {
				t.Errorf("segment %d, limit %d: users (-want +got):\n%s", seg, limit, diff)
			}
		}
	}
}

func TestMembersErrors(t *testing.T) {
	src := newRuns()
	src.add(t, results(t, "run-1", 60, 1))
	s := newServer(t, src, server.Options{})
	h := s.Handler()
	_, body, _ := do(t, h, "GET", "/api/segments/0/users?limit=10", "")
	var p membersPage
	json.Unmarshal([]byte(body), &p)
	tests := []struct {
		name, path string
		code       int
		wantErr    string
	}{
		{"unknown segment", "/api/segments/99/users", 404, "segment 99 not found"},
		{"bad id", "/api/segments/x/users", 400, "segment id must be an integer"},
		{"limit zero", "/api/segments/0/users?limit=0", 400, "limit must be an integer from 1 to 10000"},
		{"limit too large", "/api/segments/0/users?limit=10001", 400, "limit must be"},
		{"bad cursor", "/api/segments/0/users?after=abc", 400, "after must be the next cursor"},
		{"cursor past the end", "/api/segments/0/users?after=run-1:9999", 400, "after must be the next cursor"},
		{"export format", "/api/segments/0/export?format=xlsx", 400, "format must be csv"},
		{"export unknown segment", "/api/segments/99/export", 404, "segment 99 not found"},
		{"method", "POST /api/segments/0/users", 405, "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := "GET", tt.path
			if m, p, ok := strings.Cut(tt.path, " "); ok {
				method, path = m, p
			}
			code, body, _ := do(t, h, method, path, "")
			if code != tt.code || !strings.Contains(body, tt.wantErr) {
				t.Errorf("%s %s: %d %s, want %d and %q", method, path, code, body, tt.code, tt.wantErr)
			}
		})
	}
	// A cursor of a run that is no longer served is a conflict, not a skip.
	src.add(t, results(t, "run-2", 60, 2))
	if _, err := s.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code, body, _ := do(t, h, "GET", "/api/segments/0/users?after="+p.Next, ""); code != http.StatusConflict || !strings.Contains(body, "start again") {
		t.Errorf("old run's cursor: %d %s, want 409", code, body)
	}
}

// TestExport reads a segment's export back: persona export's columns
// (package audience), one row per member, the same users as the member
// list; attributes on request; JSON lines too.
func TestExport(t *testing.T) {
	src := newRuns()
	run := results(t, "run-1", 120, 3)
	n := len(run.UserIDs)
	churn, plan, mail := make([]float64, n), make([]string, n), make([]string, n)
	for i := range n {
		churn[i] = float64(i % 2)
		plan[i] = []string{"basic", "pro"}[i%2]
		mail[i] = audience.HashEmail(fmt.Sprintf("u%d@example.com", i))
	}
	run.Columns = []persona.Column{
		{Name: "churned", Kind: persona.KindOutcome, Numbers: churn},
		{Name: "plan", Kind: persona.KindAttribute, Texts: plan},
		{Name: "email_sha256", Kind: persona.KindIdentifier, Texts: mail},
	}
	src.add(t, run)
	h := newServer(t, src, server.Options{}).Handler()
	code, body, hdr := do(t, h, "GET", "/api/segments/1/export?format=csv&attributes=plan", "")
	if code != http.StatusOK || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(hdr.Get("Content-Disposition"), `filename="segment-1-run-1.csv"`) {
		t.Fatalf("export: %d, %q, %q", code, hdr.Get("Content-Type"), hdr.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"user_id", "segment_id", "segment_name", "distance", "churned", "plan", "email_sha256"}}
	var name string
	for _, sg := range run.Profiles.Segments {
		if sg.ID == 1 {
			name = sg.Name
		}
	}
	for i, l := range run.Segments {
		if l == 1 {
			want = append(want, []string{run.UserIDs[i], "1", name, strconv.FormatFloat(run.Distance[i], 'g', -1, 64), fmt.Sprint(i % 2), plan[i], mail[i]})
		}
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}
	code, body, hdr = do(t, h, "GET", "/api/segments/1/export?format=jsonl", "")
	if lines := strings.Count(body, "\n"); code != 200 || hdr.Get("Content-Type") != "application/x-ndjson" || lines != len(want)-1 || strings.Contains(body, `"plan"`) {
		t.Errorf("jsonl export: %d %q, %d lines (want %d, without plan)", code, hdr.Get("Content-Type"), lines, len(want)-1)
	}
	for _, tt := range []struct{ path, want string }{
		{"/api/segments/1/export?format=xlsx", "format must be csv or jsonl"},
		{"/api/segments/1/export?attributes=shoe_size", `no attribute \"shoe_size\" (its attributes: plan)`},
		{"/api/segments/9/export", "segment 9 not found"},
	} {
		if code, body, _ := do(t, h, "GET", tt.path, ""); code/100 != 4 || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d %s, want a 4xx with %q", tt.path, code, body, tt.want)
		}
	}
}

// TestMembersColumns pages through a segment of a run with customer values
// and outcomes: every member carries the columns of persona export (its
// line of the JSON lines export, the same keys and values), a customer its
// value.csv figures and a user without a purchase nulls; the pages
// together are the export, in order.
func TestMembersColumns(t *testing.T) {
	src := newRuns()
	run := results(t, "run-c", 90, 5)
	n := len(run.UserIDs)
	churn, mail := make([]float64, n), make([]string, n)
	v := &persona.Values{TimeUnit: "days", End: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), HorizonMonths: 12, LostBelow: 0.5,
		Users: make([]persona.CustomerValue, n)}
	for i := range n {
		churn[i] = float64(i % 2)
		if i%5 == 0 {
			churn[i] = math.NaN()
		}
		mail[i] = audience.HashEmail(fmt.Sprintf("u%d@example.com", i))
		if i%3 != 0 {
			v.Users[i] = persona.CustomerValue{Customer: true, RepeatPurchases: i % 4, FirstToLast: float64(i), FirstToEnd: float64(2 * i), MeanRepeatValue: 10 + float64(i)/4,
				PAlive: float64(i%8) / 8, ExpectedPurchases: float64(i) / 16, ExpectedOrderValue: 12.5, CLV: float64(i) * 1.5, NextOrderDays: float64(i)}
		}
	}
	run.Columns = []persona.Column{
		{Name: "churned", Kind: persona.KindOutcome, Numbers: churn},
		{Name: "email_sha256", Kind: persona.KindIdentifier, Texts: mail},
	}
	run.Values = v
	src.add(t, run)
	h := newServer(t, src, server.Options{}).Handler()
	wantCols := []string{"user_id", "segment_id", "segment_name", "distance", "repeat_purchases", "first_to_last_days", "first_to_end_days",
		"mean_repeat_value", "p_alive", "expected_purchases", "expected_order_value", "clv", "next_order_date", "churned", "email_sha256"}
	for seg := range 3 {
		code, body, _ := do(t, h, "GET", fmt.Sprintf("/api/segments/%d/export?format=jsonl", seg), "")
		if code != http.StatusOK {
			t.Fatalf("export %d: %d %s", seg, code, body)
		}
		var want []map[string]any
		for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatal(err)
			}
			want = append(want, m)
		}
		var got []map[string]any
		path := fmt.Sprintf("/api/segments/%d/users?limit=7", seg)
		for pages := 0; ; pages++ {
			code, body, _ := do(t, h, "GET", path, "")
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, code, body)
			}
			var p struct {
				Total   int              `json:"total"`
				Columns []string         `json:"columns"`
				Users   []map[string]any `json:"users"`
				Next    string           `json:"next"`
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantCols, p.Columns); diff != "" {
				t.Fatalf("GET %s: columns (-want +got):\n%s", path, diff)
			}
			if p.Total != len(want) || len(p.Users) > 7 {
				t.Fatalf("GET %s: total %d, %d users; want %d, at most 7", path, p.Total, len(p.Users), len(want))
			}
			got = append(got, p.Users...)
			if p.Next == "" {
				break
			}
			if pages > len(want) {
				t.Fatal("pagination does not end")
			}
			path = fmt.Sprintf("/api/segments/%d/users?limit=7&after=%s", seg, p.Next)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("segment %d: members (-export +pages):\n%s", seg, diff)
		}
		for _, u := range got {
			i := slices.Index(run.UserIDs, u["user_id"].(string))
			c := v.Users[i]
			wantCLV, wantChurn := any(nil), any(nil)
			if c.Customer {
				wantCLV = c.CLV
			}
			if !math.IsNaN(churn[i]) {
				wantChurn = churn[i]
			}
			if u["clv"] != wantCLV || u["churned"] != wantChurn || u["distance"] != run.Distance[i] || u["segment_id"] != float64(seg) {
				t.Errorf("user %s: clv %v, churned %v, distance %v, segment %v; want %v, %v, %v, %d", run.UserIDs[i], u["clv"], u["churned"], u["distance"], u["segment_id"], wantCLV, wantChurn, run.Distance[i], seg)
			}
		}
	}
}
