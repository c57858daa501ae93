package features

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/dataset"
)

// Group says which part of a user's data a feature comes from.
type Group string

// Feature groups.
const (
	GroupTransactions  Group = "transactions"
	GroupEvents        Group = "events"
	GroupSocial        Group = "social"
	GroupDemographics  Group = "demographics"
	GroupPsychographic Group = "psychographic"
	// GroupAttributes are the features of per-user attributes.
	GroupAttributes Group = "attributes"
	// GroupCustom are the custom features of the config.
	GroupCustom Group = "custom"
)

// Feature describes one column of the feature table.
type Feature struct {
	Name        string
	Group       Group
	Description string
	// Heavy marks heavy-tailed counts, money and durations that are better
	// clustered after log1p.
	Heavy bool
	// Attribute, for the features of an attribute, is its config key
	// (users.attributes.plan); Level is the value of one of the one-hot
	// columns of a categorical or list attribute (other, missing).
	Attribute string
	Level     string
	// Set names the indicator columns (0 or 1) that are weighted together
	// before clustering (prep.Config.Groups): the one-hot columns of one
	// categorical or list attribute, a boolean attribute, a _missing
	// flag. Empty for the other features.
	Set string
	// Among names the 0/1 feature of the users this feature means
	// something for: recency_days is among has_purchased (users who never
	// bought have no recency, and get the data window's length). Profiles
	// count its statistics among those users; clustering takes every
	// user's value.
	Among string
}

// Options configures Compute. The zero value means defaults.
type Options struct {
	// FeatureSettings is the config's features section, as decoded from
	// YAML: the top categories, topics, values and event names, the
	// session gap and the custom features.
	dataset.FeatureSettings
	// AsOf is the reference date all recencies and ages are relative to.
	// Zero means the latest timestamp in the data (or date attribute).
	AsOf time.Time
	// PerUser are the per-user tables whose attributes and outcomes
	// Compute reads (their views, as dataset.Load made them); nil reads
	// none.
	PerUser []dataset.PerUser
	// Spec, when set, fixes the columns to those of an earlier table (its
	// Table.Spec) instead of finding the top values in the data, so that
	// new users are described by the same features as the training data.
	Spec *Spec
	// Dialect is the SQL dialect of the database the features are
	// computed in; nil means DuckDB.
	Dialect Dialect
	// Progress, when set, is told how far Compute has come: the feature
	// SQL runs in stages, one table of per-user aggregates at a time
	// (Query.Stages), and Progress is called before each stage and once
	// more when the table has been read, with the number of stages done
	// and their total.
	Progress func(done, total int)
}

// OptionsFor returns the options cfg sets: its features section, its
// as_of and its per-user tables.
func OptionsFor(cfg *dataset.Config) Options {
	return Options{FeatureSettings: cfg.Features, AsOf: cfg.AsOf.Time, PerUser: cfg.PerUser()}
}

func (o Options) withDefaults() Options {
	if o.TopCategories == 0 {
		o.TopCategories = 8
	}
	if o.TopTopics == 0 {
		o.TopTopics = 8
	}
	if o.TopValues == 0 {
		o.TopValues = 6
	}
	if o.TopEvents == 0 {
		o.TopEvents = 6
	}
	if o.SessionGap.Duration == 0 {
		o.SessionGap.Duration = 30 * time.Minute
	}
	return o
}

// Validate reports the first option that is out of range.
func (o Options) Validate() error {
	switch {
	case o.TopCategories < 0:
		return fmt.Errorf("top categories must be >= 0, got %d", o.TopCategories)
	case o.TopTopics < 0:
		return fmt.Errorf("top topics must be >= 0, got %d", o.TopTopics)
	case o.TopValues < 0:
		return fmt.Errorf("top values must be >= 0, got %d", o.TopValues)
	case o.TopEvents < 0:
		return fmt.Errorf("top events must be >= 0, got %d", o.TopEvents)
	case o.SessionGap.Duration < 0:
		return fmt.Errorf("session gap must be >= 0, got %s", o.SessionGap.Duration)
	}
	return nil
}

// Table is the feature table: one row per user, sorted by user id.
type Table struct {
	UserIDs  []string
	Features []Feature
	X        *mat.Dense // len(UserIDs) x len(Features)
	AsOf     time.Time
	// WindowStart is the earliest timestamp in the data; users with no
	// purchase get recency = AsOf - WindowStart.
	WindowStart time.Time
	// Spec is what fixes the columns, to compute them again on other data.
	Spec *Spec
	// Outcomes are the per-user outcomes, one value per user (NaN when
	// unknown): reported per segment, never features.
	Outcomes []Outcome
	// Warnings are about the data (Query.Warnings).
	Warnings []string
}

// Outcome is one per-user outcome column.
type Outcome struct {
	Name   string
	Values []float64
}

// Names returns the feature names in column order.
func (t *Table) Names() []string {
	names := make([]string, len(t.Features))
	for i, f := range t.Features {
		names[i] = f.Name
	}
	return names
}

// Groups maps each indicator column of an attribute to its set
// (Feature.Set), for prep.Config.Groups.
func (t *Table) Groups() map[string]string {
	g := map[string]string{}
	for _, f := range t.Features {
		if f.Set != "" {
			g[f.Name] = f.Set
		}
	}
	return g
}

// Col returns the index of the named feature, or -1.
func (t *Table) Col(name string) int {
	for i, f := range t.Features {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Compute runs the feature SQL on db, which must hold the tables users,
// events, transactions and social with the canonical columns (see package
// dataset), and returns the feature table.
func Compute(ctx context.Context, db *sql.DB, opts Options) (*Table, error) {
	progress := opts.Progress
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	q, err := Build(ctx, db, opts)
	if err != nil {
		return nil, err
	}
	// The stage tables are temporary, so every statement runs on one
	// connection.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("compute features: %w", err)
	}
	defer conn.Close()
	total := len(q.Stages) + 1
	defer func() {
		for _, t := range q.stageNames {
			conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stagePrefix+t)
		}
	}()
	for i, st := range q.Stages {
		if progress != nil {
			progress(i, total)
		}
		if _, err := conn.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("compute features (%s): %w", q.stageNames[i], err)
		}
	}
	if progress != nil {
		progress(len(q.Stages), total)
	}
	rows, err := conn.QueryContext(ctx, q.Final+"\nORDER BY u.user_id")
	if err != nil {
		return nil, fmt.Errorf("compute features: %w", err)
	}
	ids, data, err := readRows(ctx, rows, q.Features, nil)
	if err != nil {
		return nil, err
	}
	d := len(q.Features)
	outs, err := readOutcomes(ctx, conn, q, ids)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(total, total)
	}
	return &Table{UserIDs: ids, Features: q.Features, X: mat.NewDense(len(ids), d, data), AsOf: q.AsOf, WindowStart: q.WindowStart, Spec: q.Spec, Outcomes: outs, Warnings: q.Warnings}, nil
}

// readOutcomes reads the outcomes of the users ids (in that order) once
// the stages have run.
func readOutcomes(ctx context.Context, conn *sql.Conn, q *Query, ids []string) ([]Outcome, error) {
	if q.OutcomeSQL == "" {
		return nil, nil
	}
	outs := make([]Outcome, len(q.Outcomes))
	for k, o := range q.Outcomes {
		outs[k] = Outcome{Name: o.Name, Values: make([]float64, 0, len(ids))}
	}
	rows, err := conn.QueryContext(ctx, q.OutcomeSQL+"\nORDER BY u.user_id")
	if err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	defer rows.Close()
	var id string
	vals := make([]sql.NullFloat64, len(outs))
	dest := []any{&id}
	for k := range vals {
		dest = append(dest, &vals[k])
	}
	i := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read outcomes: %w", err)
		}
		if i >= len(ids) || ids[i] != id {
			return nil, fmt.Errorf("read outcomes: user %q out of step with the features (a bug)", id)
		}
		for k, v := range vals {
			x := math.NaN()
			if v.Valid {
				x = v.Float64
			}
			outs[k].Values = append(outs[k].Values, x)
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	return outs, nil
}

// slug turns a data value into a name fragment (dataset.Slug): letters
// and digits of any script kept, lowercase, the rest one underscore.
func slug(s string) string { return dataset.Slug(s) }

// WriteCatalog writes the features of a table as Markdown, one table per
// group in column order: name, definition and whether log1p comes before
// scaling. A run writes its own (features.md) beside its outputs, so that
// its attribute and custom features are documented with the catalogue's.
func WriteCatalog(w io.Writer, fs []Feature) error {
	var b strings.Builder
	b.WriteString("# Features of this run\n\nOne row per user, these columns in this order (docs/features.md defines the catalogue).\n")
	var groups []Group
	for _, f := range fs {
		if !slices.Contains(groups, f.Group) {
			groups = append(groups, f.Group)
		}
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n## %s\n\n| feature | definition | log1p |\n| --- | --- | --- |\n", g)
		for _, f := range fs {
			if f.Group != g {
				continue
			}
			heavy := ""
			if f.Heavy {
				heavy = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, strings.NewReplacer("|", `\|`, "\n", " ").Replace(f.Description), heavy)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
