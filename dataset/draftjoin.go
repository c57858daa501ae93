package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// sourceName is the name a file gets under sources: its base name without
// extensions, slugged, made unique against used (when not nil).
func sourceName(p string, used map[string]bool) string {
	base := filepath.Base(p)
	for ext := filepath.Ext(base); ext != "" && ext != base; ext = filepath.Ext(base) {
		base = strings.TrimSuffix(base, ext)
	}
	n := Slug(SplitCase(base))
	if n == "" || n[0] >= '0' && n[0] <= '9' {
		n = "t_" + n
	}
	if used == nil {
		return n
	}
	name := n
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d", n, i)
	}
	used[name] = true
	return name
}

// joinStep is one file joined to the ones before it: its column key equals
// the column to of the file at index of.
type joinStep struct {
	file    int
	key, to string
	of      int
}

// draftJoin writes the files of dataset k (events, transactions or social)
// as sources (into src, shared by the datasets) and k as a query joining
// them into b, and returns the notes for the user.
//
// The base of the join is the file with the most canonical fields of k
// (order lines rather than orders; the first file on a tie). Each other
// file is joined, LEFT so that no row of the base is lost, on a column
// whose name (letters and digits, any case) it shares with a file joined
// before and whose values are distinct in it (one order per order_id, one
// product per product_id), or else distinct in that earlier file; a file's
// column id also matches a column named after the file (orders.id to
// order_id). The query keeps every column of the base (and its _row_
// column, so rejects name the base file's line) and the columns of the
// others that the files before them do not have.
func draftJoin(ctx context.Context, db *sql.DB, b, src *strings.Builder, used map[string]bool, k Kind, paths []string, dir string, st *draftState) ([]string, error) {
	dfs := make([]*draftFile, len(paths))
	names := make([]string, len(paths))
	for i, p := range paths {
		df, err := sniffDraftFile(ctx, db, k, p, st)
		if err != nil {
			return nil, err
		}
		dfs[i] = df
		names[i] = sourceName(p, used)
	}
	base, best := 0, -1
	for i, df := range dfs {
		n := 0
		taken := map[string]bool{}
		for _, f := range inputFields(k) {
			if c := guessColumn(f.Name, df.cols, taken); c != "" {
				taken[c] = true
				n++
			}
		}
		if n > best {
			base, best = i, n
		}
	}
	distinct := func(i int, col string) (bool, error) {
		var ok bool
		err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(v) = count(DISTINCT v) AND count(v) > 0 FROM (SELECT CAST(%s AS VARCHAR) AS v FROM %s LIMIT %d)",
			sqlquote.Ident(col), dfs[i].rel, sniffRows)).Scan(&ok)
		if err != nil {
			return false, fmt.Errorf("%s: read %s: %w", k, dfs[i].file, err)
		}
		return ok, nil
	}
	// have maps a normalised column name to the file and column it comes from.
	type owner struct {
		file int
		col  string
	}
	have := map[string]owner{}
	for _, c := range dfs[base].cols {
		if _, ok := have[norm(c.Name)]; !ok {
			have[norm(c.Name)] = owner{base, c.Name}
		}
	}
	var steps []joinStep
	left := []int{}
	for i := range dfs {
		if i != base {
			left = append(left, i)
		}
	}
	for len(left) > 0 {
		progress := false
		for li := 0; li < len(left); li++ {
			i := left[li]
			var step *joinStep
			var fallback *joinStep
			for _, c := range dfs[i].cols {
				o, ok := have[norm(c.Name)]
				if !ok && norm(c.Name) == "id" {
					stem := strings.TrimSuffix(norm(names[i]), "s")
					o, ok = have[stem+"id"]
				}
				if !ok {
					continue
				}
				d, err := distinct(i, c.Name)
				if err != nil {
					return nil, err
				}
				if d {
					step = &joinStep{i, c.Name, o.col, o.file}
					break
				}
				if fallback == nil {
					if d, err := distinct(o.file, o.col); err != nil {
						return nil, err
					} else if d {
						fallback = &joinStep{i, c.Name, o.col, o.file}
					}
				}
			}
			if step == nil {
				step = fallback
			}
			if step == nil {
				continue
			}
			steps = append(steps, *step)
			for _, c := range dfs[i].cols {
				if _, ok := have[norm(c.Name)]; !ok {
					have[norm(c.Name)] = owner{i, c.Name}
				}
			}
			left = slices.Delete(left, li, li+1)
			li--
			progress = true
		}
		if !progress {
			var cols []string
			for _, c := range dfs[left[0]].cols {
				cols = append(cols, c.Name)
			}
			return nil, fmt.Errorf("%s: %s shares no key column with %s (its columns: %s): name the files under sources: and join them in %s.query yourself (README: \"Several files, joined\")",
				k, dfs[left[0]].file, dfs[base].file, strings.Join(clipAll(cols, 12), ", "), k)
		}
	}
	// The query over the sources, and the same join over the files as
	// sniffed, to guess the mapping from.
	ident := func(s string) string { return mappingName(s) }
	sel := []string{ident(names[base]) + ".*"}
	draftSel := []string{"b0.*"}
	merged := slices.Clone(dfs[base].cols)
	seen := map[string]bool{}
	for _, c := range merged {
		seen[norm(c.Name)] = true
	}
	from := ident(names[base])
	draftFrom := fmt.Sprintf("(SELECT * FROM %s) b0", dfs[base].rel)
	for _, st := range steps {
		for _, c := range dfs[st.file].cols {
			if seen[norm(c.Name)] {
				continue
			}
			seen[norm(c.Name)] = true
			merged = append(merged, c)
			sel = append(sel, ident(names[st.file])+"."+ident(c.Name))
			draftSel = append(draftSel, fmt.Sprintf("b%d.%s", st.file+1, sqlquote.Ident(c.Name)))
		}
		from += fmt.Sprintf("\n    LEFT JOIN %s ON %s.%s = %s.%s", ident(names[st.file]), ident(names[st.file]), ident(st.key), ident(names[st.of]), ident(st.to))
		bOf := fmt.Sprintf("b%d", st.of+1)
		if st.of == base {
			bOf = "b0"
		}
		draftFrom += fmt.Sprintf(" LEFT JOIN (SELECT * FROM %s) b%d ON CAST(b%d.%s AS VARCHAR) = CAST(%s.%s AS VARCHAR)",
			dfs[st.file].rel, st.file+1, st.file+1, sqlquote.Ident(st.key), bOf, sqlquote.Ident(st.to))
	}
	rel := fmt.Sprintf("(SELECT %s FROM %s)", strings.Join(draftSel, ", "), draftFrom)

	for i, df := range dfs {
		fmt.Fprintf(src, "  %s:  # for %s\n    path: %s\n", yamlKey(names[i]), k, yamlString(relTo(dir, df.path)))
		src.WriteString(indent(df.csv, "    "))
		src.WriteString("    " + df.columnsFound())
	}
	var how []string
	for _, st := range steps {
		how = append(how, fmt.Sprintf("%s.%s = %s.%s", names[st.file], st.key, names[st.of], st.to))
	}
	fmt.Fprintf(b, "\n%s:\n  # the files given for %s, joined: every row of %s, with %s (LEFT JOIN: a row without a match keeps empty fields)\n", k, k, names[base], comment(strings.Join(how, ", ")))
	fmt.Fprintf(b, "  query: |\n    SELECT %s\n    FROM %s\n", strings.Join(sel, ", "), from)
	tsFormat, guessed, err := timestampFormat(ctx, db, k, &draftFile{rel: rel, cols: merged}, merged)
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", k, dfs[base].file, err)
	}
	if tsFormat != "" {
		fmt.Fprintf(b, "  timestamp_format: %s  # %s\n", yamlString(tsFormat), comment(guessed))
	}
	b.WriteString("  # time_zone: Europe/London   # the zone wall-clock times are in; default UTC\n")
	b.WriteString("  duplicates: drop   # drops a row repeating an earlier one in every column of the query (as written); or keep\n")
	files := make([]string, len(dfs))
	for i, df := range dfs {
		files[i] = df.file
	}
	notes, err := draftColumns(ctx, db, b, k, rel, merged, files)
	if err != nil {
		return nil, err
	}
	return append([]string{fmt.Sprintf("%s: %d files joined in %s.query (%s)", k, len(dfs), k, strings.Join(how, ", "))}, notes...), nil
}
