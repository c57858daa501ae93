package synth_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/persona-seg/persona/synth"
)

func ExampleGenerate() {
	dir, err := os.MkdirTemp("", "synth-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	sum, err := synth.Generate(context.Background(), dir, synth.Options{Users: 1000, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("users:", sum.Users)
	for _, p := range synth.Personas() {
		fmt.Printf("%-16s %d\n", p.Name, sum.PersonaSizes[p.Name])
	}
	// Output:
	// users: 1000
	// champions        150
	// bargain_hunters  230
	// window_browsers  290
	// lapsed           120
	// new_users        100
	// influencers      70
	// noise            40
}

func ExamplePersonas() {
	for _, p := range synth.Personas() {
		fmt.Println(p.Name)
	}
	// Output:
	// champions
	// bargain_hunters
	// window_browsers
	// lapsed
	// new_users
	// influencers
	// noise
}
