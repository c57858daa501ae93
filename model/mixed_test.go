package model_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
)

// mixedFixture fits a preparation on features with a numeric column, a
// one-hot group, a lone boolean (with fill values) and a list group, and
// returns the raw features and their preparation.
func mixedFixture(t *testing.T) (*mat.Dense, *prep.Fitted, map[string]string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 3))
	names := []string{"spend", "plan_a", "plan_b", "plan_c", "vip", "ch_web", "ch_app"}
	groups := map[string]string{"plan_a": "plan", "plan_b": "plan", "plan_c": "plan", "vip": "vip", "ch_web": "ch", "ch_app": "ch"}
	n := 150
	x := mat.NewDense(n, len(names), nil)
	for i := range n {
		g := i % 3
		x.Set(i, 0, float64(10+40*g)+rng.NormFloat64()*3)
		x.Set(i, 1+g, 1)
		vip := float64(rng.IntN(2))
		if i%10 == 0 {
			vip = 0.4 // a boolean's fill: unknown
		}
		x.Set(i, 4, vip)
		x.Set(i, 5, float64(min(1, g)))
		x.Set(i, 6, float64(g/2+i%2*(g&1)))
	}
	p, err := prep.Fit(x, names, prep.Config{Groups: groups, CorrThreshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	return x, p, groups
}

// TestMixedModel: k-medoids and k-prototypes models built from training
// fits give every training row its label back, through JSON, and their
// SQL is written.
func TestMixedModel(t *testing.T) {
	x, p, groups := mixedFixture(t)
	z, err := p.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	attrs := model.MixedAttrs(p, groups, x, true)
	var types []string
	for _, a := range attrs {
		types = append(types, a.Name+":"+string(a.Type))
	}
	if want := []string{"spend:numeric", "plan:nominal", "vip:symmetric", "ch:list"}; !slices.Equal(types, want) {
		t.Fatalf("attributes %v, want %v", types, want)
	}
	table := model.MixedTable(attrs, x, z)
	if table[2].Codes[0] != -1 || table[2].Codes[1] == -1 || table[1].Codes[4] != 1 {
		t.Errorf("decoded codes: vip %v, plan %v", table[2].Codes[:2], table[1].Codes[4])
	}
	ctx := context.Background()
	g, err := cluster.NewGower(table, cluster.GowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	km, err := cluster.KMedoids(ctx, g, cluster.KMedoidsOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	segs := []model.Segment{{ID: 7, Name: "a"}, {ID: 3, Name: "b"}, {ID: 5, Name: "c"}}
	med := &model.Mixed{Attrs: attrs, Scales: g.Scales(), Rows: km.Medoids}
	for _, r := range km.Medoids {
		med.Medoids = append(med.Medoids, slices.Clone(x.RawRowView(r)))
	}
	pattrs := model.MixedAttrs(p, groups, x, false)
	ptable := model.MixedTable(pattrs, x, z)
	kp, err := cluster.KPrototypes(ctx, ptable, cluster.KPrototypesOptions{K: 3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	proto := &model.Mixed{Attrs: pattrs, Gamma: kp.Gamma, Modes: kp.Modes}
	for c := range 3 {
		proto.Centers = append(proto.Centers, slices.Clone(kp.Centers.RawRowView(c)))
	}
	for _, tc := range []struct {
		algorithm cluster.Algorithm
		mixed     *model.Mixed
		labels    []int
	}{{cluster.AlgorithmKMedoids, med, km.Labels}, {cluster.AlgorithmKPrototypes, proto, kp.Labels}} {
		m := &model.Model{Version: model.Version, Algorithm: tc.algorithm, Prep: p, Segments: segs, Mixed: tc.mixed}
		var buf bytes.Buffer
		if err := m.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := model.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: %v", tc.algorithm, err)
		}
		got, dist, err := back.Assign(x)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range tc.labels {
			if got[i] != segs[l].ID {
				t.Fatalf("%s: row %d assigned to segment %d, trained in %d", tc.algorithm, i, got[i], segs[l].ID)
			}
			if tc.algorithm == cluster.AlgorithmKMedoids && dist[i] != g.Dissim(km.Medoids[l], i) {
				t.Fatalf("row %d: distance %v, Gower to its medoid %v", i, dist[i], g.Dissim(km.Medoids[l], i))
			}
		}
		q, err := back.SQL("features", model.DialectDuckDB)
		if err != nil || !strings.Contains(q, "CROSS JOIN c") {
			t.Errorf("%s: SQL %v", tc.algorithm, err)
		}
		bad := *back
		bad.Mixed = &model.Mixed{Attrs: tc.mixed.Attrs}
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: a model without medoids or prototypes validates", tc.algorithm)
		}
	}
}

// TestMixedBooleanMissingFlag: a boolean's _missing flag marks the boolean
// missing instead of being a second attribute (R's daisy leaves a missing
// value out once); the flag decides even where the filled value is 0 or 1,
// the model keeps it through JSON, and a number's flag stays an attribute.
func TestMixedBooleanMissingFlag(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	names := []string{"spend", "spend_missing", "vip", "vip_missing"}
	groups := map[string]string{"spend_missing": "spend#missing", "vip": "vip", "vip_missing": "vip#missing"}
	n := 60
	x := mat.NewDense(n, len(names), nil)
	for i := range n {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, float64(i%7/6))
		x.Set(i, 2, float64(i%2))
		if i%5 == 0 {
			x.Set(i, 3, 1) // unknown, though its filled value is 0 or 1
		}
	}
	p, err := prep.Fit(x, names, prep.Config{Groups: groups, CorrThreshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	z, err := p.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, lists := range []bool{true, false} {
		attrs := model.MixedAttrs(p, groups, x, lists)
		var types []string
		for _, a := range attrs {
			types = append(types, a.Name+":"+string(a.Type))
		}
		if want := []string{"spend:numeric", "spend#missing:symmetric", "vip:symmetric"}; !slices.Equal(types, want) {
			t.Fatalf("attributes %v, want %v", types, want)
		}
		if m := attrs[2].Missing; m == nil || p.Inputs[*m] != "vip_missing" {
			t.Fatalf("vip's missing flag %v, want the column vip_missing", m)
		}
		table := model.MixedTable(attrs, x, z)
		for i, c := range table[2].Codes {
			want := int32(i % 2)
			if i%5 == 0 {
				want = -1
			}
			if c != want {
				t.Fatalf("row %d: vip code %d, want %d", i, c, want)
			}
		}
	}
	attrs := model.MixedAttrs(p, groups, x, true)
	table := model.MixedTable(attrs, x, z)
	g, err := cluster.NewGower(table, cluster.GowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	km, err := cluster.KMedoids(context.Background(), g, cluster.KMedoidsOptions{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	mx := &model.Mixed{Attrs: attrs, Scales: g.Scales(), Rows: km.Medoids}
	for _, r := range km.Medoids {
		mx.Medoids = append(mx.Medoids, slices.Clone(x.RawRowView(r)))
	}
	m := &model.Model{Version: model.Version, Algorithm: cluster.AlgorithmKMedoids, Prep: p, Segments: []model.Segment{{ID: 0, Name: "a"}, {ID: 1, Name: "b"}}, Mixed: mx}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"missing": 3`) {
		t.Errorf("model.json does not keep vip's flag column: %s", buf.String())
	}
	back, err := model.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := back.Assign(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range km.Labels {
		if got[i] != l {
			t.Fatalf("row %d assigned to %d, trained in %d", i, got[i], l)
		}
	}
	q, err := back.SQL("features", model.DialectDuckDB)
	if err != nil || !strings.Contains(q, "CASE WHEN x3 = 1 THEN NULL WHEN x2 = 0") {
		t.Errorf("the SQL does not read the flag (%v):\n%s", err, q)
	}
	bad := *back
	bm := *mx
	bm.Attrs = slices.Clone(attrs)
	nine := 9
	bm.Attrs[2].Missing = &nine
	bad.Mixed = &bm
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "missing-flag column 9") {
		t.Errorf("a flag column out of range: %v", err)
	}
}
