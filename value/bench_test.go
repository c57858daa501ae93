package value

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// benchSummary draws n customers from the BG/NBD and Gamma-Gamma models
// over two years of whole days, like a shop's log.
func benchSummary(n int) *Summary {
	x, tx, T, _ := simBGNBD(n, BGNBD{R: 0.8, Alpha: 40, A: 0.8, B: 4}, 365, 730, 0, 21)
	s := &Summary{Unit: Days, End: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), HasAmounts: true,
		Frequency: x, Recency: tx, T: T, Monetary: simSpend(x, GammaGamma{P: 4, Q: 3, V: 40}, 22)}
	s.IDs = make([]string, n)
	for i := range n {
		s.IDs[i] = strconv.Itoa(i)
		T[i] = math.Floor(T[i])
		tx[i] = math.Min(math.Floor(tx[i]), T[i])
		if x[i] > tx[i] { // at most one purchase a day
			x[i] = tx[i]
		}
		if x[i] == 0 {
			tx[i] = 0
		}
	}
	return s
}

func BenchmarkScore100k(b *testing.B) { benchScore(b, 100_000, ModelBGNBD) }
func BenchmarkScore1M(b *testing.B)   { benchScore(b, 1_000_000, ModelBGNBD) }
func BenchmarkScorePareto10k(b *testing.B) {
	benchScore(b, 10_000, ModelParetoNBD)
}

// benchScore fits BG/NBD (or Pareto/NBD) and Gamma-Gamma to n customers
// and scores them all: p_alive, 12 months of expected purchases and CLV.
func benchScore(b *testing.B, n int, m Model) {
	s := benchSummary(n)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Score(context.Background(), s, nil, Options{Model: m, Discount: 0.01}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuilder1M(b *testing.B) { benchBuilder(b, 1_000_000) }

// benchBuilder adds n purchases of n/13 customers, grouped by customer as
// ORDER BY user_id delivers them, and summarises them.
func benchBuilder(b *testing.B, n int) {
	rnd := rand.New(rand.NewPCG(1, 2))
	users := n / 13
	ids := make([]string, users)
	for i := range ids {
		ids[i] = "U" + strconv.Itoa(1_000_000+i)
	}
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	ats := make([]time.Time, n)
	for i := range ats {
		ats[i] = start.Add(time.Duration(rnd.Int64N(730*86400)) * time.Second)
	}
	b.ResetTimer()
	for b.Loop() {
		bl := NewBuilder(SummaryOptions{})
		for i := range n {
			bl.Add(ids[i*users/n], ats[i], 10)
		}
		if _, err := bl.Summary(); err != nil {
			b.Fatal(err)
		}
	}
}
