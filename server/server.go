// Package server serves a store's latest run over HTTP: a JSON API to look
// up segments and users and to score new users, Prometheus metrics, and a
// server-rendered dashboard.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/audience"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
)

// Options configures a Server. The zero value means defaults.
type Options struct {
	// Token, when set, is the bearer token every route that serves data
	// requires (see the package documentation, # Access): the API, the
	// dashboard and /metrics.
	Token string
	// PublicRead opens the routes that read (every GET but /login's form)
	// to anyone, deliberately: with a token, POST /api/score still needs
	// it.
	PublicRead bool
	// MaxBody is the largest request body accepted, in bytes. Default 1 MiB.
	MaxBody int64
	// Poll is how often the store is asked for a newer run. Default 5 s;
	// negative never polls.
	Poll time.Duration
	// Logger receives a line per loaded run and per failed request. Nil
	// discards.
	Logger *slog.Logger
	// Featurize, when set, describes raw records (the "records" of POST
	// /api/score) with the model's feature spec, relative to rec.AsOf when
	// it is not empty (the request's "as_of"), else to the training run's,
	// and values their customers with the model's value models when it has
	// them; without it only "features" are accepted. At most two run at a
	// time. A *persona.InputError it returns is shown to the client (422);
	// any other error is logged and answered 500.
	Featurize func(ctx context.Context, m *model.Model, rec RawRecords) (*Described, error)
	// Report, when set, is the path of the run's report.html, served at
	// /report and linked from the dashboard.
	Report string
	// NewRun, when set, is called (on a goroutine of its own) with every
	// run Reload loads in place of another, whole (its user ids and
	// recommendations included): persona serve's webhook. It is not called
	// for the first run served.
	NewRun func(ctx context.Context, res *persona.Results)
}

// RawRecords is the raw-record part of a POST /api/score body, as the
// request sent it, for Options.Featurize.
type RawRecords struct {
	// Records is the "records" object.
	Records json.RawMessage
	// AsOf is the "as_of" member; "" means the training run's.
	AsOf string
	// UserID is the top-level "user_id": the user of every row of Records
	// that names none.
	UserID string
}

// Described is what Options.Featurize makes of raw records.
type Described struct {
	// Features holds a row per user of the records.
	Features *features.Table
	// Values, when the model has customer-value models, holds each user's
	// value in the order of Features.UserIDs (a user without a purchase is
	// no customer); nil when it has none.
	Values *persona.Values
}

func (o Options) withDefaults() Options {
	if o.MaxBody == 0 {
		o.MaxBody = 1 << 20
	}
	if o.Poll == 0 {
		o.Poll = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Validate reports the first option that is out of range.
func (o Options) Validate() error {
	if o.MaxBody < 0 {
		return fmt.Errorf("max body must be >= 0 bytes, got %d", o.MaxBody)
	}
	return nil
}

// Server serves the newest committed run of a persona.RunReader (a
// persona.RunStore, say). It is safe for concurrent use;
// a newly loaded run replaces the old one atomically, so requests in flight
// finish on the run they started with.
type Server struct {
	src     persona.RunReader
	opts    Options
	snap    atomic.Pointer[snapshot]
	mux     *http.ServeMux
	handler http.Handler // mux, setting the headers of every response
	keys    keys
	metrics *metrics
	loadMu  sync.Mutex
	jobs    chan struct{} // slots for Featurize
}

// snapshot is one loaded run, indexed for lookups.
type snapshot struct {
	// res is the run without its user ids and recommendations, which
	// users holds.
	res      *persona.Results
	users    *users
	segments map[int]*profile.Segment
	sizes    map[int]int
	names    [][]byte // feature names, JSON-quoted
	// runJSON opens a user's answer: {"run_id":"ID"; segJSON is the
	// "segment" member of it, by segment id.
	runJSON []byte
	segJSON map[int][]byte
	loaded  time.Time
	// chartSet holds the dashboard's charts, drawn on first use.
	chartsOnce sync.Once
	chartSet   *charts
	// memberRows holds each segment's rows, built on first use.
	membersOnce sync.Once
	memberRows  map[int][]int32
	// lists holds each segment's member list, built on first use.
	listsMu sync.Mutex
	lists   map[int]*audience.List
	// fenceSet holds the far-out fences of the distances, on first use.
	fencesOnce sync.Once
	fenceSet   *fences
	// moved compares the run with the one before it, on first use.
	movedOnce sync.Once
	moved     *movement
}

// New returns a server for the runs src reads. Call Reload (or Run) before serving.
func New(src persona.RunReader, opts Options) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Server{src: src, opts: opts.withDefaults(), metrics: newMetrics(), jobs: make(chan struct{}, 2), keys: newKeys(opts.Token)}
	s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// RunID returns the id of the run being served, "" before the first.
func (s *Server) RunID() string {
	if sn := s.snap.Load(); sn != nil {
		return sn.res.Run.ID
	}
	return ""
}

// Reload loads the newest committed run when it differs from the one being
// served, and reports whether it did.
func (s *Server) Reload(ctx context.Context) (bool, error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	id, err := s.src.Latest(ctx)
	if err != nil {
		return false, err
	}
	cur := s.snap.Load()
	if cur != nil && cur.res.Run.ID == id {
		return false, nil
	}
	t := time.Now()
	res, err := s.src.Load(ctx, id)
	if err != nil {
		return false, err
	}
	s.snap.Store(newSnapshot(res))
	if cur != nil && s.opts.NewRun != nil {
		go s.opts.NewRun(context.WithoutCancel(ctx), res)
	}
	s.metrics.reloads.Add(1)
	s.opts.Logger.Info("run loaded", "run", id, "users", len(res.UserIDs), "seconds", time.Since(t).Seconds())
	return true, nil
}

func newSnapshot(res *persona.Results) *snapshot {
	sn := &snapshot{users: newUsers(res.UserIDs, res.Recommendations), segments: map[int]*profile.Segment{}, sizes: map[int]int{}, loaded: time.Now()}
	lean := *res
	lean.UserIDs, lean.Recommendations = nil, nil
	res = &lean
	sn.res = res
	for i := range res.Profiles.Segments {
		seg := &res.Profiles.Segments[i]
		sn.segments[seg.ID] = seg
	}
	for _, l := range res.Segments {
		sn.sizes[l]++
	}
	for _, n := range res.FeatureNames {
		sn.names = append(sn.names, appendString(nil, n))
	}
	sn.runJSON = appendString([]byte(`{"run_id":`), res.Run.ID)
	sn.segJSON = map[int][]byte{}
	for id := range sn.sizes {
		sn.segJSON[id] = appendSegment(nil, sn, id)
	}
	return sn
}

// Run serves on ln until ctx is done, reloading the newest run every
// Options.Poll, then shuts down gracefully: requests in flight get up to
// grace to finish.
func (s *Server) Run(ctx context.Context, ln net.Listener, grace time.Duration) error {
	if s.snap.Load() == nil {
		if _, err := s.Reload(ctx); err != nil {
			return err
		}
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	defer close(done)
	if s.opts.Poll > 0 {
		go func() {
			tick := time.NewTicker(s.opts.Poll)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-ctx.Done():
					return
				case <-tick.C:
					if _, err := s.Reload(ctx); err != nil && ctx.Err() == nil {
						s.opts.Logger.Warn("reload", "err", err)
					}
				}
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Loopback reports whether addr (host:port) listens on loopback only.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
