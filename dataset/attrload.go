package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// perUser reports whether the loader loads a per-user table (users or a
// profiles table), which may carry attributes and outcomes.
func (l *loader) perUser() bool { return l.k == Users || !slices.Contains(Kinds, l.k) }

// key is the config key of the loader's dataset.
func (l *loader) key() string { return l.cfg.key(l.k) }

// outcome is one outcome of the loader's table and its config key.
type outcome struct {
	Outcome
	key string
}

// outcomes lists the table's outcomes: its own, then for users the
// config's top-level ones.
func (l *loader) outcomes() []outcome { return outcomesOf(l.cfg, l.k, l.s) }

// outcomesOf lists the outcomes of dataset k of cfg (source s): its own,
// then for users the config's top-level ones.
func outcomesOf(cfg *Config, k Kind, s *Source) []outcome {
	var out []outcome
	for _, o := range s.Outcomes {
		out = append(out, outcome{o, cfg.key(k) + ".outcomes." + o.Name})
	}
	if k == Users {
		for _, o := range cfg.Outcomes {
			out = append(out, outcome{o, "outcomes." + o.Name})
		}
	}
	return out
}

// attrLookup finds the column an attribute without a column reads: the
// column of its name (exactly, then ignoring case), else the one whose
// slug is the name's (annual_income_k reads "Annual Income (k$)").
func (l *loader) attrLookup(name string) (int, bool) {
	if i, ok := l.lookup(name); ok {
		return i, true
	}
	for i, c := range l.cols {
		if Slug(c.name) == Slug(name) {
			return i, true
		}
	}
	return -1, false
}

// attributeColumns returns the source columns (indices into l.cols) that
// attributes read as plain columns: they are not read again as canonical
// fields of the same name.
func (l *loader) attributeColumns() map[int]bool {
	out := map[int]bool{}
	if !l.perUser() {
		return out
	}
	for _, a := range l.s.Attributes {
		name, _ := sqlquote.Unident(a.Column)
		var i int
		var ok bool
		if name == "" {
			i, ok = l.attrLookup(a.Name)
		} else {
			i, ok = l.lookup(name)
		}
		if ok {
			out[i] = true
		}
	}
	return out
}

// attributeTexts are the attributes' names, columns and outcome
// expressions: the source columns they mention are read.
func (l *loader) attributeMentions(col string) bool {
	if !l.perUser() {
		return false
	}
	c := strings.ToLower(col)
	for _, a := range l.s.Attributes {
		if a.Column == "" && (strings.EqualFold(a.Name, col) || Slug(a.Name) == Slug(col)) {
			return true
		}
		if strings.Contains(strings.ToLower(a.Column), c) {
			return true
		}
	}
	for _, o := range l.outcomes() {
		if strings.Contains(strings.ToLower(o.Expr), c) {
			return true
		}
	}
	return false
}

// attributeFields maps the table's used attributes and outcomes to stage
// fields named attributes.NAME and outcomes.NAME.
func (l *loader) attributeFields(ctx context.Context, from string) ([]field, error) {
	if !l.perUser() {
		return nil, nil
	}
	var out []field
	for i := range l.s.Attributes {
		a := &l.s.Attributes[i]
		if !a.Loaded() {
			continue
		}
		fd := field{Field: Field{Name: "attributes." + a.Name, Type: a.Type.SQLType()}, attr: a, format: a.Format}
		key := l.key() + ".attributes." + a.Name
		if a.Column == "" {
			j, ok := l.attrLookup(a.Name)
			if !ok {
				return nil, &ConfigError{Key: key, Err: fmt.Errorf("no column %q in %s (its columns: %s): set its column", a.Name, l.where(), l.columnList())}
			}
			fd.src, fd.srcType, fd.label = fmt.Sprintf("__r%d", j), l.cols[j].typ, l.cols[j].name
		} else if err := l.mapField(ctx, &fd, a.Column, key+".column", from); err != nil {
			return nil, err
		}
		out = append(out, fd)
	}
	for _, o := range l.outcomes() {
		fd := field{Field: Field{Name: "outcomes." + o.Name, Type: "DOUBLE"}, attr: &Attribute{Name: o.Name}}
		if err := l.mapField(ctx, &fd, o.Expr, o.key, from); err != nil {
			return nil, err
		}
		switch {
		case fd.srcType == "BOOLEAN", fd.srcType == "VARCHAR", isNumeric(fd.srcType):
		default:
			return nil, &ConfigError{Key: o.key, Err: fmt.Errorf("%s is %s: an outcome is a boolean (Churn = 'Yes') or a number", o.Expr, fd.srcType)}
		}
		out = append(out, fd)
	}
	l.attrs = out
	for _, f := range out {
		l.extra = append(l.extra, sqlquote.Ident(f.Name))
	}
	return out, nil
}

// maxMarkerLen is the length of the longest missing marker, spaces aside.
const maxMarkerLen = 7

// missingSQL is true when the source value sv (of DuckDB type st) of an
// attribute is missing: NULL, NaN, or a missing marker (MissingMarkers).
func missingSQL(sv, st string) string {
	switch {
	case st == "VARCHAR":
		// No marker is longer than 7 characters: longer values skip the
		// comparisons.
		// (list_contains costs a sixth of IN in DuckDB.)
		return fmt.Sprintf("(%[1]s IS NULL OR length(%[1]s) <= %[2]d AND list_contains(%[3]s, lower(trim(%[1]s))) OR length(%[1]s) > %[2]d AND trim(%[1]s) = '')", sv, maxMarkerLen, sqlquote.Array(missingMarkers))
	case st == "DOUBLE" || st == "FLOAT":
		return fmt.Sprintf("(%s IS NULL OR isnan(%s))", sv, sv)
	}
	return sv + " IS NULL"
}

var (
	trueWords  = []string{"yes", "y", "true", "t", "1", "1.0", "on", "ja", "oui", "si", "sí"}
	falseWords = []string{"no", "n", "false", "f", "0", "0.0", "off", "nein", "non"}
)

// convertAttribute is convert for an attribute or outcome: NULL when the
// value is missing or does not parse.
func (l *loader) convertAttribute(f field) string {
	src, st := f.src, f.srcType
	text := st == "VARCHAR"
	var v string
	switch f.attr.Type {
	case TypeNumeric:
		if text && l.s.CSV.Decimal != "," {
			// Plain numbers, the most of them, take the first branch.
			return fmt.Sprintf("CASE WHEN isfinite(TRY_CAST(%[1]s AS DOUBLE)) THEN TRY_CAST(%[1]s AS DOUBLE) WHEN %[2]s THEN NULL ELSE %[3]s END", src, missingSQL(src, st), l.numberSQL(src, st))
		}
		v = l.numberSQL(src, st)
	case TypeBoolean:
		v = boolSQL(src, st)
	case TypeDate, TypeAge:
		v = l.convert(field{Field: Field{Name: f.Name, Type: "TIMESTAMP"}, src: src, srcType: st, format: f.format})
	case TypeEmail, TypePhone:
		v = textSQL(src, st)
	case TypeCategorical, TypeOrdinal, TypeList:
		v = levelsSQL(textSQL(src, st), f.attr.Levels)
	default: // an outcome
		switch {
		case st == "BOOLEAN":
			v = fmt.Sprintf("CAST(%s AS DOUBLE)", src)
		case text:
			v = fmt.Sprintf("coalesce(CAST(%s AS DOUBLE), %s)", boolSQL(src, st), l.numberSQL(src, st))
		default:
			v = l.numberSQL(src, st)
		}
	}
	return fmt.Sprintf("CASE WHEN %s THEN NULL ELSE %s END", missingSQL(src, st), v)
}

// numberSQL reads a number: text may carry a currency sign, a % sign and
// thousands separators (1,200.50), or a decimal comma when csv.decimal is
// ","; NaN and infinities are no number.
func (l *loader) numberSQL(src, st string) string {
	switch {
	case st == "BOOLEAN":
		return fmt.Sprintf("CAST(%s AS DOUBLE)", src)
	case st != "VARCHAR":
		return fmt.Sprintf("CASE WHEN isfinite(TRY_CAST(%[1]s AS DOUBLE)) THEN TRY_CAST(%[1]s AS DOUBLE) END", src)
	}
	t := fmt.Sprintf(`regexp_replace(trim(%s), '^[$€£¥]\s*|\s*[$€£¥%%]$', '', 'g')`, src)
	if l.s.CSV.Decimal == "," {
		t = decimalComma(t)
	} else {
		t = fmt.Sprintf(`CASE WHEN contains(%[1]s, ',') AND regexp_full_match(%[1]s, '[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?') THEN replace(%[1]s, ',', '') ELSE %[1]s END`, t)
	}
	return fmt.Sprintf("CASE WHEN isfinite(TRY_CAST(%[1]s AS DOUBLE)) THEN TRY_CAST(%[1]s AS DOUBLE) END", t)
}

// boolSQL reads yes/no, true/false, 1/0, y/n, t/f and on/off (any case),
// or a number that is 1 or 0.
func boolSQL(src, st string) string {
	switch {
	case st == "BOOLEAN":
		return src
	case st != "VARCHAR":
		return fmt.Sprintf("CASE WHEN %[1]s = 1 THEN true WHEN %[1]s = 0 THEN false END", src)
	}
	return fmt.Sprintf("CASE WHEN list_contains(%[2]s, lower(trim(%[1]s))) THEN true WHEN list_contains(%[3]s, lower(trim(%[1]s))) THEN false END",
		src, sqlquote.Array(trueWords), sqlquote.Array(falseWords))
}

// textSQL is a value as text: trimmed, a whole number without ".0".
func textSQL(src, st string) string {
	switch {
	case st == "VARCHAR":
		return fmt.Sprintf("trim(%s)", src)
	case st == "DOUBLE" || st == "FLOAT":
		return fmt.Sprintf("CASE WHEN %[1]s = trunc(%[1]s) AND abs(%[1]s) < 1e18 THEN CAST(CAST(%[1]s AS BIGINT) AS VARCHAR) ELSE CAST(%[1]s AS VARCHAR) END", src)
	}
	return fmt.Sprintf("CAST(%s AS VARCHAR)", src)
}

// timestampFormat is the strptime format of a time field: its own (a
// date attribute's), else the source's.
func (l *loader) timestampFormat(f field) string {
	if f.format != "" {
		return f.format
	}
	return l.s.TimestampFormat
}

// numberRows makes each staged row's number (1, 2, ... in file order) its
// user_id.
func (l *loader) numberRows(ctx context.Context, table string) error {
	set := "user_id = CAST(rowid + 1 AS VARCHAR)"
	if l.s.Duplicates != "keep" {
		set += ", __h = hash(rowid)"
	}
	if err := l.exec(ctx, "UPDATE "+table+" SET "+set); err != nil {
		return fmt.Errorf("number the rows: %w", err)
	}
	return nil
}

// attributeView creates the view of the table's attributes and outcomes
// (PerUser.View): user_id and one column per attribute and outcome, named
// as in the config, over the used rows of the stage relation from.
func (l *loader) attributeView(ctx context.Context, from, used string) error {
	if !l.perUser() {
		return nil
	}
	cols := []string{"user_id"}
	for _, f := range l.attrs {
		cols = append(cols, fmt.Sprintf("%s AS %s", sqlquote.Ident(f.Name), sqlquote.Ident(f.attr.Name)))
	}
	q := fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT %s FROM %s", attrView(l.k), strings.Join(cols, ", "), from)
	if used != "true" {
		q += " WHERE " + used
	}
	if err := l.exec(ctx, q); err != nil {
		return fmt.Errorf("create the attributes view: %w", err)
	}
	return nil
}

// nameColumns gives the columns of a CSV file without a header the names
// csv.columns lists.
func (l *loader) nameColumns(sn *sniffed, file string) error {
	names := l.s.CSV.Columns
	if len(names) == 0 {
		return nil
	}
	if len(names) != len(sn.Columns) {
		return &ConfigError{Key: l.key() + ".csv.columns", Err: fmt.Errorf("%d names for the %d columns of %s", len(names), len(sn.Columns), file)}
	}
	for i := range sn.Columns {
		sn.Columns[i].Name = names[i]
	}
	sn.Header = false
	return nil
}

// mapEventTypes maps the source's event names to canonical ones
// (events.event_types), matching the names as written; other names stay.
func (l *loader) mapEventTypes(v string) string {
	if len(l.s.EventTypes) == 0 {
		return v
	}
	from := make([]string, 0, len(l.s.EventTypes))
	for k := range l.s.EventTypes {
		from = append(from, k)
	}
	slices.Sort(from)
	var whens []string
	for _, k := range from {
		whens = append(whens, fmt.Sprintf("WHEN %s THEN %s", sqlquote.String(k), sqlquote.String(l.s.EventTypes[k])))
	}
	return fmt.Sprintf("CASE %s %s ELSE %s END", v, strings.Join(whens, " "), v)
}

// custom returns the custom features over the loader's dataset.
func (l *loader) custom() []CustomFeature {
	var out []CustomFeature
	for _, c := range l.cfg.Features.Custom {
		if Kind(c.From) == l.k {
			out = append(out, c)
		}
	}
	return out
}

// customMentions reports whether a custom feature over the dataset may
// read the source column col.
func (l *loader) customMentions(col string) bool {
	for _, c := range l.custom() {
		if strings.Contains(strings.ToLower(c.Select), strings.ToLower(col)) {
			return true
		}
	}
	return false
}

// passFields are the source columns that custom features over the dataset
// may read and that are no canonical field: they are passed through, typed
// as sniffed, into the canonical view under their own names.
func (l *loader) passFields() []field {
	l.pass = nil
	if len(l.custom()) == 0 {
		return nil
	}
	canonical := map[string]bool{}
	for _, f := range inputFields(l.k) {
		canonical[f.Name] = true
	}
	var out []field
	for _, c := range l.cols {
		if canonical[strings.ToLower(c.name)] || strings.HasPrefix(c.name, "__") || !l.customMentions(c.name) {
			continue
		}
		typ := c.guess
		if typ == "" {
			typ = c.typ
		}
		if c.comma {
			typ = "DOUBLE"
		}
		out = append(out, field{Field: Field{Name: c.name, Type: typ}, src: sqlquote.Ident(c.name), srcType: typ, label: c.name, pass: true})
		l.pass = append(l.pass, c.name)
	}
	return out
}

// checkCustom checks that each custom feature's select is an aggregate
// over its dataset (its canonical fields and the source columns it
// names) that gives a number.
func checkCustom(ctx context.Context, db *sql.DB, cfg *Config) error {
	for i, c := range cfg.Features.Custom {
		key := fmt.Sprintf("features.custom[%d].select", i)
		q := fmt.Sprintf("SELECT column_type FROM (DESCRIBE SELECT user_id, CAST((%s) AS DOUBLE) AS v FROM %s GROUP BY user_id)", c.Select, sqlquote.Ident(c.From))
		var typ string
		if err := db.QueryRowContext(ctx, q).Scan(&typ); err != nil {
			if se := sandboxed(err); se != nil {
				err = se
			}
			return &ConfigError{Key: key, Err: fmt.Errorf("%s over %s: %w", clip(c.Select, 200), c.From, shortError(err))}
		}
	}
	return nil
}

// levelsSQL maps the text v to a level as listed in levels, whatever the
// case of the value (NULL when it is none of them); with no levels, v.
// DuckDB and Postgres read the CASE alike.
func levelsSQL(v string, levels []string) string {
	if len(levels) == 0 {
		return v
	}
	whens := make([]string, len(levels))
	for i, x := range levels {
		whens[i] = fmt.Sprintf("WHEN %s THEN %s", sqlquote.String(strings.ToLower(strings.TrimSpace(x))), sqlquote.String(x))
	}
	return fmt.Sprintf("CASE lower(%s) %s END", v, strings.Join(whens, " "))
}
