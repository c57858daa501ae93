package pipeline

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
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
	db, err := sql.Open(driverName, "")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	fo.Spec = m.Features
	tab, err := features.Compute(ctx, db, fo)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	segs, dist, err := m.Assign(tab.X)
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	sc := &Scored{UserIDs: tab.UserIDs, Segments: segs, Distance: dist, Features: tab, Sizes: map[int]int{}}
	for _, s := range segs {
		sc.Sizes[s]++
	}
	// The customers' value from the run's saved models: nothing is refitted.
	var worth *profile.ValueInput
	if m.Value != nil {
		if worth, err = scoreValue(ctx, db, m.Value, tab.AsOf, tab.UserIDs, out); err != nil {
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
	// AsOf is the reference date for recencies (dataset.ParseAsOf);
	// empty means the latest timestamp in the records.
	AsOf string `json:"as_of,omitempty"`
}

func writeRecords(path string, rows []map[string]any) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Featurize computes the features of the users in rec with the columns
// spec fixes, through the same loading and checks as a run (a row that
// cannot be used is an error naming it). The DuckDB driver must be
// registered under driverName.
func Featurize(ctx context.Context, driverName string, spec *features.Spec, rec *Records) (*features.Table, error) {
	if spec == nil {
		return nil, fmt.Errorf("the model has no feature spec: it was not saved by a persona run")
	}
	dir, err := os.MkdirTemp("", "persona-records-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg := &dataset.Config{}
	if err := cfg.AsOf.UnmarshalText([]byte(rec.AsOf)); err != nil {
		return nil, fmt.Errorf("as_of: %w", err)
	}
	none := 0.0
	cfg.MaxRejectRate = &none
	for _, d := range []struct {
		rows []map[string]any
		src  **dataset.Source
		name string
	}{{rec.Users, &cfg.Users, "users"}, {rec.Events, &cfg.Events, "events"}, {rec.Transactions, &cfg.Transactions, "transactions"}, {rec.Social, &cfg.Social, "social"}} {
		if len(d.rows) == 0 {
			continue
		}
		path := filepath.Join(dir, d.name+".jsonl")
		if err := atomicfile.Write(path, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			for _, r := range d.rows {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
		*d.src = &dataset.Source{Path: path, Format: "json"}
	}
	for name, rows := range rec.Profiles {
		if len(rows) == 0 {
			continue
		}
		path := filepath.Join(dir, "profile-"+dataset.Slug(name)+".jsonl")
		if err := writeRecords(path, rows); err != nil {
			return nil, err
		}
		if cfg.Profiles == nil {
			cfg.Profiles = map[string]*dataset.Source{}
		}
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
	for name, src := range cfg.Profiles {
		if len(src.Attributes) == 0 {
			return nil, fmt.Errorf("profiles %s: the model has no attributes from such a table", name)
		}
	}
	if cfg.Users == nil && cfg.Events == nil && cfg.Transactions == nil && cfg.Social == nil && len(cfg.Profiles) == 0 {
		return nil, fmt.Errorf("no records: give users, events, transactions, social or profiles rows")
	}
	cfg.Features.Custom = spec.Custom // their source columns are read
	fo := features.Options{Spec: spec, PerUser: cfg.PerUser()}
	if rec.AsOf != "" {
		if fo.AsOf, err = dataset.ParseAsOf(rec.AsOf); err != nil {
			return nil, fmt.Errorf("as_of: %w", err)
		}
	}
	db, err := sql.Open(driverName, "")
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		return nil, err
	}
	return features.Compute(ctx, db, fo)
}
