package pipeline

import (
	"cmp"
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/fault"
	"github.com/persona-seg/persona/internal/sqlquote"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
)

// Fitting on a sample (Options.Sample; README "When your data outgrows
// one machine").
//
// The rule that picks the n users, the same in SQL (pushed down) and in Go
// (DuckDB engine), so that both engines fit on the same users:
//
//  1. Each user gets a hash h = md5("<seed>:<user_id>") in hex, compared
//     byte by byte (COLLATE "C"): the run's seed reshuffles the sample,
//     the same seed gives the same sample.
//  2. The users are cut into sampleTiers activity tiers of equal size
//     (SQL's ntile) in the order of the stratum feature (frequency, else
//     events, else social_actions: the first present), then of h.
//  3. Within its tier a user has the rank r by h (1 first) and the place
//     (r − ½) / (the tier's size); the users are ordered by place, then h,
//     and the first n are taken.
//
// Taking the first n places takes from every tier its share of n, within
// one user, so each activity decile is in the sample as it is in the
// base. Activity is what most separates customer segments (the RFM
// standings, the heavy tail of buyers) and the tail is where a plain
// random sample of a few per cent varies most from one seed to the next;
// stratifying by it costs one window query and needs no model. Counts
// are exact in both engines, so the tiers, and the sample, are too.
const (
	sampleTiers = 10
	// DefaultAssignTable is the table a pushed-down run with a sample
	// writes the assignment of every user into (Options.AssignTable).
	DefaultAssignTable = "persona_segments"
	// sampleFeatures is the temporary table, in the write-back session,
	// that holds every user's features for the sample, the assignment
	// and the per-segment aggregates.
	sampleFeatures = "persona_sample_features"
)

// sampleStrata are the features the tiers are cut by, the first present.
var sampleStrata = []string{features.Frequency, features.Events, features.SocialActions}

// SampleSummary is summary.json's account of a run fitted on a sample.
type SampleSummary struct {
	// Fitted is how many users prep and clustering were fitted on, of
	// Users assigned a segment.
	Fitted int `json:"fitted_users"`
	Users  int `json:"users"`
	// Stratum is the feature the tiers are cut by ("" when none is
	// present: the hash alone orders the users).
	Stratum string `json:"stratum,omitempty"`
	Rule    string `json:"rule"`
	// Table is the table of the source database the assignment of every
	// user was written to (pushed down); empty when assigned locally
	// (segments.csv holds everyone).
	Table string `json:"table,omitempty"`
}

const sampleRule = `md5("<seed>:<user_id>") order within 10 tiers of the stratum feature; the first n by (rank - 1/2) / tier size`

// sampleStratum is the feature of names the tiers are cut by, or "".
func sampleStratum(names []string) string {
	for _, s := range sampleStrata {
		if slices.Contains(names, s) {
			return s
		}
	}
	return ""
}

// sampleHash is the hash of the rule, step 1.
func sampleHash(seed uint64, id string) string {
	h := md5.Sum([]byte(strconv.FormatUint(seed, 10) + ":" + id))
	return hex.EncodeToString(h[:])
}

// sampleRows returns the rows of the n users the rule takes (ascending),
// given each user's id and stratum value (nil: no stratum). All rows when
// n is not below len(ids).
func sampleRows(ids []string, stratum []float64, seed uint64, n int) []int {
	m := len(ids)
	rows := make([]int, m)
	for i := range rows {
		rows[i] = i
	}
	if n >= m {
		return rows
	}
	h := make([]string, m)
	for i, id := range ids {
		h[i] = sampleHash(seed, id)
	}
	value := func(i int) float64 {
		if stratum == nil {
			return 0
		}
		return stratum[i]
	}
	// ntile(sampleTiers) over (stratum, h): the first m % tiers tiers
	// get one user more.
	slices.SortFunc(rows, func(a, b int) int { return cmp.Or(cmp.Compare(value(a), value(b)), strings.Compare(h[a], h[b])) })
	place := make([]float64, m)
	size, extra := m/sampleTiers, m%sampleTiers
	at := 0
	for t := 0; t < sampleTiers && at < m; t++ {
		nt := size
		if t < extra {
			nt++
		}
		tier := rows[at : at+nt]
		slices.SortFunc(tier, func(a, b int) int { return strings.Compare(h[a], h[b]) })
		for r, i := range tier {
			place[i] = (float64(r+1) - 0.5) / float64(nt)
		}
		at += nt
	}
	slices.SortFunc(rows, func(a, b int) int { return cmp.Or(cmp.Compare(place[a], place[b]), strings.Compare(h[a], h[b])) })
	rows = rows[:n]
	slices.Sort(rows)
	return rows
}

// sampleSQL selects the user_id and cols of the n users the rule takes
// from table (Postgres), sorted by user id in bytes.
func sampleSQL(table string, cols []string, stratum string, seed uint64, n int) string {
	sel := []string{"user_id"}
	for _, c := range cols {
		sel = append(sel, sqlquote.Ident(c))
	}
	list := strings.Join(sel, ", ")
	order := "persona_h"
	if stratum != "" {
		order = sqlquote.Ident(stratum) + ", persona_h"
	}
	return fmt.Sprintf(`SELECT %[1]s FROM (
  SELECT %[1]s FROM (
    SELECT %[1]s, persona_h,
      row_number() OVER (PARTITION BY persona_tier ORDER BY persona_h) AS persona_rn,
      count(*) OVER (PARTITION BY persona_tier) AS persona_nt
    FROM (
      SELECT %[1]s, persona_h, ntile(%[2]d) OVER (ORDER BY %[3]s) AS persona_tier
      FROM (SELECT %[1]s, md5(%[4]s || user_id) COLLATE "C" AS persona_h FROM %[5]s) AS f) AS f) AS f
  ORDER BY (CAST(persona_rn AS double precision) - 0.5) / persona_nt, persona_h
  LIMIT %[6]d) AS s
ORDER BY user_id COLLATE "C"`, list, sampleTiers, order, sqlquote.String(strconv.FormatUint(seed, 10)+":"), table, n)
}

// subsetTable is tab's rows rows (ascending), outcomes included.
func subsetTable(tab *features.Table, rows []int) *features.Table {
	_, d := tab.X.Dims()
	out := *tab
	out.UserIDs = make([]string, len(rows))
	x := mat.NewDense(len(rows), d, nil)
	for k, i := range rows {
		out.UserIDs[k] = tab.UserIDs[i]
		x.SetRow(k, tab.X.RawRowView(i))
	}
	out.X = x
	out.Outcomes = nil
	for _, o := range tab.Outcomes {
		v := make([]float64, len(rows))
		for k, i := range rows {
			v[k] = o.Values[i]
		}
		out.Outcomes = append(out.Outcomes, features.Outcome{Name: o.Name, Values: v})
	}
	return &out
}

// sampleLocal picks the sample of tab by the rule (DuckDB engine): the
// table the run is fitted on. It is tab itself when n is not below its
// users.
func (r *run) sampleLocal(tab *features.Table, sum *Summary) *features.Table {
	n := r.opts.Sample
	m := len(tab.UserIDs)
	st := sampleStratum(tab.Names())
	sum.Sample = &SampleSummary{Fitted: min(n, m), Users: m, Stratum: st, Rule: sampleRule}
	if n >= m {
		r.warn(sum, fmt.Sprintf("sample: --sample %d is not below the %d users: fitted on all of them (a full fit)", n, m))
		return tab
	}
	var strat []float64
	if j := tab.Col(st); j >= 0 {
		strat = mat.Col(nil, j, tab.X)
	}
	return subsetTable(tab, sampleRows(tab.UserIDs, strat, r.opts.Seed, n))
}

// writeBack is the session in the source database that a pushed-down run
// with a sample fits from and assigns into: one REPEATABLE READ
// transaction on the pushdown's snapshot (so it sees the rows that were
// counted) holding every user's features in a temporary table, the new
// assignment table under a temporary name, and, at the end, the swap of
// that table for the previous one. Nothing of it is visible to others
// before commit; a failed or killed run rolls it all back.
type writeBack struct {
	db     *sql.DB
	conn   *sql.Conn
	target string // the assignment table, as given (schema.table allowed)
	newTab string // where it is built, quoted
	users  int    // every user's count
	done   bool   // committed or rolled back
	// swapSQL replaces the previous table (AssignTableSQL), once built.
	swapSQL []string
}

// splitTable splits a table name into its schema ("" when none) and name.
func splitTable(t string) (schema, name string) {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[:i], t[i+1:]
	}
	return "", t
}

// quoteTable quotes each dot-separated part of a table name.
func quoteTable(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = sqlquote.Ident(p)
	}
	return strings.Join(parts, ".")
}

// checkTableName checks a table name given by the user (schema.table).
func checkTableName(t string) error {
	parts := strings.Split(t, ".")
	if len(parts) > 2 {
		return fmt.Errorf("assign table %q: at most schema.table", t)
	}
	for _, p := range parts {
		if p == "" || len(p) > 50 {
			return fmt.Errorf("assign table %q: each part must have 1 to 50 bytes", t)
		}
	}
	return nil
}

// pushdownDSN is the DSN of cfg's Postgres server.
func pushdownDSN(cfg *dataset.Config) string {
	for _, k := range dataset.Kinds {
		if s := cfg.Source(k); s != nil && s.Postgres != nil {
			return os.ExpandEnv(s.Postgres.DSN)
		}
	}
	return ""
}

// sampleOn is the features step of a pushed-down run with a sample: the
// feature query runs once, in Postgres, into a temporary table of the
// write-back session, and only the sample's rows come back.
func (r *run) sampleOn(ctx context.Context, p *dataset.Pushdown, cfg *dataset.Config, fo features.Options, sum *Summary) (*features.Table, error) {
	if err := fo.Validate(); err != nil {
		return nil, err
	}
	q, err := features.Build(ctx, p, fo)
	if err != nil {
		return nil, err
	}
	// The table's columns are named: the outcomes' are not in the query.
	stmt := q.SQL
	names := make([]string, len(q.Features))
	for j, f := range q.Features {
		names[j] = f.Name
	}
	cols := slices.Clone(names)
	for k := range q.Outcomes {
		cols = append(cols, "persona_outcome_"+strconv.Itoa(k))
		stmt = q.SQLOutcomes
	}
	quoted := []string{"user_id"}
	for _, c := range cols {
		quoted = append(quoted, sqlquote.Ident(c))
	}
	var snap string
	if err := p.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&snap); err != nil {
		return nil, fmt.Errorf("export the pushdown's snapshot: %w", err)
	}
	wb, err := openWriteBack(ctx, pushdownDSN(cfg), snap, r.opts.AssignTable)
	if err != nil {
		return nil, err
	}
	r.wb = wb
	if fo.Progress != nil {
		fo.Progress(0, 3)
	}
	if _, err := wb.conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+sampleFeatures+" ("+strings.Join(quoted, ", ")+") ON COMMIT DROP AS\n"+p.SQL(stmt)); err != nil {
		return nil, fmt.Errorf("compute features into %s: %w", sampleFeatures, err)
	}
	if _, err := wb.conn.ExecContext(ctx, "ANALYZE "+sampleFeatures); err != nil {
		return nil, fmt.Errorf("analyze %s: %w", sampleFeatures, err)
	}
	if fo.Progress != nil {
		fo.Progress(1, 3)
	}
	if err := wb.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+sampleFeatures).Scan(&wb.users); err != nil {
		return nil, fmt.Errorf("count the users: %w", err)
	}
	if wb.users == 0 {
		return nil, fmt.Errorf("no users found in the data")
	}
	n := r.opts.Sample
	st := sampleStratum(names)
	sum.Sample = &SampleSummary{Fitted: min(n, wb.users), Users: wb.users, Stratum: st, Rule: sampleRule, Table: wb.target}
	if n >= wb.users {
		r.warn(sum, fmt.Sprintf("sample: --sample %d is not below the %d users: fitted on all of them (a full fit)", n, wb.users))
	}
	rows, err := wb.conn.QueryContext(ctx, sampleSQL(sampleFeatures, cols, st, r.opts.Seed, n))
	if err != nil {
		return nil, fmt.Errorf("select the sample: %w", err)
	}
	outs := make([]features.Outcome, len(q.Outcomes))
	for k, o := range q.Outcomes {
		outs[k].Name = o.Name
	}
	ids, data, err := readFeatureRows(ctx, rows, names, outs)
	if err != nil {
		return nil, err
	}
	if len(outs) == 0 {
		outs = nil
	}
	// The n rows come back: pushdown counts them as the feature table.
	if fo.Progress != nil {
		fo.Progress(3, 3)
	}
	return &features.Table{UserIDs: ids, Features: q.Features, X: mat.NewDense(len(ids), len(names), data),
		AsOf: q.AsOf, WindowStart: q.WindowStart, Spec: q.Spec, Outcomes: outs, Warnings: q.Warnings}, nil
}

// readFeatureRows reads rows of user_id, the named features and the
// values of outs (NULL: NaN) and closes them.
func readFeatureRows(ctx context.Context, rows *sql.Rows, names []string, outs []features.Outcome) ([]string, []float64, error) {
	defer rows.Close()
	var (
		ids  []string
		data []float64
		id   string
	)
	vals := make([]sql.NullFloat64, len(names)+len(outs))
	dest := []any{&id}
	for j := range vals {
		dest = append(dest, &vals[j])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("read features: %w", err)
		}
		ids = append(ids, id)
		for j, v := range vals[:len(names)] {
			if !v.Valid || math.IsNaN(v.Float64) || math.IsInf(v.Float64, 0) {
				return nil, nil, fmt.Errorf("feature %q of user %q is not a finite number (a bug in the feature SQL)", names[j], id)
			}
			data = append(data, v.Float64)
		}
		for k, v := range vals[len(names):] {
			x := math.NaN()
			if v.Valid {
				x = v.Float64
			}
			outs[k].Values = append(outs[k].Values, x)
		}
		if len(ids)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read features: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("no users found in the data")
	}
	return ids, data, nil
}

// openWriteBack opens the write-back session on dsn, in a transaction on
// the exported snapshot snap.
func openWriteBack(ctx context.Context, dsn, snap, target string) (*writeBack, error) {
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres dsn: %w", err)
	}
	pc.RuntimeParams["TimeZone"] = "UTC"
	pc.RuntimeParams["extra_float_digits"] = "3"
	if _, ok := pc.RuntimeParams["work_mem"]; !ok {
		pc.RuntimeParams["work_mem"] = "64MB" // as the pushdown's session
	}
	db := stdlib.OpenDB(*pc)
	db.SetMaxOpenConns(1)
	wb := &writeBack{db: db, target: target}
	if wb.conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres for the write-back: %w", err)
	}
	wb.newTab = newTableName(target)
	for _, s := range []string{"BEGIN ISOLATION LEVEL REPEATABLE READ", "SET TRANSACTION SNAPSHOT " + sqlquote.String(snap)} {
		if _, err := wb.conn.ExecContext(ctx, s); err != nil {
			wb.close()
			return nil, fmt.Errorf("begin the write-back transaction: %w", err)
		}
	}
	return wb, nil
}

// AssignTableSQL returns the statements that write the result of the
// assignment query q (model.Model.SQL) into table target (schema.table
// allowed) in place of its previous content, to run in one transaction:
// build creates the new table under <name>__persona_new (in Postgres with
// user_id its primary key, so that every user is there once), swap drops
// the previous table and renames the new one. Readers see the previous
// table until the transaction commits, and a failed one leaves it.
func AssignTableSQL(q, target, dialect string) (build, swap []string, err error) {
	if err := checkTableName(target); err != nil {
		return nil, nil, err
	}
	_, name := splitTable(target)
	newTab := newTableName(target)
	build = []string{"CREATE TABLE " + newTab + " AS\n" + strings.TrimRight(q, "\n")}
	if dialect == model.DialectPostgres {
		build = append(build, "ALTER TABLE "+newTab+" ADD PRIMARY KEY (user_id)")
	}
	swap = []string{"DROP TABLE IF EXISTS " + quoteTable(target), "ALTER TABLE " + newTab + " RENAME TO " + sqlquote.Ident(name)}
	return build, swap, nil
}

// newTableName is where the table target is built before it replaces
// the previous one, quoted: <name>__persona_new beside it.
func newTableName(target string) string {
	schema, name := splitTable(target)
	t := sqlquote.Ident(name + "__persona_new")
	if schema != "" {
		t = quoteTable(schema) + "." + t
	}
	return t
}

// assign creates the new assignment table with m's export-sql query over
// every user's features (AssignTableSQL), and checks it holds every user
// once.
func (wb *writeBack) assign(ctx context.Context, m *model.Model) error {
	q, err := m.SQL(sampleFeatures, model.DialectPostgres)
	if err != nil {
		return err
	}
	build, swap, err := AssignTableSQL(q, wb.target, model.DialectPostgres)
	if err != nil {
		return err
	}
	for _, s := range build {
		if _, err := wb.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("write the assignment into %s: %w", wb.target, err)
		}
	}
	wb.swapSQL = swap
	var n int
	if err := wb.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+wb.newTab).Scan(&n); err != nil {
		return fmt.Errorf("count the assignment: %w", err)
	}
	if n != wb.users {
		return fmt.Errorf("the assignment holds %d users of %d (a bug)", n, wb.users)
	}
	return nil
}

// swap replaces the previous assignment table by the new one, in the
// transaction (so nothing shows before commit).
func (wb *writeBack) swap(ctx context.Context) error {
	for _, s := range wb.swapSQL {
		if _, err := wb.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("replace %s: %w", wb.target, err)
		}
	}
	return fault.Check("assign-swapped")
}

// commit commits the transaction.
func (wb *writeBack) commit(ctx context.Context) error {
	_, err := wb.conn.ExecContext(ctx, "COMMIT")
	wb.done = err == nil
	if err != nil {
		return fmt.Errorf("commit %s: %w", wb.target, err)
	}
	return nil
}

// close rolls back what is not committed and closes the session.
func (wb *writeBack) close() error {
	if wb.conn != nil {
		if !wb.done {
			wb.conn.ExecContext(context.Background(), "ROLLBACK")
		}
		wb.conn.Close()
	}
	return wb.db.Close()
}

// aggregates are the per-segment counts and feature means of every user
// (not only the sample's), and the base's means and standard deviations,
// that the profiles' sizes, shares and means are replaced with.
type aggregates struct {
	users int
	base  []moment        // per feature
	segs  map[int]segStat // by segment id
}

// moment is a mean over n users (the users a feature counts among) and,
// for the base, the population standard deviation.
type moment struct {
	n         int
	mean, std float64
}

type segStat struct {
	n     int
	feats []moment
}

// amongCols returns, per feature, the index of the feature it is counted
// among (profile.Column.Among), or -1.
func amongCols(names []string, cols []profile.Column) []int {
	out := make([]int, len(names))
	for j := range out {
		out[j] = -1
		if cols != nil && cols[j].Among != "" {
			out[j] = slices.Index(names, cols[j].Among)
		}
	}
	return out
}

// aggregate computes the aggregates of x (its users in labels' segments)
// on this machine, as aggregates does in SQL.
func aggregate(x *mat.Dense, labels []int, names []string, cols []profile.Column) *aggregates {
	n, d := x.Dims()
	among := amongCols(names, cols)
	a := &aggregates{users: n, base: make([]moment, d), segs: map[int]segStat{}}
	type acc struct {
		n       int
		s, s2   float64
		perFeat []struct {
			n int
			s float64
		}
	}
	sums := map[int]*acc{}
	for i := range n {
		l := labels[i]
		s := sums[l]
		if s == nil {
			s = &acc{perFeat: make([]struct {
				n int
				s float64
			}, d)}
			sums[l] = s
		}
		s.n++
		for j := range d {
			if among[j] >= 0 && x.At(i, among[j]) == 0 {
				continue
			}
			s.perFeat[j].n++
			s.perFeat[j].s += x.At(i, j)
		}
	}
	for j := range d {
		var cnt int
		var s float64
		for i := range n {
			if among[j] >= 0 && x.At(i, among[j]) == 0 {
				continue
			}
			cnt++
			s += x.At(i, j)
		}
		m := s / float64(max(cnt, 1))
		var ss float64
		for i := range n {
			if among[j] >= 0 && x.At(i, among[j]) == 0 {
				continue
			}
			ss += (x.At(i, j) - m) * (x.At(i, j) - m)
		}
		a.base[j] = moment{n: cnt, mean: m, std: math.Sqrt(ss / float64(max(cnt, 1)))}
	}
	for l, s := range sums {
		st := segStat{n: s.n, feats: make([]moment, d)}
		for j, f := range s.perFeat {
			st.feats[j] = moment{n: f.n, mean: f.s / float64(max(f.n, 1))}
		}
		a.segs[l] = st
	}
	return a
}

// aggregates computes the aggregates of every user by one GROUP BY over
// the features and the new assignment, in Postgres.
func (wb *writeBack) aggregates(ctx context.Context, names []string, cols []profile.Column) (*aggregates, error) {
	among := amongCols(names, cols)
	sel := []string{"GROUPING(a.segment)", "coalesce(a.segment, 0)", "count(*)"}
	for j, name := range names {
		x := "f." + sqlquote.Ident(name)
		if among[j] >= 0 {
			x = fmt.Sprintf("CASE WHEN f.%s <> 0 THEN %s END", sqlquote.Ident(names[among[j]]), x)
		}
		sel = append(sel, "count("+x+")", "avg("+x+")", "stddev_pop("+x+")")
	}
	q := "SELECT " + strings.Join(sel, ", ") + "\nFROM " + sampleFeatures + " f JOIN " + wb.newTab + " a USING (user_id)\nGROUP BY GROUPING SETS ((a.segment), ())"
	rows, err := wb.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("aggregate the segments: %w", err)
	}
	defer rows.Close()
	a := &aggregates{segs: map[int]segStat{}}
	d := len(names)
	var grouping, seg, cnt int
	vals := make([]struct {
		n      int
		m, std sql.NullFloat64
	}, d)
	dest := []any{&grouping, &seg, &cnt}
	for j := range vals {
		dest = append(dest, &vals[j].n, &vals[j].m, &vals[j].std)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("aggregate the segments: %w", err)
		}
		ms := make([]moment, d)
		for j, v := range vals {
			ms[j] = moment{n: v.n, mean: v.m.Float64, std: v.std.Float64}
		}
		if grouping == 1 {
			a.users, a.base = cnt, ms
		} else {
			a.segs[seg] = segStat{n: cnt, feats: ms}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate the segments: %w", err)
	}
	return a, nil
}

// applyAggregates replaces the sizes, shares and feature means (with
// their z-scores and lifts) of prof, and the base's means and standard
// deviations, by those of every user; the rest (names, medians,
// quartiles, Cohen's d, facts, traits, examples) stays the sample's.
func applyAggregates(prof *profile.Report, a *aggregates, names []string) {
	col := map[string]int{}
	for j, n := range names {
		col[n] = j
	}
	prof.Users = a.users
	for k, b := range prof.Base {
		j, ok := col[b.Feature]
		if !ok {
			continue
		}
		prof.Base[k].Mean, prof.Base[k].Std = a.base[j].mean, a.base[j].std
		if b.Users > 0 {
			prof.Base[k].Users = a.base[j].n
		}
	}
	for g := range prof.Segments {
		s := &prof.Segments[g]
		st := a.segs[s.ID]
		s.Size = st.n
		s.Share = float64(st.n) / float64(max(a.users, 1))
		if st.feats == nil {
			continue
		}
		for k := range s.Features {
			fs := &s.Features[k]
			j, ok := col[fs.Feature]
			if !ok {
				continue
			}
			m, b := st.feats[j], a.base[j]
			if fs.Users != nil {
				fs.Users = new(m.n)
			}
			if m.n == 0 {
				continue
			}
			fs.Mean = m.mean
			if b.std > 0 {
				fs.Z = (m.mean - b.mean) / b.std
			}
			fs.Lift = 1
			if b.mean != 0 {
				fs.Lift = m.mean / b.mean
			}
		}
	}
}

// assignedAll is the assignment of every user of a run fitted on a
// sample, computed on this machine (DuckDB engine).
type assignedAll struct {
	ids    []string
	labels []int
	dist   []float64
}

// assignAll assigns every user the model of the sample's fit gives (with
// pushdown, into the write-back's new table; else all, the whole feature
// table, here) and replaces the profiles' sizes, shares and means with
// every user's. It returns the local assignment (nil when pushed down).
func (r *run) assignAll(ctx context.Context, all, tab *features.Table, m *model.Model, prof *profile.Report, sum *Summary) (*assignedAll, error) {
	cols := profileColumns(tab, sum.Rows)
	names := tab.Names()
	var (
		out *assignedAll
		agg *aggregates
	)
	if r.wb != nil {
		if err := r.wb.assign(ctx, m); err != nil {
			return nil, err
		}
		var err error
		if agg, err = r.wb.aggregates(ctx, names, cols); err != nil {
			return nil, err
		}
		r.warn(sum, fmt.Sprintf("sample: the %d users' segments are in table %s of the source database; segments.csv, rfm.csv and the store hold the %d sampled users (value.csv every customer)", agg.users, r.wb.target, len(tab.UserIDs)))
	} else {
		segs, dist, err := m.Assign(all.X)
		if err != nil {
			return nil, fmt.Errorf("assign every user: %w", err)
		}
		out = &assignedAll{ids: all.UserIDs, labels: segs, dist: dist}
		agg = aggregate(all.X, segs, names, cols)
		r.warn(sum, fmt.Sprintf("sample: segments.csv holds the %d users' segments; rfm.csv and the store hold the %d sampled users", len(all.UserIDs), len(tab.UserIDs)))
	}
	if len(tab.UserIDs) < agg.users {
		applyAggregates(prof, agg, names)
		r.warn(sum, fmt.Sprintf("sample: fitted on %d of %d users; the profiles' sizes, shares and feature means are every user's, their names, medians, quartiles, traits and facts, the quality figures and the report's charts the sample's", len(tab.UserIDs), agg.users))
	}
	return out, nil
}
