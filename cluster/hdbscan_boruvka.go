package cluster

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync/atomic"

	"github.com/persona-seg/persona/internal/parallel"
)

// hdKey orders the edges of the mutual reachability graph totally: by
// squared weight, then by the smaller and the larger original row. With
// a total order Borůvka's algorithm never closes a cycle, and its tree is
// the same whatever the number of workers.
type hdKey struct {
	w    float64
	a, b int32 // a < b
}

func hdMakeKey(w float64, i, j int32) hdKey {
	if i > j {
		i, j = j, i
	}
	return hdKey{w, i, j}
}

func (k hdKey) less(o hdKey) bool {
	if k.w != o.w {
		return k.w < o.w
	}
	if k.a != o.a {
		return k.a < o.a
	}
	return k.b < o.b
}

// hdBoruvka returns the minimum spanning tree of the mutual reachability
// graph (squared core distances core2, original row order) with Borůvka's
// algorithm over the k-d tree ix: in each round every row searches the
// tree for its nearest row in another component, pruning subtrees that lie
// wholly in its own component or whose lower bound exceeds the best edge
// its component has found so far; every component then takes its
// smallest outgoing edge. Edge weights are returned as distances.
func hdBoruvka(ctx context.Context, ix *nbIndex, core2 []float64, workers int) ([]hdEdge, error) {
	n := ix.n
	nodes := len(ix.nodes)
	// Per index position: squared core distance and union-find parent.
	pc := make([]float64, n)
	for p, i := range ix.perm {
		pc[p] = core2[i]
	}
	parent := make([]int32, n)
	for p := range parent {
		parent[p] = int32(p)
	}
	find := func(p int32) int32 {
		r := p
		for parent[r] != r {
			r = parent[r]
		}
		for parent[p] != r {
			parent[p], p = r, parent[p]
		}
		return r
	}
	// Smallest core distance under each node (nodes are stored parents
	// first, so a reverse sweep sees children first).
	minCore := make([]float64, nodes)
	for id := nodes - 1; id >= 0; id-- {
		nd := ix.nodes[id]
		if nd.left < 0 {
			m := math.Inf(1)
			for _, v := range pc[nd.start:nd.end] {
				m = min(m, v)
			}
			minCore[id] = m
		} else {
			minCore[id] = min(minCore[nd.left], minCore[nd.right])
		}
	}
	// Smallest original row under each node: a subtree whose rows are all
	// at least the other end of a point's best edge cannot hold a tie
	// that beats it.
	minRow := make([]int32, nodes)
	for id := nodes - 1; id >= 0; id-- {
		nd := ix.nodes[id]
		if nd.left < 0 {
			minRow[id] = slices.Min(ix.perm[nd.start:nd.end])
		} else {
			minRow[id] = min(minRow[nd.left], minRow[nd.right])
		}
	}
	comp := make([]int32, n)         // component (root position) of each position
	nodeComp := make([]int32, nodes) // component of all the node's points, or -1
	compBest := make([]atomic.Uint64, n)
	bestKey := make([]hdKey, n) // per position: its best outgoing edge
	bestTo := make([]int32, n)
	scratch := dbNewScratch(workers, ix.d, ix.leafSize)
	edges := make([]hdEdge, 0, n-1)
	inf := math.Float64bits(math.Inf(1))
	for len(edges) < n-1 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for p := range comp {
			comp[p] = find(int32(p))
		}
		for id := nodes - 1; id >= 0; id-- {
			nd := ix.nodes[id]
			if nd.left < 0 {
				c := comp[nd.start]
				for _, v := range comp[nd.start+1 : nd.end] {
					if v != c {
						c = -1
						break
					}
				}
				nodeComp[id] = c
			} else if a := nodeComp[nd.left]; a == nodeComp[nd.right] {
				nodeComp[id] = a
			} else {
				nodeComp[id] = -1
			}
		}
		for p := range compBest {
			compBest[p].Store(inf)
		}
		err := parallel.For(ctx, workers, len(ix.leaves), func(w, leaf int) {
			nd := ix.nodes[ix.leaves[leaf]]
			for p := nd.start; p < nd.end; p++ {
				bestKey[p] = hdKey{w: math.Inf(1)}
				bestTo[p] = -1
				ix.hdNearestOut(p, pc, comp, nodeComp, minCore, minRow, compBest, &bestKey[p], &bestTo[p], &scratch[w])
			}
		})
		if err != nil {
			return nil, err
		}
		// Each component takes its smallest outgoing edge.
		chosen := make(map[int32]int32) // component -> position with its best edge
		for p := range n {
			if bestTo[p] < 0 {
				continue
			}
			c := comp[p]
			if q, ok := chosen[c]; !ok || bestKey[p].less(bestKey[q]) {
				chosen[c] = int32(p)
			}
		}
		if len(chosen) == 0 {
			return nil, errors.New("cluster: HDBSCAN spanning tree found no edge (distances overflow float64? scale the data down)")
		}
		// Add them in key order so the result does not depend on map order.
		order := make([]int32, 0, len(chosen))
		for _, p := range chosen {
			order = append(order, p)
		}
		slices.SortFunc(order, func(x, y int32) int {
			if bestKey[x].less(bestKey[y]) {
				return -1
			}
			return 1
		})
		for _, p := range order {
			q := bestTo[p]
			a, b := find(p), find(q)
			if a == b {
				continue // the same edge chosen from both sides
			}
			parent[max(a, b)] = min(a, b)
			edges = append(edges, hdEdge{a: ix.perm[p], b: ix.perm[q], w: bestKey[p].w})
		}
	}
	for i := range edges {
		edges[i].w = math.Sqrt(edges[i].w)
		if math.IsInf(edges[i].w, 0) {
			return nil, errors.New("cluster: distances overflow float64; scale the data down")
		}
	}
	return edges, nil
}

// hdNearestOut finds the smallest edge (by hdKey) from position p to a
// position in another component, if it can beat compBest[comp[p]] (a
// lower bound shared by the component's rows: only strictly larger
// bounds prune, so ties are all seen), and lowers compBest. Ties with its
// own best edge are only looked for below rows smaller than that edge's
// other end: only those can give a smaller key.
func (ix *nbIndex) hdNearestOut(p int32, pc []float64, comp, nodeComp []int32, minCore []float64, minRow []int32, compBest []atomic.Uint64, best *hdKey, to *int32, s *dbScratch) {
	c := comp[p]
	cp := pc[p]
	shared := &compBest[c]
	bound := func() float64 {
		return min(best.w, math.Float64frombits(shared.Load()))
	}
	if cp > bound() {
		return
	}
	q := ix.row(p)
	ip := ix.perm[p]
	st := append(s.st[:0], nbStackItem{0, cp})
	for len(st) > 0 {
		it := st[len(st)-1]
		st = st[:len(st)-1]
		if it.bound > bound() || nodeComp[it.node] == c {
			continue
		}
		if it.bound == best.w && minRow[it.node] >= best.a+best.b-ip {
			continue // ties only, none with a smaller key
		}
		nd := ix.nodes[it.node]
		if nd.left >= 0 {
			bl := max(cp, minCore[nd.left], ix.pointNode(q, nd.left))
			br := max(cp, minCore[nd.right], ix.pointNode(q, nd.right))
			if bl < br {
				st = append(st, nbStackItem{nd.right, br}, nbStackItem{nd.left, bl})
			} else {
				st = append(st, nbStackItem{nd.left, bl}, nbStackItem{nd.right, br})
			}
			continue
		}
		dist := s.dist[:nd.end-nd.start]
		nbDistRows(nbSquared, q, ix.rows(nd.start, nd.end), dist)
		for k, v := range dist {
			r := nd.start + int32(k)
			if comp[r] == c {
				continue
			}
			w := max(v, cp, pc[r])
			if w > best.w {
				continue
			}
			if key := hdMakeKey(w, ip, ix.perm[r]); key.less(*best) {
				*best, *to = key, r
			}
		}
	}
	s.st = st
	if *to >= 0 {
		bits := math.Float64bits(best.w)
		for {
			old := shared.Load()
			if old <= bits || shared.CompareAndSwap(old, bits) {
				break
			}
		}
	}
}
