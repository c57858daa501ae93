package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/store"
	"github.com/persona-seg/persona/store/appender"
	"github.com/persona-seg/persona/store/pgcopy"
)

// userID is the id of synthetic user i; http mode asks for the same ids.
func userID(i int) string { return fmt.Sprintf("U%07d", i) }

// Synthetic feature names: the first are the RFM features profile knows.
func featureNames(d int) []string {
	names := []string{"recency_days", "frequency", "monetary"}
	for j := len(names); j < d; j++ {
		names = append(names, fmt.Sprintf("feature_%02d", j))
	}
	return names[:d]
}

func storeMain(ctx context.Context, args []string) error {
	fs := newFlags("store")
	dsn := fs.String("store", "", "store to write: a DuckDB file or a postgres:// URL")
	users := fs.Int("users", 1_000_000, "users")
	d := fs.Int("features", 60, "features per user")
	k := fs.Int("k", 8, "segments")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)
	if *dsn == "" {
		return fmt.Errorf("-store is required")
	}
	t0 := time.Now()
	res, err := synthetic(*users, *d, *k, *seed)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d users x %d features in %.1fs\n", *users, *d, time.Since(t0).Seconds())
	st, err := store.Open(ctx, *dsn, store.Options{Bulk: []store.BulkWriter{appender.Writer{}, pgcopy.Writer{}}})
	if err != nil {
		return err
	}
	t1 := time.Now()
	if err := st.Save(ctx, res); err != nil {
		st.Close()
		return err
	}
	if err := st.Commit(ctx, res.Run.ID); err != nil {
		st.Close()
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	fmt.Printf("saved run %s in %.1fs\n", res.Run.ID, time.Since(t1).Seconds())
	return nil
}

// synthetic makes k planted groups of users with d features each, a
// model (standard scaling, 10 principal components, the group means as
// centres) and the profiles of its segments.
func synthetic(n, d, k int, seed uint64) (*persona.Results, error) {
	rng := rand.New(rand.NewPCG(seed, 99))
	centres := make([][]float64, k)
	for c := range centres {
		centres[c] = make([]float64, d)
		for j := range centres[c] {
			centres[c][j] = rng.Float64() * 10
		}
	}
	ids := make([]string, n)
	x := make([]float64, n*d)
	for i := range n {
		ids[i] = userID(i)
		c := centres[rng.IntN(k)]
		for j := range d {
			v := c[j] + rng.NormFloat64()
			x[i*d+j] = max(v, 0)
		}
	}
	names := featureNames(d)
	xm := mat.NewDense(n, d, x)
	// Fit the preparation and the PCA on a sample, as a run on this many
	// users would choose to.
	sn := min(n, 50_000)
	sample := mat.NewDense(sn, d, x[:sn*d])
	fitted, err := prep.Fit(sample, names, prep.Config{Log1p: []string{"monetary"}})
	if err != nil {
		return nil, err
	}
	zs, err := fitted.Transform(sample)
	if err != nil {
		return nil, err
	}
	pca, err := prep.FitPCA(zs, prep.PCAConfig{Components: min(10, len(fitted.Output))})
	if err != nil {
		return nil, err
	}
	m := &model.Model{Version: model.Version, Algorithm: cluster.AlgorithmKMeans, Prep: fitted, PCA: pca}
	for c := range k {
		row := mat.NewDense(1, d, centres[c])
		z, err := fitted.Transform(row)
		if err != nil {
			return nil, err
		}
		p := mat.NewDense(1, len(pca.Components), nil)
		if err := pca.Transform(p, z); err != nil {
			return nil, err
		}
		m.Segments = append(m.Segments, model.Segment{ID: c})
		m.Centers = append(m.Centers, p.RawRowView(0))
	}
	segs, dist, err := m.Assign(xm)
	if err != nil {
		return nil, err
	}
	prof, err := profile.Build(profile.Input{UserIDs: ids, Names: names, X: xm, Labels: segs, Distance: dist})
	if err != nil {
		return nil, err
	}
	for i := range m.Segments {
		for _, s := range prof.Segments {
			if s.ID == m.Segments[i].ID {
				m.Segments[i].Name = s.Name
			}
		}
	}
	id := time.Now().UTC().Format("20060102-150405.000")
	m.RunID = id
	recs := make(map[string][]persona.Recommendation, n)
	for i, u := range ids {
		recs[u] = []persona.Recommendation{{Product: fmt.Sprintf("P%05d", (i*7)%5000), Score: 0.9}, {Product: fmt.Sprintf("P%05d", (i*13)%5000), Score: 0.5}, {Product: fmt.Sprintf("P%05d", (i*31)%5000), Score: 0.25}}
	}
	return &persona.Results{
		Run:             persona.Run{ID: id, CreatedAt: time.Now().UTC(), Config: []byte(`{"synthetic":true}`), Summary: []byte(`{}`)},
		UserIDs:         ids,
		FeatureNames:    names,
		X:               x,
		Segments:        segs,
		Distance:        dist,
		Profiles:        prof,
		Recommendations: recs,
		Model:           m,
	}, nil
}
