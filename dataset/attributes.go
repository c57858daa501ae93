package dataset

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// AttributeType says how an attribute's values are read and encoded as
// features (see package features).
type AttributeType string

// The attribute types.
const (
	// TypeNumeric is a number; empty and missing markers (NA, null, ...)
	// are missing.
	TypeNumeric AttributeType = "numeric"
	// TypeCategorical is a value from a set without order (plan, country).
	TypeCategorical AttributeType = "categorical"
	// TypeOrdinal is a value from an ordered set: the attribute's Levels,
	// or buckets such as 18-24, 65+, 20k-40k, <10 (see BucketMidpoint).
	TypeOrdinal AttributeType = "ordinal"
	// TypeBoolean is yes/no, true/false, 1/0, y/n or t/f (any case).
	TypeBoolean AttributeType = "boolean"
	// TypeList is several values in one field, split at Separator.
	TypeList AttributeType = "list"
	// TypeDate is a date or timestamp; its feature is the days to as_of.
	TypeDate AttributeType = "date"
	// TypeAge is a date of birth; its feature is the age in years at
	// as_of (days / 365.25). Unlike a date it does not set the default
	// as_of (the latest birth date would be a meaningless reference).
	TypeAge AttributeType = "age"
	// TypeID is an identifier: read from no feature.
	TypeID AttributeType = "id"
	// TypeIgnore is a column left out.
	TypeIgnore AttributeType = "ignore"
	// TypeEmail is a user's e-mail address: read from no feature, kept
	// only as the SHA-256 hash ad platforms' customer lists take (package
	// audience), for persona export.
	TypeEmail AttributeType = "email"
	// TypePhone is a user's phone number, kept as TypeEmail is; Country
	// is the country calling code of numbers written without one.
	TypePhone AttributeType = "phone"
)

// AttributeTypes lists the attribute types in documentation order.
var AttributeTypes = []AttributeType{TypeNumeric, TypeCategorical, TypeOrdinal, TypeBoolean, TypeList, TypeDate, TypeAge, TypeID, TypeIgnore, TypeEmail, TypePhone}

// SQLType is the type an attribute is loaded as ("" for id and ignore).
func (t AttributeType) SQLType() string {
	switch t {
	case TypeNumeric:
		return "DOUBLE"
	case TypeBoolean:
		return "BOOLEAN"
	case TypeDate, TypeAge:
		return "TIMESTAMP"
	case TypeCategorical, TypeOrdinal, TypeList, TypeEmail, TypePhone:
		return "VARCHAR"
	}
	return ""
}

// Attribute is one column (or SQL expression) of a per-user table that
// becomes features: users' attributes and those of the tables under
// profiles. Its name, slugged (Slug), names its features.
type Attribute struct {
	// Name is the attribute's name (the key in the config).
	Name string `json:"name"`
	// Column is the source column or a SQL expression over the source's
	// columns; empty means the column of the attribute's name (ignoring
	// case).
	Column string        `json:"column,omitempty"`
	Type   AttributeType `json:"type"`
	// Levels orders an ordinal attribute's values, lowest first; they get
	// the ranks 1, 2, ... Without levels, the values are read as buckets
	// (18-24, 65+, 20k-40k) and get their midpoints.
	Levels []string `json:"levels,omitempty"`
	// Separator splits a list attribute's values (default ",").
	Separator string `json:"separator,omitempty"`
	// Format is a date or age attribute's strptime format; empty means the
	// source's timestamp_format, else ISO 8601.
	Format string `json:"format,omitempty"`
	// Top is how many values of a categorical or list attribute get their
	// own column (default features.top_values); the rest are pooled.
	Top int `json:"top,omitempty"`
	// Log1p, when set, says whether a numeric attribute is transformed
	// with log1p before scaling; nil decides from the data (see package
	// features).
	Log1p *bool `json:"log1p,omitempty"`
	// Country is a phone attribute's country calling code (44, or +44)
	// for numbers written without one (0844 412 4653); without it such
	// numbers have no hash.
	Country string `json:"country,omitempty"`
}

// Used reports whether the attribute becomes features.
func (a Attribute) Used() bool { return a.Loaded() && a.Type != TypeEmail && a.Type != TypePhone }

// Loaded reports whether Load reads the attribute into its table's view
// (PerUser.View): the attributes that become features, and the contact
// identifiers.
func (a Attribute) Loaded() bool { return a.Type != TypeID && a.Type != TypeIgnore }

// Attributes are the attributes of one per-user table, in config order. In
// YAML they are a mapping from name to type (age: numeric) or to the
// attribute's settings (income: {column: "Income (k$)", type: numeric}).
type Attributes []Attribute

var attributeKeys = []string{"column", "type", "levels", "separator", "format", "top", "log1p", "country"}

// UnmarshalYAML reads the mapping in order; unknown keys are errors.
func (as *Attributes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &yamlError{n.Line, "attributes must be a mapping of name: type or name: {column, type, ...}"}
	}
	var out Attributes
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		a := Attribute{Name: k.Value}
		switch v.Kind {
		case yaml.ScalarNode:
			a.Type = AttributeType(v.Value)
		case yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				if key := v.Content[j].Value; !slices.Contains(attributeKeys, key) {
					return &yamlError{v.Content[j].Line, fmt.Sprintf("field %s not found in attribute %s (its keys: %s)", key, k.Value, strings.Join(attributeKeys, ", "))}
				}
			}
			var p struct {
				Column    string        `yaml:"column"`
				Type      AttributeType `yaml:"type"`
				Levels    []string      `yaml:"levels"`
				Separator string        `yaml:"separator"`
				Format    string        `yaml:"format"`
				Top       int           `yaml:"top"`
				Log1p     *bool         `yaml:"log1p"`
				Country   string        `yaml:"country"`
			}
			if err := v.Decode(&p); err != nil {
				return &yamlError{v.Line, fmt.Sprintf("attribute %s: %s", k.Value, yamlMessage(err))}
			}
			a.Column, a.Type, a.Levels, a.Separator, a.Format, a.Top, a.Log1p, a.Country = p.Column, p.Type, p.Levels, p.Separator, p.Format, p.Top, p.Log1p, p.Country
		default:
			return &yamlError{v.Line, fmt.Sprintf("attribute %s must be a type or a mapping {column, type, ...}", k.Value)}
		}
		out = append(out, a)
	}
	*as = out
	return nil
}

// Outcome is a per-user column that is reported per segment and never
// clustered: a boolean (its rate) or a number (its mean).
type Outcome struct {
	Name string `json:"name"`
	// Expr is a SQL expression over the source's columns (Churn = 'Yes'),
	// or a column name.
	Expr string `json:"expr"`
}

// Outcomes are a per-user table's outcomes, in config order; in YAML a
// mapping from name to expression.
type Outcomes []Outcome

// UnmarshalYAML reads the mapping in order.
func (oc *Outcomes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return &yamlError{n.Line, "outcomes must be a mapping of name: SQL expression"}
	}
	var out Outcomes
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return &yamlError{v.Line, fmt.Sprintf("outcome %s must be a column or SQL expression", k.Value)}
		}
		out = append(out, Outcome{Name: k.Value, Expr: v.Value})
	}
	*oc = out
	return nil
}

// yamlError is a decoding error at a line; ParseConfig reports it as a
// *ConfigError with that line.
type yamlError struct {
	line int
	msg  string
}

func (e *yamlError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// Slug turns a column name or a value into a readable name fragment:
// lowercase, every run of characters other than letters and digits (of
// any script) replaced by one underscore, none at either end; "blank"
// when nothing is left. "Annual Income (k$)" becomes annual_income_k,
// "服装" stays 服装.
func Slug(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	if b.Len() == 0 {
		return "blank"
	}
	return b.String()
}

// SplitCase splits a camel-case column name into words: SeniorCitizen is
// "Senior Citizen", customerID "customer ID", HTTPServer "HTTP Server",
// Q1Sales "Q1 Sales". A name with a space, _ or - in it, or without both
// a lower-case letter and an upper-case one after its first letter, is
// returned as it is (CUST_ID, Annual Income, CTR, age).
func SplitCase(s string) string {
	if strings.ContainsAny(s, " _-") {
		return s
	}
	r := []rune(s)
	lower, upper := false, false
	for i, c := range r {
		lower = lower || unicode.IsLower(c)
		upper = upper || i > 0 && unicode.IsUpper(c)
	}
	if !lower || !upper {
		return s
	}
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			next := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && next {
				b.WriteByte(' ')
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// PerUser is one per-user table: users or a table under profiles.
type PerUser struct {
	// Kind names it: Users, or the profile table's name.
	Kind   Kind
	Source *Source
	// Outcomes are its outcomes: its own, then for users the config's
	// top-level ones.
	Outcomes Outcomes
	// View is the view Load makes of its attributes and outcomes: user_id
	// and one column per used attribute and outcome, named as in the
	// config (several rows of a user are kept as they are).
	View string
}

// PerUser returns the per-user tables of the config, users first, then the
// profiles in name order.
func (c *Config) PerUser() []PerUser {
	var out []PerUser
	if c.Users != nil {
		oc := append(slices.Clone(c.Users.Outcomes), c.Outcomes...)
		out = append(out, PerUser{Users, c.Users, oc, attrView(Users)})
	}
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, PerUser{Kind(n), c.Profiles[n], c.Profiles[n].Outcomes, attrView(Kind(n))})
	}
	return out
}

func attrView(k Kind) string { return "_persona_attrs_" + string(k) }

// missingMarkers are the texts read as a missing value in attribute
// columns (compared lowercased and trimmed).
var missingMarkers = []string{"", "na", "n/a", "nan", "null", "none", "nil", "?", "-", "--", "#n/a", "missing", "unknown"}

// MissingMarkers returns the texts an attribute reads as missing.
func MissingMarkers() []string { return slices.Clone(missingMarkers) }

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// validateAttributes checks one per-user table's attributes and outcomes;
// key is its config key (users, profiles.survey).
func validateAttributes(key string, as Attributes, oc Outcomes) error {
	seen := map[string]string{} // slug -> name
	claim := func(what, name string) error {
		s := Slug(name)
		if s == "blank" {
			return &ConfigError{Key: key + "." + what + "." + name, Err: errors.New("a name needs a letter or digit")}
		}
		if other, ok := seen[s]; ok {
			return &ConfigError{Key: key + "." + what + "." + name, Err: fmt.Errorf("%q and %q give the same feature name %s: rename one", other, name, s)}
		}
		seen[s] = name
		return nil
	}
	for _, a := range as {
		k := key + ".attributes." + a.Name
		if err := claim("attributes", a.Name); err != nil {
			return err
		}
		if !slices.Contains(AttributeTypes, a.Type) {
			names := make([]string, len(AttributeTypes))
			for i, t := range AttributeTypes {
				names[i] = string(t)
			}
			return &ConfigError{Key: k, Err: fmt.Errorf("type must be one of %s, got %q", strings.Join(names, ", "), a.Type)}
		}
		if err := checkExpr(k+".column", a.Column, true); err != nil {
			return err
		}
		if len(a.Levels) > 0 && a.Type != TypeOrdinal {
			return &ConfigError{Key: k + ".levels", Err: errors.New("levels are for ordinal attributes")}
		}
		if len(a.Levels) > 0 {
			dup := map[string]bool{}
			for _, l := range a.Levels {
				if dup[l] {
					return &ConfigError{Key: k + ".levels", Err: fmt.Errorf("level %q is listed twice", l)}
				}
				dup[l] = true
			}
		}
		if a.Separator != "" && a.Type != TypeList {
			return &ConfigError{Key: k + ".separator", Err: errors.New("a separator is for list attributes")}
		}
		if a.Format != "" && a.Type != TypeDate && a.Type != TypeAge {
			return &ConfigError{Key: k + ".format", Err: errors.New("a format is for date and age attributes")}
		}
		if a.Format != "" && a.Format != "epoch" && a.Format != "epoch_ms" && !strings.Contains(a.Format, "%") {
			return &ConfigError{Key: k + ".format", Err: fmt.Errorf("must be a strptime format like %%d/%%m/%%Y, or epoch / epoch_ms, got %q", a.Format)}
		}
		if a.Top < 0 {
			return &ConfigError{Key: k + ".top", Err: fmt.Errorf("must be >= 0, got %d", a.Top)}
		}
		if a.Top > 0 && a.Type != TypeCategorical && a.Type != TypeList {
			return &ConfigError{Key: k + ".top", Err: errors.New("top is for categorical and list attributes")}
		}
		if a.Log1p != nil && a.Type != TypeNumeric {
			return &ConfigError{Key: k + ".log1p", Err: errors.New("log1p is for numeric attributes")}
		}
		if a.Country != "" && a.Type != TypePhone {
			return &ConfigError{Key: k + ".country", Err: errors.New("a country calling code is for phone attributes")}
		}
		if a.Country != "" && !callingCode.MatchString(a.Country) {
			return &ConfigError{Key: k + ".country", Err: fmt.Errorf("must be a country calling code of 1 to 3 digits (44 or +44), got %q", a.Country)}
		}
	}
	for _, o := range oc {
		if err := claim("outcomes", o.Name); err != nil {
			return err
		}
		if strings.TrimSpace(o.Expr) == "" {
			return &ConfigError{Key: key + ".outcomes." + o.Name, Err: errors.New("empty: name a column or write a SQL expression (Churn = 'Yes')")}
		}
		if err := checkExpr(key+".outcomes."+o.Name, o.Expr, false); err != nil {
			return err
		}
	}
	return nil
}

// callingCode is a country calling code, as a phone attribute's country.
var callingCode = regexp.MustCompile(`^\+?[1-9][0-9]{0,2}$`)

// checkExpr checks a mapping or expression written in the config.
func checkExpr(key, expr string, emptyOK bool) error {
	switch {
	case strings.TrimSpace(expr) == "" && !emptyOK:
		return &ConfigError{Key: key, Err: errors.New("empty mapping: name a column or write an expression")}
	case strings.Contains(expr, ";"):
		return &ConfigError{Key: key, Err: errors.New("a mapping is one SQL expression, without ';'")}
	}
	return nil
}
