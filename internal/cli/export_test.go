package cli

import (
	"bufio"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/audience"
	"github.com/persona-seg/persona/pipeline"
)

// writeContacts writes a shop of 90 customers whose users table has an
// e-mail address, a phone number (some national, some international, some
// not numbers), a plan, an age and a churn flag, and their purchases; and
// the config that maps them.
func writeContacts(t *testing.T) (config string, users [][]string) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	var u, tx strings.Builder
	u.WriteString("id,email,phone,plan,age,churn\n")
	tx.WriteString("customer,order,date,sku,qty,price\n")
	users = [][]string{{"id", "email", "phone", "plan", "age", "churn"}}
	for i := range 90 {
		g := i % 3
		email := fmt.Sprintf(" Customer.%d@Example.COM ", i)
		if i%11 == 0 {
			email = "" // no address
		}
		phone := fmt.Sprintf("07700 9%05d", i)
		switch i % 4 {
		case 1:
			phone = fmt.Sprintf("+1 (212) 555-%04d", i)
		case 2:
			phone = "n/a"
		}
		age := fmt.Sprint(20 + g*20 + rng.IntN(5))
		churn := []string{"yes", "no"}[rng.IntN(2)]
		rec := []string{fmt.Sprintf("C%03d", i), email, phone, []string{"basic", "pro", "team, annual"}[g], age, churn}
		users = append(users, rec)
		w := csv.NewWriter(&u)
		w.Write(rec)
		w.Flush()
		for k := range 2 + g*3 {
			fmt.Fprintf(&tx, "C%03d,O%d-%d,2024-0%d-%02d 10:00:00,S%d,%d,%d.5\n", i, i, k, 1+k%6, 1+(i+k)%27, (i+k)%7, 1+g, 5+g*20)
		}
	}
	for name, body := range map[string]string{"users.csv": u.String(), "sales.csv": tx.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config = filepath.Join(dir, "persona.yaml")
	cfg := `users:
  path: users.csv
  columns: {user_id: id}
  attributes:
    email: email
    mobile: {column: phone, type: phone, country: "+44"}
    plan: categorical
    age: numeric
outcomes:
  churned: churn = 'yes'
transactions:
  path: sales.csv
  columns: {user_id: customer, order_id: order, timestamp: date, product_id: sku, quantity: qty, unit_price: price}
`
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return config, users
}

// TestExport runs on customers with contact attributes and exports their
// segments: every format holds the segment's users of segments.csv, the
// outcome, the chosen attributes as the data gives them and the hashes of
// the normalised e-mail and phone (never the values); --all writes a file
// per segment; a segment is found by name too.
func TestExport(t *testing.T) {
	config, users := writeContacts(t)
	out := filepath.Join(t.TempDir(), "out")
	cli := func(args ...string) string {
		t.Helper()
		f, stdout, errOut := testFactory()
		if code := Run(f, args); code != ExitOK {
			t.Fatalf("persona %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return stdout.String()
	}
	cli("run", "-c", config, "-o", out, "--k", "3", "--quiet")
	ids, labels, names, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string][]string{}
	for _, rec := range users[1:] {
		raw[rec[0]] = rec
	}
	// What each row must say, from the raw table.
	want := func(seg int, attrs bool) [][]string {
		var rows [][]string
		for i, id := range ids {
			if labels[i] != seg {
				continue
			}
			r := raw[id]
			e164, digits := audience.HashPhone(r[2], "44")
			churned := "0"
			if r[5] == "yes" {
				churned = "1"
			}
			row := []string{id, fmt.Sprint(seg), names[seg], churned}
			if attrs {
				row = append(row, r[3], r[4])
			}
			rows = append(rows, append(row, audience.HashEmail(r[1]), e164, digits))
		}
		return rows
	}
	header := func(attrs bool) []string {
		h := []string{"user_id", "segment_id", "segment_name", "churned"}
		if attrs {
			h = append(h, "plan", "age")
		}
		return append(h, "email_sha256", "mobile_sha256", "mobile_digits_sha256")
	}
	// The columns of a row without the distance and the value columns.
	pick := func(head []string, rows [][]string, attrs bool) [][]string {
		var idx []int
		for _, c := range header(attrs) {
			k := slices.Index(head, c)
			if k < 0 {
				t.Fatalf("no column %s in %v", c, head)
			}
			idx = append(idx, k)
		}
		var outRows [][]string
		for _, r := range rows {
			var o []string
			for _, k := range idx {
				o = append(o, r[k])
			}
			outRows = append(outRows, o)
		}
		return outRows
	}
	dir := t.TempDir()
	seg := labels[0]

	// CSV, by id, with two attributes.
	path := filepath.Join(dir, "seg.csv")
	cli("export", "--store", out, "--segment", fmt.Sprint(seg), "--out", path, "--attributes", "plan,age", "--quiet")
	f, _ := os.Open(path)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][3] != "distance" {
		t.Errorf("header %v: want user_id, segment_id, segment_name, distance first", rows[0])
	}
	if diff := cmp.Diff(want(seg, true), pick(rows[0], rows[1:], true)); diff != "" {
		t.Errorf("segment %d as CSV (-want +got):\n%s", seg, diff)
	}
	body, _ := os.ReadFile(path)
	for _, clear := range []string{"Example.COM", "customer.1@", "07700 ", "555-"} {
		if strings.Contains(string(body), clear) {
			t.Errorf("the export holds the identifier text %q", clear)
		}
	}

	// JSON lines, by name, without attributes.
	path = filepath.Join(dir, "seg.jsonl")
	stdout := cli("export", "--store", out, "--segment", strings.ToUpper(names[seg]), "--out", path, "--json")
	var sum struct {
		RunID   string         `json:"run_id"`
		Columns []string       `json:"columns"`
		Files   []exportedFile `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || len(sum.Files) != 1 || sum.Files[0].Segment != seg || sum.Files[0].Path != path {
		t.Fatalf("--json printed %s (%v)", stdout, err)
	}
	f, _ = os.Open(path)
	var jrows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		var r []string
		for _, c := range sum.Columns {
			switch v := m[c].(type) {
			case nil:
				r = append(r, "")
			case float64:
				r = append(r, fmt.Sprint(v))
			default:
				r = append(r, fmt.Sprint(v))
			}
		}
		jrows = append(jrows, r)
	}
	f.Close()
	if diff := cmp.Diff(want(seg, false), pick(sum.Columns, jrows, false)); diff != "" {
		t.Errorf("segment %d as JSON lines (-want +got):\n%s", seg, diff)
	}

	// Parquet for every segment, read back with DuckDB.
	all := filepath.Join(dir, "all")
	cli("export", "--store", out, "--all", "--format", "parquet", "--out", all, "--attributes", "all", "--quiet")
	db, err := sql.Open(DriverName, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total := 0
	for s := range names {
		p := filepath.Join(all, fmt.Sprintf("segment-%d.parquet", s))
		q, err := db.Query(`SELECT user_id, CAST(segment_id AS VARCHAR), segment_name, CAST(CAST(churned AS INTEGER) AS VARCHAR), plan, CAST(CAST(age AS INTEGER) AS VARCHAR),
			coalesce(email_sha256, ''), coalesce(mobile_sha256, ''), coalesce(mobile_digits_sha256, '') FROM read_parquet('` + p + `')`)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for q.Next() {
			r := make([]string, 9)
			ptrs := make([]any, 9)
			for k := range r {
				ptrs[k] = &r[k]
			}
			if err := q.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		q.Close()
		total += len(got)
		if diff := cmp.Diff(want(s, true), got); diff != "" {
			t.Errorf("segment %d as Parquet (-want +got):\n%s", s, diff)
		}
	}
	if total != len(ids) {
		t.Errorf("the files of --all hold %d users, want %d", total, len(ids))
	}
}
