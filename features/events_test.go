package features_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/persona-seg/persona/dataset"
)

// TestEventTypes maps the source's event names to canonical ones; names
// left unmapped get their own count and share, and a table whose events
// mostly have no canonical type says so.
func TestEventTypes(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "events.csv"), []byte(`user_id,timestamp,event_type
u1,2024-01-01 10:00:00,pv
u1,2024-01-01 10:01:00,pv
u1,2024-01-01 10:02:00,cart
u1,2024-01-01 10:03:00,buy
u2,2024-01-02 10:00:00,pv
u2,2024-01-02 10:05:00,fav
u2,2024-01-02 10:06:00,fav
u2,2024-01-02 10:07:00,search
`), 0o644)
	load := func(types map[string]string) *dataset.Config {
		cfg := &dataset.Config{Events: &dataset.Source{Path: filepath.Join(dir, "events.csv"), EventTypes: types}}
		return cfg
	}
	// Unmapped: pv, fav, cart and buy are counted under their own names.
	tab, err := computeConfig(t, load(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"count_pv", "count_fav", "count_cart", "count_buy", "share_pv"} {
		if tab.Col(f) < 0 {
			t.Errorf("no feature %s", f)
		}
	}
	if got := tab.X.At(0, tab.Col("count_pv")); got != 2 {
		t.Errorf("u1 count_pv %v, want 2", got)
	}
	if got := tab.X.At(1, tab.Col("share_fav")); got != 0.5 {
		t.Errorf("u2 share_fav %v, want 0.5", got)
	}
	if got := tab.X.At(1, tab.Col("count_search")); got != 1 {
		t.Errorf("u2 count_search %v, want 1", got)
	}
	if len(tab.Warnings) != 1 || !strings.Contains(tab.Warnings[0], "88% of the events have a type outside") || !strings.Contains(tab.Warnings[0], `"pv" 38%`) {
		t.Errorf("warnings %q", tab.Warnings)
	}
	// Mapped: the canonical counts and funnel rates see them.
	tab, err = computeConfig(t, load(map[string]string{"pv": "product_view", "cart": "add_to_cart", "buy": "checkout"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Warnings) != 0 {
		t.Errorf("warnings %q: only fav is unknown", tab.Warnings)
	}
	names := tab.Names()
	if slices.Contains(names, "count_pv") || !slices.Contains(names, "count_fav") {
		t.Errorf("features %v: want count_fav, and no count_pv", names)
	}
	if got := tab.X.At(0, tab.Col("count_product_view")); got != 2 {
		t.Errorf("u1 count_product_view %v, want 2", got)
	}
	if got := tab.X.At(0, tab.Col("cart_rate")); got != 0.5 {
		t.Errorf("u1 cart_rate %v, want 1 cart of 2 views", got)
	}
	// The spec gives new data the same columns.
	again, err := computeConfig(t, load(map[string]string{"pv": "product_view", "cart": "add_to_cart", "buy": "checkout"}), tab.Spec)
	if err != nil || !slices.Equal(again.Names(), names) {
		t.Errorf("with the spec: %v, %v", err, again.Names())
	}
}
