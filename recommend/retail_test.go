package recommend

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// openRetail opens the UCI Online Retail log in ../shared beside the
// checkout (see ../shared/data/online-retail-uci/SOURCE.md); a worktree one
// level deeper finds it one level up.
func openRetail() (*os.File, error) {
	var err error
	for _, up := range []string{"..", filepath.Join("..", "..")} {
		var f *os.File
		if f, err = os.Open(filepath.Join("..", up, "shared", "data", "online-retail-uci", "online_retail.csv.gz")); err == nil {
			return f, nil
		}
	}
	return nil, err
}

func readRetail(t testing.TB) []Purchase {
	t.Helper()
	f, err := openRetail()
	if err != nil {
		t.Skipf("Online Retail data not found beside the checkout (%v): skipping the real-data evaluation", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := ReadCSV(gz, OnlineRetailColumns())
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestOnlineRetailBlendBeatsPopularity evaluates on the real Online Retail
// log, trained before 2011-09-01 and tested on the purchases after it.
func TestOnlineRetailBlendBeatsPopularity(t *testing.T) {
	ps := readRetail(t)
	cut := time.Date(2011, 9, 1, 0, 0, 0, 0, time.UTC)
	scores, err := Evaluate(context.Background(), ps, cut, nil, 10, Options{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[Method]Score{}
	for _, s := range scores {
		by[s.Method] = s
		t.Logf("%-20s users %d  hit@10 %.4f  precision@10 %.4f  recall@10 %.4f", s.Name, s.Users, s.HitRate, s.Precision, s.Recall)
	}
	if b, g := by[Blend].HitRate, by[GlobalPopularity].HitRate; b <= g {
		t.Errorf("blend hit rate@10 %.4f does not beat global popularity %.4f", b, g)
	}
}
