// Command persona turns raw user data into profiles, segments, reports and
// served results. Run "persona --help" for the commands.
package main

import (
	"os"

	"github.com/persona-seg/persona/internal/cli"
)

func main() {
	os.Exit(int(cli.Main()))
}
