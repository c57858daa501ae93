package model_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
)

// fixture fits a preparation and a PCA on random data and returns a model
// of the given algorithm with the first rows (in the clustering space) as
// centres or core points.
func fixture(t testing.TB, algorithm cluster.Algorithm) (*model.Model, *mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	n, d := 200, 5
	x := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			x.Set(i, j, rng.NormFloat64()*float64(j+1)+float64(i%3)*4)
		}
	}
	names := []string{"a", "b", "c", "d", "e"}
	fitted, err := prep.Fit(x, names, prep.Config{Log1p: []string{"e"}})
	if err != nil {
		t.Fatal(err)
	}
	z, err := fitted.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	pca, err := prep.FitPCA(z, prep.PCAConfig{Components: 3})
	if err != nil {
		t.Fatal(err)
	}
	p := mat.NewDense(n, 3, nil)
	if err := pca.Transform(p, z); err != nil {
		t.Fatal(err)
	}
	m := &model.Model{Version: model.Version, Algorithm: algorithm, Prep: fitted, PCA: pca,
		Segments: []model.Segment{{ID: 4, Name: "four"}, {ID: 1, Name: "one"}, {ID: 7, Name: "seven"}}}
	switch algorithm {
	case cluster.AlgorithmDBSCAN:
		m.Eps = 0.5
		for i := range 30 {
			m.Core = append(m.Core, append([]float64(nil), p.RawRowView(i)...))
			m.CoreSegments = append(m.CoreSegments, []int{4, 1, 7}[i%3])
		}
	default:
		for i := range 3 {
			m.Centers = append(m.Centers, append([]float64(nil), p.RawRowView(i)...))
		}
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	return m, x
}

// brute assigns row i of the projected data by scanning every point.
func brute(m *model.Model, z []float64) (int, float64) {
	pts, segs := m.Centers, make([]int, len(m.Centers))
	for i, s := range m.Segments {
		if i < len(segs) {
			segs[i] = s.ID
		}
	}
	if m.Algorithm == cluster.AlgorithmDBSCAN {
		pts, segs = m.Core, m.CoreSegments
	}
	best, bd := -1, math.Inf(1)
	for i, p := range pts {
		var s float64
		for j := range p {
			s += (z[j] - p[j]) * (z[j] - p[j])
		}
		if math.Sqrt(s) < bd {
			best, bd = i, math.Sqrt(s)
		}
	}
	if m.Algorithm == cluster.AlgorithmDBSCAN && bd > m.Eps {
		return model.Unsegmented, bd
	}
	return segs[best], bd
}

func TestAssign(t *testing.T) {
	for _, alg := range []cluster.Algorithm{cluster.AlgorithmKMeans, cluster.AlgorithmHierarchical, cluster.AlgorithmDBSCAN} {
		t.Run(string(alg), func(t *testing.T) {
			m, x := fixture(t, alg)
			segs, dist, err := m.Assign(x)
			if err != nil {
				t.Fatal(err)
			}
			z, err := m.Space(x)
			if err != nil {
				t.Fatal(err)
			}
			counts := map[int]int{}
			for i := range segs {
				ws, wd := brute(m, z.RawRowView(i))
				if segs[i] != ws || math.Abs(dist[i]-wd) > 1e-12 {
					t.Fatalf("row %d: got (%d, %g), want (%d, %g)", i, segs[i], dist[i], ws, wd)
				}
				counts[segs[i]]++
			}
			// The points themselves are assigned to their own segment at distance 0.
			if segs[0] != 4 || dist[0] != 0 || segs[1] != 1 || segs[2] != 7 {
				t.Errorf("rows 0..2 got %v at %v, want 4 1 7 at 0", segs[:3], dist[:3])
			}
			if alg == cluster.AlgorithmDBSCAN && counts[model.Unsegmented] == 0 {
				t.Errorf("no row is unsegmented with eps %g", m.Eps)
			}
			// AssignRow agrees with Assign.
			row := map[string]float64{}
			for j, name := range m.Inputs() {
				row[name] = x.At(5, j)
			}
			s, d, err := m.AssignRow(row)
			if err != nil || s != segs[5] || math.Abs(d-dist[5]) > 1e-12 {
				t.Errorf("AssignRow = %d, %g, %v; want %d, %g", s, d, err, segs[5], dist[5])
			}
			delete(row, "c")
			var me *model.MissingError
			if _, _, err := m.AssignRow(row); !errors.As(err, &me) || me.Feature != "c" {
				t.Errorf("AssignRow without c: err = %v, want a MissingError for c", err)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, alg := range []cluster.Algorithm{cluster.AlgorithmKMeans, cluster.AlgorithmDBSCAN} {
		t.Run(string(alg), func(t *testing.T) {
			m, x := fixture(t, alg)
			var buf bytes.Buffer
			if err := m.Encode(&buf); err != nil {
				t.Fatal(err)
			}
			back, err := model.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			s1, d1, _ := m.Assign(x)
			s2, d2, err := back.Assign(x)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(s1, s2); diff != "" {
				t.Errorf("segments after a round trip differ:\n%s", diff)
			}
			if diff := cmp.Diff(d1, d2); diff != "" {
				t.Errorf("distances after a round trip differ:\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *model.Model)
	}{
		{"version", func(m *model.Model) { m.Version = 99 }},
		{"no prep", func(m *model.Model) { m.Prep = nil }},
		{"no segments", func(m *model.Model) { m.Segments = nil }},
		{"algorithm", func(m *model.Model) { m.Algorithm = "spectral" }},
		{"centres", func(m *model.Model) { m.Centers = m.Centers[:2] }},
		{"centre width", func(m *model.Model) { m.Centers[1] = m.Centers[1][:2] }},
		{"centre NaN", func(m *model.Model) { m.Centers[0][0] = math.NaN() }},
		{"negative id", func(m *model.Model) { m.Segments[0].ID = -3 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := fixture(t, cluster.AlgorithmKMeans)
			tt.change(m)
			if err := m.Validate(); err == nil {
				t.Errorf("Validate accepted a model with a bad %s", tt.name)
			}
		})
	}
	m, _ := fixture(t, cluster.AlgorithmDBSCAN)
	m.Eps = 0
	if err := m.Validate(); err == nil {
		t.Errorf("Validate accepted eps 0")
	}
}

// FuzzDecode checks that Decode never panics and that a model it accepts
// can assign a row without panicking.
func FuzzDecode(f *testing.F) {
	for _, alg := range []cluster.Algorithm{cluster.AlgorithmKMeans, cluster.AlgorithmDBSCAN} {
		m, _ := fixture(f, alg)
		var buf bytes.Buffer
		m.Encode(&buf)
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := model.Decode(bytes.NewReader(b))
		if err != nil {
			return
		}
		x := mat.NewDense(1, len(m.Inputs()), nil)
		m.Assign(x)
	})
}

// TestAssignRowUsedOnly: a feature the preparation dropped (here a
// constant column) may be left out of a row; one it keeps may not.
func TestAssignRowUsedOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 100
	x := mat.NewDense(n, 3, nil)
	for i := range n {
		x.Set(i, 0, rng.NormFloat64()+float64(i%2)*5)
		x.Set(i, 1, 7) // constant: dropped
		x.Set(i, 2, rng.NormFloat64())
	}
	fitted, err := prep.Fit(x, []string{"a", "flat", "c"}, prep.Config{})
	if err != nil {
		t.Fatal(err)
	}
	z, err := fitted.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	m := &model.Model{Version: model.Version, Algorithm: cluster.AlgorithmKMeans, Prep: fitted,
		Segments: []model.Segment{{ID: 0}, {ID: 1}}, Centers: [][]float64{z.RawRowView(0), z.RawRowView(1)}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "c"}, m.Used()); diff != "" {
		t.Fatalf("Used (-want +got):\n%s", diff)
	}
	segs, dist, _ := m.Assign(x)
	for i := range 10 {
		s, d, err := m.AssignRow(map[string]float64{"a": x.At(i, 0), "c": x.At(i, 2)})
		if err != nil || s != segs[i] || d != dist[i] {
			t.Errorf("row %d without the dropped feature: %d, %g, %v; want %d, %g", i, s, d, err, segs[i], dist[i])
		}
	}
	var me *model.MissingError
	if _, _, err := m.AssignRow(map[string]float64{"a": 1, "flat": 7}); !errors.As(err, &me) || me.Feature != "c" {
		t.Errorf("row without c: %v, want a MissingError for c", err)
	}
}
