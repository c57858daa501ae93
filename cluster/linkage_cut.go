package cluster

import (
	"math"
	"sort"
)

// CutK cuts the tree into at most k clusters, as SciPy's
// fcluster(Z, k, criterion="maxclust") does: it joins every merge of height
// ≤ t for the smallest height t that leaves at most k clusters (fewer than k
// when several merges share the height at the cut; k larger than the number
// of leaves gives every leaf its own cluster). It returns one label per input
// row, numbered 0, 1, ... in order of first appearance. CutK panics if k < 1.
func (dg *Dendrogram) CutK(k int) []int {
	if k < 1 {
		panic("cluster: CutK with k < 1")
	}
	n := dg.Leaves
	if k >= n {
		return dg.cut(0)
	}
	// Heights are sorted ascending in SciPy order, and the four linkages are
	// monotone, so joining every merge of height ≤ t leaves n - #{h ≤ t}
	// clusters. Find the smallest merge count j ≥ n-k whose height is not
	// shared with merge j (index j, the (j+1)-th merge).
	j := n - k // merges needed
	for j < n-1 && dg.Merges[j].Distance <= dg.Merges[j-1].Distance {
		// merge j has the same height as merge j-1: it cannot be left out
		j++
	}
	return dg.cut(j)
}

// CutDistance joins every merge of height ≤ t, as SciPy's
// fcluster(Z, t, criterion="distance") does, and returns one label per
// input row, numbered 0, 1, ... in order of first appearance. It panics if t
// is NaN.
func (dg *Dendrogram) CutDistance(t float64) []int {
	if math.IsNaN(t) {
		panic("cluster: CutDistance with NaN")
	}
	j := sort.Search(len(dg.Merges), func(i int) bool { return dg.Merges[i].Distance > t })
	return dg.cut(j)
}

// cut applies the first j merges and labels the rows.
func (dg *Dendrogram) cut(j int) []int {
	n := dg.Leaves
	// Walk the merges backwards: the cluster of merge i (id n+i) keeps its
	// own component when i >= j, otherwise it inherits its parent's.
	comp := make([]int, 2*n-1)
	for i := range comp {
		comp[i] = -1
	}
	next := 0
	for i := n - 2; i >= 0; i-- {
		id := n + i
		if comp[id] < 0 { // root of a component
			comp[id] = next
			next++
		}
		m := dg.Merges[i]
		if i >= j {
			// the merge is undone: its children start components of their own
			continue
		}
		comp[m.A], comp[m.B] = comp[id], comp[id]
	}
	leafComp := comp[:n]
	for i := range leafComp {
		if leafComp[i] < 0 {
			leafComp[i] = next
			next++
		}
	}
	rows := leafComp
	if dg.Assign != nil {
		rows = make([]int, len(dg.Assign))
		for i, l := range dg.Assign {
			rows[i] = leafComp[l]
		}
	} else {
		rows = append([]int(nil), leafComp...)
	}
	return lkRelabel(rows)
}

// lkRelabel renumbers labels 0, 1, ... by first appearance, in place.
func lkRelabel(labels []int) []int {
	m := make(map[int]int)
	for i, l := range labels {
		v, ok := m[l]
		if !ok {
			v = len(m)
			m[l] = v
		}
		labels[i] = v
	}
	return labels
}
