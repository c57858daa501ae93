package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestPersonasSeparable checks the purpose of the data set: k-means on a
// handful of plain per-user features (the kind the feature catalogue
// computes) recovers the planted personas with a high adjusted Rand index.
// The k-means and ARI here are deliberately minimal test helpers.
func TestPersonasSeparable(t *testing.T) {
	dir, _ := generate(t, 3000, 9)
	d := load(t, dir)
	x, labels := userFeatures(t, d)
	standardize(x)
	k := len(Personas())
	got := kmeans(x, k, rand.New(rand.NewPCG(1, 2)))
	ari := adjustedRand(labels, got)
	t.Logf("ARI of k-means (k=%d) on %d features: %.3f", k, len(x[0]), ari)
	if ari < 0.85 {
		t.Errorf("ARI = %.3f, want >= 0.85", ari)
	}
}

// userFeatures returns one row of features per user (in users.csv order)
// and the index of each user's true persona.
func userFeatures(t *testing.T, d dataset) ([][]float64, []int) {
	t.Helper()
	end := defaultEnd()
	const (
		fAge = iota
		fTenure
		fEvents
		fSearch
		fView
		fCart
		fMobile
		fNight
		fMorning
		fLunch
		fEvening
		fWeekend
		fOrders
		fMonetary
		fDiscount
		fPrice
		fRecency
		fSocial
		fActive // share of social rows that are not likes
		nFeat
	)
	idx := map[string]int{}
	x := make([][]float64, len(d.users))
	last := make([]time.Time, len(d.users))
	lines := make([]float64, len(d.users))
	social := make([]float64, len(d.users))
	for i, row := range d.users {
		idx[row[0]] = i
		x[i] = make([]float64, nFeat)
		y, _ := strconv.Atoi(row[2])
		x[i][fAge] = float64(end.Year() - y)
		su, _ := parseDate(row[1])
		x[i][fTenure] = end.Sub(su).Hours() / 24
	}
	seen := func(i int, ts string) time.Time {
		tm, err := parseTS(ts)
		if err != nil {
			t.Fatal(err)
		}
		if tm.After(last[i]) {
			last[i] = tm
		}
		return tm
	}
	for _, row := range d.events {
		i := idx[row[0]]
		tm := seen(i, row[1])
		f := x[i]
		f[fEvents]++
		switch row[3] {
		case "search":
			f[fSearch]++
		case "product_view":
			f[fView]++
		case "add_to_cart":
			f[fCart]++
		}
		if row[5] == "mobile" {
			f[fMobile]++
		}
		switch h := tm.Hour(); {
		case h >= 22 || h < 4:
			f[fNight]++
		case h >= 6 && h < 11:
			f[fMorning]++
		case h >= 11 && h < 15:
			f[fLunch]++
		case h >= 17:
			f[fEvening]++
		}
		if wd := tm.Weekday(); wd == time.Saturday || wd == time.Sunday {
			f[fWeekend]++
		}
	}
	orders := map[string]bool{}
	for _, row := range d.txns {
		i := idx[row[0]]
		seen(i, row[2])
		q, _ := strconv.ParseFloat(row[5], 64)
		p, _ := strconv.ParseFloat(row[6], 64)
		disc, _ := strconv.ParseFloat(row[7], 64)
		x[i][fMonetary] += q * p * (1 - disc)
		if q < 0 {
			continue
		}
		if !orders[row[1]] {
			orders[row[1]] = true
			x[i][fOrders]++
		}
		lines[i]++
		x[i][fDiscount] += disc
		x[i][fPrice] += math.Log(p)
	}
	for _, row := range d.social {
		i := idx[row[0]]
		seen(i, row[1])
		social[i]++
		if row[3] != "like" {
			x[i][fActive]++
		}
	}
	// Per-line means; users who never bought get the mean of those who did.
	var sumDisc, sumPrice, buyers float64
	for i, f := range x {
		if lines[i] > 0 {
			f[fDiscount] /= lines[i]
			f[fPrice] /= lines[i]
			sumDisc += f[fDiscount]
			sumPrice += f[fPrice]
			buyers++
		}
	}
	labels := make([]int, len(x))
	names := map[string]int{}
	for i, p := range Personas() {
		names[p.Name] = i
	}
	for i, f := range x {
		if lines[i] == 0 {
			f[fDiscount], f[fPrice] = sumDisc/buyers, sumPrice/buyers
		}
		if n := f[fEvents]; n > 0 {
			for _, j := range []int{fSearch, fView, fCart, fMobile, fNight, fMorning, fLunch, fEvening, fWeekend} {
				f[j] /= n
			}
		}
		if social[i] > 0 {
			f[fActive] /= social[i]
		}
		f[fEvents] = math.Log1p(f[fEvents])
		f[fOrders] = math.Log1p(f[fOrders])
		f[fMonetary] = math.Log1p(math.Max(f[fMonetary], 0))
		f[fSocial] = math.Log1p(social[i])
		f[fRecency] = 730
		if !last[i].IsZero() {
			f[fRecency] = end.Sub(last[i]).Hours() / 24
		}
		labels[i] = names[d.truth[d.users[i][0]]]
	}
	return x, labels
}

// standardize scales every column of x to mean 0 and variance 1 in place.
func standardize(x [][]float64) {
	for j := range x[0] {
		var s, ss float64
		for _, r := range x {
			s += r[j]
		}
		m := s / float64(len(x))
		for _, r := range x {
			ss += (r[j] - m) * (r[j] - m)
		}
		sd := math.Sqrt(ss / float64(len(x)))
		if sd == 0 {
			sd = 1
		}
		for _, r := range x {
			r[j] = (r[j] - m) / sd
		}
	}
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

// kmeans runs Lloyd's algorithm from k-means++ seeds, keeping the best of
// ten starts, and returns the cluster of each row.
func kmeans(x [][]float64, k int, r *rand.Rand) []int {
	best, bestCost := []int(nil), math.Inf(1)
	for range 10 {
		centers := [][]float64{append([]float64(nil), x[r.IntN(len(x))]...)}
		d2 := make([]float64, len(x))
		for len(centers) < k {
			total := 0.0
			for i, p := range x {
				d2[i] = math.Inf(1)
				for _, c := range centers {
					d2[i] = math.Min(d2[i], sqDist(p, c))
				}
				total += d2[i]
			}
			u, pick := r.Float64()*total, len(x)-1
			for i, v := range d2 {
				if u -= v; u < 0 {
					pick = i
					break
				}
			}
			centers = append(centers, append([]float64(nil), x[pick]...))
		}
		labels := make([]int, len(x))
		cost := 0.0
		for range 100 {
			cost = 0
			changed := false
			for i, p := range x {
				bj, bd := 0, math.Inf(1)
				for j, c := range centers {
					if d := sqDist(p, c); d < bd {
						bj, bd = j, d
					}
				}
				if labels[i] != bj {
					labels[i], changed = bj, true
				}
				cost += bd
			}
			counts := make([]int, k)
			for _, c := range centers {
				clear(c)
			}
			for i, p := range x {
				counts[labels[i]]++
				for j, v := range p {
					centers[labels[i]][j] += v
				}
			}
			for j, c := range centers {
				for d := range c {
					c[d] /= math.Max(1, float64(counts[j]))
				}
			}
			if !changed {
				break
			}
		}
		if cost < bestCost {
			best, bestCost = labels, cost
		}
	}
	return best
}

// adjustedRand returns the adjusted Rand index of two labelings.
func adjustedRand(a, b []int) float64 {
	type pair struct{ a, b int }
	nij, ai, bj := map[pair]float64{}, map[int]float64{}, map[int]float64{}
	for i := range a {
		nij[pair{a[i], b[i]}]++
		ai[a[i]]++
		bj[b[i]]++
	}
	c2 := func(n float64) float64 { return n * (n - 1) / 2 }
	var index, sa, sb float64
	for _, n := range nij {
		index += c2(n)
	}
	for _, n := range ai {
		sa += c2(n)
	}
	for _, n := range bj {
		sb += c2(n)
	}
	expected := sa * sb / c2(float64(len(a)))
	return (index - expected) / ((sa+sb)/2 - expected)
}

// TestAdjustedRand checks the test helper against values from
// scikit-learn's adjusted_rand_score documentation.
func TestAdjustedRand(t *testing.T) {
	tests := []struct {
		name string
		a, b []int
		want float64
	}{
		{"identical", []int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{"renamed", []int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		{"split", []int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 0.5714285714285714},
		{"merged", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 0.5714285714285714},
		{"independent", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := adjustedRand(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("adjustedRand = %v, want %v", got, tt.want)
			}
		})
	}
}
