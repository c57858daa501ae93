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
	return dg.cut(dg.mergesForK(k))
}

// CutHeight returns the height of the highest merge that CutK(k) applies
// (0 when it applies none), so CutDistance(dg.CutHeight(k)) equals
// dg.CutK(k) when k is below the number of leaves. A plot draws the cut line
// between this height and the next merge's. It panics if k < 1.
func (dg *Dendrogram) CutHeight(k int) float64 {
	j := dg.mergesForK(k)
	if j == 0 {
		return 0
	}
	return dg.Merges[j-1].Distance
}

// mergesForK returns how many of the first merges CutK(k) applies.
func (dg *Dendrogram) mergesForK(k int) int {
	if k < 1 {
		panic("cluster: cut with k < 1")
	}
	n := dg.Leaves
	if k >= n {
		return 0
	}
	// Heights are sorted ascending in SciPy order, and the four linkages are
	// monotone, so joining every merge of height ≤ t leaves n - #{h ≤ t}
	// clusters. Apply the n-k merges needed, then every later merge of the
	// same height as the last one applied.
	j := n - k
	for j < n-1 && dg.Merges[j].Distance <= dg.Merges[j-1].Distance {
		j++
	}
	return j
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

// TruncatedDendrogram is a dendrogram cut down to its last merges, as SciPy's
// dendrogram(Z, truncate_mode="lastp", p=p) draws it: plain data for a chart.
type TruncatedDendrogram struct {
	// Leaves are the clusters below the merges shown, in drawing order
	// (left to right: a merge's A side before its B side). Leaf j is drawn at
	// position j.
	Leaves []DendrogramLeaf
	// Merges are the last len(Leaves)-1 merges of the tree, in order.
	// A and B below len(Leaves) index Leaves; len(Leaves)+i is the cluster
	// made by Merges[i]. A is drawn left of B. Distance and Size are the
	// full tree's.
	Merges []Merge
}

// DendrogramLeaf is a leaf of a truncated dendrogram.
type DendrogramLeaf struct {
	ID     int     // the cluster's id in the full tree (below Leaves: one leaf)
	Size   int     // input rows in it
	Height float64 // height at which it was formed, 0 for a leaf of the full tree
}

// LastP returns the tree truncated to its last p-1 merges, which leaves p
// clusters as leaves (all leaves when p exceeds their number). It panics if
// p < 1.
func (dg *Dendrogram) LastP(p int) TruncatedDendrogram {
	if p < 1 {
		panic("cluster: LastP with p < 1")
	}
	n := dg.Leaves
	p = min(p, n)
	first := n - p // first merge shown
	tr := TruncatedDendrogram{Merges: make([]Merge, p-1)}
	newID := map[int]int{}
	// Depth-first from the root, A before B, numbering the leaves as they
	// are met.
	var walk func(id int)
	walk = func(id int) {
		if id >= n+first {
			m := dg.Merges[id-n]
			walk(m.A)
			walk(m.B)
			return
		}
		leaf := DendrogramLeaf{ID: id, Size: 1}
		if id >= n {
			leaf.Size = dg.Merges[id-n].Size
			leaf.Height = dg.Merges[id-n].Distance
		} else if dg.LeafSizes != nil {
			leaf.Size = dg.LeafSizes[id]
		}
		newID[id] = len(tr.Leaves)
		tr.Leaves = append(tr.Leaves, leaf)
	}
	walk(2*n - 2) // the root
	for i := range tr.Merges {
		m := dg.Merges[first+i]
		for _, c := range []*int{&m.A, &m.B} {
			if *c >= n+first {
				*c = p + (*c - n - first)
			} else {
				*c = newID[*c]
			}
		}
		tr.Merges[i] = m
	}
	return tr
}
