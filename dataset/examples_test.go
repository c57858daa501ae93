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
