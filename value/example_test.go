package value_test

import (
	"context"
	"fmt"
	"time"

	"github.com/persona-seg/persona/value"
)

// ExampleBuilder summarises a small purchase log as lifetimes does.
func ExampleBuilder() {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	b := value.NewBuilder(value.SummaryOptions{ObservationEnd: day("2024-03-31")})
	b.Add("ann", day("2024-01-01"), 15)
	b.Add("ann", day("2024-01-15"), 20)
	b.Add("ann", day("2024-02-20"), 30)
	b.Add("bob", day("2024-03-01"), 8)
	s, _ := b.Summary()
	for i, id := range s.IDs {
		fmt.Printf("%s x=%g t_x=%g T=%g monetary=%g\n", id, s.Frequency[i], s.Recency[i], s.T[i], s.Monetary[i])
	}
	// Output:
	// ann x=2 t_x=50 T=90 monetary=25
	// bob x=0 t_x=0 T=30 monetary=0
}

// ExampleBGNBD scores a customer with a fitted model (the figures are
// those of lifetimes' formulas evaluated with SciPy): lifetimes'
// Quickstart fit of the CDNOW sample (weeks).
func ExampleBGNBD() {
	m := value.BGNBD{R: 0.242593, Alpha: 4.413532, A: 0.792886, B: 2.425752}
	// 2 repeat purchases, the last 30.43 weeks after the first, 38.86
	// weeks of history.
	fmt.Printf("P(alive) %.4f\n", m.PAlive(2, 30.43, 38.86))
	fmt.Printf("expected purchases in the next 52 weeks %.4f\n", m.ExpectedPurchases(52, 2, 30.43, 38.86))
	gg := value.GammaGamma{P: 6.2488, Q: 3.7446, V: 15.4477}
	fmt.Printf("expected order value %.2f\n", gg.ExpectedValue(2, 22.35))
	_ = context.Background
	// Output:
	// P(alive) 0.7266
	// expected purchases in the next 52 weeks 1.5586
	// expected order value 24.66
}
