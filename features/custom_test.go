package features_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// TestCustomFeatures computes custom aggregates over events and
// transactions, one of them over a source column that no canonical field
// maps (Channel), in the same feature query.
func TestCustomFeatures(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "events.csv"), []byte("user_id,timestamp,event_type\nu1,2024-01-01 10:00:00,wishlist\nu1,2024-01-02 10:00:00,wishlist\nu2,2024-01-02 10:00:00,search\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "tx.csv"), []byte("user_id,order_id,timestamp,quantity,unit_price,Channel\nu1,o1,2024-01-01 09:00:00,1,10,web\nu1,o2,2024-01-02 09:00:00,2,5,store\nu3,o3,2024-01-02 09:00:00,1,7,web\n"), 0o644)
	cfg := func(custom ...dataset.CustomFeature) *dataset.Config {
		return &dataset.Config{
			Events:       &dataset.Source{Path: filepath.Join(dir, "events.csv")},
			Transactions: &dataset.Source{Path: filepath.Join(dir, "tx.csv")},
			Features:     dataset.FeatureSettings{Custom: custom},
		}
	}
	tab, err := computeConfig(t, cfg(
		dataset.CustomFeature{Name: "fav_count", From: "events", Select: "count(*) FILTER (WHERE event_type = 'wishlist')", Log1p: true},
		dataset.CustomFeature{Name: "web_spend", From: "transactions", Select: "sum(quantity * unit_price) FILTER (WHERE Channel = 'web')", Default: -1},
	), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{
		"fav_count": {2, 0, 0},   // u3 has no events: 0
		"web_spend": {10, -1, 7}, // u2 has no transactions: the default; u1's store order left out
	}
	for name, w := range want {
		j := tab.Col(name)
		if j < 0 {
			t.Fatalf("no feature %s", name)
		}
		for i := range 3 {
			if got := tab.X.At(i, j); got != w[i] {
				t.Errorf("%s of %s = %v, want %v", name, tab.UserIDs[i], got, w[i])
			}
		}
		if f := tab.Features[j]; f.Group != "custom" || f.Heavy != (name == "fav_count") {
			t.Errorf("%s: group %s, heavy %v", name, f.Group, f.Heavy)
		}
	}
	for _, tt := range []struct {
		name string
		cf   dataset.CustomFeature
		want string
	}{
		{"not an aggregate", dataset.CustomFeature{Name: "x", From: "events", Select: "event_type = 'search'"}, "features.custom[0].select: event_type = 'search' over events"},
		{"no such column", dataset.CustomFeature{Name: "x", From: "transactions", Select: "sum(Chanel)"}, "features.custom[0].select: sum(Chanel) over transactions"},
		{"a name of the catalogue", dataset.CustomFeature{Name: "frequency", From: "transactions", Select: "count(*)"}, "features.custom[0]: its feature frequency is also given by the feature catalogue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := loadThenCompute(t, cfg(tt.cf))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// loadThenCompute loads cfg's data and computes its features: the first
// error of either.
func loadThenCompute(t *testing.T, cfg *dataset.Config) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
		return err
	}
	_, err = features.Compute(context.Background(), db, features.OptionsFor(cfg))
	return err
}
