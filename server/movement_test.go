package server_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/server"
)

// TestMovementTable checks the overview's movement since the previous
// run against a count made here by user id: every cell, the users of both
// runs, the new and the gone; and no table for a store's first run.
func TestMovementTable(t *testing.T) {
	prev := results(t, "run-0", 500, 2)
	cur := results(t, "run-1", 600, 1)
	segOf := func(ids []string, segs []int) map[string]int {
		m := map[string]int{}
		for i, u := range ids {
			m[u] = segs[i]
		}
		return m
	}
	before, after := segOf(prev.UserIDs, prev.Segments), segOf(cur.UserIDs, cur.Segments)
	want := map[string]int{}
	both, gone := 0, 0
	for u, a := range before {
		b, ok := after[u]
		if !ok {
			gone++
			continue
		}
		both++
		want[fmt.Sprintf("%d>%d", a, b)]++
	}
	src := newRuns()
	src.add(t, prev)
	src.add(t, cur)
	_, body, _ := do(t, newServer(t, src, server.Options{}).Handler(), "GET", "/", "")
	m := regexp.MustCompile(`(?s)<section id="movement">.*?</section>`).FindString(body)
	if m == "" {
		t.Fatal("no movement section on the overview")
	}
	summary := regexp.MustCompile(`Users of both runs \((\d+)\).*?(\d+) users are new and (\d+) have left`).FindStringSubmatch(m)
	if summary == nil {
		t.Fatalf("no counts of both, new and gone in %q", m)
	}
	if got := summary[1:]; !cmp.Equal(got, []string{strconv.Itoa(both), strconv.Itoa(len(after) - both), strconv.Itoa(gone)}) {
		t.Errorf("both, new, gone = %v, want %d, %d, %d", got, both, len(after)-both, gone)
	}
	got := map[string]int{}
	row := regexp.MustCompile(`(?s)<tr><th>(-?\d+) [^<]*</th>(.*?)</tr>`)
	cell := regexp.MustCompile(`<td class="n[^"]*" data-seg="(-?\d+)">(\d+)</td>`)
	for _, r := range row.FindAllStringSubmatch(m, -1) {
		for _, c := range cell.FindAllStringSubmatch(r[2], -1) {
			if n, _ := strconv.Atoi(c[2]); n > 0 {
				got[r[1]+">"+c[1]] = n
			}
		}
	}
	if len(want) < 3 {
		t.Fatalf("the two runs move users between %d pairs of segments only: a weak test", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("movement cells from>to (-want +got):\n%s", diff)
	}

	first := newRuns()
	first.add(t, prev)
	if _, body, _ := do(t, newServer(t, first, server.Options{}).Handler(), "GET", "/", ""); regexp.MustCompile(`id="movement"`).MatchString(body) {
		t.Error("a store's only run shows a movement table")
	}
}

// TestFeatureLabelsOnPages checks that a segment's and a user's feature
// tables name features in words, with the column name on hover, and give
// values in the features' units.
func TestFeatureLabelsOnPages(t *testing.T) {
	run := results(t, "run-1", 60, 1)
	src := newRuns()
	src.add(t, run)
	h := newServer(t, src, server.Options{}).Handler()
	for _, path := range []string{"/segments/0", "/users/" + run.UserIDs[0]} {
		code, body, _ := do(t, h, "GET", path, "")
		for _, w := range []string{`<td title="monetary">net spend</td>`, `<td title="recency_days">days since the last order</td>`} {
			if code != 200 || !strings.Contains(body, w) {
				t.Errorf("GET %s = %d, without %s", path, code, w)
			}
		}
		// Values in the feature's unit: recency in days.
		if !regexp.MustCompile(`<td title="recency_days">days since the last order</td><td class="n" data-sort="[^"]+">[0-9.,]+ days</td>`).MatchString(body) {
			t.Errorf("GET %s: recency not written in days", path)
		}
	}
}
