package cluster

import (
	"fmt"
	"slices"
	"strings"
)

// Algorithm names a segmentation algorithm: what run's and demo's
// --algorithm take, and what model.json, summary.json and the store
// record. The names are defined here once; model, pipeline, report and
// the command line use these constants.
type Algorithm string

// Segmentation algorithms.
const (
	// AlgorithmAuto chooses k-prototypes or k-means from the share of
	// categorical attributes (see package pipeline); a model never holds
	// it.
	AlgorithmAuto         Algorithm = "auto"
	AlgorithmKMeans       Algorithm = "kmeans"
	AlgorithmHierarchical Algorithm = "hierarchical"
	AlgorithmDBSCAN       Algorithm = "dbscan"
	AlgorithmKMedoids     Algorithm = "kmedoids"
	AlgorithmKPrototypes  Algorithm = "kprototypes"
)

// Algorithms returns the segmentation algorithms, AlgorithmAuto first.
func Algorithms() []Algorithm {
	return []Algorithm{AlgorithmAuto, AlgorithmKMeans, AlgorithmHierarchical, AlgorithmDBSCAN, AlgorithmKMedoids, AlgorithmKPrototypes}
}

// ParseAlgorithm returns the algorithm named s, or an error that reads
// `must be auto, kmeans, ... or kprototypes, got "s"` (the caller puts the
// option's name before it).
func ParseAlgorithm(s string) (Algorithm, error) {
	return parseName(s, Algorithms())
}

// LinkageMethod names a hierarchical linkage (LinkageOptions.Method).
type LinkageMethod string

// Linkage methods accepted by LinkageOptions.Method.
const (
	LinkageWard     LinkageMethod = "ward"
	LinkageComplete LinkageMethod = "complete"
	LinkageAverage  LinkageMethod = "average"
	LinkageSingle   LinkageMethod = "single"
)

// LinkageMethods returns the linkage methods, the default (Ward) first.
func LinkageMethods() []LinkageMethod {
	return []LinkageMethod{LinkageWard, LinkageComplete, LinkageAverage, LinkageSingle}
}

// ParseLinkage returns the linkage method named s, or an error that reads
// `must be ward, complete, average or single, got "s"`.
func ParseLinkage(s string) (LinkageMethod, error) {
	return parseName(s, LinkageMethods())
}

// parseName returns s as one of names, or an error listing them.
func parseName[T ~string](s string, names []T) (T, error) {
	if slices.Contains(names, T(s)) {
		return T(s), nil
	}
	return "", fmt.Errorf("must be %s, got %q", orList(names), s)
}

// orList writes names as "a, b or c".
func orList[T ~string](names []T) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(n))
	}
	return b.String()
}
