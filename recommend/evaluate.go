package recommend

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/persona-seg/persona/profile"
)

// Score is one method's quality on a time split.
type Score struct {
	Method    Method  `json:"-"`
	Name      string  `json:"method"`
	Users     int     `json:"users"`
	HitRate   float64 `json:"hit_rate"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// Split divides purchases at cut: Train holds the purchases before cut,
// Test the products each training user bought at or after cut that they
// had not bought before it (users with none are left out).
func Split(purchases []Purchase, cut time.Time) (train []Purchase, test map[string][]string) {
	seen := map[string]map[string]bool{}
	for _, p := range purchases {
		if p.Time.Before(cut) {
			train = append(train, p)
			if seen[p.User] == nil {
				seen[p.User] = map[string]bool{}
			}
			seen[p.User][p.Product] = true
		}
	}
	test = map[string][]string{}
	for _, p := range purchases {
		if p.Time.Before(cut) || seen[p.User] == nil || seen[p.User][p.Product] {
			continue
		}
		seen[p.User][p.Product] = true
		test[p.User] = append(test[p.User], p.Product)
	}
	for u := range test {
		sort.Strings(test[u])
	}
	return train, test
}

// Measure scores the top-k lists of method on test (user → new products
// bought), averaged over the test users.
func Measure(ctx context.Context, m *Model, method Method, test map[string][]string, k int) (Score, error) {
	if k < 1 {
		return Score{}, fmt.Errorf("recommend: k must be >= 1, got %d", k)
	}
	users := make([]string, 0, len(test))
	for u, items := range test {
		if len(items) > 0 {
			users = append(users, u)
		}
	}
	sort.Strings(users)
	sc := Score{Method: method, Name: method.String(), Users: len(users)}
	if len(users) == 0 {
		return sc, fmt.Errorf("recommend: no test users")
	}
	for n, u := range users {
		if n%512 == 0 {
			if err := ctx.Err(); err != nil {
				return sc, err
			}
		}
		want := map[string]bool{}
		for _, p := range test[u] {
			want[p] = true
		}
		hits := 0
		for _, it := range m.RecommendBy(method, u, k) {
			if want[it.Product] {
				hits++
			}
		}
		if hits > 0 {
			sc.HitRate++
		}
		sc.Precision += float64(hits) / float64(k)
		sc.Recall += float64(hits) / float64(len(want))
	}
	nu := float64(len(users))
	sc.HitRate /= nu
	sc.Precision /= nu
	sc.Recall /= nu
	return sc, nil
}

// Evaluate splits purchases at cut, fits a model on the training part with
// segments (nil: the RFM groups of the training purchases, see
// RFMSegments) and scores every method at k.
func Evaluate(ctx context.Context, purchases []Purchase, cut time.Time, segments map[string]int, k int, opts Options) ([]Score, error) {
	train, test := Split(purchases, cut)
	if len(train) == 0 {
		return nil, fmt.Errorf("recommend: no purchase before the cut %s", cut.Format(time.DateOnly))
	}
	if len(test) == 0 {
		return nil, fmt.Errorf("recommend: no user bought a new product after the cut %s", cut.Format(time.DateOnly))
	}
	if segments == nil {
		segments = RFMSegments(train, cut)
	}
	m, err := Fit(ctx, train, segments, opts)
	if err != nil {
		return nil, err
	}
	var out []Score
	for _, method := range []Method{GlobalPopularity, SegmentPopularity, CoOccurrence, Blend} {
		s, err := Measure(ctx, m, method, test, k)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// RFMSegments puts every user of purchases in their classic RFM group as of
// asOf (profile.ScoreRFM): recency is the days from the last purchase to
// asOf, frequency the number of baskets and monetary the sum of values.
// Values that are not finite count as 0. The segment id is the group's
// position in profile.RFMGroups().
func RFMSegments(purchases []Purchase, asOf time.Time) map[string]int {
	type acc struct {
		last    time.Time
		baskets map[string]bool
		value   float64
	}
	users := map[string]*acc{}
	for _, p := range purchases {
		a := users[p.User]
		if a == nil {
			a = &acc{baskets: map[string]bool{}}
			users[p.User] = a
		}
		if p.Time.After(a.last) {
			a.last = p.Time
		}
		b := p.Basket
		if b == "" {
			b = p.Time.String()
		}
		a.baskets[b] = true
		if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
			a.value += p.Value
		}
	}
	ids := make([]string, 0, len(users))
	for u := range users {
		ids = append(ids, u)
	}
	sort.Strings(ids)
	r := make([]float64, len(ids))
	f := make([]float64, len(ids))
	m := make([]float64, len(ids))
	for i, u := range ids {
		a := users[u]
		r[i] = asOf.Sub(a.last).Hours() / 24
		f[i] = float64(len(a.baskets))
		m[i] = a.value
	}
	scores, err := profile.ScoreRFM(r, f, m)
	if err != nil {
		panic("recommend: " + err.Error()) // finite by construction
	}
	pos := map[string]int{}
	for k, g := range profile.RFMGroups() {
		pos[g] = k
	}
	out := make(map[string]int, len(ids))
	for i, u := range ids {
		out[u] = pos[scores[i].Group]
	}
	return out
}
