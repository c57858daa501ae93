package server

import (
	"math"
	"slices"
)

// minFenceUsers is the fewest users of a segment whose own distances give
// its fence; a smaller segment uses the fence of every user's distance.
const minFenceUsers = 20

// fences are the far-out fences of a run's distances, per segment: Tukey's
// Q3 + 3 × IQR of the distances of the run's users in the segment
// (quartiles interpolated linearly, as R's and NumPy's defaults), or of
// all users for a segment of fewer than minFenceUsers. A scored distance
// beyond its segment's fence is "far": farther from the segment than
// nearly all of its own users, and not only a little.
type fences struct {
	seg map[int]float64
	all float64
}

func (sn *snapshot) fences() *fences {
	sn.fencesOnce.Do(func() {
		by := map[int][]float64{}
		all := make([]float64, 0, len(sn.res.Distance))
		for i, d := range sn.res.Distance {
			if math.IsNaN(d) || math.IsInf(d, 0) {
				continue
			}
			by[sn.res.Segments[i]] = append(by[sn.res.Segments[i]], d)
			all = append(all, d)
		}
		f := &fences{seg: map[int]float64{}, all: farOut(all)}
		for s, ds := range by {
			if len(ds) >= minFenceUsers {
				f.seg[s] = farOut(ds)
			}
		}
		sn.fenceSet = f
	})
	return sn.fenceSet
}

// far reports whether dist is beyond segment seg's fence.
func (f *fences) far(seg int, dist float64) bool {
	lim, ok := f.seg[seg]
	if !ok {
		lim = f.all
	}
	return dist > lim || math.IsInf(dist, 1)
}

// farOut returns Q3 + 3 × IQR of xs, which it sorts; +Inf without values.
func farOut(xs []float64) float64 {
	if len(xs) == 0 {
		return math.Inf(1)
	}
	slices.Sort(xs)
	q1, q3 := quantile(xs, 0.25), quantile(xs, 0.75)
	return q3 + 3*(q3-q1)
}

// quantile is the p-quantile of sorted xs, interpolated linearly between
// order statistics (Hyndman and Fan's type 7).
func quantile(xs []float64, p float64) float64 {
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// known returns the run's row of user id when the run holds the user and
// row (features named names) gives the features the run stored for them,
// each to within a relative 1e-9: then the run's segment stands for them,
// whatever the model's rule would say (a hierarchical or DBSCAN run's
// segments are not the model's nearest-point cells everywhere).
func (sn *snapshot) known(id string, names []string, row []float64) (int, bool) {
	i, ok := sn.users.find(id)
	if !ok || len(names) != len(sn.res.FeatureNames) {
		return 0, false
	}
	stored := sn.res.Row(i)
	for j, n := range names {
		if sn.res.FeatureNames[j] != n {
			return 0, false
		}
		a, b := row[j], stored[j]
		if a != b && !(math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))) {
			return 0, false
		}
	}
	return i, true
}
