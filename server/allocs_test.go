package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/persona-seg/persona/server"
)

// TestUserLookupAllocs: GET /api/users/{id} with the bearer token, through
// the server's handler (routing, auth, metrics, the answer), allocates at
// most maxLookupAllocs times: the lookup path writes into pooled buffers
// and shared header values, and the mux's own request copy is all that is
// left (net/http's server adds its own per request, not counted here).
func TestUserLookupAllocs(t *testing.T) {
	const maxLookupAllocs = 1
	names := append([]string{}, featureNames...)
	for j := len(names); j < 60; j++ {
		names = append(names, fmt.Sprintf("feature_%02d", j))
	}
	run := resultsWith(t, "allocs", 500, 1, names)
	src := newRuns()
	src.add(t, run)
	h := newServer(t, src, server.Options{Token: "tok"}).Handler()
	reqs := make([]*http.Request, 64)
	for k := range reqs {
		r, err := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1/api/users/u%07d", k*7), nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer tok")
		reqs[k] = r
	}
	w := &discard{h: http.Header{}}
	i := 0
	got := testing.AllocsPerRun(500, func() {
		w.code, w.n = 0, 0
		clear(w.h)
		h.ServeHTTP(w, reqs[i%len(reqs)])
		if w.code != 200 {
			t.Fatalf("GET %s = %d", reqs[i%len(reqs)].URL.Path, w.code)
		}
		i++
	})
	t.Logf("%.1f allocations per lookup", got)
	if got > maxLookupAllocs {
		t.Errorf("GET /api/users/{id} allocates %.1f times per request, want at most %d", got, maxLookupAllocs)
	}
}
