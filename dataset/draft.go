package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

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
	files := map[Kind][]string{}
	for k, p := range paths {
		if p != "" {
			files[k] = []string{p}
		}
	}
	return DraftFiles(ctx, db, files, dir)
}

// DraftFiles is Draft with several files per dataset. The files of an
// events, transactions or social dataset are tables to join (order lines,
// the orders they belong to, the products they name): each becomes a
// source and the dataset a query joining them on the key columns they
// share (see draftJoin). The first users file is the users table, any
// further one a profiles table joined on its user key.
func DraftFiles(ctx context.Context, db *sql.DB, paths map[Kind][]string, dir string) (text []byte, notes []string, err error) {
	var b strings.Builder
	st := &draftState{}
	defer func() {
		for _, t := range st.temps {
			os.RemoveAll(t)
		}
	}()
	n := 0
	var profiles []string // the drafts of further users files
	var sources strings.Builder
	used := map[string]bool{}
	for _, k := range Kinds {
		ps := slices.DeleteFunc(slices.Clone(paths[k]), func(p string) bool { return p == "" })
		if len(ps) == 0 {
			continue
		}
		n++
		if len(ps) > 1 && k != Users {
			got, err := draftJoin(ctx, db, &b, &sources, used, k, ps, dir, st)
			if err != nil {
				return nil, nil, err
			}
			notes = append(notes, got...)
			continue
		}
		for i, p := range ps {
			fs, err := sniffDraftFile(ctx, db, k, p, st)
			if err != nil {
				return nil, nil, err
			}
			if i > 0 {
				// a further per-user table: profiles.NAME, indented under profiles:
				var pb strings.Builder
				got, err := draftDataset(ctx, db, &pb, k, fs, dir, st)
				if err != nil {
					return nil, nil, err
				}
				name := sourceName(p, used)
				for _, n := range got {
					notes = append(notes, strings.Replace(n, string(k)+":", "profiles."+name+":", 1))
				}
				profiles = append(profiles, "  "+yamlKey(name)+":\n"+indent(pb.String(), "  "))
				continue
			}
			fmt.Fprintf(&b, "\n%s:\n", k)
			got, err := draftDataset(ctx, db, &b, k, fs, dir, st)
			if err != nil {
				return nil, nil, err
			}
			notes = append(notes, got...)
		}
	}
	if n == 0 {
		return nil, nil, errNoData
	}
	if sources.Len() > 0 {
		b.WriteString("\nsources:  # files read as tables of their names, for the queries above\n" + sources.String())
	}
	if len(profiles) > 0 {
		b.WriteString("\nprofiles:  # further per-user tables, joined on user_id\n" + strings.Join(profiles, ""))
	}
	perUserOnly := !slices.ContainsFunc([]Kind{Events, Transactions, Social}, func(k Kind) bool { return len(paths[k]) > 0 })
	if perUserOnly {
		b.WriteString(`
# features:
#   top_values: 6       # values of a categorical or list attribute with their own column; the rest pooled
# segmentation: `)
	} else {
		b.WriteString(`
# features:
#   top_categories: 8   # categories with their own spend share; the rest pooled
#   top_topics: 8
#   top_values: 6       # one-hot values per demographic field
#   session_gap: 30m    # new session after this much inactivity (no session id)
# segmentation: `)
	}
	b.WriteString(`        # what persona run's flags set; a flag given wins
#   algorithm: auto     # auto, kmeans, hierarchical, dbscan, kmedoids or kprototypes
#   k_min: 2            # k is chosen in k_min..k_max, or fixed with k: 5
#   k_max: 12
#   pca: 10             # principal components clustered on; -1 for all features
#   seed: 1
# duckdb:
#   memory_limit: 4GB   # DuckDB spills to temp_directory beyond this
#   temp_directory: /tmp/persona-spill
`)
	return []byte(st.header(perUserOnly, time.Now()) + b.String()), notes, nil
}

// draftState is what the draft of every dataset found that the config's
// header depends on.
type draftState struct {
	dates bool // a per-user date (signup_date or a date attribute)
	ages  bool // an age attribute (a date of birth)
	// temps are the folders of UTF-8 copies of Windows-1252 files, removed
	// when the draft is written.
	temps []string
}

// header is the draft's first lines: what it is, as_of and
// max_reject_rate. A draft of per-user tables only has no timestamps, so
// it mentions as_of only for its dates; with ages and no dates it sets
// as_of to the day of the draft (ages need a reference date, and dates
// of birth do not set the default one), so that it runs as drafted.
func (st *draftState) header(perUserOnly bool, now time.Time) string {
	var h strings.Builder
	h.WriteString(`# persona config, drafted by "persona init" from the files below.
# Check every guess, then run:  persona run --config THIS_FILE --out DIR
# Columns map canonical fields to a source column or a SQL expression over
# the source's columns (amount: Quantity * UnitPrice). See the README.

`)
	switch {
	case !perUserOnly:
		h.WriteString("# Reference date for recencies and ages; empty means the latest timestamp.\n# as_of: 2024-01-31\n")
	case st.dates:
		h.WriteString("# Reference date for the date attributes (days to it) and ages; empty means the latest date among the dates.\n# as_of: 2024-01-31\n")
	case st.ages:
		fmt.Fprintf(&h, "# Reference date for ages: the day of this draft (dates of birth do not set as_of, and there are no other dates).\nas_of: %s\n", now.UTC().Format("2006-01-02"))
	}
	h.WriteString("# Largest share of a dataset's rows that may be rejected before a run fails.\nmax_reject_rate: 0.01\n")
	return h.String()
}

// indent puts prefix before every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// draftFile is what persona init read of one file.
type draftFile struct {
	path     string // as given (a file or a glob)
	file     string // the file read (a glob's first match)
	format   string
	cols     []sniffedColumn
	decimal  []string // columns of numbers with a decimal comma
	tsFormat string   // sniffed by DuckDB
	// rel is the source as a relation of text columns (CSV) or as typed
	// (Parquet, JSON), to read values and try timestamp formats on.
	rel string
	// csv is the csv: block of a CSV file, unindented ("" for others).
	csv string
	// tsNote says how tsFormat was found when it was not sniffed; notes
	// are for the user.
	tsNote string
	notes  []string
}

// sniffDraftFile sniffs one file of dataset k.
func sniffDraftFile(ctx context.Context, db *sql.DB, k Kind, p string, st *draftState) (*draftFile, error) {
	format := formatOf(p)
	if format == "" {
		if err := regularFile(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", k, err) // a FIFO such as /dev/fd/63 has no extension
		}
		return nil, fmt.Errorf("%s: cannot tell the format of %s from its extension", k, p)
	}
	if err := checkDraftable(p, format); err != nil {
		return nil, fmt.Errorf("%s: %w", k, err)
	}
	df := &draftFile{path: p, file: p, format: format}
	switch format {
	case "csv":
		files, err := filepath.Glob(p)
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("%s: no file matches %s", k, p)
		}
		df.file = files[0]
		enc, err := textEncoding(files[0])
		if err != nil {
			return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
		}
		var opts []string
		// at is the file DuckDB reads, in the encoding read: a
		// Windows-1252 file is read from a UTF-8 copy, as the run does
		// (DuckDB's Latin-1 refuses bytes 0x80-0x9F).
		at, read := files[0], enc
		if windows1252(enc) {
			tmp, err := os.MkdirTemp("", "persona-init-")
			if err != nil {
				return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
			}
			st.temps = append(st.temps, tmp)
			at, read = filepath.Join(tmp, "utf8.csv"), ""
			if err := copyWindows1252(files[0], at); err != nil {
				return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
			}
		}
		if read != "" {
			opts = append(opts, "encoding = "+sqlquote.String(read))
		}
		sn, err := sniff(ctx, db, at, opts)
		if err != nil && enc == "" && strings.Contains(err.Error(), "Invalid unicode") {
			// not UTF-8 past the first 64 KiB
			enc, read, opts = "latin-1", "latin-1", []string{"encoding = 'latin-1'"}
			sn, err = sniff(ctx, db, at, opts)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: sniff %s: %w", k, files[0], shortError(err))
		}
		if err := checkSniffed(at, sn); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", k, files[0], err)
		}
		df.cols = sn.Columns
		df.tsFormat = sn.TimestampFormat
		sn.Encoding = read
		df.rel = fmt.Sprintf("read_csv(%s, delim = %s, quote = %s, escape = %s, header = %t, all_varchar = true%s)",
			sqlquote.String(at), sqlquote.String(sn.Delimiter), sqlquote.String(sn.Quote), sqlquote.String(sn.Escape), sn.Header, sn.encodingOpt())
		delim := sn.Delimiter
		if delim == "\t" {
			delim = `\t`
		}
		var c strings.Builder
		fmt.Fprintf(&c, "csv:  # sniffed; delete a line to sniff it again at each run\n  delimiter: %s\n  header: %t\n", yamlString(delim), sn.Header)
		if !sn.Header {
			names, tsf, why, err := headerless(ctx, db, k, df.rel, df.cols)
			if err != nil {
				return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
			}
			if names != nil {
				df.rel = strings.TrimSuffix(df.rel, ")") + csvNames(names) + ")"
				for i := range df.cols {
					df.cols[i].Name = names[i]
				}
				if tsf != "" {
					df.tsFormat, df.tsNote = tsf, "guessed: its values are Unix times"
				}
				qs := make([]string, len(names))
				for i, n := range names {
					qs[i] = yamlString(n)
				}
				fmt.Fprintf(&c, "  columns: [%s]  # no header line: named from the values (%s)\n", strings.Join(qs, ", "), comment(why))
				df.notes = append(df.notes, fmt.Sprintf("%s: %s has no header line: columns named from their values (%s); check them under %s.csv.columns", k, files[0], why, k))
			}
		}
		switch enc {
		case "latin-1":
			c.WriteString("  encoding: latin-1  # the file is no UTF-8 text; latin-1 reads every byte\n")
		case "windows-1252":
			c.WriteString("  encoding: windows-1252  # the file is no UTF-8 text, and has bytes Latin-1 reads as control characters: Windows-1252's €, quotes and dashes\n")
		case "utf-16":
			c.WriteString("  encoding: utf-16  # the file starts with a UTF-16 byte order mark\n")
		}
		if sn.Delimiter != "," {
			dec, err := decimalCommaColumns(ctx, db, at, sn, 0.95)
			if err != nil {
				return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
			}
			df.decimal = dec
			if len(dec) > 0 {
				fmt.Fprintf(&c, "  decimal: \",\"  # numbers written like 2,50 in %s\n", comment(strings.Join(dec, ", ")))
			}
		}
		df.csv = c.String()
	default:
		fn := "read_parquet"
		if format == "json" {
			fn = "read_json"
		}
		df.rel = fmt.Sprintf("%s(%s)", fn, sqlquote.String(p))
		rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM %s(%s))", fn, sqlquote.String(p)))
		if err != nil {
			return nil, fmt.Errorf("%s: read %s: %w", k, p, err)
		}
		for rows.Next() {
			var c sniffedColumn
			if err := rows.Scan(&c.Name, &c.Type); err != nil {
				rows.Close()
				return nil, err
			}
			df.cols = append(df.cols, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return df, nil
}

// columnsFound is the comment listing a file's columns and types.
func (df *draftFile) columnsFound() string {
	var names []string
	for _, c := range df.cols {
		names = append(names, fmt.Sprintf("%s (%s)", c.Name, c.Type))
	}
	return fmt.Sprintf("# columns found: %s\n", comment(strings.Join(names, ", ")))
}

// timestampFormat guesses the strptime format of the timestamp column of
// dataset k (signup_date for users) in cols, a column of df: DuckDB's
// sniffed format, else the format that reads its text values. It returns
// the format ("" when none) and the comment saying how it was found.
func timestampFormat(ctx context.Context, db *sql.DB, k Kind, df *draftFile, cols []sniffedColumn) (string, string, error) {
	if df.tsFormat != "" {
		if df.tsNote != "" {
			return df.tsFormat, df.tsNote, nil
		}
		return df.tsFormat, "sniffed", nil
	}
	ts := tsField(k)
	if k == Users {
		ts = "signup_date"
	}
	if ts == "" {
		return "", "", nil
	}
	c := guessColumn(ts, cols, map[string]bool{})
	if c == "" || columnType(cols, c) != "VARCHAR" && !isInteger(columnType(cols, c)) {
		// not text, nor digits such as 19970101 that the sniffer read as a number
		return "", "", nil
	}
	fs, err := formatsReading(ctx, db, df.rel, c, 0.95)
	if err != nil || len(fs) == 0 {
		return "", "", err
	}
	guessed := fmt.Sprintf("guessed: it reads the values of %s", c)
	if len(fs) > 1 {
		guessed += fmt.Sprintf(", and so does %q: check which", fs[1])
	}
	return fs[0], guessed, nil
}

// draftDataset writes the body of dataset k read from one file (its
// path, dialect, timestamp format and columns) into b, indented by two
// spaces, and returns the notes for the user.
func draftDataset(ctx context.Context, db *sql.DB, b *strings.Builder, k Kind, df *draftFile, dir string, st *draftState) ([]string, error) {
	p := df.path
	fmt.Fprintf(b, "  path: %s\n", yamlString(relTo(dir, p)))
	b.WriteString(indent(df.csv, "  "))
	b.WriteString("  " + df.columnsFound())
	tsFormat, guessed, err := timestampFormat(ctx, db, k, df, df.cols)
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", k, p, err)
	}
	// A per-user table's columns first: its hints on timestamps are only
	// for a table with dates.
	var pu strings.Builder
	var got []string
	dates := tsField(k) != ""
	if k == Users {
		var info perUserDraft
		got, info, err = draftPerUser(ctx, db, &pu, df.rel, df.cols, df.decimal)
		if err != nil {
			return nil, fmt.Errorf("%s: read %s: %w", k, p, err)
		}
		dates = info.dates || info.ages
		st.dates = st.dates || info.dates
		st.ages = st.ages || info.ages
	}
	if tsFormat != "" {
		fmt.Fprintf(b, "  timestamp_format: %s  # %s\n", yamlString(tsFormat), comment(guessed))
	} else if dates {
		b.WriteString("  # timestamp_format: \"%Y-%m-%d %H:%M:%S\"  # empty accepts ISO 8601\n")
	}
	if dates {
		b.WriteString("  # time_zone: Europe/London   # the zone wall-clock times are in; default UTC\n")
	}
	b.WriteString("  # filter: CustomerID IS NOT NULL   # SQL condition; other rows are skipped and counted\n")
	b.WriteString("  duplicates: drop   # drops a row repeating an earlier one in every column of the file (as written); or keep\n")
	if k == Users {
		b.WriteString(pu.String())
		var notes []string
		for _, n := range got {
			notes = append(notes, fmt.Sprintf("%s: %s", k, n))
		}
		return notes, nil
	}
	notes, err := draftColumns(ctx, db, b, k, df.rel, df.cols, []string{df.file})
	return append(slices.Clone(df.notes), notes...), err
}

// draftColumns writes the columns: mapping of dataset k over cols (of the
// relation rel) and, for events, the event_types of its names. files are
// the files the columns come from, for the note on a required field left
// unguessed.
func draftColumns(ctx context.Context, db *sql.DB, b *strings.Builder, k Kind, rel string, cols []sniffedColumn, files []string) ([]string, error) {
	var notes []string
	b.WriteString("  columns:\n")
	taken := map[string]bool{}
	eventTypes := ""
	byValue := ""
	if k == Events && guessColumn("event_type", cols, map[string]bool{}) == "" {
		// no column named like one: the text column whose values are
		// mostly event names persona knows (view, pv, cart, buy ...)
		c, err := eventTypeByValues(ctx, db, rel, cols)
		if err != nil {
			return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
		}
		byValue = c
	}
	var missing []string
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
			fmt.Fprintf(b, "    %s: %s  # %s, %s\n", f.Name, yamlString(mappingName(c)), req, how)
			if k == Events && f.Name == "event_type" {
				eventTypes = c
			}
		case k == Transactions && f.Name == "order_id" && guessColumn("user_id", cols, map[string]bool{}) != "" && guessColumn("timestamp", cols, map[string]bool{}) != "":
			// No order number: one order per customer and timestamp.
			// user_id and timestamp are guessed as the loop guesses them
			// (user_id first, nothing taken yet but user_id itself).
			u := guessColumn("user_id", cols, map[string]bool{})
			ts := guessColumn("timestamp", cols, map[string]bool{u: true})
			fmt.Fprintf(b, "    %s: %s  # required; no order number found: one order per customer and timestamp\n", f.Name, yamlString(orderPerVisit(u, ts)))
			notes = append(notes, fmt.Sprintf("%s: no order number column: each customer's lines at one timestamp are drafted as one order (order_id: %s)", k, orderPerVisit(u, ts)))
		case f.Required && !(k == Transactions && (f.Name == "quantity" || f.Name == "unit_price")):
			missing = append(missing, f.Name)
			fmt.Fprintf(b, "    # %s: ???  # required: no column guessed; name one, write an expression, or give init the file that holds it too (--%s a.csv --%s b.csv joins them)\n", f.Name, k, k)
		default:
			fmt.Fprintf(b, "    # %s:  # %s\n", f.Name, fieldHint(k, f))
		}
	}
	if len(missing) > 0 {
		notes = append(notes, fmt.Sprintf("%s: no column of %s holds %s: map it under %s.columns, or if another file holds it, name both (persona init --%s %s --%s OTHER) and init drafts the join (README: \"Several files, joined\")",
			k, strings.Join(files, ", "), strings.Join(missing, " or "), k, k, files[0], k))
	}
	if eventTypes != "" {
		m, err := draftEventTypes(ctx, db, rel, eventTypes)
		if err != nil {
			return nil, fmt.Errorf("%s: read %s: %w", k, files[0], err)
		}
		b.WriteString(m)
	}
	return notes, nil
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
