package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/recommend"
	"github.com/persona-seg/persona/store"
)

// ModelFile is the name of the saved model in the output folder.
const ModelFile = "model.json"

// recsPerUser is how many recommendations the store keeps per user.
const recsPerUser = 10

// save writes the run's model to the staging folder and the run into the
// store (opts.Store, else the DuckDB file store.File in opts.Out) in one
// transaction. labels are the stable segment ids (fit.Labels after
// stableIDs).
func (r *run) save(ctx context.Context, driverName string, db *sql.DB, cfg *dataset.Config, tab *features.Table, fitted *prep.Fitted, fit *cluster.KMeansResult, dist []float64, prof *profile.Report, sum *Summary) error {
	created := time.Now().UTC()
	id := created.Format("20060102-150405.000")
	m, err := buildModel(id, tab, fitted, r.opts.PCA, fit, prof)
	if err != nil {
		return err
	}
	// The model must give every training user its segment back.
	got, _, err := m.Assign(tab.X)
	if err != nil {
		return fmt.Errorf("check the model: %w", err)
	}
	var diff int
	for i, s := range got {
		if s != fit.Labels[i] {
			diff++
		}
	}
	if diff > 0 {
		r.opts.Logger.Warn("the saved model assigns some training users another segment", "users", diff)
	}
	if err := m.Write(filepath.Join(r.stage, ModelFile)); err != nil {
		return err
	}
	recs, err := recommendations(ctx, db, tab.UserIDs, fit.Labels)
	if err != nil {
		r.opts.Logger.Warn("no recommendations stored", "err", err)
	}
	conf, err := json.Marshal(struct {
		Data    *dataset.Config `json:"data"`
		Seed    uint64          `json:"seed"`
		K       int             `json:"k,omitempty"`
		KMin    int             `json:"k_min"`
		KMax    int             `json:"k_max"`
		PCA     int             `json:"pca"`
		Feature features.Options
	}{cfg, r.opts.Seed, r.opts.K, r.opts.KMin, r.opts.KMax, r.opts.PCA, r.opts.Features})
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
	res := &store.Results{
		Run:             store.Run{ID: id, CreatedAt: created, Config: conf, Summary: summary},
		UserIDs:         tab.UserIDs,
		FeatureNames:    tab.Names(),
		X:               x,
		Segments:        fit.Labels,
		Distance:        dist,
		Profiles:        prof,
		Recommendations: recs,
		Model:           m,
	}
	dsn := r.opts.Store
	if dsn == "" {
		dsn = filepath.Join(r.opts.Out, store.File)
	}
	st, err := store.Open(ctx, driverName, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	r.opts.Logger.Info("store", "run", id, "dialect", st.Dialect())
	return st.Save(ctx, res)
}

// buildModel gathers what assigning new users needs. fit.Labels hold
// stable segment ids, not rows of fit.Centers: the centre of each id is
// found from the rows nearest to it.
func buildModel(id string, tab *features.Table, fitted *prep.Fitted, pcaComponents int, fit *cluster.KMeansResult, prof *profile.Report) (*model.Model, error) {
	m := &model.Model{Version: model.Version, RunID: id, Algorithm: model.KMeans, Features: tab.Spec, Prep: fitted}
	z, err := fitted.Transform(tab.X)
	if err != nil {
		return nil, err
	}
	n, d := z.Dims()
	if pcaComponents >= 0 && pcaComponents < d && pcaComponents < n {
		// The same fit as reduce's: PCA is deterministic.
		if m.PCA, err = prep.FitPCA(z, prep.PCAConfig{Components: pcaComponents}); err != nil {
			return nil, err
		}
		zz := mat.NewDense(n, pcaComponents, nil)
		if err := m.PCA.Transform(zz, z); err != nil {
			return nil, err
		}
		z = zz
	}
	rows := fit.Predict(z, nil)
	k, _ := fit.Centers.Dims()
	votes := make([]map[int]int, k)
	for i, c := range rows {
		if votes[c] == nil {
			votes[c] = map[int]int{}
		}
		votes[c][fit.Labels[i]]++
	}
	names := map[int]string{}
	for _, s := range prof.Segments {
		names[s.ID] = s.Name
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
		m.Centers = append(m.Centers, slices.Clone(fit.Centers.RawRowView(c)))
	}
	return m, m.Validate()
}

// recommendations fits the recommender on the transactions in db and
// returns each user's top products.
func recommendations(ctx context.Context, db *sql.DB, ids []string, labels []int) (map[string][]store.Recommendation, error) {
	rows, err := db.QueryContext(ctx, `SELECT user_id, product_id, coalesce(order_id, ''), timestamp, quantity * unit_price
		FROM transactions WHERE quantity > 0 AND user_id IS NOT NULL AND product_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []recommend.Purchase
	for rows.Next() {
		var p recommend.Purchase
		if err := rows.Scan(&p.User, &p.Product, &p.Basket, &p.Time, &p.Value); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	seg := make(map[string]int, len(ids))
	for i, u := range ids {
		seg[u] = labels[i]
	}
	rm, err := recommend.Fit(ctx, ps, seg, recommend.Options{})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]store.Recommendation, len(ids))
	for _, u := range ids {
		for _, it := range rm.Recommend(u, recsPerUser) {
			out[u] = append(out[u], store.Recommendation{Product: it.Product, Score: it.Score})
		}
	}
	return out, nil
}
