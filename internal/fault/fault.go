// Package fault lets tests make persona fail or die at named points of a
// run, so that the fault-injection suite can check that every failure
// leaves the output folder and the store as they were.
//
//	PERSONA_TEST_FAULT=swapped=kill persona run ...   # SIGKILL right after the pointer swap
//	PERSONA_TEST_FAULT=checkpoint=fail persona run ... # the store's checkpoint fails
//
// The variable holds comma-separated point=action pairs; the actions are
// kill (the process sends itself SIGKILL), fail (Check returns an error)
// and panic (Check panics with a Stop: an in-process test's stand-in for
// kill, which it recovers). Without the variable Check costs one
// environment lookup.
package fault

import (
	"fmt"
	"os"
	"strings"
)

// Env is the environment variable that names the points.
const Env = "PERSONA_TEST_FAULT"

// Check acts on point as Env says: it kills the process, returns an
// error, or (the normal case) returns nil.
func Check(point string) error {
	spec := os.Getenv(Env)
	if spec == "" {
		return nil
	}
	for _, pa := range strings.Split(spec, ",") {
		p, action, _ := strings.Cut(strings.TrimSpace(pa), "=")
		if p != point {
			continue
		}
		switch action {
		case "kill":
			if self, err := os.FindProcess(os.Getpid()); err == nil {
				self.Kill()
			}
			select {} // until the signal lands
		case "fail":
			return fmt.Errorf("injected fault at %s", point)
		case "panic":
			panic(Stop(point))
		}
	}
	return nil
}

// Stop is what Check panics with for the panic action: the point.
type Stop string
