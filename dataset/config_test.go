package dataset_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		wantErr  string // "" means valid
		wantLine int
	}{
		{"minimal", "events:\n  path: e.csv\n", "", 0},
		{"full", `as_of: 2024-01-31
max_reject_rate: 0.05
transactions:
  path: data/*.csv.gz
  csv: {delimiter: ";", header: true, quote: '"', encoding: latin-1}
  timestamp_format: "%d/%m/%Y %H:%M"
  time_zone: Europe/London
  filter: Country <> 'Test'
  duplicates: keep
  columns:
    user_id: CustomerID
    amount: Quantity * UnitPrice
    is_return: Quantity < 0
users:
  postgres: {dsn: "postgres://u@localhost/db", table: public.users}
features: {top_categories: 5, session_gap: 45m}
duckdb: {memory_limit: 4GB, temp_directory: /tmp/spill, threads: 2}
`, "", 0},
		{"empty", "", "no dataset given", 0},
		{"no dataset", "as_of: 2024-01-01\n", "no dataset given", 0},
		{"unknown top-level key", "events:\n  path: e.csv\nevnts:\n  path: x\n", "field evnts not found", 3},
		{"unknown source key", "events:\n  path: e.csv\n  colums: {}\n", "field colums not found", 3},
		{"wrong type", "events:\n  path: e.csv\nmax_reject_rate: lots\n", "cannot unmarshal", 3},
		{"unknown canonical field", "events:\n  path: e.csv\n  columns:\n    userid: uid\n", "not a canonical field of events", 4},
		{"no path", "events:\n  format: csv\n", "events.path: missing", 1},
		{"unknown extension", "events:\n  path: e.xlsx\n", "cannot tell the format", 1},
		{"bad format", "events:\n  path: e.csv\n  format: xlsx\n", "must be csv, parquet or json", 3},
		{"bad time zone", "events:\n  path: e.csv\n  time_zone: Mars/Olympus\n", "unknown time zone", 3},
		{"bad as_of", "as_of: yesterday\nevents:\n  path: e.csv\n", "as_of: must be a date", 1},
		{"reject rate above 1", "max_reject_rate: 2\nevents:\n  path: e.csv\n", "between 0 and 1", 1},
		{"path and postgres", "events:\n  path: e.csv\n  postgres: {dsn: 'postgres://x', table: t}\n", "either path or postgres", 3},
		{"postgres table and query", "events:\n  postgres: {dsn: 'postgres://x', table: t, query: SELECT 1}\n", "exactly one of table and query", 2},
		{"postgres bad dsn", "events:\n  postgres: {dsn: 'mysql://x', table: t}\n", "postgres:// URL", 2},
		{"bad session gap", "events:\n  path: e.csv\nfeatures:\n  session_gap: soon\n", "positive duration", 4},
		{"bad duplicates", "events:\n  path: e.csv\n  duplicates: merge\n", "drop or keep", 3},
		{"long delimiter", "events:\n  path: e.csv\n  csv: {delimiter: '::'}\n", "one character", 3},
		{"decimal comma", "events:\n  path: e.csv\n  csv: {delimiter: ';', decimal: ','}\n", "", 0},
		{"bad decimal", "events:\n  path: e.csv\n  csv: {decimal: ';'}\n", `csv.decimal: must be "." or ","`, 3},
		{"segmentation", "events:\n  path: e.csv\nsegmentation: {algorithm: hierarchical, linkage: average, k_min: 3, k_max: 8, pca: -1, seed: 7}\n", "", 0},
		{"segmentation dbscan", "events:\n  path: e.csv\nsegmentation:\n  algorithm: dbscan\n  eps: 0.5\n  min_samples: 5\n", "", 0},
		{"bad algorithm", "events:\n  path: e.csv\nsegmentation:\n  algorithm: kmode\n", "segmentation.algorithm: must be auto, kmeans, hierarchical, dbscan, kmedoids or kprototypes", 4},
		{"bad linkage", "events:\n  path: e.csv\nsegmentation:\n  linkage: centroid\n", "segmentation.linkage: must be ward", 4},
		{"linkage without hierarchical", "events:\n  path: e.csv\nsegmentation:\n  algorithm: kmeans\n  linkage: average\n", "segmentation.linkage: is for algorithm hierarchical", 5},
		{"k of 1", "events:\n  path: e.csv\nsegmentation:\n  k: 1\n", "segmentation.k: must be 2 or more", 4},
		{"k range upside down", "events:\n  path: e.csv\nsegmentation:\n  k_min: 8\n  k_max: 4\n", "segmentation.k_max: must be at least k_min (8)", 5},
		{"k_min past the default k_max", "events:\n  path: e.csv\nsegmentation:\n  k_min: 20\n", "segmentation.k_min: is above the default k_max 12", 4},
		{"negative eps", "events:\n  path: e.csv\nsegmentation:\n  eps: -1\n", "segmentation.eps: must be a positive radius", 4},
		{"bad pca", "events:\n  path: e.csv\nsegmentation:\n  pca: -2\n", "segmentation.pca: must be a number of components", 4},
		{"seed not a number", "events:\n  path: e.csv\nsegmentation:\n  seed: lucky\n", "cannot unmarshal", 4},
		{"decimal comma and comma delimiter", "events:\n  path: e.csv\n  csv: {delimiter: ',', decimal: ','}\n", "needs another delimiter", 3},
		{"two documents", "events:\n  path: e.csv\n---\nusers:\n  path: u.csv\n", "more than one YAML document", 3},
		{"attributes", `users:
  path: u.csv
  attributes:
    age: numeric
    income: {column: "Income (k$)", type: numeric, log1p: true}
    band: {type: ordinal, levels: [low, mid, high]}
    tags: {type: list, separator: ";", top: 10}
    since: {type: date, format: "%d/%m/%Y"}
    cust: id
    note: ignore
outcomes: {churned: "Churn = 'Yes'"}
profiles:
  survey:
    path: s.csv
    attributes: {score: numeric}
    outcomes: {nps: NPS}
`, "", 0},
		{"bad encoding", "users:\n  path: u.csv\n  csv: {encoding: koi8-r}\n", "users.csv.encoding: must be utf-8, utf-16, latin-1 or windows-1252, got \"koi8-r\"", 3},
		{"bad attribute type", "users:\n  path: u.csv\n  attributes:\n    age: number\n", "users.attributes.age: type must be one of numeric", 4},
		{"attribute key", "users:\n  path: u.csv\n  attributes:\n    age: {kind: numeric}\n", "field kind not found in attribute age", 4},
		{"attribute not a mapping", "users:\n  path: u.csv\n  attributes: [age]\n", "attributes must be a mapping", 3},
		{"levels on a number", "users:\n  path: u.csv\n  attributes:\n    age: {type: numeric, levels: [a, b]}\n", "levels are for ordinal attributes", 4},
		{"level twice", "users:\n  path: u.csv\n  attributes:\n    band: {type: ordinal, levels: [a, a]}\n", `level "a" is listed twice`, 4},
		{"slug clash", "users:\n  path: u.csv\n  attributes:\n    Annual Income: numeric\n    annual_income: numeric\n", "give the same feature name annual_income", 5},
		{"attribute and outcome clash", "users:\n  path: u.csv\n  attributes: {churn: boolean}\noutcomes: {Churn: x}\n", "give the same feature name churn", 4},
		{"attributes on events", "events:\n  path: e.csv\n  attributes: {age: numeric}\n", "events.attributes: attributes and outcomes are per-user columns", 3},
		{"outcomes without users", "events:\n  path: e.csv\noutcomes: {churned: x}\n", "outcomes: outcomes read the users dataset's columns", 3},
		{"empty outcome", "users:\n  path: u.csv\n  outcomes: {churned: ''}\n", "users.outcomes.churned: empty", 3},
		{"log1p on a category", "users:\n  path: u.csv\n  attributes:\n    plan: {type: categorical, log1p: true}\n", "log1p is for numeric attributes", 4},
		{"profiles name", "profiles:\n  Survey:\n    path: s.csv\n    attributes: {a: numeric}\n", "profiles.Survey: a profiles table's name is lowercase", 2},
		{"profiles canonical name", "profiles:\n  users:\n    path: s.csv\n    attributes: {a: numeric}\n", "users is a canonical dataset", 2},
		{"profiles without attributes", "profiles:\n  survey:\n    path: s.csv\n", "no attributes or outcomes", 2},
		{"profiles canonical field", "profiles:\n  survey:\n    path: s.csv\n    columns: {age: Age}\n    attributes: {a: numeric}\n", "not a canonical field of profiles.survey (they are: user_id); other columns go under attributes", 4},
		{"query", "sources:\n  orders: {path: o.csv}\n  customers: {path: c.csv}\ntransactions:\n  query: SELECT * FROM orders JOIN customers USING (customer_key)\n", "", 0},
		{"query without sources", "transactions:\n  query: SELECT 1\n", "a query reads the config's sources", 2},
		{"query and path", "sources: {o: {path: o.csv}}\ntransactions:\n  path: t.csv\n  query: SELECT 1\n", "set one of path, postgres and query", 4},
		{"query with csv", "sources: {o: {path: o.csv}}\ntransactions:\n  query: SELECT 1\n  csv: {delimiter: ';'}\n", "format and csv belong to the sources", 3},
		{"two statements", "sources: {o: {path: o.csv}}\ntransactions:\n  query: SELECT 1; DROP TABLE x\n", "one SELECT statement", 3},
		{"source with columns", "sources:\n  o: {path: o.csv, columns: {user_id: u}}\nevents:\n  path: e.csv\n", "a source is only read", 2},
		{"source name", "sources:\n  Orders: {path: o.csv}\nevents:\n  path: e.csv\n", "a source's name is lowercase", 2},
		{"event types", "events:\n  path: e.csv\n  event_types: {pv: product_view, buy: checkout}\n", "", 0},
		{"event type not canonical", "events:\n  path: e.csv\n  event_types: {pv: pageview}\n", `events.event_types.pv: "pageview" is not a canonical event type (page_view, search, product_view, add_to_cart, checkout, login); did you mean page_view?`, 3},
		{"event type of one's own", "events:\n  path: e.csv\n  event_types: {fav: wishlist}\n", "", 0},
		{"event type of one's own, not a name", "events:\n  path: e.csv\n  event_types: {fav: Wish List}\n", `events.event_types.fav: "Wish List" is not a canonical event type (page_view, search, product_view, add_to_cart, checkout, login); an own name is lowercase letters, digits and _`, 3},
		{"event types on social", "social:\n  path: s.csv\n  event_types: {pv: page_view}\n", "set it under events", 3},
		{"header-less csv", "events:\n  path: e.csv\n  csv: {header: false, columns: [user_id, item, ts]}\n", "", 0},
		{"columns with a header", "events:\n  path: e.csv\n  csv: {header: true, columns: [a, b]}\n", "columns name the columns of a file without a header", 3},
		{"column named twice", "events:\n  path: e.csv\n  csv: {columns: [a, A]}\n", `column "A" is named twice`, 3},
		{"custom feature", "events:\n  path: e.csv\nfeatures:\n  custom:\n    - {name: fav_count, from: events, select: \"count(*) FILTER (WHERE event_type = 'wishlist')\", log1p: true}\n", "", 0},
		{"custom feature name", "events:\n  path: e.csv\nfeatures:\n  custom:\n    - {name: Fav, from: events, select: count(*)}\n", `features.custom[0].name: "Fav"`, 5},
		{"custom feature from", "events:\n  path: e.csv\nfeatures:\n  custom:\n    - {name: n, from: orders, select: count(*)}\n", `features.custom[0].from: "orders" is not a dataset of this config (events)`, 5},
		{"custom feature select", "events:\n  path: e.csv\nfeatures:\n  custom:\n    - {name: n, from: events}\n", "features.custom[0].select: missing", 5},
		{"custom feature twice", "events:\n  path: e.csv\nfeatures:\n  custom:\n    - {name: n, from: events, select: count(*)}\n    - {name: n, from: events, select: sum(1)}\n", "features.custom[1].name", 6},
		{"custom feature key", "events:\n  path: e.csv\nfeatures:\n  custom:\n    - {name: n, frm: events, select: count(*)}\n", "field frm not found", 5},
		{"as_of time", "as_of: 2024-01-31 18:00:00\nevents:\n  path: e.csv\n", "", 0},
		{"as_of not a scalar", "as_of: [2024]\nevents:\n  path: e.csv\n", "as_of: must be a date", 1},
		{"negative session gap", "events:\n  path: e.csv\nfeatures:\n  session_gap: -5m\n", "features.session_gap: must be a positive duration", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dataset.ParseConfig([]byte(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.Validate() != nil {
					t.Errorf("parsed config does not validate")
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			var ce *dataset.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *ConfigError", err)
			}
			if ce.Line != tt.wantLine {
				t.Errorf("line %d, want %d (%v)", ce.Line, tt.wantLine, err)
			}
		})
	}
}

func TestParseConfigValues(t *testing.T) {
	c, err := dataset.ParseConfig([]byte("transactions:\n  path: t.csv\n  columns:\n    amount: Quantity * UnitPrice\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.RejectRate(); got != dataset.DefaultMaxRejectRate {
		t.Errorf("default reject rate %g", got)
	}
	want := &dataset.Source{Path: "t.csv", Columns: map[string]string{"amount": "Quantity * UnitPrice"}}
	if diff := cmp.Diff(want, c.Transactions); diff != "" {
		t.Errorf("transactions (-want +got):\n%s", diff)
	}
	zero := 0.0
	c.MaxRejectRate = &zero
	if c.RejectRate() != 0 {
		t.Error("max_reject_rate 0 is not kept")
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	os.WriteFile(p, []byte("events:\n  path: e.csv\n  bogus: 1\n"), 0o644)
	_, err := dataset.LoadConfig(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+":3: ") {
		t.Errorf("error %v, want it to start with %s:3:", err, p)
	}
	if _, err := dataset.LoadConfig(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzParseConfig checks the loader never panics and that whatever it
// accepts validates.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"events:\n  path: e.csv\n",
		"as_of: 2024-01-31\ntransactions:\n  path: t.csv\n  columns: {amount: q * p}\n",
		"users:\n  postgres: {dsn: 'postgres://x', query: SELECT 1}\nmax_reject_rate: 0.5\n",
		"social:\n  path: s.parquet\n  csv: {delimiter: '\\t', header: false}\nfeatures: {session_gap: 10m}\n",
		"users:\n  path: u.csv\n  attributes: {age: numeric, band: {type: ordinal, levels: [a, b]}, tags: {type: list, separator: ';'}}\noutcomes: {c: x = 1}\n",
		"profiles:\n  s: {path: s.csv, attributes: {score: numeric}, outcomes: {nps: n}}\n",
		"sources: {o: {path: o.csv}}\ntransactions: {query: SELECT * FROM o}\nevents: {path: e.csv, event_types: {pv: product_view}}\n",
		"events: {path: e.csv, csv: {header: false, columns: [a, b]}}\nfeatures: {custom: [{name: n, from: events, select: count(*), default: 1}]}\n",
		"users: {path: u.csv, attributes: {a: numeric}}\nsegmentation: {algorithm: kprototypes, k: 4, k_min: 2, k_max: 6, pca: -1, seed: 3}\n",
		"users: {path: u.csv, csv: {encoding: windows-1252}, attributes: {age: {column: DOB, type: age, format: '%d/%m/%Y'}, seen: date}}\n",
		"events: [1, 2]\n",
		"{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dataset.ParseConfig(data)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Errorf("accepted config does not validate: %v", err)
		}
	})
}

// TestReadmeConfig checks the full example config in the README parses.
func TestReadmeConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Skip("no README.md")
	}
	s := string(data)
	i := strings.Index(s, "## Your own data")
	if i < 0 {
		t.Fatal("README has no \"Your own data\" section")
	}
	s = s[i:]
	start := strings.Index(s, "```yaml\n")
	end := strings.Index(s[start+8:], "```")
	if start < 0 || end < 0 {
		t.Fatal("no yaml block in the README's \"Your own data\" section")
	}
	c, err := dataset.ParseConfig([]byte(s[start+8 : start+8+end]))
	if err != nil {
		t.Fatalf("the README's config: %v", err)
	}
	for _, k := range dataset.Kinds[:3] {
		if c.Source(k) == nil {
			t.Errorf("the README's config has no %s", k)
		}
	}
}
