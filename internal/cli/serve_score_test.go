package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/server"
)

// csvRecords reads a CSV file as records of POST /api/score, by user id
// (empty cells left out).
func csvRecords(t *testing.T, path string) map[string][]map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, r := range rows[1:] {
		m := map[string]any{}
		for j, v := range r {
			if v != "" {
				m[rows[0][j]] = v
			}
		}
		id, _ := m["user_id"].(string)
		out[id] = append(out[id], m)
	}
	return out
}

type scoredUser struct {
	UserID  string `json:"user_id"`
	Segment struct {
		ID int `json:"id"`
	} `json:"segment"`
	Distance float64 `json:"distance"`
	Far      bool    `json:"far"`
	Known    bool    `json:"known"`
	// Value is the customer value, as sent.
	Value json.RawMessage `json:"value"`
}

// userValue returns the "value" of GET /api/users/{id}, as sent.
func userValue(t *testing.T, srv *server.Server, id string) json.RawMessage {
	t.Helper()
	r := httptest.NewRequest("GET", "/api/users/"+id, nil)
	r.Header.Set("Authorization", "Bearer tok")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, r)
	var u struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &u); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("GET /api/users/%s: %d %s", id, rec.Code, rec.Body)
	}
	return u.Value
}

// jsonEqual reports whether a and b hold the same JSON value (absent
// counts as null).
func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if len(a) > 0 && json.Unmarshal(a, &x) != nil || len(b) > 0 && json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestServeScoresOwnRecords runs the demo with every algorithm the pipeline
// offers, serves the run with persona serve's handler (token on, raw
// records described by a pipeline.Featurizer as persona serve's), and posts
// users' own raw rows, one user a request, with no as_of: each user gets
// the segment and distance the run gave them, as the run's own ("known":
// the features from the rows are the run's, described at the training
// run's as_of that model.json keeps). The same rows a year later are new
// features, which the model assigns.
func TestServeScoresOwnRecords(t *testing.T) {
	for _, alg := range cluster.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"demo", "--out", out, "--users", "300", "--seed", "4", "--algorithm", string(alg), "--quiet"}
			if alg != cluster.AlgorithmDBSCAN {
				args = append(args, "--k", "4")
			}
			f, _, errOut := testFactory()
			if code := Run(f, args); code != ExitOK {
				t.Fatalf("persona %s: exit %d: %s", strings.Join(args, " "), code, errOut)
			}
			ids, labels, _, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			st, err := openStore(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// persona serve's featurizer: databases opened ahead.
			feat := pipeline.NewFeaturizer(DriverName, 2)
			defer feat.Close()
			srv, err := server.New(st, server.Options{Token: "tok", Featurize: recordsFeaturizer(feat)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Reload(ctx); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(out, "data")
			recs := map[string]map[string][]map[string]any{}
			for _, d := range []string{"users", "events", "transactions", "social"} {
				recs[d] = csvRecords(t, filepath.Join(data, d+".csv"))
			}
			// post sends user id's rows; with top, the rows without their
			// user_id and the id as the request's user_id.
			post := func(id, asOf string, top ...bool) (scoredUser, string) {
				t.Helper()
				body := map[string]any{}
				for d, by := range recs {
					if rows := by[id]; rows != nil {
						if len(top) > 0 {
							var bare []map[string]any
							for _, r := range rows {
								c := maps.Clone(r)
								delete(c, "user_id")
								bare = append(bare, c)
							}
							rows = bare
						}
						body[d] = rows
					}
				}
				req := map[string]any{"records": body}
				if asOf != "" {
					req["as_of"] = asOf
				}
				if len(top) > 0 {
					req["user_id"] = id
				}
				b, _ := json.Marshal(req)
				r := httptest.NewRequest("POST", "/api/score", strings.NewReader(string(b)))
				r.Header.Set("Authorization", "Bearer tok")
				rec := httptest.NewRecorder()
				srv.Handler().ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					t.Fatalf("score %s: %d %s", id, rec.Code, rec.Body)
				}
				var resp struct {
					Users []scoredUser `json:"users"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Users) != 1 || resp.Users[0].UserID != id {
					t.Fatalf("score %s: %v in %s", id, err, rec.Body)
				}
				return resp.Users[0], rec.Body.String()
			}
			// Every twentieth user, and the first of each segment.
			first := map[int]bool{}
			checked, valued := 0, 0
			for i, id := range ids {
				if i%20 != 0 && first[labels[i]] {
					continue
				}
				first[labels[i]] = true
				got, body := post(id, "")
				if got.Segment.ID != labels[i] || !got.Known {
					t.Errorf("user %s's own rows: %s; want segment %d of the run, known", id, body, labels[i])
				}
				// The customer value from the rows is the run's.
				want := userValue(t, srv, id)
				if !jsonEqual(got.Value, want) {
					t.Errorf("user %s's own rows: value %s; GET /api/users gives %s", id, got.Value, want)
				}
				if len(want) > 0 && string(want) != "null" {
					valued++
				}
				if checked%5 == 0 {
					if bare, body := post(id, "", true); bare.Segment.ID != labels[i] || !bare.Known {
						t.Errorf("user %s's rows without user_id, the request's user_id %q: %s; want segment %d, known", id, id, body, labels[i])
					}
				}
				checked++
			}
			if checked < 15 {
				t.Fatalf("checked %d users only", checked)
			}
			if valued < checked/4 {
				t.Errorf("%d of %d users checked have a customer value: the demo's run should value its customers", valued, checked)
			}
			// A year after the run, recencies and tenures have moved on.
			m, err := readModel(out)
			if err != nil {
				t.Fatal(err)
			}
			if m.AsOf.IsZero() {
				t.Fatal("model.json keeps no as_of")
			}
			asOf := m.AsOf.AddDate(1, 0, 0).Format("2006-01-02")
			moved := 0
			for i := 0; i < len(ids); i += 50 {
				if got, _ := post(ids[i], asOf); !got.Known {
					moved++
				}
			}
			if want := (len(ids) + 49) / 50; moved != want {
				t.Errorf("%d of %d users a year on are still the run's: want none (as_of %s)", want-moved, want, asOf)
			}
		})
	}
}
