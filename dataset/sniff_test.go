package dataset_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
)

func TestSniffColumn(t *testing.T) {
	rep := func(n int, vs ...string) []string {
		var out []string
		for i := range n {
			out = append(out, vs[i%len(vs)])
		}
		return out
	}
	seq := func(n int, f string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf(f, i+1))
		}
		return out
	}
	tests := []struct {
		name    string
		column  string
		values  []string
		want    dataset.AttributeType
		outcome string
		levels  []string
		sep     string
	}{
		{"numbers", "Income", rep(50, "15", "16.5", "$1,200", "NA", "30%"), dataset.TypeNumeric, "", nil, ""},
		{"yes/no", "Partner", rep(20, "Yes", "No", ""), dataset.TypeBoolean, "", nil, ""},
		{"0/1", "SeniorCitizen", rep(20, "0", "1", "0"), dataset.TypeBoolean, "", nil, ""},
		{"categories", "Contract", rep(100, "Month-to-month", "One year", "Two year"), dataset.TypeCategorical, "", nil, ""},
		{"age buckets", "Age Group", rep(30, "18-24", "25-34", "65+", "Under 18"), dataset.TypeOrdinal, "", nil, ""},
		{"income buckets", "Income", rep(30, "<20k", "20k-40k", "100k+"), dataset.TypeOrdinal, "", nil, ""},
		{"word scale", "Satisfaction", rep(30, "High", "low", "Medium"), dataset.TypeOrdinal, "", []string{"low", "Medium", "High"}, ""},
		{"list", "Interests", rep(40, "Cooking, Travel", "Travel", "Music, Cooking, Sports", "Books", ""), dataset.TypeList, "", nil, ","},
		{"list by pipe", "Tags", rep(40, "a|b", "b", "c|a"), dataset.TypeList, "", nil, "|"},
		{"dates", "Signup", rep(30, "2024-01-02", "2023-12-31 10:00:00", ""), dataset.TypeDate, "", nil, ""},
		{"row numbers", "Unnamed: 0", seq(100, "%d"), dataset.TypeID, "", nil, ""},
		{"ids by name", "order_key", seq(100, "K%dX"), dataset.TypeID, "", nil, ""},
		{"ids by a German name", "Kundennr", seq(100, "K%d"), dataset.TypeID, "", nil, ""},
		{"e-mail addresses", "Contact", seq(100, "user%d@example.com"), dataset.TypeEmail, "", nil, ""},
		{"ids by a German compound", "Mitgliedsnummer", seq(100, "M-%d"), dataset.TypeID, "", nil, ""},
		{"distinct amounts", "Balance", seq(100, "%d.25"), dataset.TypeNumeric, "", nil, ""},
		{"free text", "Comment", seq(200, "said %d things"), dataset.TypeIgnore, "", nil, ""},
		{"empty", "Notes", rep(10, "", "NA", "null"), dataset.TypeIgnore, "", nil, ""},
		{"constant", "Country", rep(10, "FR"), dataset.TypeIgnore, "", nil, ""},
		{"churn outcome", "Churn", rep(20, "Yes", "No", "No"), "", `Churn = 'Yes'`, nil, ""},
		{"numeric outcome", "y", rep(20, "0", "1", "2"), "", "y", nil, ""},
		{"target 0/1", "TARGET", rep(20, "0", "1"), "", "TARGET", nil, ""},
		{"a label that is a category", "label", rep(20, "red", "blue"), dataset.TypeCategorical, "", nil, ""},
		{"mostly numbers", "Score", append(rep(50, "1", "2", "3"), "abc"), dataset.TypeCategorical, "", nil, ""},
		// seen on public customer tables persona had not seen
		{"ja/nein", "Newsletter", rep(20, "ja", "nein", "nein"), dataset.TypeBoolean, "", nil, ""},
		{"oui/non", "Abonné", rep(20, "Oui", "Non"), dataset.TypeBoolean, "", nil, ""},
		{"postal codes with leading zeros", "PLZ", rep(300, seq(150, "0%04d")...), dataset.TypeIgnore, "", nil, ""},
		{"postal codes by name", "zip", rep(30, "10115", "80331", "50667"), dataset.TypeCategorical, "", nil, ""},
		{"channel codes", "Channel", rep(40, "1", "2", "2"), dataset.TypeCategorical, "", nil, ""},
		{"region codes", "Region", rep(40, "1", "2", "3", "3"), dataset.TypeCategorical, "", nil, ""},
		{"a count is no code", "Kidhome", rep(40, "0", "1", "2"), dataset.TypeNumeric, "", nil, ""},
		{"many region numbers are numbers", "region_score", seq(40, "%d.5"), dataset.TypeNumeric, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := dataset.SniffColumn(tt.column, tt.values)
			if g.Type != tt.want || g.Outcome != tt.outcome {
				t.Fatalf("guess %+v, want type %q, outcome %q", g, tt.want, tt.outcome)
			}
			if !cmp.Equal(g.Levels, tt.levels) || g.Separator != tt.sep {
				t.Errorf("levels %v, separator %q; want %v, %q", g.Levels, g.Separator, tt.levels, tt.sep)
			}
			if g.Note == "" || strings.ContainsAny(g.Note, "\n\r") {
				t.Errorf("note %q", g.Note)
			}
		})
	}
}

// FuzzSniffColumn checks the guess is always a type (or an outcome) with
// a one-line note, and that an outcome's expression is SQL persona reads.
func FuzzSniffColumn(f *testing.F) {
	for _, s := range []string{"15\n16\nNA", "Yes\nNo", "18-24\n65+", "a, b\nb", "2024-01-02\n2024-02-03", "x\ny\nz", "\"\n'\n;"} {
		f.Add("col", s)
	}
	f.Add("Churn", "Yes\nNo")
	f.Add("y", "1\n0\n2")
	f.Fuzz(func(t *testing.T, name, values string) {
		g := dataset.SniffColumn(name, strings.Split(values, "\n"))
		if g.Outcome == "" && !slices.Contains(dataset.AttributeTypes, g.Type) {
			t.Fatalf("type %q", g.Type)
		}
		if strings.ContainsAny(g.Note, "\n\r") {
			t.Errorf("note %q is not one line", g.Note)
		}
		if g.Outcome != "" && strings.Contains(g.Outcome, ";") && !strings.Contains(name, ";") {
			t.Errorf("outcome %q", g.Outcome)
		}
	})
}

// TestDraftCustomerTable drafts a config from a one-row-per-customer file
// with its own columns: every column is an attribute of the guessed type
// or an outcome, the draft loads as it is and every row is used.
func TestDraftCustomerTable(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Age Group,Plan,Monthly Fee ($),Newsletter,Interests,Joined,Churned\n")
	for i := range 60 {
		fmt.Fprintf(&b, "%s,%s,%d.50,%s,\"%s\",2024-01-%02d,%s\n",
			[]string{"18-24", "25-34", "65+"}[i%3], []string{"basic", "pro"}[i%2], 10+i%7,
			[]string{"yes", "no"}[i%2], []string{"Cooking, Travel", "Travel", "Music"}[i%3], 1+i%28, []string{"No", "Yes", "No"}[i%3])
	}
	path := filepath.Join(dir, "customers.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	text, notes, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Users: path}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "no id column") || !strings.Contains(notes[1], "Churned looks like an outcome") {
		t.Errorf("notes %q", notes)
	}
	cfgPath := filepath.Join(dir, "persona.yaml")
	os.WriteFile(cfgPath, text, 0o644)
	cfg, err := dataset.LoadConfig(cfgPath)
	if err != nil {
		t.Fatalf("the draft does not load: %v\n%s", err, text)
	}
	got := map[string]dataset.AttributeType{}
	for _, a := range cfg.Users.Attributes {
		got[a.Name] = a.Type
	}
	want := map[string]dataset.AttributeType{"age_group": dataset.TypeOrdinal, "plan": dataset.TypeCategorical, "monthly_fee": dataset.TypeNumeric,
		"newsletter": dataset.TypeBoolean, "interests": dataset.TypeList}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s\n%s", diff, text)
	}
	// Joined is a signup date: a canonical field, not an attribute.
	if cfg.Users.Columns["signup_date"] != "Joined" {
		t.Errorf("columns %v, want signup_date: Joined", cfg.Users.Columns)
	}
	if len(cfg.Users.Outcomes) != 1 || cfg.Users.Outcomes[0].Expr != `Churned = 'Yes'` {
		t.Errorf("outcomes %+v", cfg.Users.Outcomes)
	}
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Users]; c.Used != 60 || !c.RowIDs {
		t.Errorf("counts %+v, want every row used with row-number ids", c)
	}
}

// TestDraftEventTypes drafts events.event_types for event names that
// usually mean a canonical type, and loads as it is.
func TestDraftEventTypes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.csv")
	os.WriteFile(path, []byte("visitor,ts,event_type\nu1,2024-01-01 10:00:00,pv\nu1,2024-01-01 10:01:00,cart\nu2,2024-01-01 11:00:00,buy\nu2,2024-01-01 11:05:00,fav\nu3,2024-01-02 09:00:00,search\nu3,2024-01-02 09:01:00,zap\n"), 0o644)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	text, _, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Events: path}, dir)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "persona.yaml")
	os.WriteFile(cfgPath, text, 0o644)
	cfg, err := dataset.LoadConfig(cfgPath)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	want := map[string]string{"pv": "page_view", "cart": "add_to_cart", "buy": "checkout", "fav": "wishlist"}
	if diff := cmp.Diff(want, cfg.Events.EventTypes); diff != "" {
		t.Errorf("event_types (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(text), `"fav": wishlist  # no canonical type: counted as count_wishlist and share_wishlist`) ||
		!strings.Contains(string(text), "other event names, counted as their own count_<name> and share_<name>") || !strings.Contains(string(text), "): zap") {
		t.Errorf("draft:\n%s", text)
	}
}

// TestDraftEventTypeByValues finds the event type column by its values
// when no column is named like one, and not a text column of other words.
func TestDraftEventTypeByValues(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"by values", "visitor,ts,page,what\nu1,2024-01-01 10:00:00,home,pv\nu1,2024-01-01 10:01:00,shoes,cart\nu2,2024-01-01 11:00:00,home,buy\nu2,2024-01-01 11:05:00,hats,impression\n", `event_type: "what"  # required, guessed from its values`},
		{"too few known", "visitor,ts,page,what\nu1,2024-01-01 10:00:00,home,pv\nu1,2024-01-01 10:01:00,shoes,hover\nu2,2024-01-01 11:00:00,home,scroll\n", "# event_type: ???"},
		{"by name first", "visitor,ts,what,behavior_type\nu1,2024-01-01 10:00:00,pv,1\nu2,2024-01-01 11:00:00,buy,4\n", `event_type: "behavior_type"  # required, guessed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "events.csv")
			os.WriteFile(path, []byte(tt.csv), 0o644)
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			text, _, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Events: path}, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(text), tt.want) {
				t.Errorf("want %q in the draft:\n%s", tt.want, text)
			}
		})
	}
}

// TestDraftSettingsParse uncomments the settings a draft ends with
// (features, segmentation, duckdb): they parse as they are written.
func TestDraftSettingsParse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.csv")
	os.WriteFile(path, []byte("id,age,plan\nu1,30,basic\nu2,41,pro\nu3,25,basic\n"), 0o644)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	text, _, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Users: path}, dir)
	if err != nil {
		t.Fatal(err)
	}
	draft, settings, ok := strings.Cut(string(text), "\n# features:")
	if !ok {
		t.Fatalf("the draft has no commented features section:\n%s", text)
	}
	var b strings.Builder
	for _, l := range strings.Split("# features:"+settings, "\n") {
		b.WriteString(strings.TrimPrefix(l, "# ") + "\n")
	}
	cfg, err := dataset.ParseConfig([]byte(draft + "\n" + b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if cfg.Segmentation.Algorithm != "auto" || cfg.Segmentation.KMax != 12 || cfg.Features.TopValues != 6 || cfg.DuckDB.MemoryLimit != "4GB" {
		t.Errorf("uncommented settings: %+v %+v %+v", cfg.Segmentation, cfg.Features, cfg.DuckDB)
	}
}

// TestDraftEuropeanExport drafts from a CRM export as European tools
// write it: Latin-1, ";" between fields, CRLF, decimal commas with
// thousands points, ja/nein flags, postal codes with leading zeros and
// dd.mm.yyyy dates. init read none of it (it stopped at "no UTF-8 text"
// and, told the encoding, took 1.234,56 for a list and PLZ for a number);
// the draft must load as it is, with the amounts read as numbers.
func TestDraftEuropeanExport(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Kundennr.;Straße;PLZ;Ort;Kunde seit;Umsatz 2023 (EUR);Ø Rabatt (%);Newsletter;Kundengruppe\r\n")
	orte := []string{"München", "Köln", "Düsseldorf", "Zürich"}
	for i := range 60 {
		fmt.Fprintf(&b, "%d;Hauptstraße %d;%05d;%s;%02d.%02d.20%02d;%d.%03d,%02d;%d,%d;%s;%s\r\n",
			1000+i, i, 1000*(i%40)+67, orte[i%4], 1+i%28, 1+i%12, 10+i%14, 1+i%9, 7*i%1000, i%100, i%20, i%10,
			[]string{"ja", "nein", "nein"}[i%3], []string{"Privat", "Gewerbe"}[i%2])
	}
	latin1 := make([]byte, 0, b.Len())
	for _, r := range b.String() {
		latin1 = append(latin1, byte(r)) // every rune here is below U+0100
	}
	path := filepath.Join(dir, "kunden.csv")
	os.WriteFile(path, latin1, 0o644)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	text, _, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Users: path}, dir)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "persona.yaml")
	os.WriteFile(cfgPath, text, 0o644)
	cfg, err := dataset.LoadConfig(cfgPath)
	if err != nil {
		t.Fatalf("the draft does not load: %v\n%s", err, text)
	}
	if o := cfg.Users.CSV; o.Encoding != "latin-1" || o.Delimiter != ";" || o.Decimal != "," {
		t.Errorf("csv %+v, want latin-1, ; and a decimal comma\n%s", o, text)
	}
	got := map[string]dataset.AttributeType{}
	for _, a := range cfg.Users.Attributes {
		got[a.Name] = a.Type
	}
	want := map[string]dataset.AttributeType{"straße": dataset.TypeIgnore, "plz": dataset.TypeCategorical, "ort": dataset.TypeCategorical,
		"kunde_seit": dataset.TypeDate, "umsatz_2023_eur": dataset.TypeNumeric, "ø_rabatt": dataset.TypeNumeric,
		"newsletter": dataset.TypeBoolean, "kundengruppe": dataset.TypeCategorical}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes (-want +got):\n%s\n%s", diff, text)
	}
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Users]; c.Used != 60 || c.Rejected != 0 {
		t.Errorf("counts %+v, want every row used", c)
	}
	// the row of i = 2: 3.014,02 EUR, 2,2 %, Düsseldorf, newsletter nein
	var umsatz, rabatt float64
	var ort string
	var news bool
	if err := db.QueryRow(`SELECT umsatz_2023_eur, "ø_rabatt", ort, newsletter FROM _persona_attrs_users WHERE user_id = '1002'`).
		Scan(&umsatz, &rabatt, &ort, &news); err != nil {
		t.Fatal(err)
	}
	if umsatz != 3014.02 || rabatt != 2.2 || ort != "Düsseldorf" || news {
		t.Errorf("row 1002: umsatz %v, rabatt %v, ort %q, newsletter %v; want 3014.02, 2.2, Düsseldorf, false", umsatz, rabatt, ort, news)
	}
}

// TestRepeatedUserIDs: a per-user table whose key repeats on several rows
// is said in the dataset's warnings (it was silent: 2,240 rows of a
// marketing table became 2,039 users, each a mix of its rows' values).
func TestRepeatedUserIDs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "customers.csv")
	os.WriteFile(path, []byte("ID,Income,Plan\n1,100,a\n2,200,b\n2,300,a\n3,400,b\n3,500,b\n3,600,a\n"), 0o644)
	cfgPath := filepath.Join(dir, "persona.yaml")
	os.WriteFile(cfgPath, []byte("users:\n  path: customers.csv\n  columns: {user_id: ID}\n  attributes: {income: {column: Income, type: numeric}, plan: {column: Plan, type: categorical}}\n"), 0o644)
	for _, tt := range []struct{ file, want string }{
		{"ID,Income,Plan\n1,100,a\n2,200,b\n2,300,a\n3,400,b\n3,500,b\n3,600,a\n", `6 rows hold 3 distinct user_ids: 3 repeat the user_id of an earlier row (e.g. "2")`},
		{"ID,Income,Plan\n1,100,a\n2,200,b\n3,300,a\n", ""},
	} {
		os.WriteFile(path, []byte(tt.file), 0o644)
		cfg, err := dataset.LoadConfig(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		st, err := dataset.Load(context.Background(), db, cfg)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		w := strings.Join(st.Counts[dataset.Users].Warnings, "; ")
		if tt.want == "" && w != "" || !strings.Contains(w, tt.want) {
			t.Errorf("warnings %q, want %q", w, tt.want)
		}
		// persona init says so too
		db, err = sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		_, notes, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{dataset.Users: path}, dir)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		said := slices.ContainsFunc(notes, func(n string) bool {
			return strings.Contains(n, "column ID, the user key, repeats: 3 distinct values in 6 rows")
		})
		if said != (tt.want != "") {
			t.Errorf("init notes %q", notes)
		}
	}
}

// TestDraftHeaderless names the columns of files without a header line
// from their values (Taobao's user, item, category, behaviour, time log;
// the same in milliseconds; order lines with ISO timestamps), and the
// drafts load every row as they are.
func TestDraftHeaderless(t *testing.T) {
	taobao := func(scale int64, suffix string) string {
		var b strings.Builder
		for i := range 200 {
			fmt.Fprintf(&b, "%d,%d,%d,%s,%d%s\n", 1+i%17, 5000+i*7%900, 1+i%5, []string{"pv", "pv", "cart", "fav", "buy"}[i%5], (1511544070+int64(i)*613)*scale, suffix)
		}
		return b.String()
	}
	var tx strings.Builder
	for i := range 120 {
		fmt.Fprintf(&tx, "C%d,2024-01-%02d 10:%02d:00,SKU%d,%d,%d.50\n", i%9, 1+i%28, i%60, i%13, 1+i%3, 2+i%7)
	}
	tests := []struct {
		name     string
		k        dataset.Kind
		data     string
		columns  []string
		tsFormat string
		rows     int64
	}{
		{"taobao, seconds", dataset.Events, taobao(1, ""), []string{"user_id", "column1", "category", "event_type", "timestamp"}, "epoch", 200},
		{"taobao, milliseconds", dataset.Events, taobao(1000, ""), []string{"user_id", "column1", "category", "event_type", "timestamp"}, "epoch_ms", 200},
		{"order lines, ISO times", dataset.Transactions, tx.String(), []string{"user_id", "timestamp", "column2", "column3", "column4"}, "", 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "log.csv")
			os.WriteFile(path, []byte(tt.data), 0o644)
			db := openDB(t)
			text, notes, err := dataset.Draft(context.Background(), db, map[dataset.Kind]string{tt.k: path}, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) == 0 || !strings.Contains(notes[0], "has no header line: columns named from their values") {
				t.Errorf("notes %q", notes)
			}
			cfgPath := filepath.Join(dir, "persona.yaml")
			os.WriteFile(cfgPath, text, 0o644)
			cfg, err := dataset.LoadConfig(cfgPath)
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			src := cfg.Events
			if tt.k == dataset.Transactions {
				src = cfg.Transactions
			}
			if diff := cmp.Diff(tt.columns, src.CSV.Columns); diff != "" {
				t.Errorf("csv.columns (-want +got):\n%s\n%s", diff, text)
			}
			if src.TimestampFormat != tt.tsFormat {
				t.Errorf("timestamp_format %q, want %q", src.TimestampFormat, tt.tsFormat)
			}
			if tt.k == dataset.Transactions {
				// order_id is drafted as one order per customer and time; the
				// rest are no canonical names: quantity and price need a mapping.
				src.Columns["quantity"], src.Columns["unit_price"] = "column3", "column4"
			}
			st, err := dataset.Load(context.Background(), db, cfg)
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			if c := st.Counts[tt.k]; c.Used != tt.rows {
				t.Errorf("counts %+v, want %d used", c, tt.rows)
			}
		})
	}
}
