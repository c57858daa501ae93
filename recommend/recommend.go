package recommend

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Purchase is one bought line.
type Purchase struct {
	User    string
	Product string
	// Basket groups the lines of one order; lines with an empty Basket
	// form one basket per user and timestamp.
	Basket string
	Time   time.Time
	// Value is the line's paid value (quantity × price), used only to
	// score RFM segments; 0 when unknown.
	Value float64
}

// Options configures Fit. The zero value means defaults.
type Options struct {
	// SegmentWeight is α, the weight of segment popularity in the blend,
	// in [0, 1]. Default 0.1 (chosen on a validation split of Online Retail, see docs/profiles.md). Use a negative value for 0 (co-occurrence
	// with popularity only as a fallback).
	SegmentWeight float64
	// MaxBasket leaves baskets with more distinct products out of the
	// co-occurrence counts. Default 50.
	MaxBasket int
	// Neighbours is how many most similar products are kept per product.
	// Default 100.
	Neighbours int
}

func (o Options) withDefaults() Options {
	switch {
	case o.SegmentWeight == 0:
		o.SegmentWeight = 0.1
	case o.SegmentWeight < 0:
		o.SegmentWeight = 0
	}
	if o.MaxBasket == 0 {
		o.MaxBasket = 50
	}
	if o.Neighbours == 0 {
		o.Neighbours = 100
	}
	return o
}

// Validate reports the first option out of range.
func (o Options) Validate() error {
	switch {
	case o.SegmentWeight > 1 || math.IsNaN(o.SegmentWeight):
		return fmt.Errorf("segment weight must be in [0, 1], got %v", o.SegmentWeight)
	case o.MaxBasket < 0:
		return fmt.Errorf("max basket must be >= 2, got %d", o.MaxBasket)
	case o.MaxBasket == 1:
		return fmt.Errorf("max basket must be >= 2, got 1")
	case o.Neighbours < 0:
		return fmt.Errorf("neighbours must be >= 1, got %d", o.Neighbours)
	}
	return nil
}

// Method is a way of scoring products.
type Method int

// Methods. Blend is the model's recommendation; the others are its parts
// alone, kept to measure it against.
const (
	Blend Method = iota
	CoOccurrence
	SegmentPopularity
	GlobalPopularity
)

func (m Method) String() string {
	switch m {
	case Blend:
		return "blend"
	case CoOccurrence:
		return "co-occurrence"
	case SegmentPopularity:
		return "segment popularity"
	case GlobalPopularity:
		return "global popularity"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Item is one recommended product and its score (higher is better; scores
// are comparable within one list only).
type Item struct {
	Product string  `json:"product"`
	Score   float64 `json:"score"`
}

type neighbour struct {
	item int32
	sim  float32
}

// Model is a fitted recommender. It is safe for concurrent use.
type Model struct {
	opts     Options
	products []string
	index    map[string]int32
	history  map[string][]int32 // user -> bought products, increasing
	segment  map[string]int     // user -> segment (users with a known segment)
	neigh    [][]neighbour
	global   []float64         // product -> share of users who bought it
	segPop   map[int][]float64 // segment -> product -> share of its users who bought it
	rank     []int32           // products bought by anyone, by global popularity, then id
	segRank  map[int][]int32   // segment -> products bought in it, by popularity in it, then global rank
	scratch  sync.Pool         // of *scratch
}

// Fit learns a model from purchases. segments gives users' segments; users
// missing from it have no known segment (nil: no segments).
func Fit(ctx context.Context, purchases []Purchase, segments map[string]int, opts Options) (*Model, error) {
	return FitSeq(ctx, slices.Values(purchases), segments, opts)
}

// FitSeq is Fit over purchases read once, in order, as they come (from a
// query, say), so that they need not be held in memory together.
func FitSeq(ctx context.Context, purchases iter.Seq[Purchase], segments map[string]int, opts Options) (*Model, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	m := &Model{opts: opts, index: map[string]int32{}, segment: map[string]int{}}
	// Baskets and users are numbered as they first appear; the lines of
	// one basket, and of one user, mostly come in a row, so the last
	// basket and user are looked up before the maps.
	type bkey struct{ user, basket string }
	basketOf := map[bkey]int32{}
	var baskets [][]int32 // in the order they first appear
	userOf := map[string]int32{}
	var users []string
	var hists [][]int32
	lastKey, lastB, lastU := bkey{}, int32(-1), int32(-1)
	k := -1
	var bad error
	for p := range purchases {
		k++
		if p.User == "" || p.Product == "" {
			bad = fmt.Errorf("recommend: purchase %d has an empty user or product", k)
			break
		}
		id, ok := m.index[p.Product]
		if !ok {
			id = int32(len(m.products))
			m.index[p.Product] = id
			m.products = append(m.products, p.Product)
		}
		key := bkey{p.User, p.Basket}
		if p.Basket == "" {
			key.basket = "\x00" + p.Time.UTC().Format(time.RFC3339Nano)
		}
		if lastB < 0 || key != lastKey {
			b, ok := basketOf[key]
			if !ok {
				b = int32(len(baskets))
				basketOf[key] = b
				baskets = append(baskets, nil)
			}
			if lastU < 0 || key.user != lastKey.user {
				u, ok := userOf[key.user]
				if !ok {
					u = int32(len(users))
					userOf[key.user] = u
					users = append(users, key.user)
					hists = append(hists, nil)
				}
				lastU = u
			}
			lastKey, lastB = key, b
		}
		baskets[lastB] = append(baskets[lastB], id)
		hists[lastU] = append(hists[lastU], id)
	}
	if bad != nil {
		return nil, bad
	}
	if k < 0 {
		return nil, fmt.Errorf("recommend: no purchases")
	}
	m.history = make(map[string][]int32, len(users))
	for u, h := range hists {
		m.history[users[u]] = dedup(h)
	}
	np := len(m.products)

	// Popularity.
	m.global = make([]float64, np)
	segUsers := map[int]float64{}
	m.segPop = map[int][]float64{}
	for u, h := range m.history {
		s, ok := segments[u]
		if ok {
			m.segment[u] = s
			if m.segPop[s] == nil {
				m.segPop[s] = make([]float64, np)
			}
			segUsers[s]++
		}
		for _, i := range h {
			m.global[i]++
			if ok {
				m.segPop[s][i]++
			}
		}
	}
	for u, s := range segments {
		if _, ok := m.history[u]; !ok {
			m.segment[u] = s
		}
	}
	for i := range m.global {
		m.global[i] /= float64(len(m.history))
	}
	for s, pop := range m.segPop {
		for i := range pop {
			pop[i] /= segUsers[s]
		}
	}
	m.rank = m.ranked(m.global)
	m.segRank = map[int][]int32{}
	for s, pop := range m.segPop {
		m.segRank[s] = m.ranked(pop)
	}

	// Co-occurrence.
	var bs [][]int32
	inBasket := make([][]int32, np)
	count := make([]float64, np)
	for _, b := range baskets {
		b = dedup(b)
		if len(b) < 2 || len(b) > opts.MaxBasket {
			continue
		}
		for _, i := range b {
			inBasket[i] = append(inBasket[i], int32(len(bs)))
			count[i]++
		}
		bs = append(bs, b)
	}
	m.neigh = make([][]neighbour, np)
	acc := make([]float64, np)
	var touched []int32
	for i := range np {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		touched = touched[:0]
		for _, b := range inBasket[i] {
			for _, j := range bs[b] {
				if int(j) == i {
					continue
				}
				if acc[j] == 0 {
					touched = append(touched, j)
				}
				acc[j]++
			}
		}
		ns := make([]neighbour, 0, len(touched))
		for _, j := range touched {
			ns = append(ns, neighbour{j, float32(acc[j] / math.Sqrt(count[i]*count[j]))})
			acc[j] = 0
		}
		slices.SortFunc(ns, func(a, b neighbour) int {
			if a.sim != b.sim {
				if a.sim > b.sim {
					return -1
				}
				return 1
			}
			return cmp.Compare(a.item, b.item)
		})
		if len(ns) > opts.Neighbours {
			ns = ns[:opts.Neighbours:opts.Neighbours]
		}
		m.neigh[i] = ns
	}
	return m, nil
}

// dedup sorts v in place and returns its distinct values.
func dedup(v []int32) []int32 {
	slices.Sort(v)
	return slices.Compact(v)
}

// Recommend returns up to n products user has not bought, best first, by
// the blend (see the package documentation).
func (m *Model) Recommend(user string, n int) []Item { return m.RecommendBy(Blend, user, n) }

// RecommendBy is Recommend with the given scoring method.
func (m *Model) RecommendBy(method Method, user string, n int) []Item {
	if n <= 0 {
		return nil
	}
	sc, _ := m.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{state: make([]uint8, len(m.products)), score: make([]float64, len(m.products))}
	}
	hist := m.history[user]
	state, score := sc.state, sc.score
	for _, i := range hist {
		state[i] = bought
	}
	// items are the scored products, in the order they got a score.
	items := sc.items[:0]
	add := func(j int32, s float64) {
		state[j] = scored
		score[j] = s
		items = append(items, j)
	}
	pop, rank := m.global, m.rank
	if s, ok := m.segment[user]; ok && m.segPop[s] != nil {
		pop, rank = m.segPop[s], m.segRank[s]
	}
	alpha := m.opts.SegmentWeight
	switch method {
	case GlobalPopularity:
		pop, rank, alpha = m.global, m.rank, 1
	case SegmentPopularity:
		alpha = 1
	case CoOccurrence:
		alpha = 0
	}
	if alpha < 1 {
		for _, i := range hist {
			for _, nb := range m.neigh[i] {
				switch state[nb.item] {
				case unseen:
					add(nb.item, float64(nb.sim))
				case scored:
					score[nb.item] += float64(nb.sim)
				}
			}
		}
		var maxCo float64
		for _, j := range items {
			maxCo = math.Max(maxCo, score[j])
		}
		for _, j := range items {
			score[j] = (1 - alpha) * score[j] / maxCo
		}
	}
	if alpha > 0 || len(items) < n {
		// Popularity: the products popular in pop, enough to fill the list.
		w := alpha
		if w == 0 {
			w = 1e-9 // only a fallback below every co-occurrence score
		}
		if len(rank) > 0 {
			maxPop := pop[rank[0]]
			for _, j := range items {
				score[j] += w * pop[j] / maxPop
			}
			// A product without a co-occurrence score can only reach the
			// top n if it is among the n most popular ones not bought.
			taken := 0
			for _, j := range rank {
				if taken == n {
					break
				}
				if state[j] == bought {
					continue
				}
				if state[j] == unseen {
					add(j, w*pop[j]/maxPop)
				}
				taken++
			}
		}
	}
	for _, j := range m.rank { // fill up with the global best sellers
		if len(items) >= n {
			break
		}
		if state[j] == unseen {
			add(j, 0)
		}
	}
	// The best n in the order score, global popularity, product id: a
	// total order (ids are unique), so this is a full sort cut at n.
	before := func(i, j int32) bool {
		if score[i] != score[j] {
			return score[i] > score[j]
		}
		if m.global[i] != m.global[j] {
			return m.global[i] > m.global[j]
		}
		return m.products[i] < m.products[j]
	}
	top := sc.top[:0]
	for _, j := range items {
		if len(top) == n && !before(j, top[n-1]) {
			continue
		}
		k := sort.Search(len(top), func(k int) bool { return before(j, top[k]) })
		if len(top) < n {
			top = append(top, 0)
		}
		copy(top[k+1:], top[k:len(top)-1])
		top[k] = j
	}
	out := make([]Item, len(top))
	for k, j := range top {
		out[k] = Item{Product: m.products[j], Score: score[j]}
	}
	for _, j := range items {
		state[j] = unseen
	}
	for _, i := range hist {
		state[i] = unseen
	}
	sc.items, sc.top = items, top
	m.scratch.Put(sc)
	return out
}

// Product states in a scratch.
const (
	unseen uint8 = iota
	bought
	scored
)

// scratch is the working memory of one RecommendBy call, indexed by
// product; between calls every state is unseen.
type scratch struct {
	state []uint8
	score []float64 // valid where state is scored
	items []int32
	top   []int32
}

// ranked returns the products with v > 0 by decreasing v, then global
// popularity, then id.
func (m *Model) ranked(v []float64) []int32 {
	idx := make([]int32, 0, len(v))
	for i, x := range v {
		if x > 0 {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(i, j int32) int {
		switch {
		case v[i] != v[j]:
			return -cmp.Compare(v[i], v[j])
		case m.global[i] != m.global[j]:
			return -cmp.Compare(m.global[i], m.global[j])
		}
		return strings.Compare(m.products[i], m.products[j])
	})
	return idx
}

// Basis says what a user's recommendations rest on.
type Basis struct {
	// Products is the number of distinct products the user bought.
	Products int
	// Segment is the user's segment, when HasSegment.
	Segment    int
	HasSegment bool
}

// Basis returns what user's recommendations rest on.
func (m *Model) Basis(user string) Basis {
	s, ok := m.segment[user]
	return Basis{Products: len(m.history[user]), Segment: s, HasSegment: ok}
}
