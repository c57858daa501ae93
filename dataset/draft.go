package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// synonyms lists, per canonical field, normalised column names (lowercase,
// letters and digits only) that usually hold it, best first.
var synonyms = map[string][]string{
	"user_id":             {"userid", "customerid", "custid", "clientid", "visitorid", "memberid", "accountid", "personid", "customerno", "customernumber", "clientno", "memberno", "accountno", "user", "customer", "uid", "cid", "id"},
	"timestamp":           {"timestamp", "eventtime", "invoicedate", "orderdate", "datetime", "createdat", "time", "date", "ts", "eventdate"},
	"session_id":          {"sessionid", "usersession", "session"},
	"event_type":          {"eventtype", "eventname", "event", "action", "behaviortype", "behavior", "behaviour", "activity", "interaction", "act", "type"},
	"category":            {"category", "categorycode", "categoryname", "categoryid", "productcategory", "department", "cat", "cate", "catid"},
	"device":              {"device", "devicetype", "platform"},
	"order_id":            {"orderid", "invoiceno", "invoice", "invoiceid", "transactionid", "order", "receiptid"},
	"product_id":          {"productid", "stockcode", "sku", "itemid", "product", "item", "articleid"},
	"quantity":            {"quantity", "qty", "units", "count"},
	"unit_price":          {"unitprice", "price", "itemprice"},
	"discount":            {"discount", "discountrate"},
	"amount":              {"amount", "total", "revenue", "sales", "value", "linetotal"},
	"signup_date":         {"signupdate", "registrationdate", "createdat", "joined", "signup"},
	"birth_year":          {"birthyear", "yearofbirth", "yob"},
	"gender":              {"gender", "sex"},
	"country":             {"country", "countrycode", "region"},
	"acquisition_channel": {"acquisitionchannel", "channel", "source", "utmsource"},
	"platform":            {"platform", "network", "site"},
	"action":              {"action", "actiontype", "event", "type"},
	"topic":               {"topic", "tag", "hashtag", "subject"},
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

func norm(s string) string { return nonAlnum.ReplaceAllString(strings.ToLower(s), "") }

// wordSynonyms lists, for the numeric fields of a transaction line, words
// that name them inside a longer column name (dollar_value, number_of_cds,
// total_spent, units_sold), tried when no column is named exactly like a
// synonym; only a numeric column qualifies.
var wordSynonyms = map[string][]string{
	"quantity": {"quantity", "qty", "units", "number", "count", "items", "pieces"},
	"amount":   {"amount", "total", "revenue", "sales", "value", "spend", "spent", "paid", "dollar", "dollars", "sum"},
}

var camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// words splits a column name into lowercase words at non-letters and at
// camelCase boundaries: "numberOfCDs" and "number_of_cds" give number, of, cds.
func words(name string) []string {
	name = camelBoundary.ReplaceAllString(name, "${1} ${2}")
	return strings.Fields(nonAlnum.ReplaceAllString(strings.ToLower(name), " "))
}

// guessColumn picks the source column for a canonical field, or "": a
// column whose normalised name is a synonym (best first), else for the
// fields of wordSynonyms the first numeric column with such a word in its
// name.
func guessColumn(f string, cols []sniffedColumn, taken map[string]bool) string {
	for _, syn := range synonyms[f] {
		for _, c := range cols {
			if !taken[c.Name] && norm(c.Name) == syn {
				return c.Name
			}
		}
	}
	for _, syn := range wordSynonyms[f] {
		for _, c := range cols {
			if taken[c.Name] || !isNumeric(c.Type) {
				continue
			}
			for _, w := range words(c.Name) {
				if w == syn {
					return c.Name
				}
			}
		}
	}
	return ""
}

// orderPerVisit is the order_id drafted for a purchase log without an order
// number (CDNOW's, lifetimes' examples): one order per customer and
// timestamp, so that lines bought together count as one order.
func orderPerVisit(user, ts string) string {
	return fmt.Sprintf("concat(%s, '/', %s)", sqlquote.Ident(user), sqlquote.Ident(ts))
}

// Draft sniffs the files given per dataset and returns a commented YAML
// config with its guesses: the CSV dialect, which column holds each
// canonical field, the timestamp format, and for a users file every column
// as an attribute of the type its values suggest (SniffColumn), or as an
// outcome. Paths are written relative to dir (the folder the config will
// live in) when that is shorter. The notes say what a user should know
// about the draft (no id column, outcomes).
func Draft(ctx context.Context, db *sql.DB, paths map[Kind]string, dir string) (text []byte, notes []string, err error) {
	var b strings.Builder
	b.WriteString(`# persona config, drafted by "persona init" from the files below.
# Check every guess, then run:  persona run --config THIS_FILE --out DIR
# Columns map canonical fields to a source column or a SQL expression over
# the source's columns (amount: Quantity * UnitPrice). See the README.

# Reference date for recencies and ages; empty means the latest timestamp.
# as_of: 2024-01-31
# Largest share of a dataset's rows that may be rejected before a run fails.
max_reject_rate: 0.01
`)
	n := 0
	for _, k := range Kinds {
		p, ok := paths[k]
		if !ok || p == "" {
			continue
		}
		n++
		format := formatOf(p)
		fmt.Fprintf(&b, "\n%s:\n  path: %s\n", k, yamlString(relTo(dir, p)))
		if format == "" {
			if err := regularFile(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("%s: %w", k, err) // a FIFO such as /dev/fd/63 has no extension
			}
			return nil, nil, fmt.Errorf("%s: cannot tell the format of %s from its extension", k, p)
		}
		if err := checkDraftable(p, format); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", k, err)
		}
		var cols []sniffedColumn
		var decimal []string // columns of numbers with a decimal comma
		tsFormat := ""
		rel := "" // the source as a relation of text columns, to try timestamp formats on
		switch format {
		case "csv":
			files, err := filepath.Glob(p)
			if err != nil || len(files) == 0 {
				return nil, nil, fmt.Errorf("%s: no file matches %s", k, p)
			}
			enc, err := textEncoding(files[0])
			if err != nil {
				return nil, nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
			}
			var opts []string
			if enc != "" {
				opts = append(opts, "encoding = "+sqlquote.String(enc))
			}
			sn, err := sniff(ctx, db, files[0], opts)
			if err != nil && enc == "" && strings.Contains(err.Error(), "Invalid unicode") {
				// not UTF-8 past the first 64 KiB
				enc, opts = "latin-1", []string{"encoding = 'latin-1'"}
				sn, err = sniff(ctx, db, files[0], opts)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s: sniff %s: %w", k, files[0], shortError(err))
			}
			if err := checkSniffed(files[0], sn); err != nil {
				return nil, nil, fmt.Errorf("%s: %s: %w", k, files[0], err)
			}
			cols = sn.Columns
			tsFormat = sn.TimestampFormat
			sn.Encoding = enc
			rel = fmt.Sprintf("read_csv(%s, delim = %s, quote = %s, escape = %s, header = %t, all_varchar = true%s)",
				sqlquote.String(files[0]), sqlquote.String(sn.Delimiter), sqlquote.String(sn.Quote), sqlquote.String(sn.Escape), sn.Header, sn.encodingOpt())
			delim := sn.Delimiter
			if delim == "\t" {
				delim = `\t`
			}
			fmt.Fprintf(&b, "  csv:  # sniffed; delete a line to sniff it again at each run\n    delimiter: %s\n    header: %t\n", yamlString(delim), sn.Header)
			switch enc {
			case "latin-1":
				b.WriteString("    encoding: latin-1  # the file is no UTF-8 text; latin-1 reads every byte (Windows-1252 too, but for its € and quotes)\n")
			case "utf-16":
				b.WriteString("    encoding: utf-16  # the file starts with a UTF-16 byte order mark\n")
			}
			if sn.Delimiter != "," {
				dec, err := decimalCommaColumns(ctx, db, files[0], sn, 0.95)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
				}
				decimal = dec
				if len(dec) > 0 {
					fmt.Fprintf(&b, "    decimal: \",\"  # numbers written like 2,50 in %s\n", comment(strings.Join(dec, ", ")))
				}
			}
		default:
			fn := "read_parquet"
			if format == "json" {
				fn = "read_json"
			}
			rel = fmt.Sprintf("%s(%s)", fn, sqlquote.String(p))
			rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM %s(%s))", fn, sqlquote.String(p)))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: read %s: %w", k, p, err)
			}
			for rows.Next() {
				var c sniffedColumn
				if err := rows.Scan(&c.Name, &c.Type); err != nil {
					rows.Close()
					return nil, nil, err
				}
				cols = append(cols, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, nil, err
			}
		}
		var names []string
		for _, c := range cols {
			names = append(names, fmt.Sprintf("%s (%s)", c.Name, c.Type))
		}
		fmt.Fprintf(&b, "  # columns found: %s\n", comment(strings.Join(names, ", ")))
		guessed := ""
		if tsFormat == "" {
			ts := tsField(k)
			if k == Users {
				ts = "signup_date"
			}
			if ts != "" {
				if c := guessColumn(ts, cols, map[string]bool{}); c != "" && (columnType(cols, c) == "VARCHAR" || isInteger(columnType(cols, c))) {
					// text, or digits such as 19970101 that the sniffer read as a number
					fs, err := formatsReading(ctx, db, rel, c, 0.95)
					if err != nil {
						return nil, nil, fmt.Errorf("%s: read %s: %w", k, p, err)
					}
					if len(fs) > 0 {
						tsFormat = fs[0]
						guessed = fmt.Sprintf("guessed: it reads the values of %s", c)
						if len(fs) > 1 {
							guessed += fmt.Sprintf(", and so does %q: check which", fs[1])
						}
					}
				}
			}
		}
		if tsFormat != "" {
			if guessed == "" {
				guessed = "sniffed"
			}
			fmt.Fprintf(&b, "  timestamp_format: %s  # %s\n", yamlString(tsFormat), comment(guessed))
		} else if tsField(k) != "" || k == Users {
			b.WriteString("  # timestamp_format: \"%Y-%m-%d %H:%M:%S\"  # empty accepts ISO 8601\n")
		}
		b.WriteString("  # time_zone: Europe/London   # the zone wall-clock times are in; default UTC\n")
		b.WriteString("  # filter: CustomerID IS NOT NULL   # SQL condition; other rows are skipped and counted\n")
		b.WriteString("  duplicates: drop   # drops a row repeating an earlier one in every column of the file (as written); or keep\n")
		if k == Users {
			got, err := draftPerUser(ctx, db, &b, rel, cols, decimal)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: read %s: %w", k, p, err)
			}
			for _, n := range got {
				notes = append(notes, fmt.Sprintf("%s: %s", k, n))
			}
			continue
		}
		b.WriteString("  columns:\n")
		taken := map[string]bool{}
		eventTypes := ""
		byValue := ""
		if k == Events && guessColumn("event_type", cols, map[string]bool{}) == "" {
			// no column named like one: the text column whose values are
			// mostly event names persona knows (view, pv, cart, buy ...)
			c, err := eventTypeByValues(ctx, db, rel, cols)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: read %s: %w", k, p, err)
			}
			byValue = c
		}
		for _, f := range inputFields(k) {
			c := guessColumn(f.Name, cols, taken)
			how := "guessed"
			if f.Name == "event_type" && c == "" && byValue != "" && !taken[byValue] {
				c, how = byValue, "guessed from its values"
			}
			req := ""
			if f.Required {
				req = "required"
			} else {
				req = "optional"
			}
			switch {
			case c != "":
				taken[c] = true
				fmt.Fprintf(&b, "    %s: %s  # %s, %s\n", f.Name, yamlString(mappingName(c)), req, how)
				if k == Events && f.Name == "event_type" {
					eventTypes = c
				}
			case k == Transactions && f.Name == "order_id" && guessColumn("user_id", cols, map[string]bool{}) != "" && guessColumn("timestamp", cols, map[string]bool{}) != "":
				// No order number: one order per customer and timestamp.
				// user_id and timestamp are guessed as the loop guesses them
				// (user_id first, nothing taken yet but user_id itself).
				u := guessColumn("user_id", cols, map[string]bool{})
				ts := guessColumn("timestamp", cols, map[string]bool{u: true})
				fmt.Fprintf(&b, "    %s: %s  # required; no order number found: one order per customer and timestamp\n", f.Name, yamlString(orderPerVisit(u, ts)))
				notes = append(notes, fmt.Sprintf("%s: no order number column: each customer's lines at one timestamp are drafted as one order (order_id: %s)", k, orderPerVisit(u, ts)))
			case f.Required && !(k == Transactions && (f.Name == "quantity" || f.Name == "unit_price")):
				fmt.Fprintf(&b, "    # %s: ???  # required: no column guessed; name one or write an expression\n", f.Name)
			default:
				fmt.Fprintf(&b, "    # %s:  # %s\n", f.Name, fieldHint(k, f))
			}
		}
		if eventTypes != "" {
			m, err := draftEventTypes(ctx, db, rel, eventTypes)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: read %s: %w", k, p, err)
			}
			b.WriteString(m)
		}
	}
	if n == 0 {
		return nil, nil, errNoData
	}
	b.WriteString(`
# features:
#   top_categories: 8   # categories with their own spend share; the rest pooled
#   top_topics: 8
#   top_values: 6       # one-hot values per demographic field
#   session_gap: 30m    # new session after this much inactivity (no session id)
# segmentation:         # what persona run's flags set; a flag given wins
#   algorithm: auto     # auto, kmeans, hierarchical, dbscan, kmedoids or kprototypes
#   k_min: 2            # k is chosen in k_min..k_max, or fixed with k: 5
#   k_max: 12
#   pca: 10             # principal components clustered on; -1 for all features
#   seed: 1
# duckdb:
#   memory_limit: 4GB   # DuckDB spills to temp_directory beyond this
#   temp_directory: /tmp/persona-spill
`)
	return []byte(b.String()), notes, nil
}

func fieldHint(k Kind, f Field) string {
	switch {
	case k == Transactions && f.Name == "quantity":
		return "default 1 per line"
	case k == Transactions && f.Name == "unit_price":
		return "required unless amount is set (then amount / quantity)"
	case f.Name == "amount":
		return "line total, e.g. Quantity * UnitPrice, when there is no unit price"
	case f.Name == "is_return":
		return "e.g. InvoiceNo LIKE 'C%' (negative quantities are returns anyway)"
	}
	return "optional"
}

// mappingName quotes a column name that is not a plain identifier.
func mappingName(c string) string {
	if identRE.MatchString(c) {
		return c
	}
	return sqlquote.Ident(c)
}

func yamlString(s string) string { return `"` + yamlEscape(s, true) + `"` }

func relTo(dir, p string) string {
	if dir == "" {
		return p
	}
	ad, err1 := filepath.Abs(dir)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return p
	}
	r, err := filepath.Rel(ad, ap)
	if err != nil || len(r) > len(ap) {
		return ap
	}
	return r
}

// decimalCommaColumns returns the text columns of the CSV file path (read
// as sniffed) whose values in its first 2,000 rows are, but for blanks, at
// least the given share numbers with a decimal comma (2,50; 1.234,5) or
// none (10), at least one with a comma.
func decimalCommaColumns(ctx context.Context, db *sql.DB, path string, sn *sniffed, share float64) ([]string, error) {
	var checks, names []string
	for _, c := range sn.Columns {
		if c.Type != "VARCHAR" {
			continue
		}
		col := sqlquote.Ident(c.Name)
		checks = append(checks, fmt.Sprintf(`count_if(regexp_full_match(trim(%[1]s), '[-+]?[0-9.]*,[0-9]+')) > 0
			AND count_if(regexp_full_match(trim(%[1]s), '[-+]?([0-9]+|[0-9]{1,3}(\.[0-9]{3})+)?(,[0-9]+)?')) >= %[2]g * count(nullif(trim(%[1]s), ''))`, col, share))
		names = append(names, c.Name)
	}
	if len(checks) == 0 {
		return nil, nil
	}
	q := fmt.Sprintf("SELECT %s FROM (SELECT * FROM read_csv(%s, delim = %s, quote = %s, escape = %s, header = %t, all_varchar = true%s) LIMIT 2000)",
		strings.Join(checks, ", "), sqlquote.String(path), sqlquote.String(sn.Delimiter), sqlquote.String(sn.Quote), sqlquote.String(sn.Escape), sn.Header, sn.encodingOpt())
	vals := make([]bool, len(checks))
	dest := make([]any, len(checks))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := db.QueryRowContext(ctx, q).Scan(dest...); err != nil {
		return nil, err
	}
	var out []string
	for i, v := range vals {
		if v {
			out = append(out, names[i])
		}
	}
	return out, nil
}

// isInteger reports whether a sniffed type is an integer type.
func isInteger(typ string) bool {
	return isNumeric(typ) && typ != "FLOAT" && typ != "DOUBLE" && !strings.HasPrefix(typ, "DECIMAL")
}

// columnType is the sniffed type of column name in cols ("" when absent).
func columnType(cols []sniffedColumn, name string) string {
	for _, c := range cols {
		if c.Name == name {
			return c.Type
		}
	}
	return ""
}
