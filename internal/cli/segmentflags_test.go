package cli

import (
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// TestAlgorithmNames checks the config's algorithm and linkage names are
// the ones the flags and the pipeline take.
func TestAlgorithmNames(t *testing.T) {
	for _, a := range cluster.Algorithms() {
		for _, l := range cluster.LinkageMethods() {
			s := SegmentFlags{Algorithm: string(a), Linkage: string(l), KRange: "2..12", MinSamples: 10, PCA: 10}
			if err := s.validate(); err != nil {
				t.Errorf("algorithm %s, linkage %s: %v", a, l, err)
			}
		}
	}
	if err := (&SegmentFlags{Algorithm: "kmode", Linkage: "ward", KRange: "2..12", MinSamples: 10, PCA: 10}).validate(); err == nil {
		t.Error("--algorithm kmode is accepted")
	}
}
