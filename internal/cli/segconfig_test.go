package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/pipeline"
)

// TestSegmentationConfig runs with the config's segmentation section: its
// keys set what the flags would, a flag given wins over its key, and the
// stored run config is the config with the settings used, in its YAML's
// snake_case keys.
func TestSegmentationConfig(t *testing.T) {
	dir, config := writeShop(t)
	text, _ := os.ReadFile(config)
	seg := filepath.Join(dir, "seg.yaml")
	if err := os.WriteFile(seg, append(text, "segmentation: {algorithm: hierarchical, linkage: average, k: 4, pca: -1, seed: 9}\nfeatures: {session_gap: 45m}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		flags []string
		k     int
		seed  uint64
		algo  string
	}{
		{"config", nil, 4, 9, "hierarchical"},
		{"flags win", []string{"--k", "3", "--seed", "2", "--algorithm", "kmeans"}, 3, 2, "kmeans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			f, stdout, errOut := testFactory()
			args := append([]string{"run", "-c", seg, "-o", out, "--json"}, tt.flags...)
			if code := Run(f, args); code != ExitOK {
				t.Fatalf("exit code %d; stderr: %s", code, errOut)
			}
			var sum pipeline.Summary
			if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
				t.Fatal(err)
			}
			if sum.K != tt.k || string(sum.Algorithm) != tt.algo {
				t.Errorf("k %d, algorithm %q; want %d, %q", sum.K, sum.Algorithm, tt.k, tt.algo)
			}
			st, err := openStore(context.Background(), out)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			runs, err := st.List(context.Background(), persona.RunFilter{})
			if err != nil || len(runs) != 1 {
				t.Fatalf("runs %v, %v", runs, err)
			}
			var stored map[string]json.RawMessage
			if err := json.Unmarshal(runs[0].Config, &stored); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range stored {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if diff := cmp.Diff([]string{"features", "segmentation", "transactions"}, keys); diff != "" {
				t.Errorf("stored config keys (-want +got):\n%s", diff)
			}
			var s dataset.Segmentation
			if err := json.Unmarshal(stored["segmentation"], &s); err != nil {
				t.Fatal(err)
			}
			want := dataset.Segmentation{Algorithm: tt.algo, K: tt.k, KMin: 2, KMax: 12, PCA: -1, Seed: &tt.seed}
			if tt.algo == "hierarchical" {
				want.Linkage = "average"
			}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("stored segmentation (-want +got):\n%s", diff)
			}
			if string(stored["features"]) != `{"session_gap":"45m0s"}` {
				t.Errorf("stored features %s", stored["features"])
			}
		})
	}

	// A bad key is an error naming it and its line, before anything runs.
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, append(text, "segmentation:\n  algorithm: kmode\n"...), 0o644)
	f, _, errOut := testFactory()
	if code := Run(f, []string{"run", "-c", bad, "-o", filepath.Join(dir, "bad-out")}); code == ExitOK {
		t.Fatal("a bad segmentation.algorithm ran")
	}
	if want := "bad.yaml:5: segmentation.algorithm: must be auto, kmeans"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}
