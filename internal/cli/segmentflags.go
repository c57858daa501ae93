package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/pipeline"
)

// SegmentFlags are the segmentation flags that "demo" and "run" share.
type SegmentFlags struct {
	Algorithm  string
	K          int
	KRange     string
	Linkage    string
	Eps        float64
	MinSamples int
	PCA        int
}

func (s *SegmentFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&s.Algorithm, "algorithm", string(cluster.AlgorithmAuto), "segmentation algorithm: auto (kprototypes when categorical attributes are a quarter or more of the attributes, else kmeans), kmeans, hierarchical, dbscan, kmedoids (Gower + PAM/CLARA) or kprototypes")
	fs.IntVar(&s.K, "k", 0, "number of segments; 0 chooses it from the data (kmeans, hierarchical)")
	fs.StringVar(&s.KRange, "k-range", "2..12", "range of k tried when choosing it, as `MIN..MAX`; it grows (up to twice MAX) while the best silhouette sits at its top")
	fs.StringVar(&s.Linkage, "linkage", string(cluster.LinkageWard), "hierarchical linkage: ward, complete, average or single")
	fs.Float64Var(&s.Eps, "eps", 0, "DBSCAN neighbourhood radius in the clustering space; 0 chooses it from the k-distance curve")
	fs.IntVar(&s.MinSamples, "min-samples", 10, "DBSCAN: users (itself included) a user's neighbourhood needs to be core")
	fs.IntVar(&s.PCA, "pca", 10, "cluster on this many principal components of the scaled features; -1 uses them all")
}

// validate checks the flags that can be checked without running.
func (s *SegmentFlags) validate() error {
	if _, err := cluster.ParseAlgorithm(s.Algorithm); err != nil {
		return usagef("--algorithm %w", err)
	}
	if _, err := cluster.ParseLinkage(s.Linkage); err != nil {
		return usagef("--linkage %w", err)
	}
	if s.K == 1 || s.K < 0 {
		return usagef("--k must be 2 or more (or 0 to choose it from the data), got %d", s.K)
	}
	if s.Eps < 0 {
		return usagef("--eps must be a positive radius (or 0 to choose it), got %g", s.Eps)
	}
	if s.MinSamples < 1 {
		return usagef("--min-samples must be 1 or more, got %d", s.MinSamples)
	}
	if s.PCA == 0 || s.PCA < -1 {
		return usagef("--pca must be a number of components (or -1 for none), got %d", s.PCA)
	}
	_, _, err := parseKRange(s.KRange)
	return err
}

// apply sets the segmentation fields of o.
func (s *SegmentFlags) apply(o *pipeline.Options) error {
	kmin, kmax, err := parseKRange(s.KRange)
	if err != nil {
		return err
	}
	o.Algorithm, o.K, o.KMin, o.KMax = cluster.Algorithm(s.Algorithm), s.K, kmin, kmax
	o.Linkage, o.Eps, o.MinSamples, o.PCA = cluster.LinkageMethod(s.Linkage), s.Eps, s.MinSamples, s.PCA
	return nil
}

// fromConfig takes the config's segmentation section for every flag not
// given on the command line (given reports whether it was), then checks
// the result.
func (s *SegmentFlags) fromConfig(c dataset.Segmentation, given func(flag string) bool) error {
	if c.Algorithm != "" && !given("algorithm") {
		s.Algorithm = c.Algorithm
	}
	if c.K != 0 && !given("k") {
		s.K = c.K
	}
	if (c.KMin != 0 || c.KMax != 0) && !given("k-range") {
		lo, hi, _ := parseKRange(s.KRange)
		if c.KMin != 0 {
			lo = c.KMin
		}
		if c.KMax != 0 {
			hi = c.KMax
		}
		s.KRange = fmt.Sprintf("%d..%d", lo, hi)
	}
	if c.Linkage != "" && !given("linkage") {
		s.Linkage = c.Linkage
	}
	if c.Eps != 0 && !given("eps") {
		s.Eps = c.Eps
	}
	if c.MinSamples != 0 && !given("min-samples") {
		s.MinSamples = c.MinSamples
	}
	if c.PCA != 0 && !given("pca") {
		s.PCA = c.PCA
	}
	if err := s.validate(); err != nil {
		return fmt.Errorf("with the config's segmentation section: %w", err)
	}
	return nil
}
