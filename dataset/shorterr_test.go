package dataset_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/persona-seg/persona/dataset"
)

// TestLoadErrorsShort checks that errors stay one short line naming the
// file, line or column at fault, whatever the data: no DuckDB sniffer
// dump or option list, no SQL of persona's, at most a little of a value
// quoted (a field of 245 KB included), and that columns that differ only
// by case are an error naming both, in CSV, JSON lines and Parquet.
func TestLoadErrorsShort(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := strings.Repeat("y", 245_000)
	binary := make([]byte, 5000)
	for i := range binary {
		binary[i] = byte(i*13 + 7)
	}
	var wide strings.Builder
	for i := range 2000 {
		if i > 0 {
			wide.WriteString(",")
		}
		fmt.Fprintf(&wide, "column_%d", i)
	}
	wide.WriteString("\n" + strings.Repeat("1,", 1999) + "1\n")

	// A Parquet file with columns Amount and amount, as other writers
	// make them (DuckDB renames the second when it writes): written as
	// Amount and bmount, then renamed in the file's schema.
	db := openDB(t)
	pq := filepath.Join(dir, "case.parquet")
	if _, err := db.Exec(`COPY (SELECT 'U1' AS user_id, TIMESTAMP '2024-01-01' AS timestamp, 'v' AS event_type, 1 AS "Amount", 2 AS bmount) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pq)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pq, bytes.ReplaceAll(data, []byte("bmount"), []byte("amount")), 0o644); err != nil {
		t.Fatal(err)
	}

	ev := func(path string) *dataset.Config { return &dataset.Config{Events: &dataset.Source{Path: path}} }
	tests := []struct {
		name string
		cfg  *dataset.Config
		want string
	}{
		{"binary file", ev(write("bin.csv", string(binary))), "cannot tell how it is written as CSV"},
		{"not UTF-8", ev(write("latin.csv", "user_id,timestamp,event_type\nU1,2024-01-01,caf\xe9\n")), "no UTF-8 text: set csv.encoding"},
		{"a 245 KB value rejected", ev(write("value.csv", "user_id,timestamp,event_type\nU1,"+big+",v\n")), `value.csv line 2, column timestamp: unparsable timestamp "yyy`},
		{"a 245 KB unterminated quote", ev(write("quote.csv", "user_id,timestamp,event_type\nU1,2024-01-01,v\nU1,2024-01-01,\""+big+"\n")), "unterminated quote"},
		{"a 245 KB ragged line", ev(write("ragged.csv", "user_id,timestamp,event_type\nU1,2024-01-01,v\nU1,2024-01-01,"+big+",x\n")), "line 3 has 4 fields"},
		{"2,000 columns, none the user's", ev(write("wide.csv", wide.String())), "and 1988 more"},
		{"a long bad expression", &dataset.Config{Events: &dataset.Source{Path: write("e.csv", "user_id,timestamp,event_type\nU1,2024-01-01,v\n"),
			Columns: map[string]string{"event_type": "frob(" + big[:5000] + ")"}}}, "frob does not exist"},
		{"CSV columns equal but for case", ev(write("case.csv", "user_id,timestamp,event_type,Event_Type\nU1,2024-01-01,v,w\n")),
			`columns "event_type" and "Event_Type" differ only by case`},
		{"JSON keys equal but for case", ev(write("case.jsonl", `{"user_id": "U1", "timestamp": "2024-01-01", "event_type": "v"}`+"\n"+`{"user_id": "U2", "timestamp": "2024-01-01", "Event_type": "v"}`+"\n")),
			`columns "event_type" and "Event_type" differ only by case`},
		{"Parquet columns equal but for case", ev(pq), `columns "Amount" and "amount" differ only by case`},
		{"UTF-16 columns equal but for case", &dataset.Config{Events: &dataset.Source{Path: write("case16.csv", utf16LE("user_id,timestamp,event_type,Event_Type\nU1,2024-01-01,v,w\n")),
			CSV: dataset.CSVOptions{Encoding: "utf-16"}}}, `columns "event_type" and "Event_Type" differ only by case`},
		{"Latin-1 columns equal but for case", &dataset.Config{Events: &dataset.Source{Path: write("case1.csv", "user_id,timestamp,event_type,Caf\xe9,CAF\xe9\nU1,2024-01-01,v,w,x\n"),
			CSV: dataset.CSVOptions{Encoding: "latin-1"}}}, `columns "Café" and "CAFé" differ only by case`},
		{"a NUL byte in a column name", ev(write("nul.csv", "user_id,timestamp\x00\x00,event_type\nU1,2024-01-01,v\n")), `column name "timestamp\x00\x00" holds a NUL byte`},
	}
	// The same through sources: and query datasets (config YAML, paths
	// relative to dir).
	write("src.csv", "uid,at,what\nU1,2024-01-01,v\n")
	write("src-ragged.csv", "uid,at,what\nU1,2024-01-01,v\nU1,2024-01-01,"+big+",x\n")
	write("src-case.csv", "uid,at,what,What\nU1,2024-01-01,v,w\n")
	query := func(sources, q string) *dataset.Config {
		cfg, err := dataset.ParseConfig([]byte("sources: {" + sources + "}\nevents: {query: \"" + q + "\"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.SetDir(dir)
		return cfg
	}
	const sel = `SELECT uid AS user_id, \"at\" AS timestamp, what AS event_type`
	tests = append(tests, []struct {
		name string
		cfg  *dataset.Config
		want string
	}{
		{"a source's 245 KB ragged line", query("raw: {path: src-ragged.csv}", sel+" FROM raw"), "src-ragged.csv: line 3 has 4 fields"},
		{"a source's columns equal but for case", query("raw: {path: src-case.csv}", sel+" FROM raw"), `src-case.csv: columns "what" and "What" differ only by case`},
		{"a query converting a 245 KB value", query("raw: {path: src.csv}", sel+", CAST('"+big+"' AS INTEGER) AS x FROM raw"), "events.query: Conversion Error: Could not convert string 'yyy"},
		{"a query naming no column", query("raw: {path: src.csv}", sel+", "+big[:5000]+" AS x FROM raw"), `events.query: Binder Error: Referenced column "yyy`},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dataset.Load(context.Background(), openDB(t), tt.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", clipped(msg), tt.want)
			}
			if len(msg) > 400 || strings.Contains(msg, "\n") {
				t.Errorf("error of %d bytes, or of more than one line: %q", len(msg), clipped(msg))
			}
			if n := longestRun(msg, 'y'); n > 200 {
				t.Errorf("error echoes %d bytes of the value: %q", n, clipped(msg))
			}
			for _, dump := range []string{"Possible", "sniffing", "LINE 1", "SELECT", "__file", "_persona"} {
				if strings.Contains(msg, dump) {
					t.Errorf("error %q holds %q", clipped(msg), dump)
				}
			}
		})
	}
}

// TestLoadCaseDistinct checks that names DuckDB tells apart load: they
// differ in the case of letters beyond ASCII only (DuckDB folds ASCII
// letters alone), or a JSON key no mapping reads holds a NUL byte; and
// that a UTF-16 file's header is read decoded.
func TestLoadCaseDistinct(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name string
		src  dataset.Source
	}{
		{"non-ASCII case", dataset.Source{Path: write("cafe.csv", "user_id,timestamp,event_type,Café,cafÉ\nU1,2024-01-01,v,w,x\n")}},
		{"a NUL byte in a JSON key", dataset.Source{Path: write("nul.jsonl", `{"user_id": "U1", "timestamp": "2024-01-01", "event_type": "v", "a\u0000b": 1}`+"\n")}},
		{"UTF-16", dataset.Source{Path: write("u16.csv", utf16LE("user_id,timestamp,event_type\nU1,2024-01-01,v\n")), CSV: dataset.CSVOptions{Encoding: "utf-16"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			st, err := dataset.Load(context.Background(), openDB(t), &dataset.Config{Events: &src})
			if err != nil {
				t.Fatal(err)
			}
			if c := st.Counts[dataset.Events]; c.Used != 1 {
				t.Errorf("%d rows used, want 1", c.Used)
			}
		})
	}
}

// utf16LE is s in UTF-16, little-endian, with a byte order mark.
func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

func clipped(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
