package dataset_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
)

// TestWindows1252 loads testdata/cp1252, a customer export in
// Windows-1252 with CRLF line ends: € and the typographic quotes and dash
// are read as such (DuckDB's Latin-1 refuses their bytes, 0x80-0x9F), the
// duplicate and the row without an id are named by their lines in the
// file, and nothing is left in the temp folder. persona init drafts the
// encoding from the bytes, and its draft loads the same.
func TestWindows1252(t *testing.T) {
	dir := filepath.Join("testdata", "cp1252")
	type user struct {
		ID, Stadt, Notiz string
		Umsatz           float64
	}
	type reject struct {
		Line   int64
		Reason string
	}
	load := func(t *testing.T, cfgPath, file string) {
		cfg, err := dataset.LoadConfig(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		db := openDB(t)
		ctx := context.Background()
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		if _, err := dataset.Load(ctx, db, cfg); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("SELECT user_id, stadt, notiz, umsatz FROM _persona_attrs_users ORDER BY user_id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []user
		for rows.Next() {
			var u user
			if err := rows.Scan(&u.ID, &u.Stadt, &u.Notiz, &u.Umsatz); err != nil {
				t.Fatal(err)
			}
			got = append(got, u)
		}
		want := []user{{"K1", "Köln", "Rabatt 5 €", 12.5}, {"K2", "Zürich", "„Stammkunde“", 7}, {"K4", "Köln", "neu – Test", 3}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("users (-want +got):\n%s", diff)
		}
		rej, err := dataset.Rejects(ctx, db, dataset.Users, 0)
		if err != nil {
			t.Fatal(err)
		}
		var lines []reject
		for _, r := range rej {
			if r.File != file {
				t.Errorf("reject names %s, want %s", r.File, file)
			}
			lines = append(lines, reject{int64(r.Line), r.Reason})
		}
		if diff := cmp.Diff([]reject{{2, "duplicate: 1 more copies of this row dropped by rule"}, {5, "empty user_id"}}, lines); diff != "" {
			t.Errorf("rejects (-want +got):\n%s", diff)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("left in the temp folder: %v", left)
		}
	}
	t.Run("config", func(t *testing.T) { load(t, filepath.Join(dir, "persona.yaml"), filepath.Join(dir, "customers.csv")) })
	t.Run("draft", func(t *testing.T) {
		abs, _ := filepath.Abs(filepath.Join(dir, "customers.csv"))
		out := t.TempDir()
		text, _, err := dataset.Draft(context.Background(), openDB(t), map[dataset.Kind]string{dataset.Users: abs}, out)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"encoding: windows-1252  #", `"Rabatt 5 €"`, `decimal: ","`} {
			if !strings.Contains(string(text), want) {
				t.Errorf("draft lacks %q:\n%s", want, text)
			}
		}
		cfgPath := filepath.Join(out, "persona.yaml")
		os.WriteFile(cfgPath, []byte(strings.Replace(string(text), "max_reject_rate: 0.01", "max_reject_rate: 0.5", 1)), 0o644)
		cfg, err := dataset.LoadConfig(cfgPath)
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		if cfg.Users.CSV.Encoding != "windows-1252" {
			t.Errorf("encoding %q", cfg.Users.CSV.Encoding)
		}
		load(t, cfgPath, abs)
	})
}
