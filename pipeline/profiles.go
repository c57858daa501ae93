package pipeline

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/profile"
)

// stableIDs gives the new segments the ids of the previous run's segments
// in the output folder that they overlap most (profile.StableIDs),
// relabelling labels in place, and returns the previous segments by id:
// their names, and their standings and name labels from the previous
// profiles.json, so that profile.Build keeps a name only while it still
// holds. Without a readable previous segments.csv it changes nothing.
func (r *run) stableIDs(ids []string, labels []int) map[int]profile.Previous {
	path := filepath.Join(r.opts.Out, "segments.csv")
	prevIDs, prevLabels, names, err := ReadSegments(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.opts.Logger.Warn("previous run ignored: segment ids are not carried over", "file", path, "err", err)
		}
		return nil
	}
	m, err := profile.StableIDs(prevIDs, prevLabels, ids, labels)
	if err != nil {
		r.opts.Logger.Warn("previous run ignored: segment ids are not carried over", "file", path, "err", err)
		return nil
	}
	prev := previousProfiles(filepath.Join(r.opts.Out, "profiles.json"))
	keep := map[int]profile.Previous{}
	for i, l := range labels {
		labels[i] = m[l]
	}
	for _, id := range m {
		if n, ok := names[id]; ok {
			p := profile.Previous{Name: n}
			if s, ok := prev[id]; ok && s.Name == n && s.Labels != nil {
				p.Standing, p.Labels = s.Standing, s.Labels
			}
			keep[id] = p
		}
	}
	r.opts.Logger.Info("segment ids carried over from the previous run", "file", path, "kept", len(keep))
	return keep
}

// profileColumns describes the feature columns for profile.Build: a
// feature is absent when the dataset it comes from has no rows in the run
// (sum.Rows), so that it is never a trait, a name or part of a section.
func profileColumns(tab *features.Table, rows map[string]int64) []profile.Column {
	cols := make([]profile.Column, len(tab.Features))
	for j, f := range tab.Features {
		ds := ""
		switch f.Group {
		case features.GroupTransactions:
			ds = "transactions"
		case features.GroupEvents:
			ds = "events"
		case features.GroupSocial:
			ds = "social"
		case features.GroupDemographics:
			ds = "users"
		case features.GroupPsychographic:
			if f.Name != features.DaysSinceLastActivity {
				ds = "transactions" // price sensitivity, loyalty and variety come from purchases
			}
		}
		if n, ok := rows[ds]; ok && n == 0 {
			cols[j].Absent = true
		}
		if f.Among != "" && tab.Col(f.Among) >= 0 {
			cols[j].Among = f.Among
		}
		if f.Attribute != "" {
			cols[j] = attributeColumn(tab, f)
		}
	}
	return cols
}

// attributeColumn describes the feature of an attribute: its kind, the
// attribute (slugged, as its features are named), the level an indicator
// marks and the attribute in words. A _missing flag is an indicator of its
// own.
func attributeColumn(tab *features.Table, f features.Feature) profile.Column {
	var a features.AttrSpec
	if tab.Spec != nil {
		for _, s := range tab.Spec.Attributes {
			if fmt.Sprintf("%s.attributes.%s", tableKey(s.Table), s.Name) == f.Attribute {
				a = s
			}
		}
	}
	name := dataset.Slug(a.Name)
	c := profile.Column{Attribute: name, Label: a.Label()}
	switch {
	case strings.HasSuffix(f.Name, "_missing") && f.Level != "missing" || f.Level == "missing" && a.Type != dataset.TypeCategorical && a.Type != dataset.TypeList:
		c = profile.Column{Kind: profile.KindBoolean, Attribute: f.Name, Level: "true", Label: c.Label + " missing"}
	case a.Type == dataset.TypeBoolean:
		c.Kind, c.Level = profile.KindBoolean, "true"
	case a.Type == dataset.TypeCategorical:
		c.Kind, c.Level = profile.KindCategorical, f.Level
	case a.Type == dataset.TypeList:
		c.Kind, c.Level = profile.KindList, f.Level
	case a.Type == dataset.TypeOrdinal:
		c.Kind = profile.KindOrdinal
	case a.Type == dataset.TypeDate:
		c.Kind = profile.KindDate
	default:
		c.Kind = profile.KindNumeric
	}
	return c
}

// previousProfiles reads the segments of a previous run's profiles.json by
// id; nil when it is missing or unreadable (the names in segments.csv are
// then all there is).
func previousProfiles(path string) map[int]profile.Segment {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var rep profile.Report
	if json.Unmarshal(b, &rep) != nil {
		return nil
	}
	out := map[int]profile.Segment{}
	for _, s := range rep.Segments {
		out[s.ID] = s
	}
	return out
}

// profileOutcomes are tab's outcomes for package profile.
func profileOutcomes(tab *features.Table) []profile.Outcome {
	var out []profile.Outcome
	for _, o := range tab.Outcomes {
		kind := profile.OutcomeRate // 0 or 1 where known: a yes/no outcome
		for _, v := range o.Values {
			if !math.IsNaN(v) && v != 0 && v != 1 {
				kind = profile.OutcomeMean
				break
			}
		}
		out = append(out, profile.Outcome{Name: o.Name, Kind: kind, Values: o.Values})
	}
	return out
}

func tableKey(t string) string {
	if slices.Contains(dataset.Kinds, dataset.Kind(t)) {
		return t
	}
	return "profiles." + t
}

// ReadSegments reads a run's segments.csv: the user ids, their segment
// ids and the name of every segment.
func ReadSegments(path string) (ids []string, labels []int, names map[int]string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	ui, ok1 := col["user_id"]
	si, ok2 := col["segment"]
	ni, hasName := col["segment_name"]
	if !ok1 || !ok2 {
		return nil, nil, nil, fmt.Errorf("%s: want columns user_id and segment, got %v", path, head)
	}
	names = map[int]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		if ui >= len(rec) || si >= len(rec) {
			return nil, nil, nil, fmt.Errorf("%s: line %d: %d fields", path, line, len(rec))
		}
		l, err := strconv.Atoi(rec[si])
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: line %d: column segment: %w", path, line, err)
		}
		ids = append(ids, rec[ui])
		labels = append(labels, l)
		if hasName && ni < len(rec) {
			names[l] = rec[ni]
		}
	}
	return ids, labels, names, nil
}

// writeProfileFiles writes profiles.md, rfm.csv (each user's RFM scores
// and group) and baskets.csv (the bought lines that persona recommend
// learns from) into dir.
func writeProfileFiles(ctx context.Context, db *sql.DB, dir string, tab *features.Table, labels []int, prof *profile.Report) error {
	if err := atomicfile.Write(filepath.Join(dir, "profiles.md"), func(w io.Writer) error { return profile.WriteMarkdown(w, prof) }); err != nil {
		return err
	}
	if r, f, m := tab.Col(features.RecencyDays), tab.Col(features.Frequency), tab.Col(features.Monetary); r >= 0 && f >= 0 && m >= 0 {
		col := func(j int) []float64 {
			out := make([]float64, len(tab.UserIDs))
			for i := range out {
				out[i] = tab.X.At(i, j)
			}
			return out
		}
		rec, freq, mon := col(r), col(f), col(m)
		scores, err := profile.ScoreRFM(rec, freq, mon)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dir, "rfm.csv"), func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"user_id", "segment", features.RecencyDays, features.Frequency, features.Monetary, "r", "f", "m", "rfm_group"})
			for i, id := range tab.UserIDs {
				s := scores[i]
				cw.Write([]string{id, strconv.Itoa(labels[i]), strconv.FormatFloat(rec[i], 'f', 2, 64), strconv.FormatFloat(freq[i], 'f', -1, 64),
					strconv.FormatFloat(mon[i], 'f', 2, 64), strconv.Itoa(s.R), strconv.Itoa(s.F), strconv.Itoa(s.M), s.Group})
			}
			cw.Flush()
			return cw.Error()
		}); err != nil {
			return err
		}
	}
	if db == nil {
		return nil // pushed down: the bought lines stay in Postgres (pushdown.go)
	}
	return atomicfile.Write(filepath.Join(dir, "baskets.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"user_id", "order_id", "product_id", "timestamp"})
		if err := features.Purchases(ctx, db, func(p features.Purchase) error {
			return cw.Write([]string{p.User, p.Order, p.Product, p.Time.Format("2006-01-02 15:04:05")})
		}); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
}
