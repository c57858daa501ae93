package server_test

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

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

// TestDashboardInChromium opens the dashboard in headless Chromium, checks
// the overview charts, clicks a segment, looks a user up with the search
// box, and saves screenshots (into testdata with -update). The pages must
// request nothing but the server's own URLs and log no error.
func TestDashboardInChromium(t *testing.T) {
	bin := findChromium(t)
	src := newRuns()
	run := results(t, "run-1", 600, 1)
	src.add(t, run)
	s := newServer(t, src, server.Options{})
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
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") && !strings.HasSuffix(ev.Entry.URL, "/users/-nobody") {
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

	// The overview: a row per segment and the charts at a real size.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("table.segments")); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.segments tbody tr').length`))
	if err != nil || rows != len(run.Profiles.Segments) {
		t.Errorf("overview lists %d segments (%v), want %d", rows, err, len(run.Profiles.Segments))
	}
	type box struct{ W, H float64 }
	svgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll('figure.chart svg')).map(s => { const r = s.getBoundingClientRect(); return {W: r.width, H: r.height}; })`))
	if err != nil {
		t.Fatal(err)
	}
	if len(svgs) < 2 {
		t.Errorf("overview has %d charts, want the sizes and the heatmap", len(svgs))
	}
	for i, b := range svgs {
		if b.W < 600 || b.H < 150 {
			t.Errorf("chart %d is drawn %.0f×%.0f px, want at least 600×150", i, b.W, b.H)
		}
	}
	shot("dashboard-overview.png")

	// Click the second segment.
	seg := run.Profiles.Segments[1]
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("table.segments tbody tr:nth-child(2) a.segment-link")), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	h1, _ := chromedp.Run(ctx, chromedp.Text("h1"))
	if !strings.HasSuffix(loc, "/segments/1") || !strings.Contains(h1, seg.Name) {
		t.Errorf("after clicking segment 1: at %s with heading %q, want /segments/1 and %q", loc, h1, seg.Name)
	}
	shot("dashboard-segment.png")

	// Look a user up with the search box.
	user := run.UserIDs[7]
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
