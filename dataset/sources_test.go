package dataset_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// writeShopTables writes an order log in three tables (items, orders, the
// customers behind the orders' keys) and the same lines pre-joined.
func writeShopTables(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var items, orders, joined strings.Builder
	items.WriteString("order_id,sku,qty,price\n")
	orders.WriteString("order_id,customer_key,ts\n")
	joined.WriteString("person_id,order_id,ts,sku,qty,price\n")
	persons := []string{"P1", "P2", "P3", "P4"}
	for o := range 40 {
		key := o % 6 // six customer keys, two persons with two keys
		ts := fmt.Sprintf("2024-01-%02d 1%d:00:00", 1+o%28, o%10)
		fmt.Fprintf(&orders, "O%d,K%d,%s\n", o, key, ts)
		for l := range 1 + o%3 {
			sku, qty, price := fmt.Sprintf("S%d", (o+l)%5), 1+l, fmt.Sprintf("%d.25", 3+o%7)
			fmt.Fprintf(&items, "O%d,%s,%d,%s\n", o, sku, qty, price)
			fmt.Fprintf(&joined, "%s,O%d,%s,%s,%d,%s\n", persons[key%4], o, ts, sku, qty, price)
		}
	}
	var customers strings.Builder
	customers.WriteString("customer_key,person_id\n")
	for k := range 6 {
		fmt.Fprintf(&customers, "K%d,%s\n", k, persons[k%4])
	}
	for name, b := range map[string]*strings.Builder{"items": &items, "orders": &orders, "customers": &customers, "joined": &joined} {
		os.WriteFile(filepath.Join(dir, name+".csv"), []byte(b.String()), 0o644)
	}
	return dir
}

func loadAndCompute(t *testing.T, dir, yaml string) (*features.Table, dataset.Stats, error) {
	t.Helper()
	os.WriteFile(filepath.Join(dir, "persona.yaml"), []byte(yaml), 0o644)
	cfg, err := dataset.LoadConfig(filepath.Join(dir, "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		return nil, st, err
	}
	tab, err := features.Compute(context.Background(), db, features.OptionsFor(cfg))
	return tab, st, err
}

const joinQuery = `SELECT c.person_id AS user_id, o.order_id, o.ts AS timestamp, i.sku AS product_id, i.qty AS quantity, i.price AS unit_price
    FROM items i JOIN orders o USING (order_id) JOIN customers c USING (customer_key)`

// TestQueryDataset joins three sources in the query of a dataset: the
// features equal those of the same lines pre-joined in one file.
func TestQueryDataset(t *testing.T) {
	dir := writeShopTables(t)
	want, _, err := loadAndCompute(t, dir, `transactions:
  path: joined.csv
  columns: {user_id: person_id, timestamp: ts, product_id: sku, quantity: qty, unit_price: price}
`)
	if err != nil {
		t.Fatal(err)
	}
	got, st, err := loadAndCompute(t, dir, `sources:
  items: {path: items.csv}
  orders: {path: orders.csv}
  customers: {path: customers.csv}
transactions:
  query: |
    `+joinQuery+`
`)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Transactions]; c.Read != 79 || c.Used != 79 {
		t.Errorf("counts %+v, want the 79 lines", c)
	}
	if diff := cmp.Diff(want.UserIDs, got.UserIDs); diff != "" {
		t.Fatalf("users (-prejoined +joined):\n%s", diff)
	}
	if diff := cmp.Diff(want.Names(), got.Names()); diff != "" {
		t.Fatalf("features (-prejoined +joined):\n%s", diff)
	}
	if !cmp.Equal(want.X.RawMatrix().Data, got.X.RawMatrix().Data) {
		t.Error("the joined lines' features differ from the pre-joined ones'")
	}
}

// TestQueryRejects names a query dataset's rejects by the source file and
// line of their row when the query keeps that source's _row_ column, else
// by the row of the query's result.
func TestQueryRejects(t *testing.T) {
	dir := writeShopTables(t)
	data, _ := os.ReadFile(filepath.Join(dir, "items.csv"))
	lines := strings.Split(string(data), "\n")
	lines[5] = strings.Replace(lines[5], ".25", ".25x", 1) // line 6 of the file
	os.WriteFile(filepath.Join(dir, "items.csv"), []byte(strings.Join(lines, "\n")), 0o644)
	sources := "max_reject_rate: 0.5\nsources:\n  items: {path: items.csv}\n  orders: {path: orders.csv}\n  customers: {path: customers.csv}\n"
	db := func(yaml string) []dataset.Reject {
		os.WriteFile(filepath.Join(dir, "persona.yaml"), []byte(sources+yaml), 0o644)
		cfg, err := dataset.LoadConfig(filepath.Join(dir, "persona.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		d := openDB(t)
		if _, err := dataset.Load(context.Background(), d, cfg); err != nil {
			t.Fatal(err)
		}
		rej, err := dataset.Rejects(context.Background(), d, dataset.Transactions, 0)
		if err != nil {
			t.Fatal(err)
		}
		return rej
	}
	// The items' row column kept: the file and line of the bad price.
	rej := db("transactions:\n  query: SELECT i.*, c.person_id AS user_id, o.ts AS timestamp FROM items i JOIN orders o USING (order_id) JOIN customers c USING (customer_key)\n  columns: {product_id: sku, quantity: qty, unit_price: price}\n")
	if len(rej) != 1 || !strings.HasSuffix(rej[0].File, "items.csv") || rej[0].Line != 6 || !strings.HasSuffix(rej[0].Value, ".25x") {
		t.Errorf("rejects %v, want items.csv line 6", rej)
	}
	// Without it: the query's row.
	rej = db("transactions:\n  query: " + strings.ReplaceAll(joinQuery, "\n", " ") + "\n")
	if len(rej) != 1 || rej[0].File != "the query of transactions" || rej[0].Line < 1 {
		t.Errorf("rejects %v, want a row of the query", rej)
	}
}

// TestQueryErrors checks the errors of a query dataset name its key.
func TestQueryErrors(t *testing.T) {
	dir := writeShopTables(t)
	for _, tt := range []struct{ name, yaml, want string }{
		{"no such table", "sources: {items: {path: items.csv}}\ntransactions:\n  query: SELECT * FROM itemz\n", "transactions.query: Catalog Error: Table with name itemz does not exist"},
		{"a file outside the sources", "sources: {items: {path: items.csv}}\ntransactions:\n  query: SELECT * FROM read_csv('/etc/passwd')\n", "transactions.query:"},
		{"no such source file", "sources: {items: {path: nothere.csv}}\ntransactions:\n  query: SELECT * FROM items\n", "sources.items"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadAndCompute(t, dir, tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestQueryPostgresSource joins a Postgres table (the customers behind the
// orders' keys) with CSV files: the features equal the pre-joined file's.
func TestQueryPostgresSource(t *testing.T) {
	dsn := postgresDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("persona_src_%d", time.Now().UnixNano())
	for _, q := range []string{"CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".customers (customer_key text, person_id text)",
		"INSERT INTO " + schema + ".customers VALUES ('K0','P1'),('K1','P2'),('K2','P3'),('K3','P4'),('K4','P1'),('K5','P2')"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	t.Setenv("PERSONA_TEST_PG_URL", dsn)
	dir := writeShopTables(t)
	want, _, err := loadAndCompute(t, dir, "transactions:\n  path: joined.csv\n  columns: {user_id: person_id, timestamp: ts, product_id: sku, quantity: qty, unit_price: price}\n")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := loadAndCompute(t, dir, fmt.Sprintf(`sources:
  items: {path: items.csv}
  orders: {path: orders.csv}
  customers: {postgres: {dsn: $PERSONA_TEST_PG_URL, table: %s.customers}}
transactions:
  query: |
    %s
`, schema, joinQuery))
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(want.UserIDs, got.UserIDs) || !cmp.Equal(want.X.RawMatrix().Data, got.X.RawMatrix().Data) {
		t.Error("the features of lines joined with a Postgres table differ from the pre-joined ones'")
	}
}

// TestUnpivotRecipe runs the README's recipe for wide spend columns: one
// transaction per customer and product family with spend.
func TestUnpivotRecipe(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "customers.csv"), []byte("Customer,Wines,Fruits,Meat\nc1,100,0,50\nc2,0,20,0\n"), 0o644)
	tab, st, err := loadAndCompute(t, dir, `sources:
  wide: {path: customers.csv}
transactions:
  query: |
    SELECT Customer AS user_id, 'spend-' || Customer AS order_id, TIMESTAMP '2024-12-31' AS timestamp,
           category, 1 AS quantity, spend AS unit_price
    FROM (UNPIVOT wide ON Wines, Fruits, Meat INTO NAME category VALUE spend)
    WHERE spend > 0
`)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Transactions]; c.Used != 3 {
		t.Errorf("counts %+v, want 3 lines with spend", c)
	}
	if got := tab.X.At(0, tab.Col("spend_share_wines")); got != 100.0/150 {
		t.Errorf("c1's wine share %v, want 2/3", got)
	}
	if got := tab.X.At(1, tab.Col("monetary")); got != 20 {
		t.Errorf("c2's spend %v, want 20", got)
	}
}

// TestDraftJoin drafts the three tables of writeShopTables given to init
// as transactions files: the draft joins them on their shared keys, runs
// as drafted, and gives the features of the same lines pre-joined; a line
// whose order is in no orders file is rejected at its line of items.csv;
// a file that shares no key is an error naming it.
func TestDraftJoin(t *testing.T) {
	dir := writeShopTables(t)
	want, _, err := loadAndCompute(t, dir, `transactions:
  path: joined.csv
  columns: {user_id: person_id, timestamp: ts, product_id: sku, quantity: qty, unit_price: price}
`)
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "items.csv"), filepath.Join(dir, "orders.csv"), filepath.Join(dir, "customers.csv")}
	// The order in which the files are given does not matter.
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
		var ps []string
		for _, i := range order {
			ps = append(ps, files[i])
		}
		text, notes, err := dataset.DraftFiles(context.Background(), openDB(t), map[dataset.Kind][]string{dataset.Transactions: ps}, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 1 || !strings.Contains(notes[0], "3 files joined") {
			t.Errorf("notes %q", notes)
		}
		got, st, err := loadAndCompute(t, dir, string(text))
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		if c := st.Counts[dataset.Transactions]; c.Read != 79 || c.Used != 79 {
			t.Errorf("counts %+v, want the 79 lines", c)
		}
		if !cmp.Equal(want.UserIDs, got.UserIDs) || !cmp.Equal(want.Names(), got.Names()) || !cmp.Equal(want.X.RawMatrix().Data, got.X.RawMatrix().Data) {
			t.Errorf("order %v: the drafted join's features differ from the pre-joined ones'\n%s", order, text)
		}
	}

	// A line of an order that no orders row has: rejected at its line.
	f, _ := os.OpenFile(files[0], os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("O99,S1,1,2.50\n")
	f.Close()
	text, _, err := dataset.DraftFiles(context.Background(), openDB(t), map[dataset.Kind][]string{dataset.Transactions: files}, dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "persona.yaml"), []byte(strings.Replace(string(text), "max_reject_rate: 0.01", "max_reject_rate: 0.5", 1)), 0o644)
	cfg, err := dataset.LoadConfig(filepath.Join(dir, "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
		t.Fatal(err)
	}
	var file string
	var line int
	if err := db.QueryRow("SELECT file, line FROM _persona_rejects").Scan(&file, &line); err != nil || filepath.Base(file) != "items.csv" || line != 81 {
		t.Errorf("reject at %s:%d (%v), want items.csv:81", file, line, err)
	}

	// A table sharing no key column with the others.
	other := filepath.Join(dir, "weather.csv")
	os.WriteFile(other, []byte("day,rain_mm\n2024-01-01,3\n"), 0o644)
	_, _, err = dataset.DraftFiles(context.Background(), openDB(t), map[dataset.Kind][]string{dataset.Transactions: {files[0], files[1], other}}, dir)
	if err == nil || !strings.Contains(err.Error(), "weather.csv shares no key column with") || !strings.Contains(err.Error(), "day, rain_mm") {
		t.Errorf("err %v", err)
	}
}
