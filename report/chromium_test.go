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
	"sync"
	"testing"
	"time"

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

	type svgInfo struct {
		ID     string  `json:"id"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
		Texts  int     `json:"texts"`
	}
	svgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]svgInfo](`Array.from(document.querySelectorAll('svg')).map(s => {
		const r = s.getBoundingClientRect();
		return {id: s.id, width: r.width, height: r.height, texts: s.querySelectorAll('text').length};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range svgs {
		ids = append(ids, s.ID)
		if s.Width < 600 || s.Height < 150 || s.Texts < 5 {
			t.Errorf("chart %s is drawn %.0f×%.0f px with %d text elements; want at least 600×150 and 5", s.ID, s.Width, s.Height, s.Texts)
		}
	}
	want := []string{"chart-segment-sizes", "chart-heatmap", "chart-profiles", "chart-hour-of-day", "chart-weekday",
		"chart-categories", "chart-rfm", "chart-projection", "chart-diagnostics", "chart-dendrogram", "chart-k-distance",
		"chart-silhouette", "chart-ages"}
	// Then each segment's own trait chart, in its section.
	_, values, _ := traitBars(&in)
	for i, v := range values {
		if len(v) > 0 {
			want = append(want, fmt.Sprintf("chart-segment-%d", i+1))
		}
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("svg ids on the page (-want +got):\n%s", diff)
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
