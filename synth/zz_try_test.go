package synth

import (
	"context"
	"os"
	"strconv"
	"testing"
)

func TestTry(t *testing.T) {
	dir := os.Getenv("SYNTH_OUT")
	if dir == "" {
		t.Skip()
	}
	seed, _ := strconv.ParseUint(os.Getenv("SYNTH_SEED"), 10, 64)
	s, err := Generate(context.Background(), dir, Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
}
