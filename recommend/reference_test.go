package recommend

import (
	"math"
	"sort"
)

// referenceRecommendBy is RecommendBy as first written: a map of scores
// and a full sort. RecommendBy must return exactly what it returns.
func referenceRecommendBy(m *Model, method Method, user string, n int) []Item {
	if n <= 0 {
		return nil
	}
	hist := m.history[user]
	bought := func(i int32) bool {
		k := sort.Search(len(hist), func(k int) bool { return hist[k] >= i })
		return k < len(hist) && hist[k] == i
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
	score := map[int32]float64{}
	if alpha < 1 {
		var maxCo float64
		for _, i := range hist {
			for _, nb := range m.neigh[i] {
				if !bought(nb.item) {
					score[nb.item] += float64(nb.sim)
				}
			}
		}
		for _, v := range score {
			maxCo = math.Max(maxCo, v)
		}
		for j, v := range score {
			score[j] = (1 - alpha) * v / maxCo
		}
	}
	if alpha > 0 || len(score) < n {
		// Popularity: the products popular in pop, enough to fill the list.
		w := alpha
		if w == 0 {
			w = 1e-9 // only a fallback below every co-occurrence score
		}
		if len(rank) > 0 {
			maxPop := pop[rank[0]]
			for j := range score {
				score[j] += w * pop[j] / maxPop
			}
			// A product without a co-occurrence score can only reach the
			// top n if it is among the n most popular ones not bought.
			taken := 0
			for _, j := range rank {
				if taken == n {
					break
				}
				if bought(j) {
					continue
				}
				if _, ok := score[j]; !ok {
					score[j] = w * pop[j] / maxPop
				}
				taken++
			}
		}
	}
	for _, j := range m.rank { // fill up with the global best sellers
		if len(score) >= n {
			break
		}
		if _, ok := score[j]; !ok && !bought(j) {
			score[j] = 0
		}
	}
	items := make([]int32, 0, len(score))
	for j := range score {
		items = append(items, j)
	}
	sort.Slice(items, func(a, b int) bool {
		i, j := items[a], items[b]
		if score[i] != score[j] {
			return score[i] > score[j]
		}
		if m.global[i] != m.global[j] {
			return m.global[i] > m.global[j]
		}
		return m.products[i] < m.products[j]
	})
	if len(items) > n {
		items = items[:n]
	}
	out := make([]Item, len(items))
	for k, j := range items {
		out[k] = Item{Product: m.products[j], Score: score[j]}
	}
	return out
}
