package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// The attributes, outcomes and custom features' source columns of a
// pushed-down dataset: the same fields, conversions and checks as the
// DuckDB loader's (attrload.go), in Postgres's SQL.

// perUser reports whether the dataset is a per-user table (users or a
// profiles table), which may carry attributes and outcomes.
func (d *pushDataset) perUser() bool { return d.k == Users || !slices.Contains(Kinds, d.k) }

// attrColumn finds the column an attribute without a column reads: the
// column of its name (exactly, then ignoring case), else the one whose
// slug is the name's.
func (d *pushDataset) attrColumn(name string) (string, bool) {
	if _, ok := d.types[name]; ok {
		return name, true
	}
	if n, ok := d.cols[strings.ToLower(name)]; ok {
		return n, true
	}
	for _, n := range d.order {
		if Slug(n) == Slug(name) {
			return n, true
		}
	}
	return "", false
}

// claimed returns the source columns that attributes read as plain
// columns: they are not read again as canonical fields of the same name.
func (d *pushDataset) claimed() map[string]bool {
	out := map[string]bool{}
	if !d.perUser() {
		return out
	}
	for _, a := range d.s.Attributes {
		name, _ := sqlquote.Unident(a.Column)
		var n string
		var ok bool
		if name == "" {
			n, ok = d.attrColumn(a.Name)
		} else if _, ok = d.types[name]; ok {
			n = name
		} else {
			n, ok = d.cols[strings.ToLower(name)]
		}
		if ok {
			out[n] = true
		}
	}
	return out
}

// attributeFields maps the table's loaded attributes and its outcomes to
// stage fields named attributes.NAME and outcomes.NAME.
func (d *pushDataset) attributeFields(ctx context.Context, conn *sql.Conn) ([]pushField, error) {
	if !d.perUser() {
		return nil, nil
	}
	var out []pushField
	for i := range d.s.Attributes {
		a := &d.s.Attributes[i]
		if !a.Loaded() {
			continue
		}
		pf := pushField{Field: Field{Name: "attributes." + a.Name, Type: a.Type.SQLType()}, attr: a, format: a.Format}
		if pf.format == "" {
			pf.format = d.s.TimestampFormat
		}
		key := d.key() + ".attributes." + a.Name
		if a.Column == "" {
			n, ok := d.attrColumn(a.Name)
			if !ok {
				return nil, &ConfigError{Key: key, Err: fmt.Errorf("no column %q in the Postgres result (its columns: %s): set its column", a.Name, strings.Join(d.order, ", "))}
			}
			pf.src, pf.class, pf.label = "s."+sqlquote.Ident(n), d.types[n], n
		} else if err := d.mapField(ctx, conn, &pf, a.Column, key+".column"); err != nil {
			return nil, err
		}
		out = append(out, pf)
	}
	for _, o := range outcomesOf(d.cfg, d.k, d.s) {
		pf := pushField{Field: Field{Name: "outcomes." + o.Name, Type: "DOUBLE"}, attr: &Attribute{Name: o.Name}}
		if err := d.mapField(ctx, conn, &pf, o.Expr, o.key); err != nil {
			return nil, err
		}
		switch pf.class {
		case "bool", "text", "int", "float", "numeric":
		default:
			return nil, &ConfigError{Key: o.key, Err: fmt.Errorf("%s is not a boolean, a number or text in Postgres: an outcome is a boolean (Churn = 'Yes') or a number", o.Expr)}
		}
		out = append(out, pf)
	}
	d.attrs = out
	return out, nil
}

// passFields are the source columns that custom features over the dataset
// may read (their select names them) and that are no canonical field:
// they pass through, as Postgres types them, into the canonical dataset
// under their own names.
func (d *pushDataset) passFields() []pushField {
	var sels []string
	for _, c := range d.cfg.Features.Custom {
		if Kind(c.From) == d.k {
			sels = append(sels, strings.ToLower(c.Select))
		}
	}
	if len(sels) == 0 {
		return nil
	}
	canonical := map[string]bool{}
	for _, f := range inputFields(d.k) {
		canonical[f.Name] = true
	}
	var out []pushField
	for _, n := range d.order {
		if canonical[strings.ToLower(n)] || strings.HasPrefix(n, "__") || !slices.ContainsFunc(sels, func(s string) bool { return strings.Contains(s, strings.ToLower(n)) }) {
			continue
		}
		out = append(out, pushField{Field: Field{Name: n}, src: "s." + sqlquote.Ident(n), class: d.types[n], label: n, pass: true})
	}
	return out
}

// pgMissing is true when the source value sv (of type class c) of an
// attribute is missing: NULL, NaN, or a missing marker (MissingMarkers).
func pgMissing(sv, c string) string {
	switch c {
	case "text":
		return fmt.Sprintf("(%[1]s IS NULL OR lower(trim(%[1]s)) = ANY(%[2]s))", sv, pgTextArray(missingMarkers))
	case "float", "numeric":
		return fmt.Sprintf("(%[1]s IS NULL OR %[1]s = 'NaN')", sv)
	}
	return sv + " IS NULL"
}

// pgTextArray is a text[] literal of vals.
func pgTextArray(vals []string) string { return "ARRAY[" + sqlquote.List(vals) + "]::text[]" }

// convertAttribute is convert for an attribute or outcome: NULL when the
// value is missing or does not parse, as the loader's convertAttribute.
func (d *pushDataset) convertAttribute(f pushField, tz string) (string, error) {
	src, c := f.src, f.class
	var v string
	switch f.attr.Type {
	case TypeNumeric:
		var err error
		if v, err = d.pgNumber(src, c); err != nil {
			return "", err
		}
	case TypeBoolean:
		if c != "bool" && c != "text" && c != "int" && c != "float" && c != "numeric" {
			return "", fmt.Errorf("a %s column cannot be read as a boolean in Postgres", c)
		}
		v = pgBool(src, c)
	case TypeDate, TypeAge:
		var err error
		if v, err = d.convert(pushField{Field: Field{Name: f.Name, Type: "TIMESTAMP"}, src: src, class: c, format: f.format}, tz); err != nil {
			return "", err
		}
	case TypeEmail, TypePhone:
		v = pgText(src, c)
	case TypeCategorical, TypeOrdinal, TypeList:
		v = levelsSQL(pgText(src, c), f.attr.Levels)
	default: // an outcome
		n, err := d.pgNumber(src, c)
		switch {
		case c == "bool":
			v = "CAST(CAST(" + src + " AS integer) AS double precision)"
		case err != nil:
			return "", err
		case c == "text":
			v = fmt.Sprintf("coalesce(CAST(CAST(%s AS integer) AS double precision), %s)", pgBool(src, c), n)
		default:
			v = n
		}
	}
	return fmt.Sprintf("CASE WHEN %s THEN NULL ELSE %s END", pgMissing(src, c), v), nil
}

// attrTotal reports whether convertAttribute gives every value that is
// not missing a value, so that no check for unparsable values is needed.
func attrTotal(f pushField) bool {
	switch f.attr.Type {
	case TypeDate, TypeAge:
		return f.format == "" && (f.class == "timestamp" || f.class == "date" || f.class == "timestamptz")
	case TypeNumeric:
		return f.class == "int"
	}
	return false
}

// pgNumber reads a number: text may carry a currency sign, a % sign and
// thousands separators (1,200.50); NaN and infinities are no number.
func (d *pushDataset) pgNumber(src, c string) (string, error) {
	if c == "text" {
		t := fmt.Sprintf(`regexp_replace(trim(%s), '^[$€£¥]\s*|\s*[$€£¥%%]$', '', 'g')`, src)
		t = fmt.Sprintf(`CASE WHEN %[1]s ~ '^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$' THEN replace(%[1]s, ',', '') ELSE %[1]s END`, t)
		src = "(" + t + ")"
	}
	return d.convert(pushField{Field: Field{Type: "DOUBLE"}, src: src, class: c}, "UTC")
}

// pgBool reads yes/no, true/false, 1/0, y/n, t/f and on/off (any case),
// or a number that is 1 or 0.
func pgBool(src, c string) string {
	switch c {
	case "bool":
		return src
	case "text":
		return fmt.Sprintf("CASE WHEN lower(trim(%[1]s)) = ANY(%[2]s) THEN true WHEN lower(trim(%[1]s)) = ANY(%[3]s) THEN false END",
			src, pgTextArray(trueWords), pgTextArray(falseWords))
	case "int", "float", "numeric":
		return fmt.Sprintf("CASE WHEN %[1]s = 1 THEN true WHEN %[1]s = 0 THEN false END", src)
	}
	return "CAST(NULL AS boolean)"
}

// pgText is a value as text: trimmed, a whole number without ".0".
func pgText(src, c string) string {
	switch c {
	case "text":
		return "trim(" + src + ")"
	case "float", "numeric":
		return fmt.Sprintf("CASE WHEN %[1]s = trunc(%[1]s) AND abs(%[1]s) < 1e18 THEN CAST(CAST(%[1]s AS bigint) AS text) ELSE CAST(%[1]s AS text) END", src)
	}
	return "CAST(" + src + " AS text)"
}

// attrView is the definition of the table's attributes view
// (PerUser.View) over its stage: user_id and one column per attribute and
// outcome, named as in the config, of the rows used.
func (d *pushDataset) attrView() string {
	cols := []string{"user_id"}
	for _, f := range d.attrs {
		cols = append(cols, fmt.Sprintf("%s AS %s", sqlquote.Ident(f.Name), sqlquote.Ident(f.attr.Name)))
	}
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(cols, ", "), d.stageName(), d.used())
}

// attrKey is the config key of an attribute's or outcome's field.
func (d *pushDataset) attrKey(f pushField) string {
	if f.attr.Type == "" {
		for _, o := range outcomesOf(d.cfg, d.k, d.s) {
			if o.Name == f.attr.Name {
				return o.key
			}
		}
	}
	return d.key() + ".attributes." + f.attr.Name
}

// hasCanonical reports whether the dataset is defined under its own name:
// every canonical dataset, and a profiles table that custom features
// aggregate (its user_id and the columns they read).
func (d *pushDataset) hasCanonical() bool {
	if slices.Contains(Kinds, d.k) {
		return true
	}
	return slices.ContainsFunc(d.cfg.Features.Custom, func(c CustomFeature) bool { return Kind(c.From) == d.k })
}

// checkCustomOn checks, before the snapshot is taken (a failed statement
// would end it), that each custom feature's select is an aggregate over
// its dataset that Postgres can cast to a double, as checkCustom does in
// DuckDB: the selects run in Postgres's SQL when pushed down. defs are
// the stages' definitions.
func checkCustomOn(ctx context.Context, conn *sql.Conn, cfg *Config, defs []string, pds []*pushDataset) error {
	if len(cfg.Features.Custom) == 0 {
		return nil
	}
	defs = slices.Clone(defs)
	for _, d := range pds {
		if d.hasCanonical() {
			defs = append(defs, sqlquote.Ident(string(d.k))+" AS NOT MATERIALIZED ("+d.canonical(false)+")")
		}
	}
	with := "WITH " + strings.Join(defs, ",\n") + "\n"
	for i, c := range cfg.Features.Custom {
		q := fmt.Sprintf("%sSELECT user_id, CAST((%s) AS double precision) AS v FROM %s GROUP BY user_id LIMIT 0", with, c.Select, sqlquote.Ident(c.From))
		if _, _, err := probe(ctx, conn, q); err != nil {
			return &ConfigError{Key: fmt.Sprintf("features.custom[%d].select", i), Err: fmt.Errorf("%s over %s, run in Postgres (pushed down, the select is Postgres SQL; engine: duckdb runs it in DuckDB): %w", clip(c.Select, 200), c.From, err)}
		}
	}
	return nil
}
