package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/report"
	"github.com/persona-seg/persona/server"
)

// reportFor writes a report of run into a new folder, as persona run
// would beside the store, and returns its report.html: the run's segments
// with hours, categories, a 2-D map of the first 80 users and a trait for
// each segment.
func reportFor(t *testing.T, run *persona.Results) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	in := report.Input{Title: "test", Categories: []string{"books", "music", "toys"}}
	index := map[int]int{}
	for i, s := range run.Profiles.Segments {
		index[s.ID] = i
		in.Segments = append(in.Segments, report.Segment{ID: s.ID, Name: s.Name, Size: s.Size, Share: s.Share,
			Traits: []report.Trait{{Feature: "monetary", Z: 1 + float64(i)/4}}})
		hours := make([]float64, 24)
		for h := range hours {
			hours[h] = 1.0 / 24
		}
		hours[i], hours[(i+12)%24] = hours[i]+0.02, hours[(i+12)%24]-0.02
		in.HourShare = append(in.HourShare, hours)
		in.CategoryShare = append(in.CategoryShare, []float64{0.5, 0.25 + 0.05*float64(i), 0.25 - 0.05*float64(i)})
	}
	for i := range 80 {
		in.Projection = append(in.Projection, report.Point2{X: rng.NormFloat64(), Y: rng.NormFloat64(), Segment: index[run.Segments[i]], User: run.UserIDs[i]})
	}
	dir := t.TempDir()
	if err := report.Write(context.Background(), dir, in, report.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "report.html")
}

// TestDashboardReportChartsInChromium serves a run whose report stored
// its charts and uses the overview as a user would, in headless Chromium:
// the report's charts are drawn; hovering the 2-D map shows a user's id,
// hovering a bar its exact share; a click on a legend entry highlights
// the segment in every chart and in the table (whose other rows hide);
// Escape clears it; the table sorts by a header click; a click on a
// user's point opens the user's dashboard page, from the overview and from
// the full report at /report; a segment's page shows its own trait chart.
func TestDashboardReportChartsInChromium(t *testing.T) {
	bin := findChromium(t)
	run := results(t, "run-1", 600, 1)
	// Customer values and an outcome: the segment table at its widest.
	for i := range run.Profiles.Segments {
		clv := 1234.5 * float64(i+1)
		run.Profiles.Segments[i].Value = &profile.SegmentValue{Customers: 10, MeanPAlive: 0.5, LikelyLost: 0.25, LostBelow: 0.5, MeanCLV: &clv, TotalCLV: &clv, CLVShare: &clv}
		run.Profiles.Segments[i].Outcomes = []profile.OutcomeStat{{Name: "churned", Kind: profile.OutcomeRate, Value: 0.25, Users: 10}}
	}
	run.Profiles.Outcomes = []profile.OutcomeStat{{Name: "churned", Kind: profile.OutcomeRate, Value: 0.2}}
	src := newRuns()
	src.add(t, run)
	srv := httptest.NewServer(newServer(t, src, server.Options{Report: reportFor(t, run)}).Handler())
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun, chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	var mu sync.Mutex
	var requests, problems []string
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, "console.error")
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				problems = append(problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}))
	defer cancelTab()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("table.segments")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`window.persona.ready`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("charts not drawn: %v", err)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('figure.chart .vega')).filter(e => {
		const s = e.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0};
		return e.getAttribute('data-ready') === 'true' && r.width >= 300; }).map(e => e.id)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"chart-segment-sizes", "chart-profiles", "chart-hour-of-day", "chart-categories", "chart-projection"} {
		if !slices.Contains(drawn, id) {
			t.Errorf("the report's chart %s is not drawn on the overview (drawn: %v)", id, drawn)
		}
	}

	if overflow, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth - window.innerWidth`)); err != nil || overflow > 0 {
		t.Errorf("the overview is %.0f px wider than the 1280 px window (%v)", overflow, err)
	}

	// Hover: the map names the user, a bar gives its exact share.
	segs := run.Profiles.Segments
	user, seg := run.UserIDs[3], run.Segments[3]
	label := fmt.Sprintf("%d %s", seg, run.Model.Name(seg))
	for _, h := range []struct {
		chart, cond string
		want        []string
	}{
		{"chart-projection", fmt.Sprintf("d.user === %q", user), []string{user, label}},
		{"chart-categories", fmt.Sprintf("d.seg === %d && d.category === \"music\"", segs[1].ID), []string{fmt.Sprintf("%d %s", segs[1].ID, segs[1].Name), "music", "30.0%"}},
		{"chart-hour-of-day", fmt.Sprintf("d.seg === %d && d.x === \"12\"", segs[0].ID), []string{fmt.Sprintf("%d %s", segs[0].ID, segs[0].Name), "hour of day", "2.2%"}},
	} {
		got := hoverText(t, ctx, markJS(h.chart, h.cond))
		for _, w := range h.want {
			if !strings.Contains(got, w) {
				t.Errorf("hover on %s (%s): tooltip %q does not show %q", h.chart, h.cond, got, w)
			}
		}
	}

	// A click on segment 2's legend entry in the hours chart highlights it
	// everywhere: the other segments' marks fade, the table shows its row
	// only and the filter names it.
	target := segs[2].ID
	clickAt(t, ctx, fmt.Sprintf(`Array.from(document.querySelectorAll("#chart-hour-of-day .role-legend-label text")).find(e => e.textContent.startsWith("%d "))`, target))
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[*int](`window.persona.current()`)); err != nil || got == nil || *got != target {
		t.Fatalf("after a click on segment %d's legend entry, highlighted %v (%v)", target, got, err)
	}
	for _, id := range []string{"chart-segment-sizes", "chart-categories", "chart-projection"} {
		on := evalFloat(t, ctx, `+getComputedStyle(`+markJS(id, fmt.Sprintf("d.seg === %d", target))+`).opacity`)
		off := evalFloat(t, ctx, `+getComputedStyle(`+markJS(id, fmt.Sprintf("d.seg === %d", segs[0].ID))+`).opacity`)
		if on < 0.7 || off > 0.2 {
			t.Errorf("%s with segment %d highlighted: its opacity %v, segment %d's %v; want ≥ 0.7 and ≤ 0.2", id, target, on, segs[0].ID, off)
		}
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('table.segments tbody tr')).filter(r => r.offsetParent !== null).map(r => r.getAttribute('data-seg'))`))
	if err != nil || !slices.Equal(visible, []string{strconv.Itoa(target)}) {
		t.Errorf("table rows shown with segment %d highlighted: %v (%v)", target, visible, err)
	}
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('segment-filter').value`)); err != nil || v != strconv.Itoa(target) {
		t.Errorf("the filter shows %q (%v) with segment %d highlighted", v, err, target)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\u001b"), chromedp.Sleep(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('table.segments tbody tr')).filter(r => r.offsetParent !== null).length`)); err != nil || n != len(segs) {
		t.Errorf("after Escape the table shows %d rows (%v), want all %d", n, err, len(segs))
	}

	// The table sorts by users: ascending, then descending.
	col, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('table.segments thead th')).findIndex(th => th.textContent === 'Users')`))
	if err != nil || col < 0 {
		t.Fatalf("no Users column (%v)", err)
	}
	for _, desc := range []bool{false, true} {
		clickAt(t, ctx, fmt.Sprintf(`document.querySelectorAll('table.segments thead th')[%d]`, col))
		sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](fmt.Sprintf(`Array.from(document.querySelectorAll('table.segments tbody tr')).map(r => +r.cells[%d].getAttribute('data-sort'))`, col)))
		sorted := slices.IsSorted(sizes)
		if desc {
			sorted = slices.IsSortedFunc(sizes, func(a, b int) int { return b - a })
		}
		if err != nil || len(sizes) != len(segs) || !sorted {
			t.Errorf("users after a click on the header (descending %v): %v (%v)", desc, sizes, err)
		}
	}
	if *update {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "dashboard-report-charts.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A click on the user's point opens the user's page on the dashboard.
	clickAt(t, ctx, markJS("chart-projection", fmt.Sprintf("d.user === %q", user)))
	want := srv.URL + "/users/" + user
	var loc string
	for deadline := time.Now().Add(5 * time.Second); loc != want && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		loc, _ = chromedp.Run(ctx, chromedp.Location())
	}
	if loc != want {
		t.Fatalf("a click on user %s's point opened %s, want %s", user, loc, want)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible("#user-segment")); err != nil {
		t.Fatal(err)
	}
	if text, _ := chromedp.Run(ctx, chromedp.Text("#user-segment")); !strings.Contains(text, run.Model.Name(seg)) {
		t.Errorf("user %s's page says %q, want segment %q", user, text, run.Model.Name(seg))
	}

	// The full report, opened from the dashboard: its map's points link to
	// this dashboard's user pages, not to the address the report was
	// written with (persona serve's default).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/report"), chromedp.WaitReady("footer")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`window.persona.ready`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("the report's charts are not drawn at /report: %v", err)
	}
	clickAt(t, ctx, markJS("chart-projection", fmt.Sprintf("d.user === %q", user)))
	loc = ""
	for deadline := time.Now().Add(5 * time.Second); loc != want && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		loc, _ = chromedp.Run(ctx, chromedp.Location())
	}
	if loc != want {
		t.Errorf("in /report, a click on user %s's point opened %s, want %s", user, loc, want)
	}

	// A segment's page draws its own trait chart.
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/segments/%d", srv.URL, segs[1].ID)), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`window.persona.ready`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	got := hoverText(t, ctx, markJS(fmt.Sprintf("chart-segment-%d", segs[1].ID), fmt.Sprintf("d.seg === %d", segs[1].ID)))
	if !strings.Contains(got, "net spend") || !strings.Contains(got, "+1.25") {
		t.Errorf("hover on segment %d's trait chart: %q, want net spend (monetary) and +1.25", segs[1].ID, got)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		if u != "about:blank" && !strings.HasPrefix(u, srv.URL+"/") {
			t.Errorf("the dashboard requested %s; it must request nothing outside the server", u)
		}
	}
	for _, p := range problems {
		t.Errorf("browser reported: %s", p)
	}
}
