package model_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
)

// TestSQLMatchesAssign runs the exported query in DuckDB on the fixture's
// feature table and compares every user's segment and distance with
// Assign's.
func TestSQLMatchesAssign(t *testing.T) {
	for _, alg := range []cluster.Algorithm{cluster.AlgorithmKMeans, cluster.AlgorithmDBSCAN} {
		t.Run(string(alg), func(t *testing.T) {
			m, x := fixture(t, alg)
			segs, dist, err := m.Assign(x)
			if err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			in := m.Inputs()
			var cols []string
			for _, c := range in {
				cols = append(cols, fmt.Sprintf("%q DOUBLE", c))
			}
			if _, err := db.ExecContext(ctx, `CREATE SCHEMA s; CREATE TABLE s."my feat" (user_id VARCHAR, `+strings.Join(cols, ", ")+`)`); err != nil {
				t.Fatal(err)
			}
			n, d := x.Dims()
			for i := range n {
				args := []any{fmt.Sprintf("u%04d", i)}
				for j := range d {
					args = append(args, x.At(i, j))
				}
				if _, err := db.ExecContext(ctx, `INSERT INTO s."my feat" VALUES (?`+strings.Repeat(", ?", d)+`)`, args...); err != nil {
					t.Fatal(err)
				}
			}
			q, err := m.SQL(`s.my feat`, model.DialectDuckDB)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := db.QueryContext(ctx, q)
			if err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
			defer rows.Close()
			i := 0
			for ; rows.Next(); i++ {
				var id string
				var s int
				var dd float64
				if err := rows.Scan(&id, &s, &dd); err != nil {
					t.Fatal(err)
				}
				if id != fmt.Sprintf("u%04d", i) || s != segs[i] || math.Abs(dd-dist[i]) > 1e-9*(1+dist[i]) {
					t.Errorf("row %d: SQL gives %s %d %g, Assign %d %g", i, id, s, dd, segs[i], dist[i])
				}
			}
			if err := rows.Err(); err != nil || i != n {
				t.Errorf("SQL returned %d rows (%v), want %d", i, err, n)
			}
		})
	}
}

func TestSQLErrors(t *testing.T) {
	m, _ := fixture(t, cluster.AlgorithmKMeans)
	if _, err := m.SQL("features", "oracle"); err == nil {
		t.Errorf("SQL accepted dialect oracle")
	}
	if _, err := m.SQL("", model.DialectPostgres); err == nil {
		t.Errorf("SQL accepted an empty table name")
	}
}
