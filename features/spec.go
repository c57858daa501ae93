package features

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Spec is what the columns of a feature table depend on beyond the
// catalogue: the top categories, topics and demographic values found in
// the training data and the length of its time window. Computing features
// with Options.Spec set gives new data the same columns, in the same order,
// as the table the Spec came from. It round-trips through JSON.
type Spec struct {
	// Names are the feature names in column order; Build checks that the
	// spec gives them again.
	Names      []string `json:"names"`
	Categories []string `json:"categories"`
	Topics     []string `json:"topics"`
	// Values are the one-hot encoded values of each demographic field.
	Values map[string][]string `json:"values"`
	// WindowDays is the recency given to users without activity (the
	// training data's time window in days).
	WindowDays float64 `json:"window_days"`
}

// buildSpec writes the feature SQL with the columns of opts.Spec. as_of is
// still the data's (or opts.AsOf): recencies are relative to the data
// being described.
func buildSpec(ctx context.Context, db *sql.DB, opts Options, asOf, start time.Time) (*Query, error) {
	sp := opts.Spec
	if sp.WindowDays <= 0 {
		return nil, fmt.Errorf("feature spec: window_days must be > 0, got %g", sp.WindowDays)
	}
	var noSession int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE session_id IS NULL OR session_id = ''`).Scan(&noSession); err != nil {
		return nil, fmt.Errorf("count events without a session id: %w", err)
	}
	b := &builder{asOf: asOf, capDays: sp.WindowDays, gapSeconds: opts.SessionGap.Seconds(), needSessions: noSession > 0}
	b.write(sp.Categories, sp.Topics, sp.Values)
	names := slicesNames(b.features)
	if sp.Names != nil && !slices.Equal(names, sp.Names) {
		return nil, fmt.Errorf("feature spec: it gives %d columns that differ from the %d it names (written by another version?)", len(names), len(sp.Names))
	}
	return &Query{SQL: b.sql.String(), Features: b.features, AsOf: asOf, WindowStart: start, Spec: sp}, nil
}

func slicesNames(fs []Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}
