//go:build unix

package cluster

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkKMeansPlusPlusPeer times k-means++ alone (k=8, 2 workers) on the
// CSV named by $PERSONA_PEER_CSV, the peer benchmark's data (see
// scripts/kmeans_peer.py), and reports the process CPU time per run too.
func BenchmarkKMeansPlusPlusPeer(b *testing.B) {
	path := os.Getenv("PERSONA_PEER_CSV")
	if path == "" {
		b.Skip("PERSONA_PEER_CSV is not set")
	}
	x := kmReadCSVTest(b, path)
	dt, err := kmPrepare(x, 8, 2)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]float64, 8*dt.d)
	seed := uint64(0)
	runtime.GC() // the CSV parsing garbage, not to be collected while timing
	var cpu, wall time.Duration
	for b.Loop() {
		seed++
		c0, t0 := kmProcessCPU(), time.Now()
		if _, err := kmInitPlusPlus(context.Background(), dt, 8, rand.New(rand.NewPCG(seed, 0)), buf); err != nil {
			b.Fatal(err)
		}
		cpu += kmProcessCPU() - c0
		wall += time.Since(t0)
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
}

func kmProcessCPU() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
