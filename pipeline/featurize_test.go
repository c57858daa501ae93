//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
)

// TestFeaturizeErrors: records that cannot be used give an InputError
// naming the record in the sender's terms (records.events[1].timestamp),
// never a path on the machine or the database's own message.
func TestFeaturizeErrors(t *testing.T) {
	out := t.TempDir()
	if _, err := pipeline.Demo(context.Background(), "duckdb", pipeline.DemoOptions{Users: 200,
		Options: pipeline.Options{Out: out, Seed: 1, K: 3, Store: duckStore(out)}}); err != nil {
		t.Fatal(err)
	}
	m, err := model.Read(filepath.Join(out, pipeline.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	ev := func(ts any) map[string]any {
		return map[string]any{"user_id": "u1", "timestamp": ts, "event_type": "login", "session_id": "s1"}
	}
	tests := []struct {
		name string
		rec  pipeline.Records
		want string
	}{
		{"bad timestamp", pipeline.Records{Events: []map[string]any{ev("2024-01-02 10:00:00"), ev("garbage")}}, `records.events[1].timestamp: unparsable timestamp "garbage"`},
		{"object timestamp", pipeline.Records{Events: []map[string]any{ev(map[string]any{"a": 1})}}, `records.events[0].timestamp`},
		{"missing field", pipeline.Records{Events: []map[string]any{{"user_id": "u1"}}}, `records: events.columns.timestamp: required field timestamp has no column of that name in records.events (its columns: user_id)`},
		{"no user id", pipeline.Records{Social: []map[string]any{{"user_id": "", "timestamp": "2024-01-01", "platform": "x", "action": "like"}}}, `records.social[0].user_id: empty user_id`},
		{"bad birth year", pipeline.Records{Users: []map[string]any{{"user_id": "u1", "birth_year": "abc"}}}, `records.users[0].birth_year`},
		{"several bad rows", pipeline.Records{Events: []map[string]any{ev("x"), ev("y"), ev("z")}}, `(and 2 more of its rows cannot be used)`},
		{"bad as_of", pipeline.Records{Events: []map[string]any{ev("2024-01-02")}, AsOf: "soon"}, `as_of must be a date like 2024-01-31`},
		{"unknown profiles table", pipeline.Records{Profiles: map[string][]map[string]any{"crm": {{"user_id": "u1"}}}}, `records.profiles.crm: the model has no attributes from a table of that name`},
		{"nothing", pipeline.Records{}, `no records`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pipeline.Featurize(context.Background(), "duckdb", m, &tt.rec)
			var ie *persona.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want an InputError", err, err)
			}
			msg := ie.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			for _, leak := range []string{os.TempDir(), "persona-records", ".jsonl", "rejects/", " Error: "} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q shows %q", msg, leak)
				}
			}
		})
	}
}

// TestFeaturizer: a Featurizer's calls, each in a database opened ahead,
// concurrent ones included, describe users from their own rows exactly as
// FeaturizeValue does (the same features and values, bit for bit), report
// bad records the same way, and still work once it is closed.
func TestFeaturizer(t *testing.T) {
	out := t.TempDir()
	if _, err := pipeline.Demo(context.Background(), "duckdb", pipeline.DemoOptions{Users: 120,
		Options: pipeline.Options{Out: out, Seed: 2, K: 3, Store: duckStore(out)}}); err != nil {
		t.Fatal(err)
	}
	m, err := model.Read(filepath.Join(out, pipeline.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(out, "data")
	all := map[string][]map[string]any{}
	for _, name := range []string{"users", "events", "transactions", "social"} {
		all[name] = readRecords(t, filepath.Join(data, name+".csv"))
	}
	recordsOf := func(id string) *pipeline.Records {
		only := func(rows []map[string]any) []map[string]any {
			var o []map[string]any
			for _, r := range rows {
				if r["user_id"] == id {
					o = append(o, r)
				}
			}
			return o
		}
		return &pipeline.Records{Users: only(all["users"]), Events: only(all["events"]), Transactions: only(all["transactions"]), Social: only(all["social"])}
	}
	ids := []string{"U000001", "U000002", "U000003", "U000004", "U000005", "U000006"}
	f := pipeline.NewFeaturizer("duckdb", 2)
	type answer struct {
		x   []float64
		val any
	}
	describe := func(fz func(context.Context, *model.Model, *pipeline.Records) (*features.Table, *persona.Values, error), id string) answer {
		tab, vals, err := fz(context.Background(), m, recordsOf(id))
		if err != nil {
			t.Errorf("user %s: %v", id, err)
			return answer{}
		}
		if len(tab.UserIDs) != 1 || tab.UserIDs[0] != id {
			t.Errorf("user %s: described %v", id, tab.UserIDs)
			return answer{}
		}
		var v any
		if vals != nil {
			v = fmt.Sprintf("%+v", vals.Users[0])
		}
		return answer{slices.Clone(tab.X.RawRowView(0)), v}
	}
	fresh := func(ctx context.Context, m *model.Model, rec *pipeline.Records) (*features.Table, *persona.Values, error) {
		return pipeline.FeaturizeValue(ctx, "duckdb", m, rec)
	}
	got := make([]answer, len(ids))
	var wg sync.WaitGroup
	for k, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[k] = describe(f.FeaturizeValue, id)
		}()
		if k%2 == 1 {
			wg.Wait() // two at a time, as the server runs them
		}
	}
	wg.Wait()
	for k, id := range ids {
		want := describe(fresh, id)
		if !slices.Equal(want.x, got[k].x) || want.val != got[k].val {
			t.Errorf("user %s: featurizer gave %v %v, FeaturizeValue %v %v", id, got[k].x, got[k].val, want.x, want.val)
		}
	}
	_, _, err = f.FeaturizeValue(context.Background(), m, &pipeline.Records{Events: []map[string]any{{"user_id": "u1", "timestamp": "garbage", "event_type": "login"}}})
	var ie *persona.InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Error(), `records.events[0].timestamp: unparsable timestamp "garbage"`) {
		t.Errorf("bad records: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if after := describe(f.FeaturizeValue, ids[0]); !slices.Equal(after.x, got[0].x) {
		t.Errorf("after Close: %v, want %v", after.x, got[0].x)
	}
	f.Close()
}
