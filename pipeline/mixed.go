package pipeline

import (
	"context"
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/kselect"
	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
)

// AutoCategoricalShare is the share of categorical attributes (nominal,
// list or yes/no attributes from the data's per-user tables, each counted
// once however many levels it has) from which auto segments with
// k-prototypes instead of k-means, whose one-hot columns let a few
// categories cut the users into their cells.
const AutoCategoricalShare = 0.25

// mixedMemory caps the Gower matrix the pipeline builds (about 8,000
// users); above it k-medoids runs CLARA.
const mixedMemory = 256 << 20

// prepared is what the mixed-type algorithms need besides the clustering
// space: the features, their preparation and the prepared features before
// PCA.
type prepared struct {
	tab    *features.Table
	fitted *prep.Fitted
	z      *mat.Dense
}

// mixedFit is the part of a k-medoids or k-prototypes segmentation the
// model keeps.
type mixedFit struct {
	attrs   []model.MixedAttr
	medoids []int // k-medoids: the medoid user of each cluster
	scales  []cluster.GowerScale
	proto   *cluster.KPrototypesResult
	// dist is each user's dissimilarity to its medoid, or its k-prototypes
	// cost: what the model's Assign reports.
	dist []float64
}

// categoricalShare returns the number of attributes and the number of
// them that are categorical attributes of the data (not behaviour, not a
// _missing flag).
func categoricalShare(tab *features.Table, attrs []model.MixedAttr, p *prep.Fitted) (all, cat int) {
	for _, a := range attrs {
		if a.Type == cluster.AttrNumeric {
			all++
			continue
		}
		all++
		f := tab.Features[tab.Col(p.Inputs[a.Inputs[0]])]
		if f.Attribute != "" && !strings.HasSuffix(f.Set, "#missing") {
			cat++
		}
	}
	return all, cat
}

// chooseAuto decides auto's algorithm and says why in the summary: it is
// k-prototypes when categorical attributes are at least
// AutoCategoricalShare of the attributes, k-means otherwise.
// (k-prototypes rather than Gower k-medoids: Gower's 0/1 category
// mismatches outweigh range-scaled numeric differences, so on the tests'
// planted customers it splits the groups by a random yes/no, while
// k-prototypes' gamma keeps the balance; and it needs no dissimilarity
// matrix.)
func (r *run) chooseAuto(sum *Summary) cluster.Algorithm {
	p := r.prep
	attrs := model.MixedAttrs(p.fitted, p.tab.Groups(), p.tab.X, true)
	all, cat := categoricalShare(p.tab, attrs, p.fitted)
	if cat == 0 {
		return cluster.AlgorithmKMeans
	}
	share := float64(cat) / float64(all)
	if share >= AutoCategoricalShare {
		sum.AlgorithmReason = fmt.Sprintf("auto: %d of the %d attributes %s categorical (%.0f%%, at least %.0f%%): k-prototypes, where a categorical attribute is one attribute compared by match instead of one column per level",
			cat, all, isAre(cat), 100*share, 100*AutoCategoricalShare)
		return cluster.AlgorithmKPrototypes
	}
	sum.AlgorithmReason = fmt.Sprintf("auto: %d of the %d attributes %s categorical (%.0f%%, below %.0f%%): k-means on the prepared features",
		cat, all, isAre(cat), 100*share, 100*AutoCategoricalShare)
	return cluster.AlgorithmKMeans
}

// mixed segments the users with k-medoids or k-prototypes on their
// attributes, choosing k as pickK does, with the silhouette and the
// prediction strength measured on the dissimilarity the method clusters
// on (Gower for k-medoids, k-prototypes' own cost; the other criteria
// stay in the clustering space z).
func (r *run) mixed(ctx context.Context, z *mat.Dense, sum *Summary, algorithm cluster.Algorithm) (*segmentation, error) {
	p := r.prep
	o := r.opts
	proto := algorithm == cluster.AlgorithmKPrototypes
	attrs := model.MixedAttrs(p.fitted, p.tab.Groups(), p.tab.X, !proto)
	table := model.MixedTable(attrs, p.tab.X, p.z)
	n, _ := z.Dims()
	if proto {
		var dissim metrics.Dissimilarity
		if o.K == 0 { // k is chosen
			kd, err := cluster.NewKPrototypesDissim(table, 0)
			if err != nil {
				return nil, err
			}
			dissim = kd
		}
		s, err := r.pickK(ctx, z, sum, dissim, func(ctx context.Context, x *mat.Dense, k int) (*segmentation, error) {
			if rows := kselect.SampleRows(ctx); rows != nil { // a half sample of the users
				res, err := cluster.KPrototypes(ctx, attrRows(table, rows), cluster.KPrototypesOptions{K: k, NInit: o.NInit, Seed: o.Seed})
				if err != nil {
					return nil, err
				}
				s := fromLabels(cluster.AlgorithmKPrototypes, x, res.Labels)
				s.inertia = res.Cost
				return s, nil
			}
			res, err := cluster.KPrototypes(ctx, table, cluster.KPrototypesOptions{K: k, NInit: o.NInit, Seed: o.Seed})
			if err != nil {
				return nil, err
			}
			s := fromLabels(cluster.AlgorithmKPrototypes, z, res.Labels)
			s.inertia = res.Cost
			s.mixed = &mixedFit{attrs: attrs, proto: res, dist: protoCosts(table, res)}
			return s, nil
		})
		if err == nil {
			what := fmt.Sprintf("k-prototypes on %d attributes (gamma %.3g)", len(attrs), s.mixed.proto.Gamma)
			if sum.AlgorithmReason == "" {
				sum.AlgorithmReason = what
			} else {
				sum.AlgorithmReason += "; " + what
			}
		}
		return s, err
	}
	g, err := cluster.NewGower(table, cluster.GowerOptions{})
	if err != nil {
		return nil, err
	}
	var d cluster.Dissimilarity = g
	if need := int64(n) * int64(n-1) / 2 * 8; need <= mixedMemory {
		if d, err = cluster.Pairwise(ctx, g, cluster.PairwiseOptions{MemoryLimit: mixedMemory}); err != nil {
			return nil, err
		}
	}
	var method string
	s, err := r.pickK(ctx, z, sum, d, func(ctx context.Context, x *mat.Dense, k int) (*segmentation, error) {
		if rows := kselect.SampleRows(ctx); rows != nil { // a half sample of the users
			res, err := cluster.KMedoids(ctx, &rowsOf{d, rows}, cluster.KMedoidsOptions{K: k, MemoryLimit: mixedMemory, Seed: o.Seed})
			if err != nil {
				return nil, err
			}
			m, _ := x.Dims()
			s := fromLabels(cluster.AlgorithmKMedoids, x, res.Labels)
			s.inertia = res.Objective * float64(m)
			return s, nil
		}
		res, err := cluster.KMedoids(ctx, d, cluster.KMedoidsOptions{K: k, MemoryLimit: mixedMemory, Seed: o.Seed})
		if err != nil {
			return nil, err
		}
		method = res.Method
		s := fromLabels(cluster.AlgorithmKMedoids, z, res.Labels)
		s.inertia = res.Objective * float64(n)
		dist := make([]float64, n)
		for i, l := range res.Labels {
			dist[i] = d.Dissim(res.Medoids[l], i)
		}
		s.mixed = &mixedFit{attrs: attrs, medoids: res.Medoids, scales: g.Scales(), dist: dist}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("k-medoids (%s) on the Gower dissimilarities of %d attributes", method, len(attrs))
	if sum.AlgorithmReason == "" {
		sum.AlgorithmReason = what
	} else {
		sum.AlgorithmReason += "; " + what
	}
	return s, nil
}

// mixedModel is the model state of a mixed-type segmentation for the
// clusters keep (in the order of the model's segments).
func (f *mixedFit) model(x *mat.Dense, keep []int) *model.Mixed {
	mx := &model.Mixed{Attrs: f.attrs}
	if f.proto == nil {
		mx.Scales = f.scales
		for _, c := range keep {
			mx.Medoids = append(mx.Medoids, append([]float64(nil), x.RawRowView(f.medoids[c])...))
			mx.Rows = append(mx.Rows, f.medoids[c])
		}
		return mx
	}
	mx.Gamma = f.proto.Gamma
	for _, c := range keep {
		var center []float64
		if f.proto.Centers != nil {
			center = append(center, f.proto.Centers.RawRowView(c)...)
		}
		mx.Centers = append(mx.Centers, center)
		mx.Modes = append(mx.Modes, append([]int32(nil), f.proto.Modes[c]...))
	}
	return mx
}

// protoCosts is each row's k-prototypes cost to its prototype.
func protoCosts(table []cluster.Attr, res *cluster.KPrototypesResult) []float64 {
	out := make([]float64, len(res.Labels))
	for i, c := range res.Labels {
		var s float64
		for f, j := range res.Numeric {
			t := table[j].Values[i] - res.Centers.At(c, f)
			s += t * t
		}
		for f, j := range res.Categorical {
			if table[j].Codes[i] != res.Modes[c][f] {
				s += res.Gamma
			}
		}
		out[i] = s
	}
	return out
}

// rowsOf is the Dissimilarity of some rows of another.
type rowsOf struct {
	d    cluster.Dissimilarity
	rows []int
}

func (s *rowsOf) Len() int                { return len(s.rows) }
func (s *rowsOf) Dissim(i, j int) float64 { return s.d.Dissim(s.rows[i], s.rows[j]) }

// attrRows returns the attributes of some rows.
func attrRows(table []cluster.Attr, rows []int) []cluster.Attr {
	out := make([]cluster.Attr, len(table))
	for j, a := range table {
		b := cluster.Attr{Name: a.Name, Type: a.Type}
		for _, i := range rows {
			switch {
			case a.Values != nil:
				b.Values = append(b.Values, a.Values[i])
			case a.Codes != nil:
				b.Codes = append(b.Codes, a.Codes[i])
			default:
				b.Sets = append(b.Sets, a.Sets[i])
			}
		}
		out[j] = b
	}
	return out
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
