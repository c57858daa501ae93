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

	"github.com/persona-seg/persona/dataset"
)

// TestLoadImplausible checks that a row with an implausible value is
// rejected at its line and column, with its reason, and that a row far in
// the future does not move the default as_of.
func TestLoadImplausible(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	n := 0
	write := func(name, text string) string { // each under a name of its own
		n++
		p := filepath.Join(dir, fmt.Sprint(n, "-", name))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	users := func(row string) string {
		return write("users.csv", "user_id,signup_date,birth_year\nU1,2024-01-02,1980\nU2,2024-03-04,1991\n"+row+"\n")
	}
	events := func(row string) string {
		return write("events.csv", "user_id,timestamp,event_type\nU1,2024-01-02 10:00:00,view\nU2,2024-03-04 11:00:00,view\n"+row+"\n")
	}
	epochs := func(row string) string {
		return write("epoch.csv", "user_id,timestamp,event_type\nU1,1704189600,view\nU2,1709550000,view\n"+row+"\n")
	}
	asOf := func(s string) dataset.Date {
		t, err := dataset.ParseAsOf(s)
		if err != nil {
			panic(err)
		}
		return dataset.Date{Time: t}
	}
	tests := []struct {
		name string
		cfg  *dataset.Config
		k    dataset.Kind
		want dataset.Reject // file left out
	}{
		{"birth year before 1900", &dataset.Config{Users: &dataset.Source{Path: users("U3,2024-01-01,1850")}}, dataset.Users,
			dataset.Reject{Line: 4, Column: "birth_year", Value: "1850", Reason: "birth_year out of range"}},
		{"birth year after the clock's year", &dataset.Config{Users: &dataset.Source{Path: users("U3,2024-01-01,2027")}}, dataset.Users,
			dataset.Reject{Line: 4, Column: "birth_year", Value: "2027", Reason: "birth_year out of range"}},
		{"birth year after as_of's year", &dataset.Config{AsOf: asOf("2024-06-01"), Users: &dataset.Source{Path: users("U3,2024-01-01,2025")}}, dataset.Users,
			dataset.Reject{Line: 4, Column: "birth_year", Value: "2025", Reason: "birth_year out of range"}},
		{"signup in the future", &dataset.Config{Users: &dataset.Source{Path: users("U3,2027-05-01,1970")}}, dataset.Users,
			dataset.Reject{Line: 4, Column: "signup_date", Value: "2027-05-01", Reason: "signup_date in the future"}},
		{"infinite timestamp", &dataset.Config{Events: &dataset.Source{Path: events("U3,infinity,view")}}, dataset.Events,
			dataset.Reject{Line: 4, Column: "timestamp", Value: "infinity", Reason: "timestamp out of range"}},
		{"timestamp before 1900", &dataset.Config{Events: &dataset.Source{Path: events("U3,1850-01-01 10:00:00,view")}}, dataset.Events,
			dataset.Reject{Line: 4, Column: "timestamp", Value: "1850-01-01 10:00:00", Reason: "timestamp out of range"}},
		{"timestamp in 9999", &dataset.Config{Events: &dataset.Source{Path: events("U3,9999-12-31 23:59:59,view")}}, dataset.Events,
			dataset.Reject{Line: 4, Column: "timestamp", Value: "9999-12-31 23:59:59", Reason: "timestamp in the future"}},
		{"epoch beyond any timestamp", &dataset.Config{Events: &dataset.Source{Path: epochs("U3,1e20,view"), TimestampFormat: "epoch"}}, dataset.Events,
			dataset.Reject{Line: 4, Column: "timestamp", Value: "1e20", Reason: "timestamp out of range"}},
		{"epoch NaN", &dataset.Config{Events: &dataset.Source{Path: epochs("U3,nan,view"), TimestampFormat: "epoch"}}, dataset.Events,
			dataset.Reject{Line: 4, Column: "timestamp", Value: "nan", Reason: "timestamp out of range"}},
		{"epoch in milliseconds read as seconds", &dataset.Config{Events: &dataset.Source{Path: epochs("U3,1709550000000,view"), TimestampFormat: "epoch"}}, dataset.Events,
			dataset.Reject{Line: 4, Column: "timestamp", Value: "1709550000000", Reason: "timestamp in the future"}},
		{"empty amount", &dataset.Config{Transactions: &dataset.Source{Path: write("amount.csv", "user_id,order_id,timestamp,amount\nU1,O1,2024-01-02 10:00:00,5\nU1,O2,2024-01-03 10:00:00,\n")}},
			dataset.Transactions, dataset.Reject{Line: 3, Column: "amount", Reason: "empty amount"}},
		{"empty quantity", &dataset.Config{Transactions: &dataset.Source{Path: write("qty.csv", "user_id,order_id,timestamp,quantity,unit_price\nU1,O1,2024-01-02 10:00:00,1,5\nU1,O2,2024-01-03 10:00:00,,5\n")}},
			dataset.Transactions, dataset.Reject{Line: 3, Column: "quantity", Reason: "empty quantity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			half := 0.5
			tt.cfg.MaxRejectRate = &half
			db := openDB(t)
			st, err := dataset.LoadWith(context.Background(), db, tt.cfg, dataset.LoadOptions{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[tt.k]; c.Rejected != 1 {
				t.Errorf("counts %+v, want 1 rejected", c)
			}
			rej, err := dataset.Rejects(context.Background(), db, tt.k, 0)
			if err != nil {
				t.Fatal(err)
			}
			for i := range rej {
				rej[i].File = ""
			}
			if diff := cmp.Diff([]dataset.Reject{tt.want}, rej); diff != "" {
				t.Errorf("rejects (-want +got):\n%s", diff)
			}
			if tt.k == dataset.Events {
				// The rows kept end on 4 March: the default as_of.
				var latest time.Time
				if err := db.QueryRow("SELECT max(timestamp) FROM events").Scan(&latest); err != nil {
					t.Fatal(err)
				}
				if want := time.Date(2024, 3, 4, 11, 0, 0, 0, time.UTC); !latest.Equal(want) {
					t.Errorf("latest timestamp %v, want %v", latest, want)
				}
			}
		})
	}
}

// TestLoadLateOutlier checks the warning about a latest timestamp far
// from the bulk of the rows: given for one row years after a year of
// daily rows, not for the year alone, nor when as_of is set.
func TestLoadLateOutlier(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("user_id,timestamp,event_type\n")
	start := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	for i := range 366 {
		fmt.Fprintf(&b, "u%d,%s,view\n", i%7, start.AddDate(0, 0, i).Format("2006-01-02 15:04:05"))
	}
	plain := filepath.Join(dir, "plain.csv")
	late := filepath.Join(dir, "late.csv")
	os.WriteFile(plain, []byte(b.String()), 0o644)
	os.WriteFile(late, []byte(b.String()+"u1,2026-06-01 09:00:00,view\n"), 0o644)
	for _, tt := range []struct {
		name, path, asOf string
		want             []string
	}{
		{"a year of rows", plain, "", nil},
		{"and one two years later", late, "", []string{"the latest timestamp, 2026-06-01 09:00:00, is 519 days after 99% of the rows (up to 2024-12-29); as_of defaults to it"}},
		{"as_of set", late, "2026-06-02", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &dataset.Config{Events: &dataset.Source{Path: tt.path}}
			if tt.asOf != "" {
				a, _ := dataset.ParseAsOf(tt.asOf)
				cfg.AsOf = dataset.Date{Time: a}
			}
			st, err := dataset.LoadWith(context.Background(), openDB(t), cfg, dataset.LoadOptions{Now: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			got := st.Counts[dataset.Events].Warnings
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("warning %q, want it to start %q", got[i], tt.want[i])
				}
			}
		})
	}
}

// TestLoadSignupAfterAsOf checks that a user who signed up after as_of is
// dropped by rule, as rows stamped after it are, and listed.
func TestLoadSignupAfterAsOf(t *testing.T) {
	p := filepath.Join(t.TempDir(), "users.csv")
	os.WriteFile(p, []byte("user_id,signup_date\nU1,2024-01-02\nU2,2024-07-01\n"), 0o644)
	a, _ := dataset.ParseAsOf("2024-06-01")
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, &dataset.Config{AsOf: dataset.Date{Time: a}, Users: &dataset.Source{Path: p}})
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Users]; c.AfterAsOf != 1 || c.Used != 1 || c.Rejected != 0 {
		t.Errorf("counts %+v, want 1 after as_of, 1 used", c)
	}
	rej, err := dataset.Rejects(context.Background(), db, dataset.Users, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []dataset.Reject{{File: p, Line: 3, Column: "signup_date", Value: "2024-07-01", Reason: "after as_of (dropped by rule)"}}
	if diff := cmp.Diff(want, rej); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
}

// TestLoadJSONDepth checks the nesting limit of JSON records: a record
// 100 levels deep loads (brackets inside strings do not count), one
// deeper is an error naming its line, in JSON lines and in an array file,
// before DuckDB reads it (20,000 levels crashed the process).
func TestLoadJSONDepth(t *testing.T) {
	dir := t.TempDir()
	rec := func(depth int) string { // an object holding depth-1 nested arrays
		return `{"user_id": "U1", "timestamp": "2024-01-01 10:00:00", "event_type": "view [[[{{{", "x": ` +
			strings.Repeat("[", depth-1) + "1" + strings.Repeat("]", depth-1) + "}"
	}
	for _, tt := range []struct {
		name, file, body, want string
	}{
		{"100 levels", "ok.jsonl", rec(1) + "\n" + rec(100) + "\n", ""},
		{"101 levels", "deep.jsonl", rec(1) + "\n\n" + rec(101) + "\n", "deep.jsonl: line 3 nests arrays and objects more than 100 levels deep"},
		{"20,000 levels", "crash.jsonl", rec(1) + "\n" + strings.Repeat("[", 20000) + "\n", "crash.jsonl: line 2 nests"},
		{"array file", "array.json", "[\n" + rec(1) + ",\n" + rec(100) + "\n]\n", "array.json: line 3 nests"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.file)
			if err := os.WriteFile(p, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := dataset.Load(context.Background(), openDB(t), &dataset.Config{Events: &dataset.Source{Path: p}})
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
