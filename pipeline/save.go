package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/parallel"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/recommend"
)

// ModelFile is the name of the saved model in the output folder.
const ModelFile = "model.json"

// recsPerUser is how many recommendations the store keeps per user.
const recsPerUser = 10

// save writes the run's model to the staging folder and the run, pending,
// with the recommendations recs, into the store opts.Store opens (none
// when nil). labels are the stable segment ids (seg.labels after
// stableIDs).
func (r *run) save(ctx context.Context, db *sql.DB, cfg *dataset.Config, tab *features.Table, fitted *prep.Fitted, pca *prep.PCA, z *mat.Dense, seg *segmentation, dist []float64, prof *profile.Report, recs map[string][]persona.Recommendation, sum *Summary) error {
	id, created := r.id, r.created
	m, err := buildModel(id, tab, fitted, pca, z, seg, prof)
	if err != nil {
		return err
	}
	m.Value = r.valueSaved // persona score values new customers with it
	// The model must give every training user its segment back.
	diff, err := checkModel(m, tab.X, seg.labels)
	if err != nil {
		return fmt.Errorf("check the model: %w", err)
	}
	if diff > 0 {
		r.opts.Logger.Warn("the saved model assigns some training users another segment", "users", diff)
	}
	if err := m.Write(filepath.Join(r.stage.Dir, ModelFile)); err != nil {
		return err
	}
	// One key style: the config with the keys of its YAML, its
	// segmentation section holding the settings the run used.
	stored := *cfg
	o := r.opts
	stored.Segmentation = dataset.Segmentation{Algorithm: string(o.Algorithm), K: o.K, KMin: o.KMin, KMax: o.KMax, PCA: o.PCA, Seed: &o.Seed}
	switch o.Algorithm {
	case cluster.AlgorithmHierarchical:
		stored.Segmentation.Linkage = string(o.Linkage)
	case cluster.AlgorithmDBSCAN:
		stored.Segmentation.Eps, stored.Segmentation.MinSamples = o.Eps, o.MinSamples
	}
	conf, err := json.Marshal(&stored)
	if err != nil {
		return err
	}
	summary, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	raw := tab.X.RawMatrix()
	x := raw.Data
	if raw.Stride != raw.Cols {
		x = mat.DenseCopyOf(tab.X).RawMatrix().Data
	}
	if r.opts.Store == nil {
		return nil
	}
	cols, err := userColumns(ctx, db, cfg, tab)
	if err != nil {
		return err
	}
	res := &persona.Results{
		Columns:         cols,
		Run:             persona.Run{ID: id, CreatedAt: created, Config: conf, Summary: summary},
		UserIDs:         tab.UserIDs,
		FeatureNames:    tab.Names(),
		X:               x,
		Segments:        seg.labels,
		Distance:        dist,
		Profiles:        prof,
		Recommendations: recs,
		Model:           m,
		Values:          r.values,
	}
	// The run's DuckDB has given what the store takes from it: closed
	// now, its memory (up to its whole budget) is free before the store,
	// a second DuckDB instance, takes its own (execute's Close is then a
	// no-op).
	if db != nil {
		if err := db.Close(); err != nil {
			return fmt.Errorf("close database: %w", err)
		}
	}
	r.opts.Logger.Info("store", "run", id)
	return r.stage.Save(ctx, res)
}

// checkBlock is how many users checkModel assigns at a time.
const checkBlock = 16384

// checkModel assigns the users of x with m, a block of checkBlock rows at
// a time (m.Assign copies its rows twice, into the scaled and the
// clustering space: at a million users and 86 features 1.4 GB at once),
// and returns how many get another segment than labels give.
func checkModel(m *model.Model, x *mat.Dense, labels []int) (int, error) {
	n, d := x.Dims()
	diff := 0
	for lo := 0; lo < n; lo += checkBlock {
		hi := min(lo+checkBlock, n)
		got, _, err := m.Assign(x.Slice(lo, hi, 0, d).(*mat.Dense))
		if err != nil {
			return 0, err
		}
		for i, s := range got {
			if s != labels[lo+i] {
				diff++
			}
		}
	}
	return diff, nil
}

// buildModel gathers what assigning new users needs. seg.labels hold
// stable segment ids, not rows of seg.centers: the id of each centre is the
// one most of its users carry. A DBSCAN model keeps the core users' points
// in the clustering space z instead of centres.
func buildModel(id string, tab *features.Table, fitted *prep.Fitted, pca *prep.PCA, z *mat.Dense, seg *segmentation, prof *profile.Report) (*model.Model, error) {
	m := &model.Model{Version: model.Version, RunID: id, Algorithm: seg.algorithm, Features: tab.Spec, AsOf: tab.AsOf.UTC(), Prep: fitted, PCA: pca}
	names := map[int]string{}
	for _, s := range prof.Segments {
		names[s.ID] = s.Name
	}
	if seg.algorithm == cluster.AlgorithmDBSCAN {
		m.Eps = seg.dbscan.Eps
		for _, s := range prof.Segments {
			if s.ID >= 0 {
				m.Segments = append(m.Segments, model.Segment{ID: s.ID, Name: s.Name})
			}
		}
		for _, i := range seg.dbscan.CoreIndices {
			m.Core = append(m.Core, slices.Clone(z.RawRowView(i)))
			m.CoreSegments = append(m.CoreSegments, seg.labels[i])
		}
		return m, m.Validate()
	}
	k := seg.k()
	var keep []int // the clusters with a segment, in the order of m.Segments
	votes := make([]map[int]int, k)
	for i, c := range seg.rows {
		if c < 0 {
			continue
		}
		if votes[c] == nil {
			votes[c] = map[int]int{}
		}
		votes[c][seg.labels[i]]++
	}
	for c := range k {
		best, bestN := -1, 0
		for sid, v := range votes[c] {
			if v > bestN || v == bestN && sid < best {
				best, bestN = sid, v
			}
		}
		if best < 0 {
			continue // an empty centre cannot be told apart; no user lands there
		}
		m.Segments = append(m.Segments, model.Segment{ID: best, Name: names[best]})
		m.Centers = append(m.Centers, slices.Clone(seg.centers.RawRowView(c)))
		keep = append(keep, c)
	}
	if seg.mixed != nil {
		// Users are assigned by their attributes, not by the centres.
		m.Mixed, m.Centers = seg.mixed.model(tab.X, keep), nil
	}
	return m, m.Validate()
}

// recommend returns the recommendations the store keeps for the users ids
// (labels their stable segment ids): none without a store, or when the
// recommender cannot be fitted (a warning says why).
func (r *run) recommend(ctx context.Context, db *sql.DB, ids []string, labels []int) map[string][]persona.Recommendation {
	if r.opts.Store == nil {
		return nil
	}
	recs, err := recommendations(ctx, db, ids, labels)
	if err != nil {
		r.opts.Logger.Warn("no recommendations stored", "err", err)
		return nil
	}
	return recs
}

// recommendations fits the recommender on the transactions in db and
// returns each user's top products.
func recommendations(ctx context.Context, db *sql.DB, ids []string, labels []int) (map[string][]persona.Recommendation, error) {
	if db == nil {
		return nil, nil // pushed down: no purchase line leaves Postgres (pushdown.go)
	}
	seg := make(map[string]int, len(ids))
	for i, u := range ids {
		seg[u] = labels[i]
	}
	// The purchases go to the recommender as the query reads them: at 1M
	// users they are 13M lines, which as a slice held ~1.5 GB (and up to
	// twice that while it grew) on top of DuckDB's budget.
	var readErr error
	errStop := errors.New("stop")
	lines := func(yield func(recommend.Purchase) bool) {
		readErr = features.Purchases(ctx, db, func(p features.Purchase) error {
			if !yield(recommend.Purchase{User: p.User, Product: p.Product, Basket: p.Order, Time: p.Time, Value: p.Value}) {
				return errStop
			}
			return nil
		})
	}
	rm, err := recommend.FitSeq(ctx, lines, seg, recommend.Options{})
	if readErr != nil && !errors.Is(readErr, errStop) {
		return nil, readErr
	}
	if err != nil {
		return nil, err
	}
	// The users are split among the cores (the model is safe for
	// concurrent use); each list lands at its user's index.
	lists := make([][]persona.Recommendation, len(ids))
	const chunk = 1024
	err = parallel.For(ctx, runtime.GOMAXPROCS(0), (len(ids)+chunk-1)/chunk, func(_, c int) {
		for i := c * chunk; i < min((c+1)*chunk, len(ids)); i++ {
			items := rm.Recommend(ids[i], recsPerUser)
			if len(items) == 0 {
				continue
			}
			l := make([]persona.Recommendation, len(items))
			for k, it := range items {
				l[k] = persona.Recommendation{Product: it.Product, Score: it.Score}
			}
			lists[i] = l
		}
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]persona.Recommendation, len(ids))
	for i, u := range ids {
		if lists[i] != nil {
			out[u] = lists[i]
		}
	}
	return out, nil
}
