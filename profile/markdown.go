package profile

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes rep as readable Markdown: an overview table, then
// one section per segment (standing, actions, traits, demographics,
// interests, behaviour, RFM scores, representative users), then the RFM
// cross-table.
func WriteMarkdown(w io.Writer, rep *Report) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	base := map[string]float64{}
	for _, f := range rep.Base {
		base[f.Feature] = f.Mean
	}
	p("# Segment profiles\n\n")
	p("%d users in %d segments (profiles.json schema version %d).\n\n", rep.Users, len(rep.Segments), rep.Version)
	if f := baseFactsText(rep.Facts); f != "" {
		p("The base: %s.\n\n", f)
	}
	if len(rep.Constant) > 0 {
		p("Constant in the data, so left out of the profiles: %s.\n\n", mdEscape(strings.Join(rep.Constant, ", ")))
	}
	standings := false
	for _, s := range rep.Segments {
		standings = standings || s.Standing != ""
	}
	if standings {
		p("| id | name | standing | users | share |\n|---:|---|---|---:|---:|\n")
	} else {
		p("| id | name | users | share |\n|---:|---|---:|---:|\n")
	}
	for _, s := range rep.Segments {
		if standings {
			p("| %d | %s | %s | %d | %.1f%% |\n", s.ID, mdEscape(s.Name), s.Standing, s.Size, 100*s.Share)
		} else {
			p("| %d | %s | %d | %.1f%% |\n", s.ID, mdEscape(s.Name), s.Size, 100*s.Share)
		}
	}
	var renamed []string
	for _, s := range rep.Segments {
		if s.Previous != "" && s.Previous != s.Name {
			renamed = append(renamed, fmt.Sprintf("%d %s (was %s)", s.ID, mdEscape(s.Name), mdEscape(s.Previous)))
		}
	}
	if len(renamed) > 0 {
		p("\nRenamed since the previous run, as their standing or traits changed: %s.\n", strings.Join(renamed, "; "))
	}
	for _, s := range rep.Segments {
		p("\n## %d. %s\n\n", s.ID, mdEscape(s.Name))
		p("%s\n\n", mdEscape(s.Summary))
		if f := factsText(s.Facts, rep.Facts); f != "" {
			p("**Facts**: %s.\n\n", f)
		}
		if len(s.Outcomes) > 0 {
			p("**Outcomes**\n\n| outcome | segment | base | lift | users |\n|---|---:|---:|---:|---:|\n")
			for _, o := range s.Outcomes {
				p("| %s | %s | %s | %.2f | %d |\n", mdEscape(o.Name), outcomeValue(o, o.Value), outcomeValue(o, o.Base), o.Lift, o.Users)
			}
			p("\n")
		}
		p("**What to do**\n\n")
		for _, a := range s.Actions {
			p("- *%s*: %s\n", a.Area, mdEscape(a.Text))
		}
		if len(s.Top) > 0 {
			p("\n**Most distinctive traits** (Cohen's d against the rest of the base)\n\n")
			p("| feature | segment mean | base mean | lift | d |\n|---|---:|---:|---:|---:|\n")
			for _, t := range s.Top {
				f, _ := s.Feature(t.Feature)
				p("| %s | %s | %s | %.2f | %+.2f |\n", t.Feature, num(f.Mean), num(base[t.Feature]), f.Lift, t.D)
			}
		}
		d := s.Demographics
		if d.Age != nil || len(d.Fields) > 0 || len(d.Attributes) > 0 {
			p("\n**Demographics**\n\n")
			if d.Age != nil {
				p("- age: mean %s (base %s), median %s\n", num(d.Age.Mean), num(d.Age.Base), num(d.Age.Median))
			}
			if len(d.AgeBands) > 0 {
				p("- age bands: %s\n", shares(d.AgeBands))
			}
			for _, c := range d.Fields {
				p("- %s: %s\n", strings.ReplaceAll(c.Field, "_", " "), shares(c.Shares))
			}
			attributeLines(p, d.Attributes)
		}
		ps := s.Psychographic
		if len(ps.Interests) > 0 || ps.Price != "" || ps.Style != "" || len(ps.Fields) > 0 || len(ps.Attributes) > 0 {
			p("\n**Interests and attitudes**\n\n")
			if len(ps.Interests) > 0 {
				var parts []string
				for _, in := range ps.Interests {
					parts = append(parts, fmt.Sprintf("%s (%s, %.1f×)", in.Name, in.Kind, in.Lift))
				}
				p("- leans towards: %s\n", strings.Join(parts, ", "))
			}
			if m := ps.PriceSensitivity; m != nil {
				p("- price: %s (sensitivity %.2f, base %.2f)\n", ps.Price, m.Mean, m.Base)
			}
			if ps.Loyalty != nil && ps.Variety != nil {
				p("- loyalty vs variety: %s (HHI %.2f, base %.2f; entropy %.2f, base %.2f)\n", ps.Style, ps.Loyalty.Mean, ps.Loyalty.Base, ps.Variety.Mean, ps.Variety.Base)
			}
			for _, c := range ps.Fields {
				p("- %s: %s\n", strings.ReplaceAll(c.Field, "_", " "), shares(c.Shares))
			}
			attributeLines(p, ps.Attributes)
		}
		bh := s.Behaviour
		groups := []struct {
			name string
			ms   []Metric
		}{{"purchases (RFM)", bh.RFM}, {"time of day", bh.DayParts}, {"week", bh.Week}, {"sessions", bh.Sessions}, {"funnel", bh.Funnel}, {"social", bh.Social}, {"attributes", bh.Attributes}}
		var any bool
		for _, g := range groups {
			if len(g.ms) > 0 {
				any = true
			}
		}
		if any || len(bh.Fields) > 0 {
			p("\n**Behaviour**\n")
		}
		if any {
			p("\n| | metric | segment mean | median | base mean | lift |\n|---|---|---:|---:|---:|---:|\n")
			for _, g := range groups {
				for i, m := range g.ms {
					name := ""
					if i == 0 {
						name = g.name
					}
					p("| %s | %s | %s | %s | %s | %.2f |\n", name, m.Label, num(m.Mean), num(m.Median), num(m.Base), m.Lift)
				}
			}
		}
		if len(bh.Fields) > 0 {
			p("\n")
		}
		for _, c := range bh.Fields {
			p("- %s: %s\n", strings.ReplaceAll(c.Field, "_", " "), shares(c.Shares))
		}
		if sc := bh.Scores; sc != nil {
			p("\nRFM scores of its %d buyers: R %.1f, F %.1f, M %.1f; most common RFM group: %s.\n", sc.Buyers, sc.R, sc.F, sc.M, sc.Top)
		}
		if v := s.Value; v != nil {
			p("\n%s\n", valueText(v))
		}
		p("\n**Representative users**: medoid %s", s.Medoid)
		if len(s.Examples) > 0 {
			p("; nearest the centre: %s", strings.Join(s.Examples, ", "))
		}
		p(".\n")
	}
	if t := rep.RFM; t != nil {
		p("\n## RFM groups by segment\n\nUsers per classic RFM group (columns) in each segment (rows).\n\n| segment |")
		for _, g := range t.Groups {
			p(" %s |", g)
		}
		p("\n|---|%s\n", strings.Repeat("---:|", len(t.Groups)))
		for i, id := range t.Segments {
			p("| %d |", id)
			for _, c := range t.Counts[i] {
				p(" %d |", c)
			}
			p("\n")
		}
	}
	return b.Flush()
}

// attributeLines prints numeric attributes as list items.
func attributeLines(p func(string, ...any), ms []Metric) {
	for _, m := range ms {
		p("- %s: mean %s (base %s), median %s\n", mdEscape(m.Label), num(m.Mean), num(m.Base), num(m.Median))
	}
}

func outcomeValue(o OutcomeStat, v float64) string {
	if o.Kind == OutcomeRate {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return num(v)
}

// baseFactsText is the base's facts in words.
func baseFactsText(b BaseFacts) string {
	var parts []string
	if b.Buyers > 0 {
		parts = append(parts, fmt.Sprintf("%s bought, a median of %s", pct(b.Buyers), orderCount(b.MedianOrders)))
	}
	if b.CycleDays > 0 {
		parts = append(parts, fmt.Sprintf("a typical %s between orders (median over %d repeat buyers)", days(b.CycleDays), b.RepeatBuyers))
	} else if b.RepeatBuyers > 0 {
		parts = append(parts, fmt.Sprintf("only %d repeat buyers, too few for a typical time between orders", b.RepeatBuyers))
	}
	if b.BasketValue > 0 {
		parts = append(parts, "median order value "+num(b.BasketValue))
	}
	if b.BasketItems > 0 {
		parts = append(parts, num(b.BasketItems)+" units per order")
	}
	return strings.Join(parts, "; ")
}

// factsText is a segment's facts in words, with the base's beside them.
func factsText(f Facts, b BaseFacts) string {
	var parts []string
	if v, ok := get(f.Buyers); ok {
		o, _ := get(f.MedianOrders)
		parts = append(parts, fmt.Sprintf("%s bought, a median of %s", pct(v), orderCount(o)))
	}
	if v, ok := get(f.DaysSinceOrder); ok {
		parts = append(parts, "last order a median "+days(v)+" ago")
	}
	if v, ok := get(f.DaysSilent); ok {
		parts = append(parts, "last active a median "+days(v)+" ago")
	}
	if v, ok := get(f.TenureDays); ok {
		parts = append(parts, "tenure "+days(v))
	}
	if v, ok := get(f.BasketValue); ok {
		s := "median order value " + num(v)
		if b.BasketValue > 0 {
			s += fmt.Sprintf(" (%.2f× the base)", v/b.BasketValue)
		}
		parts = append(parts, s)
	}
	if v, ok := get(f.BasketItems); ok {
		s := num(v) + " units per order"
		if b.BasketItems > 0 {
			s += fmt.Sprintf(" (%.2f× the base)", v/b.BasketItems)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func shares(ss []Share) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%s %.0f%% (%.1f×)", s.Value, 100*s.Share, s.Lift)
	}
	return strings.Join(parts, ", ")
}

// mdEscape keeps table cells and emphasis intact.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}
