// Command gendemo writes the demo generator's CSV files (package synth)
// for scripts/pushdown/bench.sh: gendemo DIR USERS.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/persona-seg/persona/synth"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gendemo DIR USERS")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendemo: USERS:", err)
		os.Exit(2)
	}
	s, err := synth.Generate(context.Background(), os.Args[1], synth.Options{Users: n, Seed: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendemo:", err)
		os.Exit(1)
	}
	fmt.Printf("%d users, %d events, %d transaction lines, %d social rows\n", s.Users, s.Events, s.Transactions, s.Social)
}
