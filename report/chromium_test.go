package report

import (
	"context"
	"fmt"
	"net/http"
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
)

// findChromium returns the path of a Chromium or Chrome binary. Without one
// the test skips, unless the CI environment variable is set: CI must run it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome): install the Debian package chromium to run the browser test"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this is an error)")
	}
	t.Skip(msg)
	return ""
}

// TestReportInChromium loads the full sample report in headless Chromium
// from a local server and checks that the page makes no request but its
// own, logs no console error, shows every chart at a real size and does not
// overflow a laptop-width window. It saves a full-page screenshot (into
// testdata/screenshot.png with -update).
func TestReportInChromium(t *testing.T) {
	bin := findChromium(t)
	dir := sampleDir(t)
	in := sampleInput()

	var mu sync.Mutex
	var served []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served = append(served, r.URL.Path)
		mu.Unlock()
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	}))
	defer srv.Close()
	pageURL := srv.URL + "/report.html"

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
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
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				problems = append(problems, "console."+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}))
	defer cancelTab()

	// Attach the tab, turn on the network and log domains, then load.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL), chromedp.WaitReady("footer")); err != nil {
		t.Fatalf("load %s: %v", pageURL, err)
	}

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`window.persona.ready`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("charts not drawn: %v", err)
	}
	type chartInfo struct {
		ID     string  `json:"id"`
		Ready  string  `json:"ready"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
		Marks  int     `json:"marks"`
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartInfo](`Array.from(document.querySelectorAll('.vega')).map(e => {
		const s = e.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
		return {id: e.id, ready: e.getAttribute('data-ready'), width: r.width, height: r.height,
			marks: e.querySelectorAll('[role="graphics-symbol"], path, text').length};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range charts {
		ids = append(ids, c.ID)
		if c.Ready != "true" || c.Width < 300 || c.Height < 100 || c.Marks < 5 {
			t.Errorf("chart %s: ready %q, drawn %.0f×%.0f px with %d marks; want ready, at least 300×100 and 5", c.ID, c.Ready, c.Width, c.Height, c.Marks)
		}
	}
	want := []string{"chart-segment-sizes", "chart-heatmap", "chart-profiles", "chart-hour-of-day", "chart-weekday",
		"chart-categories", "chart-rfm", "chart-rfm-groups", "chart-rfm-grid", "chart-value", "chart-calibration", "chart-projection", "chart-diagnostics", "chart-dendrogram", "chart-k-distance",
		"chart-silhouette", "chart-attributes-1", "chart-ages"}
	// Then each segment's own trait chart, in its section, named by the
	// segment's id as in segments.csv.
	_, values, _ := traitBars(&in)
	for i, v := range values {
		if len(v) > 0 {
			want = append(want, "chart-"+segmentChartName(in.Segments[i]))
		}
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("charts on the page (-want +got):\n%s", diff)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main svg:not(.vega svg)').length`)); err != nil || n != 0 {
		t.Errorf("%d static SVG charts on the page (err %v), want every chart interactive", n, err)
	}

	// Hover: exact values in the tooltip.
	seg1 := in.Segments[1]
	label := fmt.Sprintf("%d %s", seg1.ID, seg1.Name)
	hovers := []struct {
		chart, cond string
		want        []string
	}{
		{"chart-segment-sizes", fmt.Sprintf("d.seg === %d && d.users !== undefined", seg1.ID), []string{label, formatInt(seg1.Size), formatPercent(seg1.Share)}},
		{"chart-heatmap", fmt.Sprintf("d.seg === %d && d.feature === %q", seg1.ID, in.label(in.HeatFeatures[0])), []string{label, in.label(in.HeatFeatures[0]), in.HeatFeatures[0], fmt.Sprintf("%+.2f", in.HeatZ[1][0]), "segment mean", strconv.FormatFloat(in.HeatMean[1][0], 'f', -1, 64)}},
		{"chart-hour-of-day", fmt.Sprintf("d.seg === %d && d.x === \"20\"", seg1.ID), []string{label, "hour of day", fmt.Sprintf("%.1f%%", 100*in.HourShare[1][20])}},
		{"chart-projection", fmt.Sprintf("d.seg === %d", seg1.ID), []string{label, "PC 1", "user-"}},
		{"chart-rfm-grid", fmt.Sprintf("d.seg === %d && d.r === 5", seg1.ID), []string{label, "RFM group", "recency score", "5"}},
		{"chart-value", fmt.Sprintf("d.seg === %d && d.median === %v", seg1.ID, in.Value.CLV[1].Median), []string{label, "median", fmt.Sprintf("%.2f", in.Value.CLV[1].Median)}},
		{"chart-calibration", `d.series === "actual" && d.x === "3"`, []string{"actual", "3", fmt.Sprintf("%.3f", in.Value.Holdout.Groups[3].Actual), formatInt(in.Value.Holdout.Groups[3].Customers)}},
	}
	for _, h := range hovers {
		got := hoverText(t, ctx, markJS(h.chart, h.cond))
		for _, w := range h.want {
			if !strings.Contains(got, w) {
				t.Errorf("hover on %s (%s): tooltip %q does not show %q", h.chart, h.cond, got, w)
			}
		}
	}
	// Click a segment's bar: every chart highlights it, its overview row
	// stays lit and the others fade.
	clickAt(t, ctx, markJS("chart-segment-sizes", fmt.Sprintf("d.seg === %d && d.users !== undefined", seg1.ID)))
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.persona.current()`)); err != nil || got != seg1.ID {
		t.Errorf("after a click on segment %d's bar, highlighted %d (err %v)", seg1.ID, got, err)
	}
	for _, id := range []string{"chart-heatmap", "chart-weekday", "chart-rfm", "chart-rfm-grid", "chart-projection"} {
		on := evalFloat(t, ctx, `+getComputedStyle(`+markJS(id, fmt.Sprintf("d.seg === %d", seg1.ID))+`).opacity`)
		off := evalFloat(t, ctx, `+getComputedStyle(`+markJS(id, fmt.Sprintf("d.seg === %d", in.Segments[0].ID))+`).opacity`)
		if on < 0.7 || off > 0.2 {
			t.Errorf("%s with segment %d highlighted: its opacity %v, segment %d's %v; want ≥ 0.7 and ≤ 0.2", id, seg1.ID, on, in.Segments[0].ID, off)
		}
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('table.overview tbody tr')).map(r => r.className)`))
	if err != nil || len(rows) != len(in.Segments) || rows[1] != "lit" || rows[0] != "dim" {
		t.Errorf("overview rows' classes %q with segment %d highlighted (err %v), want row 2 lit and the others dim", rows, seg1.ID, err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\u001b"), chromedp.Sleep(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[*int](`window.persona.current()`)); err != nil || got != nil {
		t.Errorf("Escape did not clear the highlight (%v, %v)", got, err)
	}
	// A click on a legend entry highlights its segment; a second clears it.
	legend := fmt.Sprintf(`Array.from(document.querySelectorAll("#chart-hour-of-day .role-legend-label text")).find(e => e.textContent.startsWith("%d "))`, in.Segments[0].ID)
	clickAt(t, ctx, legend)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[*int](`window.persona.current()`)); err != nil || got == nil || *got != in.Segments[0].ID {
		t.Errorf("after a click on segment %d's legend entry, highlighted %v (err %v)", in.Segments[0].ID, got, err)
	}
	if off := evalFloat(t, ctx, `+getComputedStyle(`+markJS("chart-projection", fmt.Sprintf("d.seg === %d", seg1.ID))+`).opacity`); off > 0.2 {
		t.Errorf("the map's points of segment %d have opacity %v with segment %d highlighted, want ≤ 0.2", seg1.ID, off, in.Segments[0].ID)
	}
	clickAt(t, ctx, legend)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[*int](`window.persona.current()`)); err != nil || got != nil {
		t.Errorf("a second click on the legend entry left %v highlighted (err %v)", got, err)
	}
	// The map's points link to the users' dashboard pages.
	p0 := in.Projection[0]
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const v = window.persona.views["chart-projection"]; let h = "";
		const walk = (n) => { if (h || !n) return; if (n.items) n.items.forEach(walk);
			if (n.datum && n.datum.user === `+strconv.Quote(p0.User)+`) h = n.datum.href || "none"; };
		walk(v.scenegraph().root); return h; })()`))
	if want := DefaultDashboardURL + "/users/" + p0.User; err != nil || href != want {
		t.Errorf("user %s's point links to %q (err %v), want %s", p0.User, href, err, want)
	}

	// The overview table sorts by users, largest first on the second click.
	for range 2 {
		clickAt(t, ctx, `document.querySelectorAll('table.overview th')[2]`)
	}
	sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll('table.overview tbody tr')).map(r => +r.cells[2].getAttribute('data-sort'))`))
	if err != nil || !slices.IsSortedFunc(sizes, func(a, b int) int { return b - a }) || len(sizes) != len(in.Segments) {
		t.Errorf("overview users after two clicks on the header: %v (err %v), want descending", sizes, err)
	}

	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow > 0 {
		t.Errorf("page is %.0f px wider than the 1280 px window", overflow)
	}
	sections, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('section.segment').length`))
	if err != nil {
		t.Fatal(err)
	}
	if sections != len(in.Segments) {
		t.Errorf("page has %d segment sections, want %d", sections, len(in.Segments))
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](`window.scrollTo(0, 0); []`)); err != nil {
		t.Fatal(err)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "screenshot.png")
	if *update {
		out = filepath.Join("testdata", "screenshot.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(shot))

	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		if u != pageURL && u != "about:blank" {
			t.Errorf("page requested %s; a self-contained report requests nothing", u)
		}
	}
	if !slices.Contains(requests, pageURL) {
		t.Errorf("no request for the page itself was seen (requests: %q); is the network domain on?", requests)
	}
	if diff := cmp.Diff([]string{"/report.html"}, served); diff != "" {
		t.Errorf("paths the server served (-want +got):\n%s", diff)
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
			if (n.datum && n._svg && n.mark && n.mark.marktype !== "group" && !String(n.mark.role).startsWith("legend") && (d => ` + cond + `)(n.datum)) found = n._svg; };
		walk(v.scenegraph().root); return found; })()`
}

// centerOf scrolls the element into view and returns its centre.
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

// hoverText moves the mouse onto the element and returns the tooltip.
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
