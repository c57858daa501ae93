package server_test

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/server"
)

var update = flag.Bool("update", false, "update the screenshots in testdata")

// findChromium returns the path of a Chromium or Chrome binary. Without one
// the test skips, unless the CI environment variable is set.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium found: install the Debian package chromium to run the dashboard test"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this is an error)")
	}
	t.Skip(msg)
	return ""
}

// TestDashboardInChromium opens the dashboard in headless Chromium: it
// hovers and clicks the overview's charts, filters by segment, reads the
// movement since the previous run, opens a segment, pages through its
// members and exports them, looks a user up with the search box, opens
// the full report, and saves screenshots (into testdata with -update). The
// pages must request nothing but the server's own URLs and log no error,
// under the dashboard's Content-Security-Policy.
func TestDashboardInChromium(t *testing.T) {
	bin := findChromium(t)
	src := newRuns()
	src.add(t, results(t, "run-0", 500, 2))
	run := results(t, "run-1", 600, 1)
	src.add(t, run)
	reportFile := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(reportFile, []byte(`<!DOCTYPE html><link rel="icon" href="data:,"><title>the report</title><h1 id="report">report</h1><script>document.title = "drawn"</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	// With a token: the browser signs in once, then its session cookie
	// carries the pages and the member list's API calls.
	s := newServer(t, src, server.Options{Report: reportFile, Token: "dash-token"})
	var mu sync.Mutex
	srv := httptest.NewServer(s.Handler())
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
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") && !strings.HasSuffix(ev.Entry.URL, "/users/-nobody") && !strings.HasSuffix(ev.Entry.URL, "/login") {
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
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), name)
		if *update {
			out = filepath.Join("testdata", name)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", out)
	}

	// Sign in: the dashboard sends the browser to the login form, which
	// refuses a wrong token and takes the right one back to the page.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("#login"),
		chromedp.SendKeys("#token", "wrong"), chromedp.Submit("#login"), chromedp.WaitVisible("#login-error")); err != nil {
		t.Fatalf("login form: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys("#token", "dash-token"), chromedp.Submit("#login"), chromedp.WaitVisible("table.segments")); err != nil {
		t.Fatalf("login: %v", err)
	}
	// The overview (loaded afresh, so that its scripts have run): a row
	// per segment and the charts at a real size.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("table.segments")); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.segments tbody tr').length`))
	if err != nil || rows != len(run.Profiles.Segments) {
		t.Errorf("overview lists %d segments (%v), want %d", rows, err, len(run.Profiles.Segments))
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`window.persona.ready`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("charts not drawn: %v", err)
	}
	type box struct {
		ID    string
		Ready string
		W, H  float64
	}
	boxes, err := chromedp.Run(ctx, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll('figure.chart .vega')).map(e => {
		const s = e.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
		return {ID: e.id, Ready: e.getAttribute('data-ready'), W: r.width, H: r.height}; })`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range boxes {
		ids = append(ids, b.ID)
		if b.Ready != "true" || b.W < 400 || b.H < 100 {
			t.Errorf("chart %s: ready %q, drawn %.0f×%.0f px; want ready and at least 400×100", b.ID, b.Ready, b.W, b.H)
		}
	}
	if diff := cmp.Diff([]string{"chart-sizes", "chart-heatmap", "chart-traits", "chart-rfm", "chart-rfm-grid"}, ids); diff != "" {
		t.Errorf("overview charts (-want +got):\n%s", diff)
	}
	// Hover: exact values.
	seg := run.Profiles.Segments[1]
	label := fmt.Sprintf("%d %s", seg.ID, seg.Name)
	for _, h := range []struct {
		chart, cond string
		want        []string
	}{
		{"chart-sizes", fmt.Sprintf("d.seg === %d", seg.ID), []string{label, strconv.Itoa(seg.Size)}},
		{"chart-heatmap", fmt.Sprintf("d.seg === %d && d.feature === %q", seg.ID, "net spend"), []string{label, "net spend", "monetary", "segment mean"}},
		{"chart-rfm", fmt.Sprintf("d.seg === %d && d.median !== undefined", seg.ID), []string{label, "median"}},
		{"chart-rfm-grid", fmt.Sprintf("d.seg === %d", seg.ID), []string{label, "RFM group", "frequency score"}},
	} {
		got := hoverText(t, ctx, markJS(h.chart, h.cond))
		for _, w := range h.want {
			if !strings.Contains(got, w) {
				t.Errorf("hover on %s (%s): tooltip %q does not show %q", h.chart, h.cond, got, w)
			}
		}
	}
	// The segment filter highlights the segment in every chart and hides
	// the other rows; a click on a bar moves the filter with it.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](fmt.Sprintf(`(() => { const f = document.getElementById('segment-filter'); f.value = "%d"; f.dispatchEvent(new Event('change')); return null; })()`, seg.ID))); err != nil {
		t.Fatal(err)
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('table.segments tbody tr')).filter(r => r.offsetParent !== null).map(r => r.getAttribute('data-seg'))`))
	if err != nil || len(visible) != 1 || visible[0] != strconv.Itoa(seg.ID) {
		t.Errorf("rows shown with the filter on segment %d: %v (%v)", seg.ID, visible, err)
	}
	for _, id := range []string{"chart-sizes", "chart-heatmap", "chart-rfm-grid"} {
		on := evalFloat(t, ctx, `+getComputedStyle(`+markJS(id, fmt.Sprintf("d.seg === %d", seg.ID))+`).opacity`)
		off := evalFloat(t, ctx, `+getComputedStyle(`+markJS(id, fmt.Sprintf("d.seg === %d", run.Profiles.Segments[0].ID))+`).opacity`)
		if on < 0.7 || off > 0.2 {
			t.Errorf("%s filtered on segment %d: its opacity %v, segment 0's %v; want ≥ 0.7 and ≤ 0.2", id, seg.ID, on, off)
		}
	}
	shot("dashboard-overview.png")
	clickAt(t, ctx, markJS("chart-sizes", fmt.Sprintf("d.seg === %d", run.Profiles.Segments[2].ID)))
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('segment-filter').value`)); err != nil || v != strconv.Itoa(run.Profiles.Segments[2].ID) {
		t.Errorf("after a click on segment 2's bar the filter shows %q (%v)", v, err)
	}
	// Movement since run-0: the counts add up to the users of both runs.
	total, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('table.movement tbody td')).reduce((a, td) => a + +td.textContent, 0)`))
	if err != nil || total != 500 {
		t.Errorf("movement table counts %d users (%v), want the 500 of both runs", total, err)
	}
	// The full report.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("a.report-link")), chromedp.WaitVisible("#report")); err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`)); err != nil || title != "drawn" {
		t.Errorf("the report's inline script did not run: title %q (%v)", title, err)
	}

	// A segment's page: its members, 50 at a time, and their export.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("table.segments"),
		chromedp.Click(chromedp.CSS("table.segments tbody tr:nth-child(2) a.segment-link")), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	h1, _ := chromedp.Run(ctx, chromedp.Text("h1"))
	if !strings.HasSuffix(loc, "/segments/1") || !strings.Contains(h1, seg.Name) {
		t.Errorf("after clicking segment 1: at %s with heading %q, want /segments/1 and %q", loc, h1, seg.Name)
	}
	var members []string
	for i, l := range run.Segments {
		if l == seg.ID {
			members = append(members, run.UserIDs[i])
		}
	}
	loaded := func(want int) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById('members').getAttribute('data-loaded') === "%d"`, want), chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('members').getAttribute('data-loaded') + " " + document.getElementById('members-count').textContent`))
			t.Fatalf("member list: want %d rows, have %s", want, got)
		}
	}
	loaded(50)
	clickAt(t, ctx, `document.getElementById('members-more')`)
	loaded(min(100, len(members)))
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#members tbody tr a')).map(a => a.textContent)`))
	if err != nil || !slices.Equal(shown, members[:min(100, len(members))]) {
		t.Errorf("member list shows %d users, want the segment's first %d in order (%v)", len(shown), min(100, len(members)), err)
	}
	csvText, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById('members-export').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil || strings.Count(csvText, "\n") != len(members)+1 || !strings.HasPrefix(csvText, "user_id,segment_id,segment_name,distance\n"+members[0]+",") {
		t.Errorf("export: %d lines (%v), want a header and %d users", strings.Count(csvText, "\n"), err, len(members))
	}
	shot("dashboard-segment.png")
	// A member links to the user's page.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#members tbody tr:first-child a")), chromedp.WaitVisible("#user-segment")); err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/users/"+members[0]) {
		t.Errorf("a click on the first member opened %s, want /users/%s", loc, members[0])
	}

	// Look a user up with the search box.
	user := run.UserIDs[7]
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/segments/1"), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys("#user-search", user), chromedp.Submit("#user-search"), chromedp.WaitVisible("#user-segment")); err != nil {
		t.Fatal(err)
	}
	loc, _ = chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Text("#user-segment"))
	want := run.Model.Name(run.Segments[7])
	if !strings.HasSuffix(loc, "/users/"+user) || !strings.Contains(text, want) {
		t.Errorf("after searching %s: at %s showing %q, want /users/%s and segment %q", user, loc, text, user, want)
	}
	shot("dashboard-user.png")

	// An unknown user gives the not-found page (status 404, expected).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#user-search').value = ''`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys("#user-search", "-nobody"), chromedp.Submit("#user-search"), chromedp.WaitVisible("#not-found")); err != nil {
		t.Fatal(err)
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

// markJS is the JavaScript expression of the SVG element of the first mark
// of a chart whose data satisfies cond (d => cond), found through the Vega
// scenegraph.
func markJS(chart, cond string) string {
	return `(() => { const v = window.persona.views[` + strconv.Quote(chart) + `]; let found = null;
		const walk = (n) => { if (found || !n) return;
			if (n.items) n.items.forEach(walk);
			if (n.datum && n._svg && n.mark && n.mark.marktype !== "group" && n.mark.marktype !== "text" && !String(n.mark.role).startsWith("legend") && (d => ` + cond + `)(n.datum)) found = n._svg; };
		walk(v.scenegraph().root); return found; })()`
}

func centerOf(t *testing.T, ctx context.Context, el string) (float64, float64) {
	t.Helper()
	p, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const e = `+el+`; if (!e) return [];
		e.scrollIntoView({block: "center", inline: "center"}); const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2]; })()`))
	if err != nil || len(p) != 2 {
		t.Fatalf("no element %s on the page (%v)", el, err)
	}
	return p[0], p[1]
}

func hoverText(t *testing.T, ctx context.Context, el string) string {
	t.Helper()
	x, y := centerOf(t, ctx, el)
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x-1, y), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y),
		chromedp.Sleep(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	// The tooltip shows after the chart handles the move: wait for it (a
	// busy machine may take a while), then read it.
	s, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const e = document.getElementById("vg-tooltip-element");
		return e && e.classList.contains("visible") && e.innerText.trim() !== "" ? e.innerText.replace(/\s+/g, " ").trim() : false; })()`,
		chromedp.WithPollingTimeout(3*time.Second)))
	if err != nil {
		return ""
	}
	return s
}

func clickAt(t *testing.T, ctx context.Context, el string) {
	t.Helper()
	x, y := centerOf(t, ctx, el)
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(x, y), chromedp.Sleep(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
}

func evalFloat(t *testing.T, ctx context.Context, js string) float64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}
