package dataset_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
)

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Annual Income (k$)", "annual_income_k"},
		{"Spending Score (1-100)", "spending_score_1_100"},
		{"CUST_ID", "cust_id"},
		{"  --  ", "blank"},
		{"服装", "服装"},
		{"家居", "家居"},
		{"Café Crème", "café_crème"},
		{"a__b", "a_b"},
	}
	for _, tt := range tests {
		if got := dataset.Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SeniorCitizen", "Senior Citizen"},
		{"customerID", "customer ID"},
		{"MonthlyCharges", "Monthly Charges"},
		{"HTTPServer", "HTTP Server"},
		{"Q1Sales", "Q1 Sales"},
		{"totalCharges2024", "total Charges2024"},
		{"CUST_ID", "CUST_ID"},
		{"Annual Income", "Annual Income"},
		{"monthly-charges", "monthly-charges"},
		{"CTR", "CTR"},
		{"Age", "Age"},
		{"tenure", "tenure"},
		{"ÉtatCivil", "État Civil"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := dataset.SplitCase(tt.in); got != tt.want {
			t.Errorf("SplitCase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseBucket(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in     string
		lo, hi float64
		ok     bool
	}{
		{"18-24", 18, 24, true},
		{"25 - 34", 25, 34, true},
		{"65+", 65, inf, true},
		{"65 or more", 65, inf, true},
		{"over 65", 65, inf, true},
		{"<18", -inf, 18, true},
		{"Under 18", -inf, 18, true},
		{"20k-40k", 20000, 40000, true},
		{"20-40k", 20000, 40000, true},
		{"100k+", 100000, inf, true},
		{"$20,000 - $39,999", 20000, 39999, true},
		{"1-3 months", 1, 3, true},
		{"1.5m-2m", 1.5e6, 2e6, true},
		{"10 to 20 years", 10, 20, true},
		{"42", 42, 42, true},
		{"40%-60%", 40, 60, true},
		{"24-18", 0, 0, false},
		{"young", 0, 0, false},
		{"", 0, 0, false},
		{"18-24-30", 0, 0, false},
	}
	for _, tt := range tests {
		b, ok := dataset.ParseBucket(tt.in)
		if ok != tt.ok || ok && (b.Lo != tt.lo || b.Hi != tt.hi) {
			t.Errorf("ParseBucket(%q) = %v, %v; want {%v %v}, %v", tt.in, b, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestBucketLevels(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		levels  []string
		values  []float64
		wantErr string
	}{
		{"ages", []string{"65+", "25-34", "18-24", "Under 18", "35-44"},
			[]string{"Under 18", "18-24", "25-34", "35-44", "65+"}, []float64{15, 21, 29.5, 39.5, 69.5}, ""},
		{"incomes", []string{"100k+", "20k-40k", "<20k", "40k-100k"},
			[]string{"<20k", "20k-40k", "40k-100k", "100k+"}, []float64{10000, 30000, 70000, 130000}, ""},
		{"open only", []string{"<10", "10+"}, []string{"<10", "10+"}, []float64{10, 10}, ""},
		{"numbers", []string{"1", "2", "10"}, nil, nil, "plain numbers"},
		{"a word", []string{"18-24", "unknown"}, nil, nil, `"unknown" is not a bucket`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels, values, err := dataset.BucketLevels(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.levels, levels); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.values, values); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScaleLevels(t *testing.T) {
	if got := dataset.ScaleLevels([]string{"High", "low", "Medium", "low"}); !cmp.Equal(got, []string{"low", "Medium", "High"}) {
		t.Errorf("ScaleLevels = %v", got)
	}
	if got := dataset.ScaleLevels([]string{"red", "green"}); got != nil {
		t.Errorf("colours are a scale: %v", got)
	}
	if got := dataset.ScaleLevels([]string{"gold"}); got != nil {
		t.Errorf("one value is a scale: %v", got)
	}
}

// FuzzParseBucket checks that a bucket never has its ends the wrong way
// round, nor NaN ends.
func FuzzParseBucket(f *testing.F) {
	for _, s := range []string{"18-24", "65+", "<18", "20k-40k", "$1,000 or more", "1-3 months", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := dataset.ParseBucket(s)
		if !ok {
			return
		}
		if math.IsNaN(b.Lo) || math.IsNaN(b.Hi) || b.Lo > b.Hi {
			t.Errorf("ParseBucket(%q) = %v", s, b)
		}
	})
}

// loadAttrs loads a users file with the given attributes section.
func loadAttrs(t *testing.T, csv, yaml string) (*sql.DB, dataset.Stats, error) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv), 0o644)
	os.WriteFile(filepath.Join(dir, "persona.yaml"), []byte(yaml), 0o644)
	cfg, err := dataset.LoadConfig(filepath.Join(dir, "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	st, err := dataset.Load(context.Background(), db, cfg)
	return db, st, err
}

// TestAttributeRejects rejects the rows whose attribute value does not
// parse, with the line, column and value; missing markers are no rejects.
func TestAttributeRejects(t *testing.T) {
	csv := `user_id,Age,Band,Member,Joined
u1,30,low,yes,2024-01-02
u2,thirty,high,no,2024-01-03
u3,NA,medium,maybe,
u4,,huge,Y,someday
u5,"$1,200.50",low,n,2024-01-05
`
	db, st, err := loadAttrs(t, csv, `max_reject_rate: 1
users:
  path: users.csv
  attributes:
    age: numeric
    band: {type: ordinal, levels: [low, medium, high]}
    member: boolean
    joined: date
`)
	if err != nil {
		t.Fatal(err)
	}
	c := st.Counts[dataset.Users]
	if c.Read != 5 || c.Rejected != 3 || c.Used != 2 {
		t.Errorf("counts %+v, want 5 read, 3 rejected, 2 used", c)
	}
	rej, err := dataset.Rejects(context.Background(), db, dataset.Users, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rej {
		got = append(got, r.String()[strings.Index(r.String(), "line"):])
	}
	want := []string{
		`line 3, column Age: unparsable attributes.age "thirty"`,
		`line 4, column Member: unparsable attributes.member "maybe"`,
		`line 5, column Band: unparsable attributes.band "huge"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
	var age float64
	if err := db.QueryRow(`SELECT age FROM _persona_attrs_users WHERE user_id = 'u5'`).Scan(&age); err != nil || age != 1200.5 {
		t.Errorf("u5's age %v (%v), want 1200.5 from $1,200.50", age, err)
	}
}

// TestRowNumberIDs gives the rows of a per-user table without an id
// column their numbers as user_id, and says so.
func TestRowNumberIDs(t *testing.T) {
	db, st, err := loadAttrs(t, "Gender,Age\nMale,19\nFemale,20\nFemale,20\n", "users:\n  path: users.csv\n  attributes: {gender: categorical, age: numeric}\n")
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Users]; !c.RowIDs || c.Used != 3 || c.Duplicates != 0 {
		t.Errorf("counts %+v, want 3 rows used with row-number ids (equal rows are not duplicates)", c)
	}
	rows, err := db.Query("SELECT user_id, gender FROM _persona_attrs_users ORDER BY user_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, g string
		rows.Scan(&id, &g)
		got = append(got, id+":"+g)
	}
	if diff := cmp.Diff([]string{"1:Male", "2:Female", "3:Female"}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

// TestAttributeErrors checks the errors that name an attribute's key.
func TestAttributeErrors(t *testing.T) {
	csv := "user_id,Age,Gender\nu1,30,M\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"no such column", "users:\n  path: users.csv\n  attributes: {income: numeric}\n", `users.attributes.income: no column "income" in`},
		{"column not found", "users:\n  path: users.csv\n  attributes: {income: {column: Income, type: numeric}}\n", `users.attributes.income.column: column "Income" not found`},
		{"bad expression", "users:\n  path: users.csv\n  attributes: {x: {column: \"Age +* 2\", type: numeric}}\n", "users.attributes.x.column: expression Age +* 2"},
		{"bad outcome", "users:\n  path: users.csv\n  attributes: {age: numeric}\noutcomes: {old: \"Agee > 40\"}\n", "outcomes.old: expression Agee > 40"},
		{"outcome not a number", "users:\n  path: users.csv\n  attributes: {age: numeric}\noutcomes: {day: \"DATE '2024-01-01'\"}\n", "outcomes.day: DATE '2024-01-01' is DATE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadAttrs(t, csv, tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error of several lines: %q", err)
			}
		})
	}
}

// TestAttributeColumnNotCanonical: a column an attribute reads is not
// also read as the canonical field of its name.
func TestAttributeColumnNotCanonical(t *testing.T) {
	db, _, err := loadAttrs(t, "user_id,Gender\nu1,F\n", "users:\n  path: users.csv\n  attributes: {gender: categorical}\n")
	if err != nil {
		t.Fatal(err)
	}
	var g sql.NullString
	if err := db.QueryRow("SELECT gender FROM users").Scan(&g); err != nil || g.Valid {
		t.Errorf("users.gender = %v (%v), want NULL: the attribute reads the column", g, err)
	}
}

// TestHeaderlessCSV names the columns of a file without a header line.
func TestHeaderlessCSV(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "events.csv"), []byte("u1,i1,books,pv,2024-01-01 10:00:00\nu1,i2,books,buy,2024-01-02 10:00:00\nu2,i1,toys,pv,2024-01-03 10:00:00\n"), 0o644)
	load := func(cols string) (*sql.DB, dataset.Stats, error) {
		os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("events:\n  path: events.csv\n  csv: {columns: ["+cols+"]}\n  columns: {event_type: action, timestamp: ts}\n"), 0o644)
		cfg, err := dataset.LoadConfig(filepath.Join(dir, "p.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		db, _ := sql.Open("duckdb", "")
		t.Cleanup(func() { db.Close() })
		db.SetMaxOpenConns(1)
		st, err := dataset.Load(context.Background(), db, cfg)
		return db, st, err
	}
	db, st, err := load("user_id, item_id, category, action, ts")
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Events]; c.Read != 3 || c.Used != 3 {
		t.Errorf("counts %+v, want all 3 lines read and used (no header)", c)
	}
	var n int
	db.QueryRow("SELECT count(*) FROM events WHERE category = 'books' AND event_type = 'pv'").Scan(&n)
	if n != 1 {
		t.Errorf("%d events of books viewed, want 1", n)
	}
	if _, _, err := load("user_id, item_id, category"); err == nil || !strings.Contains(err.Error(), "events.csv.columns: 3 names for the 5 columns") {
		t.Errorf("error %v, want one naming events.csv.columns", err)
	}
}

// TestAttributeDatesPlausible rejects the rows whose date or age attribute
// is not a plausible date (before 1900, or after the run's clock: a date
// of birth in 2999 would be a negative age), as it rejects timestamps.
func TestAttributeDatesPlausible(t *testing.T) {
	csv := `user_id,Joined,Born
u1,2024-01-02,1980-05-06
u2,1850-01-01,1980-05-06
u3,2024-01-03,2999-01-01
u4,2024-01-04,
`
	db, st, err := loadAttrs(t, csv, `max_reject_rate: 1
users:
  path: users.csv
  attributes:
    joined: date
    age: {column: Born, type: age}
`)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Users]; c.Read != 4 || c.Rejected != 2 || c.Used != 2 {
		t.Errorf("counts %+v, want 4 read, 2 rejected, 2 used", c)
	}
	rej, err := dataset.Rejects(context.Background(), db, dataset.Users, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rej {
		got = append(got, fmt.Sprintf("%d %s %s %s", r.Line, r.Column, r.Value, r.Reason))
	}
	want := []string{"3 Joined 1850-01-01 attributes.joined out of range", "4 Born 2999-01-01 attributes.age in the future"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
	// With as_of set, a date of birth after it is rejected too.
	db, st, err = loadAttrs(t, "user_id,Born\nu1,1980-05-06\nu2,2024-03-01\nu3,2024-01-01\n", `max_reject_rate: 1
as_of: 2024-02-01
users:
  path: users.csv
  attributes:
    age: {column: Born, type: age}
`)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Users]; c.Rejected != 1 || c.Used != 2 {
		t.Errorf("counts %+v, want 1 rejected, 2 used", c)
	}
	rej, _ = dataset.Rejects(context.Background(), db, dataset.Users, 0)
	if len(rej) != 1 || rej[0].Line != 3 || rej[0].Reason != "attributes.age after as_of" {
		t.Errorf("rejects %+v, want line 3: attributes.age after as_of", rej)
	}
}
