package metrics

import (
	"context"
	"math"

	"github.com/persona-seg/persona/internal/parallel"
)

// run is a stretch of sorted positions [lo, hi) inside one cluster.
type run struct{ lo, hi, c int }

// symmetric computes the silhouette with each unordered pair of rows
// computed once. Sorted positions are cut into blocks; the tile of blocks
// (I, J) adds the distances between their rows to the per-row, per-cluster
// sums of both blocks. Tiles are scheduled in round-robin rounds in which
// no block appears twice, so workers never write the same sums and need no
// locks. Memory: m*k sums plus O(m).
func (t tables) symmetric(ctx context.Context, workers int) ([]float64, error) {
	m := len(t.off)
	k := len(t.counts)
	sums := make([]float64, m*k)

	// The block size depends on m only, never on workers, so every sum is
	// accumulated in the same order and the result is bit-identical for
	// any number of workers.
	bs := min(192, max(16, m/32))
	var blocks [][]run
	for lo := 0; lo < m; lo += bs {
		hi := min(lo+bs, m)
		var runs []run
		c := 0
		for t.start[c+1] <= lo {
			c++
		}
		for p := lo; p < hi; {
			for t.start[c+1] <= p {
				c++
			}
			e := min(hi, t.start[c+1])
			runs = append(runs, run{p, e, c})
			p = e
		}
		blocks = append(blocks, runs)
	}
	nb := len(blocks)

	// Round 0 holds the diagonal tiles; then the circle method pairs every
	// two blocks exactly once in nb-1 (nb even) or nb (nb odd) rounds.
	type tile struct{ i, j int }
	var rounds [][]tile
	diag := make([]tile, nb)
	for i := range diag {
		diag[i] = tile{i, i}
	}
	rounds = append(rounds, diag)
	np := nb + nb%2 // with a phantom block when nb is odd
	for r := 0; r < np-1; r++ {
		var ts []tile
		add := func(a, b int) {
			if a < nb && b < nb {
				ts = append(ts, tile{min(a, b), max(a, b)})
			}
		}
		add(r, np-1)
		for i := 1; i < np/2; i++ {
			add((r+i)%(np-1), (r-i+np-1)%(np-1))
		}
		rounds = append(rounds, ts)
	}

	scratch := make([][]float64, workers)
	for w := range scratch {
		scratch[w] = make([]float64, bs)
	}
	for r, ts := range rounds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if t.progress != nil {
			t.progress(r, len(rounds))
		}
		parallel.For(context.Background(), workers, len(ts), func(w, i int) {
			tl := ts[i]
			for a, ra := range blocks[tl.i] {
				for b, rb := range blocks[tl.j] {
					if tl.i == tl.j && b < a {
						continue
					}
					t.pairRuns(sums, k, ra, rb, tl.i == tl.j && a == b, scratch[w])
				}
			}
		})
	}
	if t.progress != nil {
		t.progress(len(rounds), len(rounds))
	}

	s := make([]float64, m)
	for c := range k {
		for q := t.start[c]; q < t.start[c+1]; q++ {
			row := sums[q*k : q*k+k]
			b := math.Inf(1)
			for cj, v := range row {
				if cj != c {
					b = min(b, v/float64(t.counts[cj]))
				}
			}
			s[q] = silhouetteOf(row[c], t.counts[c], b)
		}
	}
	return s, nil
}

// pairRuns adds the distances between the rows of runs ra and rb to both
// rows' sums; with same it takes each pair of the one run once.
func (t tables) pairRuns(sums []float64, k int, ra, rb run, same bool, col []float64) {
	d := t.d
	col = col[:rb.hi-rb.lo]
	clear(col)
	offB := t.off[rb.lo:rb.hi]
	for q := ra.lo; q < ra.hi; q++ {
		xi := t.data[t.off[q] : t.off[q]+d]
		j0 := 0
		if same {
			j0 = q - rb.lo + 1
		}
		sums[q*k+rb.c] += distSumsTo(xi, t.data, offB[j0:], col[j0:])
	}
	for j, v := range col {
		sums[(rb.lo+j)*k+ra.c] += v
	}
}
