package server

// # Endpoints
//
//	GET  /api/segments          the run's segments (id, name, size, share, summary)
//	GET  /api/segments/{id}     one segment's profile (profile.Segment)
//	GET  /api/segments/{id}/users?limit=&after=
//	                            a page of the segment's users, each the object of its line in the
//	                            JSON lines export (value and outcome columns included, "columns" names
//	                            them); "next" is the cursor of the next page
//	GET  /api/segments/{id}/export?format=csv|jsonl&attributes=a,b|all
//	                            all of them, streamed, with persona export's columns (package audience)
//	GET  /api/users/{id}        features, segment with its profile summary, distance, recommendations,
//	                            and the customer value when the run has one ("value": value.csv's
//	                            columns, null for a user without a purchase; docs/value.md)
//	POST /api/score             {"features": {"name": value, ...}} -> {"segment": {...}, "distance": d, "far": f}
//	                            or a user's raw {"records": {"events": [...], ...}} (Options.Featurize)
//	                            -> {"users": [{"user_id", "segment", "distance", "far", "known", "value"}]};
//	                            a top-level "user_id" is the user of the rows that name none, "as_of"
//	                            the date to describe them at (default: the training run's); "value" is
//	                            as GET /api/users/{id}'s, when the model has customer-value models
//	GET  /healthz               200 with the run id once a run is loaded, else 503
//	GET  /metrics               Prometheus text format: requests and latency by route, run info
//	GET  /                      dashboard: overview charts, a page per segment, user search
//	GET  /login, POST /login    the dashboard's sign-in form, when a token is set
//
// Errors are JSON objects {"error": "...", "status": code}, written by
// Server.Error, which alone maps errors to status codes; a 4xx names what
// the request got wrong and never a path on the server or a database's
// own message (5xx say "internal error" and are logged). A value of the
// request is quoted clipped to 100 bytes; as a backstop, Error replaces any
// absolute path the request did not send and any database message
// ("Binder Error: ...", "LINE 1:", "(SQLSTATE ...)") left in a 4xx, keeps
// the body to one line of at most 400 bytes, and logs the error whole.
// POST bodies are
// limited to Options.MaxBody bytes (413 beyond). Every response carries
// X-Content-Type-Options: nosniff.
//
// # Access
//
// Without Options.Token everything is open: for loopback, or behind a
// proxy that authenticates. With a token every route that serves data
// needs it: all of /api/ (unknown endpoints and wrong methods included,
// so nobody learns which exist), /metrics (Prometheus' authorization
// setting sends it), the dashboard and /report. A request carries it as
// "Authorization: Bearer TOKEN", the scheme in any case; a browser signs
// in once at /login, whose form sets a session cookie (HttpOnly,
// SameSite=Strict, an HMAC of the token rather than the token) that
// carries the dashboard and the API's GETs, never POST /api/score. A
// dashboard page without a session redirects to /login, an API call gets
// 401 with WWW-Authenticate: Bearer. Open are /healthz (the status
// alone; the run id and users with the token), /login and the
// dashboard's own scripts and stylesheet, served by exact name (no
// folder is ever listed). Options.PublicRead deliberately opens every
// read while POST /api/score still needs the token; persona serve warns
// whenever it listens beyond loopback with reads open.
//
// # Runs
//
// The server holds the run it serves in memory (about 8 bytes per feature
// per user plus the ids), loaded from a persona.RunReader: a *store.Store,
// one opened per call so a DuckDB file stays free for writers, or an
// inmem.Store in tests. Only committed runs are served. Run polls the
// reader every Options.Poll; a newer run is loaded in the background and
// swapped in atomically, so requests in flight finish on the run they
// started with and none is dropped.
//
// # Dashboard
//
// Pages are server-rendered html/template with the stylesheet and
// scripts embedded (embed.FS), charts drawn by package chart/vega: the
// pages request nothing outside the server, under a Content-Security-Policy
// that runs only the server's own scripts.
//
// The overview's charts are the run's report's own when Options.Report is
// set and report.ChartsFile beside it draws the run served (the same
// segment ids, names and sizes): every interactive chart of report.html,
// under its section titles, with each segment's trait chart on the
// segment's page, read once per run. Otherwise the server draws what the
// run's results hold: users per segment, the z-score heatmap, traits, the
// RFM boxes and grid and the customer-value boxes. The segment table has
// the run's outcome columns and, with customer values, customers, mean and
// total CLV, CLV share, mean P(alive) and the share likely lost.
