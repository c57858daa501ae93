// Package parallel runs the iterations of a loop on several goroutines:
// For for a loop run once, a Pool for a loop run many times in a row.
//
// Neither decides how the work is cut: the caller's n iterations are its
// chunks. Which goroutine runs which iteration varies from run to run, so
// a caller whose result must not depend on the number of workers cuts its
// work into chunks whose boundaries depend on its input alone, writes one
// result per iteration and combines them in iteration order (the
// invariant package cluster documents).
package parallel

import (
	"context"
	"sync"
	"sync/atomic"
)

// For calls fn(w, i) once for every i in [0, n), on at most workers
// goroutines, and returns when every call has returned. The i are handed
// out in increasing order, each to the next free goroutine; w, in
// [0, min(workers, n)), is the number of the goroutine that runs i, so fn
// can use one scratch buffer per goroutine. With one worker (workers < 1
// counts as one) fn runs on the calling goroutine, in order.
//
// Once ctx is done For hands out no more iterations and returns ctx.Err()
// after the running ones return; it returns nil when every iteration ran.
func For(ctx context.Context, workers, n int, fn func(w, i int)) error {
	nw := min(max(workers, 1), n)
	if nw <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			fn(0, i)
		}
		return nil
	}
	var next atomic.Int64
	var stopped atomic.Bool
	var wg sync.WaitGroup
	for w := 1; w < nw; w++ {
		wg.Go(func() { run(ctx, &next, &stopped, n, w, fn) })
	}
	run(ctx, &next, &stopped, n, 0, fn)
	wg.Wait()
	if stopped.Load() {
		return ctx.Err()
	}
	return nil
}

// run is one goroutine's share of a loop: it takes the next iteration
// until there is none left or ctx is done (then it sets stopped).
func run(ctx context.Context, next *atomic.Int64, stopped *atomic.Bool, n, w int, fn func(w, i int)) {
	for {
		i := int(next.Add(1)) - 1
		if i >= n {
			return
		}
		if ctx.Err() != nil {
			stopped.Store(true)
			return
		}
		fn(w, i)
	}
}

// Pool is a fixed set of goroutines that run loops as For does, without
// starting goroutines for each loop: for loops of little work each run
// many times in a row, such as the scans of a nearest-neighbour chain.
// Its methods must be called from one goroutine at a time, and Close must
// be called when it is no longer needed.
type Pool struct {
	workers int
	start   []chan struct{} // one per goroutine but the caller's
	wg      sync.WaitGroup  // the goroutines still in the current loop
	next    atomic.Int64
	stopped atomic.Bool // never set: a pool's loops have no context
	n       int
	fn      func(w, i int)
}

// NewPool starts workers-1 goroutines (the goroutine that calls For is the
// pool's first worker); workers < 1 counts as one.
func NewPool(workers int) *Pool {
	p := &Pool{workers: max(workers, 1)}
	p.start = make([]chan struct{}, p.workers-1)
	for k := range p.start {
		ch := make(chan struct{}, 1)
		p.start[k] = ch
		go func() {
			for range ch {
				run(context.Background(), &p.next, &p.stopped, p.n, k+1, p.fn)
				p.wg.Done()
			}
		}()
	}
	return p
}

// Workers returns the number of goroutines the pool runs loops on.
func (p *Pool) Workers() int { return p.workers }

// For calls fn(w, i) once for every i in [0, n) on the pool's goroutines
// (at most n of them take part) and returns when every call has returned.
// It allocates nothing: a caller that runs the same loop many times
// passes the same fn, made once.
func (p *Pool) For(n int, fn func(w, i int)) {
	nw := min(p.workers, n)
	if nw <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	p.n, p.fn = n, fn
	p.next.Store(0)
	p.wg.Add(nw - 1)
	for _, ch := range p.start[:nw-1] {
		ch <- struct{}{}
	}
	run(context.Background(), &p.next, &p.stopped, n, 0, fn)
	p.wg.Wait()
	p.fn = nil
}

// Close stops the pool's goroutines. The pool must not be used after.
func (p *Pool) Close() {
	for _, ch := range p.start {
		close(ch)
	}
	p.start = nil
}
