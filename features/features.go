// Package features computes one row of engineered features per user from the
// canonical datasets, as SQL run inside the database that holds them.
package features

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
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
)

// Feature describes one column of the feature table.
type Feature struct {
	Name        string
	Group       Group
	Description string
	// Heavy marks heavy-tailed counts, money and durations that are better
	// clustered after log1p.
	Heavy bool
}

// Options configures Compute. The zero value means defaults.
type Options struct {
	// AsOf is the reference date all recencies and ages are relative to.
	// Zero means the latest timestamp in the data.
	AsOf time.Time
	// TopCategories is how many categories get their own spend share and
	// affinity columns; the rest are pooled into "other". Default 8.
	TopCategories int
	// TopTopics is how many social topics get their own share. Default 8.
	TopTopics int
	// TopValues is how many values of each categorical demographic field
	// are one-hot encoded; the rest are pooled into "other". Default 6.
	TopValues int
	// SessionGap starts a new session after this much inactivity when an
	// event has no session id. Default 30 minutes.
	SessionGap time.Duration
	// Spec, when set, fixes the columns to those of an earlier table (its
	// Table.Spec) instead of finding the top values in the data, so that
	// new users are described by the same features as the training data.
	Spec *Spec
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
	if o.SessionGap == 0 {
		o.SessionGap = 30 * time.Minute
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
	case o.SessionGap < 0:
		return fmt.Errorf("session gap must be >= 0, got %s", o.SessionGap)
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
}

// Names returns the feature names in column order.
func (t *Table) Names() []string {
	names := make([]string, len(t.Features))
	for i, f := range t.Features {
		names[i] = f.Name
	}
	return names
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
	return ComputeWithProgress(ctx, db, opts, nil)
}

// ComputeWithProgress is Compute that reports progress (when not nil): the
// feature SQL runs in stages, one table of per-user aggregates at a time
// (Query.Stages), and progress is called before each stage and once more
// when the table has been read, with the number of stages done and their
// total.
func ComputeWithProgress(ctx context.Context, db *sql.DB, opts Options, progress func(done, total int)) (*Table, error) {
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
		for _, t := range joinTables {
			conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stagePrefix+t)
		}
	}()
	for i, st := range q.Stages {
		if progress != nil {
			progress(i, total)
		}
		if _, err := conn.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("compute features (%s): %w", stageTables[i], err)
		}
	}
	if progress != nil {
		progress(len(q.Stages), total)
	}
	rows, err := conn.QueryContext(ctx, q.Final+"\nORDER BY u.user_id")
	if err != nil {
		return nil, fmt.Errorf("compute features: %w", err)
	}
	defer rows.Close()
	d := len(q.Features)
	var (
		ids  []string
		data []float64
	)
	// Scanning into any takes the driver's values as they are (DOUBLE
	// comes as float64): a third faster than sql.NullFloat64.
	dest := make([]any, d+1)
	var id string
	vals := make([]any, d)
	dest[0] = &id
	for j := range vals {
		dest[j+1] = &vals[j]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read features: %w", err)
		}
		ids = append(ids, id)
		for j, v := range vals {
			f, ok := v.(float64)
			if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("feature %q of user %q is %v, not a finite number (a bug in the feature SQL)", q.Features[j].Name, id, v)
			}
			data = append(data, f)
		}
		if len(ids)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read features: %w", err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no users found in the data")
	}
	if progress != nil {
		progress(total, total)
	}
	return &Table{UserIDs: ids, Features: q.Features, X: mat.NewDense(len(ids), d, data), AsOf: q.AsOf, WindowStart: q.WindowStart, Spec: q.Spec}, nil
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a data value into a lowercase identifier fragment.
func slug(s string) string {
	s = strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(s), "_"), "_")
	if s == "" {
		return "blank"
	}
	return s
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
