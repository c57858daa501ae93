package dataset_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/dataset"
)

// postgresDSN returns the URL of the test server that scripts/test.sh
// starts. Without one the test skips, except under CI, where it fails.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PERSONA_TEST_POSTGRES is not set: run the tests with ./scripts/test.sh, which starts Postgres")
		}
		t.Skip("PERSONA_TEST_POSTGRES is not set: ./scripts/test.sh starts a Postgres server for this test")
	}
	return dsn
}

// TestLoadPostgres reads transactions from a real Postgres table and from
// a query, with the same mapping, rules and rejects as a file.
func TestLoadPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("persona_test_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE SCHEMA " + schema,
		"CREATE TABLE " + schema + `.sales (invoice text, customer bigint, sold_at timestamptz, item text, qty integer, price numeric(10,2), note text)`,
		"INSERT INTO " + schema + `.sales VALUES
			('A1', 17850, '2024-03-01 10:00:00+00', 'P1', 2, 5.00, 'has, a comma'),
			('A1', 17850, '2024-03-01 10:00:00+00', 'P2', 1, 10.00, 'has "quotes"'),
			('C2', 17850, '2024-03-02 09:00:00+01', 'P1', -1, 5.00, NULL),
			('A3', NULL, '2024-03-02 11:00:00+00', 'P1', 1, 5.00, 'no customer'),
			('A8', 12000, '2024-03-04 08:00:00+00', 'P3', 4, 2.50, E'two\nlines')`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })

	cols := map[string]string{"user_id": "customer", "order_id": "invoice", "timestamp": "sold_at",
		"product_id": "item", "quantity": "qty", "unit_price": "price", "is_return": "invoice LIKE 'C%'"}
	t.Setenv("PERSONA_TEST_PG_URL", dsn)
	for _, src := range []*dataset.PostgresSource{
		{DSN: "${PERSONA_TEST_PG_URL}", Table: schema + ".sales"},
		{DSN: dsn, Query: "SELECT * FROM " + schema + ".sales ORDER BY invoice, item"},
	} {
		name := "table"
		if src.Query != "" {
			name = "query"
		}
		t.Run(name, func(t *testing.T) {
			half := 0.5
			cfg := &dataset.Config{MaxRejectRate: &half, Transactions: &dataset.Source{Postgres: src, Columns: cols}}
			cfg.DuckDB.TempDirectory = t.TempDir()
			db := openDB(t)
			st, err := dataset.Load(ctx, db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[dataset.Transactions]; c.Read != 5 || c.Rejected != 1 || c.Used != 4 {
				t.Errorf("counts %+v, want 5 read, 1 rejected, 4 used", c)
			}
			want := []txRow{
				{"12000", "A8", "2024-03-04 08:00", "P3", 4, 2.5},
				{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
				{"17850", "A1", "2024-03-01 10:00", "P2", 1, 10},
				{"17850", "C2", "2024-03-02 08:00", "P1", -1, 5}, // +01 offset, UTC by default
			}
			if diff := cmp.Diff(want, readTx(t, db)); diff != "" {
				t.Errorf("transactions (-want +got):\n%s", diff)
			}
			rej, err := dataset.Rejects(ctx, db, dataset.Transactions, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(rej) != 1 || rej[0].Reason != "empty user_id" || rej[0].Column != "customer" || rej[0].File != "postgres "+name+map[string]string{"table": " " + schema + ".sales", "query": ""}[name] {
				t.Errorf("rejects %+v", rej)
			}
			if m, _ := filepath.Glob(filepath.Join(cfg.DuckDB.TempDirectory, "persona-*")); len(m) != 0 {
				t.Errorf("temporary files left: %v", m)
			}
		})
	}
}

func TestLoadPostgresUnreachable(t *testing.T) {
	cfg := &dataset.Config{Events: &dataset.Source{Postgres: &dataset.PostgresSource{
		DSN: "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", Table: "events"}}}
	_, err := dataset.Load(context.Background(), openDB(t), cfg)
	if err == nil {
		t.Fatal("no error")
	}
	if want := "events: connect to postgres"; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("error %q, want it to start with %q", err, want)
	}
}
