// Package runstoretest checks that an implementation of persona.RunStore
// behaves as the interface says: the tests of package store (DuckDB and
// Postgres) and package inmem run the same cases.
package runstoretest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
)

// Results makes a small run: n users with 3 random features, segments by
// nearest of two centres, a profile report built from them and two
// recommendations for every third user. Its CreatedAt grows with seed.
func Results(t testing.TB, id string, n int, seed uint64) *persona.Results {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	names := []string{"recency_days", "frequency", "monetary"}
	d := len(names)
	x := make([]float64, n*d)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("u%06d", n-1-i) // not in id order
		for j := range d {
			x[i*d+j] = rng.Float64()*10 + float64(i%2)*20
		}
	}
	xm := mat.NewDense(n, d, x)
	fitted, err := prep.Fit(xm, names, prep.Config{})
	if err != nil {
		t.Fatal(err)
	}
	z, _ := fitted.Transform(xm)
	m := &model.Model{Version: model.Version, RunID: id, Algorithm: cluster.AlgorithmKMeans, Prep: fitted,
		Segments: []model.Segment{{ID: 0, Name: "zero"}, {ID: 1, Name: "one"}},
		Centers:  [][]float64{append([]float64(nil), z.RawRowView(0)...), append([]float64(nil), z.RawRowView(1)...)}}
	segs, dist, err := m.Assign(xm)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Build(profile.Input{UserIDs: ids, Names: names, X: xm, Labels: segs, Distance: dist})
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string][]persona.Recommendation{}
	for i := 0; i < n; i += 3 {
		recs[ids[i]] = []persona.Recommendation{{Product: "p1", Score: 0.5}, {Product: fmt.Sprint("p", i), Score: 0.25}}
	}
	// Customer values for every other user, some figures unknown.
	vals := &persona.Values{TimeUnit: "weeks", End: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), HorizonMonths: 6, Discount: 0.01, LostBelow: 0.4,
		Users: make([]persona.CustomerValue, n)}
	for i := 0; i < n; i += 2 {
		c := persona.CustomerValue{Customer: true, RepeatPurchases: i % 5, FirstToLast: float64(i % 5), FirstToEnd: 10 + rng.Float64(),
			MeanRepeatValue: rng.Float64() * 50, PAlive: rng.Float64(), ExpectedPurchases: rng.Float64() * 3, ExpectedOrderValue: rng.Float64() * 40,
			CLV: rng.Float64() * 100, NextOrderDays: rng.Float64() * 60}
		if i%6 == 0 {
			c.MeanRepeatValue, c.ExpectedOrderValue, c.CLV, c.NextOrderDays = math.NaN(), math.NaN(), math.NaN(), math.Inf(1)
		}
		vals.Users[i] = c
	}
	// Columns of each kind, with missing values.
	churn, plan, email := make([]float64, n), make([]string, n), make([]string, n)
	for i := range n {
		churn[i] = float64(i % 2)
		if i%7 == 0 {
			churn[i] = math.NaN()
		}
		if i%5 != 0 {
			plan[i] = []string{"basic", "pro, \"annual\"", "Ünïcode"}[i%3]
		}
		email[i] = fmt.Sprintf("%064x", i*7919)
	}
	cols := []persona.Column{
		{Name: "churned", Kind: persona.KindOutcome, Numbers: churn},
		{Name: "plan", Kind: persona.KindAttribute, Texts: plan},
		{Name: "email_sha256", Kind: persona.KindIdentifier, Texts: email},
	}
	return &persona.Results{
		Run:     persona.Run{ID: id, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(seed) * time.Hour), Config: []byte(`{"k":2}`), Summary: []byte(`{"users":` + fmt.Sprint(n) + `}`)},
		UserIDs: ids, FeatureNames: names, X: x, Segments: segs, Distance: dist,
		Profiles: prof, Recommendations: recs, Model: m, Values: vals, Columns: cols,
	}
}

// ByID returns r as a RunStore's Load returns it: users ordered by id, and
// the run's users, segments, algorithm and fingerprint filled in.
func ByID(r *persona.Results) *persona.Results {
	c := *r
	n, d := len(r.UserIDs), len(r.FeatureNames)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	// Insertion into a sorted order; n is small in tests.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && r.UserIDs[idx[j]] < r.UserIDs[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	c.UserIDs, c.X, c.Segments, c.Distance = make([]string, n), make([]float64, 0, n*d), make([]int, n), make([]float64, n)
	for k, i := range idx {
		c.UserIDs[k], c.Segments[k], c.Distance[k] = r.UserIDs[i], r.Segments[i], r.Distance[i]
		c.X = append(c.X, r.Row(i)...)
	}
	if r.Values != nil {
		v := *r.Values
		v.Users = make([]persona.CustomerValue, n)
		for k, i := range idx {
			v.Users[k] = r.Values.Users[i]
		}
		c.Values = &v
	}
	c.Columns = nil
	for _, col := range r.Columns {
		cc := persona.Column{Name: col.Name, Kind: col.Kind}
		for _, i := range idx {
			if col.Texts != nil {
				cc.Texts = append(cc.Texts, col.Texts[i])
			} else {
				cc.Numbers = append(cc.Numbers, col.Numbers[i])
			}
		}
		c.Columns = append(c.Columns, cc)
	}
	c.Run.Users, c.Run.Segments, c.Run.Algorithm = n, len(r.Profiles.Segments), string(r.Model.Algorithm)
	if c.Run.Fingerprint == "" {
		c.Run.Fingerprint = persona.Fingerprint(r.UserIDs, r.X)
	}
	return &c
}

var cmpResults = cmp.Options{cmpopts.IgnoreUnexported(profile.Segment{}), cmpopts.EquateNaNs()}

// Test runs every case on stores made by open, each a new, empty store.
func Test(t *testing.T, open func(t *testing.T) persona.RunStore) {
	ctx := context.Background()
	t.Run("SaveCommitLoad", func(t *testing.T) {
		st := open(t)
		r1 := Results(t, "run-1", 500, 1)
		r2 := Results(t, "run-2", 300, 2)
		for _, r := range []*persona.Results{r1, r2} {
			if err := st.Save(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := st.Commit(ctx, r.Run.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := ids(t, st, persona.RunFilter{}); !cmp.Equal(got, []string{"run-2", "run-1"}) {
			t.Errorf("committed runs, newest first = %v, want [run-2 run-1]", got)
		}
		if latest, err := st.Latest(ctx); err != nil || latest != "run-2" {
			t.Errorf("Latest = %q, %v; want run-2", latest, err)
		}
		back, err := st.Load(ctx, "run-1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ByID(r1), back, cmpResults); diff != "" {
			t.Errorf("run-1 read back differs (-saved +read):\n%s", diff)
		}
		var nf *persona.RunNotFoundError
		if _, err := st.Load(ctx, "nope"); !errors.As(err, &nf) {
			t.Errorf("Load(nope) err = %v, want RunNotFoundError", err)
		}
		if err := st.Commit(ctx, "nope"); !errors.As(err, &nf) {
			t.Errorf("Commit(nope) err = %v, want RunNotFoundError", err)
		}
	})
	t.Run("PendingIsInvisible", func(t *testing.T) {
		st := open(t)
		if _, err := st.Latest(ctx); !errors.Is(err, persona.ErrNoRuns) {
			t.Errorf("Latest of an empty store: err = %v, want ErrNoRuns", err)
		}
		old := Results(t, "old", 200, 1)
		if err := st.Save(ctx, old); err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		if err := st.Save(ctx, Results(t, "new", 250, 2)); err != nil {
			t.Fatal(err)
		}
		if latest, err := st.Latest(ctx); err != nil || latest != "old" {
			t.Errorf("Latest with a newer pending run = %q, %v; want old", latest, err)
		}
		if got := ids(t, st, persona.RunFilter{}); !cmp.Equal(got, []string{"old"}) {
			t.Errorf("committed runs = %v, want [old]", got)
		}
		if got := ids(t, st, persona.RunFilter{Pending: true}); !cmp.Equal(got, []string{"new"}) {
			t.Errorf("pending runs = %v, want [new]", got)
		}
		if r, err := st.Load(ctx, "new"); err != nil || r.Run.ID != "new" || len(r.UserIDs) != 250 {
			t.Errorf("Load of a pending run: %v", err)
		}
		if err := st.Commit(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(ctx, "new"); err != nil {
			t.Errorf("committing twice: %v", err)
		}
		if latest, err := st.Latest(ctx); err != nil || latest != "new" {
			t.Errorf("Latest after Commit = %q, %v; want new", latest, err)
		}
		if err := st.Discard(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		if err := st.Discard(ctx, "never saved"); err != nil {
			t.Errorf("discarding an unknown run: %v", err)
		}
		if latest, err := st.Latest(ctx); err != nil || latest != "old" {
			t.Errorf("Latest after Discard = %q, %v; want old", latest, err)
		}
		if got := ids(t, st, persona.RunFilter{Pending: true}); len(got) != 0 {
			t.Errorf("pending runs after Discard = %v, want none", got)
		}
		back, err := st.Load(ctx, "old")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ByID(old), back, cmpResults); diff != "" {
			t.Errorf("old run read back differs (-saved +read):\n%s", diff)
		}
	})
	// A run that fails half-way (a user id twice) leaves the store as it
	// was, also when it would replace a committed run of the same id.
	t.Run("FailedSaveLeavesPreviousRun", func(t *testing.T) {
		st := open(t)
		good := Results(t, "good", 400, 3)
		if err := st.Save(ctx, good); err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(ctx, "good"); err != nil {
			t.Fatal(err)
		}
		before, err := st.Load(ctx, "good")
		if err != nil {
			t.Fatal(err)
		}
		bad := Results(t, "bad", 1200, 4)
		bad.UserIDs[1100] = bad.UserIDs[3]
		if err := st.Save(ctx, bad); err == nil {
			t.Fatal("saving a run with a duplicate user id succeeded")
		}
		broken := Results(t, "good", 1200, 5)
		broken.UserIDs[1000] = broken.UserIDs[0]
		if err := st.Save(ctx, broken); err == nil {
			t.Fatal("saving a run with a duplicate user id succeeded")
		}
		if err := st.Save(ctx, &persona.Results{Run: persona.Run{ID: "empty"}}); err == nil {
			t.Fatal("saving a run without users succeeded")
		}
		if got := ids(t, st, persona.RunFilter{}); !cmp.Equal(got, []string{"good"}) {
			t.Errorf("committed runs = %v, want [good]", got)
		}
		if got := ids(t, st, persona.RunFilter{Pending: true}); len(got) != 0 {
			t.Errorf("pending runs = %v, want none", got)
		}
		after, err := st.Load(ctx, "good")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after, cmpResults); diff != "" {
			t.Errorf("the good run changed (-before +after):\n%s", diff)
		}
	})
}

func ids(t *testing.T, st persona.RunReader, f persona.RunFilter) []string {
	t.Helper()
	runs, err := st.List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}
