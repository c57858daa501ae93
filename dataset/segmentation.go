package dataset

import (
	"errors"
	"fmt"
	"github.com/persona-seg/persona/cluster"
	"math"
)

// Segmentation is the config's segmentation section: how persona run
// segments the users. A zero field means persona run's default, and a
// flag given on the command line (--k, --algorithm ...) wins over its key.
// The stored config of a run holds the settings it used.
type Segmentation struct {
	// Algorithm is one of cluster.Algorithms. Empty means auto.
	Algorithm string `yaml:"algorithm" json:"algorithm,omitempty"`
	// K fixes the number of segments (2 or more); 0 chooses it.
	K int `yaml:"k" json:"k,omitempty"`
	// KMin and KMax bound the k tried when choosing it. Default 2..12.
	KMin int `yaml:"k_min" json:"k_min,omitempty"`
	KMax int `yaml:"k_max" json:"k_max,omitempty"`
	// Linkage is the hierarchical linkage, one of cluster.LinkageMethods.
	// Empty means ward.
	Linkage string `yaml:"linkage" json:"linkage,omitempty"`
	// Eps is DBSCAN's radius in the clustering space; 0 chooses it.
	Eps float64 `yaml:"eps" json:"eps,omitempty"`
	// MinSamples is DBSCAN's neighbourhood size of a core user. Default 10.
	MinSamples int `yaml:"min_samples" json:"min_samples,omitempty"`
	// PCA is the number of principal components clustered on; -1 uses
	// all scaled features. Default 10.
	PCA int `yaml:"pca" json:"pca,omitempty"`
	// Seed makes every random choice reproducible. Nil means 1.
	Seed *uint64 `yaml:"seed" json:"seed,omitempty"`
}

// validate reports the first bad key of the section.
func (s Segmentation) validate() error {
	bad := func(key, format string, a ...any) error {
		return &ConfigError{Key: "segmentation." + key, Err: fmt.Errorf(format, a...)}
	}
	if s.Algorithm != "" {
		if _, err := cluster.ParseAlgorithm(s.Algorithm); err != nil {
			return &ConfigError{Key: "segmentation.algorithm", Err: err}
		}
	}
	if s.Linkage != "" {
		if _, err := cluster.ParseLinkage(s.Linkage); err != nil {
			return &ConfigError{Key: "segmentation.linkage", Err: err}
		}
	}
	switch {
	case s.K < 0 || s.K == 1:
		return bad("k", "must be 2 or more (or 0 to choose it from the data), got %d", s.K)
	case s.KMin < 0 || s.KMin == 1:
		return bad("k_min", "must be 2 or more, got %d", s.KMin)
	case s.KMax < 0 || s.KMax == 1:
		return bad("k_max", "must be 2 or more, got %d", s.KMax)
	case s.KMax > 0 && s.KMax < max(s.KMin, 2):
		return bad("k_max", "must be at least k_min (%d), got %d", max(s.KMin, 2), s.KMax)
	case s.KMax == 0 && s.KMin > 12:
		return bad("k_min", "is above the default k_max 12: set k_max too")
	case s.Eps < 0 || math.IsNaN(s.Eps) || math.IsInf(s.Eps, 0):
		return bad("eps", "must be a positive radius (or 0 to choose it), got %g", s.Eps)
	case s.MinSamples < 0:
		return bad("min_samples", "must be 1 or more, got %d", s.MinSamples)
	case s.PCA < -1:
		return bad("pca", "must be a number of components (or -1 for none), got %d", s.PCA)
	}
	if s.Linkage != "" && s.Algorithm != "" && s.Algorithm != "hierarchical" {
		return bad("linkage", "is for algorithm hierarchical, not %s", s.Algorithm)
	}
	if (s.Eps != 0 || s.MinSamples != 0) && s.Algorithm != "" && s.Algorithm != "dbscan" {
		return &ConfigError{Key: "segmentation", Err: errors.New("eps and min_samples are for algorithm dbscan, not " + s.Algorithm)}
	}
	return nil
}
