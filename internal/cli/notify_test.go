package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/persona-seg/persona/server"
	"github.com/persona-seg/persona/webhook"
)

// hook is a local webhook receiver: it keeps what it was sent and answers
// code.
type hook struct {
	mu     sync.Mutex
	code   int
	bodies [][]byte
	sigs   []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bodies = append(h.bodies, b)
	h.sigs = append(h.sigs, r.Header.Get("X-Persona-Signature"))
	w.WriteHeader(h.code)
}

// TestRunNotify runs twice with --notify against a local receiver: each
// committed run is delivered, signed with PERSONA_WEBHOOK_SECRET, the
// second with the moves since the first; a receiver that fails makes a
// warning, and the run is committed all the same.
func TestRunNotify(t *testing.T) {
	_, config := writeShop(t)
	out := t.TempDir()
	h := &hook{code: http.StatusOK}
	srv := httptest.NewServer(h)
	defer srv.Close()
	t.Setenv(secretEnv, "hook-secret")
	runOnce := func(args ...string) (string, string) {
		t.Helper()
		f, stdout, errOut := testFactory()
		if code := Run(f, append([]string{"run", "-c", config, "-o", out, "--k", "3", "--json"}, args...)); code != ExitOK {
			t.Fatalf("run: exit %d: %s", code, errOut)
		}
		var sum struct {
			RunID string `json:"run_id"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil || sum.RunID == "" {
			t.Fatalf("summary %s: %v", stdout, err)
		}
		return sum.RunID, errOut.String()
	}
	first, _ := runOnce("--notify", srv.URL+"/hook")
	second, _ := runOnce("--notify", srv.URL+"/hook", "--seed", "2")
	if len(h.bodies) != 2 {
		t.Fatalf("%d deliveries, want 2", len(h.bodies))
	}
	for i, want := range []string{first, second} {
		var s webhook.Summary
		if err := json.Unmarshal(h.bodies[i], &s); err != nil {
			t.Fatal(err)
		}
		if s.RunID != want || s.Users != 60 || len(s.Segments) != 3 || !webhook.Verify("hook-secret", h.bodies[i], h.sigs[i]) {
			t.Errorf("delivery %d: run %s, %d users, %d segments, signature ok %v; want run %s, 60 users, 3 segments, signed",
				i, s.RunID, s.Users, len(s.Segments), webhook.Verify("hook-secret", h.bodies[i], h.sigs[i]), want)
		}
		if (i == 0) != (s.Previous == nil) {
			t.Errorf("delivery %d: previous %+v", i, s.Previous)
		}
		if i == 1 && (s.Previous.RunID != first || s.Previous.Stayed+s.Previous.Moved != 60) {
			t.Errorf("delivery 2 compares with %+v, want run %s and 60 users in both", s.Previous, first)
		}
	}
	// A receiver that fails: a warning, exit 0, the run committed.
	h.code = http.StatusInternalServerError
	h.bodies = nil
	t.Setenv(secretEnv, "")
	third, errOut := runOnce("--notify", srv.URL+"/hook")
	for _, want := range []string{"PERSONA_WEBHOOK_SECRET is not set: the webhook is sent unsigned", "warning: the run is committed, but webhook " + srv.URL + "/hook: the receiver answered 500"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	if len(h.bodies) != 4 || h.sigs[len(h.sigs)-1] != "" {
		t.Errorf("%d attempts (last signature %q), want 4 unsigned", len(h.bodies), h.sigs[len(h.sigs)-1])
	}
	st, err := openStore(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if latest, err := st.Latest(t.Context()); err != nil || latest != third {
		t.Errorf("latest run %s (%v), want the third %s", latest, err, third)
	}
}

// TestServeNotify: persona serve's server tells --notify's URL of a newer
// run it loads (with the moves since the one it served), not of the first.
func TestServeNotify(t *testing.T) {
	_, config := writeShop(t)
	out := t.TempDir()
	h := &hook{code: http.StatusOK}
	srv := httptest.NewServer(h)
	defer srv.Close()
	t.Setenv(secretEnv, "s")
	runOnce := func(seed string) {
		t.Helper()
		f, _, errOut := testFactory()
		if code := Run(f, []string{"run", "-c", config, "-o", out, "--k", "3", "--quiet", "--seed", seed}); code != ExitOK {
			t.Fatalf("run: exit %d: %s", code, errOut)
		}
	}
	runOnce("1")
	f, _, errOut := testFactory()
	opts := &ServeOptions{IO: f.IO, Store: out, Notify: srv.URL, MaxBody: 1 << 20}
	src := reopening{storeDSN(out)}
	logs := &strings.Builder{}
	s, err := server.New(src, serveOptions(opts, src, serveLogger(logs, false, false)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	first := s.RunID()
	runOnce("2")
	if ok, err := s.Reload(t.Context()); !ok || err != nil {
		t.Fatalf("reload: %v %v", ok, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		h.mu.Lock()
		n := len(h.bodies)
		h.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bodies) != 1 {
		t.Fatalf("%d deliveries, want 1 (stderr %s, log %s)", len(h.bodies), errOut, logs)
	}
	var sum webhook.Summary
	if err := json.Unmarshal(h.bodies[0], &sum); err != nil {
		t.Fatal(err)
	}
	if sum.RunID != s.RunID() || sum.Previous == nil || sum.Previous.RunID != first || !webhook.Verify("s", h.bodies[0], h.sigs[0]) {
		t.Errorf("delivered run %s after %+v, want %s after %s, signed", sum.RunID, sum.Previous, s.RunID(), first)
	}
}
