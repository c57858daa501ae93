package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/persona-seg/persona/chart/vega"
	"github.com/persona-seg/persona/server"
)

// routeRequest makes a request that reaches the handler of pattern: its
// method (DELETE for a pattern of any method), its wildcards filled with
// things the run holds.
func routeRequest(t *testing.T, pattern string) (method, path string) {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "DELETE", pattern
	}
	switch {
	case strings.HasPrefix(path, "/api/users/"), strings.HasPrefix(path, "/users/"):
		path = strings.Replace(path, "{id}", "u0000001", 1)
	case strings.HasPrefix(path, "/assets/vega/"):
		path = strings.Replace(path, "{file}", vega.ScriptFiles()[0], 1)
	case strings.HasPrefix(path, "/assets/"):
		path = strings.Replace(path, "{file}", "style.css", 1)
	}
	path = strings.Replace(path, "{id}", "1", 1)
	path = strings.Replace(path, "{$}", "", 1)
	if path == "/api/" {
		path = "/api/no-such-endpoint"
	}
	if path == "/users" {
		path = "/users?id=u0000001"
	}
	if strings.Contains(path, "{") {
		t.Fatalf("pattern %q has a wildcard this test cannot fill: teach routeRequest", pattern)
	}
	return method, path
}

// refused reports whether a response turns the request away for want of
// credentials: a 401, or a dashboard page's redirect to /login.
func refused(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusUnauthorized ||
		rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/login")
}

// TestAccessEveryRoute walks every pattern the mux serves (the table it
// is built from, so a new route cannot escape) and checks who gets in:
// with a token, only open routes answer without it; reads take the
// bearer token (any case of "Bearer") or the dashboard session, writes
// only the bearer token; --public-read opens reads and nothing else.
func TestAccessEveryRoute(t *testing.T) {
	src := newRuns()
	src.add(t, results(t, "run-1", 60, 1))
	const token = "t0k-3n"
	servers := map[string]*server.Server{
		"token":       newServer(t, src, server.Options{Token: token}),
		"public read": newServer(t, src, server.Options{Token: token, PublicRead: true}),
		"no token":    newServer(t, src, server.Options{}),
	}
	// A session cookie, as the login form sets it.
	login := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"token": {token}, "next": {"/segments/1"}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	servers["token"].Handler().ServeHTTP(rec, login)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/segments/1" || len(rec.Result().Cookies()) != 1 {
		t.Fatalf("login = %d, Location %q, cookies %v", rec.Code, rec.Header().Get("Location"), rec.Result().Cookies())
	}
	session := rec.Result().Cookies()[0]
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || strings.Contains(session.Value, token) {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, not the token itself", session)
	}

	creds := []struct {
		name string
		set  func(*http.Request)
		// good is whether the credential is the token's.
		good, cookie bool
	}{
		{"none", func(*http.Request) {}, false, false},
		{"Bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }, true, false},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "bearer "+token) }, true, false},
		{"BEARER", func(r *http.Request) { r.Header.Set("Authorization", "BEARER  "+token) }, true, false},
		{"wrong token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token+"x") }, false, false},
		{"basic", func(r *http.Request) { r.Header.Set("Authorization", "Basic "+token) }, false, false},
		{"token as cookie", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: session.Name, Value: token}) }, false, false},
		{"session", func(r *http.Request) { r.AddCookie(session) }, true, true},
	}
	routes := server.Routes(servers["token"])
	if len(routes) < 20 {
		t.Fatalf("only %d routes listed", len(routes))
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		method, path := routeRequest(t, rt.Pattern)
		seen[rt.Access] = true
		if strings.HasPrefix(path, "/api/") && rt.Access == "open" || path == "/metrics" && rt.Access != "read" {
			t.Errorf("%s is %s: every /api/ route and /metrics need the token", rt.Pattern, rt.Access)
		}
		for mode, s := range servers {
			for _, c := range creds {
				t.Run(rt.Pattern+"/"+mode+"/"+c.name, func(t *testing.T) {
					body := ""
					if method == "POST" && path == "/api/score" {
						body = `{"features": {}}`
					}
					if path == "/login" && method == "POST" {
						body = "token=nope"
					}
					req := httptest.NewRequest(method, path, strings.NewReader(body))
					if path == "/login" {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					c.set(req)
					rec := httptest.NewRecorder()
					s.Handler().ServeHTTP(rec, req)
					wantIn := true
					switch {
					case mode == "no token", rt.Access == "open":
					case rt.Access == "read":
						wantIn = mode == "public read" || c.good
					case rt.Access == "write":
						wantIn = c.good && !c.cookie
					}
					if got := !refused(rec); got != wantIn && !(path == "/login" && method == "POST") {
						t.Errorf("%s %s: %d (Location %q), let in %v; want %v", method, path, rec.Code, rec.Header().Get("Location"), got, wantIn)
					}
					if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
						t.Errorf("%s %s: no X-Content-Type-Options: nosniff", method, path)
					}
					if refused(rec) && rec.Code == http.StatusUnauthorized && !strings.Contains(rec.Header().Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("%s %s: 401 without WWW-Authenticate: Bearer", method, path)
					}
					if refused(rec) && strings.Contains(rec.Body.String(), "run-1") {
						t.Errorf("%s %s: the refusal names the run: %s", method, path, rec.Body.String())
					}
				})
			}
		}
	}
	for _, a := range []string{"open", "read", "write"} {
		if !seen[a] {
			t.Errorf("no route is %s", a)
		}
	}
}

// TestAccessDetails: the health check tells others only the status, the
// login form refuses a wrong token and never redirects off the server,
// paths outside the routes still get nosniff, and /assets/ lists nothing.
func TestAccessDetails(t *testing.T) {
	src := newRuns()
	src.add(t, results(t, "run-1", 60, 1))
	h := newServer(t, src, server.Options{Token: "tok"}).Handler()
	if code, body, _ := do(t, h, "GET", "/healthz", ""); code != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("anonymous /healthz = %d %s, want the status alone", code, body)
	}
	if code, body, _ := do(t, h, "GET", "/healthz", "", "Authorization", "Bearer tok"); code != 200 || !strings.Contains(body, `"run_id":"run-1"`) {
		t.Errorf("/healthz with the token = %d %s, want the run", code, body)
	}
	post := func(form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := post(url.Values{"token": {"wrong"}}); rec.Code != 403 || len(rec.Result().Cookies()) != 0 || !strings.Contains(rec.Body.String(), "not the server") {
		t.Errorf("login with a wrong token = %d, cookies %v", rec.Code, rec.Result().Cookies())
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""} {
		if rec := post(url.Values{"token": {"tok"}, "next": {next}}); rec.Code != 303 || rec.Header().Get("Location") != "/" {
			t.Errorf("login with next %q redirects to %q, want /", next, rec.Header().Get("Location"))
		}
	}
	if code, _, hdr := do(t, h, "GET", "/segments/1", ""); code != 303 || hdr.Get("Location") != "/login?next=%2Fsegments%2F1" {
		t.Errorf("a dashboard page without a session = %d to %q", code, hdr.Get("Location"))
	}
	if code, body, _ := do(t, h, "GET", "/login?next=/segments/1", ""); code != 200 || !strings.Contains(body, `name="next" value="/segments/1"`) {
		t.Errorf("login page = %d %s", code, body)
	}
	for _, p := range []string{"/assets/", "/assets", "/assets/vega/", "/nowhere", "/assets/..%2fserver.go"} {
		code, body, hdr := do(t, h, "GET", p, "")
		if code == 200 || strings.Contains(body, "style.css") || hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s = %d %q (nosniff %q): want no listing and nosniff", p, code, body, hdr.Get("X-Content-Type-Options"))
		}
	}
	if code, body, hdr := do(t, h, "GET", "/assets/style.css", ""); code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/css") || body == "" {
		t.Errorf("/assets/style.css = %d %s", code, hdr.Get("Content-Type"))
	}
}
