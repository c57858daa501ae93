package vega

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// findChromium returns the path of a Chromium or Chrome binary. Without one
// the test skips, unless the CI environment variable is set.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium found: install the Debian package chromium to run the browser test"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this is an error)")
	}
	t.Skip(msg)
	return ""
}

var testSegs = []Segment{{ID: 0, Name: "bargain hunters", Color: "#0072b2"}, {ID: 1, Name: "champions", Color: "#e69f00"}, {ID: -1, Name: "noise", Color: "#9a9a9a"}}

// testCharts has one spec of every kind, with values a test can look for.
func testCharts() map[string]Spec {
	return map[string]Spec{
		"sizes": Sizes(SizesSpec{Title: "Users and revenue per segment", Segments: testSegs, Users: []int{1200, 300, 50},
			Revenue: []float64{5400.5, 9100.25, 12}, Currency: "EUR"}),
		"heat": Heatmap(HeatmapSpec{Title: "Key characteristics", Segments: testSegs, Features: []string{"orders", "basket size"},
			Z: [][]float64{{-0.5, 1.25}, {2.5, math.NaN()}, {0, -3}}, Values: [][]float64{{1, 3.5}, {9, 2}, {2, 0.5}}}),
		"traits": Traits(TraitsSpec{Title: "Strongest traits", Segments: testSegs,
			Labels: [][]string{{"orders", "recency"}, {"spend"}, {"events"}}, Z: [][]float64{{-1.5, 0.75}, {2.25}, {-0.5}}}),
		"hours": Lines(LinesSpec{Title: "Orders by hour", XTitle: "hour of day", YTitle: "share of orders", Segments: testSegs,
			X: []string{"0", "1", "2"}, Share: [][]float64{{0.5, 0.25, 0.25}, {0.125, 0.375, 0.5}, {1, 0, 0}}}),
		"mix": Stacked(StackedSpec{Title: "Spend by category", XTitle: "share of spend", Segments: testSegs,
			Categories: []string{"books", "music", "other"}, Share: [][]float64{{0.5, 0.25, 0.25}, {0.1, 0.6, 0.3}, {0, 0, 1}}}),
		"rfm": Boxes(BoxesSpec{Title: "RFM", Segments: testSegs, Panels: []BoxPanel{
			{Title: "Recency", XTitle: "days", Boxes: []FiveNum{{0, 3, 7, 20, 90}, {1, 2, 3, 4, 5}, NoBox()}},
			{Title: "Monetary", XTitle: "spend", Log: true, Boxes: []FiveNum{{0, 10, 42.5, 100, 5000}, {5, 50, 500, 900, 9000}, {1, 1, 1, 1, 1}}},
		}}),
		"map": Scatter(ScatterSpec{Title: "Map", XTitle: "PC 1", YTitle: "PC 2", Segments: testSegs, UserLink: "/users/",
			Points: []Point{{X: -1, Y: 0, Seg: 0, User: "u 1/a"}, {X: 1, Y: 1, Seg: 1, User: "u2"}, {X: 0, Y: -1, Seg: 2, User: "u3"}}}),
		"sil": Values(ValuesSpec{Title: "Silhouette", XTitle: "mean silhouette", Segments: testSegs, Values: []float64{0.625, 0.25, math.NaN()}, Rule: 0.5, RuleLabel: "mean"}),
		"elbow": Curve(CurveSpec{Title: "Choosing k", XTitle: "k", X: []float64{2, 3, 4}, Mark: 3, MarkLabel: "k used",
			Series: []Series{{Name: "inertia", Y: []float64{300, 120, 100}}, {Name: "silhouette", Y: []float64{0.4, 0.55, 0.5}, Format: ".3f"}}}),
		"tree": Dendrogram(DendrogramSpec{Title: "Dendrogram", YTitle: "height", Segments: testSegs, LeafUsers: []int{10, 20, 30}, Cut: 2.5, CutLabel: "cut",
			Links: []Link{{X1: 0, Y1: 0, X2: 0, Y2: 2, Seg: 0, Height: 2, Users: 30}, {X1: 1, Y1: 0, X2: 1, Y2: 2, Seg: 0, Height: 2, Users: 30},
				{X1: 0, Y1: 2, X2: 1, Y2: 2, Seg: 0, Height: 2, Users: 30}, {X1: 0.5, Y1: 2, X2: 0.5, Y2: 3, Seg: -1, Height: 3, Users: 60},
				{X1: 2, Y1: 0, X2: 2, Y2: 3, Seg: 1, Height: 3, Users: 60}, {X1: 0.5, Y1: 3, X2: 2, Y2: 3, Seg: -1, Height: 3, Users: 60}}}),
		"grid": Grid(GridSpec{Title: "RFM grid", Segments: testSegs, Currency: "EUR", Cells: []GridCell{
			{Seg: 0, Recency: 5, Frequency: 5, Users: 30, Monetary: 812.5, Group: "champions"}, {Seg: 0, Recency: 1, Frequency: 1, Users: 10, Monetary: 20, Group: "lost"},
			{Seg: 1, Recency: 3, Frequency: 2, Users: 5, Monetary: 99, Group: "need attention"}, {Seg: 2, Recency: 2, Frequency: 2, Users: 1, Monetary: 1, Group: "hibernating"}}}),
		"calibration": Calibration(CalibrationSpec{Title: "Calibration", XTitle: "repeat purchases", YTitle: "mean purchases after", Groups: []string{"0", "1", "2+"},
			Customers: []int{1411, 320, 626}, Series: []Series{{Name: "actual", Y: []float64{0.25, 0.75, 2.5}, Format: ".3f"}, {Name: "predicted", Y: []float64{0.3125, 0.625, math.NaN()}}}}),
	}
}

var chartOrder = []string{"sizes", "heat", "traits", "hours", "mix", "rfm", "map", "sil", "elbow", "tree", "grid", "calibration"}

// testPage is a page of every chart, its scripts inlined, and a table.
func testPage() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>t</title>
<style>.dim{opacity:.3}</style></head><body>`)
	b.WriteString(`<table class="sortable" id="t"><thead><tr><th>Segment</th><th>Users</th></tr></thead><tbody>
<tr data-seg="0"><td>bargain hunters</td><td data-sort="1200">1,200</td></tr>
<tr data-seg="1"><td>champions</td><td data-sort="300">300</td></tr>
<tr data-seg="-1"><td>noise</td><td data-sort="50">50</td></tr></tbody></table>`)
	charts := testCharts()
	for _, id := range chartOrder {
		b.WriteString(HTML(id, charts[id]))
	}
	b.WriteString("<script>")
	b.Write(Script())
	b.WriteString("</script></body></html>")
	return b.String()
}

// browser is a headless Chromium tab that records every request and every
// error the page reports.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	problems []string
}

func newBrowser(t *testing.T) *browser {
	bin := findChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun, chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	b := &browser{}
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithListener(func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				b.problems = append(b.problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	}))
	t.Cleanup(cancelTab)
	b.ctx = ctx
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// center scrolls the first element matching the JavaScript expression el
// into view and returns its centre in window coordinates.
func center(t *testing.T, b *browser, el string) (x, y float64) {
	t.Helper()
	p := eval[[]float64](t, b, `(() => { const e = `+el+`; if (!e) return [];
		e.scrollIntoView({block: "center", inline: "center"}); const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	if len(p) != 2 {
		t.Fatalf("no element %s on the page", el)
	}
	return p[0], p[1]
}

// hover moves the mouse onto the element and returns the tooltip's text.
func hover(t *testing.T, b *browser, el string) string {
	t.Helper()
	x, y := center(t, b, el)
	// Move in from elsewhere, so the chart sees an enter and a move.
	if err := chromedp.Do(b.ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x-1, y),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y), chromedp.Sleep(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	// Wait for the tooltip (a busy machine may take a while), then read it.
	s, err := chromedp.Run(b.ctx, chromedp.Poll[string](`(() => { const e = document.getElementById("vg-tooltip-element");
		return e && e.classList.contains("visible") && e.innerText.trim() !== "" ? e.innerText.replace(/\s+/g, " ").trim() : false; })()`,
		chromedp.WithPollingTimeout(3*time.Second)))
	if err != nil {
		return ""
	}
	return s
}

func click(t *testing.T, b *browser, el string) {
	t.Helper()
	x, y := center(t, b, el)
	if err := chromedp.Do(b.ctx, chromedp.MouseClickXY(x, y), chromedp.Sleep(50*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
}

// mark is the JavaScript expression of the first mark of a chart whose
// tooltip data satisfies cond, found through the Vega scenegraph.
func mark(chart, cond string) string {
	return `(() => { const v = window.persona.views[` + jsString(chart) + `]; let found = null;
		const walk = (n) => { if (found || !n) return;
			if (n.items) n.items.forEach(walk);
			if (n.datum && n._svg && n.mark && n.mark.marktype !== "group" && n.mark.role !== "legend-symbol" && n.mark.role !== "legend-label" && (d => ` + cond + `)(n.datum)) found = n._svg; };
		walk(v.scenegraph().root); return found; })()`
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

func TestChartsInChromium(t *testing.T) {
	page := testPage()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/users/") {
			fmt.Fprint(w, `<!DOCTYPE html><link rel="icon" href="data:,"><title>user</title>`)
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		// As strict as the dashboard's policy: no eval, nothing from elsewhere.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	b := newBrowser(t)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	eval[[]any](t, b, `window.persona.ready`)
	ready := eval[[]string](t, b, `Array.from(document.querySelectorAll(".vega")).map(e => e.id + "=" + e.getAttribute("data-ready"))`)
	for _, r := range ready {
		if !strings.HasSuffix(r, "=true") {
			t.Errorf("chart %s", r)
		}
	}
	if len(ready) != len(chartOrder) {
		t.Fatalf("%d charts drawn, want %d: %v", len(ready), len(chartOrder), ready)
	}

	// Hover: the tooltip shows the exact values of the mark under the mouse.
	hovers := []struct {
		chart, cond string
		want        []string
	}{
		{"sizes", `d.seg === 1 && d.users !== undefined`, []string{"1 champions", "300", "19.4%"}},
		{"heat", `d.seg === 0 && d.feature === "basket size"`, []string{"0 bargain hunters", "basket size", "+1.25", "3.5"}},
		{"traits", `d.seg === 1`, []string{"1 champions", "spend", "+2.25"}},
		{"hours", `d.seg === 1 && d.x === "2"`, []string{"1 champions", "hour of day", "2", "50.0%"}},
		{"mix", `d.seg === 1 && d.category === "music"`, []string{"1 champions", "music", "60.0%"}},
		{"rfm", `d.seg === 0 && d.median === 42.5`, []string{"0 bargain hunters", "42.5", "5,000"}},
		{"rfm", `d.note === "none"`, []string{testSegs[2].Label(), "no values in this segment"}},
		{"map", `d.user === "u 1/a"`, []string{"u 1/a", "0 bargain hunters"}},
		{"sil", `d.seg === 0`, []string{"0 bargain hunters", "0.625"}},
		{"elbow", `d.x === 3 && d.y === 0.55`, []string{"3", "0.550"}},
		{"tree", `d.seg === 0 && d.y === 2 && d.y2 === 2`, []string{"0 bargain hunters", "merge height", "2", "30"}},
		{"grid", `d.seg === 0 && d.r === 5`, []string{"0 bargain hunters", "champions", "812.50", "75.0%"}},
		{"calibration", `d.series === "predicted" && d.x === "1"`, []string{"predicted", "repeat purchases", "1", "0.625", "320"}},
	}
	for _, h := range hovers {
		got := hover(t, b, mark(h.chart, h.cond))
		for _, w := range h.want {
			if !strings.Contains(got, w) {
				t.Errorf("hover on %s (%s): tooltip %q does not show %q", h.chart, h.cond, got, w)
			}
		}
	}

	// Click a bar: its segment is highlighted in every chart, the rest fade.
	click(t, b, mark("sizes", `d.seg === 1 && d.users !== undefined`))
	if got := eval[int](t, b, `window.persona.current()`); got != 1 {
		t.Fatalf("after a click on segment 1's bar, highlighted %d", got)
	}
	for _, id := range []string{"heat", "hours", "mix", "map", "grid"} {
		on := eval[float64](t, b, `+getComputedStyle(`+mark(id, `d.seg === 1`)+`).opacity`)
		off := eval[float64](t, b, `+getComputedStyle(`+mark(id, `d.seg === 0`)+`).opacity`)
		if on < 0.7 || off > 0.2 {
			t.Errorf("%s after highlighting segment 1: its mark's opacity %v, segment 0's %v; want ≥ 0.7 and ≤ 0.2", id, on, off)
		}
	}
	if cls := eval[string](t, b, `document.querySelector('#t tr[data-seg="0"]').className`); cls != "dim" {
		t.Errorf("table row of segment 0 has class %q while segment 1 is highlighted, want dim", cls)
	}
	// A click on a legend entry moves the highlight; a second click clears it.
	legend := `Array.from(document.querySelectorAll("#hours .role-legend-label text")).find(e => e.textContent.startsWith("0 "))`
	click(t, b, legend)
	if got := eval[int](t, b, `window.persona.current()`); got != 0 {
		t.Errorf("after a click on segment 0's legend entry, highlighted %d", got)
	}
	click(t, b, legend)
	if got := eval[*int](t, b, `window.persona.current()`); got != nil {
		t.Errorf("after a second click on the legend entry, highlighted %d, want none", *got)
	}

	// Sortable table: a click on "Users" sorts ascending, another descending.
	for _, want := range []string{"noise,champions,bargain hunters", "bargain hunters,champions,noise"} {
		click(t, b, `document.querySelectorAll("#t th")[1]`)
		got := eval[string](t, b, `Array.from(document.querySelectorAll("#t tbody tr")).map(r => r.cells[0].textContent).join(",")`)
		if got != want {
			t.Errorf("after a click on the Users header, rows %q, want %q", got, want)
		}
	}

	// The map's points link to the user's page, path-escaped: a click
	// opens it.
	click(t, b, mark("map", `d.user === "u 1/a"`))
	userPage := srv.URL + "/users/u%201%2Fa"
	// The page navigates away: poll the location, riding out the moment
	// when the old page's context is gone.
	var loc string
	for deadline := time.Now().Add(5 * time.Second); loc != userPage && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		loc, _ = chromedp.Run(b.ctx, chromedp.Location())
	}
	if loc != userPage {
		t.Errorf("a click on user u 1/a's point did not open %s (at %s)", userPage, loc)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.requests {
		if u != srv.URL+"/" && u != "about:blank" && u != userPage {
			t.Errorf("page requested %s", u)
		}
	}
	for _, p := range b.problems {
		t.Errorf("browser reported: %s", p)
	}
}
