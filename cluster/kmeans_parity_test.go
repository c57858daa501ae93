package cluster

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// The files in testdata/parity are copies of scikit-learn 1.2.1's outputs
// from the project's shared parity fixtures (public set).

type kmParityFit struct {
	ClusterCenters [][]float64 `json:"cluster_centers"`
	Labels         []int       `json:"labels"`
	Inertia        float64     `json:"inertia"`
	NIter          int         `json:"n_iter"`
}

type kmParityVariant struct {
	Name   string `json:"name"`
	Params struct {
		NClusters int         `json:"n_clusters"`
		Init      [][]float64 `json:"init"`
		NInit     int         `json:"n_init"`
		MaxIter   int         `json:"max_iter"`
		Tol       float64     `json:"tol"`
	} `json:"params"`
	TolAbs                  float64     `json:"tol_abs"`
	StrictConvergence       bool        `json:"strict_convergence"`
	EmptyClusterRelocations int         `json:"empty_cluster_relocations"`
	Lloyd                   kmParityFit `json:"lloyd"`
	Elkan                   kmParityFit `json:"elkan"`
}

func kmReadCSVTest(t testing.TB, path string) *mat.Dense {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	recs = recs[1:] // header
	d := len(recs[0])
	x := mat.NewDense(len(recs), d, nil)
	for i, r := range recs {
		for j, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: row %d: %v", path, i, err)
			}
			x.Set(i, j, v)
		}
	}
	return x
}

func kmLoadParity(t testing.TB, dataset string) (*mat.Dense, []kmParityVariant) {
	t.Helper()
	dir := filepath.Join("testdata", "parity", dataset)
	x := kmReadCSVTest(t, filepath.Join(dir, "X.csv"))
	b, err := os.ReadFile(filepath.Join(dir, "kmeans.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Variants []kmParityVariant `json:"variants"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return x, doc.Variants
}

var kmParityDatasets = []string{"blobs2d_n600", "blobs5d_dups_n1000", "aniso3d_n1500"}

func TestKMeansParitySklearn(t *testing.T) {
	ctx := context.Background()
	approx := cmpopts.EquateApprox(1e-9, 1e-12)
	for _, ds := range kmParityDatasets {
		x, variants := kmLoadParity(t, ds)
		n, d := x.Dims()
		for _, v := range variants {
			for _, alg := range []string{KMeansLloyd, KMeansHamerly, KMeansElkan, KMeansAuto} {
				for _, workers := range []int{1, 3} {
					name := ds + "/" + v.Name + "/" + alg + "/workers=" + strconv.Itoa(workers)
					t.Run(name, func(t *testing.T) {
						k := v.Params.NClusters
						init := mat.NewDense(k, d, nil)
						for j, row := range v.Params.Init {
							init.SetRow(j, row)
						}
						tol := v.Params.Tol
						if tol == 0 {
							tol = -1 // exactly zero
						}
						opts := KMeansOptions{K: k, InitCenters: init, NInit: v.Params.NInit,
							MaxIter: v.Params.MaxIter, Tol: tol, Algorithm: alg, Workers: workers}
						got, err := KMeans(ctx, x, opts)
						if err != nil {
							t.Fatal(err)
						}
						want := v.Lloyd
						if diff := cmp.Diff(want.Labels, got.Labels); diff != "" {
							t.Errorf("labels (-sklearn +got):\n%s", diff)
						}
						if got.NIter != want.NIter {
							t.Errorf("NIter = %d, sklearn %d", got.NIter, want.NIter)
						}
						if diff := cmp.Diff(want.Inertia, got.Inertia, approx); diff != "" {
							t.Errorf("inertia (-sklearn +got):\n%s", diff)
						}
						gotC := make([][]float64, k)
						for j := range gotC {
							gotC[j] = mat.Row(nil, j, got.Centers)
						}
						if diff := cmp.Diff(want.ClusterCenters, gotC, approx); diff != "" {
							t.Errorf("centres (-sklearn +got):\n%s", diff)
						}
						if len(got.Labels) != n {
							t.Errorf("len(Labels) = %d, want %d", len(got.Labels), n)
						}
					})
				}
			}
		}
	}
}

// TestKMeansParityInternals checks the tolerance, the relocation count and
// that Hamerly computes far fewer distances than Lloyd for the same result.
func TestKMeansParityInternals(t *testing.T) {
	ctx := context.Background()
	approx := cmpopts.EquateApprox(1e-9, 1e-12)
	for _, ds := range kmParityDatasets {
		x, variants := kmLoadParity(t, ds)
		_, d := x.Dims()
		for _, v := range variants {
			for _, simd := range kmSIMDModes() {
				t.Run(ds+"/"+v.Name+"/simd="+strconv.FormatBool(simd), func(t *testing.T) {
					k := v.Params.NClusters
					dt, err := kmPrepare(x, k, 2)
					if err != nil {
						t.Fatal(err)
					}
					dt.simd = simd
					tolAbs := kmMeanVariance(dt) * v.Params.Tol
					if diff := cmp.Diff(v.TolAbs, tolAbs, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
						t.Errorf("tol_abs (-sklearn +got):\n%s", diff)
					}
					init := make([]float64, k*d)
					for j, row := range v.Params.Init {
						for c, val := range row {
							init[j*d+c] = val - dt.mean[c]
						}
					}
					ll, err := kmLloyd(ctx, dt, init, k, v.Params.MaxIter, tolAbs, nil)
					if err != nil {
						t.Fatal(err)
					}
					hm, err := kmHamerly(ctx, dt, init, k, v.Params.MaxIter, tolAbs, nil)
					if err != nil {
						t.Fatal(err)
					}
					for name, r := range map[string]*kmRunResult{"lloyd": ll, "hamerly": hm} {
						if r.nReloc != v.EmptyClusterRelocations {
							t.Errorf("%s: %d relocations, sklearn %d", name, r.nReloc, v.EmptyClusterRelocations)
						}
						if diff := cmp.Diff(v.Lloyd.Labels, r.labels); diff != "" {
							t.Errorf("%s: labels (-sklearn +got):\n%s", name, diff)
						}
						if r.nIter != v.Lloyd.NIter {
							t.Errorf("%s: NIter = %d, sklearn %d", name, r.nIter, v.Lloyd.NIter)
						}
						if diff := cmp.Diff(v.Lloyd.Inertia, r.inertia, approx); diff != "" {
							t.Errorf("%s: inertia (-sklearn +got):\n%s", name, diff)
						}
					}
					if want := int64(ll.nIter+boolInt(!v.StrictConvergence)) * int64(dt.n*k); ll.nDist != want {
						t.Errorf("lloyd computed %d distances, want n*k*passes = %d", ll.nDist, want)
					}
					// Hamerly must do its first full pass, then skip rows
					// (TestKMeansHamerlySkips checks how many on longer runs).
					if v.Lloyd.NIter >= 4 && hm.nDist >= ll.nDist {
						t.Errorf("hamerly computed %d distances, lloyd %d: want fewer", hm.nDist, ll.nDist)
					}
					t.Logf("distances: lloyd %d, hamerly %d (%.2f)", ll.nDist, hm.nDist, float64(hm.nDist)/float64(ll.nDist))
				})
			}
		}
	}
}

// kmSIMDModes lists the kernels this machine can run.
func kmSIMDModes() []bool {
	if kmHasAVX2 {
		return []bool{false, true}
	}
	return []bool{false}
}

// TestKMeansDistsKernel compares the block distance kernel with kmSqDist
// for many shapes, strides and block sizes.
func TestKMeansDistsKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 33} {
		for _, k := range []int{1, 2, 3, 4, 5, 8, 9} {
			stride := d + rng.IntN(3)
			n := 37
			x := make([]float64, (n-1)*stride+d)
			for i := range x {
				x[i] = rng.NormFloat64() * 10
			}
			cen := make([]float64, k*d)
			for i := range cen {
				cen[i] = rng.NormFloat64() * 10
			}
			for _, simd := range kmSIMDModes() {
				t.Run(fmt.Sprintf("d=%d/k=%d/simd=%v", d, k, simd), func(t *testing.T) {
					dt := kmNewData(x, n, d, stride, 1)
					dt.simd = simd
					dt.mean = make([]float64, d)
					for i := range dt.mean {
						dt.mean[i] = rng.Float64()
					}
					scratch := make([]float64, d)
					out := make([]float64, n*k)
					dt.dists(0, n, cen, k, scratch, out)
					buf := make([]float64, d)
					one := make([]float64, k)
					for i := range n {
						dt.centre(buf, i)
						dt.dists(i, i+1, cen, k, scratch, one)
						for j := range k {
							want := kmSqDist(buf, cen[j*d:(j+1)*d])
							if got := out[i*k+j]; math.Abs(got-want) > 1e-13*want {
								t.Fatalf("row %d centre %d: %v, want %v", i, j, got, want)
							}
							if one[j] != out[i*k+j] {
								t.Fatalf("row %d centre %d: alone %v, in a block %v", i, j, one[j], out[i*k+j])
							}
						}
						if !slices.Equal(scratch, buf) {
							t.Fatalf("row %d: scratch %v, want the centred row %v", i, scratch, buf)
						}
					}
					// nearest and nearestIdx against kmArgmin2, with a
					// duplicated centre to make ties.
					cen2 := slices.Clone(cen)
					if k >= 3 {
						copy(cen2[2*d:3*d], cen2[0:d])
					}
					all := make([]float64, n*k)
					dt.dists(0, n, cen2, k, scratch, all)
					var kc kmCentres
					dt.prepCentres(&kc, cen2, k)
					lab, d1, d2 := make([]int, n), make([]float64, n), make([]float64, n)
					dt.nearest(0, n, &kc, scratch, make([]float64, 3*n), lab, d1, d2)
					perm := rng.Perm(n)
					labI, d1I, d2I := make([]int, n), make([]float64, n), make([]float64, n)
					dt.nearestIdx(perm, &kc, scratch, make([]float64, 3*n), labI, d1I, d2I)
					near := func(a, b float64) bool { return a == b || math.Abs(a-b) <= 1e-13*math.Abs(b) }
					for i := range n {
						j, a, b := kmArgmin2(all[i*k : (i+1)*k])
						if lab[i] != j || !near(d1[i], a) || !near(d2[i], b) {
							t.Fatalf("row %d: nearest (%d, %v, %v), want (%d, %v, %v)", i, lab[i], d1[i], d2[i], j, a, b)
						}
					}
					for r, i := range perm {
						if labI[r] != lab[i] || d1I[r] != d1[i] || d2I[r] != d2[i] {
							t.Fatalf("row %d: nearestIdx (%d, %v, %v), nearest (%d, %v, %v)", i, labI[r], d1I[r], d2I[r], lab[i], d1[i], d2[i])
						}
					}
					idx := rng.Perm(n)[:n/2]
					gat := make([]float64, len(idx)*k)
					dt.distsIdx(idx, cen, kmPackCentres(nil, cen, k, d), k, scratch, gat)
					for r, i := range idx {
						if !slices.Equal(gat[r*k:(r+1)*k], out[i*k:(i+1)*k]) {
							t.Fatalf("row %d: gathered %v, in a block %v", i, gat[r*k:(r+1)*k], out[i*k:(i+1)*k])
						}
					}
				})
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
