package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// sniffRows is how many rows persona init reads to guess attribute types.
const sniffRows = 20000

// sample reads the first sniffRows rows of rel as text, per column.
func sample(ctx context.Context, db *sql.DB, rel string, cols []sniffedColumn) ([][]string, error) {
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = fmt.Sprintf("CAST(%s AS VARCHAR)", sqlquote.Ident(c.Name))
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s LIMIT %d", strings.Join(sel, ", "), rel, sniffRows))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]string, len(cols))
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			out[i] = append(out[i], v.String)
		}
	}
	return out, rows.Err()
}

// draftPerUser writes the columns, attributes and outcomes of a users file
// into the draft: the user key (a canonical id column, else the first
// column of distinct identifiers, else the row numbers), signup_date and
// birth_year when a column is named so, and every other column as an
// attribute of the type SniffColumn guesses, or as an outcome. It returns
// the notes for the user.
func draftPerUser(ctx context.Context, db *sql.DB, b *strings.Builder, rel string, cols []sniffedColumn, decimal []string) ([]string, perUserDraft, error) {
	var info perUserDraft
	values, err := sample(ctx, db, rel, cols)
	if err != nil {
		return nil, info, err
	}
	var notes []string
	guesses := make([]Guess, len(cols))
	for i, c := range cols {
		if slices.Contains(decimal, c.Name) {
			// read as csv.decimal "," will: 1.234,5 is 1234.5
			for j, v := range values[i] {
				if decimalCommaRE.MatchString(strings.TrimSpace(v)) {
					values[i][j] = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(v), ".", ""), ",", ".")
				}
			}
		}
		guesses[i] = SniffColumn(c.Name, values[i])
		if g := &guesses[i]; g.Type == TypeCategorical || g.Type == TypeIgnore {
			// A date in another format than ISO 8601.
			if fs, err := formatsReading(ctx, db, rel, c.Name, dateShare); err == nil && len(fs) > 0 {
				g.Type, g.Format, g.Note = TypeDate, fs[0], "dates read with "+fs[0]
			}
		}
		if g := &guesses[i]; g.Type == TypeDate && birthName(c.Name) {
			g.Type, g.Note = TypeAge, "a date of birth: the age in years at as_of; "+g.Note
		}
	}
	taken := map[string]bool{}
	id := guessColumn("user_id", cols, taken)
	if id == "" {
		for i, g := range guesses {
			if g.Type == TypeID {
				id = cols[i].Name
				break
			}
		}
	}
	b.WriteString("  columns:\n")
	if id != "" {
		taken[id] = true
		note := "the user key, guessed"
		if i := slices.IndexFunc(cols, func(c sniffedColumn) bool { return c.Name == id }); i >= 0 {
			seen := map[string]bool{}
			for _, v := range values[i] {
				seen[v] = true
			}
			if len(seen) < len(values[i]) {
				note = fmt.Sprintf("the user key, guessed, but it repeats: %d distinct values in %d rows (a user's rows are merged, each attribute taking its least value)", len(seen), len(values[i]))
				notes = append(notes, fmt.Sprintf("column %s, the user key, repeats: %d distinct values in %d rows", id, len(seen), len(values[i])))
			}
		}
		fmt.Fprintf(b, "    user_id: %s  # %s\n", yamlString(mappingName(id)), comment(note))
	} else {
		b.WriteString("    # user_id:  # no id column found: each row's number (1, 2, ... in file order) is its user_id\n")
		notes = append(notes, "no id column found: each row's number is its user_id (map user_id under columns if one holds it)")
	}
	for _, f := range []string{"signup_date", "birth_year"} {
		if c := guessColumn(f, cols, taken); c != "" {
			taken[c] = true
			fmt.Fprintf(b, "    %s: %s  # guessed\n", f, yamlString(mappingName(c)))
			info.dates = info.dates || f == "signup_date"
		}
	}
	var attrs, outs []string
	used := map[string]bool{}
	name := func(col string) string {
		n := Slug(SplitCase(col))
		for k := 2; used[n]; k++ {
			n = fmt.Sprintf("%s_%d", Slug(SplitCase(col)), k)
		}
		used[n] = true
		return n
	}
	for i, g := range guesses {
		col := cols[i].Name
		if taken[col] {
			continue
		}
		var n string
		if g.Type == TypeAge && !slices.ContainsFunc(cols, func(c sniffedColumn) bool { return Slug(c.Name) == "age" }) {
			n = name("age") // the feature it is
			notes = append(notes, fmt.Sprintf("column %s is a date of birth: attribute %s, the age in years at as_of", col, n))
		} else {
			n = name(col)
		}
		switch g.Type {
		case TypeDate:
			info.dates = true
		case TypeAge:
			info.ages = true
		}
		if g.Outcome != "" {
			outs = append(outs, fmt.Sprintf("    %s: %s  # %s", yamlKey(n), yamlString(g.Outcome), comment(g.Note)))
			notes = append(notes, fmt.Sprintf("column %s looks like an outcome: outcomes.%s, reported per segment and never clustered", col, n))
			continue
		}
		var opts []string
		if n != col {
			opts = append(opts, "column: "+yamlString(col))
		}
		opts = append(opts, "type: "+string(g.Type))
		if len(g.Levels) > 0 {
			lv := make([]string, len(g.Levels))
			for j, l := range g.Levels {
				lv[j] = yamlString(l)
			}
			opts = append(opts, "levels: ["+strings.Join(lv, ", ")+"]")
		}
		if g.Separator != "" && g.Separator != "," {
			opts = append(opts, "separator: "+yamlString(g.Separator))
		}
		if g.Format != "" {
			opts = append(opts, "format: "+yamlString(g.Format))
		}
		v := string(g.Type)
		if len(opts) > 1 {
			v = "{" + strings.Join(opts, ", ") + "}"
		}
		attrs = append(attrs, fmt.Sprintf("    %s: %s  # %s", yamlKey(n), v, comment(g.Note)))
	}
	if len(attrs) > 0 {
		b.WriteString("  attributes:  # the other columns, typed from the values of their first 20,000 rows: change a type, or make it ignore\n")
		b.WriteString(strings.Join(attrs, "\n") + "\n")
	}
	if len(outs) > 0 {
		b.WriteString("  outcomes:  # never clustered: each segment's rate or mean against the base\n")
		b.WriteString(strings.Join(outs, "\n") + "\n")
	}
	return notes, info, nil
}

// perUserDraft is what the draft of a per-user table found.
type perUserDraft struct {
	dates bool // signup_date or a date attribute
	ages  bool // an age attribute
}

// birthName reports whether a date column's name says it is a date of
// birth: a word birth, born, dob, birthday or birthdate (birth_date,
// DateOfBirth, DOB, born_on, Geburtsdatum).
func birthName(col string) bool {
	n := norm(col)
	if strings.Contains(n, "birth") || strings.Contains(n, "geburt") {
		return true
	}
	for _, w := range words(SplitCase(col)) {
		if w == "dob" || w == "born" || w == "bday" {
			return true
		}
	}
	return false
}

// decimalCommaRE matches a number written with a decimal comma and
// optional thousands points (2,50; 1.234,5; 10).
var decimalCommaRE = regexp.MustCompile(`^[-+]?([0-9]+|[0-9]{1,3}(\.[0-9]{3})+)?(,[0-9]+)?$`)

// yamlKey writes a mapping key: plain when it is a plain word.
func yamlKey(s string) string {
	if nameRE.MatchString(s) {
		return s
	}
	return yamlString(s)
}

// comment keeps a note on one line.
func comment(s string) string { return yamlEscape(s, false) }

// eventAliases are event names that usually mean a canonical event type.
var eventAliases = map[string]string{
	"pv": "page_view", "pageview": "page_view", "page": "page_view", "visit": "page_view",
	"view": "product_view", "productview": "product_view", "detail": "product_view", "click": "product_view",
	"cart": "add_to_cart", "addtocart": "add_to_cart", "add": "add_to_cart", "basket": "add_to_cart",
	"buy": "checkout", "purchase": "checkout", "order": "checkout", "transaction": "checkout",
	"query": "search", "signin": "login", "logon": "login",
	"screenview": "page_view", "search": "search", "productdetail": "product_view", "itemview": "product_view",
	"addtobasket": "add_to_cart", "cartadd": "add_to_cart", "checkout": "checkout", "ordercompleted": "checkout", "sale": "checkout",
	"login": "login", "signon": "login",
}

// ownEventAliases are event names that mean a type persona has no
// canonical name for: the draft maps them to one own name, counted as
// count_<name> and share_<name> like any other.
var ownEventAliases = map[string]string{
	"fav": "wishlist", "favorite": "wishlist", "favourite": "wishlist", "favorites": "wishlist", "addtowishlist": "wishlist",
	"wishlist": "wishlist", "bookmark": "wishlist", "save": "wishlist",
}

// eventTypeByValues returns the text column of cols (the first sniffRows
// rows of rel) of which at least half the values are canonical event
// types or names that usually mean one (eventAliases), the one with the
// largest such share; "" when none is.
func eventTypeByValues(ctx context.Context, db *sql.DB, rel string, cols []sniffedColumn) (string, error) {
	best, bestShare := "", 0.5
	for _, c := range cols {
		if c.Type != "VARCHAR" {
			continue
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT v, count(*) AS n FROM (SELECT CAST(%s AS VARCHAR) AS v FROM %s LIMIT %d) WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC LIMIT 1000", sqlquote.Ident(c.Name), rel, sniffRows))
		if err != nil {
			return "", err
		}
		var known, all int64
		for rows.Next() {
			var v string
			var n int64
			if err := rows.Scan(&v, &n); err != nil {
				rows.Close()
				return "", err
			}
			all += n
			_, own := ownEventAliases[norm(v)]
			if _, ok := eventAliases[norm(v)]; ok || own || slices.Contains(EventTypes, v) {
				known += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
		if all > 0 && float64(known)/float64(all) >= bestShare && known > 0 {
			best, bestShare = c.Name, float64(known)/float64(all)
		}
	}
	return best, nil
}

// draftEventTypes writes events.event_types for the event names of the
// column col (the first sniffRows rows of rel) that are no canonical type
// but usually mean one (pv, view, cart, buy, purchase ...), and lists the
// names left as they are.
func draftEventTypes(ctx context.Context, db *sql.DB, rel, col string) (string, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT v, count(*) AS n FROM (SELECT CAST(%s AS VARCHAR) AS v FROM %s LIMIT %d) WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC, v", sqlquote.Ident(col), rel, sniffRows))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var mapped, other []string
	for rows.Next() {
		var v string
		var n int64
		if err := rows.Scan(&v, &n); err != nil {
			return "", err
		}
		if slices.Contains(EventTypes, v) {
			continue
		}
		if to, ok := eventAliases[norm(v)]; ok {
			mapped = append(mapped, fmt.Sprintf("    %s: %s", yamlString(v), to))
		} else if to, ok := ownEventAliases[norm(v)]; ok {
			if v != to {
				mapped = append(mapped, fmt.Sprintf("    %s: %s  # no canonical type: counted as count_%s and share_%s", yamlString(v), to, to, to))
			}
		} else if len(other) < 10 {
			other = append(other, v)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	var b strings.Builder
	if len(mapped) > 0 {
		b.WriteString("  event_types:  # the file's names of canonical event types (or of an own one), guessed\n" + strings.Join(mapped, "\n") + "\n")
	}
	if len(other) > 0 {
		fmt.Fprintf(&b, "  # other event names, counted as their own count_<name> and share_<name> (the %d most frequent, features.top_events); map one here if it means a canonical type (%s): %s\n",
			6, strings.Join(EventTypes, ", "), comment(strings.Join(clipAll(other, 10), ", ")))
	}
	return b.String(), nil
}
