package server_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
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
