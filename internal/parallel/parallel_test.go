package parallel

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestFor(t *testing.T) {
	for _, tt := range []struct{ workers, n int }{{1, 0}, {1, 5}, {0, 5}, {-3, 5}, {2, 1}, {3, 100}, {8, 7}, {4, 10_000}} {
		calls := make([]atomic.Int32, tt.n)
		var maxW atomic.Int64
		var order []int
		err := For(context.Background(), tt.workers, tt.n, func(w, i int) {
			calls[i].Add(1)
			if int64(w) > maxW.Load() {
				maxW.Store(int64(w))
			}
			if tt.workers <= 1 {
				order = append(order, i)
			}
		})
		if err != nil {
			t.Fatalf("workers %d, n %d: %v", tt.workers, tt.n, err)
		}
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Fatalf("workers %d, n %d: fn called %d times for i = %d", tt.workers, tt.n, c, i)
			}
		}
		if w := int(maxW.Load()); w >= max(1, min(tt.workers, tt.n)) {
			t.Errorf("workers %d, n %d: goroutine number %d", tt.workers, tt.n, w)
		}
		for i, v := range order {
			if v != i {
				t.Fatalf("one worker ran i = %d at step %d", v, i)
			}
		}
	}
}

func TestForCancel(t *testing.T) {
	for _, workers := range []int{1, 3} {
		ctx, cancel := context.WithCancel(context.Background())
		var ran atomic.Int64
		err := For(ctx, workers, 1_000_000, func(w, i int) {
			if ran.Add(1) == 100 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("workers %d: err %v, want context.Canceled", workers, err)
		}
		if r := ran.Load(); r < 100 || r > 100+int64(workers) {
			t.Errorf("workers %d: %d iterations ran after the cancel at the 100th", workers, r)
		}
	}
}

// TestForCancelAfter checks a loop whose every iteration ran returns nil,
// even when ctx is done by then.
func TestForCancelAfter(t *testing.T) {
	for _, workers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		var ran atomic.Int64
		err := For(ctx, workers, 2, func(w, i int) {
			if ran.Add(1) == 2 {
				cancel()
			}
		})
		if err != nil || ran.Load() != 2 {
			t.Errorf("workers %d: err %v after %d of 2 iterations, want nil after both", workers, err, ran.Load())
		}
	}
}

func TestPool(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 5} {
		p := NewPool(workers)
		if p.Workers() != max(workers, 1) {
			t.Errorf("Workers() = %d, want %d", p.Workers(), max(workers, 1))
		}
		for round, n := range []int{0, 1, 3, 50, 2, 1000} {
			sum := make([]int, n)
			p.For(n, func(w, i int) {
				if w < 0 || w >= max(1, min(p.Workers(), n)) {
					t.Errorf("goroutine number %d", w)
				}
				sum[i] += i + round
			})
			for i, s := range sum {
				if s != i+round {
					t.Fatalf("workers %d, round %d: sum[%d] = %d", workers, round, i, s)
				}
			}
		}
		p.Close()
	}
}

// TestPoolAllocs checks a loop run again on a pool allocates nothing.
func TestPoolAllocs(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	res := make([]float64, 8)
	fn := func(w, i int) { res[i] += float64(i) }
	if a := testing.AllocsPerRun(1000, func() { p.For(len(res), fn) }); a != 0 {
		t.Errorf("Pool.For allocates %v times per loop", a)
	}
}

func BenchmarkPoolFor(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	res := make([]int, 2)
	fn := func(w, i int) { res[i]++ }
	for b.Loop() {
		p.For(2, fn)
	}
}

func BenchmarkFor(b *testing.B) {
	res := make([]int, 2)
	ctx := context.Background()
	for b.Loop() {
		For(ctx, 2, 2, func(w, i int) { res[i]++ })
	}
}
