package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/server"
	"github.com/persona-seg/persona/store"
)

// ServeOptions holds the flags of "persona serve".
type ServeOptions struct {
	IO    *IOStreams
	Store string
	Addr  string
	Token string
	// PublicRead opens the reads (the API's GETs, the dashboard,
	// /metrics) to anyone even with a token.
	PublicRead bool
	Poll       time.Duration
	// Notify is the webhook URL told of each new run served.
	Notify  string
	MaxBody int64
	// Pprof, when set, is the loopback host:port Go's profiler
	// (net/http/pprof) is served on.
	Pprof string
	Quiet bool
	JSON  bool
}

// NewCmdServe serves the newest run of a store over HTTP.
func NewCmdServe(f *Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the newest run of a store: JSON API, metrics and dashboard",
		Long: `Serve the newest run in a store over HTTP, and switch to a newer run when
one is saved (checked every --poll) without dropping requests.

  GET  /api/segments          segments of the run
  GET  /api/segments/{id}     one segment's profile
  GET  /api/segments/{id}/users?limit=&after=
                              its users, a page at a time (next: the cursor of the next page)
  GET  /api/segments/{id}/export?format=csv|jsonl&attributes=a,b|all
                              all its users, streamed, with persona export's columns
  GET  /api/users/{id}        a user's features, segment, profile summary, recommendations
  POST /api/score             {"features": {...}} or {"records": {"users": [...], "events": [...],
                              "transactions": [...], "social": [...]}} -> segment
  GET  /healthz               200 once a run is loaded
  GET  /metrics               Prometheus text format
  GET  /                      dashboard (charts, segment filter, RFM grid, movement
                              since the previous run, member lists with CSV export)
  GET  /report                the run's report.html, when --store is its output folder

With --token (or PERSONA_TOKEN) set, every route that serves data needs
it: all of /api/, /metrics and the dashboard. Send it as
"Authorization: Bearer TOKEN" (the scheme in any case); a browser signs in
once at /login, whose session cookie carries the dashboard and the API's
GETs (never POST /api/score). Open are /healthz (its status alone; run id
and users with the token), /login and the dashboard's scripts and
stylesheet. --public-read deliberately opens every read to anyone while
POST /api/score keeps needing the token. Listening beyond loopback with
reads open (no token, or --public-read) prints a warning.

With --notify URL, each newer run served (not the first) is POSTed to URL
as "persona run --notify" does: a JSON summary (run id, segment sizes,
users moved since the previous committed run) signed with
$PERSONA_WEBHOOK_SECRET (X-Persona-Signature: sha256=<hex HMAC-SHA256 of
the body>), retried 3 times; a failure is logged and changes nothing else.

--pprof 127.0.0.1:6060 serves Go's profiler (net/http/pprof: CPU, heap and
allocation profiles under /debug/pprof/) on a second, loopback-only
listener, to profile the server under load.

Ctrl-C (or SIGTERM) lets requests in flight finish, then exits.

It reads the store and writes nothing but its log on stderr: the address
served and one line per event (run loaded, reload, failed request), as
key=value text; --json writes them as JSON lines instead; --quiet keeps only
errors (and the warning above).`,
		Example: `  persona serve --store out
  persona serve --store out --addr 127.0.0.1:9000 --json 2>>serve.log
  PERSONA_TOKEN=secret persona serve --store postgres://persona@db/persona --addr :8080
  curl -H "Authorization: Bearer secret" http://db:8080/api/segments`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Store == "" {
				return usagef("--store must name a store (an output folder, a DuckDB file or a postgres:// URL)")
			}
			if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
				return usagef("--addr must be host:port, got %q", opts.Addr)
			}
			if opts.Token == "" {
				opts.Token = os.Getenv("PERSONA_TOKEN")
			}
			if err := checkNotify(opts.Notify); err != nil {
				return err
			}
			if opts.Pprof != "" && !server.Loopback(opts.Pprof) {
				return usagef("--pprof must be a loopback host:port such as 127.0.0.1:6060 (the profiler shows the process's memory), got %q", opts.Pprof)
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Store, "store", "", "the store: output `folder`, DuckDB file or postgres:// URL")
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	cmd.Flags().StringVar(&opts.Token, "token", "", "bearer token every data route requires (default $PERSONA_TOKEN)")
	cmd.Flags().BoolVar(&opts.PublicRead, "public-read", false, "open the reads (API GETs, dashboard, /metrics) to anyone; POST /api/score still needs the token")
	cmd.Flags().DurationVar(&opts.Poll, "poll", 5*time.Second, "how often to look for a newer run")
	cmd.Flags().Int64Var(&opts.MaxBody, "max-body", 1<<20, "largest request body, in `bytes`")
	cmd.Flags().StringVar(&opts.Notify, "notify", "", "POST a signed JSON summary of each newer run served to this `URL` (secret: $PERSONA_WEBHOOK_SECRET)")
	cmd.Flags().StringVar(&opts.Pprof, "pprof", "", "serve Go's profiler (/debug/pprof/) on this loopback `host:port`")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "write the log lines on stderr as JSON")
	return cmd
}

// pprofHandler serves Go's profiler, net/http/pprof, under /debug/pprof/.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// servePprof serves pprofHandler on addr until ctx is done.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof: %w", err)
	}
	srv := &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go srv.Serve(ln)
	logger.Info("profiler", "url", fmt.Sprintf("http://%s/debug/pprof/", ln.Addr()))
	return nil
}

// reportBeside is the report.html of the output folder store names, ""
// when store is not a folder with one (a DuckDB file elsewhere, Postgres).
func reportBeside(store string) string {
	p := filepath.Join(store, "report.html")
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}

// reopening reads a store it opens for each call, read-only, so that a
// DuckDB file is free for a run to write between calls.
type reopening struct{ dsn string }

var _ persona.RunReader = reopening{}

func (r reopening) Latest(ctx context.Context) (string, error) {
	st, err := store.Open(ctx, r.dsn, storeOptions(true))
	if err != nil {
		return "", err
	}
	defer st.Close()
	return st.Latest(ctx)
}

func (r reopening) Load(ctx context.Context, id string) (*persona.Results, error) {
	st, err := store.Open(ctx, r.dsn, storeOptions(true))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Load(ctx, id)
}

func (r reopening) List(ctx context.Context, f persona.RunFilter) ([]persona.Run, error) {
	st, err := store.Open(ctx, r.dsn, storeOptions(true))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.List(ctx, f)
}

func serveRun(opts *ServeOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := serveLogger(opts.IO.ErrOut, opts.Quiet, opts.JSON)
	dsn := storeDSN(opts.Store)
	var src persona.RunReader = reopening{dsn}
	if store.IsPostgres(dsn) {
		st, err := store.Open(ctx, dsn, storeOptions(true))
		if err != nil {
			return err
		}
		defer st.Close()
		src = st
	} else if _, err := os.Stat(dsn); err != nil {
		return fmt.Errorf("store %s: %w", dsn, err)
	}
	src = readRuns(opts.Store, src)
	so := serveOptions(opts, src, logger)
	// Raw records are described in DuckDB databases opened ahead of the
	// requests, two (the server's limit of raw-record jobs at a time).
	feat := pipeline.NewFeaturizer(DriverName, 2)
	defer feat.Close()
	so.Featurize = recordsFeaturizer(feat)
	srv, err := server.New(src, so)
	if err != nil {
		return err
	}
	if _, err := srv.Reload(ctx); err != nil {
		if errors.Is(err, persona.ErrNoRuns) {
			return fmt.Errorf("store %s holds no run yet: run persona run or persona demo first", opts.Store)
		}
		return err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return err
	}
	if opts.Pprof != "" {
		if err := servePprof(ctx, opts.Pprof, logger); err != nil {
			ln.Close()
			return err
		}
	}
	if w := exposureWarning(opts.Addr, opts.Token, opts.PublicRead); w != "" {
		fmt.Fprintln(opts.IO.ErrOut, w)
	}
	logger.Info("serving", "run", srv.RunID(), "url", fmt.Sprintf("http://%s/", ln.Addr()))
	return srv.Run(ctx, ln, 10*time.Second)
}

// serveOptions are the server options of persona serve reading src.
func serveOptions(opts *ServeOptions, src persona.RunReader, logger *slog.Logger) server.Options {
	so := server.Options{Token: opts.Token, PublicRead: opts.PublicRead, MaxBody: opts.MaxBody, Poll: opts.Poll, Logger: logger, Featurize: featurizeRecords,
		Report: reportBeside(opts.Store)}
	if n := newNotifier(opts.Notify); n != nil {
		if w := n.unsignedWarning(); w != "" {
			fmt.Fprintln(opts.IO.ErrOut, w)
		}
		so.NewRun = func(ctx context.Context, res *persona.Results) {
			if err := n.notifyLoaded(ctx, src, res); err != nil {
				logger.Warn("webhook", "run", res.Run.ID, "err", err)
				return
			}
			logger.Info("webhook delivered", "run", res.Run.ID, "url", opts.Notify)
		}
	}
	return so
}

// featurizeRecords is the server's Featurize: the "records" of POST
// /api/score (pipeline.Records as JSON), the request's user_id filled into
// the rows that name no user, described with the model's feature spec
// relative to the request's as_of, records.as_of or the training run's,
// and valued with the model's value models, in a database opened for the
// request (persona serve's opens them ahead: recordsFeaturizer).
func featurizeRecords(ctx context.Context, m *model.Model, req server.RawRecords) (*server.Described, error) {
	return describeRecords(ctx, func(ctx context.Context, m *model.Model, rec *pipeline.Records) (*features.Table, *persona.Values, error) {
		return pipeline.FeaturizeValue(ctx, DriverName, m, rec)
	}, m, req)
}

// recordsFeaturizer is featurizeRecords describing the records with f.
func recordsFeaturizer(f *pipeline.Featurizer) func(context.Context, *model.Model, server.RawRecords) (*server.Described, error) {
	return func(ctx context.Context, m *model.Model, req server.RawRecords) (*server.Described, error) {
		return describeRecords(ctx, f.FeaturizeValue, m, req)
	}
}

// describeRecords decodes req's records and describes them with fz.
func describeRecords(ctx context.Context, fz func(context.Context, *model.Model, *pipeline.Records) (*features.Table, *persona.Values, error), m *model.Model, req server.RawRecords) (*server.Described, error) {
	var rec pipeline.Records
	dec := json.NewDecoder(bytes.NewReader(req.Records))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return nil, &persona.InputError{Msg: "records: " + err.Error()}
	}
	if req.AsOf != "" {
		if rec.AsOf != "" && rec.AsOf != req.AsOf {
			return nil, &persona.InputError{Msg: fmt.Sprintf("as_of %q and records.as_of %q disagree: give one", req.AsOf, rec.AsOf)}
		}
		rec.AsOf = req.AsOf
	}
	if req.UserID != "" {
		fillUserID(&rec, req.UserID)
	}
	tab, vals, err := fz(ctx, m, &rec)
	if err != nil {
		return nil, err
	}
	return &server.Described{Features: tab, Values: vals}, nil
}

// fillUserID sets the user_id of every row of rec that has none (absent,
// null or "") to id.
func fillUserID(rec *pipeline.Records, id string) {
	fill := func(rows []map[string]any) {
		for _, r := range rows {
			if r == nil {
				continue // a null row: loading names it
			}
			if v, ok := r["user_id"]; !ok || v == nil || v == "" {
				r["user_id"] = id
			}
		}
	}
	fill(rec.Users)
	fill(rec.Events)
	fill(rec.Transactions)
	fill(rec.Social)
	for _, rows := range rec.Profiles {
		fill(rows)
	}
}

// serveLogger returns the logger of persona serve, writing to w: text
// lines, JSON lines with jsonOut, only errors when quiet.
func serveLogger(w io.Writer, quiet, jsonOut bool) *slog.Logger {
	ho := &slog.HandlerOptions{Level: slog.LevelInfo}
	if quiet {
		ho.Level = slog.LevelError
	}
	if jsonOut {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// exposureWarning is the warning printed when serving beyond loopback
// with reads open to anyone (no token, or --public-read), or "".
func exposureWarning(addr, token string, publicRead bool) string {
	switch {
	case server.Loopback(addr):
		return ""
	case token == "":
		return fmt.Sprintf("persona: warning: listening on %s beyond loopback without a token: anyone who can reach it can read users and score (set --token or PERSONA_TOKEN)", addr)
	case publicRead:
		return fmt.Sprintf("persona: warning: listening on %s beyond loopback with --public-read: anyone who can reach it can read users, segments and metrics (scoring needs the token)", addr)
	}
	return ""
}
