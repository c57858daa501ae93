package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// TestCustomerExamples loads examples/mall-customers and
// examples/cc-general (the data is in ../shared/data beside the checkout;
// skipped when absent) and computes their features: one row per customer,
// only the attributes' features, a _missing flag where values are
// missing, and every row used.
func TestCustomerExamples(t *testing.T) {
	tests := []struct {
		name    string
		users   int
		missing []string
	}{
		{"mall-customers", 200, nil},
		{"cc-general", 8950, []string{"credit_limit_missing", "minimum_payments_missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := dataset.LoadConfig(filepath.Join("..", "examples", tt.name, "persona.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join("..", "examples", tt.name, cfg.Users.Path)); err != nil {
				t.Skipf("the %s data is absent (%v): it is in ../shared/data beside the checkout", tt.name, err)
			}
			db := openDB(t)
			st, err := dataset.Load(context.Background(), db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[dataset.Users]; c.Used != int64(tt.users) || c.Rejected != 0 {
				t.Errorf("counts %+v, want all %d rows used", c, tt.users)
			}
			tab, err := features.Compute(context.Background(), db, features.OptionsFor(cfg))
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.UserIDs) != tt.users {
				t.Errorf("%d users, want %d", len(tab.UserIDs), tt.users)
			}
			var want []string
			for _, a := range cfg.Users.Attributes {
				switch a.Type {
				case dataset.TypeCategorical:
					want = append(want, a.Name+"_female", a.Name+"_male")
				default:
					want = append(want, a.Name)
					if slices.Contains(tt.missing, a.Name+"_missing") {
						want = append(want, a.Name+"_missing")
					}
				}
			}
			if got := tab.Names(); !slices.Equal(got, want) {
				t.Errorf("features %v, want %v", got, want)
			}
		})
	}
}

// TestLastfmExample loads examples/lastfm: events, social actions and a
// profiles table, each a query over the four files of the data set
// (skipped when ../shared/data is absent).
func TestLastfmExample(t *testing.T) {
	cfg, err := dataset.LoadConfig(filepath.Join("..", "examples", "lastfm", "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("..", "examples", "lastfm", cfg.Sources["tags"].Path)); err != nil {
		t.Skipf("the Last.fm data is absent (%v): it is in ../shared/data beside the checkout", err)
	}
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The SOURCE.md's counts: 186,479 tag assignments (5 dated before
	// 2005), 25,434 friendships stored both ways, 1,892 listeners.
	want := map[dataset.Kind][2]int64{dataset.Events: {186479, 186474}, dataset.Social: {25434, 25434}, "listening": {1892, 1892}}
	for k, w := range want {
		if c := st.Counts[k]; c.Read != w[0] || c.Used != w[1] || c.Rejected != 0 {
			t.Errorf("%s: counts %+v, want %d read and %d used", k, c, w[0], w[1])
		}
	}
	tab, err := features.Compute(context.Background(), db, features.OptionsFor(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.UserIDs) != 1892 {
		t.Errorf("%d users, want 1892", len(tab.UserIDs))
	}
	for _, f := range []string{"events", "affinity_rock", "social_actions", "plays", "top_artist_share"} {
		if tab.Col(f) < 0 {
			t.Errorf("no feature %s", f)
		}
	}
}
