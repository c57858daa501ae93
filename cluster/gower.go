package cluster

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// AttrType is the measurement type of an attribute of a mixed-type table;
// the names follow the types of R's cluster::daisy.
type AttrType string

// Attribute types. See Gower for how each one is compared.
const (
	// AttrNumeric is an interval-scaled number (daisy type "I").
	AttrNumeric AttrType = "numeric"
	// AttrOrdinal is an ordered category, coded by its position in the
	// order of levels (daisy type "O", an ordered factor).
	AttrOrdinal AttrType = "ordinal"
	// AttrOrdRatio is a number of which only the order counts: it is
	// replaced by the rank of its distinct values (daisy "ordratio").
	AttrOrdRatio AttrType = "ordratio"
	// AttrLogRatio is a positive number compared on a log scale (daisy
	// "logratio").
	AttrLogRatio AttrType = "logratio"
	// AttrNominal is an unordered category (daisy type "N", a factor).
	AttrNominal AttrType = "nominal"
	// AttrSymmetric is a binary attribute whose two values are equally
	// informative (daisy "symm").
	AttrSymmetric AttrType = "symmetric"
	// AttrAsymmetric is a binary attribute where only 1 (presence) is
	// informative: two rows that both hold 0 are not compared on it
	// (daisy "asymm", and R's logical columns).
	AttrAsymmetric AttrType = "asymmetric"
	// AttrList is a set of items (categories bought, channels used),
	// compared with the Jaccard distance. This type is persona's; daisy
	// has none.
	AttrList AttrType = "list"
)

// Attr is one attribute (column) of a mixed-type table of n rows. Exactly
// one of Values, Codes and Sets is used, according to Type.
type Attr struct {
	Name string
	Type AttrType
	// Values holds numeric, ordratio and logratio attributes; NaN marks a
	// missing value.
	Values []float64
	// Codes holds ordinal attributes (the position of the level in the
	// order of levels, from 0), nominal attributes (any category id >= 0)
	// and binary attributes (0 or 1); -1 marks a missing value.
	Codes []int32
	// Sets holds list attributes: the items of each row, in any order,
	// repeats counting once.
	Sets [][]int32
	// Missing marks, for a list attribute, the rows whose list is unknown
	// (nil: none). An empty set in Sets is a known, empty list.
	Missing []bool
}

// len returns the number of rows of a: the length of the slice its type
// uses.
func (a *Attr) len() int {
	switch a.Type {
	case AttrNumeric, AttrOrdRatio, AttrLogRatio:
		return len(a.Values)
	case AttrList:
		return len(a.Sets)
	default:
		return len(a.Codes)
	}
}

// GowerOptions configures NewGower. The zero value means unweighted, and
// scaled on the data as daisy does.
type GowerOptions struct {
	// Weights holds one weight >= 0 per attribute; nil means 1 for every
	// attribute (daisy's weights argument).
	Weights []float64 `yaml:"weights"`
	// Scales, when not nil, holds one scale per attribute to use instead
	// of the data's minimum and range: the scales of another table (see
	// Gower.Scales), so that new rows are compared as the training rows
	// were. Values are then clipped to [Min, Min+Range]. Nominal and list
	// attributes ignore their scale.
	Scales []GowerScale `yaml:"scales"`
}

// GowerScale is how an attribute's values are scaled to [0, 1]:
// (x - Min) / Range. For logratio attributes x is log10 of the value, for
// ordinal ones the position of the level, for ordratio ones the rank.
type GowerScale struct {
	Min   float64 `json:"min" yaml:"min"`
	Range float64 `json:"range" yaml:"range"`
}

// gKind is how a prepared attribute is compared.
type gKind uint8

const (
	gAbs  gKind = iota // |a - b| of range-scaled values: numeric, ordinal, ordratio, logratio
	gEq                // 0 when equal, 1 otherwise: nominal, symmetric binary
	gAsym              // asymmetric binary: pairs of 0s are left out
	gList              // Jaccard distance of two sets
)

// Gower is the Gower dissimilarity between the rows of a mixed-type table,
// exactly as R's cluster::daisy(x, metric = "gower") computes it, plus list
// attributes. It is safe for concurrent use.
//
// Each attribute f gives a dissimilarity d_f in [0, 1] between rows i and
// j, and a weight w_f (GowerOptions.Weights, 1 by default); the
// dissimilarity is sum(w_f * d_f) / sum(w_f) over the attributes that
// compare i and j. An attribute does not compare them when either value is
// missing, and (asymmetric binary) when both are 0. When no attribute
// compares them the dissimilarity is NaN (daisy's NA).
//
//   - numeric: both values are first scaled to (x - min) / (max - min)
//     over the column (a constant column scales by 1, so it adds 0), then
//     d_f = |x_i - x_j|.
//   - ordinal: the level positions are scaled in the same way, over the
//     positions present, so unused levels between used ones keep their
//     place, as for an R ordered factor.
//   - ordratio: each number is replaced by the rank (1, 2, ...) of its
//     value among the distinct values, then scaled as numeric.
//   - logratio: log10 of the value (which must be positive), then numeric.
//   - nominal and symmetric binary: d_f is 0 when the values are equal and
//     1 otherwise.
//   - asymmetric binary: the same, but a pair of 0s does not compare the
//     rows. As in daisy, a binary column whose present values are all 1 is
//     scaled to all 0 (its range is 0), so an all-1 asymmetric column never
//     compares two rows.
//   - list (persona's, not daisy's): d_f = |A △ B| / |A ∪ B|, one minus the
//     Jaccard index of the two sets; two empty sets are equal (d_f = 0), as
//     scipy.spatial.distance.jaccard has it.
//
// The sums run over the attributes in their order, with daisy's operations,
// so the results agree with daisy's to the last bit or so (the tests hold
// them to 1e-12). One case differs on purpose: daisy codes missing values
// as 1.1 times the largest scaled value, which is 0 when every column is
// constant, and then mistakes the zeros for missing values; Gower never
// does.
type Gower struct {
	n, p   int
	kinds  []gKind
	w      []float64
	vals   []float64 // row-major n x p: scaled values, NaN for missing
	sets   [][][]int32
	names  []string
	scales []GowerScale
}

// Scales returns the scale used for each attribute (zero for nominal and
// list attributes), to compare other rows on the same scales.
func (g *Gower) Scales() []GowerScale { return slices.Clone(g.scales) }

// NewGower checks the attributes and prepares the Gower dissimilarity of
// their rows. attrs is not modified or retained. Errors name the attribute
// (and row) at fault.
func NewGower(attrs []Attr, opts GowerOptions) (*Gower, error) {
	p := len(attrs)
	if p == 0 {
		return nil, errors.New("gower: no attributes")
	}
	w := opts.Weights
	if w == nil {
		w = make([]float64, p)
		for j := range w {
			w[j] = 1
		}
	} else {
		if len(w) != p {
			return nil, fmt.Errorf("gower: %d weights for %d attributes", len(w), p)
		}
		w = slices.Clone(w)
		positive := false
		for j, v := range w {
			if !(v >= 0) || math.IsInf(v, 1) {
				return nil, fmt.Errorf("gower: weight of attribute %q is %v, want a finite number >= 0", attrs[j].Name, v)
			}
			positive = positive || v > 0
		}
		if !positive {
			return nil, errors.New("gower: every weight is 0")
		}
	}
	if opts.Scales != nil {
		if len(opts.Scales) != p {
			return nil, fmt.Errorf("gower: %d scales for %d attributes", len(opts.Scales), p)
		}
	}
	g := &Gower{p: p, kinds: make([]gKind, p), w: w, sets: make([][][]int32, p), names: make([]string, p),
		scales: make([]GowerScale, p)}
	for j := range attrs {
		a := &attrs[j]
		g.names[j] = a.Name
		if j == 0 {
			if err := a.Type.check(); err != nil {
				return nil, fmt.Errorf("gower: attribute %q%w", a.Name, err)
			}
			if g.n = a.len(); g.n == 0 {
				return nil, fmt.Errorf("gower: attribute %q has no rows", a.Name)
			}
			g.vals = make([]float64, g.n*p)
		}
		var fixed *GowerScale
		if opts.Scales != nil {
			fixed = &opts.Scales[j]
		}
		col, kind, sets, err := gowerColumn(a, fixed, &g.scales[j])
		if err != nil {
			return nil, fmt.Errorf("gower: attribute %q%w", a.Name, err)
		}
		if m := a.len(); m != g.n {
			return nil, fmt.Errorf("gower: attribute %q has %d rows, attribute %q has %d", a.Name, m, attrs[0].Name, g.n)
		}
		g.kinds[j] = kind
		g.sets[j] = sets
		for i, v := range col {
			g.vals[i*p+j] = v
		}
	}
	return g, nil
}

// gowerColumn returns the prepared values of one attribute: scaled as
// daisy scales them (or by fixed, clipped), NaN for missing, and sets used
// to the scale. Errors start with ", row r:" or ":" so that the caller can
// prefix the attribute's name.
func gowerColumn(a *Attr, fixed, used *GowerScale) ([]float64, gKind, [][]int32, error) {
	switch a.Type {
	case AttrNumeric, AttrLogRatio, AttrOrdRatio:
		x := make([]float64, len(a.Values))
		for i, v := range a.Values {
			switch {
			case math.IsInf(v, 0):
				return nil, 0, nil, fmt.Errorf(", row %d: %v is not a finite number", i, v)
			case a.Type == AttrLogRatio && v <= 0:
				return nil, 0, nil, fmt.Errorf(", row %d: %v is not positive, and logratio takes log10", i, v)
			case a.Type == AttrLogRatio && v == v:
				v = daisyLog10(v)
			}
			x[i] = v
		}
		if a.Type == AttrOrdRatio {
			gowerRanks(x)
		}
		if err := gowerScale(x, fixed, used); err != nil {
			return nil, 0, nil, err
		}
		return x, gAbs, nil, nil
	case AttrOrdinal, AttrNominal, AttrSymmetric, AttrAsymmetric:
		x := make([]float64, len(a.Codes))
		for i, c := range a.Codes {
			switch {
			case c == -1:
				x[i] = math.NaN()
				continue
			case c < -1:
				return nil, 0, nil, fmt.Errorf(", row %d: code %d (want >= 0, or -1 for missing)", i, c)
			case (a.Type == AttrSymmetric || a.Type == AttrAsymmetric) && c > 1:
				return nil, 0, nil, fmt.Errorf(", row %d: binary value %d (want 0, 1, or -1 for missing)", i, c)
			}
			x[i] = float64(c)
		}
		switch a.Type {
		case AttrOrdinal:
			if err := gowerScale(x, fixed, used); err != nil {
				return nil, 0, nil, err
			}
			return x, gAbs, nil, nil
		case AttrNominal:
			if !slices.ContainsFunc(x, func(v float64) bool { return v == v }) {
				return nil, 0, nil, errors.New(": every value is missing")
			}
			return x, gEq, nil, nil
		}
		// Binary: daisy scales these too, which only changes an all-1
		// column (to all 0).
		if err := gowerScale(x, fixed, used); err != nil {
			return nil, 0, nil, err
		}
		if a.Type == AttrSymmetric {
			return x, gEq, nil, nil
		}
		return x, gAsym, nil, nil
	case AttrList:
		if a.Missing != nil && len(a.Missing) != len(a.Sets) {
			return nil, 0, nil, fmt.Errorf(": %d missing flags for %d rows", len(a.Missing), len(a.Sets))
		}
		x := make([]float64, len(a.Sets))
		sets := make([][]int32, len(a.Sets))
		present := false
		for i, s := range a.Sets {
			if a.Missing != nil && a.Missing[i] {
				x[i] = math.NaN()
				continue
			}
			present = true
			s = slices.Clone(s)
			slices.Sort(s)
			sets[i] = slices.Compact(s)
		}
		if !present {
			return nil, 0, nil, errors.New(": every value is missing")
		}
		return x, gList, sets, nil
	default:
		return nil, 0, nil, a.Type.check()
	}
}

// check returns nil for a known type, else an error that starts with ":".
func (t AttrType) check() error {
	switch t {
	case AttrNumeric, AttrOrdinal, AttrOrdRatio, AttrLogRatio, AttrNominal, AttrSymmetric, AttrAsymmetric, AttrList:
		return nil
	case "":
		return errors.New(": no type")
	}
	return fmt.Errorf(": unknown type %q (want numeric, ordinal, ordratio, logratio, nominal, symmetric, asymmetric or list)", string(t))
}

// gowerScale replaces the values of x by (x - min) / (max - min) over the
// values that are not NaN, dividing by 1 when max == min, as daisy does;
// with a fixed scale, by (x - fixed.Min) / fixed.Range clipped to [0, 1].
// It sets used to the scale.
func gowerScale(x []float64, fixed, used *GowerScale) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if v == v {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi && fixed == nil {
		return errors.New(": every value is missing")
	}
	if fixed != nil {
		if math.IsNaN(fixed.Min) || math.IsInf(fixed.Min, 0) || !(fixed.Range > 0) || math.IsInf(fixed.Range, 1) {
			return fmt.Errorf(": scale min %v, range %v; want finite numbers, range > 0", fixed.Min, fixed.Range)
		}
		*used = *fixed
		for i, v := range x {
			x[i] = min(max((v-fixed.Min)/fixed.Range, 0), 1)
		}
		return nil
	}
	sx := hi - lo
	if sx == 0 {
		sx = 1
	}
	*used = GowerScale{Min: lo, Range: sx}
	for i, v := range x {
		x[i] = (v - lo) / sx
	}
	return nil
}

// gowerRanks replaces each value of x that is not NaN by the rank of its
// value among the distinct values (1, 2, ...), as R's as.ordered does.
func gowerRanks(x []float64) {
	var u []float64
	for _, v := range x {
		if v == v {
			u = append(u, v)
		}
	}
	slices.Sort(u)
	u = slices.Compact(u)
	for i, v := range x {
		if v == v {
			r, _ := slices.BinarySearch(u, v)
			x[i] = float64(r + 1)
		}
	}
}

// Len returns the number of rows.
func (g *Gower) Len() int { return g.n }

// Dissim returns the Gower dissimilarity of rows i and j: a number in
// [0, 1], or NaN when no attribute compares them.
func (g *Gower) Dissim(i, j int) float64 {
	if i == j {
		return 0
	}
	return g.pair(i, j)
}

func (g *Gower) fillRow(i int, dst []float64) {
	for t := range dst {
		dst[t] = g.pair(i, i+1+t)
	}
}

// pair is daisy's loop for rows i and k: the weighted sum of the
// attribute dissimilarities over the sum of the weights of the attributes
// that compare them.
func (g *Gower) pair(i, k int) float64 {
	p := g.p
	vi, vk := g.vals[i*p:(i+1)*p], g.vals[k*p:(k+1)*p]
	w := g.w[:p]
	var ppa, dlk float64
	for j, t := range g.kinds[:p] {
		a, b := vi[j], vk[j]
		if a != a || b != b { // missing
			continue
		}
		switch t {
		case gAbs:
			ppa += w[j]
			dlk += float64(w[j] * math.Abs(a-b))
		case gEq:
			ppa += w[j]
			if a != b {
				dlk += w[j]
			}
		case gAsym:
			if a != 0 || b != 0 {
				ppa += w[j]
			}
			if a != b {
				dlk += w[j]
			}
		case gList:
			ppa += w[j]
			dlk += float64(w[j] * jaccardDist(g.sets[j][i], g.sets[j][k]))
		}
	}
	if ppa == 0 {
		return math.NaN()
	}
	return dlk / ppa
}

// jaccardDist returns |a △ b| / |a ∪ b| of two sorted sets without
// repeats, 0 when both are empty.
func jaccardDist(a, b []int32) float64 {
	inter := 0
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] < b[y]:
			x++
		case a[x] > b[y]:
			y++
		default:
			inter++
			x++
			y++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(union-inter) / float64(union)
}
