package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/runstoretest"
	"github.com/persona-seg/persona/store"
)

// viewStore is a store of one kind and how a BI tool reaches the same
// database with plain SQL.
type viewStore struct {
	dialect string
	open    func(t *testing.T, opts store.Options) *store.Store
	// sql opens the database as a BI tool would (for DuckDB only once the
	// store is closed: the file has one writer).
	sql func(t *testing.T) *sql.DB
}

func viewStores(t *testing.T) []viewStore {
	path := filepath.Join(t.TempDir(), store.File)
	out := []viewStore{{
		dialect: store.DuckDB,
		open: func(t *testing.T, opts store.Options) *store.Store {
			st, err := store.Open(context.Background(), path, opts)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		sql: func(t *testing.T) *sql.DB {
			db, err := sql.Open("duckdb", path+"?access_mode=read_only")
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
	}}
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PERSONA_TEST_POSTGRES is not: scripts/test.sh starts a Postgres server for this test")
		}
		t.Log("PERSONA_TEST_POSTGRES not set: the Postgres views are not tested")
		return out
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("persona_views_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() })
	pg := withSearchPath(dsn, schema)
	return append(out, viewStore{
		dialect: store.Postgres,
		open: func(t *testing.T, opts store.Options) *store.Store {
			st, err := store.Open(context.Background(), pg, opts)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		sql: func(t *testing.T) *sql.DB {
			db, err := sql.Open("pgx", pg)
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
	})
}

// segmentRow is a row of current_segments.
type segmentRow struct {
	User, Name, Run string
	Segment         int
	At              time.Time
	Previous        *int
}

func readSegments(t *testing.T, db *sql.DB) map[string]segmentRow {
	t.Helper()
	rows, err := db.Query(`SELECT user_id, segment_id, segment_name, run_id, assigned_at, previous_segment_id FROM current_segments`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]segmentRow{}
	for rows.Next() {
		var r segmentRow
		var prev sql.NullInt64
		if err := rows.Scan(&r.User, &r.Segment, &r.Name, &r.Run, &r.At, &prev); err != nil {
			t.Fatal(err)
		}
		if prev.Valid {
			p := int(prev.Int64)
			r.Previous = &p
		}
		r.At = r.At.UTC()
		out[r.User] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// columns lists a table's or view's columns, in order ("" when it does
// not exist).
func columns(t *testing.T, db *sql.DB, name string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT column_name FROM information_schema.columns
		WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// readFeatures reads every row of a feature view: user id to the values
// of cols (and the run_id column's value, when asked).
func readFeatures(t *testing.T, db *sql.DB, view string, cols []string, withRun bool) (map[string][]float64, map[string]bool) {
	t.Helper()
	sel := []string{"user_id"}
	if withRun {
		sel = append(sel, "run_id")
	}
	for _, c := range cols {
		sel = append(sel, `"`+c+`"`)
	}
	rows, err := db.Query("SELECT " + strings.Join(sel, ", ") + " FROM " + view)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]float64{}
	runs := map[string]bool{}
	for rows.Next() {
		var u, run string
		vals := make([]float64, len(cols))
		dest := []any{&u}
		if withRun {
			dest = append(dest, &run)
		}
		for j := range vals {
			dest = append(dest, &vals[j])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out[u] = vals
		runs[run] = true
	}
	return out, runs
}

func wantFeatures(r *persona.Results) map[string][]float64 {
	out := map[string][]float64{}
	for i, u := range r.UserIDs {
		out[u] = append([]float64(nil), r.Row(i)...)
	}
	return out
}

// TestViews saves runs into DuckDB and Postgres and reads the views back
// with plain SQL, as a BI tool would: current_segments and current_features
// show the newest committed run (never a pending one), previous_segment_id
// the segment of the run before, features_<run> one column per feature
// for every committed run; discarding the newest goes back to the one
// before.
func TestViews(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []struct {
		name string
		opts store.Options
	}{{"bulk", bulk}, {"insert", store.Options{}}} {
		for _, vs := range viewStores(t) {
			t.Run(vs.dialect+"/"+mode.name, func(t *testing.T) {
				a := runstoretest.Results(t, "20260101-120000.000", 40, 1)
				b := runstoretest.Results(t, "20260102-120000.000", 50, 2)
				// b's features have names SQL needs quoted or rewritten.
				b.FeatureNames = []string{"order", "Spend (€)", "ORDER"}
				cols := []string{"order", "spend", "order_" + colHash(t, vs, b)}
				// a has users b does not, and the other way round.
				check := func(step string, do func(st *store.Store), segs *persona.Results, prev *persona.Results, feats []*persona.Results, gone []string) {
					t.Helper()
					st := vs.open(t, mode.opts)
					do(st)
					if err := st.Close(); err != nil {
						t.Fatal(err)
					}
					db := vs.sql(t)
					defer db.Close()
					got := readSegments(t, db)
					want := map[string]segmentRow{}
					if segs != nil {
						names := map[int]string{}
						for _, s := range segs.Profiles.Segments {
							names[s.ID] = s.Name
						}
						before := map[string]int{}
						if prev != nil {
							for i, u := range prev.UserIDs {
								before[u] = prev.Segments[i]
							}
						}
						for i, u := range segs.UserIDs {
							r := segmentRow{User: u, Segment: segs.Segments[i], Name: names[segs.Segments[i]], Run: segs.Run.ID, At: segs.Run.CreatedAt.UTC()}
							if p, ok := before[u]; ok {
								r.Previous = &p
							}
							want[u] = r
						}
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: current_segments (-want +got):\n%s", step, diff)
					}
					for _, r := range feats {
						view := "features_" + strings.NewReplacer("-", "_", ".", "_").Replace(r.Run.ID)
						c := []string{"recency_days", "frequency", "monetary"}
						if r == b {
							c = cols
						}
						if got := columns(t, db, view); !cmp.Equal(got, append([]string{"user_id"}, c...)) {
							t.Errorf("%s: %s has columns %v, want user_id and %v", step, view, got, c)
							continue
						}
						f, _ := readFeatures(t, db, view, c, false)
						if diff := cmp.Diff(wantFeatures(r), f); diff != "" {
							t.Errorf("%s: %s (-want +got):\n%s", step, view, diff)
						}
					}
					for _, id := range gone {
						view := "features_" + strings.NewReplacer("-", "_", ".", "_").Replace(id)
						if c := columns(t, db, view); c != nil {
							t.Errorf("%s: %s exists (%v), but run %s is not committed", step, view, c, id)
						}
					}
					cur := columns(t, db, "current_features")
					if segs == nil {
						if !cmp.Equal(cur, []string{"run_id", "user_id"}) {
							t.Errorf("%s: current_features has columns %v, want run_id, user_id only", step, cur)
						}
						return
					}
					c := []string{"recency_days", "frequency", "monetary"}
					if segs == b {
						c = cols
					}
					if !cmp.Equal(cur, append([]string{"run_id", "user_id"}, c...)) {
						t.Errorf("%s: current_features has columns %v, want run_id, user_id, %v", step, cur, c)
						return
					}
					f, runs := readFeatures(t, db, "current_features", c, true)
					if diff := cmp.Diff(wantFeatures(segs), f); diff != "" || !cmp.Equal(runs, map[string]bool{segs.Run.ID: true}) {
						t.Errorf("%s: current_features of runs %v (-want +got):\n%s", step, runs, diff)
					}
				}
				check("empty", func(*store.Store) {}, nil, nil, nil, []string{a.Run.ID})
				check("a pending", func(st *store.Store) { save(t, st, a, false) }, nil, nil, nil, []string{a.Run.ID})
				check("a committed", func(st *store.Store) { commit(t, st, a.Run.ID) }, a, nil, []*persona.Results{a}, nil)
				check("b pending", func(st *store.Store) { save(t, st, b, false) }, a, nil, []*persona.Results{a}, []string{b.Run.ID})
				check("b committed", func(st *store.Store) { commit(t, st, b.Run.ID) }, b, a, []*persona.Results{a, b}, nil)
				check("b discarded", func(st *store.Store) {
					if err := st.Discard(ctx, b.Run.ID); err != nil {
						t.Fatal(err)
					}
				}, a, nil, []*persona.Results{a}, []string{b.Run.ID})
				check("a saved again", func(st *store.Store) { save(t, st, a, false) }, nil, nil, nil, []string{a.Run.ID})
				check("a committed again", func(st *store.Store) { commit(t, st, a.Run.ID) }, a, nil, []*persona.Results{a}, nil)
			})
		}
	}
}

// colHash is the suffix columnNames gives the second "order" of b: the
// test reads it from the store's own table of columns.
func colHash(t *testing.T, vs viewStore, b *persona.Results) string {
	t.Helper()
	st := vs.open(t, store.Options{})
	save(t, st, b, false)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db := vs.sql(t)
	var c string
	err := db.QueryRow(`SELECT column_name FROM persona_feature_columns WHERE run_id = $1 AND position = 3`, b.Run.ID).Scan(&c)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st = vs.open(t, store.Options{})
	if err := st.Discard(context.Background(), b.Run.ID); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if !strings.HasPrefix(c, "order_") || len(c) != len("order_")+8 {
		t.Fatalf("the second ORDER is column %q, want order_ and 8 hex digits", c)
	}
	return strings.TrimPrefix(c, "order_")
}

func save(t *testing.T, st *store.Store, r *persona.Results, commitToo bool) {
	t.Helper()
	if err := st.Save(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if commitToo {
		commit(t, st, r.Run.ID)
	}
}

func commit(t *testing.T, st *store.Store, id string) {
	t.Helper()
	if err := st.Commit(context.Background(), id); err != nil {
		t.Fatal(err)
	}
}

// readmeQuery returns the BI query of the README, from its section on the
// store's views, so that the README's example is run here.
func readmeQuery(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## A store BI tools read")
	if i < 0 {
		t.Fatal("README.md has no section '## A store BI tools read'")
	}
	s = s[i:]
	j := strings.Index(s, "```sql\n")
	k := strings.Index(s[j+7:], "```")
	if j < 0 || k < 0 {
		t.Fatal("the README's section on the views has no ```sql block")
	}
	return s[j+7 : j+7+k]
}

// TestReadmeQuery runs the README's BI query on both stores after two
// committed runs: it lists the users now in the segment it names who were
// in another one before, with their features.
func TestReadmeQuery(t *testing.T) {
	q := readmeQuery(t)
	if !strings.Contains(q, "'champions%'") {
		t.Fatalf("the README query no longer filters on 'champions%%':\n%s", q)
	}
	for _, vs := range viewStores(t) {
		t.Run(vs.dialect, func(t *testing.T) {
			a := runstoretest.Results(t, "20260101-000000.000", 60, 1)
			b := runstoretest.Results(t, "20260102-000000.000", 60, 2)
			// Segment 1 of b is "the champions"; a user of a keeps its id
			// in b (both runs have the same ids) and may change segment.
			for i := range b.Profiles.Segments {
				if b.Profiles.Segments[i].ID == 1 {
					b.Profiles.Segments[i].Name = "champions of the test"
				}
			}
			for i := range b.Segments {
				if i%5 == 0 {
					b.Segments[i] = 1 - b.Segments[i] // some users move
				}
			}
			st := vs.open(t, bulk)
			save(t, st, a, true)
			save(t, st, b, true)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			before := map[string]int{}
			for i, u := range a.UserIDs {
				before[u] = a.Segments[i]
			}
			want := map[string]float64{}
			for i, u := range b.UserIDs {
				if b.Segments[i] == 1 && before[u] != 1 {
					want[u] = b.Row(i)[2] // monetary
				}
			}
			if len(want) == 0 {
				t.Fatal("no user moved into segment 1: the test says nothing")
			}
			db := vs.sql(t)
			defer db.Close()
			rows, err := db.Query(q)
			if err != nil {
				t.Fatalf("the README query fails on %s: %v\n%s", vs.dialect, err, q)
			}
			defer rows.Close()
			got := map[string]float64{}
			last := math.Inf(1)
			for rows.Next() {
				var u string
				var prev sql.NullInt64
				var mon, freq float64
				if err := rows.Scan(&u, &prev, &mon, &freq); err != nil {
					t.Fatal(err)
				}
				if mon > last {
					t.Errorf("rows not by monetary, descending")
				}
				last = mon
				got[u] = mon
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("README query (-want +got):\n%s", diff)
			}
		})
	}
}
