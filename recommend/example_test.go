package recommend_test

import (
	"context"
	"fmt"
	"time"

	"github.com/persona-seg/persona/recommend"
)

func Example() {
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	buy := func(user, basket string, products ...string) []recommend.Purchase {
		var out []recommend.Purchase
		for _, p := range products {
			out = append(out, recommend.Purchase{User: user, Basket: basket, Product: p, Time: t})
		}
		return out
	}
	var ps []recommend.Purchase
	ps = append(ps, buy("ann", "o1", "tent", "stove")...)
	ps = append(ps, buy("bob", "o2", "tent", "stove", "lamp")...)
	ps = append(ps, buy("cat", "o3", "novel", "lamp")...)
	ps = append(ps, buy("dan", "o4", "tent")...)
	segments := map[string]int{"ann": 0, "bob": 0, "cat": 1, "dan": 0, "eve": 1}
	m, err := recommend.Fit(context.Background(), ps, segments, recommend.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, user := range []string{"dan", "eve"} {
		fmt.Print(user, ":")
		for _, it := range m.Recommend(user, 2) {
			fmt.Print(" ", it.Product)
		}
		fmt.Println()
	}
	// Output:
	// dan: stove lamp
	// eve: lamp novel
}
