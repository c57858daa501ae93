// Command persona turns raw user data into profiles, segments, reports and
// served results. Run "persona --help" for the commands.
package main

import (
	"os"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/persona-seg/persona/internal/cli"
)

func main() {
	os.Exit(int(cli.Main()))
}
