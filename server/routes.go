package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// access says who may use a route.
type access uint8

const (
	// open routes serve no data: the health check (its status only,
	// without the token), the login page and the static assets.
	open access = iota
	// read routes serve the run: with a token set they need it, unless
	// Options.PublicRead opens them.
	read
	// write routes (POST /api/score) need the token whenever one is set,
	// in the Authorization header: a dashboard session is not enough.
	write
)

func (a access) String() string { return [...]string{"open", "read", "write"}[a] }

// route is one pattern of the mux. Every pattern is registered from
// routeTable, so that each has an access level (and the tests, which
// walk the same table, check every one).
type route struct {
	pattern string
	metric  int
	access  access
	// page marks the dashboard's HTML pages: a browser without a session
	// is sent to /login rather than shown a 401.
	page bool
	h    http.HandlerFunc
}

func (s *Server) routeTable() []route {
	rs := []route{
		{"GET /api/segments", routeSegments, read, false, s.handleSegments},
		{"GET /api/segments/{id}", routeSegment, read, false, s.handleSegment},
		{"GET /api/segments/{id}/users", routeMembers, read, false, s.handleMembers},
		{"GET /api/segments/{id}/export", routeExport, read, false, s.handleExport},
		{"GET /api/users/{id}", routeUser, read, false, s.handleUser},
		{"POST /api/score", routeScore, write, false, s.handleScore},
		{"GET /healthz", routeHealth, open, false, s.handleHealth},
		{"GET /metrics", routeMetrics, read, false, s.handleMetrics},
		{"GET /{$}", routeDashboard, read, true, s.handleOverview},
		{"GET /segments/{id}", routeDashboard, read, true, s.handleSegmentPage},
		{"GET /users", routeDashboard, read, true, s.handleUserSearch},
		{"GET /users/{id}", routeDashboard, read, true, s.handleUserPage},
		{"GET /report", routeDashboard, read, true, s.handleReport},
		{"GET /assets/vega/{file}", routeDashboard, open, false, s.handleVegaAsset},
		{"GET /assets/{file}", routeDashboard, open, false, s.handleAssets},
		{"GET /login", routeDashboard, open, false, s.handleLoginPage},
		{"POST /login", routeDashboard, open, false, s.handleLogin},
	}
	// The API's other methods and unknown endpoints answer only those who
	// may read it: nobody else learns which endpoints exist.
	for _, p := range []struct{ path, allow string }{
		{"/api/segments", "GET, HEAD"}, {"/api/segments/{id}", "GET, HEAD"}, {"/api/segments/{id}/users", "GET, HEAD"},
		{"/api/segments/{id}/export", "GET, HEAD"}, {"/api/users/{id}", "GET, HEAD"}, {"/api/score", "POST"},
	} {
		rs = append(rs, route{p.path, routeOther, read, false, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", p.allow)
			s.Error(w, r, errorf(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path+" (use "+p.allow+")"))
		}})
	}
	rs = append(rs, route{"/api/", routeOther, read, false, func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, errorf(http.StatusNotFound, "no such endpoint: "+r.URL.Path))
	}})
	return rs
}

// nosniff is the X-Content-Type-Options value of every response.
var nosniff = []string{"nosniff"}

func (s *Server) routes() {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, s.metrics.wrap(rt.metric, s.guard(rt)))
	}
	s.mux = mux
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = nosniff
		mux.ServeHTTP(w, r)
	})
}

// keys are the digests a request's credentials are compared with.
type keys struct {
	token   [sha256.Size]byte // SHA-256 of the token
	session string            // the dashboard session cookie's value
}

// sessionCookie names the dashboard's session cookie. Its value is an
// HMAC of the token, so the cookie cannot be replayed as a bearer token.
const sessionCookie = "persona_session"

func newKeys(token string) keys {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("persona dashboard session v1"))
	return keys{token: sha256.Sum256([]byte(token)), session: hex.EncodeToString(m.Sum(nil))}
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header,
// whose scheme is case-insensitive (RFC 9110, section 11.1).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// allowed reports whether r may use a route of access a.
func (s *Server) allowed(r *http.Request, a access) bool {
	if s.opts.Token == "" || a == open || a == read && s.opts.PublicRead {
		return true
	}
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := bearer(h)
		sum := sha256.Sum256([]byte(tok))
		return ok && subtle.ConstantTimeCompare(sum[:], s.keys.token[:]) == 1
	}
	if a != read {
		return false
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.keys.session)) == 1
}

// guard serves rt's handler to the requests its access level allows.
func (s *Server) guard(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.allowed(r, rt.access) {
			rt.h(w, r)
			return
		}
		if rt.page {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.Error(w, r, errorf(http.StatusUnauthorized, "a valid bearer token is required (Authorization: Bearer TOKEN)"))
	}
}

// localPath returns next when it is a path on this server, else "/".
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

type loginPage struct {
	Next  string
	Error string
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if s.opts.Token == "" || s.allowed(r, read) {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login.html", loginPage{Next: next})
}

// handleLogin checks the token posted by the login form and, when it is
// right, sets the session cookie that lets the browser read the dashboard
// and the API (GET only).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.Error(w, r, errorf(http.StatusBadRequest, "the login form could not be read"))
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if s.opts.Token == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("token")))
	if subtle.ConstantTimeCompare(sum[:], s.keys.token[:]) != 1 {
		s.render(w, r, http.StatusForbidden, "login.html", loginPage{Next: next, Error: "That is not the server's token."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.keys.session, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}
