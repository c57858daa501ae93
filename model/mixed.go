package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/prep"
)

// Mixed is the state of a k-medoids or k-prototypes model: how a user's
// features become the attributes of a mixed-type table, and the medoids or
// prototypes, one per segment in the order of Model.Segments.
//
// The attributes come from the prepared features (prep's output, before
// PCA): a column outside every indicator group is a numeric attribute,
// with its prepared value; the kept indicator columns of one group (the
// one-hot columns of a categorical attribute, a boolean, a _missing flag)
// are one attribute: nominal (the column that is 1; none is a category of
// its own), symmetric binary for a lone column (1, 0, or missing when it
// holds a boolean's fill value), or a list when a training user had two of
// them at 1 (the set of columns at 1). So a categorical attribute weighs
// as one attribute, not as one per level. A boolean's _missing flag is no
// attribute of its own: it marks the boolean missing (MixedAttr.Missing),
// as R's daisy leaves a missing value out, rather than adding a second
// attribute that differs exactly where the boolean is unknown (counting
// the missingness twice). The _missing flag of a number, whose value is
// filled in, stays an attribute: it is the only trace of the missing
// value.
type Mixed struct {
	Attrs []MixedAttr `json:"attrs"`
	// Medoids (k-medoids) are the medoid users' raw feature rows (columns
	// Prep.Inputs); a user goes to the medoid of smallest Gower
	// dissimilarity, with the attributes scaled by Scales (the training
	// users' ranges).
	Medoids [][]float64          `json:"medoids,omitempty"`
	Scales  []cluster.GowerScale `json:"scales,omitempty"`
	// Rows are the medoids' rows among the training users: a user equally
	// near several medoids goes to the one of the lowest row, as in
	// training.
	Rows []int `json:"rows,omitempty"`
	// Centers and Modes (k-prototypes) are each prototype's numeric
	// attributes (prepared units) and categorical codes, in the order of
	// Attrs; a user goes to the prototype of smallest squared distance plus
	// Gamma per mismatched category.
	Centers [][]float64 `json:"centers,omitempty"`
	Modes   [][]int32   `json:"modes,omitempty"`
	Gamma   float64     `json:"gamma,omitempty"`
}

// MixedAttr is one attribute of a Mixed model.
type MixedAttr struct {
	Name string           `json:"name"`
	Type cluster.AttrType `json:"type"` // numeric, nominal, symmetric or list
	// Output is a numeric attribute's column in Prep.Output.
	Output int `json:"output,omitempty"`
	// Inputs are the indicator columns (positions in Prep.Inputs) of the
	// other types.
	Inputs []int `json:"inputs,omitempty"`
	// Missing, for a symmetric attribute (a boolean), is the position in
	// Prep.Inputs of its _missing flag: a row with the flag at 1 has the
	// attribute missing. nil: no flag (a fill value marks it missing).
	Missing *int `json:"missing,omitempty"`
}

// MixedAttrs describes the attributes of the features prepared by p
// (see Mixed): groups maps indicator columns to their group, as
// prep.Config.Groups; x holds the training users' raw features (columns
// p.Inputs) and decides which groups are lists. With lists false (for
// k-prototypes, which has no list type) a list's columns become one
// symmetric attribute each.
func MixedAttrs(p *prep.Fitted, groups map[string]string, x *mat.Dense, lists bool) []MixedAttr {
	var attrs []MixedAttr
	byGroup := map[string]int{}
	for k, name := range p.Output {
		g, ok := groups[name]
		if !ok {
			attrs = append(attrs, MixedAttr{Name: name, Type: cluster.AttrNumeric, Output: k})
			continue
		}
		in := slices.Index(p.Inputs, name)
		if a, ok := byGroup[g]; ok {
			attrs[a].Inputs = append(attrs[a].Inputs, in)
			continue
		}
		byGroup[g] = len(attrs)
		attrs = append(attrs, MixedAttr{Name: g, Inputs: []int{in}})
	}
	n, _ := x.Dims()
	var out []MixedAttr
	for _, a := range attrs {
		switch {
		case a.Type == cluster.AttrNumeric:
		case len(a.Inputs) == 1:
			a.Type = cluster.AttrSymmetric
		default:
			a.Type = cluster.AttrNominal
			for i := range n {
				hot := 0
				for _, c := range a.Inputs {
					if x.At(i, c) == 1 {
						hot++
					}
				}
				if hot > 1 {
					a.Type = cluster.AttrList
					break
				}
			}
		}
		if a.Type == cluster.AttrList && !lists {
			for _, c := range a.Inputs {
				out = append(out, MixedAttr{Name: a.Name + ":" + p.Inputs[c], Type: cluster.AttrSymmetric, Inputs: []int{c}})
			}
			continue
		}
		out = append(out, a)
	}
	return foldMissing(out)
}

// foldMissing turns the _missing flag of each boolean attribute (group
// "SRC#missing" beside the boolean's group "SRC") into the boolean's
// Missing column.
func foldMissing(attrs []MixedAttr) []MixedAttr {
	booleans := map[string]bool{}
	for _, a := range attrs {
		if a.Type == cluster.AttrSymmetric {
			booleans[a.Name] = true
		}
	}
	flags := map[string]int{} // boolean's name: its flag's input
	for _, a := range attrs {
		if name, ok := strings.CutSuffix(a.Name, "#missing"); ok && booleans[name] && a.Type == cluster.AttrSymmetric {
			flags[name] = a.Inputs[0]
		}
	}
	var out []MixedAttr
	for _, a := range attrs {
		if name, ok := strings.CutSuffix(a.Name, "#missing"); ok {
			if _, folded := flags[name]; folded {
				continue
			}
		}
		if in, ok := flags[a.Name]; ok {
			a.Missing = &in
		}
		out = append(out, a)
	}
	return out
}

// MixedTable returns the attributes of the rows of x (raw features,
// columns Prep.Inputs) and z, their prepared features.
func MixedTable(attrs []MixedAttr, x, z *mat.Dense) []cluster.Attr {
	n, _ := x.Dims()
	out := make([]cluster.Attr, len(attrs))
	for j, a := range attrs {
		t := cluster.Attr{Name: a.Name, Type: a.Type}
		switch a.Type {
		case cluster.AttrNumeric:
			t.Values = make([]float64, n)
			for i := range n {
				t.Values[i] = z.At(i, a.Output)
			}
		case cluster.AttrSymmetric:
			t.Codes = make([]int32, n)
			for i := range n {
				if a.Missing != nil && x.At(i, *a.Missing) == 1 {
					t.Codes[i] = -1
					continue
				}
				switch x.At(i, a.Inputs[0]) {
				case 0:
					t.Codes[i] = 0
				case 1:
					t.Codes[i] = 1
				default: // a boolean's fill value: unknown
					t.Codes[i] = -1
				}
			}
		case cluster.AttrNominal:
			t.Codes = make([]int32, n)
			for i := range n {
				t.Codes[i] = int32(len(a.Inputs)) // none of the kept columns
				for c, in := range a.Inputs {
					if x.At(i, in) == 1 {
						t.Codes[i] = int32(c)
						break
					}
				}
			}
		case cluster.AttrList:
			t.Sets = make([][]int32, n)
			for i := range n {
				t.Sets[i] = []int32{}
				for c, in := range a.Inputs {
					if x.At(i, in) == 1 {
						t.Sets[i] = append(t.Sets[i], int32(c))
					}
				}
			}
		}
		out[j] = t
	}
	return out
}

// validate checks a Mixed model of nseg segments for algorithm against
// the prep.
func (mx *Mixed) validate(algorithm cluster.Algorithm, nseg int, p *prep.Fitted) error {
	if len(mx.Attrs) == 0 {
		return errors.New("model has no mixed-type attributes")
	}
	for j, a := range mx.Attrs {
		switch a.Type {
		case cluster.AttrNumeric:
			if a.Output < 0 || a.Output >= len(p.Output) {
				return fmt.Errorf("model attribute %d (%s): output column %d of %d", j, a.Name, a.Output, len(p.Output))
			}
		case cluster.AttrNominal, cluster.AttrSymmetric, cluster.AttrList:
			if len(a.Inputs) == 0 {
				return fmt.Errorf("model attribute %d (%s) has no indicator columns", j, a.Name)
			}
			for _, c := range a.Inputs {
				if c < 0 || c >= len(p.Inputs) {
					return fmt.Errorf("model attribute %d (%s): input column %d of %d", j, a.Name, c, len(p.Inputs))
				}
			}
			if m := a.Missing; m != nil && (a.Type != cluster.AttrSymmetric || *m < 0 || *m >= len(p.Inputs)) {
				return fmt.Errorf("model attribute %d (%s): missing-flag column %d of %d on a %s attribute", j, a.Name, *m, len(p.Inputs), a.Type)
			}
		default:
			return fmt.Errorf("model attribute %d (%s) has type %q", j, a.Name, a.Type)
		}
	}
	finite := func(what string, rows [][]float64, width int) error {
		for i, r := range rows {
			if len(r) != width {
				return fmt.Errorf("model %s %d has %d values, want %d", what, i, len(r), width)
			}
			for _, v := range r {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("model %s %d is not finite", what, i)
				}
			}
		}
		return nil
	}
	switch algorithm {
	case cluster.AlgorithmKMedoids:
		if len(mx.Medoids) != nseg || len(mx.Rows) != nseg || len(mx.Scales) != len(mx.Attrs) {
			return fmt.Errorf("model has %d medoids, %d medoid rows and %d scales for %d segments and %d attributes", len(mx.Medoids), len(mx.Rows), len(mx.Scales), nseg, len(mx.Attrs))
		}
		return finite("medoid", mx.Medoids, len(p.Inputs))
	default: // KPrototypes
		if len(mx.Centers) != nseg || len(mx.Modes) != nseg || !(mx.Gamma >= 0) || math.IsInf(mx.Gamma, 0) {
			return fmt.Errorf("model has %d prototype centres, %d modes and gamma %v for %d segments", len(mx.Centers), len(mx.Modes), mx.Gamma, nseg)
		}
		nn, nc := 0, 0
		for _, a := range mx.Attrs {
			switch a.Type {
			case cluster.AttrNumeric:
				nn++
			case cluster.AttrList:
				return fmt.Errorf("model attribute %s: k-prototypes has no list attributes", a.Name)
			default:
				nc++
			}
		}
		for i, m := range mx.Modes {
			if len(m) != nc {
				return fmt.Errorf("model modes %d have %d codes, want %d", i, len(m), nc)
			}
		}
		return finite("prototype centre", mx.Centers, nn)
	}
}

// assignMixed assigns the rows of x (raw features) with a Mixed model.
func (m *Model) assignMixed(x *mat.Dense) ([]int, []float64, error) {
	mx := m.Mixed
	n, _ := x.Dims()
	segs, dist := make([]int, n), make([]float64, n)
	if m.Algorithm == cluster.AlgorithmKMedoids {
		k := len(mx.Medoids)
		all := mat.NewDense(k+n, len(m.Prep.Inputs), nil)
		for c, r := range mx.Medoids {
			all.SetRow(c, r)
		}
		for i := range n {
			all.SetRow(k+i, x.RawRowView(i))
		}
		z, err := m.Prep.Transform(all)
		if err != nil {
			return nil, nil, err
		}
		g, err := cluster.NewGower(MixedTable(mx.Attrs, all, z), cluster.GowerOptions{Scales: mx.Scales})
		if err != nil {
			return nil, nil, err
		}
		order := mx.medoidOrder()
		for i := range n {
			segs[i], dist[i] = Unsegmented, math.Inf(1)
			for _, c := range order {
				if d := g.Dissim(k+i, c); d < dist[i] {
					segs[i], dist[i] = m.Segments[c].ID, d
				}
			}
		}
		return segs, dist, nil
	}
	z, err := m.Prep.Transform(x)
	if err != nil {
		return nil, nil, err
	}
	attrs := MixedTable(mx.Attrs, x, z)
	for i := range n {
		segs[i], dist[i] = Unsegmented, math.Inf(1)
		for c := range mx.Centers {
			var s float64
			nn, nc := 0, 0
			for _, a := range attrs {
				if a.Type == cluster.AttrNumeric {
					t := a.Values[i] - mx.Centers[c][nn]
					s += t * t
					nn++
					continue
				}
				if a.Codes[i] != mx.Modes[c][nc] {
					s += mx.Gamma
				}
				nc++
			}
			if s < dist[i] {
				segs[i], dist[i] = m.Segments[c].ID, s
			}
		}
	}
	return segs, dist, nil
}

// medoidOrder lists the medoids by their training row.
func (mx *Mixed) medoidOrder() []int {
	order := make([]int, len(mx.Medoids))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return mx.Rows[a] - mx.Rows[b] })
	return order
}
