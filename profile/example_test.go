package profile_test

import (
	"fmt"

	"github.com/persona-seg/persona/profile"
)

func ExampleScoreRFM() {
	// Days since the last purchase, orders and spend of five customers; the
	// last never bought.
	recency := []float64{3, 40, 200, 15, 365}
	frequency := []float64{12, 4, 1, 6, 0}
	monetary := []float64{900, 120, 15, 300, 0}
	scores, err := profile.ScoreRFM(recency, frequency, monetary)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range scores {
		fmt.Printf("R%d F%d M%d %s\n", s.R, s.F, s.M, s.Group)
	}
	// Output:
	// R4 F4 M4 loyal
	// R2 F2 M2 hibernating
	// R1 F1 M1 lost
	// R3 F3 M3 need attention
	// R0 F0 M0 no purchase
}

func ExampleCompare() {
	before := []string{"ann", "bob", "cat", "dan"}
	after := []string{"ann", "bob", "cat", "dan"}
	t, err := profile.Compare(before, []int{0, 0, 1, 1}, after, []int{7, 7, 7, 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("segment 7 continues", t.Match[7], "and 8 continues", t.Match[8])
	for _, m := range t.Moves {
		fmt.Printf("%s moved from %d to %d\n", m.User, m.Before, m.After)
	}
	// Output:
	// segment 7 continues 0 and 8 continues 1
	// cat moved from 1 to 7
}
