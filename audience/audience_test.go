package audience_test

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/audience"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/value"
)

var update = flag.Bool("update", false, "update the golden files in testdata")

func TestNormalize(t *testing.T) {
	emails := []struct{ in, want string }{
		{"  Person@Example.com ", "person@example.com"},
		{"a.b+tag@Sub.Example.CO.uk", "a.b+tag@sub.example.co.uk"},
		{"no-at-sign", ""},
		{"@example.com", ""},
		{"user@", ""},
		{"two words@example.com", ""},
		{"user@localhost", ""},
		{"", ""},
	}
	for _, tt := range emails {
		if got := audience.NormalizeEmail(tt.in); got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	phones := []struct{ in, country, want string }{
		{"+44 844 412 4653", "", "+448444124653"},
		{"0044 844 412 4653", "", "+448444124653"},
		{"0844 412 4653", "44", "+448444124653"},
		{"0844 412 4653", "+44", "+448444124653"},
		{"0844 412 4653", "", ""}, // national, no country: no form
		{"(415) 555-2671", "1", "+14155552671"},
		{"1 415 555 2671", "1", "+14155552671"},
		{"+1 415.555.2671 ext. 12", "", "+14155552671"},
		{"+1 415 555 2671 x12", "", "+14155552671"},
		{"+49 30/1234567", "", "+49301234567"},
		{"call me", "44", ""},
		{"+12", "", ""},                    // too short
		{"+1234567890123456", "", ""},      // 16 digits
		{"+0 123 456 789", "", ""},         // no country code starts with 0
		{"415-555-2671 or later", "1", ""}, // words
	}
	for _, tt := range phones {
		if got := audience.NormalizePhone(tt.in, tt.country); got != tt.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, want %q", tt.in, tt.country, got, tt.want)
		}
	}
	// The examples of Snap's Conversions API documentation (the same
	// normal forms as Google's and Meta's).
	if got := audience.HashEmail("Person@Example.com"); got != "542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345" {
		t.Errorf("HashEmail = %s", got)
	}
	e164, digits := audience.HashPhone("+44 844 412 4653", "")
	if digits != "dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383" || e164 != audience.SHA256("+448444124653") {
		t.Errorf("HashPhone = %s, %s", e164, digits)
	}
	if a, b := audience.HashPhone("nope", "1"); a != "" || b != "" || audience.HashEmail("nope") != "" {
		t.Errorf("a value that does not normalise has a hash")
	}
}

// FuzzNormalizePhone: a normal form is + and 8 to 15 digits, and
// normalising it again gives it back.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+44 844 412 4653", "0844 412 4653", "(415) 555-2671 x3", "00 1 2", "+"} {
		f.Add(s, "44")
	}
	f.Fuzz(func(t *testing.T, s, country string) {
		n := audience.NormalizePhone(s, country)
		if n == "" {
			return
		}
		if len(n) < 9 || len(n) > 16 || n[0] != '+' || strings.Trim(n[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q, %q) = %q: not + and 8 to 15 digits", s, country, n)
		}
		if again := audience.NormalizePhone(n, ""); again != n {
			t.Fatalf("NormalizePhone(%q) = %q, not the same again", n, again)
		}
	})
}

// fixture is a run of 7 users in two segments with a column of each kind.
func fixture() *persona.Results {
	ids := []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"}
	nan := math.NaN()
	email := make([]string, len(ids))
	phone, digits := make([]string, len(ids)), make([]string, len(ids))
	for i, e := range []string{"Ann@Example.com", "", "bob@example.org", "not an address", "c@d.io", "E@F.GG", ""} {
		email[i] = audience.HashEmail(e)
	}
	for i, p := range []string{"+44 20 7946 0958", "020 7946 0000", "", "x", "+1 (212) 555-0100", "", "07700 900123"} {
		phone[i], digits[i] = audience.HashPhone(p, "44")
	}
	return &persona.Results{
		Run:      persona.Run{ID: "run-7", CreatedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		UserIDs:  ids,
		Segments: []int{0, 1, 0, 1, 0, 1, 0},
		Distance: []float64{0.5, 1.25, 2, nan, 1e-7, 3.5, 12345.678},
		Profiles: &profile.Report{Segments: []profile.Segment{{ID: 0, Name: "loyal, \"big\" spenders"}, {ID: 1, Name: "new"}}},
		Columns: []persona.Column{
			{Name: "churned", Kind: persona.KindOutcome, Numbers: []float64{0, 1, nan, 1, 0, 0, 1}},
			{Name: "plan", Kind: persona.KindAttribute, Texts: []string{"gold", "", "silver, annual", "gold", "bronze", "ünï", "gold"}},
			{Name: "age", Kind: persona.KindAttribute, Numbers: []float64{34, 51, nan, 22, 40, 29, 63}},
			{Name: "email_sha256", Kind: persona.KindIdentifier, Texts: email},
			{Name: "phone_sha256", Kind: persona.KindIdentifier, Texts: phone},
			{Name: "phone_digits_sha256", Kind: persona.KindIdentifier, Texts: digits},
		},
	}
}

const valueCSV = `user_id,p_alive,expected_purchases,clv,next_order_date
u1,0.9,2.5,120.5,2027-01-02
u3,0.25,0.1,,
u7,1,4,300,2026-12-24
zz,0.5,1,2,2027-02-02
`

func TestColumns(t *testing.T) {
	res := fixture()
	value, err := audience.ReadTable(strings.NewReader(valueCSV), "value.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts audience.Options
		want []string
		err  string
	}{
		{"default", audience.Options{}, []string{"user_id", "segment_id", "segment_name", "distance", "churned", "email_sha256", "phone_sha256", "phone_digits_sha256"}, ""},
		{"value and an attribute", audience.Options{Value: value, Attributes: []string{"age"}},
			[]string{"user_id", "segment_id", "segment_name", "distance", "p_alive", "expected_purchases", "clv", "next_order_date", "churned", "age", "email_sha256", "phone_sha256", "phone_digits_sha256"}, ""},
		{"all attributes", audience.Options{Attributes: []string{"all"}}, []string{"user_id", "segment_id", "segment_name", "distance", "churned", "plan", "age", "email_sha256", "phone_sha256", "phone_digits_sha256"}, ""},
		{"unknown attribute", audience.Options{Attributes: []string{"shoe_size"}}, nil, `run run-7 has no attribute "shoe_size" (its attributes: plan, age)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := audience.New(res, 0, tt.opts)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, l.Columns()); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			if l.Len() != 4 {
				t.Errorf("%d users, want 4", l.Len())
			}
		})
	}
	for _, tt := range []struct{ in, want string }{{"1", "1"}, {"NEW", "1"}, {`loyal, "big" spenders`, "0"}} {
		id, err := audience.Segment(res, tt.in)
		if err != nil || fmt.Sprint(id) != tt.want {
			t.Errorf("Segment(%q) = %d, %v; want %s", tt.in, id, err, tt.want)
		}
	}
	if _, err := audience.Segment(res, "9"); err == nil || !strings.Contains(err.Error(), `its segments: 0 "loyal, \"big\" spenders", 1 "new"`) {
		t.Errorf("Segment(9) = %v", err)
	}
	if _, err := audience.ReadTable(strings.NewReader("id,clv\n1,2\n"), "value.csv"); err == nil || !strings.Contains(err.Error(), "value.csv: no user_id column") {
		t.Errorf("a table without user_id: %v", err)
	}
}

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestFormats pins each format with a golden file; Parquet is read back
// with DuckDB (its schema and rows), as a consumer would.
func TestFormats(t *testing.T) {
	res := fixture()
	value, err := audience.ReadTable(strings.NewReader(valueCSV), "value.csv")
	if err != nil {
		t.Fatal(err)
	}
	l, err := audience.New(res, 0, audience.Options{Value: value, Attributes: []string{"plan", "age"}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := l.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "segment-0.csv", b.Bytes())
	b.Reset()
	if err := l.WriteJSONL(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "segment-0.jsonl", b.Bytes())

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(t.TempDir(), "segment-0.parquet")
	if err := l.WriteParquet(context.Background(), db, path); err != nil {
		t.Fatal(err)
	}
	golden(t, "segment-0.parquet.txt", []byte(readParquet(t, db, path)))
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// readParquet renders a Parquet file's schema and rows as text.
func readParquet(t *testing.T, db *sql.DB, path string) string {
	t.Helper()
	var out strings.Builder
	rows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('` + path + `'))`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, typ string
		rows.Scan(&n, &typ)
		fmt.Fprintf(&out, "%s %s\n", n, typ)
	}
	rows.Close()
	rows, err = db.Query(`SELECT * FROM read_parquet('` + path + `')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				out.WriteString(" | ")
			}
			if v == nil {
				out.WriteString("NULL")
			} else {
				fmt.Fprintf(&out, "%v", v)
			}
		}
		out.WriteString("\n")
	}
	return out.String()
}

// TestRunValues: without a value.csv, the run's customer values give the
// columns value.csv has (value.WriteRows writes it from the same values),
// empty for a user without a purchase and for a figure not computed.
func TestRunValues(t *testing.T) {
	res := fixture()
	nan := math.NaN()
	v := &persona.Values{TimeUnit: "weeks", End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), HorizonMonths: 12, LostBelow: 0.5,
		Users: make([]persona.CustomerValue, len(res.UserIDs))}
	v.Users[0] = persona.CustomerValue{Customer: true, RepeatPurchases: 3, FirstToLast: 10.5, FirstToEnd: 20, MeanRepeatValue: 25.5,
		PAlive: 0.875, ExpectedPurchases: 2.5, ExpectedOrderValue: 24.75, CLV: 58.25, NextOrderDays: 12.4}
	v.Users[2] = persona.CustomerValue{Customer: true, FirstToEnd: 3, MeanRepeatValue: nan, PAlive: 0.25, ExpectedPurchases: 0.125,
		ExpectedOrderValue: nan, CLV: nan, NextOrderDays: 60}
	v.Users[6] = persona.CustomerValue{Customer: true, RepeatPurchases: 1, FirstToLast: 1, FirstToEnd: 2, MeanRepeatValue: 8,
		PAlive: 1, ExpectedPurchases: 4, ExpectedOrderValue: 9, CLV: 300, NextOrderDays: 3}
	res.Values = v
	var file bytes.Buffer
	var customers []int
	for i := range res.UserIDs {
		if v.Users[i].Customer {
			customers = append(customers, i)
		}
	}
	if err := value.WriteRows(&file, value.Weeks, v.End, v.LostBelow, len(customers), func(k int) value.Row {
		r, _ := v.Row(customers[k], res.UserIDs[customers[k]])
		return r
	}); err != nil {
		t.Fatal(err)
	}
	table, err := audience.ReadTable(&file, "value.csv")
	if err != nil {
		t.Fatal(err)
	}
	write := func(opts audience.Options) string {
		l, err := audience.New(res, 0, opts)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := l.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	got, want := write(audience.Options{}), write(audience.Options{Value: table})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the run's values (-value.csv +run):\n%s", diff)
	}
	head := "user_id,segment_id,segment_name,distance,repeat_purchases,first_to_last_weeks,first_to_end_weeks,mean_repeat_value,p_alive,expected_purchases,expected_order_value,clv,next_order_date,churned,"
	lines := strings.Split(got, "\n")
	for _, tt := range []struct{ line, want string }{
		{lines[0], head},
		{lines[1], `u1,0,"loyal, ""big"" spenders",0.5,3,10.5,20,25.5,0.875,2.5,24.75,58.25,2026-12-12,0,`},
		{lines[2], `u3,0,"loyal, ""big"" spenders",2,0,0,3,,0.25,0.125,,,,,`},
		{lines[3], `u5,0,"loyal, ""big"" spenders",1e-07,,,,,,,,,,0,`},
	} {
		if !strings.HasPrefix(tt.line, tt.want) {
			t.Errorf("line %q, want it to start %q", tt.line, tt.want)
		}
	}
}
