package pipeline

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/value"
)

// Scored is what Score found.
type Scored struct {
	UserIDs  []string
	Segments []int
	Distance []float64
	// Features is the feature table the segments were assigned from.
	Features *features.Table
	// Sizes counts the users per segment id (model.Unsegmented included).
	Sizes map[int]int
	// Engine is where the features were computed (duckdb, postgres) and
	// RowsTransferred the rows read from Postgres: the raw rows copied,
	// or pushed down the feature table's and the customer-days'.
	Engine          string
	RowsTransferred int64
	// Value holds each user's p_alive, expected purchases and CLV from the
	// model's value models (NaN for users without a purchase); nil when
	// the model has none or the data no purchases.
	Value *profile.ValueInput
}

// scoreOutputs are the names Score writes in its output folder.
var scoreOutputs = []string{"segments.csv", "features.csv", "value.csv"}

// Score computes the features of the users in the datasets cfg describes
// with the columns the model was trained on, assigns their segments with m
// and commits out/segments.csv (user_id, segment, segment_name, distance),
// out/features.csv and, with the model's customer-value models,
// out/value.csv together (doc.go, # Output folders); out may not be
// a run's folder. The DuckDB driver must be registered under driverName.
func Score(ctx context.Context, driverName string, cfg *dataset.Config, m *model.Model, fo features.Options, out string) (sc *Scored, err error) {
	if m.Features == nil {
		return nil, fmt.Errorf("the model has no feature spec: it was not saved by a persona run")
	}
	err = WriteOut(ctx, out, OutOptions{Owns: scoreOutputs}, func(s *Stage) error {
		sc, err = score(ctx, driverName, cfg, m, fo, s.Dir)
		return err
	})
	return sc, err
}

func score(ctx context.Context, driverName string, cfg *dataset.Config, m *model.Model, fo features.Options, out string) (*Scored, error) {
	engine, err := cfg.PushdownEngine()
	if err != nil {
		return nil, err
	}
	fo.Spec = m.Features
	var (
		tab       *features.Table
		purchases func(asOf time.Time, fn func(string, time.Time, float64) error) error
		rows      int64
	)
	if engine == dataset.EnginePostgres {
		// The features and the customer-days are computed in Postgres.
		p, err := dataset.OpenPushdown(ctx, cfg, dataset.PushdownOptions{})
		if err != nil {
			if p != nil {
				p.Close()
			}
			return nil, fmt.Errorf("load: %w", err)
		}
		defer p.Close()
		fo.Dialect = features.Postgres
		if tab, err = features.ComputeOn(ctx, p, fo); err != nil {
			return nil, fmt.Errorf("features: %w", err)
		}
		purchases = func(asOf time.Time, fn func(string, time.Time, float64) error) error {
			return features.PurchaseDaysOn(ctx, p, features.Postgres, asOf, func(u string, at time.Time, v float64) error {
				rows++
				return fn(u, at, v)
			})
		}
		rows += p.RowsRead + int64(len(tab.UserIDs))
	} else {
		db, err := sql.Open(driverName, "")
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		st, err := dataset.LoadWith(ctx, db, cfg, dataset.LoadOptions{TempDirectory: filepath.Join(out, spillDir)})
		if err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
		for k, c := range st.Counts {
			if s := cfg.Source(k); s != nil && s.Postgres != nil {
				rows += c.Read
			}
		}
		if tab, err = features.Compute(ctx, db, fo); err != nil {
			return nil, fmt.Errorf("features: %w", err)
		}
		purchases = func(asOf time.Time, fn func(string, time.Time, float64) error) error {
			return features.PurchaseDays(ctx, db, asOf, fn)
		}
	}
	segs, dist, err := m.Assign(tab.X)
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	sc := &Scored{UserIDs: tab.UserIDs, Segments: segs, Distance: dist, Features: tab, Sizes: map[int]int{}, Engine: engine}
	defer func() { sc.RowsTransferred = rows }()
	for _, s := range segs {
		sc.Sizes[s]++
	}
	// The customers' value from the run's saved models: nothing is refitted.
	var worth *profile.ValueInput
	if m.Value != nil {
		if worth, err = scoreValue(purchases, m.Value, tab.AsOf, tab.UserIDs, out); err != nil {
			return nil, fmt.Errorf("customer value: %w", err)
		}
		sc.Value = worth
	}
	if err := atomicfile.Write(filepath.Join(out, "segments.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"user_id", "segment", "segment_name", "distance"})
		for i, id := range tab.UserIDs {
			cw.Write([]string{id, strconv.Itoa(segs[i]), m.Name(segs[i]), strconv.FormatFloat(dist[i], 'f', 6, 64)})
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(out, "features.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(append([]string{"user_id"}, tab.Names()...))
		_, d := tab.X.Dims()
		rec := make([]string, d+1)
		for i, id := range tab.UserIDs {
			rec[0] = id
			for j, v := range tab.X.RawRowView(i) {
				rec[j+1] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return nil, err
	}
	return sc, nil
}

// Records are users' raw rows by dataset: JSON objects with the canonical
// fields of package dataset (user_id, timestamp, event_type, ...) and,
// for users and profiles tables, the model's attributes by name.
type Records struct {
	Users        []map[string]any `json:"users,omitempty"`
	Events       []map[string]any `json:"events,omitempty"`
	Transactions []map[string]any `json:"transactions,omitempty"`
	Social       []map[string]any `json:"social,omitempty"`
	// Profiles holds the rows of the model's profiles tables, by name.
	Profiles map[string][]map[string]any `json:"profiles,omitempty"`
	// AsOf is the reference date for recencies and ages
	// (dataset.ParseAsOf); empty means the training run's (the model's
	// AsOf), and for a model saved without one the latest timestamp in
	// the records.
	AsOf string `json:"as_of,omitempty"`
}

// writeRecords writes rows as JSON lines to path, a scratch file that
// loading reads back at once and that is removed after: neither synced nor
// written atomically, which would cost two fsyncs a file for nothing.
func writeRecords(path string, rows []map[string]any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Featurize computes the features of the users in rec with the columns
// m's feature spec fixes, relative to the training run's as_of (m.AsOf)
// unless rec.AsOf says otherwise, through the same loading and checks as a
// run. So a user's own rows give the features the run computed for them.
// An error in the records is a *persona.InputError naming the record
// (records.events[3].timestamp) and nothing of the machine; other errors
// are the machine's. The DuckDB driver must be registered under
// driverName.
func Featurize(ctx context.Context, driverName string, m *model.Model, rec *Records) (*features.Table, error) {
	tab, _, err := featurize(ctx, dbOpener(driverName), closeDB, m, rec, false)
	return tab, err
}

// FeaturizeValue is Featurize, and with the model's customer-value models
// (m.Value) also the users' value from the purchases in rec, as persona
// score values new users: nothing is refitted, and a user's own rows give
// the figures the run gave them. The values are in the order of the
// table's users (a user without a purchase is no customer); they are nil
// when the model has no value models.
func FeaturizeValue(ctx context.Context, driverName string, m *model.Model, rec *Records) (*features.Table, *persona.Values, error) {
	return featurize(ctx, dbOpener(driverName), closeDB, m, rec, m.Value != nil)
}

// featurize describes rec in a fresh database from open, handed to done
// when it is no longer needed.
func featurize(ctx context.Context, open func(context.Context) (*sql.DB, error), done func(*sql.DB), m *model.Model, rec *Records, withValue bool) (*features.Table, *persona.Values, error) {
	spec := m.Features
	if spec == nil {
		return nil, nil, fmt.Errorf("the model has no feature spec: it was not saved by a persona run")
	}
	asOf := m.AsOf
	if rec.AsOf != "" {
		t, err := dataset.ParseAsOf(rec.AsOf)
		if err != nil {
			return nil, nil, &persona.InputError{Msg: "as_of " + err.Error()}
		}
		asOf = t
	}
	dir, err := os.MkdirTemp("", "persona-records-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	cfg := &dataset.Config{AsOf: dataset.Date{Time: asOf}}
	none := 0.0
	cfg.MaxRejectRate = &none
	// files names the records of each file, for the errors.
	files := map[string]string{}
	for _, d := range []struct {
		rows []map[string]any
		src  **dataset.Source
		name string
	}{{rec.Users, &cfg.Users, "users"}, {rec.Events, &cfg.Events, "events"}, {rec.Transactions, &cfg.Transactions, "transactions"}, {rec.Social, &cfg.Social, "social"}} {
		if len(d.rows) == 0 {
			continue
		}
		path := filepath.Join(dir, d.name+".jsonl")
		if err := writeRecords(path, d.rows); err != nil {
			return nil, nil, err
		}
		files[path] = "records." + d.name
		*d.src = &dataset.Source{Path: path, Format: "json"}
	}
	names := make([]string, 0, len(rec.Profiles))
	for name := range rec.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	for k, name := range names {
		rows := rec.Profiles[name]
		if len(rows) == 0 {
			continue
		}
		path := filepath.Join(dir, "profile-"+strconv.Itoa(k)+".jsonl")
		if err := writeRecords(path, rows); err != nil {
			return nil, nil, err
		}
		if cfg.Profiles == nil {
			cfg.Profiles = map[string]*dataset.Source{}
		}
		files[path] = "records.profiles." + name
		cfg.Profiles[name] = &dataset.Source{Path: path, Format: "json"}
	}
	// The model's attributes, read from the keys of their names.
	for _, a := range spec.Attributes {
		src := cfg.Source(dataset.Kind(a.Table))
		if src == nil {
			continue // no such rows: Compute says which table is missing
		}
		src.Attributes = append(src.Attributes, dataset.Attribute{Name: a.Name, Type: a.Type, Separator: a.Separator})
	}
	for _, name := range names {
		if src := cfg.Profiles[name]; src != nil && len(src.Attributes) == 0 {
			return nil, nil, &persona.InputError{Msg: fmt.Sprintf("records.profiles.%s: the model has no attributes from a table of that name", name)}
		}
	}
	if cfg.Users == nil && cfg.Events == nil && cfg.Transactions == nil && cfg.Social == nil && len(cfg.Profiles) == 0 {
		return nil, nil, &persona.InputError{Msg: "no records: give users, events, transactions, social or profiles rows"}
	}
	cfg.Features.Custom = spec.Custom // their source columns are read
	fo := features.Options{Spec: spec, PerUser: cfg.PerUser(), AsOf: asOf}
	db, err := open(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer done(db)
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		return nil, nil, recordsError(err, dir, files)
	}
	tab, err := features.Compute(ctx, db, fo)
	if err != nil {
		return nil, nil, recordsError(err, dir, files)
	}
	if !withValue {
		return tab, nil, nil
	}
	vals, err := recordsValue(ctx, db, m.Value, tab.AsOf, tab.UserIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("customer value: %w", err)
	}
	return tab, vals, nil
}

// recordsValue values the customers among ids from the purchases loaded
// in db, up to asOf, with the saved models; ids without a purchase are no
// customers.
func recordsValue(ctx context.Context, db *sql.DB, saved *value.Saved, asOf time.Time, ids []string) (*persona.Values, error) {
	b := value.NewBuilder(value.SummaryOptions{Unit: saved.Unit(), ObservationEnd: asOf})
	if err := features.PurchaseDays(ctx, db, asOf, b.Add); err != nil {
		return nil, err
	}
	if b.Purchases() == 0 {
		return &persona.Values{TimeUnit: saved.Unit().String(), End: asOf, HorizonMonths: saved.HorizonMonths, Discount: saved.Discount,
			LostBelow: saved.LostBelow, Users: make([]persona.CustomerValue, len(ids))}, nil
	}
	full, err := b.Summary()
	if err != nil {
		return nil, err
	}
	res, err := value.Apply(full, saved)
	if err != nil {
		return nil, err
	}
	return domainValues(full, res, ids, saved.LostBelow), nil
}

// recordsError turns an error loading records written to the files (by
// path: what they hold) in dir into one the sender can read: a rejected
// row is named by its place in the records (records.events[2].timestamp),
// a file by what it holds. An error that would still show dir, or that
// carries the database's own message (DuckDB's "... Error: ..."), is the
// machine's: it is returned as it is, for the server to log.
func recordsError(err error, dir string, files map[string]string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var rr *dataset.RejectRateError
	if errors.As(err, &rr) {
		r := rr.First
		at := files[r.File]
		if at == "" {
			return err
		}
		// JSON lines have no header: line n is record n-1.
		msg := fmt.Sprintf("%s[%d]", at, r.Line-1)
		if r.Column != "" {
			msg += "." + r.Column
		}
		msg += ": " + r.Reason
		if r.Value != "" {
			msg += fmt.Sprintf(" %q", r.Value)
		}
		if n := rr.Counts.Rejected; n > 1 {
			msg += fmt.Sprintf(" (and %d more of its rows cannot be used)", n-1)
		}
		return &persona.InputError{Msg: msg}
	}
	msg := err.Error()
	for path, what := range files {
		msg = strings.ReplaceAll(msg, path, what)
	}
	msg = strings.TrimSuffix(msg, ": map it under columns")
	if strings.Contains(msg, dir) || strings.Contains(msg, " Error: ") {
		return err
	}
	return &persona.InputError{Msg: "records: " + msg}
}
