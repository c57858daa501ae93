package recommend

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// synthBaskets draws users' baskets from a few taste groups, each with
// its own popular products (Zipf within the group).
func synthBaskets(users, products, basketsPerUser int) ([]Purchase, map[string]int) {
	rng := rand.New(rand.NewPCG(1, 1))
	const groups = 8
	zipf := rand.NewZipf(rng, 1.2, 1, uint64(products/groups-1))
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var ps []Purchase
	seg := map[string]int{}
	for u := range users {
		g := rng.IntN(groups)
		user := fmt.Sprintf("u%06d", u)
		seg[user] = g
		for b := range basketsPerUser {
			basket := fmt.Sprintf("%s-%d", user, b)
			for range 1 + rng.IntN(8) {
				p := g*(products/groups) + int(zipf.Uint64())
				ps = append(ps, Purchase{User: user, Product: fmt.Sprintf("p%05d", p), Basket: basket, Time: t0.Add(time.Duration(b) * 24 * time.Hour)})
			}
		}
	}
	return ps, seg
}

func BenchmarkFit20kUsers(b *testing.B) {
	ps, seg := synthBaskets(20000, 4000, 5)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Fit(context.Background(), ps, seg, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecommend20kUsers(b *testing.B) {
	ps, seg := synthBaskets(20000, 4000, 5)
	m, err := Fit(context.Background(), ps, seg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	users := make([]string, 0, len(seg))
	for u := range seg {
		users = append(users, u)
	}
	sort.Strings(users)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m.Recommend(users[i%len(users)], 10)
		i++
	}
}
