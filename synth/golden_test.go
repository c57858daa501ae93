package synth

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update the golden files in testdata/golden")

// TestGolden pins the exact output for a small data set, so that any change
// to the generated data is deliberate: regenerate with go test -update.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(context.Background(), dir, Options{Users: 8, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden")
	for _, name := range []string{UsersFile, EventsFile, TransactionsFile, SocialFile, TruthFile} {
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(golden, name)
			if *update {
				if err := os.MkdirAll(golden, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", name, path, diff)
			}
		})
	}
}
