package cluster_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// Parity with R's cluster::pam (cluster 2.1.4) on the cases of
// testdata/pam_parity.json, written by scripts/peer/cluster_mixed.R: the
// original BUILD + SWAP, SWAP from given medoids, and FasterPAM (variant
// "faster") from the same medoids. Medoids and labels must be equal, the
// objectives equal to 1e-12 (they are sums in R's order, so in practice to
// the last bit).

type rPAM struct {
	Medoids        []int   `json:"medoids"`
	Clustering     []int   `json:"clustering"`
	ObjectiveBuild float64 `json:"objective_build"`
	ObjectiveSwap  float64 `json:"objective_swap"`
}

type pamParityCase struct {
	Name  string      `json:"name"`
	Note  string      `json:"note"`
	N     int         `json:"n"`
	Attrs []rAttr     `json:"attrs"`
	X     [][]float64 `json:"x"`
	Fits  []struct {
		K           int   `json:"k"`
		PAM         rPAM  `json:"pam"`
		Init        []int `json:"init"`
		PAMGiven    rPAM  `json:"pam_given"`
		FasterGiven rPAM  `json:"faster_given"`
	} `json:"fits"`
}

func readPAMParity(t testing.TB) []pamParityCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pam_parity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []pamParityCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Cases
}

// matrix returns the dissimilarities R used: daisy's Gower (which NewGower
// reproduces to the last bit, see TestGowerParity) or R's dist(), whose
// Euclidean distances sum the squares column by column.
func (c pamParityCase) matrix(t testing.TB) *cluster.DistMatrix {
	t.Helper()
	if c.Attrs != nil {
		g, err := cluster.NewGower(rAttrs(c.Attrs), cluster.GowerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	n := len(c.X)
	data := make([]float64, 0, n*(n-1)/2)
	for i := range n {
		for j := i + 1; j < n; j++ {
			var s float64
			for f := range c.X[i] {
				d := c.X[i][f] - c.X[j][f]
				s += d * d
			}
			data = append(data, math.Sqrt(s))
		}
	}
	return cluster.NewDistMatrix(n, data)
}

func checkPAM(t *testing.T, what string, got *cluster.KMedoidsResult, want rPAM) {
	t.Helper()
	if !slices.Equal(got.Medoids, want.Medoids) {
		t.Errorf("%s: medoids %v, R %v", what, got.Medoids, want.Medoids)
	}
	if !slices.Equal(got.Labels, want.Clustering) {
		t.Errorf("%s: labels differ from R's clustering", what)
	}
	for _, o := range []struct {
		name      string
		got, want float64
	}{{"objective", got.Objective, want.ObjectiveSwap}, {"build objective", got.BuildObjective, want.ObjectiveBuild}} {
		if math.Abs(o.got-o.want) > 1e-12*max(1, math.Abs(o.want)) {
			t.Errorf("%s: %s %.17g, R %.17g", what, o.name, o.got, o.want)
		} else if o.got != o.want {
			t.Logf("%s: %s %.17g, R %.17g (not to the last bit)", what, o.name, o.got, o.want)
		}
	}
}

func TestPAMParity(t *testing.T) {
	for _, c := range readPAMParity(t) {
		t.Run(c.Name, func(t *testing.T) {
			m := c.matrix(t)
			if m.Len() != c.N {
				t.Fatalf("%d rows, want %d", m.Len(), c.N)
			}
			for _, f := range c.Fits {
				for _, workers := range []int{1, 2} {
					ctx := context.Background()
					res, err := cluster.KMedoids(ctx, m, cluster.KMedoidsOptions{K: f.K, Method: cluster.KMedoidsPAM, Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					checkPAM(t, c.Name+" pam k="+itoa(f.K), res, f.PAM)
					res, err = cluster.KMedoids(ctx, m, cluster.KMedoidsOptions{K: f.K, Method: cluster.KMedoidsPAM, InitMedoids: f.Init, Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					checkPAM(t, c.Name+" pam(medoids=) k="+itoa(f.K), res, f.PAMGiven)
					res, err = cluster.KMedoids(ctx, m, cluster.KMedoidsOptions{K: f.K, Method: cluster.KMedoidsFasterPAM, InitMedoids: f.Init, Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					checkPAM(t, c.Name+" faster(medoids=) k="+itoa(f.K), res, f.FasterGiven)
				}
			}
		})
	}
}

func itoa(k int) string {
	b, _ := json.Marshal(k)
	return string(b)
}
