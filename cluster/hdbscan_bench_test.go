package cluster

import (
	"context"
	"testing"
)

// benchHDBSCAN runs HDBSCAN on dbBlobs (8 unit-spread blobs, the DBSCAN
// benchmarks' data).
func benchHDBSCAN(b *testing.B, n, d, mcs int) {
	x := dbBlobs(n, d, 1)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := HDBSCAN(ctx, x, HDBSCANOptions{MinClusterSize: mcs})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.NClusters), "clusters")
	}
}

func BenchmarkHDBSCAN10kx2(b *testing.B)  { benchHDBSCAN(b, 10_000, 2, 20) }
func BenchmarkHDBSCAN100kx2(b *testing.B) { benchHDBSCAN(b, 100_000, 2, 20) }
func BenchmarkHDBSCAN100kx8(b *testing.B) { benchHDBSCAN(b, 100_000, 8, 20) }
