package cluster

import (
	"context"
	"fmt"
	"syscall"
	"testing"
)

func dbgCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func TestDbgPhases(t *testing.T) {
	for _, c := range []struct {
		d   int
		eps float64
	}{{2, 0.3}, {16, 3.5}} {
		x := dbBlobs(100000, c.d, 1)
		t0 := dbgCPU()
		data, n, d, _ := dbPrepare(x, "euclidean", "x")
		ix := nbBuild(data, n, d, nbSquared, true)
		t1 := dbgCPU()
		core := make([]bool, n)
		sc := dbNewScratch(2, d, ix.leafSize)
		thr := c.eps * c.eps
		m := 8
		edges := make([]int32, n*m)
		dbParallel(context.Background(), 2, len(ix.leaves), func(w, l int) { ix.dbCountLeaf(int32(l), thr, 10, core, edges, m, &sc[w]) })
		t2 := dbgCPU()
		uf := dbNewLinker(ix, core)
		for p := range n {
			if !core[p] {
				continue
			}
			for _, r := range edges[p*m : (p+1)*m] {
				if r >= 0 && core[r] {
					uf.union(int32(p), r)
				}
			}
		}
		uf.linkAll(context.Background(), thr)
		t3 := dbgCPU()
		lp := uf.number()
		ix.dbBorders(context.Background(), thr, core, lp, 2, sc)
		t4 := dbgCPU()
		fmt.Printf("d=%d build %.3f count %.3f link %.3f borders %.3f\n", c.d, t1-t0, t2-t1, t3-t2, t4-t3)
	}
}
