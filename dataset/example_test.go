package dataset_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/persona-seg/persona/dataset"
)

// ExampleLoad maps a CSV with its own column names to the canonical
// transactions: an amount instead of a unit price, a filter, and a row
// whose date does not parse, which is rejected with its line and column.
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "persona-example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "sales.csv"), []byte(`client,ticket,day,total,channel
A,t1,2024-01-02,30.5,web
A,t2,someday,10,web
B,t3,2024-01-03,12,test
`), 0o644)
	os.WriteFile(filepath.Join(dir, "persona.yaml"), []byte(`max_reject_rate: 0.5
transactions:
  path: sales.csv
  filter: channel <> 'test'
  columns: {user_id: client, order_id: ticket, timestamp: day, amount: total}
`), 0o644)

	cfg, err := dataset.LoadConfig(filepath.Join(dir, "persona.yaml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	db, _ := sql.Open("duckdb", "")
	defer db.Close()
	db.SetMaxOpenConns(1)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := st.Counts[dataset.Transactions]
	fmt.Printf("read %d, filtered %d, rejected %d, used %d\n", c.Read, c.Filtered, c.Rejected, c.Used)
	rej, _ := dataset.Rejects(context.Background(), db, dataset.Transactions, 0)
	for _, r := range rej {
		fmt.Printf("line %d, column %s: %s %q\n", r.Line, r.Column, r.Reason, r.Value)
	}
	var user string
	var q, p float64
	db.QueryRow("SELECT user_id, quantity, unit_price FROM transactions").Scan(&user, &q, &p)
	fmt.Println(user, q, p)
	// Output:
	// read 3, filtered 1, rejected 1, used 1
	// line 3, column day: unparsable timestamp "someday"
	// A 1 30.5
}
