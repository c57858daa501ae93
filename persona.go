// Package persona holds the domain of user segmentation: a Run and the
// Results it produced (segments, profiles, recommendations, the model), and
// the RunStore interface the rest of persona depends on.
//
// The package holds types and interfaces only. Adapters import it, never the
// reverse: package store implements RunStore over a *sql.DB (DuckDB or
// Postgres), package inmem implements it in memory for tests, package server
// serves any RunReader, and package pipeline produces Results and commits
// them. None of it needs cgo, so everything that depends on the domain alone
// builds with CGO_ENABLED=0.
//
// # Runs and commits
//
// A run is saved pending, then committed. Save writes a run that Latest and
// List do not see; Commit makes it visible; Discard removes a run that was
// saved but will never be committed. Package pipeline calls Commit only once
// the run's files are in place in its output folder, so readers of the store
// and readers of the folder see the same run. A store may hold pending runs
// after a crash: List with Pending set finds them, and whoever opens the
// folder next commits or discards them (see package pipeline).
package persona

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/value"
)

// Run describes one stored run.
type Run struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Algorithm string    `json:"algorithm"`
	Users     int       `json:"users"`
	Segments  int       `json:"segments"`
	// Fingerprint is a SHA-256 of the feature table (user ids and values).
	Fingerprint string `json:"fingerprint"`
	// Config is the run's configuration as JSON, Summary its summary.
	Config  json.RawMessage `json:"config"`
	Summary json.RawMessage `json:"summary"`
}

// Segment is one segment of a run, in brief: what the run's summary lists.
// Its full profile is a profile.Segment.
type Segment struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// Previous is the name the segment had in the previous run into the
	// same folder when its id was carried over: Name when it was kept.
	Previous string  `json:"previous_name,omitempty"`
	Size     int     `json:"size"`
	Share    float64 `json:"share"`
}

// Recommendation is one recommended product for a user.
type Recommendation struct {
	Product string  `json:"product"`
	Score   float64 `json:"score"`
}

// Results is everything a run produced.
type Results struct {
	Run Run
	// UserIDs, FeatureNames and X (row-major, len(UserIDs) x
	// len(FeatureNames)) are the raw feature table.
	UserIDs      []string
	FeatureNames []string
	X            []float64
	// Segments and Distance are each user's segment and distance to it.
	Segments []int
	Distance []float64
	Profiles *profile.Report
	// Recommendations, by user id, best first; may be nil.
	Recommendations map[string][]Recommendation
	// Model assigns new users to the run's segments; it is the model.json
	// of the run's output folder.
	Model *model.Model
	// Values are the users' customer values (value.csv); nil when the run
	// has none.
	Values *Values
	// Columns are per-user values kept beside the features for audiences
	// (persona export) and BI: the run's outcomes, its attributes as the
	// data gives them and hashed contact identifiers. May be nil.
	Columns []Column
}

// ColumnKind says what a Column holds.
type ColumnKind string

// The kinds of Column.
const (
	// KindOutcome is an outcome of the data (churned, revenue next
	// quarter): reported per segment, never clustered.
	KindOutcome ColumnKind = "outcome"
	// KindAttribute is an attribute of a per-user table, as loaded
	// (before it became features).
	KindAttribute ColumnKind = "attribute"
	// KindIdentifier is a contact identifier, hashed as ad platforms'
	// customer lists take it (package audience).
	KindIdentifier ColumnKind = "identifier"
	// KindValue is a customer-value figure (package value: P(alive),
	// expected purchases, CLV).
	KindValue ColumnKind = "value"
)

// Column is one per-user value of a run: one entry per user, in the order
// of Results.UserIDs, in Numbers (NaN when missing) or in Texts ("" when
// missing), never both.
type Column struct {
	Name    string
	Kind    ColumnKind
	Numbers []float64
	Texts   []string
}

// Len returns the number of values.
func (c *Column) Len() int {
	if c.Texts != nil {
		return len(c.Texts)
	}
	return len(c.Numbers)
}

// Values are a run's customer values (package value, docs/value.md): per
// user the figures of value.csv, and the settings they were computed
// with.
type Values struct {
	// TimeUnit ("days" or "weeks") is the unit of FirstToLast and
	// FirstToEnd; End is the end of the data the figures look from.
	TimeUnit string    `json:"time_unit"`
	End      time.Time `json:"end"`
	// HorizonMonths is the horizon of ExpectedPurchases and CLV, Discount
	// the CLV's monthly discount rate, LostBelow the P(alive) below which
	// a customer counts as likely lost.
	HorizonMonths int     `json:"horizon_months"`
	Discount      float64 `json:"monthly_discount"`
	LostBelow     float64 `json:"likely_lost_below"`
	// Users holds one entry per user, in the order of Results.UserIDs.
	Users []CustomerValue `json:"-"`
}

// CustomerValue is one user's customer value. A user without a purchase
// is no customer and has no figures; a figure that could not be computed
// (money without amounts, say) is NaN.
type CustomerValue struct {
	Customer bool
	// RepeatPurchases, FirstToLast and FirstToEnd are lifetimes'
	// frequency, recency and T; MeanRepeatValue its monetary_value.
	RepeatPurchases int
	FirstToLast     float64
	FirstToEnd      float64
	MeanRepeatValue float64
	// PAlive is the probability of being a customer still at End;
	// ExpectedPurchases over the horizon; ExpectedOrderValue the value of
	// a future purchase; CLV the discounted value over the horizon.
	PAlive             float64
	ExpectedPurchases  float64
	ExpectedOrderValue float64
	CLV                float64
	// NextOrderDays is the median number of days from End to an active
	// customer's next purchase.
	NextOrderDays float64
}

// NextOrderDate is the date of c's next order, as value.csv gives it:
// none (ok false) for a customer likely lost or without a finite
// expectation.
func (v *Values) NextOrderDate(c CustomerValue) (d time.Time, ok bool) {
	if !c.Customer {
		return time.Time{}, false
	}
	return value.NextOrderDate(v.End, c.PAlive, c.NextOrderDays, v.LostBelow)
}

// Row returns user i's line of value.csv; ok is false for a user without
// a purchase.
func (v *Values) Row(i int, userID string) (r value.Row, ok bool) {
	c := v.Users[i]
	return value.Row{UserID: userID, RepeatPurchases: c.RepeatPurchases, FirstToLast: c.FirstToLast, FirstToEnd: c.FirstToEnd,
		MeanRepeatValue: c.MeanRepeatValue, PAlive: c.PAlive, ExpectedPurchases: c.ExpectedPurchases,
		ExpectedOrderValue: c.ExpectedOrderValue, CLV: c.CLV, NextOrderDays: c.NextOrderDays}, c.Customer
}

// Row returns the features of user i.
func (r *Results) Row(i int) []float64 {
	d := len(r.FeatureNames)
	return r.X[i*d : (i+1)*d : (i+1)*d]
}

// Validate reports the first way r is not a whole run: no id, no users,
// slices whose lengths disagree, a user id twice, no profiles or no
// model.
func (r *Results) Validate() error {
	n, d := len(r.UserIDs), len(r.FeatureNames)
	switch {
	case r.Run.ID == "":
		return errors.New("run id not set")
	case n == 0:
		return errors.New("no users")
	case len(r.X) != n*d:
		return fmt.Errorf("%d feature values for %d users x %d features", len(r.X), n, d)
	case len(r.Segments) != n:
		return fmt.Errorf("%d segments for %d users", len(r.Segments), n)
	case len(r.Distance) != n:
		return fmt.Errorf("%d distances for %d users", len(r.Distance), n)
	case r.Profiles == nil:
		return errors.New("no profiles")
	case r.Model == nil:
		return errors.New("no model")
	case r.Values != nil && len(r.Values.Users) != n:
		return fmt.Errorf("customer values of %d users for %d users", len(r.Values.Users), n)
	}
	if u, ok := repeatedID(r.UserIDs); ok {
		return fmt.Errorf("user id %q twice", u)
	}
	seen := map[string]bool{}
	for _, c := range r.Columns {
		switch {
		case c.Name == "":
			return errors.New("a column has no name")
		case seen[c.Name]:
			return fmt.Errorf("column %q twice", c.Name)
		case c.Numbers != nil && c.Texts != nil:
			return fmt.Errorf("column %q has both numbers and texts", c.Name)
		case c.Len() != n:
			return fmt.Errorf("column %q has %d values for %d users", c.Name, c.Len(), n)
		}
		seen[c.Name] = true
	}
	return nil
}

// repeatedID returns a user id that ids holds twice. Ids in order (as a
// run has them) are checked pair by pair, others through a set.
func repeatedID(ids []string) (string, bool) {
	if slices.IsSorted(ids) {
		for i := 1; i < len(ids); i++ {
			if ids[i] == ids[i-1] {
				return ids[i], true
			}
		}
		return "", false
	}
	seen := make(map[string]struct{}, len(ids))
	for _, u := range ids {
		if _, ok := seen[u]; ok {
			return u, true
		}
		seen[u] = struct{}{}
	}
	return "", false
}

// Fingerprint returns the SHA-256 of the user ids and feature values.
func Fingerprint(ids []string, x []float64) string {
	h := sha256.New()
	var b [8]byte
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	for _, v := range x {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ErrNoRuns is returned by Latest when the store holds no committed run.
var ErrNoRuns = errors.New("the store holds no run")

// RunNotFoundError reports a run id the store does not hold.
type RunNotFoundError struct{ ID string }

func (e *RunNotFoundError) Error() string { return fmt.Sprintf("run %q not found in the store", e.ID) }

// InputError is an error in what a caller sent (the records of a user to
// score, say). Its message names the place in the caller's terms and
// holds nothing of the machine that found it (no file paths, no database
// messages), so a server can show it to whoever sent the input.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// RunFilter selects the runs List returns. The zero value selects the
// committed runs.
type RunFilter struct {
	// Pending selects the runs saved but not committed instead.
	Pending bool
}

// RunReader reads runs. It is what serving and listing need.
type RunReader interface {
	// Latest returns the id of the newest committed run, or ErrNoRuns.
	Latest(ctx context.Context) (string, error)
	// Load reads every result of run id back, users ordered by id,
	// committed or pending (Latest and List say which runs are
	// committed). It returns a *RunNotFoundError when the store does not
	// hold id.
	Load(ctx context.Context, id string) (*Results, error)
	// List returns the runs f selects, newest first.
	List(ctx context.Context, f RunFilter) ([]Run, error)
}

// RunStore keeps runs. A run is saved pending, then committed or
// discarded; when Save fails, the store is as it was.
type RunStore interface {
	RunReader
	// Save writes r as a pending run, replacing any run of the same id.
	Save(ctx context.Context, r *Results) error
	// Commit marks the pending run id committed: from then on Latest and
	// List see it. Committing a committed run does nothing.
	Commit(ctx context.Context, id string) error
	// Discard removes the run id, committed or not. Discarding a run the
	// store does not hold does nothing.
	Discard(ctx context.Context, id string) error
	// Close releases the store; its error says whether everything written
	// reached the disk.
	Close() error
}
