package shardtest_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/shardtest"
	"github.com/persona-seg/persona/synth"
)

// cluster connects to the servers scripts/shard/setup.sh starts, in a
// schema of the test's own; without them it skips (under CI it fails).
func cluster(t *testing.T) *shardtest.Cluster {
	t.Helper()
	coord, shards, why := shardtest.FromEnv()
	if why != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	ctx := context.Background()
	c, err := shardtest.Connect(ctx, coord, shards, fmt.Sprintf("persona_shard_%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// catalogue loads cfg into DuckDB and returns the feature table of the
// local path, the Postgres SQL of the same spec, the database and the
// canonical tables present.
func catalogue(t *testing.T, cfg *dataset.Config) (*features.Table, string, *sql.DB, []string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		t.Fatal(err)
	}
	tab, err := features.Compute(ctx, db, features.OptionsFor(cfg))
	if err != nil {
		t.Fatal(err)
	}
	o := features.OptionsFor(cfg)
	o.Spec, o.Dialect = tab.Spec, features.Postgres
	q, err := features.Build(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for _, name := range []string{"users", "events", "transactions", "social", "_persona_attrs_users"} {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = ?) + (SELECT count(*) FROM duckdb_views() WHERE view_name = ?)", name, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			tables = append(tables, name)
		}
	}
	return tab, q.SQL, db, tables
}

func demoConfig(t *testing.T, users int) *dataset.Config {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), dir, synth.Options{Users: users, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return dataset.Sources{
		Users:        filepath.Join(dir, synth.UsersFile),
		Events:       filepath.Join(dir, synth.EventsFile),
		Transactions: filepath.Join(dir, synth.TransactionsFile),
		Social:       filepath.Join(dir, synth.SocialFile),
	}.Config()
}

// features runs a feature query: user id → values.
func pgFeatures(t *testing.T, conn *pgx.Conn, query string) map[string][]float64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]float64{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, len(vals)-1)
		for j, v := range vals[1:] {
			f, ok := v.(float64)
			if !ok {
				t.Fatalf("column %d of user %v is %T %v, not a double", j+1, vals[0], v, v)
			}
			x[j] = f
		}
		u := vals[0].(string)
		if _, dup := out[u]; dup {
			t.Fatalf("user %s twice", u)
		}
		out[u] = x
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rows returns a feature table as user id → values.
func rows(tab *features.Table) map[string][]float64 {
	out := make(map[string][]float64, len(tab.UserIDs))
	for i, u := range tab.UserIDs {
		out[u] = mat.Row(nil, i, tab.X)
	}
	return out
}

// compare wants got to hold exactly the users of want with the same
// values: within tol of the larger magnitude (0: bit for bit). It returns
// how many values differ at all, per column.
func compare(t *testing.T, where string, names []string, want, got map[string][]float64, tol float64) map[string]int {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d users, want %d", where, len(got), len(want))
	}
	differ, bad := map[string]int{}, map[string]int{}
	for u, w := range want {
		g, ok := got[u]
		if !ok {
			t.Errorf("%s: user %s missing", where, u)
			continue
		}
		for j, name := range names {
			if w[j] == g[j] || math.IsNaN(w[j]) && math.IsNaN(g[j]) {
				continue
			}
			differ[name]++
			if math.Abs(w[j]-g[j]) <= tol*math.Max(math.Abs(w[j]), math.Abs(g[j])) {
				continue
			}
			if bad[name]++; bad[name] <= 3 {
				t.Errorf("%s: %s of %s: %v, want %v", where, name, u, g[j], w[j])
			}
		}
	}
	for name, n := range bad {
		t.Errorf("%s: %s differs for %d users", where, name, n)
	}
	return differ
}

// partitionwise turns on what lets the coordinator's planner aggregate
// partition by partition and push aggregates into the shards.
const partitionwise = "SET enable_partitionwise_aggregate = on; SET enable_partitionwise_join = on"

// TestShardedFeatures loads data sets into two shards and checks that the
// catalogue's Postgres SQL gives DuckDB's features for every user and
// column, bit for bit: on one server holding everything, on the
// coordinator over the foreign partitions (its planner pushes what it can
// into the shards), and as a view on each shard over its own partitions
// read through the coordinator (the whole per-user aggregation on the
// shards).
func TestShardedFeatures(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T) *dataset.Config
	}{
		// Every dataset, one attribute of each type, a custom feature,
		// sessions from the gap.
		{"dialect", func(t *testing.T) *dataset.Config {
			cfg, err := dataset.LoadConfig(filepath.Join("..", "..", "features", "testdata", "dialect", "persona.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}},
		{"demo", func(t *testing.T) *dataset.Config { return demoConfig(t, 1500) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(t)
			tab, q, db, tables := catalogue(t, tc.cfg(t))
			ctx := context.Background()
			if err := c.Load(ctx, db, tables...); err != nil {
				t.Fatal(err)
			}
			names := make([]string, len(tab.Features))
			for j, f := range tab.Features {
				names[j] = f.Name
			}
			single := pgFeatures(t, c.Single, q)
			// Postgres against DuckDB: the exact sums are rounded to a
			// double once in Postgres (numeric to float8) and may differ
			// from DuckDB's HUGEINT to DOUBLE in the last bit.
			if d := compare(t, "one server against duckdb", names, rows(tab), single, 1e-12); len(d) > 0 {
				t.Logf("one server against duckdb: values within 1e-12 but not equal, per column: %v", d)
			}
			// Sharded against one server: bit for bit, since every sum
			// is exact, whichever server adds which rows in which order.
			if _, err := c.Coordinator.Exec(ctx, partitionwise); err != nil {
				t.Fatal(err)
			}
			compare(t, "coordinator", names, single, pgFeatures(t, c.Coordinator, q), 0)
			if err := c.ShardView(ctx, "persona_features", q); err != nil {
				t.Fatal(err)
			}
			compare(t, "shard views", names, single, pgFeatures(t, c.Coordinator, "SELECT * FROM persona_features"), 0)
		})
	}
}

// explain returns the lines of EXPLAIN (VERBOSE) of query on conn.
func explain(t *testing.T, conn *pgx.Conn, query string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "EXPLAIN (VERBOSE) "+query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestShardedPlan asserts where the per-user aggregation runs. Through
// the shard views the coordinator only appends: one asynchronous foreign
// scan per shard, each shipping the whole catalogue query's view, and no
// aggregate, window or CTE of its own. The catalogue SQL run on the
// coordinator itself gets only its simple per-table aggregates pushed
// into the shards by partitionwise aggregation (social's, and the custom
// feature's when there is one); the CTEs that several parts read (tx,
// ev) are materialised and the windows (sessions, order gaps) cannot be
// shipped, so the coordinator pulls those raw rows and aggregates them
// itself: docs/scale-out.md shows both plans.
func TestShardedPlan(t *testing.T) {
	c := cluster(t)
	_, q, db, tables := catalogue(t, demoConfig(t, 300))
	ctx := context.Background()
	if err := c.Load(ctx, db, tables...); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Coordinator.Exec(ctx, partitionwise); err != nil {
		t.Fatal(err)
	}
	if err := c.ShardView(ctx, "persona_features", q); err != nil {
		t.Fatal(err)
	}
	plan := explain(t, c.Coordinator, "SELECT * FROM persona_features")
	t.Logf("shard views:\n%s", strings.Join(plan, "\n"))
	if !strings.HasPrefix(strings.TrimSpace(plan[0]), "Append") {
		t.Errorf("the plan's top is %q, want an Append of the shards' foreign scans", plan[0])
	}
	scans, remote := 0, 0
	for _, l := range plan {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "->  Async Foreign Scan on "+c.Schema+".persona_features_p"):
			scans++
		case strings.HasPrefix(l, "Remote SQL: SELECT") && strings.HasSuffix(l, "FROM "+c.Schema+".persona_features"):
			remote++
		case strings.Contains(l, "Aggregate") || strings.Contains(l, "WindowAgg") || strings.Contains(l, "CTE"):
			t.Errorf("the coordinator computes %q itself", l)
		}
	}
	if scans != len(c.Shards) || remote != len(c.Shards) {
		t.Errorf("%d asynchronous foreign scans of the shards' views and %d remote selects of them, want %d each", scans, remote, len(c.Shards))
	}

	// One user's features: the partition bounds prune the other shards.
	var user string
	if err := c.Single.QueryRow(ctx, "SELECT min(user_id) FROM users").Scan(&user); err != nil {
		t.Fatal(err)
	}
	one := 0
	for _, l := range explain(t, c.Coordinator, "SELECT * FROM persona_features WHERE user_id = '"+user+"'") {
		if strings.Contains(l, "Foreign Scan on "+c.Schema+".persona_features_p") {
			one++
		}
	}
	if one != 1 {
		t.Errorf("one user's features scan %d shards, want 1", one)
	}

	plan = explain(t, c.Coordinator, q)
	t.Logf("catalogue on the coordinator:\n%s", strings.Join(plan, "\n"))
	pushed := map[string]int{}
	raw := map[string]int{}
	local := 0
	for _, l := range plan {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "Relations: Aggregate on (") {
			tab := strings.Fields(strings.TrimPrefix(l, "Relations: Aggregate on ("))[0]
			pushed[strings.TrimPrefix(tab, c.Schema+".")]++
		}
		if rest, ok := strings.CutPrefix(l, "->  Async Foreign Scan on "+c.Schema+"."); ok {
			raw[strings.Fields(rest)[0]]++
		}
		if strings.HasPrefix(l, "->  HashAggregate") || strings.HasPrefix(l, "->  GroupAggregate") || strings.HasPrefix(l, "->  WindowAgg") {
			local++
		}
	}
	t.Logf("aggregates pushed into the shards: %v; raw scans: %v; aggregates and windows on the coordinator: %d", pushed, raw, local)
	for i := range c.Shards {
		if pushed[fmt.Sprintf("social_p%d", i)] == 0 {
			t.Errorf("social's per-user aggregate of partition %d is not pushed into shard %d (partitionwise aggregation off?)", i, i)
		}
		if raw[fmt.Sprintf("events_p%d", i)] == 0 {
			t.Errorf("no asynchronous raw scan of events on shard %d: has the planner learnt to push the sessions down? Update docs/scale-out.md", i)
		}
	}
	if local == 0 {
		t.Errorf("no aggregate on the coordinator: has the planner learnt to push everything down? Update docs/scale-out.md")
	}
}
