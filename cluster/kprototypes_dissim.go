package cluster

import "math"

// KPrototypesDissim is the dissimilarity k-prototypes clusters by, between
// two rows of a table: the square root of the squared Euclidean distance
// between their numeric attributes plus Gamma times the number of
// categorical attributes on which they differ (a missing category counts
// as a level of its own, as in KPrototypes). It is the Euclidean distance
// between the rows once every categorical attribute is one-hot encoded
// and scaled by sqrt(Gamma/2), so a silhouette computed on it measures
// k-prototypes' segments by k-prototypes' own cost.
type KPrototypesDissim struct {
	t     *kpTable
	gamma float64
}

// NewKPrototypesDissim returns the dissimilarity of the rows of attrs,
// which KPrototypes takes (numeric and categorical attributes, no missing
// number). gamma 0 means KPrototypes' default (see
// KPrototypesOptions.Gamma). attrs is not modified; the values are copied.
func NewKPrototypesDissim(attrs []Attr, gamma float64) (*KPrototypesDissim, error) {
	o := KPrototypesOptions{K: 1, Gamma: gamma}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	t, err := kpData(attrs)
	if err != nil {
		return nil, err
	}
	if gamma == 0 {
		gamma = t.defaultGamma()
	}
	return &KPrototypesDissim{t: t, gamma: gamma}, nil
}

// Len returns the number of rows.
func (d *KPrototypesDissim) Len() int { return d.t.n }

// Gamma returns the weight of a categorical mismatch.
func (d *KPrototypesDissim) Gamma() float64 { return d.gamma }

// Dissim returns the dissimilarity of rows i and j.
func (d *KPrototypesDissim) Dissim(i, j int) float64 {
	t := d.t
	var s float64
	a, b := t.num[i*t.p:(i+1)*t.p], t.num[j*t.p:(j+1)*t.p]
	for f, v := range a {
		e := v - b[f]
		s += e * e
	}
	return math.Sqrt(s + d.gamma*float64(mismatches(t.cat[i*t.q:(i+1)*t.q], t.cat[j*t.q:(j+1)*t.q])))
}
