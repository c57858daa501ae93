package profile

import (
	"fmt"
	"math"
	"strings"

	"github.com/persona-seg/persona/features"
)

// Kind says what a column of the feature table holds. The zero value is a
// feature of persona's catalogue (package features), known by its name.
type Kind string

// Column kinds. Attributes are the columns of a per-user table: a numeric,
// ordinal or date attribute is one column; a categorical, list or boolean
// attribute is one 0/1 indicator column per level (Column.Level).
const (
	KindCatalogue   Kind = ""
	KindNumeric     Kind = "numeric"
	KindOrdinal     Kind = "ordinal"
	KindDate        Kind = "date" // days from the date to as_of
	KindCategorical Kind = "categorical"
	KindBoolean     Kind = "boolean"
	KindList        Kind = "list"
)

// Section is the part of a profile a column belongs to.
type Section string

// Profile sections.
const (
	SectionDemographic   Section = "demographic"
	SectionPsychographic Section = "psychographic"
	SectionBehavioural   Section = "behavioural"
)

// Column describes one column of Input.X beyond its name. The zero value
// is a catalogue feature.
type Column struct {
	Kind Kind
	// Attribute is the attribute an attribute column comes from (the
	// user's column name, slugged), and Level the value an indicator
	// column marks (a categorical level, a list value, "true" for a
	// boolean). Both are empty for catalogue features.
	Attribute string
	Level     string
	// Label is the column in words ("annual income (k$)"); empty means the
	// attribute (or feature) name with spaces for underscores.
	Label string
	// Section puts an attribute in the demographic, psychographic or
	// behavioural section; empty chooses by the attribute's name (see
	// the package documentation, "# Attributes").
	Section Section
	// Absent marks a column whose dataset is missing from the run: it is
	// never a trait, a name label, part of a standing or of a section.
	Absent bool
	// Among, when set, names another column (a 0/1 indicator): this
	// column's statistics, the base's and each segment's, count only the
	// users for whom that column is not 0. recency_days is counted among
	// has_purchased: users who never bought have no recency (the feature
	// table gives them the data window's length).
	Among string
}

// IsAttribute reports whether the column is an attribute of a per-user
// table rather than a catalogue feature.
func (c Column) IsAttribute() bool { return c.Kind != KindCatalogue }

// indicator reports whether the column is a 0/1 indicator of one level.
func (c Column) indicator() bool {
	return c.Kind == KindCategorical || c.Kind == KindBoolean || c.Kind == KindList
}

// label returns the column's words: Label, else the attribute's name with
// spaces for underscores, else the catalogue feature's glossary label
// (features.Label: "net spend" for monetary).
func (c Column) label(feature string) string {
	switch {
	case c.Label != "":
		return c.Label
	case c.Attribute != "":
		return words(c.Attribute)
	}
	return features.Label(feature, "")
}

// Text is the column in the words of a profile text: the label, and for
// an indicator of a categorical or list level the level too ("gender:
// female", "internet service: DSL"); label alone would name both levels
// of gender "gender".
func (c Column) Text(feature string) string {
	if c.Level != "" && (c.Kind == KindCategorical || c.Kind == KindList) {
		return c.label(feature) + ": " + levelWords(c.Level)
	}
	return c.label(feature)
}

// format writes a value (or a mean) of the column in its unit: a share
// for an indicator, the catalogue's unit for a feature (features.Format:
// "355 days", "9%"), the number alone for other attributes.
func (c Column) format(feature string, v float64) string {
	switch {
	case c.indicator():
		return features.FormatUnit(features.UnitShare, v)
	case c.IsAttribute():
		return features.Number(v)
	}
	return features.Format(feature, v)
}

// compared is a column's segment mean against the base's, in words:
// "orders 0.3 against the base's 2.9".
func compared(feature string, c Column, seg, base float64) string {
	return fmt.Sprintf("%s %s against the base's %s", c.Text(feature), c.format(feature, seg), c.format(feature, base))
}

func words(name string) string { return strings.ReplaceAll(name, "_", " ") }

// FlatSpread is the relative spread below which a feature counts as
// constant: its base standard deviation is at most FlatSpread times its
// largest absolute value. Such a feature (a days-since count that is the
// same for everyone but for rounding, a share that no one has) says nothing
// about any segment; it is left out of the segments' statistics, traits,
// names, standings and sections, and listed in Report.Constant.
const FlatSpread = 1e-6

// flat reports whether a column with this base standard deviation and
// largest absolute value is constant or nearly so.
func flat(std, maxAbs float64) bool {
	return std == 0 || std <= FlatSpread*maxAbs || math.IsNaN(std)
}

// demographicWords and psychographicWords put an attribute in a section by
// the words of its name (after splitting on _ - and spaces); every other
// attribute is behavioural. They are the usual vocabulary of customer
// tables (a CRM export, a survey, an ad-platform profile).
var (
	demographicWords = map[string]bool{
		"age": true, "birth": true, "born": true, "gender": true, "sex": true, "income": true, "salary": true,
		"education": true, "degree": true, "marital": true, "married": true, "family": true, "children": true,
		"kids": true, "dependents": true, "household": true, "partner": true, "city": true, "country": true,
		"region": true, "state": true, "zip": true, "postcode": true, "location": true, "urban": true, "area": true,
		"town": true, "county": true, "province": true, "residence": true, "neighbourhood": true, "neighborhood": true,
		"rural": true, "job": true, "occupation": true, "profession": true, "employment": true, "language": true,
		"nationality": true, "ethnicity": true, "senior": true, "citizen": true, "generation": true,
	}
	psychographicWords = map[string]bool{
		"interest": true, "interests": true, "hobby": true, "hobbies": true, "lifestyle": true, "values": true,
		"personality": true, "attitude": true, "opinion": true, "preference": true, "preferences": true,
		"motivation": true, "style": true, "taste": true, "tastes": true, "affinity": true, "persona": true,
	}
)

// section returns the column's section: Section when set, else one chosen
// from the attribute's name, else the catalogue group of its feature name.
func (c Column) section(feature string) Section {
	if c.Section != "" {
		return c.Section
	}
	name := c.Attribute
	if name == "" {
		name = feature
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == ' ' || r == '.' }) {
		if demographicWords[w] {
			return SectionDemographic
		}
		if psychographicWords[w] {
			return SectionPsychographic
		}
	}
	return SectionBehavioural
}
