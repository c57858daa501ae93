package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/server"
)

// writeMixedCustomers writes a customer table that is mostly categories:
// three planted groups by income, plan, region and the channels they use
// (a list), plus a random yes/no with missing values; and its config.
func writeMixedCustomers(t *testing.T) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("id,income,plan,region,channels,paperless\n")
	for i := range 240 {
		g := i % 3
		plan := []string{"basic", "standard", "premium"}[g]
		region := []string{"north", "south", "east"}[g]
		if rng.IntN(6) == 0 {
			region = []string{"north", "south", "east", "west"}[rng.IntN(4)]
		}
		channels := []string{"web", "app;web", "store;app"}[g]
		if rng.IntN(5) == 0 {
			channels = "web"
		}
		paper := []string{"yes", "no", ""}[rng.IntN(3)]
		fmt.Fprintf(&b, "U%03d,%.1f,%s,%s,\"%s\",%s\n", i, []float64{20, 45, 90}[g]+rng.NormFloat64()*4, plan, region, channels, paper)
	}
	if err := os.WriteFile(filepath.Join(dir, "customers.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, "persona.yaml")
	cfg := `users:
  path: customers.csv
  columns: {user_id: id}
  attributes:
    income: numeric
    plan: categorical
    region: categorical
    channels: {type: list, separator: ";"}
    paperless: boolean
`
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, config
}

// TestRunMixedAlgorithms runs k-medoids, k-prototypes and auto on a
// customer table of categories: the summary says which algorithm ran and
// why, the segments are the planted groups, the model holds the medoids
// or prototypes, and "persona score", the query of "persona export-sql"
// (in DuckDB and in Postgres) and POST /api/score of "persona serve" give
// every customer the run's segment and distance back.
func TestRunMixedAlgorithms(t *testing.T) {
	dir, config := writeMixedCustomers(t)
	cli := func(args ...string) string {
		t.Helper()
		f, stdout, errOut := testFactory()
		if code := Run(f, args); code != ExitOK {
			t.Fatalf("persona %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return stdout.String()
	}
	for _, tc := range []struct {
		flag, algorithm, reason string
	}{
		{"kmedoids", "kmedoids", "k-medoids (pam) on the Gower dissimilarities of"},
		{"kprototypes", "kprototypes", "k-prototypes on"},
		{"auto", "kprototypes", "auto: 4 of the 5 attributes are categorical (80%, at least 25%): k-prototypes"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			out, scored := filepath.Join(dir, "out-"+tc.flag), filepath.Join(dir, "scored-"+tc.flag)
			var sum pipeline.Summary
			if err := json.Unmarshal([]byte(cli("run", "-c", config, "-o", out, "--k", "3", "--algorithm", tc.flag, "--json")), &sum); err != nil {
				t.Fatal(err)
			}
			if string(sum.Algorithm) != tc.algorithm || !strings.Contains(sum.AlgorithmReason, tc.reason) {
				t.Errorf("algorithm %q, reason %q; want %q and %q", sum.Algorithm, sum.AlgorithmReason, tc.algorithm, tc.reason)
			}
			if text := cli("run", "-c", config, "-o", filepath.Join(dir, "text-"+tc.flag), "--k", "3", "--algorithm", tc.flag); !strings.Contains(text, "algorithm "+tc.algorithm+": "+sum.AlgorithmReason) {
				t.Errorf("the printed summary does not say the algorithm and why:\n%s", text)
			}
			ids, labels, _, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
			if err != nil {
				t.Fatal(err)
			}
			truth := make([]int, len(ids))
			for i, id := range ids {
				var n int
				fmt.Sscanf(id, "U%d", &n)
				truth[i] = n % 3
			}
			if a, _ := metrics.AdjustedRand(truth, labels); a < 0.9 {
				t.Errorf("ARI %.3f against the planted groups", a)
			}
			m, err := model.Read(filepath.Join(out, "model.json"))
			if err != nil {
				t.Fatal(err)
			}
			if string(m.Algorithm) != tc.algorithm || m.Mixed == nil || len(m.Segments) != 3 {
				t.Fatalf("model: algorithm %q, mixed %v, %d segments", m.Algorithm, m.Mixed != nil, len(m.Segments))
			}
			types := map[string]int{}
			for _, a := range m.Mixed.Attrs {
				types[string(a.Type)]++
			}
			if tc.algorithm == "kmedoids" && types["list"] != 1 {
				t.Errorf("attribute types %v: want channels as one list", types)
			}

			cli("score", "--model", out, "-c", config, "-o", scored, "-q")
			a, _ := os.ReadFile(filepath.Join(out, "segments.csv"))
			b, _ := os.ReadFile(filepath.Join(scored, "segments.csv"))
			if string(a) != string(b) {
				t.Error("persona score on the training customers differs from the run's segments.csv")
			}

			want, wantDist := segmentMap(ids, labels), distances(t, filepath.Join(out, "segments.csv"))
			check := func(t *testing.T, db *sql.DB, q string) {
				rs, err := db.Query(q)
				if err != nil {
					t.Fatalf("run the exported query: %v", err)
				}
				defer rs.Close()
				got := map[string]int{}
				for rs.Next() {
					var id string
					var s int
					var d float64
					if err := rs.Scan(&id, &s, &d); err != nil {
						t.Fatal(err)
					}
					got[id] = s
					if w := wantDist[id]; math.Abs(d-w) > 1e-5 {
						t.Errorf("user %s: distance %g in SQL, %g in the run", id, d, w)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("segments from SQL differ from the run (-run +sql):\n%s", diff)
				}
			}
			t.Run("duckdb", func(t *testing.T) {
				db, err := sql.Open(DriverName, "")
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				db.SetMaxOpenConns(1)
				if _, err := db.Exec(`CREATE TABLE features AS SELECT * FROM read_csv('` + filepath.Join(scored, "features.csv") + `', header = true, types = {'user_id': 'VARCHAR'})`); err != nil {
					t.Fatal(err)
				}
				check(t, db, cli("export-sql", "--model", out, "--dialect", "duckdb"))
			})
			t.Run("postgres", func(t *testing.T) {
				db, table := postgresFeatures(t, filepath.Join(scored, "features.csv"))
				check(t, db, cli("export-sql", "--model", out, "--dialect", "postgres", "--table", table))
			})
			t.Run("api", func(t *testing.T) {
				checkAPIScores(t, out, filepath.Join(scored, "features.csv"), want, wantDist)
			})
		})
	}
}

// checkAPIScores serves the run in the store out with persona serve's
// handler and posts every user's features (the rows of features, with no
// user_id, so that the model assigns them rather than the run's own
// segments being looked up) to POST /api/score: each must get its segment
// in want and its distance in dist.
func checkAPIScores(t *testing.T, out, features string, want map[string]int, dist map[string]float64) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := server.New(st, server.Options{Token: "tok", Featurize: featurizeRecords})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	header, rows := readCSV(t, features)
	for _, r := range rows {
		f := map[string]float64{}
		for j, h := range header[1:] {
			v, err := strconv.ParseFloat(r[j+1], 64)
			if err != nil {
				t.Fatalf("%s: user %s, %s: %v", features, r[0], h, err)
			}
			f[h] = v
		}
		b, _ := json.Marshal(map[string]any{"features": f})
		req := httptest.NewRequest("POST", "/api/score", strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer tok")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		var got scoredUser
		if err := json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("score user %s: %d %s", r[0], rec.Code, rec.Body)
		}
		if got.Segment.ID != want[r[0]] || math.Abs(got.Distance-dist[r[0]]) > 1e-5 || got.Known {
			t.Errorf("user %s from the API: %s; want segment %d, distance %g, not known", r[0], rec.Body, want[r[0]], dist[r[0]])
		}
	}
}

// TestRunMixedChoosesK: with k chosen from the data in the default range
// 2..12, k-medoids, k-prototypes and auto are refitted on kselect's half
// samples of the users (their attributes, not the clustering space), the
// silhouette is measured on the method's own dissimilarity, and they find
// the three planted groups. (Measured in the clustering space, the
// silhouette rose with k to the cells of the categories: k = 9 and 11.)
func TestRunMixedChoosesK(t *testing.T) {
	dir, config := writeMixedCustomers(t)
	for _, alg := range []string{"kmedoids", "kprototypes", "auto"} {
		f, stdout, errOut := testFactory()
		if code := Run(f, []string{"run", "-c", config, "-o", filepath.Join(dir, "out-"+alg), "--algorithm", alg, "--json"}); code != ExitOK {
			t.Fatalf("%s: exit %d: %s", alg, code, errOut)
		}
		var sum pipeline.Summary
		if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.K != 3 || len(sum.Warnings) != 0 {
			t.Errorf("%s: k = %d (%s, warnings %q), want the 3 planted groups", alg, sum.K, sum.KRule, sum.Warnings)
		}
		ids, labels, _, err := pipeline.ReadSegments(filepath.Join(dir, "out-"+alg, "segments.csv"))
		if err != nil {
			t.Fatal(err)
		}
		truth := make([]int, len(ids))
		for i, id := range ids {
			var n int
			fmt.Sscanf(id, "U%d", &n)
			truth[i] = n % 3
		}
		if a, _ := metrics.AdjustedRand(truth, labels); a < 0.9 {
			t.Errorf("%s: ARI %.3f against the planted groups", alg, a)
		}
		measured := false
		for _, s := range sum.KSelection {
			measured = measured || s.Stability > 0
		}
		if !measured {
			t.Errorf("%s: no stability measured in %+v", alg, sum.KSelection)
		}
	}
}
