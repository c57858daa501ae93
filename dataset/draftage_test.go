package dataset_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/persona-seg/persona/dataset"
)

// TestDraftPerUserDates drafts one-row-per-customer tables with and
// without dates: a date of birth becomes an age attribute (named age
// unless a column is), a draft without dates has no hints on timestamps,
// time zones or as_of, nor the features of timestamped datasets, and one
// whose only dates are dates of birth sets as_of to the day of the draft,
// so that it runs as drafted. Every draft loads.
func TestDraftPerUserDates(t *testing.T) {
	rows := func(header string, row func(i int) string) string {
		var b strings.Builder
		b.WriteString(header + "\n")
		for i := range 40 {
			b.WriteString(row(i) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name    string
		csv     string
		has     []string // lines of the draft, trimmed
		hasNot  []string // substrings
		asOfSet bool
	}{
		{"numbers only", rows("id,visits,spend", func(i int) string { return fmt.Sprintf("c%d,%d,%d.5", i, i%7, 10*i) }),
			[]string{"# features:"},
			[]string{"as_of", "timestamp_format", "time_zone", "top_categories", "session_gap", "recencies"}, false},
		{"date of birth only", rows("id,DOB,plan", func(i int) string {
			return fmt.Sprintf("c%d,%02d/%02d/19%d,%s", i, 1+i%28, 1+i%12, 50+i, []string{"a", "b"}[i%2])
		}),
			[]string{`age: {column: "DOB", type: age, format: "%d/%m/%Y"}  # a date of birth: the age in years at as_of; dates read with %d/%m/%Y`},
			[]string{"# as_of", "top_categories"}, true},
		{"date of birth and a date", rows("id,birth_date,last_order", func(i int) string { return fmt.Sprintf("c%d,19%d-03-04,2024-01-%02d", i, 50+i, 1+i%28) }),
			[]string{`age: {column: "birth_date", type: age}  # a date of birth: the age in years at as_of; 1950-03-04 to 1989-03-04`,
				"last_order: date  # 2024-01-01 to 2024-01-28", "# as_of: 2024-01-31", `# timestamp_format: "%Y-%m-%d %H:%M:%S"  # empty accepts ISO 8601`},
			[]string{"top_categories"}, false},
		{"an age column beside the date of birth", rows("id,Age,DateOfBirth", func(i int) string { return fmt.Sprintf("c%d,%d,19%d-03-04", i, 74-i%30, 50+i) }),
			[]string{`age: {column: "Age", type: numeric}  # 45 to 74, median 64.5`, `date_of_birth: {column: "DateOfBirth", type: age}  # a date of birth: the age in years at as_of; 1950-03-04 to 1989-03-04`},
			nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "customers.csv")
			if err := os.WriteFile(path, []byte(tt.csv), 0o644); err != nil {
				t.Fatal(err)
			}
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
			lines := map[string]bool{}
			for _, l := range strings.Split(string(text), "\n") {
				lines[strings.TrimSpace(l)] = true
			}
			for _, l := range tt.has {
				if !lines[l] {
					t.Errorf("no line %q in the draft:\n%s", l, text)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(string(text), s) {
					t.Errorf("the draft says %q:\n%s", s, text)
				}
			}
			asOf := regexp.MustCompile(`(?m)^as_of: (\d{4}-\d\d-\d\d)$`).FindStringSubmatch(string(text))
			if (asOf != nil) != tt.asOfSet {
				t.Errorf("as_of set %v, want %v:\n%s", asOf != nil, tt.asOfSet, text)
			}
			cfgPath := filepath.Join(dir, "persona.yaml")
			os.WriteFile(cfgPath, text, 0o644)
			cfg, err := dataset.LoadConfig(cfgPath)
			if err != nil {
				t.Fatalf("the draft does not load: %v\n%s", err, text)
			}
			if asOf != nil {
				if today := time.Now().UTC().Format("2006-01-02"); asOf[1] != today && asOf[1] != time.Now().UTC().Add(-time.Hour).Format("2006-01-02") {
					t.Errorf("as_of %s, want the day of the draft %s", asOf[1], today)
				}
				if cfg.AsOf.IsZero() {
					t.Errorf("the loaded config has no as_of")
				}
			}
			if _, err := dataset.Load(context.Background(), db, cfg); err != nil {
				t.Fatalf("the draft's data does not load: %v\n%s", err, text)
			}
		})
	}
}
