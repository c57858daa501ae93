package inmem_test

import (
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/inmem"
	"github.com/persona-seg/persona/internal/runstoretest"
)

func TestRunStore(t *testing.T) {
	runstoretest.Test(t, func(t *testing.T) persona.RunStore { return inmem.New() })
}
