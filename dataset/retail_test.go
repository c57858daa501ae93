package dataset_test

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// retailConfig loads examples/online-retail/persona.yaml. The data lives in
// ../shared/data beside the checkout ($PERSONA_SHARED_DATA overrides that
// folder); the test skips when it is absent.
func retailConfig(t testing.TB) *dataset.Config {
	t.Helper()
	cfg, err := dataset.LoadConfig(filepath.Join("..", "examples", "online-retail", "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PERSONA_SHARED_DATA"); dir != "" {
		cfg.Transactions.Path, _ = filepath.Abs(filepath.Join(dir, "online-retail-uci", "online_retail.csv.gz"))
	}
	p := cfg.Transactions.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join("..", "examples", "online-retail", p)
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("the Online Retail data is absent (%v): it is in ../shared/data beside the checkout", err)
	}
	return cfg
}

// TestOnlineRetailRFM compares persona's recency, frequency and monetary
// value with scripts/peer/rfm_pandas.py's on every customer.
func TestOnlineRetailRFM(t *testing.T) {
	cfg := retailConfig(t)
	if err := exec.Command("/usr/bin/python3", "-c", "import pandas").Run(); err != nil {
		t.Skipf("python3-pandas is missing (%v): apt-get install python3-pandas", err)
	}
	data := cfg.Transactions.Path
	if !filepath.IsAbs(data) {
		data = filepath.Join("..", "examples", "online-retail", data)
	}
	peerOut := filepath.Join(t.TempDir(), "rfm.csv")
	peer := exec.Command("/usr/bin/python3", filepath.Join("..", "scripts", "peer", "rfm_pandas.py"), data, peerOut)
	peerDone := make(chan error, 1)
	go func() {
		out, err := peer.CombinedOutput()
		if err != nil {
			t.Errorf("rfm_pandas.py: %v\n%s", err, out)
		}
		peerDone <- err
	}()

	ctx := context.Background()
	db := openDB(t)
	st, err := dataset.Load(ctx, db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := st.Counts[dataset.Transactions]
	// SOURCE.md: 541,909 rows, 135,080 without CustomerID.
	if c.Read != 541909 || c.Filtered != 135080 || c.Rejected != 0 {
		t.Errorf("counts %+v, want 541909 read, 135080 filtered, none rejected", c)
	}
	tab, err := features.Compute(ctx, db, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]float64{}
	cols := []int{tab.Col("recency_days"), tab.Col("frequency"), tab.Col("monetary")}
	for i, id := range tab.UserIDs {
		got[id] = [3]float64{tab.X.At(i, cols[0]), tab.X.At(i, cols[1]), tab.X.At(i, cols[2])}
	}
	if len(got) != 4372 {
		t.Errorf("%d customers, want 4,372", len(got))
	}

	if <-peerDone != nil {
		return
	}
	f, err := os.Open(peerOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]float64{}
	for _, r := range recs[1:] {
		var v [3]float64
		for j := range v {
			if v[j], err = strconv.ParseFloat(r[j+1], 64); err != nil {
				t.Fatal(err)
			}
		}
		want[r[0]] = v
	}
	// Both sum the same float64 products, in different orders.
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-9, 1e-6)); diff != "" {
		t.Errorf("RFM (-pandas +persona):\n%s", diff)
	}
}
