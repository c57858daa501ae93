//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona"
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
