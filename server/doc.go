package server

// # Endpoints
//
//	GET  /api/segments          the run's segments (id, name, size, share, summary)
//	GET  /api/segments/{id}     one segment's profile (profile.Segment)
//	GET  /api/users/{id}        features, segment with its profile summary, distance, recommendations
//	POST /api/score             {"features": {"name": value, ...}} -> {"segment": {...}, "distance": d}
//	GET  /healthz               200 with the run id once a run is loaded, else 503
//	GET  /metrics               Prometheus text format: requests and latency by route, run info
//	GET  /                      dashboard: overview charts, a page per segment, user search
//
// Errors are JSON objects {"error": "...", "status": code}, written by
// Server.Error, which alone maps errors to status codes. POST bodies are
// limited to Options.MaxBody bytes (413 beyond) and need
// "Authorization: Bearer <Options.Token>" when a token is set (401
// otherwise).
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
// Pages are server-rendered html/template with the stylesheet embedded
// (embed.FS) and charts drawn by package chart as inline SVG: the pages
// request nothing outside the server and run no script.
