package cluster_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// Parity with R's cluster::daisy(metric = "gower") (cluster 2.1.4, R
// 4.2.2) on the cases of testdata/gower_parity.json, written by
// scripts/peer/cluster_mixed.R.

// rAttr is an attribute as the peer script writes it; null values are
// missing.
type rAttr struct {
	Name   string     `json:"name"`
	Type   string     `json:"type"`
	Values []*float64 `json:"values"`
	Codes  []int32    `json:"codes"`
	Levels []string   `json:"levels"`
}

func (a rAttr) attr() cluster.Attr {
	out := cluster.Attr{Name: a.Name, Type: cluster.AttrType(a.Type), Codes: a.Codes}
	if a.Values != nil {
		out.Values = make([]float64, len(a.Values))
		for i, v := range a.Values {
			out.Values[i] = math.NaN()
			if v != nil {
				out.Values[i] = *v
			}
		}
	}
	return out
}

type gowerParityCase struct {
	Name    string     `json:"name"`
	Note    string     `json:"note"`
	N       int        `json:"n"`
	Attrs   []rAttr    `json:"attrs"`
	Weights []float64  `json:"weights"`
	Daisy   []*float64 `json:"daisy"`
}

func readGowerParity(t *testing.T) []gowerParityCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "gower_parity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []gowerParityCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Cases
}

func rAttrs(in []rAttr) []cluster.Attr {
	out := make([]cluster.Attr, len(in))
	for j, a := range in {
		out[j] = a.attr()
	}
	return out
}

// compareDaisy checks got (condensed) against daisy's vector: NaN where
// daisy has NA, within 1e-12 elsewhere. It returns how many are equal to
// the last bit.
func compareDaisy(t *testing.T, name string, n int, got []float64, want []*float64) int {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d dissimilarities, daisy has %d", name, len(got), len(want))
	}
	exact, bad := 0, 0
	for idx := range got {
		g, w := got[idx], want[idx]
		switch {
		case w == nil && math.IsNaN(g):
			exact++
		case w == nil || math.IsNaN(g) || math.Abs(g-*w) > 1e-12:
			if bad++; bad <= 5 {
				i, j := pairOf(n, idx)
				wv := "NA"
				if w != nil {
					wv = ftoa(*w)
				}
				t.Errorf("%s: rows %d,%d: got %v, daisy %s", name, i, j, g, wv)
			}
		case g == *w:
			exact++
		}
	}
	return exact
}

func ftoa(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// pairOf inverts the condensed index.
func pairOf(n, idx int) (int, int) {
	for i := 0; i < n-1; i++ {
		if idx < n-1-i {
			return i, i + 1 + idx
		}
		idx -= n - 1 - i
	}
	panic("index out of range")
}

func TestGowerParity(t *testing.T) {
	for _, c := range readGowerParity(t) {
		t.Run(c.Name, func(t *testing.T) {
			g, err := cluster.NewGower(rAttrs(c.Attrs), cluster.GowerOptions{Weights: c.Weights})
			if err != nil {
				t.Fatal(err)
			}
			if g.Len() != c.N {
				t.Fatalf("Len %d, want %d", g.Len(), c.N)
			}
			for _, workers := range []int{1, 3} {
				m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				exact := compareDaisy(t, c.Name, c.N, m.RawData(), c.Daisy)
				if workers == 1 {
					t.Logf("%s (%s): %d of %d equal to the last bit", c.Name, c.Note, exact, len(c.Daisy))
				}
			}
			// Dissim agrees with the matrix.
			for i := 0; i < c.N; i++ {
				for j := 0; j < c.N; j++ {
					v := g.Dissim(i, j)
					want := 0.0
					if i != j {
						a, b := min(i, j), max(i, j)
						want = c.value(a, b)
					}
					if !(v == want || math.IsNaN(v) && math.IsNaN(want) || math.Abs(v-want) <= 1e-12) {
						t.Fatalf("Dissim(%d, %d) = %v, daisy %v", i, j, v, want)
					}
				}
			}
		})
	}
}

func (c gowerParityCase) value(i, j int) float64 {
	idx := i*(2*c.N-i-1)/2 + j - i - 1
	if c.Daisy[idx] == nil {
		return math.NaN()
	}
	return *c.Daisy[idx]
}

// TestGowerListIsJaccard checks persona's list type against daisy on the
// same items as asymmetric indicator columns: both are the Jaccard distance
// of the item sets.
func TestGowerListIsJaccard(t *testing.T) {
	for _, c := range readGowerParity(t) {
		if c.Name != "indicators_as_jaccard" {
			continue
		}
		sets := make([][]int32, c.N)
		for i := range sets {
			sets[i] = []int32{} // known, possibly empty
		}
		for item, a := range c.Attrs {
			for i, code := range a.Codes {
				if code == 1 {
					// Repeats and order must not matter.
					sets[i] = append([]int32{int32(item), int32(item)}, sets[i]...)
				}
			}
		}
		g, err := cluster.NewGower([]cluster.Attr{{Name: "items", Type: cluster.AttrList, Sets: sets}}, cluster.GowerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		compareDaisy(t, c.Name, c.N, m.RawData(), c.Daisy)
		return
	}
	t.Fatal("no indicators_as_jaccard case in testdata/gower_parity.json")
}

// TestLinkageDistParity compares average and complete linkage of the Gower
// matrices with SciPy 1.10.1's linkage on R's daisy vectors
// (testdata/linkage_gower_scipy.json, from scripts/peer/linkage_gower.py):
// the same merges, heights to 1e-12.
func TestLinkageDistParity(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "linkage_gower_scipy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			Name string                  `json:"name"`
			Z    map[string][][4]float64 `json:"Z"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	byName := map[string]gowerParityCase{}
	for _, c := range readGowerParity(t) {
		byName[c.Name] = c
	}
	if len(f.Cases) < 5 {
		t.Fatalf("%d cases", len(f.Cases))
	}
	for _, sc := range f.Cases {
		c := byName[sc.Name]
		g, err := cluster.NewGower(rAttrs(c.Attrs), cluster.GowerOptions{Weights: c.Weights})
		if err != nil {
			t.Fatal(err)
		}
		m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for method, z := range sc.Z {
			dg, err := cluster.LinkageDist(context.Background(), m, cluster.LinkageOptions{Method: cluster.LinkageMethod(method)})
			if err != nil {
				t.Fatal(err)
			}
			if len(dg.Merges) != len(z) {
				t.Fatalf("%s/%s: %d merges, SciPy %d", sc.Name, method, len(dg.Merges), len(z))
			}
			for i, w := range z {
				got := dg.Merges[i]
				if got.A != int(w[0]) || got.B != int(w[1]) || got.Size != int(w[3]) || math.Abs(got.Distance-w[2]) > 1e-12 {
					t.Errorf("%s/%s: row %d is %+v, SciPy %v", sc.Name, method, i, got, w)
					break
				}
			}
		}
	}
}
