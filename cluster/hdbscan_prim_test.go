package cluster

import (
	"context"
	"math"
)

// hdPrim is the reference the tests compare hdBoruvka with: Prim's
// algorithm over all pairs of the mutual reachability graph, from row 0,
// with edges ordered by hdKey (weight, then rows), so that it builds the
// same (unique) tree. core2 holds squared core distances; weights are
// returned as distances.
func hdPrim(ctx context.Context, data []float64, n, d int, core2 []float64) ([]hdEdge, error) {
	in := make([]bool, n)
	best := make([]hdKey, n)
	src := make([]int32, n)
	for i := range best {
		best[i] = hdKey{w: math.Inf(1)}
	}
	edges := make([]hdEdge, 0, n-1)
	cur := int32(0)
	for range n - 1 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		in[cur] = true
		next := int32(-1)
		for q := range int32(n) {
			if in[q] {
				continue
			}
			dist := nbDist(nbSquared, data[int(cur)*d:int(cur+1)*d], data[int(q)*d:int(q+1)*d])
			if k := hdMakeKey(max(dist, core2[cur], core2[q]), cur, q); k.less(best[q]) {
				best[q], src[q] = k, cur
			}
			if next < 0 || best[q].less(best[next]) {
				next = q
			}
		}
		edges = append(edges, hdEdge{a: src[next], b: next, w: math.Sqrt(best[next].w)})
		cur = next
	}
	return edges, nil
}
