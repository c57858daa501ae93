package metrics

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// The files in testdata/parity are copies of scikit-learn 1.2.1's outputs
// from /work/shared/parity/public (see its README.md for their meaning).

type parityEntry struct {
	NLabels int `json:"n_labels"`
	// For a labeling sklearn rejects, these four hold {"error": ...}.
	SilhouetteSamples     json.RawMessage `json:"silhouette_samples"`
	SilhouetteScore       json.RawMessage `json:"silhouette_score"`
	CalinskiHarabasz      json.RawMessage `json:"calinski_harabasz_score"`
	DaviesBouldin         json.RawMessage `json:"davies_bouldin_score"`
	SilhouetteSamplesDir  []float64       `json:"silhouette_samples_direct"`
	SilhouetteScoreDirect *float64        `json:"silhouette_score_direct"`
	DaviesBouldinDirect   *float64        `json:"davies_bouldin_score_direct"`
	VsTrue                struct {
		ARI float64 `json:"adjusted_rand_score"`
		NMI float64 `json:"normalized_mutual_info_score"`
		AMI float64 `json:"adjusted_mutual_info_score"`
	} `json:"vs_true"`
}

type parityDataset struct {
	name      string
	dups      bool
	x         *mat.Dense
	labelings map[string][]int
	names     []string // labeling names in file order
	entries   map[string]parityEntry
}

func loadParity(t *testing.T) []parityDataset {
	t.Helper()
	var manifest struct {
		Datasets []struct {
			Name          string   `json:"name"`
			Tasks         []string `json:"tasks"`
			DuplicateRows int      `json:"n_duplicate_rows"`
		} `json:"datasets"`
	}
	readJSON(t, filepath.Join("testdata", "parity", "manifest.json"), &manifest)
	var sets []parityDataset
	for _, d := range manifest.Datasets {
		if !strings.Contains(strings.Join(d.Tasks, ","), "metrics") {
			continue
		}
		dir := filepath.Join("testdata", "parity", d.Name)
		ds := parityDataset{name: d.Name, dups: d.DuplicateRows > 0}
		hdr, rows := readCSV(t, filepath.Join(dir, "X.csv"))
		ds.x = mat.NewDense(len(rows), len(hdr), nil)
		for i, r := range rows {
			for j, s := range r {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s X.csv row %d: %v", d.Name, i, err)
				}
				ds.x.Set(i, j, v)
			}
		}
		hdr, rows = readCSV(t, filepath.Join(dir, "labelings.csv"))
		ds.names = hdr
		ds.labelings = make(map[string][]int)
		for j, name := range hdr {
			l := make([]int, len(rows))
			for i, r := range rows {
				v, err := strconv.Atoi(r[j])
				if err != nil {
					t.Fatalf("%s labelings.csv row %d: %v", d.Name, i, err)
				}
				l[i] = v
			}
			ds.labelings[name] = l
		}
		var m struct {
			Labelings map[string]parityEntry `json:"labelings"`
		}
		readJSON(t, filepath.Join(dir, "metrics.json"), &m)
		ds.entries = m.Labelings
		sets = append(sets, ds)
	}
	if len(sets) == 0 {
		t.Fatal("no metrics datasets in testdata/parity/manifest.json")
	}
	return sets
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func readCSV(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		if header == nil {
			header = fields
			continue
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return header, rows
}

// sklearnValue decodes a float, or reports that sklearn raised.
func sklearnValue[T any](t *testing.T, raw json.RawMessage) (v T, raised bool) {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return v, true
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v, false
}

// approx compares floats to within abs absolute or rel relative error.
func approx(rel, abs float64) cmp.Option {
	return cmp.Options{cmpopts.EquateApprox(rel, abs), cmpopts.EquateNaNs()}
}

func TestParityDataScores(t *testing.T) {
	ctx := context.Background()
	for _, ds := range loadParity(t) {
		for _, name := range ds.names {
			labels := ds.labelings[name]
			e := ds.entries[name]
			t.Run(ds.name+"/"+name, func(t *testing.T) {
				// Against sklearn's own numbers, which use the expanded
				// distance formula: ~1e-7 on data with duplicate rows.
				skTol := 1e-12
				if ds.dups {
					skTol = 1e-7
				}
				wantSamples, raised := sklearnValue[[]float64](t, e.SilhouetteSamples)
				gotSamples, err := SilhouetteSamples(ctx, ds.x, labels, nil)
				if raised {
					if !errors.Is(err, ErrLabelCount) {
						t.Errorf("SilhouetteSamples: err = %v, want ErrLabelCount as sklearn raises", err)
					}
				} else if err != nil {
					t.Fatalf("SilhouetteSamples: %v", err)
				} else {
					if diff := cmp.Diff(e.SilhouetteSamplesDir, gotSamples, approx(0, 1e-12)); diff != "" {
						t.Errorf("SilhouetteSamples vs direct (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(wantSamples, gotSamples, approx(0, skTol)); diff != "" {
						t.Errorf("SilhouetteSamples vs sklearn (-want +got):\n%s", diff)
					}
				}

				for _, workers := range []int{1, 3} {
					want, raised := sklearnValue[float64](t, e.SilhouetteScore)
					got, err := Silhouette(ctx, ds.x, labels, SilhouetteOptions{Workers: workers})
					checkScore(t, "Silhouette", got, err, raised, want, skTol, 0)
					if !raised {
						checkScore(t, "Silhouette vs direct", got, err, false, *e.SilhouetteScoreDirect, 1e-12, 0)
					}
				}

				want, raised := sklearnValue[float64](t, e.CalinskiHarabasz)
				got, err := CalinskiHarabasz(ds.x, labels)
				checkScore(t, "CalinskiHarabasz", got, err, raised, want, 0, 1e-12)

				want, raised = sklearnValue[float64](t, e.DaviesBouldin)
				got, err = DaviesBouldin(ds.x, labels)
				// sklearn's expanded distances put singleton clusters about
				// 1e-8 from their centroid instead of 0, on any data.
				checkScore(t, "DaviesBouldin", got, err, raised, want, 1e-7, 1e-9)
				if !raised {
					checkScore(t, "DaviesBouldin vs direct", got, err, false, *e.DaviesBouldinDirect, 1e-12, 0)
				}

				truth := ds.labelings["true"]
				for _, c := range []struct {
					name string
					f    func(truth, pred []int) (float64, error)
					want float64
				}{
					{"AdjustedRand", AdjustedRand, e.VsTrue.ARI},
					{"NormalizedMutualInfo", NormalizedMutualInfo, e.VsTrue.NMI},
					{"AdjustedMutualInfo", AdjustedMutualInfo, e.VsTrue.AMI},
				} {
					got, err := c.f(truth, labels)
					checkScore(t, c.name, got, err, false, c.want, 1e-12, 1e-12)
				}
			})
		}
	}
}

// checkScore checks one score against sklearn's value, or that it failed
// with ErrLabelCount where sklearn raised. A value passes within abs
// absolute or rel relative error.
func checkScore(t *testing.T, what string, got float64, err error, raised bool, want, abs, rel float64) {
	t.Helper()
	if raised {
		if !errors.Is(err, ErrLabelCount) {
			t.Errorf("%s: err = %v, want ErrLabelCount as sklearn raises", what, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if !cmp.Equal(want, got, approx(rel, abs)) {
		t.Errorf("%s = %v, want %v (sklearn; diff %.3g, tolerance abs %g rel %g)", what, got, want, math.Abs(got-want), abs, rel)
	}
}

func TestParityLabelPairs(t *testing.T) {
	var f struct {
		Pairs []struct {
			Name  string  `json:"name"`
			Truth []int   `json:"labels_true"`
			Pred  []int   `json:"labels_pred"`
			ARI   float64 `json:"adjusted_rand_score"`
			NMI   float64 `json:"normalized_mutual_info_score"`
			AMI   float64 `json:"adjusted_mutual_info_score"`
		} `json:"pairs"`
	}
	readJSON(t, filepath.Join("testdata", "parity", "label_pairs.json"), &f)
	if len(f.Pairs) == 0 {
		t.Fatal("no pairs in label_pairs.json")
	}
	for _, p := range f.Pairs {
		t.Run(p.Name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				f    func() (float64, error)
				want float64
			}{
				{"AdjustedRand", func() (float64, error) { return AdjustedRand(p.Truth, p.Pred) }, p.ARI},
				{"NormalizedMutualInfo", func() (float64, error) { return NormalizedMutualInfo(p.Truth, p.Pred) }, p.NMI},
				{"AdjustedMutualInfo", func() (float64, error) { return AdjustedMutualInfo(p.Truth, p.Pred) }, p.AMI},
			} {
				got, err := c.f()
				checkScore(t, c.name, got, err, false, c.want, 1e-12, 1e-12)
			}
		})
	}
}
