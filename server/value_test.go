package server_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/server"
)

// TestUserValue checks the customer value of GET /api/users/{id}: value.csv's
// columns for a customer, null figures where they could not be computed,
// null for a user without a purchase, and no value key for a run without
// customer values.
func TestUserValue(t *testing.T) {
	run := results(t, "run-v", 30, 3)
	nan := math.NaN()
	v := &persona.Values{TimeUnit: "days", End: time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC), HorizonMonths: 12, Discount: 0.01, LostBelow: 0.5,
		Users: make([]persona.CustomerValue, 30)}
	v.Users[1] = persona.CustomerValue{Customer: true, RepeatPurchases: 3, FirstToLast: 100, FirstToEnd: 140, MeanRepeatValue: 25.5,
		PAlive: 0.8125, ExpectedPurchases: 2.5, ExpectedOrderValue: 24.75, CLV: 58.25, NextOrderDays: 20.4}
	v.Users[2] = persona.CustomerValue{Customer: true, FirstToEnd: 10, MeanRepeatValue: nan, PAlive: 0.25, ExpectedPurchases: 0.125,
		ExpectedOrderValue: nan, CLV: nan, NextOrderDays: 60}
	run.Values = v
	src := newRuns()
	src.add(t, run)
	h := newServer(t, src, server.Options{}).Handler()
	user := func(id string) map[string]any {
		t.Helper()
		code, body, _ := do(t, h, "GET", "/api/users/"+id, "")
		var out map[string]any
		if err := json.Unmarshal([]byte(body), &out); code != 200 || err != nil {
			t.Fatalf("GET %s = %d %q (%v)", id, code, body, err)
		}
		return out
	}
	tests := []struct {
		id   string
		want any
	}{
		{run.UserIDs[1], map[string]any{"repeat_purchases": 3.0, "first_to_last_days": 100.0, "first_to_end_days": 140.0, "mean_repeat_value": 25.5,
			"p_alive": 0.8125, "likely_lost": false, "expected_purchases": 2.5, "horizon_months": 12.0, "expected_order_value": 24.75, "clv": 58.25,
			"next_order_date": "2011-12-29"}},
		{run.UserIDs[2], map[string]any{"repeat_purchases": 0.0, "first_to_last_days": 0.0, "first_to_end_days": 10.0, "mean_repeat_value": nil,
			"p_alive": 0.25, "likely_lost": true, "expected_purchases": 0.125, "horizon_months": 12.0, "expected_order_value": nil, "clv": nil,
			"next_order_date": nil}},
		{run.UserIDs[3], nil},
	}
	for _, tt := range tests {
		got, ok := user(tt.id)["value"]
		if !ok {
			t.Errorf("user %s: no value key", tt.id)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("user %s value (-want +got):\n%s", tt.id, diff)
		}
	}

	plain := results(t, "run-plain", 30, 3)
	src.add(t, plain)
	h = newServer(t, src, server.Options{}).Handler()
	if _, body, _ := do(t, h, "GET", "/api/users/"+plain.UserIDs[1], ""); strings.Contains(body, `"value"`) {
		t.Errorf("a run without customer values: %s", body)
	}
}

// TestScoreRecordsValue: raw records scored with a model that has value
// models answer each user's value as GET /api/users/{id} gives it (null
// for one without a purchase), and the request's top-level user_id
// reaches Featurize.
func TestScoreRecordsValue(t *testing.T) {
	run := results(t, "run-v", 30, 3)
	src := newRuns()
	src.add(t, run)
	var gotUser string
	featurize := func(ctx context.Context, m *model.Model, raw server.RawRecords) (*server.Described, error) {
		gotUser = raw.UserID
		tab := &features.Table{X: mat.NewDense(2, len(run.FeatureNames), nil), UserIDs: []string{"new-1", "new-2"}}
		for _, n := range run.FeatureNames {
			tab.Features = append(tab.Features, features.Feature{Name: n})
		}
		tab.X.SetRow(0, run.Row(4))
		tab.X.SetRow(1, run.Row(5))
		v := &persona.Values{TimeUnit: "weeks", End: time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC), HorizonMonths: 6, LostBelow: 0.5,
			Users: []persona.CustomerValue{{Customer: true, RepeatPurchases: 2, FirstToLast: 10, FirstToEnd: 20, MeanRepeatValue: 12.5,
				PAlive: 0.375, ExpectedPurchases: 0.75, ExpectedOrderValue: 13, CLV: math.NaN(), NextOrderDays: 30}, {}}}
		return &server.Described{Features: tab, Values: v}, nil
	}
	h := newServer(t, src, server.Options{Featurize: featurize}).Handler()
	code, body, _ := do(t, h, "POST", "/api/score", `{"user_id": "new-1", "records": {"events": [{"timestamp": "2011-12-01", "event_type": "login"}]}}`)
	var out struct {
		Users []map[string]any `json:"users"`
	}
	if err := json.Unmarshal([]byte(body), &out); code != 200 || err != nil || len(out.Users) != 2 {
		t.Fatalf("score = %d %s (%v)", code, body, err)
	}
	if gotUser != "new-1" {
		t.Errorf("Featurize got user_id %q, want new-1", gotUser)
	}
	want := map[string]any{"repeat_purchases": 2.0, "first_to_last_weeks": 10.0, "first_to_end_weeks": 20.0, "mean_repeat_value": 12.5,
		"p_alive": 0.375, "likely_lost": true, "expected_purchases": 0.75, "horizon_months": 6.0, "expected_order_value": 13.0, "clv": nil,
		"next_order_date": nil}
	if diff := cmp.Diff(want, out.Users[0]["value"]); diff != "" {
		t.Errorf("a customer's value (-want +got):\n%s", diff)
	}
	if v, ok := out.Users[1]["value"]; !ok || v != nil {
		t.Errorf("a user without a purchase: value %v (present %v), want null", v, ok)
	}

	bad := func(ctx context.Context, m *model.Model, raw server.RawRecords) (*server.Described, error) {
		d, _ := featurize(ctx, m, raw)
		d.Values.Users = d.Values.Users[:1]
		return d, nil
	}
	h = newServer(t, src, server.Options{Featurize: bad}).Handler()
	if code, body, _ := do(t, h, "POST", "/api/score", `{"records": {}}`); code != 500 {
		t.Errorf("values for fewer users than features = %d %s, want 500", code, body)
	}
}
