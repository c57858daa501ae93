// Package model saves what assigning new users to segments needs (the
// feature spec, the fitted preparation, the PCA and the clustering state)
// as versioned JSON, and assigns new feature rows with it.
package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/value"
)

// Version is the version of the model JSON written by this package.
const Version = 1

// Unsegmented is the segment of a user that fits no segment (a DBSCAN
// model's user farther than Eps from every core point).
const Unsegmented = -1

// Model assigns users to the segments of a run. It is plain data and
// round-trips through JSON; Read checks it.
type Model struct {
	Version int    `json:"version"`
	RunID   string `json:"run_id,omitempty"`
	// Algorithm is one of cluster's algorithms other than auto.
	Algorithm cluster.Algorithm `json:"algorithm"`
	// Features fixes the feature columns (nil when the model was fitted on
	// a feature table that did not come from package features).
	Features *features.Spec `json:"features,omitempty"`
	// AsOf is the training run's reference date: raw records are
	// described relative to it, so that a user's own rows give the
	// features the run computed for them. Zero in models saved before it
	// was kept (and in models of feature tables).
	AsOf time.Time `json:"as_of,omitzero"`
	// Prep turns raw feature rows (columns Prep.Inputs) into scaled ones.
	Prep *prep.Fitted `json:"prep"`
	// PCA, when set, projects the scaled rows into the clustering space.
	PCA *prep.PCA `json:"pca,omitempty"`
	// Segments lists the segments; with k-means or hierarchical
	// clustering, Centers[i] is the centre of Segments[i] in the
	// clustering space.
	Segments []Segment   `json:"segments"`
	Centers  [][]float64 `json:"centers,omitempty"`
	// Eps, Core and CoreSegments are a DBSCAN model: the core points in
	// the clustering space and their segment ids.
	Eps          float64     `json:"eps,omitempty"`
	Core         [][]float64 `json:"core,omitempty"`
	CoreSegments []int       `json:"core_segments,omitempty"`
	// Mixed is a k-medoids or k-prototypes model, which assigns users by
	// their attributes rather than in the clustering space (see Mixed).
	Mixed *Mixed `json:"mixed,omitempty"`
	// Value holds the run's customer-value models (package value), which
	// persona score applies to new customers; nil when the run had none.
	Value *value.Saved `json:"value,omitempty"`
}

// Segment names one segment.
type Segment struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// Inputs returns the feature names a row must have, in order.
func (m *Model) Inputs() []string { return m.Prep.Inputs }

// Dims returns the dimension of the clustering space.
func (m *Model) Dims() int {
	if m.PCA != nil {
		return len(m.PCA.Components)
	}
	return len(m.Prep.Output)
}

// Validate reports the first inconsistency that would make Assign fail or
// give meaningless segments.
func (m *Model) Validate() error {
	switch {
	case m.Version != Version:
		return fmt.Errorf("model version %d: this persona reads version %d", m.Version, Version)
	case m.Prep == nil:
		return errors.New("model has no prep")
	case len(m.Segments) == 0:
		return errors.New("model has no segments")
	}
	if m.PCA != nil && len(m.PCA.Mean) != len(m.Prep.Output) {
		return fmt.Errorf("model pca expects %d columns, prep gives %d", len(m.PCA.Mean), len(m.Prep.Output))
	}
	if m.Features != nil && m.Features.Names != nil && len(m.Features.Names) != len(m.Prep.Inputs) {
		return fmt.Errorf("model feature spec names %d features, prep expects %d", len(m.Features.Names), len(m.Prep.Inputs))
	}
	d := m.Dims()
	known := map[int]bool{}
	for _, s := range m.Segments {
		if s.ID < 0 {
			return fmt.Errorf("model segment id %d is negative", s.ID)
		}
		known[s.ID] = true
	}
	checkRows := func(what string, rows [][]float64) error {
		for i, r := range rows {
			if len(r) != d {
				return fmt.Errorf("model %s row %d has %d values, want %d", what, i, len(r), d)
			}
			for _, v := range r {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("model %s row %d is not finite", what, i)
				}
			}
		}
		return nil
	}
	switch m.Algorithm {
	case cluster.AlgorithmKMeans, cluster.AlgorithmHierarchical:
		if len(m.Centers) != len(m.Segments) {
			return fmt.Errorf("model has %d centres for %d segments", len(m.Centers), len(m.Segments))
		}
		return checkRows("centre", m.Centers)
	case cluster.AlgorithmDBSCAN:
		if !(m.Eps > 0) || math.IsInf(m.Eps, 0) {
			return fmt.Errorf("model eps must be a positive number, got %v", m.Eps)
		}
		if len(m.Core) != len(m.CoreSegments) {
			return fmt.Errorf("model has %d core points for %d core segments", len(m.Core), len(m.CoreSegments))
		}
		for i, s := range m.CoreSegments {
			if !known[s] {
				return fmt.Errorf("model core point %d is in unknown segment %d", i, s)
			}
		}
		return checkRows("core", m.Core)
	case cluster.AlgorithmKMedoids, cluster.AlgorithmKPrototypes:
		if m.Mixed == nil {
			return fmt.Errorf("model algorithm %s has no mixed-type state", m.Algorithm)
		}
		return m.Mixed.validate(m.Algorithm, len(m.Segments), m.Prep)
	default:
		return fmt.Errorf("model algorithm %q is not one of kmeans, hierarchical, dbscan, kmedoids, kprototypes", m.Algorithm)
	}
}

// Space returns the rows of x (raw features, columns Inputs()) in the
// clustering space.
func (m *Model) Space(x *mat.Dense) (*mat.Dense, error) {
	z, err := m.Prep.Transform(x)
	if err != nil {
		return nil, err
	}
	if m.PCA == nil {
		return z, nil
	}
	n, _ := z.Dims()
	out := mat.NewDense(n, len(m.PCA.Components), nil)
	if err := m.PCA.Transform(out, z); err != nil {
		return nil, err
	}
	return out, nil
}

// Assign returns the segment of every row of x (raw features, columns
// Inputs()) and its distance to what it was assigned by: the nearest
// centre, or for DBSCAN the nearest core point (Unsegmented and the
// distance to the nearest core point when that is farther than Eps).
// Ties go to the segment listed first. A k-medoids model assigns by the
// Gower dissimilarity to the medoids (the distance is that dissimilarity,
// in [0, 1]; Unsegmented when a user shares no attribute with any medoid),
// a k-prototypes model by the k-prototypes cost (squared distance plus
// Gamma per mismatch).
func (m *Model) Assign(x *mat.Dense) (segments []int, dist []float64, err error) {
	if m.Mixed != nil {
		if _, c := x.Dims(); c != len(m.Prep.Inputs) {
			return nil, nil, fmt.Errorf("%d feature columns, the model expects %d", c, len(m.Prep.Inputs))
		}
		return m.assignMixed(x)
	}
	z, err := m.Space(x)
	if err != nil {
		return nil, nil, err
	}
	n, _ := z.Dims()
	segments, dist = make([]int, n), make([]float64, n)
	for i := range n {
		segments[i], dist[i] = m.nearest(z.RawRowView(i))
	}
	return segments, dist, nil
}

// Used returns the inputs the segments depend on, in input order: those
// the preparation keeps (Prep.Output). An input it dropped (a constant or
// a correlated column) changes nothing.
func (m *Model) Used() []string {
	keep := map[string]bool{}
	for _, o := range m.Prep.Output {
		keep[o] = true
	}
	var out []string
	for _, in := range m.Inputs() {
		if keep[in] {
			out = append(out, in)
		}
	}
	return out
}

// AssignRow assigns one row of raw features given by name. Every feature
// the model uses (Used) must be present; the other inputs may be left out.
func (m *Model) AssignRow(row map[string]float64) (segment int, dist float64, err error) {
	in := m.Inputs()
	keep := map[string]bool{}
	for _, o := range m.Prep.Output {
		keep[o] = true
	}
	x := mat.NewDense(1, len(in), nil)
	for j, name := range in {
		v, ok := row[name]
		if !ok {
			if keep[name] {
				return 0, 0, &MissingError{Feature: name}
			}
			continue // unused: any finite value gives the same segment
		}
		x.Set(0, j, v)
	}
	s, d, err := m.Assign(x)
	if err != nil {
		return 0, 0, err
	}
	return s[0], d[0], nil
}

// MissingError reports a feature a row lacks.
type MissingError struct{ Feature string }

func (e *MissingError) Error() string { return fmt.Sprintf("feature %q is missing", e.Feature) }

func (m *Model) nearest(z []float64) (int, float64) {
	pts := m.Centers
	if m.Algorithm == cluster.AlgorithmDBSCAN {
		pts = m.Core
	}
	best, bestD := -1, math.Inf(1)
	for i, p := range pts {
		var s float64
		for j, v := range p {
			t := z[j] - v
			s += t * t
		}
		if s < bestD {
			best, bestD = i, s
		}
	}
	d := math.Sqrt(bestD)
	if best < 0 {
		return Unsegmented, math.Inf(1)
	}
	if m.Algorithm == cluster.AlgorithmDBSCAN {
		if d > m.Eps {
			return Unsegmented, d
		}
		return m.CoreSegments[best], d
	}
	return m.Segments[best].ID, d
}

// Name returns the name of segment id ("unsegmented" for Unsegmented).
func (m *Model) Name(id int) string {
	for _, s := range m.Segments {
		if s.ID == id {
			return s.Name
		}
	}
	if id == Unsegmented {
		return "unsegmented"
	}
	return ""
}

// Decode reads a model from JSON and validates it.
func Decode(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Read reads and validates the model file at path.
func Read(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Encode writes m as indented JSON.
func (m *Model) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(m)
}

// Write writes m to path atomically.
func (m *Model) Write(path string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return atomicfile.Write(path, m.Encode)
}
