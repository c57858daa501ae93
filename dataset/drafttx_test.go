package dataset_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona/dataset"
)

// draftLoad drafts a config for one transactions file, writes it beside the
// file and loads the data as the draft says, with no edits.
func draftLoad(t *testing.T, csv string) (string, *sql.DB, dataset.Stats, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "sales.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	text, _, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Transactions: path}, dir)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "persona.yaml")
	os.WriteFile(cfgPath, text, 0o644)
	cfg, err := dataset.LoadConfig(cfgPath)
	if err != nil {
		t.Fatalf("the draft does not load: %v\n%s", err, text)
	}
	st, err := dataset.Load(context.Background(), db, cfg)
	return string(text), db, st, err
}

// TestDraftPurchaseLogWithoutOrders drafts a purchase log shaped like
// CDNOW's (the log lifetimes' examples use): no order number, dates
// written as digits that the sniffer reads as integers, and the quantity
// and line total in columns named number_of_cds and dollar_value. The
// draft loads every row as it is, one order per customer and day.
func TestDraftPurchaseLogWithoutOrders(t *testing.T) {
	csv := "customer_id,date,number_of_cds,dollar_value\n" +
		"00001,19970101,1,11.77\n" +
		"00002,19970112,1,12.00\n" +
		"00002,19970112,5,77.00\n" + // the same day: the same order
		"00003,19970102,2,20.76\n" +
		"00003,19970330,2,20.76\n" +
		"00003,19970402,2,19.54\n"
	text, db, st, err := draftLoad(t, csv)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, text)
	}
	for _, want := range []string{
		`quantity: "number_of_cds"`, `amount: "dollar_value"`, `timestamp_format: "%Y%m%d"`,
		`order_id: "concat(\"customer_id\", '/', \"date\")"  # required; no order number found`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("want %s in the draft:\n%s", want, text)
		}
	}
	if c := st.Counts[dataset.Transactions]; c.Used != 6 {
		t.Errorf("counts %+v, want every line used", c)
	}
	var orders int
	var spend float64
	if err := db.QueryRow(`SELECT count(DISTINCT order_id), sum(quantity * unit_price) FROM transactions`).Scan(&orders, &spend); err != nil {
		t.Fatal(err)
	}
	if orders != 5 || spend < 161.82999 || spend > 161.83001 {
		t.Errorf("%d orders and %.4f spent, want 5 and 161.83", orders, spend)
	}
}

// TestGuessByWord guesses quantity and amount from a word inside a longer
// column name, numeric columns only, and an exact synonym first.
func TestGuessByWord(t *testing.T) {
	tests := []struct {
		name, header, row string
		want, not         []string
	}{
		{"camelCase", "CustomerID,OrderID,OrderDate,unitsSold,totalSpent", "c1,o1,2024-01-01,2,9.5",
			[]string{`quantity: "unitsSold"`, `amount: "totalSpent"`}, nil},
		{"exact synonym first", "CustomerID,OrderID,OrderDate,item_count,qty,amount", "c1,o1,2024-01-01,3,2,9.5",
			[]string{`quantity: "qty"`, `amount: "amount"`}, nil},
		{"text is not a number", "CustomerID,OrderID,OrderDate,value_tier,price", "c1,o1,2024-01-01,gold,9.5",
			[]string{`unit_price: "price"`}, []string{`amount: "value_tier"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, _, _, err := draftLoad(t, tt.header+"\n"+tt.row+"\n")
			if err != nil {
				t.Fatalf("load: %v\n%s", err, text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("want %s in the draft:\n%s", w, text)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(text, w) {
					t.Errorf("did not want %s in the draft:\n%s", w, text)
				}
			}
		})
	}
}

// TestNoOrderIDHint: a hand-written config without order_id fails with a
// message that shows how to make one from the mapped columns.
func TestNoOrderIDHint(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "log.csv"), []byte("cust,day,amount\nc1,2024-01-01,5\n"), 0o644)
	cfgPath := filepath.Join(dir, "persona.yaml")
	os.WriteFile(cfgPath, []byte("transactions:\n  path: log.csv\n  columns:\n    user_id: cust\n    timestamp: day\n    amount: amount\n"), 0o644)
	cfg, err := dataset.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = dataset.Load(context.Background(), db, cfg)
	var ce *dataset.ConfigError
	if !errors.As(err, &ce) || ce.Key != "transactions.columns.order_id" ||
		!strings.Contains(err.Error(), `order_id: "concat(cust, '/', day)"`) {
		t.Errorf("err = %v", err)
	}
}
