// Command loadgen measures persona's HTTP API under load on loopback, and
// makes the synthetic store it is measured on.
//
//	loadgen store -store /tmp/load/persona.duckdb -users 1000000
//	loadgen http -url http://127.0.0.1:8080 -endpoint users -c 64 -d 20s -users 1000000
//	loadgen http -url http://127.0.0.1:8080 -endpoint records -data demo-out/data -n 1000 -c 2
//	loadgen ceiling -addr 127.0.0.1:8081 -bytes 2048
//
// The records endpoint posts users' own raw rows to POST /api/score, one
// user a request, read from the run's source data (persona demo's
// OUT/data), and checks that each gets the segment the run gave them
// (segments.csv beside the data) as the run's own ("known"). -n measures
// that many requests instead of a duration; -pid reports the server's CPU
// beside the client's.
//
// The ceiling mode serves a trivial net/http handler answering every GET
// /api/users/{id} with a fixed body: loadgen http against it measures
// what net/http and loopback allow on the machine with no work behind
// the answers, the ceiling of persona serve's lookups.
//
// It is a benchmark tool, not part of persona: it prints what it measured
// and exits 1 on a failed request.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen store|http|ceiling [flags] (loadgen store -h, loadgen http -h, loadgen ceiling -h)")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "store":
		err = storeMain(context.Background(), os.Args[2:])
	case "http":
		err = httpMain(context.Background(), os.Args[2:])
	case "ceiling":
		err = ceilingMain(context.Background(), os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "loadgen: unknown mode %q: use store, http or ceiling\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func newFlags(name string) *flag.FlagSet { return flag.NewFlagSet("loadgen "+name, flag.ExitOnError) }
