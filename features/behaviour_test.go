package features_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// TestComputeBehaviour checks the activity of two groups of the tiny data
// against values worked out by hand: U1 in group 0, U2 and U3 in group 1.
// The category mix and revenue are net of discounts (features.LineValue),
// revenue counts returns.
func TestComputeBehaviour(t *testing.T) {
	dir := filepath.Join("testdata", "tiny")
	all := dataset.Sources{
		Users: filepath.Join(dir, "users.csv"), Events: filepath.Join(dir, "events.csv"),
		Transactions: filepath.Join(dir, "transactions.csv"), Social: filepath.Join(dir, "social.csv"),
	}
	act := func(hours, weekdays map[int]float64, cats map[string]float64, revenue float64) *features.Activity {
		a := &features.Activity{Category: cats, Revenue: revenue}
		for h, n := range hours {
			a.Hour[h] = n
		}
		for d, n := range weekdays {
			a.Weekday[d] = n
		}
		return a
	}
	tests := []struct {
		name   string
		src    dataset.Sources
		users  []string
		groups []int
		want   *features.Behaviour
	}{
		{"all datasets", all, []string{"U1", "U2", "U3"}, []int{0, 1, 1}, &features.Behaviour{
			Groups: map[int]*features.Activity{
				// U1: 4 events on Saturday 2024-01-06 at 9; bought
				// electronics 100 + 100 and books 2 × 10 × (1 − 0.5),
				// returned electronics for 100.
				0: act(map[int]float64{9: 4}, map[int]float64{5: 4}, map[string]float64{"electronics": 200, "books": 10}, 110),
				// U3: events on Tuesday at 23 (2) and Thursday at 0; U2:
				// books 20 × (1 − 0.25).
				1: act(map[int]float64{23: 2, 0: 1}, map[int]float64{1: 2, 3: 1}, map[string]float64{"books": 15}, 15),
			},
			HasRevenue: true,
		}},
		{"one user grouped", all, []string{"U2"}, []int{7}, &features.Behaviour{
			Groups:     map[int]*features.Activity{7: act(nil, nil, map[string]float64{"books": 15}, 15)},
			HasRevenue: true,
		}},
		// Without events, activity counts orders (their first bought line):
		// U1's O1 (Monday 10:00), O2 (Thursday 10:00); O3 is a return.
		{"no events", dataset.Sources{Transactions: all.Transactions}, []string{"U1", "U2"}, []int{0, 1}, &features.Behaviour{
			Groups: map[int]*features.Activity{
				0: act(map[int]float64{10: 2}, map[int]float64{0: 1, 3: 1}, map[string]float64{"electronics": 200, "books": 10}, 110),
				1: act(map[int]float64{12: 1}, map[int]float64{6: 1}, map[string]float64{"books": 15}, 15),
			},
			FromOrders: true, HasRevenue: true,
		}},
		// Without transactions, the category mix counts categorised events.
		{"no transactions", dataset.Sources{Events: all.Events}, []string{"U1", "U3"}, []int{0, 1}, &features.Behaviour{
			Groups: map[int]*features.Activity{
				0: act(map[int]float64{9: 4}, map[int]float64{5: 4}, map[string]float64{"electronics": 3}, 0),
				1: act(map[int]float64{23: 2, 0: 1}, map[int]float64{1: 2, 3: 1}, map[string]float64{"books": 2}, 0),
			},
			CategoryFromEvents: true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := computeTiny(t, tt.src)
			got, err := features.ComputeBehaviour(context.Background(), db, tt.users, tt.groups)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tt.want.Groups {
				if a.Category == nil {
					a.Category = map[string]float64{}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("behaviour (-want +got):\n%s", diff)
			}
		})
	}
	db, _ := computeTiny(t, all)
	if _, err := features.ComputeBehaviour(context.Background(), db, []string{"U1"}, nil); err == nil {
		t.Errorf("users and groups of different lengths: no error")
	}
}

// TestPurchases reads the tiny data's bought lines: in user, time, order
// and product order, valued net of discount, returns left out.
func TestPurchases(t *testing.T) {
	db := openTiny(t)
	var got []features.Purchase
	if err := features.Purchases(context.Background(), db, func(p features.Purchase) error {
		got = append(got, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse("2006-01-02 15:04", s); return v }
	want := []features.Purchase{
		{User: "U1", Product: "P1", Order: "O1", Time: at("2024-01-01 10:00"), Value: 100},
		{User: "U1", Product: "P2", Order: "O1", Time: at("2024-01-01 10:00"), Value: 10},
		{User: "U1", Product: "P1", Order: "O2", Time: at("2024-01-11 10:00"), Value: 100},
		{User: "U2", Product: "P3", Order: "O4", Time: at("2024-01-21 12:00"), Value: 15},
	}
	for i := range got {
		got[i].Time = got[i].Time.UTC()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("purchases (-want +got):\n%s", diff)
	}
}
