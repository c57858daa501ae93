package shardtest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/shardtest"
	"github.com/persona-seg/persona/synth"
)

// BenchmarkShardedFeatures times the catalogue's Postgres feature query
// on demo data of PERSONA_SHARD_BENCH_USERS users (it skips without):
// on one server holding everything (the first shard's server, the same
// settings), on the coordinator over the two shards' foreign partitions,
// and through the shard views (each shard computing its users' features).
// Besides wall time per query it reports the CPU time (user+sys) of each
// side's server processes, backends and parallel workers included, and
// the rows the query returned. scripts/shard/bench.sh runs it.
func BenchmarkShardedFeatures(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("PERSONA_SHARD_BENCH_USERS"))
	if n <= 0 {
		b.Skip("PERSONA_SHARD_BENCH_USERS is not set: scripts/shard/bench.sh USERS runs this benchmark")
	}
	coord, shards, why := shardtest.FromEnv()
	if why != "" {
		b.Skip(why)
	}
	ctx := context.Background()
	dir := b.TempDir()
	start := time.Now()
	if _, err := synth.Generate(ctx, dir, synth.Options{Users: n, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	cfg := dataset.Sources{
		Users:        filepath.Join(dir, synth.UsersFile),
		Events:       filepath.Join(dir, synth.EventsFile),
		Transactions: filepath.Join(dir, synth.TransactionsFile),
		Social:       filepath.Join(dir, synth.SocialFile),
	}.Config()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		b.Fatal(err)
	}
	o := features.OptionsFor(cfg)
	o.Dialect = features.Postgres
	q, err := features.Build(ctx, db, o)
	if err != nil {
		b.Fatal(err)
	}
	c, err := shardtest.Connect(ctx, coord, shards, fmt.Sprintf("persona_bench_%d", time.Now().UnixNano()))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	var events int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM events").Scan(&events); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d users, %d events and loaded them into DuckDB in %s", n, events, time.Since(start).Round(time.Second))
	start = time.Now()
	if err := c.Load(ctx, db, "users", "events", "transactions", "social"); err != nil {
		b.Fatal(err)
	}
	if err := c.ShardView(ctx, "persona_features", q.SQL); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Coordinator.Exec(ctx, partitionwise); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded the one server and %d shards in %s", len(c.Shards), time.Since(start).Round(time.Second))
	for _, bc := range []struct {
		name    string
		conn    *pgx.Conn
		query   string
		servers []*pgx.Conn // whose CPU is the query's
	}{
		{"one-server", c.Single, q.SQL, []*pgx.Conn{c.Single}},
		{"coordinator", c.Coordinator, q.SQL, append([]*pgx.Conn{c.Coordinator}, c.Shards...)},
		{"shard-views", c.Coordinator, "SELECT * FROM persona_features", append([]*pgx.Conn{c.Coordinator}, c.Shards...)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pms := make([]int, len(bc.servers))
			for i, s := range bc.servers {
				if pms[i], err = postmaster(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
			cpu := func() []float64 {
				out := make([]float64, len(pms))
				for i, pm := range pms {
					out[i] = serverCPU(b, pm)
				}
				return out
			}
			before := cpu()
			var got int
			b.ResetTimer()
			for range b.N {
				rows, err := bc.conn.Query(ctx, bc.query)
				if err != nil {
					b.Fatal(err)
				}
				got = 0
				for rows.Next() {
					got++
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			after := cpu()
			if got != n {
				b.Fatalf("%d feature rows, want %d", got, n)
			}
			b.ReportMetric(float64(got), "users")
			b.ReportMetric((after[0]-before[0])/float64(b.N), "cpu-s-"+label(bc.name)+"/op")
			var shards float64
			for i := 1; i < len(pms); i++ {
				shards += after[i] - before[i]
			}
			if len(pms) > 1 {
				b.ReportMetric(shards/float64(b.N), "cpu-s-shards/op")
			}
		})
	}
}

// label names the server a query is sent to.
func label(name string) string {
	if name == "one-server" {
		return "server"
	}
	return "coordinator"
}

// postmaster returns the process id of the server conn is connected to
// (the parent of its backend).
func postmaster(ctx context.Context, conn *pgx.Conn) (int, error) {
	var pid int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, err
	}
	f, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(f[1])
}

// procStat returns the fields of /proc/PID/stat after the command name
// (f[0] is the state, f[1] the parent, f[11] utime ... f[14] cstime).
func procStat(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:]), nil
}

// serverCPU is the CPU time (user+sys, seconds) a server has used: its
// postmaster's own and its reaped children's (parallel workers that
// ended), and that of every live child (backends, the shards' backends
// serving the coordinator). Linux counts it in ticks of 1/100 s.
func serverCPU(b *testing.B, pm int) float64 {
	f, err := procStat(pm)
	if err != nil {
		b.Fatal(err)
	}
	ticks := 0
	for _, i := range []int{11, 12, 13, 14} {
		v, _ := strconv.Atoi(f[i])
		ticks += v
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	parent := strconv.Itoa(pm)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := procStat(pid)
		if err != nil || f[1] != parent {
			continue
		}
		for _, i := range []int{11, 12} {
			v, _ := strconv.Atoi(f[i])
			ticks += v
		}
	}
	return float64(ticks) / 100
}
