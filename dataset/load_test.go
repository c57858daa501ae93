package dataset_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/klauspost/compress/zstd"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return db
}

type txRow struct {
	User, Order, TS, Product string
	Q, P                     float64
}

func readTx(t *testing.T, db *sql.DB) []txRow {
	t.Helper()
	rows, err := db.Query(`SELECT user_id, order_id, strftime(timestamp, '%Y-%m-%d %H:%M'), coalesce(product_id, ''), quantity, unit_price
		FROM transactions ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []txRow
	for rows.Next() {
		var r txRow
		if err := rows.Scan(&r.User, &r.Order, &r.TS, &r.Product, &r.Q, &r.P); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestLoadShop loads testdata/shop/tx.csv through shop.yaml; every line of
// the file is accounted for by hand in the comments.
func TestLoadShop(t *testing.T) {
	ctx := context.Background()
	cfg, err := dataset.LoadConfig(filepath.Join("testdata", "shop", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	st, err := dataset.Load(ctx, db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := dataset.Counts{
		Read:       11, // lines 2..12
		Filtered:   1,  // line 10: Shop = store
		Rejected:   4,  // lines 6, 7, 8, 9
		Duplicates: 1,  // line 4 repeats line 3
		AfterAsOf:  1,  // line 12: 9 March
		Used:       4,
		Reasons: map[string]int64{
			"empty user_id": 1, "unparsable timestamp": 1, "unparsable quantity": 1, "negative unit_price": 1,
		},
	}
	if diff := cmp.Diff(want, st.Counts[dataset.Transactions]); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	wantRows := []txRow{
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},  // 17850.0 loses its .0
		{"17850", "A1", "2024-03-01 10:00", "P2", 1, 10}, // kept once
		{"17850", "C2", "2024-03-02 09:00", "P1", -1, 5}, // a return
		{"C9", "A8", "2024-03-04 08:00", "P3", 4, 2.5},
	}
	if diff := cmp.Diff(wantRows, readTx(t, db)); diff != "" {
		t.Errorf("transactions (-want +got):\n%s", diff)
	}
	rej, err := dataset.Rejects(ctx, db, dataset.Transactions, 0)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", "shop", "tx.csv")
	wantRej := []dataset.Reject{
		{file, 3, "", "", "duplicate: 1 more copies of this row dropped by rule"},
		{file, 6, "Customer", "", "empty user_id"},
		{file, 7, "When", "yesterday", "unparsable timestamp"},
		{file, 8, "Qty", "one", "unparsable quantity"},
		{file, 9, "Price", "-5.00", "negative unit_price"},
		{file, 12, "timestamp", "2024-03-09 08:00:00", "after as_of (dropped by rule)"},
	}
	if diff := cmp.Diff(wantRej, rej); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}

	// The features of the two customers, by hand. as_of = 5 March 00:00.
	tab, err := features.Compute(ctx, db, features.Options{AsOf: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][3]float64{}
	for i, id := range tab.UserIDs {
		got[id] = [3]float64{tab.X.At(i, tab.Col("recency_days")), tab.X.At(i, tab.Col("frequency")), tab.X.At(i, tab.Col("monetary"))}
	}
	wantRFM := map[string][3]float64{
		"17850": {3 + 14.0/24, 1, 2*5 + 10 - 5}, // last order A1 on 1 March 10:00; C2 only returns
		"C9":    {16.0 / 24, 1, 4 * 2.5},
	}
	if diff := cmp.Diff(wantRFM, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("recency, frequency, monetary (-want +got):\n%s", diff)
	}

	dir := t.TempDir()
	written, err := dataset.WriteRejects(ctx, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "transactions.csv")}, written); diff != "" {
		t.Fatalf("written (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(written[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if lines[0] != "file,line,reason,column,value" || len(lines) != 1+len(wantRej) {
		t.Errorf("rejects file:\n%s", data)
	}
	if !strings.Contains(lines[3], "tx.csv,7,unparsable timestamp,When,yesterday") {
		t.Errorf("rejects file line 4 = %q", lines[3])
	}
}

// TestLoadGlobTimeZones reads two CSV files through a glob: line numbers
// are per file, offsets are converted to the configured zone, naive times
// are taken as already in it.
func TestLoadGlobTimeZones(t *testing.T) {
	tests := []struct {
		zone string
		want []string // U1's two events
	}{
		{"", []string{"2024-03-01 09:00", "2024-03-01 10:30"}},
		{"Europe/Berlin", []string{"2024-03-01 10:00", "2024-03-01 10:30"}},
	}
	for _, tt := range tests {
		t.Run("zone "+tt.zone, func(t *testing.T) {
			cfg := &dataset.Config{Events: &dataset.Source{
				Path: filepath.Join("testdata", "events", "events-*.csv"), TimeZone: tt.zone,
				Columns: map[string]string{"user_id": "uid", "timestamp": "at", "event_type": "what", "category": "cat"},
			}}
			cfg.MaxRejectRate = new(float64)
			*cfg.MaxRejectRate = 0.5
			db := openDB(t)
			st, err := dataset.Load(context.Background(), db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := st.Counts[dataset.Events]
			if c.Read != 5 || c.Rejected != 2 || c.Used != 3 {
				t.Errorf("counts %+v, want 5 read, 2 rejected, 3 used", c)
			}
			var got []string
			rows, err := db.Query(`SELECT strftime(timestamp, '%Y-%m-%d %H:%M') FROM events WHERE user_id = 'U1' ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				got = append(got, s)
			}
			rows.Close()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("U1's timestamps (-want +got):\n%s", diff)
			}
			rej, _ := dataset.Rejects(context.Background(), db, dataset.Events, 0)
			f2 := filepath.Join("testdata", "events", "events-2.csv")
			want := []dataset.Reject{
				{f2, 3, "at", "not a time", "unparsable timestamp"},
				{f2, 4, "uid", "", "empty user_id"},
			}
			if diff := cmp.Diff(want, rej); diff != "" {
				t.Errorf("rejects (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadFormats writes the shop's transactions as Parquet and JSON lines
// (with DuckDB) and checks both load to the same table as the CSV.
func TestLoadFormats(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	dir := t.TempDir()
	src := `(SELECT Invoice, CAST(CAST(Customer AS DOUBLE) AS BIGINT) AS Customer, strptime("When", '%d/%m/%Y %H:%M') AS "When",
		Item, CAST(Qty AS INTEGER) AS Qty, CAST(Price AS DOUBLE) AS Price FROM read_csv('testdata/shop/tx.csv', all_varchar = true)
		WHERE Customer LIKE '1%')`
	for _, f := range []string{"parquet", "json"} {
		if _, err := db.Exec("COPY " + src + " TO '" + filepath.Join(dir, "tx."+f) + "' (FORMAT " + f + ")"); err != nil {
			t.Fatal(err)
		}
	}
	want := []txRow{
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
		{"17850", "A1", "2024-03-01 10:00", "P2", 1, 10},
		{"17850", "C2", "2024-03-02 09:00", "P1", -1, 5},
	}
	for _, f := range []string{"parquet", "json"} {
		t.Run(f, func(t *testing.T) {
			cfg := &dataset.Config{Transactions: &dataset.Source{Path: filepath.Join(dir, "tx."+f),
				Columns: map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "When", "product_id": "Item",
					"quantity": "Qty", "unit_price": "Price"}}}
			db := openDB(t)
			st, err := dataset.Load(ctx, db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[dataset.Transactions]; c.Read != 4 || c.Duplicates != 1 || c.Used != 3 {
				t.Errorf("counts %+v, want 4 read, 1 duplicate, 3 used", c)
			}
			if diff := cmp.Diff(want, readTx(t, db)); diff != "" {
				t.Errorf("transactions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadAmount maps a line total instead of a unit price: unit_price =
// amount / quantity, and a line without quantity counts one unit.
func TestLoadAmount(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	os.WriteFile(path, []byte("cust,order,day,total\nA,o1,2024-01-01,30\nA,o2,2024-01-02,-10\n"), 0o644)
	cfg := &dataset.Config{Transactions: &dataset.Source{Path: path,
		Columns: map[string]string{"user_id": "cust", "order_id": `"order"`, "timestamp": "day", "amount": "total"}}}
	db := openDB(t)
	if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
		t.Fatal(err)
	}
	want := []txRow{{"A", "o1", "2024-01-01 00:00", "", 1, 30}, {"A", "o2", "2024-01-02 00:00", "", -1, 10}}
	got := readTx(t, db)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transactions (-want +got):\n%s", diff)
	}
}

// TestLoadErrors checks each input error names what is at fault.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "uid,at,what\nU1,2024-01-01 10:00:00,login\n")
	badTS := write("bad-ts.csv", "uid,at,what\nU1,2024-01-01 10:00:00,login\nU2,31/02/2024,login\n")
	badNum := write("bad-num.csv", "user_id,order_id,timestamp,quantity,unit_price\nU1,O1,2024-01-01,1,2.5\nU1,O2,2024-01-02,1,2.5.1\n")
	ragged := write("ragged.csv", "uid,at,what\nU1,2024-01-01 10:00:00,login\nU1,2024-01-01 10:00:00,login,extra\n")
	noUser := write("no-user.csv", "uid,at,what\n,2024-01-01 10:00:00,login\n")
	short := write("short.csv", "user_id,timestamp,event_type\nU1,2024-01-01 10:00:00,login\nU2,2024-01-01 10:00:00\n")
	empty := write("empty.csv", "")
	headerOnly := write("header-only.csv", "uid,at,what\n")
	dayFirst := write("day-first.csv", "uid,at,what\nU1,31/12/2024 10:00,login\n")
	badJSON := write("bad.jsonl", `{"uid": "U1", "at": "2024-01-01 10:00:00", "what": "login"}`+"\n\n"+`{"uid": "U2", broken}`+"\n")
	notGzip := write("plain.csv.gz", "uid,at,what\nU1,2024-01-01 10:00:00,login\n")
	var gz strings.Builder
	z := gzip.NewWriter(&gz)
	z.Write([]byte(strings.Repeat("uid,at,what\nU1,2024-01-01 10:00:00,login\n", 200)))
	z.Close()
	truncated := write("cut.csv.gz", gz.String()[:gz.Len()/2])
	ev := func(path string, cols map[string]string) *dataset.Config {
		if cols == nil {
			cols = map[string]string{"user_id": "uid", "timestamp": "at", "event_type": "what"}
		}
		return &dataset.Config{Events: &dataset.Source{Path: path, Columns: cols}}
	}
	tests := []struct {
		name string
		cfg  *dataset.Config
		want []string // all in the error
	}{
		{"missing file", ev(filepath.Join(dir, "nope.csv"), nil), []string{"events", "nope.csv", "no such file"}},
		{"glob matches nothing", ev(filepath.Join(dir, "nope-*.csv"), nil), []string{"events", "nope-*.csv", "matches no file"}},
		{"missing mapped column", ev(good, map[string]string{"user_id": "customer", "timestamp": "at", "event_type": "what"}),
			[]string{"events.columns.user_id", `column "customer" not found`, "good.csv", "uid, at, what"}},
		{"required field unmapped", ev(good, map[string]string{"user_id": "uid", "timestamp": "at"}),
			[]string{"events.columns.event_type", "required field event_type"}},
		{"bad expression", ev(good, map[string]string{"user_id": "uid", "timestamp": "at", "event_type": "what || nosuch"}),
			[]string{"events.columns.event_type", "what || nosuch", "nosuch"}},
		{"bad filter", &dataset.Config{Events: &dataset.Source{Path: good, Filter: "frob > 1",
			Columns: map[string]string{"user_id": "uid", "timestamp": "at", "event_type": "what"}}}, []string{"events.filter", "frob"}},
		{"unparsable timestamp", ev(badTS, nil), []string{"events: 1 of 2 rows rejected", "bad-ts.csv line 3, column at: unparsable timestamp \"31/02/2024\"", "rejects/events.csv"}},
		{"unparsable number", &dataset.Config{Transactions: &dataset.Source{Path: badNum, CSV: dataset.CSVOptions{Delimiter: ","}}},
			[]string{"transactions: 1 of 2 rows rejected", `bad-num.csv line 3, column unit_price: unparsable unit_price "2.5.1"`}},
		{"malformed line", ev(ragged, nil), []string{"events: read", "ragged.csv", "line 3 has 4 fields separated by ',' where the header has 3"}},
		{"empty user_id", ev(noUser, nil), []string{"events: 1 of 1 rows rejected", "no-user.csv line 2, column uid: empty user_id"}},
		// The sniffer cannot split these lines into columns: the row
		// that keeps it from doing so is the error.
		{"row with fewer fields", &dataset.Config{Events: &dataset.Source{Path: short}},
			[]string{"events: read", "short.csv", "line 3 has 2 fields", "where the header has 3 (user_id, timestamp, event_type)"}},
		{"empty file", ev(empty, nil), []string{"events: read", "empty.csv", "the file is empty"}},
		{"no rows", ev(headerOnly, nil), []string{"no row to use", "events: 0 of 0 rows"}},
		{"day-first timestamps", ev(dayFirst, nil), []string{`unparsable timestamp "31/12/2024 10:00"`, `timestamp_format "%d/%m/%Y %H:%M" reads it`}},
		{"malformed JSON line", ev(badJSON, nil), []string{"events: read", "bad.jsonl", "line 3 is not JSON"}},
		{"not gzip", ev(notGzip, nil), []string{"events: read", "plain.csv.gz", "not a gzip file"}},
		{"truncated gzip", ev(truncated, nil), []string{"events: read", "cut.csv.gz", "truncated or corrupt gzip data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dataset.Load(context.Background(), openDB(t), tt.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRejectRateError(t *testing.T) {
	cfg, err := dataset.LoadConfig(filepath.Join("testdata", "shop", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rate float64
		fail bool
	}{{0.4, false}, {0.3, true}, {0, true}} { // 4 rejects of 10 unfiltered rows
		r := tt.rate
		cfg.MaxRejectRate = &r
		_, err := dataset.Load(context.Background(), openDB(t), cfg)
		var rr *dataset.RejectRateError
		if got := errors.As(err, &rr); got != tt.fail {
			t.Fatalf("max %g: error %v, want a RejectRateError: %v", r, err, tt.fail)
		}
		if tt.fail && (rr.Counts.Rejected != 4 || rr.First.Line != 6) {
			t.Errorf("max %g: %+v", r, rr)
		}
	}
}

func TestLoadProgress(t *testing.T) {
	cfg, err := dataset.LoadConfig(filepath.Join("testdata", "shop", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	if _, err := dataset.LoadWith(context.Background(), openDB(t), cfg, dataset.LoadOptions{Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}}); err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{0, 4}, {1, 4}, {2, 4}, {3, 4}, {4, 4}} // one call per dataset, then the end
	if len(calls) != len(want) {
		t.Fatalf("progress calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("progress calls %v, want %v", calls, want)
		}
	}
}

// TestLoadGzipGlobDuplicates reads two gzipped CSV files through a glob:
// values padded with spaces still parse, a row repeated in the second file
// is dropped with the first copy's file and line reported, and a rejected
// row of the second file is reported at its own line.
func TestLoadGzipGlobDuplicates(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"tx-1.csv.gz": "Customer,Invoice,When,Item,Qty,Price\n" +
			"17850.0,A1,2024-03-01 10:00:00,P1,2,5\n" +
			" C9 , A8 , 2024-03-04 08:00:00 , P3 , 4 , 2.5 \n",
		"tx-2.csv.gz": "Customer,Invoice,When,Item,Qty,Price\n" +
			"C9,A9,2024-03-04 09:00:00,P3,1,2.5\n" +
			"17850.0,A1,2024-03-01 10:00:00,P1,2,5\n" + // the first row of tx-1 again
			"C9,A9,2024-03-04 09:00:00,P4,x,2.5\n",
	}
	for name, body := range files {
		var buf strings.Builder
		z := gzip.NewWriter(&buf)
		z.Write([]byte(body))
		z.Close()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(buf.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &dataset.Config{Transactions: &dataset.Source{Path: filepath.Join(dir, "tx-*.csv.gz"),
		Columns: map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "When", "product_id": "Item",
			"quantity": "Qty", "unit_price": "Price"}}}
	cfg.MaxRejectRate = new(float64)
	*cfg.MaxRejectRate = 0.5
	spill := t.TempDir()
	cfg.DuckDB.TempDirectory = spill
	ctx := context.Background()
	db := openDB(t)
	st, err := dataset.Load(ctx, db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Transactions]; c.Read != 5 || c.Rejected != 1 || c.Duplicates != 1 || c.Used != 3 {
		t.Errorf("counts %+v, want 5 read, 1 rejected, 1 duplicate, 3 used", c)
	}
	want := []txRow{
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
		{"C9", "A8", "2024-03-04 08:00", "P3", 4, 2.5},
		{"C9", "A9", "2024-03-04 09:00", "P3", 1, 2.5},
	}
	if diff := cmp.Diff(want, readTx(t, db)); diff != "" {
		t.Errorf("transactions (-want +got):\n%s", diff)
	}
	rej, err := dataset.Rejects(ctx, db, dataset.Transactions, 0)
	if err != nil {
		t.Fatal(err)
	}
	f1, f2 := filepath.Join(dir, "tx-1.csv.gz"), filepath.Join(dir, "tx-2.csv.gz")
	wantRej := []dataset.Reject{
		{f1, 2, "", "", "duplicate: 1 more copies of this row dropped by rule"},
		{f2, 4, "Qty", "x", "unparsable quantity"},
	}
	if diff := cmp.Diff(wantRej, rej); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(spill, "persona-*")); len(left) > 0 {
		t.Errorf("decompressed copies left behind: %v", left)
	}
}

// TestLoadParquetLikeCSV loads the same rows from two CSV files and from
// the same two files as Parquet, whose stage is a view over the files
// rather than a copy (and, with a filter, a copy): ids are normalised,
// empty and negative values rejected, late rows dropped and a row repeated
// in the second file dropped, all alike (the same row with its id written
// 17850.0 is another source row: kept); only the lines differ, Parquet
// numbering rows without a header.
func TestLoadParquetLikeCSV(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"tx-1": "Customer,Invoice,When,Item,Qty,Price\n" +
			"17850,A1,2024-03-01 10:00:00,P1,2,5\n" +
			",A2,2024-03-01 11:00:00,P1,1,5\n" + // empty user_id
			" C9 ,A8,2024-03-04 08:00:00,P3,4,2.5\n" +
			"C9,A9,2024-03-09 08:00:00,P3,1,2.5\n", // after as_of
		"tx-2": "Customer,Invoice,When,Item,Qty,Price\n" +
			"C9,A9,2024-03-04 09:00:00,P3,1,2.5\n" +
			"17850.0,A1,2024-03-01 10:00:00,P1,2,5\n" + // the first row of tx-1, its id written otherwise: kept
			"C9,A10,2024-03-04 09:00:00,P4,1,-2.5\n" + // negative unit_price
			"17850,A1,2024-03-01 10:00:00,P1,2,5\n" + // the first row of tx-1 again
			"C9,C11,2024-03-05 09:00:00,P4,-1,2.5\n", // a return
	}
	db := openDB(t)
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	// Parquet files in three folders, their times in three types.
	times := map[string]string{"parquet": "TIMESTAMP", "ns": "TIMESTAMP_NS", "tz": "TIMESTAMPTZ"}
	for name, body := range files {
		csv := filepath.Join(dir, name+".csv")
		if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		for sub, typ := range times {
			os.MkdirAll(filepath.Join(dir, sub), 0o755)
			// The empty id is written as '' rather than NULL.
			q := `COPY (SELECT * REPLACE (coalesce(Customer, '') AS Customer, CAST("When" AS ` + typ + `) AS "When")
				FROM read_csv('` + csv + `', types = {'Customer': 'VARCHAR', 'Qty': 'INTEGER', 'Price': 'DOUBLE'}))
				TO '` + filepath.Join(dir, sub, name+".parquet") + `' (FORMAT parquet)`
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	wantCounts := dataset.Counts{Read: 9, Rejected: 2, Duplicates: 1, AfterAsOf: 1, Used: 5,
		Reasons: map[string]int64{"empty user_id": 1, "negative unit_price": 1}}
	wantRows := []txRow{
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
		{"C9", "A8", "2024-03-04 08:00", "P3", 4, 2.5},
		{"C9", "A9", "2024-03-04 09:00", "P3", 1, 2.5},
		{"C9", "C11", "2024-03-05 09:00", "P4", -1, 2.5},
	}
	type rej struct {
		File         string // base name without extension
		Line         int64  // of the CSV file
		Column, What string
	}
	wantRej := []rej{
		{"tx-1", 2, "", "duplicate: 1 more copies of this row dropped by rule"},
		{"tx-1", 3, "Customer", "empty user_id"},
		{"tx-1", 5, "timestamp", "after as_of (dropped by rule)"},
		{"tx-2", 4, "Price", "negative unit_price"},
	}
	// Times with a zone read in Paris are an hour later (on the wall
	// clock there, in winter); the rest is the same.
	for _, tc := range []struct {
		name, path, filter, zone string
		header, hours            int64
		view                     bool
	}{
		{"csv", "tx-*.csv", "", "", 0, 0, false},
		{"parquet", "parquet/tx-*.parquet", "", "", 1, 0, true},
		{"parquet filtered", "parquet/tx-*.parquet", "Price > -100", "", 1, 0, false},
		{"parquet TIMESTAMP_NS", "ns/tx-*.parquet", "", "UTC", 1, 0, true},
		{"parquet TIMESTAMPTZ", "tz/tx-*.parquet", "", "", 1, 0, true},
		{"parquet TIMESTAMPTZ in Paris", "tz/tx-*.parquet", "", "Europe/Paris", 1, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &dataset.Config{AsOf: dataset.Date{Time: time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)}, Transactions: &dataset.Source{Path: filepath.Join(dir, tc.path), Filter: tc.filter, TimeZone: tc.zone,
				Columns: map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "When", "product_id": "Item",
					"quantity": "Qty", "unit_price": "Price"}}}
			cfg.MaxRejectRate = new(float64)
			*cfg.MaxRejectRate = 0.5
			ctx := context.Background()
			db := openDB(t)
			st, err := dataset.Load(ctx, db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantCounts, st.Counts[dataset.Transactions]); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			want := append([]txRow(nil), wantRows...)
			for i := range want {
				ts, _ := time.Parse("2006-01-02 15:04", want[i].TS)
				want[i].TS = ts.Add(time.Duration(tc.hours) * time.Hour).Format("2006-01-02 15:04")
			}
			if diff := cmp.Diff(want, readTx(t, db)); diff != "" {
				t.Errorf("transactions (-want +got):\n%s", diff)
			}
			rs, err := dataset.Rejects(ctx, db, dataset.Transactions, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []rej
			for _, r := range rs {
				got = append(got, rej{strings.TrimSuffix(filepath.Base(r.File), filepath.Ext(tc.path)), r.Line + tc.header, r.Column, r.Reason})
			}
			if diff := cmp.Diff(wantRej, got); diff != "" {
				t.Errorf("rejects (-want +got):\n%s", diff)
			}
			var views int
			if err := db.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE view_name = '_persona_stage_transactions'`).Scan(&views); err != nil {
				t.Fatal(err)
			}
			if got := views == 1; got != tc.view {
				t.Errorf("stage is a view: %t, want %t", got, tc.view)
			}
		})
	}
}

// TestLoadParquetRowGroups checks that a Parquet file is read where used
// only when its row groups are small enough for DuckDB to read them in
// parallel; either way every row is loaded.
func TestLoadParquetRowGroups(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t)
	const n = 1<<20 + 1
	for _, tc := range []struct {
		name  string
		group int
		view  bool
	}{
		{"small groups", 122880, true},
		{"one group", 2 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".parquet")
			q := fmt.Sprintf(`COPY (SELECT 'u' || (i %% 1000) AS user_id, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS timestamp,
				'view' AS event_type FROM range(%d) t(i)) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE %d)`, n, path, tc.group)
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
			ldb := openDB(t)
			st, err := dataset.Load(context.Background(), ldb, &dataset.Config{Events: &dataset.Source{Path: path}})
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[dataset.Events]; c.Read != n || c.Used != n {
				t.Errorf("counts %+v, want %d read and used", c, n)
			}
			var users int
			if err := ldb.QueryRow("SELECT count(DISTINCT user_id) FROM events").Scan(&users); err != nil || users != 1000 {
				t.Errorf("%d users (%v), want 1000", users, err)
			}
			var views int
			if err := ldb.QueryRow(`SELECT count(*) FROM duckdb_views() WHERE view_name = '_persona_stage_events'`).Scan(&views); err != nil {
				t.Fatal(err)
			}
			if got := views == 1; got != tc.view {
				t.Errorf("stage is a view: %t, want %t", got, tc.view)
			}
		})
	}
}

// TestLoadParquetKeepDuplicates checks that a Parquet view keeps repeated
// rows when told to, as a CSV source does.
func TestLoadParquetKeepDuplicates(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "tx.csv")
	body := "Customer,Invoice,When,Item,Qty,Price\n" +
		"17850,A1,2024-03-01 10:00:00,P1,2,5\n" +
		"17850,A1,2024-03-01 10:00:00,P1,2,5\n" +
		",A2,2024-03-01 11:00:00,P1,1,5\n" + // empty user_id
		"C9,A8,2024-03-04 08:00:00,P3,4,2.5\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(dir, "tx.parquet")
	if _, err := openDB(t).Exec(`COPY (SELECT * FROM read_csv('` + csv + `')) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	want := []txRow{
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
		{"17850", "A1", "2024-03-01 10:00", "P1", 2, 5},
		{"C9", "A8", "2024-03-04 08:00", "P3", 4, 2.5},
	}
	for _, path := range []string{csv, pq} {
		t.Run(strings.TrimPrefix(filepath.Ext(path), "."), func(t *testing.T) {
			cfg := &dataset.Config{Transactions: &dataset.Source{Path: path, Duplicates: "keep",
				Columns: map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "When", "product_id": "Item",
					"quantity": "Qty", "unit_price": "Price"}}}
			cfg.MaxRejectRate = new(float64)
			*cfg.MaxRejectRate = 0.5
			db := openDB(t)
			st, err := dataset.Load(context.Background(), db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[dataset.Transactions]; c.Read != 4 || c.Rejected != 1 || c.Duplicates != 0 || c.Used != 3 {
				t.Errorf("counts %+v, want 4 read, 1 rejected, 3 used", c)
			}
			if diff := cmp.Diff(want, readTx(t, db)); diff != "" {
				t.Errorf("transactions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadGzipLongFile reads a gzipped CSV longer than the prefix the
// loader sniffs while decompressing the rest: every row is read, a bad
// value far beyond the prefix is rejected at its own line, and the same
// file cut short fails with the file named.
func TestLoadGzipLongFile(t *testing.T) {
	dir := t.TempDir()
	const rows = 60_000
	var body strings.Builder
	body.WriteString("Customer,Invoice,When,Item,Qty,Price\n")
	for i := range rows {
		qty := fmt.Sprint(1 + i%7)
		if i == 50_000 {
			qty = "lots"
		}
		fmt.Fprintf(&body, "C%d,A%d,2024-03-%02d %02d:%02d:00,P%d,%s,%d.25\n", i%900, i, 1+i%28, i%24, i%60, i%50, qty, 1+i%30)
	}
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write([]byte(body.String()))
	z.Close()
	path := filepath.Join(dir, "tx.csv.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := func(p string) *dataset.Config {
		return &dataset.Config{Transactions: &dataset.Source{Path: p,
			Columns: map[string]string{"user_id": "Customer", "order_id": "Invoice", "timestamp": "When", "product_id": "Item",
				"quantity": "Qty", "unit_price": "Price"}}}
	}
	ctx := context.Background()
	db := openDB(t)
	st, err := dataset.Load(ctx, db, cfg(path))
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Transactions]; c.Read != rows || c.Rejected != 1 || c.Used != rows-1 {
		t.Errorf("counts %+v, want %d read, 1 rejected, %d used", c, rows, rows-1)
	}
	rej, err := dataset.Rejects(ctx, db, dataset.Transactions, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]dataset.Reject{{path, 50_002, "Qty", "lots", "unparsable quantity"}}, rej); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}

	cut := filepath.Join(dir, "cut.csv.gz")
	if err := os.WriteFile(cut, buf.Bytes()[:buf.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = dataset.Load(ctx, openDB(t), cfg(cut))
	if err == nil || !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), "truncated or corrupt") {
		t.Errorf("a file cut short: error %v, want one naming %s as truncated or corrupt", err, cut)
	}
}

// TestLoadTimestampTextUTC checks that timestamps written as text in a UTC
// source are read as DuckDB reads them through TIMESTAMPTZ (offsets and
// zone names honoured, naive times taken as UTC, dates at midnight), the
// loader's shortcut for the zone cast included, and that text that is
// not a time is rejected.
func TestLoadTimestampTextUTC(t *testing.T) {
	stamps := []string{
		"2024-01-01 10:00:00", "2024-01-01T10:00:00", "2024-01-01 10:00", "2024-01-01",
		"2024-01-01 10:00:00.123456", "2024-01-01 10:00:00.1234567", " 2024-01-01 10:00:00 ",
		"2024-01-01 10:00:00+02:00", "2024-01-01 10:00:00-0530", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00+02",
		"2024-01-01 10:00:00 UTC", "2024-07-01 10:00:00 Europe/Berlin", "2024-03-31 01:30:00 Europe/London",
		"1969-12-31 23:59:59.5",
	}
	// Read, but implausible: rejected.
	bad := []string{"not a time", "2024-13-01 10:00:00", "0044-03-15 12:00:00", "9999-12-31 23:59:59"}
	dir := t.TempDir()
	var body strings.Builder
	body.WriteString("user_id,timestamp,event_type\n")
	for i, s := range append(append([]string(nil), stamps...), bad...) {
		fmt.Fprintf(&body, "u%d,\"%s\",page_view\n", i, s)
	}
	path := filepath.Join(dir, "events.csv")
	if err := os.WriteFile(path, []byte(body.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &dataset.Config{Events: &dataset.Source{Path: path}}
	cfg.MaxRejectRate = new(float64)
	*cfg.MaxRejectRate = 0.5
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Events]; c.Rejected != int64(len(bad)) || c.Used != int64(len(stamps)) {
		t.Errorf("counts %+v, want %d rejected and %d used", c, len(bad), len(stamps))
	}
	for i, s := range stamps {
		var got, want string
		if err := db.QueryRow(`SELECT CAST("timestamp" AS VARCHAR) FROM events WHERE user_id = ?`, fmt.Sprintf("u%d", i)).Scan(&got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if err := db.QueryRow(`SELECT CAST(CAST(CAST(? AS TIMESTAMPTZ) AS TIMESTAMP) AS VARCHAR)`, s).Scan(&want); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got != want {
			t.Errorf("%q read as %s, want %s", s, got, want)
		}
	}
}

// TestLoadTimestampTextZone reads naive times of a source in its zone as
// written, converts times with an offset or a zone name to it, and keeps
// a naive time after one that named a zone in the source's zone (DuckDB's
// TIMESTAMPTZ cast would read it in the named zone).
func TestLoadTimestampTextZone(t *testing.T) {
	rows := []struct{ in, want string }{
		{"2024-07-01 10:00:00", "2024-07-01 10:00:00"},
		{"2024-07-01 10:00:00 America/New_York", "2024-07-01 16:00:00"},
		{"2024-07-01 11:00:00", "2024-07-01 11:00:00"},
		{"2024-07-01 10:00:00+00", "2024-07-01 12:00:00"},
		{"2024-01-15T08:30:00", "2024-01-15 08:30:00"},
	}
	var body strings.Builder
	body.WriteString("user_id,timestamp,event_type\n")
	for i, r := range rows {
		fmt.Fprintf(&body, "u%d,%s,page_view\n", i, r.in)
	}
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(path, []byte(body.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	if _, err := dataset.Load(context.Background(), db, &dataset.Config{Events: &dataset.Source{Path: path, TimeZone: "Europe/Berlin"}}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		var got string
		if err := db.QueryRow(`SELECT CAST("timestamp" AS VARCHAR) FROM events WHERE user_id = ?`, fmt.Sprintf("u%d", i)).Scan(&got); err != nil {
			t.Fatalf("%q: %v", r.in, err)
		}
		if got != r.want {
			t.Errorf("%q read as %s, want %s", r.in, got, r.want)
		}
	}
}

// TestLoadRejectLines checks that rejects name the line a row starts on in
// the file, not its record number, when the file has empty lines (which
// DuckDB skips) or quoted values with line breaks, in either line ending
// and through a gzipped copy; a duplicate names its first copy's line.
func TestLoadRejectLines(t *testing.T) {
	const header = "user_id,timestamp,event_type,category\n"
	tests := []struct {
		name string
		body string
		want []dataset.Reject // file is filled in
	}{
		{"plain", header + "u1,2024-01-01 10:00:00,page_view,a\nu2,bad,search,b\n",
			[]dataset.Reject{{Line: 3, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"}}},
		{"empty lines", header + "u1,2024-01-01 10:00:00,page_view,a\n\n\nu2,bad,search,b\n\nu3,2024-01-02 10:00:00,,c\n",
			[]dataset.Reject{{Line: 5, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"}, {Line: 7, Column: "event_type", Reason: "empty event_type"}}},
		{"quoted line breaks", header + "u1,2024-01-01 10:00:00,page_view,\"two\nlines\"\nu2,bad,search,\"a \"\"quote\"\" and\n\nbreaks\"\nu3,worse,search,c\n",
			[]dataset.Reject{{Line: 4, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"}, {Line: 7, Column: "timestamp", Value: "worse", Reason: "unparsable timestamp"}}},
		{"crlf", strings.ReplaceAll(header+"u1,2024-01-01 10:00:00,page_view,\"x\ny\"\n\nu2,bad,search,b\n", "\n", "\r\n"),
			[]dataset.Reject{{Line: 5, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"}}},
		{"duplicate", header + "\nu1,2024-01-01 10:00:00,page_view,a\n\nu1,2024-01-01 10:00:00,page_view,a\n",
			[]dataset.Reject{{Line: 3, Reason: "duplicate: 1 more copies of this row dropped by rule"}}},
	}
	for _, tt := range tests {
		for _, ext := range []string{"", ".gz", ".zst"} {
			t.Run(tt.name+ext, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "events.csv"+ext)
				data := []byte(tt.body)
				var buf bytes.Buffer
				switch ext {
				case ".gz":
					z := gzip.NewWriter(&buf)
					z.Write(data)
					z.Close()
					data = buf.Bytes()
				case ".zst":
					z, err := zstd.NewWriter(&buf)
					if err != nil {
						t.Fatal(err)
					}
					z.Write(data)
					z.Close()
					data = buf.Bytes()
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				got := eventRejects(t, path)
				want := slices.Clone(tt.want)
				for i := range want {
					want[i].File = path
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("rejects (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestLoadRejectLinesJSON checks the lines of rejected JSON lines records
// when the file has empty and blank lines, which DuckDB skips.
func TestLoadRejectLinesJSON(t *testing.T) {
	body := `{"user_id":"u1","timestamp":"2024-01-01 10:00:00","event_type":"page_view"}` + "\n\n   \n" +
		`{"user_id":"u2","timestamp":"bad","event_type":"search"}` + "\r\n\t\n" +
		`{"user_id":"u3","event_type":"search","note":"a \"quoted\" text"}` + "\n"
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got := eventRejects(t, path)
	want := []dataset.Reject{
		{File: path, Line: 4, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"},
		{File: path, Line: 6, Column: "timestamp", Reason: "empty timestamp"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
}

// eventRejects loads path as the events (however many rows are rejected)
// and returns the rejects.
func eventRejects(t *testing.T, path string) []dataset.Reject {
	t.Helper()
	cfg := &dataset.Config{Events: &dataset.Source{Path: path}}
	cfg.MaxRejectRate = new(float64)
	*cfg.MaxRejectRate = 1
	db := openDB(t)
	if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := dataset.Rejects(context.Background(), db, dataset.Events, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestLoadDecimalComma reads numbers written with a decimal comma, as
// European exports do (with a semicolon between fields), and refuses a
// decimal comma in a file whose fields the sniffer finds split by commas.
func TestLoadDecimalComma(t *testing.T) {
	dir := t.TempDir()
	eu := filepath.Join(dir, "eu.csv")
	body := "Kunde;Rechnung;Datum;Menge;Preis\nK1;R1;2024-12-31 10:00:00;2;2,50\nK1;R2;2024-12-30 11:00:00;1,5;10\nK2;R3;2024-12-29 12:00:00;1;-0,75\nK2;R4;2024-12-28 12:00:00;1;2.5\nK3;R5;2024-12-27 12:00:00;1.000;1.234,5\n"
	if err := os.WriteFile(eu, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cols := map[string]string{"user_id": "Kunde", "order_id": "Rechnung", "timestamp": "Datum", "quantity": "Menge", "unit_price": "Preis"}
	cfg := &dataset.Config{Transactions: &dataset.Source{Path: eu, CSV: dataset.CSVOptions{Decimal: ","}, Columns: cols}}
	cfg.MaxRejectRate = new(float64)
	*cfg.MaxRejectRate = 1
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// -0,75 is a negative price (not a return) and 2.5 no number: both
	// are rejected; points group thousands.
	want := []txRow{
		{"K1", "R1", "2024-12-31 10:00", "", 2, 2.5},
		{"K1", "R2", "2024-12-30 11:00", "", 1.5, 10},
		{"K3", "R5", "2024-12-27 12:00", "", 1000, 1234.5},
	}
	got := readTx(t, db)
	if c := st.Counts[dataset.Transactions]; c.Rejected != 2 || c.Reasons["negative unit_price"] != 1 || c.Reasons["unparsable unit_price"] != 1 {
		t.Errorf("counts %+v, want a negative and an unparsable unit_price rejected", c)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transactions (-want +got):\n%s", diff)
	}

	// Expressions see such columns as numbers.
	exprCols := map[string]string{"user_id": "Kunde", "order_id": "Rechnung", "timestamp": "Datum", "quantity": "Menge", "amount": "Menge * Preis"}
	cfg = &dataset.Config{Transactions: &dataset.Source{Path: eu, CSV: dataset.CSVOptions{Decimal: ","}, Columns: exprCols}}
	cfg.MaxRejectRate = new(float64)
	*cfg.MaxRejectRate = 1
	db = openDB(t)
	if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
		t.Fatal(err)
	}
	// (K2's lines follow the amount rules: -0,75 is a return, 2.5 a
	// line without a price.)
	got = slices.DeleteFunc(readTx(t, db), func(r txRow) bool { return r.User == "K2" })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transactions from amount: Menge * Preis (-want +got):\n%s", diff)
	}

	comma := filepath.Join(dir, "comma.csv")
	if err := os.WriteFile(comma, []byte("Kunde,Rechnung,Datum,Menge,Preis\nK1,R1,2024-12-31 10:00:00,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg = &dataset.Config{Transactions: &dataset.Source{Path: comma, CSV: dataset.CSVOptions{Decimal: ","}, Columns: cols}}
	if _, err := dataset.Load(context.Background(), openDB(t), cfg); err == nil || !strings.Contains(err.Error(), "transactions.csv.decimal") || !strings.Contains(err.Error(), "comma.csv") {
		t.Errorf("decimal comma in a comma-separated file: error %v, want one naming transactions.csv.decimal and comma.csv", err)
	}
}

// TestLoadJSONFiles reads two JSON lines files whose records have other
// keys (a key missing from one file is NULL there, keys nobody maps are
// not parsed) and ids written as numbers in one file and as strings in the
// other (both read as their text).
func TestLoadJSONFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.jsonl": `{"user_id": 1, "timestamp": "2024-01-01 10:00:00", "event_type": "page_view"}` + "\n" +
			`{"user_id": 2, "timestamp": "2024-01-01 11:00:00", "event_type": "search"}` + "\n",
		"b.jsonl": `{"user_id": "u3", "timestamp": "2024-01-02 10:00:00", "event_type": "login", "device": "mobile", "extra": {"x": [1, 2]}}` + "\n\n" +
			`{"user_id": "u4", "timestamp": "bad", "event_type": "login"}` + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &dataset.Config{Events: &dataset.Source{Path: filepath.Join(dir, "*.jsonl")}}
	cfg.MaxRejectRate = new(float64)
	*cfg.MaxRejectRate = 1
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Events]; c.Read != 4 || c.Rejected != 1 || c.Used != 3 {
		t.Errorf("counts %+v, want 4 read, 1 rejected, 3 used", c)
	}
	rows, err := db.Query(`SELECT user_id, coalesce(device, '') FROM events ORDER BY user_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][2]string
	for rows.Next() {
		var r [2]string
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if diff := cmp.Diff([][2]string{{"1", ""}, {"2", ""}, {"u3", "mobile"}}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	rej, err := dataset.Rejects(context.Background(), db, dataset.Events, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []dataset.Reject{{File: filepath.Join(dir, "b.jsonl"), Line: 3, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"}}
	if diff := cmp.Diff(want, rej); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}

	// A file holding one array of records: its rows are named by number.
	arr := filepath.Join(dir, "array.json")
	body := "[\n  {\"user_id\": \"u1\", \"timestamp\": \"2024-01-01 10:00:00\", \"event_type\": \"page_view\"},\n" +
		"  {\"user_id\": \"u2\",\n   \"timestamp\": \"bad\", \"event_type\": \"search\"}\n]\n"
	if err := os.WriteFile(arr, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	want = []dataset.Reject{{File: arr, Line: 2, Column: "timestamp", Value: "bad", Reason: "unparsable timestamp"}}
	if diff := cmp.Diff(want, eventRejects(t, arr)); diff != "" {
		t.Errorf("rejects of a JSON array (-want +got):\n%s", diff)
	}
}

// TestLoadNonFinite rejects quantities and prices that are NaN or
// infinite, written as text or stored in a typed (Parquet) column, and
// lines worth 10^15 or more: no feature can be computed from them.
func TestLoadNonFinite(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "tx.csv")
	body := "user_id,order_id,timestamp,quantity,unit_price\n" +
		"u1,o1,2024-01-01 10:00:00,1,NaN\nu2,o2,2024-01-01 10:00:00,inf,2\nu3,o3,2024-01-01 10:00:00,1,1e400\nu4,o4,2024-01-01 10:00:00,1,2\n" +
		"u5,o5,2024-01-01 10:00:00,1e200,1e200\nu6,o6,2024-01-01 10:00:00,1000,1e12\n"
	if err := os.WriteFile(csvPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	pqPath := filepath.Join(dir, "tx.parquet")
	db := openDB(t)
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * FROM (VALUES ('u1', 'o1', TIMESTAMP '2024-01-01 10:00:00', 1.0, 'nan'::DOUBLE),
		('u2', 'o2', TIMESTAMP '2024-01-01 10:00:00', '-inf'::DOUBLE, 2.0), ('u4', 'o4', TIMESTAMP '2024-01-01 10:00:00', 1.0, 2.0))
		AS v(user_id, order_id, timestamp, quantity, unit_price)) TO '%s' (FORMAT parquet)`, pqPath)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want map[string]int64
	}{
		{csvPath, map[string]int64{"unparsable unit_price": 2, "unparsable quantity": 1, "line value out of range": 2}},
		{pqPath, map[string]int64{"unparsable unit_price": 1, "unparsable quantity": 1}},
	} {
		cfg := &dataset.Config{Transactions: &dataset.Source{Path: tt.path}}
		cfg.MaxRejectRate = new(float64)
		*cfg.MaxRejectRate = 1
		db := openDB(t)
		st, err := dataset.Load(context.Background(), db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, st.Counts[dataset.Transactions].Reasons); diff != "" {
			t.Errorf("%s: reasons (-want +got):\n%s", filepath.Base(tt.path), diff)
		}
		if got := readTx(t, db); len(got) != 1 || got[0].User != "u4" {
			t.Errorf("%s: transactions %v, want u4's alone", filepath.Base(tt.path), got)
		}
	}
}

// TestLoadDuplicatesWholeRow checks that duplicates: drop drops only rows
// repeating an earlier row in every source column, mapped or not, as
// written: rows that differ in an unmapped column, or in how a mapped value
// is written, are kept; duplicates: keep keeps every row. The same rows
// are tried as CSV, JSON lines and Parquet (read where used, and copied).
func TestLoadDuplicatesWholeRow(t *testing.T) {
	dir := t.TempDir()
	csv := "user,order,at,item,line_no,qty,price\n" +
		"U1,O1,2024-03-01 10:00:00,P1,1,2,5\n" +
		"U1,O1,2024-03-01 10:00:00,P1,2,2,5\n" + // another line of the order: line_no differs
		"U1,O1,2024-03-01 10:00:00,P1,1,2,5\n" + // line 2 again: dropped
		"U1,O1,2024-03-01 10:00:00,P1,1,2,5.0\n" + // the price written otherwise: kept
		"U2,O2,2024-03-02 10:00:00,P2,,1,3\n" +
		"U2,O2,2024-03-02 10:00:00,P2,,1,3\n" + // line 6 again, an empty column included: dropped
		"U2,O2,2024-03-02 10:00:00,P2,1,1,3\n" + // not empty here: kept
		"U1,O1,2024-03-01 10:00:00,P1,1,2,5\n" // line 2 once more: dropped
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvPath := write("tx.csv", csv)
	var jsonl strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		f := strings.Split(line, ",")
		lineNo := "null"
		if f[4] != "" {
			lineNo = f[4]
		}
		price := f[6]
		if i == 3 {
			price = `"5.0"` // written otherwise, as in the CSV file
		}
		fmt.Fprintf(&jsonl, `{"user": %q, "order": %q, "at": %q, "item": %q, "line_no": %s, "qty": %s, "price": %s}`+"\n", f[0], f[1], f[2], f[3], lineNo, f[5], price)
	}
	jsonPath := write("tx.jsonl", jsonl.String())
	db := openDB(t)
	pq := filepath.Join(dir, "tx.parquet")
	if _, err := db.Exec(`COPY (SELECT * FROM read_csv('` + csvPath + `', all_varchar = true)) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	cols := map[string]string{"user_id": "user", "order_id": `"order"`, "timestamp": "at", "product_id": "item", "quantity": "qty", "unit_price": "price"}
	for _, tt := range []struct {
		name, path, filter, dups string
		rows                     int64 // used
		first                    []int64
	}{
		{"csv", csvPath, "", "", 5, []int64{2, 6}},
		{"csv keep", csvPath, "", "keep", 8, nil},
		{"json lines", jsonPath, "", "", 5, []int64{1, 5}},
		{"parquet", pq, "", "", 5, []int64{1, 5}},
		{"parquet copied", pq, "qty <> '0'", "", 5, []int64{1, 5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &dataset.Config{Transactions: &dataset.Source{Path: tt.path, Columns: cols, Filter: tt.filter, Duplicates: tt.dups}}
			db := openDB(t)
			st, err := dataset.Load(context.Background(), db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := st.Counts[dataset.Transactions]
			if c.Used != tt.rows || c.Duplicates != 8-tt.rows {
				t.Errorf("counts %+v, want %d used, %d duplicates", c, tt.rows, 8-tt.rows)
			}
			rej, err := dataset.Rejects(context.Background(), db, dataset.Transactions, 0)
			if err != nil {
				t.Fatal(err)
			}
			var first []int64
			for _, r := range rej {
				first = append(first, r.Line)
			}
			if diff := cmp.Diff(tt.first, first); diff != "" {
				t.Errorf("lines of the rows kept of each set of duplicates (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadDuplicatesAsWritten checks that in a CSV file rows are compared
// as written: a value quoted in one row and not in the other, or an id
// written 17850.0, makes another row, while an exact copy in another file
// of the same glob is a duplicate.
func TestLoadDuplicatesAsWritten(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.csv": "user_id,timestamp,event_type,note\n" +
			"U1,2024-01-01 10:00:00,view,x\n" +
			"\"U1\",2024-01-01 10:00:00,view,x\n" + // quoted: kept
			"17850,2024-01-01 10:00:00,view,x\n" +
			"17850.0,2024-01-01 10:00:00,view,x\n", // written otherwise: kept
		"b.csv": "user_id,timestamp,event_type,note\n" +
			"U1,2024-01-01 10:00:00,view,y\n" + // the note differs: kept
			"U1,2024-01-01 10:00:00,view,x\n" + // a.csv line 2 again: dropped
			"U1,2024-01-01 10:00:00,view,y\n", // line 2 again: dropped
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &dataset.Config{Events: &dataset.Source{Path: filepath.Join(dir, "*.csv")}}
	db := openDB(t)
	st, err := dataset.Load(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts[dataset.Events]; c.Used != 5 || c.Duplicates != 2 {
		t.Errorf("counts %+v, want 5 used, 2 duplicates", c)
	}
	rej, err := dataset.Rejects(context.Background(), db, dataset.Events, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []dataset.Reject{
		{File: filepath.Join(dir, "a.csv"), Line: 2, Reason: "duplicate: 1 more copies of this row dropped by rule"},
		{File: filepath.Join(dir, "b.csv"), Line: 2, Reason: "duplicate: 1 more copies of this row dropped by rule"},
	}
	if diff := cmp.Diff(want, rej); diff != "" {
		t.Errorf("rejects (-want +got):\n%s", diff)
	}
}
