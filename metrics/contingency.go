package metrics

import (
	"fmt"
	"slices"
	"sort"
)

// Contingency is the contingency table of two labelings of the same n
// items: how many items have each pair (truth label, predicted label). Only
// the nonzero cells are stored, so a table of n singletons costs O(n).
type Contingency struct {
	Rows    []int  // distinct truth labels, ascending
	Cols    []int  // distinct predicted labels, ascending
	RowSums []int  // RowSums[i] counts the items labelled Rows[i] in truth
	ColSums []int  // ColSums[j] counts the items labelled Cols[j] in pred
	Cells   []Cell // the nonzero cells, ordered by row, then column
	N       int    // number of items
}

// Cell is one nonzero cell of a Contingency: Count items have truth label
// Rows[Row] and predicted label Cols[Col].
type Cell struct {
	Row, Col, Count int
}

// NewContingency returns the contingency table of truth and pred, which
// must have the same length; it panics otherwise. The inputs are not
// modified.
func NewContingency(truth, pred []int) *Contingency {
	if len(truth) != len(pred) {
		panic(fmt.Sprintf("metrics: truth has %d labels, pred %d", len(truth), len(pred)))
	}
	et, ep := encode(truth), encode(pred)
	r, c := len(et.classes), len(ep.classes)
	t := &Contingency{
		Rows:    et.classes,
		Cols:    ep.classes,
		RowSums: et.counts,
		ColSums: ep.counts,
		N:       len(truth),
	}
	n := len(truth)
	if r*c <= max(4*n, 1<<16) {
		dense := make([]int, r*c)
		for i, a := range et.idx {
			dense[a*c+ep.idx[i]]++
		}
		for key, v := range dense {
			if v != 0 {
				t.Cells = append(t.Cells, Cell{Row: key / c, Col: key % c, Count: v})
			}
		}
		return t
	}
	keys := make([]int, n)
	for i, a := range et.idx {
		keys[i] = a*c + ep.idx[i]
	}
	slices.Sort(keys)
	for i := 0; i < n; {
		j := i + 1
		for j < n && keys[j] == keys[i] {
			j++
		}
		t.Cells = append(t.Cells, Cell{Row: keys[i] / c, Col: keys[i] % c, Count: j - i})
		i = j
	}
	return t
}

// At returns the count of cell (i, j), indices into Rows and Cols.
func (t *Contingency) At(i, j int) int {
	p := sort.Search(len(t.Cells), func(p int) bool {
		cl := t.Cells[p]
		return cl.Row > i || (cl.Row == i && cl.Col >= j)
	})
	if p < len(t.Cells) && t.Cells[p].Row == i && t.Cells[p].Col == j {
		return t.Cells[p].Count
	}
	return 0
}
