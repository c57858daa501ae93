package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/pipeline"
)

// TestAlgorithmNames checks the config's algorithm and linkage names are
// the ones the flags and the pipeline take.
func TestAlgorithmNames(t *testing.T) {
	pipe := []string{pipeline.AlgorithmAuto, pipeline.AlgorithmKMeans, pipeline.AlgorithmHierarchical, pipeline.AlgorithmDBSCAN, pipeline.AlgorithmKMedoids, pipeline.AlgorithmKPrototypes}
	if diff := cmp.Diff(pipe, dataset.Algorithms); diff != "" {
		t.Errorf("algorithms (-pipeline +config):\n%s", diff)
	}
	for _, a := range dataset.Algorithms {
		for _, l := range dataset.Linkages {
			s := SegmentFlags{Algorithm: a, Linkage: l, KRange: "2..12", MinSamples: 10, PCA: 10}
			if err := s.validate(); err != nil {
				t.Errorf("algorithm %s, linkage %s: %v", a, l, err)
			}
		}
	}
	if err := (&SegmentFlags{Algorithm: "kmode", Linkage: "ward", KRange: "2..12", MinSamples: 10, PCA: 10}).validate(); err == nil {
		t.Error("--algorithm kmode is accepted")
	}
}
