package pipeline

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/internal/fault"
	"github.com/persona-seg/persona/kselect"
	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/report"
	"github.com/persona-seg/persona/value"
)

// Options configures a run. The zero value means defaults.
type Options struct {
	// Out is the folder the run's outputs go to (created if missing).
	Out string
	// Seed makes every random choice reproducible. Default 0 is a valid seed.
	Seed uint64
	// KMin and KMax bound the number of segments tried. Default 2..12.
	KMin, KMax int
	// K, when > 0, fixes the number of segments instead of choosing it.
	K int
	// NInit is the number of k-means restarts per k. Default 10.
	NInit int
	// Algorithm is one of cluster.Algorithms(), auto by default. auto is
	// kprototypes when categorical attributes are at least
	// AutoCategoricalShare of the attributes, kmeans otherwise. kmedoids
	// segments users around medoids by the Gower dissimilarity of their
	// attributes (model.Mixed says how features become attributes): PAM
	// up to 5,000 users, FasterPAM while the dissimilarity matrix fits
	// mixedMemory, CLARA above; kprototypes uses the same attributes
	// (numbers in their prepared units, categories by mismatch).
	Algorithm cluster.Algorithm
	// Linkage is the hierarchical linkage, Ward by default.
	Linkage cluster.LinkageMethod
	// Eps and MinSamples configure DBSCAN; Eps 0 chooses eps from the knee
	// of the k-distance curve, MinSamples 0 means 10.
	Eps        float64
	MinSamples int
	// PCA is the number of principal components of the scaled features
	// that clustering works on. Default 10; -1 clusters on all scaled
	// features. Fewer, denoised dimensions let the silhouette see the
	// segments that many weakly informative features would blur.
	PCA int
	// SilhouetteSample is how many users the silhouette used to choose k is
	// computed on (stratified by segment). Default 4000; 0 < n means all.
	SilhouetteSample int
	// Features configures the feature SQL.
	Features features.Options
	// Sample, when > 0, fits prep and clustering on that many users,
	// picked by a stratified, seeded rule (sample.go), and assigns every
	// user with the fitted model: pushed down, into the table AssignTable
	// of the source database (only the sample's feature rows leave it),
	// else on this machine into segments.csv. The profiles' sizes, shares
	// and means are then every user's (per-segment aggregates, computed
	// in the database when pushed down). A sample not below the users is
	// a full fit.
	Sample int
	// AssignTable is the table (schema.table allowed) a pushed-down run
	// with a Sample writes every user's segment into: user_id, segment,
	// distance, replacing the previous one in one transaction. Default
	// DefaultAssignTable.
	AssignTable string
	// Title heads the report.
	Title string
	// Truth, when set, is a CSV of user_id and a known group (the demo's
	// planted personas); the summary then reports ari_vs_planted.
	Truth string
	// Store opens the store the run is saved in (it is called once the
	// results are ready, so a DuckDB file stays free for readers until
	// then). Nil saves the run in no store.
	Store func(ctx context.Context) (persona.RunStore, error)
	// Logger receives one line per step. Nil discards.
	Logger *slog.Logger
	// Progress, when set, is called as steps start and advance.
	Progress func(Progress)
}

// Progress reports how far a step has come.
type Progress struct {
	Step  string
	Done  int
	Total int // 0 when unknown
}

func (o Options) withDefaults() Options {
	if o.KMin == 0 {
		o.KMin = 2
	}
	if o.KMax == 0 {
		o.KMax = 12
	}
	if o.NInit == 0 {
		o.NInit = 10
	}
	if o.PCA == 0 {
		o.PCA = 10
	}
	if o.Algorithm == "" {
		o.Algorithm = cluster.AlgorithmAuto
	}
	if o.Linkage == "" {
		o.Linkage = cluster.LinkageWard
	}
	if o.MinSamples == 0 {
		o.MinSamples = 10
	}
	if o.SilhouetteSample == 0 {
		o.SilhouetteSample = 4000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Title == "" {
		o.Title = "persona segments"
	}
	if o.AssignTable == "" {
		o.AssignTable = DefaultAssignTable
	}
	return o
}

// Validate reports the first option that is out of range.
func (o Options) Validate() error {
	_, linkErr := cluster.ParseLinkage(string(cmp.Or(o.Linkage, cluster.LinkageWard)))
	switch {
	case o.Out == "":
		return fmt.Errorf("output folder not set")
	case o.KMin < 0 || o.KMax < 0 || o.K < 0:
		return fmt.Errorf("k range must be positive, got %d..%d", o.KMin, o.KMax)
	case o.KMin != 0 && o.KMin < 2:
		return fmt.Errorf("k range must start at 2 or more, got %d", o.KMin)
	case o.KMin != 0 && o.KMax != 0 && o.KMax < o.KMin:
		return fmt.Errorf("k range %d..%d is empty", o.KMin, o.KMax)
	case o.NInit < 0:
		return fmt.Errorf("n-init must be >= 1, got %d", o.NInit)
	case o.Algorithm != "" && !slices.Contains(cluster.Algorithms(), o.Algorithm):
		return fmt.Errorf("algorithm must be one of %s, got %q", joinNames(cluster.Algorithms()), o.Algorithm)
	case linkErr != nil:
		return fmt.Errorf("linkage %w", linkErr)
	case o.Eps < 0 || math.IsNaN(o.Eps) || math.IsInf(o.Eps, 0):
		return fmt.Errorf("eps must be a positive number, or 0 to choose it, got %v", o.Eps)
	case o.MinSamples < 0:
		return fmt.Errorf("min-samples must be >= 1, got %d", o.MinSamples)
	case o.PCA < -1:
		return fmt.Errorf("pca must be a number of components, or -1 for none, got %d", o.PCA)
	case o.Sample < 0:
		return fmt.Errorf("sample must be a number of users, got %d", o.Sample)
	}
	if o.AssignTable != "" {
		if err := checkTableName(o.AssignTable); err != nil {
			return err
		}
	}
	return o.Features.Validate()
}

// joinNames joins names with ", ".
func joinNames[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}

// Summary is what summary.json holds.
type Summary struct {
	// RunID is the id of the run, in the store and in model.json.
	RunID             string                    `json:"run_id"`
	Users             int                       `json:"users"`
	Features          int                       `json:"features"`
	PCAComponents     int                       `json:"pca_components"`
	PCAVariance       float64                   `json:"pca_explained_variance"`
	FeaturesUsed      []string                  `json:"features_used"`
	Dropped           []string                  `json:"features_dropped,omitempty"`
	AsOf              string                    `json:"as_of"`
	Rows              map[string]int64          `json:"rows_read"`
	Datasets          map[string]dataset.Counts `json:"datasets"`
	Rejects           []string                  `json:"rejects,omitempty"`
	Algorithm         cluster.Algorithm         `json:"algorithm"`
	AlgorithmReason   string                    `json:"algorithm_reason,omitempty"`
	Eps               float64                   `json:"eps,omitempty"`
	Noise             int                       `json:"unsegmented,omitempty"`
	Warnings          []string                  `json:"warnings,omitempty"`
	K                 int                       `json:"k"`
	KRule             string                    `json:"k_rule"`
	KElbow            int                       `json:"k_elbow,omitempty"`
	KSelection        []kselect.Score           `json:"k_selection,omitempty"`
	Silhouette        float64                   `json:"silhouette"`
	SilhouetteSample  int                       `json:"silhouette_sample"`
	CalinskiHarabasz  float64                   `json:"calinski_harabasz"`
	DaviesBouldin     float64                   `json:"davies_bouldin"`
	Inertia           float64                   `json:"inertia"`
	Sizes             []int                     `json:"sizes"`
	Segments          []persona.Segment         `json:"segments"`
	ARIVsPlanted      *float64                  `json:"ari_vs_planted,omitempty"`
	Seed              uint64                    `json:"seed"`
	Timings           map[string]float64        `json:"timings_seconds"`
	TotalSeconds      float64                   `json:"total_seconds"`
	PlantedVsSegments map[string]map[string]int `json:"planted_vs_segments,omitempty"`
	// Memory is the budget DuckDB ran in (its memory limit, where that
	// came from, where it spilled) and the bytes of the Go side's feature
	// matrices.
	Memory *Memory `json:"memory,omitempty"`
	// Value is the customer-value step's account; nil when it was skipped.
	Value *ValueSummary `json:"value,omitempty"`
	// Engine is where the features were computed (duckdb: the rows were
	// copied into the embedded DuckDB; postgres: pushed down, pushdown.go),
	// RowsTransferred the rows read from Postgres sources over the wire:
	// every raw row copied, or the feature table, the customer-days and
	// the sampled rejects (README "When your data outgrows one machine").
	Engine          string `json:"engine"`
	RowsTransferred int64  `json:"rows_transferred"`
	// Sample is the account of a fit on a sample (Options.Sample).
	Sample *SampleSummary `json:"sample,omitempty"`
}

// Memory is summary.json's account of memory: DuckDB's budget, and what
// the Go side's matrices take.
type Memory struct {
	dataset.Memory
	// MatrixBytes is the bytes of the feature table, its scaled copy (8
	// per user and feature each) and the space clustering works in (8 per
	// user and dimension, when PCA makes one).
	MatrixBytes int64 `json:"go_matrix_bytes"`
}

type run struct {
	opts    Options
	id      string    // the run's id: its creation time
	created time.Time // when the run started
	start   time.Time
	timings map[string]float64
	stage   *Stage // where the outputs are written until the commit
	// valueSaved is the value step's models, saved with the model, and
	// values its figures, saved in the store.
	valueSaved *value.Saved
	values     *persona.Values
	prep       prepared
	// wb is the write-back session of a pushed-down run with a sample.
	wb *writeBack
}

func (r *run) step(name string, f func() error) error {
	r.opts.Logger.Info("step", "name", name)
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{Step: name})
	}
	if err := fault.Check("step-" + name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	t := time.Now()
	err := f()
	r.timings[name] = math.Round(time.Since(t).Seconds()*1000) / 1000
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Run runs the pipeline on the datasets cfg describes and commits the
// outputs to opts.Out (doc.go, # Output folders): all of them or, when it
// fails, none, leaving the previous results as they were. The rows that
// could not be used go to opts.Out/rejects/<dataset>.csv; when they are
// too many to go on, to opts.Out/rejects-ID/. The DuckDB driver must be
// registered under driverName.
func Run(ctx context.Context, driverName string, cfg *dataset.Config, opts Options) (*Summary, error) {
	return execute(ctx, driverName, opts, func(string, *Options) (*dataset.Config, error) { return cfg, nil })
}

// execute runs the pipeline in a stage of opts.Out on the datasets that
// inputs returns (it may write them into the stage folder it is given, and
// set options that name them), and commits the stage.
func execute(ctx context.Context, driverName string, opts Options, inputs func(stage string, o *Options) (*dataset.Config, error)) (sum *Summary, err error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	out, err := OpenOut(ctx, opts.Out, OutOptions{Store: opts.Store, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	defer out.Close()
	created := time.Now().UTC()
	r := &run{opts: opts, id: created.Format("20060102-150405.000"), created: created, start: time.Now(), timings: map[string]float64{}}
	if r.stage, err = out.Stage(r.id); err != nil {
		return nil, err
	}
	defer func() {
		if aerr := r.stage.Abort(ctx); err != nil && aerr != nil {
			err = errors.Join(err, aerr)
		}
	}()
	cfg, err := inputs(r.stage.Dir, &r.opts)
	if err != nil {
		return nil, err
	}
	opts = r.opts
	stage := r.stage.Dir

	sum = &Summary{RunID: r.id, Seed: opts.Seed, Algorithm: opts.Algorithm}
	engine, err := cfg.PushdownEngine()
	if err != nil {
		return nil, err
	}
	var (
		db   *sql.DB           // the embedded DuckDB holding the rows; nil when pushed down
		push *dataset.Pushdown // the Postgres server computing the features (pushdown.go)
		tab  *features.Table
	)
	defer func() {
		if r.wb != nil {
			r.wb.close()
		}
	}()
	var all *features.Table // every user's features, fitted on a sample of them on this machine
	if engine == dataset.EnginePostgres {
		if push, tab, err = r.pushdown(ctx, cfg, sum); push != nil {
			defer push.Close()
		}
	} else {
		if db, err = sql.Open(driverName, ""); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		tab, err = r.loadDuckDB(ctx, db, cfg, sum)
		if err == nil && opts.Sample > 0 {
			if s := r.sampleLocal(tab, sum); s != tab {
				all, tab = tab, s
			}
		}
	}
	if err != nil {
		return nil, err
	}
	for _, w := range tab.Warnings {
		r.warn(sum, w)
	}
	n, d := tab.X.Dims()
	sum.Users, sum.Features = n, d
	if !tab.AsOf.IsZero() {
		sum.AsOf = tab.AsOf.Format(time.RFC3339)
	}
	opts.Logger.Info("features", "users", n, "features", d, "as_of", sum.AsOf)

	var (
		z      *mat.Dense // the space clustering works in
		fitted *prep.Fitted
		pca    *prep.PCA // nil when clustering works on all scaled features
	)
	if err := r.step("prepare", func() (err error) {
		fitted, z, err = prepare(tab)
		if err != nil {
			return err
		}
		r.prep = prepared{tab: tab, fitted: fitted, z: z}
		z, pca, err = reduce(z, opts.PCA)
		if pca != nil {
			sum.PCAComponents = len(pca.Components)
			sum.PCAVariance = floats.Sum(pca.ExplainedVarianceRatio)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if sum.Memory != nil {
		_, scaled := r.prep.z.Dims()
		m := 0 // without PCA, z is the scaled copy
		if pca != nil {
			_, m = z.Dims()
		}
		sum.Memory.MatrixBytes = 8 * int64(n) * int64(d+scaled+m)
	}
	sum.FeaturesUsed = fitted.Names()
	for _, dr := range fitted.Dropped {
		sum.Dropped = append(sum.Dropped, dr.Column+" ("+string(dr.Reason)+")")
	}

	var seg *segmentation
	if err := r.step("cluster", func() (err error) {
		seg, err = r.segment(ctx, z, sum)
		return err
	}); err != nil {
		return nil, err
	}
	// The segmentation was the last to read the scaled copy: with PCA it
	// is not z, and goes (8 bytes per user and feature).
	r.prep.z = nil
	dist := centreDistances(z, seg)
	if seg.mixed != nil {
		dist = seg.mixed.dist // the model's: Gower to the medoid, k-prototypes cost
	}

	if err := r.step("quality", func() (err error) {
		// Quality is measured on the segmented users (DBSCAN noise aside).
		zc, lc := clustered(z, seg.labels)
		m, _ := zc.Dims()
		if seg.k() < 2 {
			r.opts.Logger.Warn("one segment only: no silhouette")
			return nil
		}
		sum.SilhouetteSample = sampleSize(opts.SilhouetteSample, m)
		sum.Silhouette, err = metrics.Silhouette(ctx, zc, lc, metrics.SilhouetteOptions{SampleSize: sum.SilhouetteSample, Seed: opts.Seed})
		if err != nil {
			return err
		}
		if sum.CalinskiHarabasz, err = metrics.CalinskiHarabasz(zc, lc); err != nil {
			return err
		}
		sum.DaviesBouldin, err = metrics.DaviesBouldin(zc, lc)
		return err
	}); err != nil {
		return nil, err
	}
	sum.Inertia = seg.inertia
	keep := r.stableIDs(tab.UserIDs, seg.labels) // from here on seg.labels are stable ids; seg.rows index seg.centers

	var worth *customerValues
	if err := r.step("value", func() (err error) {
		worth, err = r.customerValue(ctx, r.purchaseDays(ctx, db, push, sum), cfg.Value, tab.AsOf, tab.UserIDs, sum)
		return err
	}); err != nil {
		return nil, err
	}
	var worthUsers *profile.ValueInput
	if worth != nil {
		worthUsers = worth.users
	}

	var prof *profile.Report
	if err := r.step("profile", func() (err error) {
		prof, err = profile.Build(profile.Input{UserIDs: tab.UserIDs, Names: tab.Names(), Columns: profileColumns(tab, sum.Rows),
			X: tab.X, Labels: seg.labels, Distance: dist, Space: z, Keep: keep, Outcomes: profileOutcomes(tab), Value: worthUsers})
		return err
	}); err != nil {
		return nil, err
	}
	for _, s := range prof.Segments {
		sum.Sizes = append(sum.Sizes, s.Size)
		sum.Segments = append(sum.Segments, persona.Segment{ID: s.ID, Name: s.Name, Previous: s.Previous, Size: s.Size, Share: s.Share})
	}
	for _, w := range segmentWarnings(tab, seg.labels, prof.Segments) {
		r.warn(sum, w)
	}
	var everyone *assignedAll // the local assignment of all
	if all != nil || r.wb != nil {
		if err := r.step("assign", func() error {
			m, err := buildModel(r.id, tab, fitted, pca, z, seg, prof)
			if err != nil {
				return err
			}
			everyone, err = r.assignAll(ctx, all, tab, m, prof, sum)
			return err
		}); err != nil {
			return nil, err
		}
		sum.Users = sum.Sample.Users
		sum.Sizes, sum.Segments = nil, nil
		for _, s := range prof.Segments {
			sum.Sizes = append(sum.Sizes, s.Size)
			sum.Segments = append(sum.Segments, persona.Segment{ID: s.ID, Name: s.Name, Previous: s.Previous, Size: s.Size, Share: s.Share})
		}
	}

	if opts.Truth != "" {
		if err := r.step("truth", func() error { return compareTruth(opts.Truth, tab.UserIDs, seg.labels, prof, sum) }); err != nil {
			return nil, err
		}
	}

	if err := r.step("report", func() error {
		beh, err := behaviour(ctx, db, tab.UserIDs, seg.labels)
		if err != nil {
			return err
		}
		in, err := report.Build(ctx, report.Sources{
			Title: opts.Title, Table: tab, Space: z, Labels: seg.labels, Profiles: prof, Columns: profileColumns(tab, sum.Rows), Behaviour: beh,
			Run: r.reportRun(sum), Dendrogram: seg.dendro, DBSCAN: seg.dbscan, Value: worth.reportSource(),
		})
		if err != nil {
			return err
		}
		return report.Write(ctx, stage, in, report.WriteOptions{Progress: r.progress("report")})
	}); err != nil {
		return nil, err
	}

	if err := r.step("write", func() error {
		ids, labels, d := tab.UserIDs, seg.labels, dist
		if everyone != nil {
			ids, labels, d = everyone.ids, everyone.labels, everyone.dist
		}
		if err := writeSegments(filepath.Join(stage, "segments.csv"), ids, labels, d, prof); err != nil {
			return err
		}
		if err := writeProfileFiles(ctx, db, stage, tab, seg.labels, prof); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(stage, "features.md"), func(w io.Writer) error { return features.WriteCatalog(w, tab.Features) }); err != nil {
			return err
		}
		return writeJSON(filepath.Join(stage, "profiles.json"), prof)
	}); err != nil {
		return nil, err
	}
	// Fitting the recommender and ranking every user's products was half
	// of the save step's time: it is a step of its own.
	var recs map[string][]persona.Recommendation
	if err := r.step("recommend", func() error { recs = r.recommend(ctx, db, tab.UserIDs, seg.labels); return nil }); err != nil {
		return nil, err
	}
	if err := r.step("save", func() error { return r.save(ctx, db, cfg, tab, fitted, pca, z, seg, dist, prof, recs, sum) }); err != nil {
		return nil, err
	}
	// DuckDB's work is done: its spill files go before the commit.
	if db != nil {
		if err := db.Close(); err != nil {
			return nil, fmt.Errorf("close database: %w", err)
		}
	}
	sum.Timings = r.timings
	sum.TotalSeconds = math.Round(time.Since(r.start).Seconds()*1000) / 1000
	if err := writeJSON(filepath.Join(stage, "summary.json"), sum); err != nil {
		return nil, err
	}
	// The assignment table replaces the previous one in its transaction,
	// which commits once the outputs have: a run that fails before leaves
	// both as they were.
	if r.wb != nil {
		if err := r.wb.swap(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.stage.Commit(ctx); err != nil {
		return nil, err
	}
	if r.wb != nil {
		if err := r.wb.commit(ctx); err != nil {
			return sum, fmt.Errorf("the run's outputs are committed but not its assignment table (the previous one is kept): %w", err)
		}
	}
	return sum, nil
}

// loadDuckDB loads the datasets of cfg into db, the embedded DuckDB,
// writes their rejects into the stage and computes the feature table
// there: the steps load and features of a run that is not pushed down.
func (r *run) loadDuckDB(ctx context.Context, db *sql.DB, cfg *dataset.Config, sum *Summary) (*features.Table, error) {
	opts, stage := r.opts, r.stage.Dir
	var st dataset.Stats
	if err := r.step("load", func() (err error) {
		st, err = dataset.LoadWith(ctx, db, cfg, dataset.LoadOptions{Progress: r.progress("load"), TempDirectory: r.stage.Spill()})
		sum.Memory = &Memory{Memory: st.Memory}
		var rr *dataset.RejectRateError
		if errors.As(err, &rr) {
			// Too many rejects: leave them where the user can read them,
			// beside the previous run's, in a folder named after this one.
			if _, werr := dataset.WriteRejects(ctx, db, filepath.Join(stage, "rejects")); werr != nil {
				return errors.Join(err, werr)
			}
			dir, kerr := r.stage.KeepFailed("rejects")
			if kerr != nil {
				return errors.Join(err, kerr)
			}
			rr.Dir = dir
			return err
		}
		if err != nil {
			return err
		}
		sum.Rejects, err = dataset.WriteRejects(ctx, db, filepath.Join(stage, "rejects"))
		for i, p := range sum.Rejects {
			sum.Rejects[i], _ = filepath.Rel(stage, p)
		}
		return err
	}); err != nil {
		return nil, err
	}
	sum.Rows = map[string]int64{}
	sum.Datasets = map[string]dataset.Counts{}
	for k, v := range st.Rows {
		sum.Rows[string(k)] = v
		sum.Datasets[string(k)] = st.Counts[k]
	}
	sum.Engine = dataset.EngineDuckDB
	for k, c := range st.Counts {
		if s := cfg.Source(k); s != nil && s.Postgres != nil {
			sum.RowsTransferred += c.Read
		}
	}

	var tab *features.Table
	if err := r.step("features", func() (err error) {
		fo := opts.Features
		fo.Progress = r.progress("features")
		tab, err = features.Compute(ctx, db, fo)
		return err
	}); err != nil {
		return nil, err
	}
	return tab, nil
}

// progress returns a callback that reports a step's progress, or nil when
// nobody listens.
func (r *run) progress(step string) func(done, total int) {
	if r.opts.Progress == nil {
		return nil
	}
	return func(done, total int) { r.opts.Progress(Progress{Step: step, Done: done, Total: total}) }
}

func sampleSize(want, n int) int {
	if want <= 0 || want >= n {
		return 0
	}
	return want
}

// heavyTransform lists the features that get log1p before scaling.
func heavyNames(tab *features.Table) []string {
	var out []string
	for _, f := range tab.Features {
		if f.Heavy {
			out = append(out, f.Name)
		}
	}
	return out
}

func prepare(tab *features.Table) (*prep.Fitted, *mat.Dense, error) {
	cfg := prep.Config{Log1p: heavyNames(tab), Groups: tab.Groups()}
	fitted, err := prep.Fit(tab.X, tab.Names(), cfg)
	if err != nil {
		return nil, nil, err
	}
	z, err := fitted.Transform(tab.X)
	if err != nil {
		return nil, nil, err
	}
	return fitted, z, nil
}

// reduce projects z on its first m principal components (m < 0: no
// reduction) and returns the projection and the fitted PCA (nil without
// reduction).
func reduce(z *mat.Dense, m int) (*mat.Dense, *prep.PCA, error) {
	n, d := z.Dims()
	if m < 0 || m >= d || m >= n {
		return z, nil, nil
	}
	p, err := prep.FitPCA(z, prep.PCAConfig{Components: m})
	if err != nil {
		return nil, nil, err
	}
	out := mat.NewDense(n, m, nil)
	if err := p.Transform(out, z); err != nil {
		return nil, nil, err
	}
	return out, p, nil
}

func writeSegments(path string, ids []string, labels []int, dist []float64, prof *profile.Report) error {
	names := map[int]string{}
	for _, s := range prof.Segments {
		names[s.ID] = s.Name
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"user_id", "segment", "segment_name", "distance"}); err != nil {
			return err
		}
		for i, id := range ids {
			if err := cw.Write([]string{id, strconv.Itoa(labels[i]), names[labels[i]], strconv.FormatFloat(dist[i], 'f', 6, 64)}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

func writeJSON(path string, v any) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// reportRun is how the run made its segments, for the report.
func (r *run) reportRun(sum *Summary) report.Run {
	o := r.opts
	return report.Run{
		Rows: sum.Rows, Features: sum.Features, FeaturesUsed: len(sum.FeaturesUsed),
		Algorithm: sum.Algorithm, AlgorithmReason: sum.AlgorithmReason, NInit: o.NInit, Seed: o.Seed, Linkage: o.Linkage,
		Eps: sum.Eps, MinSamples: o.MinSamples, Noise: sum.Noise,
		K: sum.K, KRule: sum.KRule, KMin: o.KMin, KMax: o.KMax, FixedK: o.K > 0, KElbow: sum.KElbow, KSelection: sum.KSelection,
		Silhouette: sum.Silhouette, Calinski: sum.CalinskiHarabasz, DaviesBould: sum.DaviesBouldin,
	}
}
