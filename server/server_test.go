package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/inmem"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/server"
)

// runs is an in-memory store whose latest run can be switched.
type runs struct {
	*inmem.Store
	n int
}

func newRuns() *runs { return &runs{Store: inmem.New()} }

// add saves and commits r as the newest run.
func (s *runs) add(t testing.TB, r *persona.Results) {
	t.Helper()
	s.n++
	r.Run.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(s.n) * time.Second)
	if err := s.Save(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background(), r.Run.ID); err != nil {
		t.Fatal(err)
	}
}

var featureNames = []string{"recency_days", "frequency", "monetary", "events"}

// results makes a run of n users in three groups, segmented by a k-means
// model whose centres are the group means.
func results(t testing.TB, id string, n int, seed uint64) *persona.Results {
	t.Helper()
	return resultsWith(t, id, n, seed, featureNames)
}

// resultsWith is results with the features named.
func resultsWith(t testing.TB, id string, n int, seed uint64, featureNames []string) *persona.Results {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	d := len(featureNames)
	x := make([]float64, n*d)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("u%07d", i)
		for j := range d {
			x[i*d+j] = rng.NormFloat64() + float64((i%3)*(j+1))*3
		}
	}
	xm := mat.NewDense(n, d, x)
	fitted, err := prep.Fit(xm, featureNames, prep.Config{})
	if err != nil {
		t.Fatal(err)
	}
	z, _ := fitted.Transform(xm)
	_, dz := z.Dims()
	centres := make([][]float64, 3)
	for c := range 3 {
		centres[c] = make([]float64, dz)
		for i := c; i < n; i += 3 {
			for j := range dz {
				centres[c][j] += z.At(i, j) / float64((n-c+2)/3)
			}
		}
	}
	m := &model.Model{Version: model.Version, RunID: id, Algorithm: cluster.AlgorithmKMeans, Prep: fitted,
		Segments: []model.Segment{{ID: 0, Name: "zero"}, {ID: 1, Name: "one"}, {ID: 2, Name: "two"}}, Centers: centres}
	segs, dist, err := m.Assign(xm)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Build(profile.Input{UserIDs: ids, Names: featureNames, X: xm, Labels: segs, Distance: dist})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range prof.Segments {
		m.Segments[i].Name = s.Name
	}
	recs := map[string][]persona.Recommendation{ids[1]: {{Product: "P-42", Score: 0.9}, {Product: "P-7", Score: 0.5}}}
	return &persona.Results{
		Run:     persona.Run{ID: id, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Users: n},
		UserIDs: ids, FeatureNames: featureNames, X: x, Segments: segs, Distance: dist,
		Profiles: prof, Recommendations: recs, Model: m,
	}
}

func newServer(t testing.TB, src persona.RunReader, opts server.Options) *server.Server {
	t.Helper()
	s, err := server.New(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func do(t testing.TB, h http.Handler, method, path, body string, header ...string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

// unused returns a feature r's model does not use, or fails.
func unused(r *persona.Results) string {
	used := map[string]bool{}
	for _, u := range r.Model.Used() {
		used[u] = true
	}
	for _, n := range r.FeatureNames {
		if !used[n] {
			return n
		}
	}
	panic("the fixture's model uses every feature")
}

func featuresJSON(r *persona.Results, i int, drop, extra string) string {
	f := map[string]float64{}
	for j, n := range r.FeatureNames {
		if n != drop {
			f[n] = r.Row(i)[j]
		}
	}
	if extra != "" {
		f[extra] = 1
	}
	b, _ := json.Marshal(map[string]any{"features": f})
	return string(b)
}

func TestAPI(t *testing.T) {
	src := newRuns()
	run := results(t, "run-1", 300, 1)
	src.add(t, run)
	h := newServer(t, src, server.Options{Token: "s3cret", MaxBody: 4096}).Handler()
	auth := []string{"Authorization", "Bearer s3cret"}
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		header []string
		code   int
		want   string // a substring of the body
	}{
		{"segments", "GET", "/api/segments", "", nil, 200, `"run_id":"run-1","users":300`},
		{"segment", "GET", "/api/segments/2", "", nil, 200, `"id":2`},
		{"segment missing", "GET", "/api/segments/9", "", nil, 404, `"error":"segment 9 not found in run run-1"`},
		{"segment bad id", "GET", "/api/segments/x", "", nil, 400, `segment id must be an integer`},
		{"user", "GET", "/api/users/u0000001", "", nil, 200, `"recommendations":[{"product":"P-42","score":0.9},{"product":"P-7","score":0.5}]`},
		{"user missing", "GET", "/api/users/nobody", "", nil, 404, `user \"nobody\" not found`},
		{"score", "POST", "/api/score", featuresJSON(run, 4, "", ""), auth, 200, fmt.Sprintf(`"segment":{"id":%d`, run.Segments[4])},
		{"score no token", "POST", "/api/score", featuresJSON(run, 4, "", ""), []string{}, 401, `bearer token`},
		{"score wrong token", "POST", "/api/score", featuresJSON(run, 4, "", ""), []string{"Authorization", "Bearer nope"}, 401, `bearer token`},
		{"score missing feature", "POST", "/api/score", featuresJSON(run, 4, run.Model.Used()[0], ""), auth, 400, `feature \"` + run.Model.Used()[0] + `\" is missing`},
		{"score without an unused feature", "POST", "/api/score", featuresJSON(run, 4, unused(run), ""), auth, 200, fmt.Sprintf(`"segment":{"id":%d`, run.Segments[4])},
		{"score unknown feature", "POST", "/api/score", featuresJSON(run, 4, "", "shoe_size"), auth, 400, `unknown feature \"shoe_size\"`},
		{"score bad json", "POST", "/api/score", `{"features": {`, auth, 400, `read body`},
		{"score two objects", "POST", "/api/score", `{"features":{}} {}`, auth, 400, `one JSON object`},
		{"score no features", "POST", "/api/score", `{}`, auth, 400, `must have`},
		{"score too large", "POST", "/api/score", `{"features":{"a":` + strings.Repeat(" ", 5000) + `1}}`, auth, 413, `"status":413`},
		{"score text", "POST", "/api/score", "x", append([]string{"Content-Type", "text/plain"}, auth...), 415, `must be JSON`},
		{"score GET", "GET", "/api/score", "", nil, 405, `method GET not allowed`},
		{"segments POST", "POST", "/api/segments", "{}", nil, 405, `method POST not allowed`},
		{"unknown endpoint", "GET", "/api/nope", "", nil, 404, `no such endpoint`},
		{"health", "GET", "/healthz", "", nil, 200, `"status":"ok","run_id":"run-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.header == nil {
				tt.header = auth
			}
			code, body, hdr := do(t, h, tt.method, tt.path, tt.body, tt.header...)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Errorf("%s %s = %d %q; want %d containing %q", tt.method, tt.path, code, body, tt.code, tt.want)
			}
			if code >= 400 {
				var e struct {
					Error  string `json:"error"`
					Status int    `json:"status"`
				}
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Status != code || e.Error == "" || hdr.Get("Content-Type") != "application/json" {
					t.Errorf("error body %q (%v) is not a JSON error with status %d", body, err, code)
				}
			}
		})
	}

	// Every user's stored segment and features come back, and scoring
	// their features gives the stored segment.
	for i := 0; i < 300; i += 7 {
		_, body, _ := do(t, h, "GET", "/api/users/"+run.UserIDs[i], "", auth...)
		var u struct {
			Segment struct {
				ID int `json:"id"`
			} `json:"segment"`
			Features map[string]float64 `json:"features"`
		}
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatalf("user %d: %v in %q", i, err, body)
		}
		want := map[string]float64{}
		for j, n := range run.FeatureNames {
			want[n] = run.Row(i)[j]
		}
		if u.Segment.ID != run.Segments[i] || !cmp.Equal(u.Features, want) {
			t.Errorf("user %d: segment %d features %v; want %d %v", i, u.Segment.ID, u.Features, run.Segments[i], want)
		}
		_, body, _ = do(t, h, "POST", "/api/score", featuresJSON(run, i, "", ""), auth...)
		if !strings.Contains(body, fmt.Sprintf(`"segment":{"id":%d,`, run.Segments[i])) {
			t.Errorf("scoring user %d gives %s, want segment %d", i, body, run.Segments[i])
		}
	}

	code, body, hdr := do(t, h, "GET", "/metrics", "", auth...)
	for _, want := range []string{
		`persona_http_requests_total{route="/api/users/{id}",code="2xx"} 44`,
		`persona_http_requests_total{route="/api/score",code="4xx"} 9`,
		`persona_http_requests_total{route="/api/score",code="2xx"} 45`,
		`persona_http_request_duration_seconds_bucket{route="/api/score",le="+Inf"}`,
		`persona_run_info{run_id="run-1",algorithm="kmeans"} 1`,
		`persona_run_users 300`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Errorf("/metrics = %d, %s", code, hdr.Get("Content-Type"))
	}
}

func TestNoRunYet(t *testing.T) {
	s, err := server.New(newRuns(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reload(context.Background()); err == nil {
		t.Errorf("Reload of an empty source succeeded")
	}
	for _, p := range []string{"/healthz", "/api/segments", "/api/users/u1"} {
		if code, body, _ := do(t, s.Handler(), "GET", p, ""); code != 503 || !strings.Contains(body, "no run loaded yet") {
			t.Errorf("%s before a run = %d %q, want 503", p, code, body)
		}
	}
}

// TestReloadUnderLoad switches runs while clients hammer the API: every
// request must succeed, and the new run must be served afterwards.
func TestReloadUnderLoad(t *testing.T) {
	src := newRuns()
	r1, r2 := results(t, "run-1", 200, 1), results(t, "run-2", 200, 2)
	src.add(t, r1)
	s := newServer(t, src, server.Options{})
	h := s.Handler()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	failures := make(chan string, 100)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, body, _ := do(t, h, "GET", fmt.Sprintf("/api/users/u%07d", (i*7+w)%200), "")
				if code != 200 {
					select {
					case failures <- fmt.Sprintf("%d %s", code, body):
					default:
					}
				}
			}
		}()
	}
	for i := range 20 {
		if i%2 == 0 {
			src.add(t, r2)
		} else {
			src.add(t, r1)
		}
		if ok, err := s.Reload(context.Background()); err != nil || !ok {
			t.Fatalf("reload %d: %v, %v", i, ok, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("request failed during reloads: %s", f)
	}
	if s.RunID() != "run-1" {
		t.Errorf("serving %s, want run-1", s.RunID())
	}
	if ok, _ := s.Reload(context.Background()); ok {
		t.Errorf("Reload without a newer run reloaded")
	}
}

// TestRunGraceful starts the server on a loopback port, picks up a new
// run by polling, and shuts down on cancel while a request is in flight.
func TestRunGraceful(t *testing.T) {
	src := newRuns()
	src.add(t, results(t, "run-1", 100, 1))
	s := newServer(t, src, server.Options{Poll: 20 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln, 5*time.Second) }()
	base := "http://" + ln.Addr().String()
	get := func(p string) string {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if b := get("/healthz"); !strings.Contains(b, "run-1") {
		t.Fatalf("healthz = %s", b)
	}
	src.add(t, results(t, "run-2", 100, 2))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(get("/healthz"), "run-2") {
		if time.Now().After(deadline) {
			t.Fatal("the new run was not picked up within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v after cancel, want nil", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Errorf("the server still answers after shutdown")
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, ":8080": false, "0.0.0.0:80": false, "10.1.2.3:80": false} {
		if got := server.Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestScoreRecords sends raw records; the server's Featurize turns them
// into feature rows (here: the stored rows of the users named).
func TestScoreRecords(t *testing.T) {
	src := newRuns()
	run := results(t, "run-1", 100, 1)
	src.add(t, run)
	var gotAsOf string
	featurize := func(ctx context.Context, m *model.Model, raw server.RawRecords) (*server.Described, error) {
		gotAsOf = raw.AsOf
		var rec struct {
			Users []struct {
				UserID string `json:"user_id"`
				Moved  bool   `json:"moved"`
			} `json:"users"`
		}
		if err := json.Unmarshal(raw.Records, &rec); err != nil {
			return nil, err
		}
		tab := &features.Table{X: mat.NewDense(len(rec.Users), len(run.FeatureNames), nil)}
		for _, n := range run.FeatureNames {
			tab.Features = append(tab.Features, features.Feature{Name: n})
		}
		for i, u := range rec.Users {
			var k int
			if u.UserID == "crash" {
				return nil, fmt.Errorf("read /srv/secret/records.jsonl: Binder Error: no such column")
			}
			if _, err := fmt.Sscanf(u.UserID, "u%d", &k); err != nil || k >= 100 {
				return nil, &persona.InputError{Msg: fmt.Sprintf("no rows for user %q", u.UserID)}
			}
			tab.UserIDs = append(tab.UserIDs, u.UserID)
			tab.X.SetRow(i, run.Row(k))
			if u.Moved {
				tab.X.Set(i, 0, tab.X.At(i, 0)+1e-3)
			}
		}
		return &server.Described{Features: tab}, nil
	}
	h := newServer(t, src, server.Options{Featurize: featurize}).Handler()
	code, body, _ := do(t, h, "POST", "/api/score", `{"records": {"users": [{"user_id": "u0000005"}, {"user_id": "u0000006"}]}}`)
	// The run's users with their own features get the run's answer
	// (known); a changed row is the model's to assign.
	want := fmt.Sprintf(`{"run_id":"run-1","users":[{"user_id":"u0000005","segment":{"id":%d,"name":%q},"distance":%v,"far":false,"known":true},{"user_id":"u0000006","segment":{"id":%d,"name":%q},"distance":%v,"far":false,"known":true}]}`,
		run.Segments[5], run.Model.Name(run.Segments[5]), run.Distance[5], run.Segments[6], run.Model.Name(run.Segments[6]), run.Distance[6])
	if code != 200 || strings.TrimSpace(body) != want {
		t.Errorf("score records = %d\n%s\nwant\n%s", code, body, want)
	}
	if code, body, _ := do(t, h, "POST", "/api/score", `{"records": {"users": [{"user_id": "zz"}]}}`); code != 422 || !strings.Contains(body, `no rows for user`) {
		t.Errorf("bad records = %d %s, want 422", code, body)
	}
	code, body, _ = do(t, h, "POST", "/api/score", `{"records": {"users": [{"user_id": "u0000007", "moved": true}]}}`)
	if code != 200 || strings.Contains(body, "known") || !strings.Contains(body, `"segment":{"id":`) {
		t.Errorf("a changed row = %d %s, want the model's segment, not known", code, body)
	}
	if code, body, _ := do(t, h, "POST", "/api/score", `{"records": {"users": [{"user_id": "crash"}]}}`); code != 500 || strings.Contains(body, "secret") || strings.Contains(body, "Binder") {
		t.Errorf("a machine's error = %d %s, want 500 without its text", code, body)
	}
	if code, _, _ := do(t, h, "POST", "/api/score", `{"records": {"users": [{"user_id": "u0000005"}]}, "as_of": "2024-05-01"}`); code != 200 || gotAsOf != "2024-05-01" {
		t.Errorf("as_of = %d, Featurize got %q; want 2024-05-01", code, gotAsOf)
	}
	if code, body, _ := do(t, h, "POST", "/api/score", `{"features": {}, "as_of": "2024-05-01"}`); code != 400 || !strings.Contains(body, "as_of") {
		t.Errorf("as_of with features = %d %s, want 400", code, body)
	}
	if code, _, _ := do(t, h, "POST", "/api/score", `{"records": {}, "features": {}}`); code != 400 {
		t.Errorf("records and features together = %d, want 400", code)
	}
	plain := newServer(t, src, server.Options{}).Handler()
	if code, _, _ := do(t, plain, "POST", "/api/score", `{"records": {"users": []}}`); code != 501 {
		t.Errorf("records without Featurize = %d, want 501", code)
	}
}

// TestScoreFar: a row far from every segment is flagged far (beyond Q3 +
// 3 IQR of its segment's training distances); the run's own users are not.
func TestScoreFar(t *testing.T) {
	src := newRuns()
	run := results(t, "run-1", 300, 1)
	src.add(t, run)
	h := newServer(t, src, server.Options{}).Handler()
	for i := range 30 {
		_, body, _ := do(t, h, "POST", "/api/score", featuresJSON(run, i, "", ""))
		if !strings.Contains(body, `"far":false`) {
			t.Errorf("user %d's own features: %s, want far false", i, body)
		}
	}
	f := map[string]float64{}
	for j, n := range run.FeatureNames {
		f[n] = run.Row(0)[j] + 40
	}
	b, _ := json.Marshal(map[string]any{"features": f})
	if code, body, _ := do(t, h, "POST", "/api/score", string(b)); code != 200 || !strings.Contains(body, `"far":true`) {
		t.Errorf("a row 40 units off = %d %s, want far true", code, body)
	}
}

// TestNewRun: the NewRun hook hears of every run loaded in place of
// another, whole, and not of the first.
func TestNewRun(t *testing.T) {
	src := newRuns()
	src.add(t, results(t, "run-1", 50, 1))
	got := make(chan *persona.Results, 4)
	s := newServer(t, src, server.Options{NewRun: func(ctx context.Context, r *persona.Results) { got <- r }})
	src.add(t, results(t, "run-2", 60, 2))
	if ok, err := s.Reload(context.Background()); !ok || err != nil {
		t.Fatalf("reload: %v %v", ok, err)
	}
	select {
	case r := <-got:
		if r.Run.ID != "run-2" || len(r.UserIDs) != 60 || r.Recommendations == nil {
			t.Errorf("NewRun got run %s with %d users, recommendations %v", r.Run.ID, len(r.UserIDs), r.Recommendations != nil)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("NewRun was not called")
	}
	select {
	case r := <-got:
		t.Errorf("NewRun called again, with %s", r.Run.ID)
	case <-time.After(50 * time.Millisecond):
	}
}
