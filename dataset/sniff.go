package dataset

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Guess is what persona init guesses for one column of a per-user table
// from its values.
type Guess struct {
	Column string
	// Type is the attribute type guessed; TypeID for a column of distinct
	// identifiers, TypeIgnore for one that says nothing (empty, a single
	// value, free text).
	Type AttributeType
	// Levels orders an ordinal attribute of a known word scale (low,
	// medium, high); buckets need none.
	Levels []string
	// Separator splits a list attribute; Format is a date attribute's
	// strptime format when it is not ISO 8601.
	Separator string
	Format    string
	// Outcome, when set, is the outcome expression of a column whose name
	// and values look like an outcome (churn, response, converted, target,
	// label, y).
	Outcome string
	// Note says why, with examples of the values, for the draft's comment.
	Note string
}

// sniffing thresholds (see SniffColumn).
const (
	numberShare     = 0.99 // of the values that must read as numbers
	dateShare       = 0.99 // ... as dates
	listShare       = 0.1  // of the values that must hold the separator
	maxListTokens   = 10   // mean values per field
	maxTokenLen     = 40
	maxCategorical  = 50 // levels a categorical may have, at least
	categoricalRate = 20 // ... or one per this many values
)

var outcomeWords = map[string]bool{
	"churn": true, "churned": true, "attrition": true, "exited": true, "response": true, "responded": true,
	"converted": true, "target": true, "label": true, "outcome": true,
}

// codeWords name columns of codes written with digits (postal codes):
// never numbers.
var codeWords = map[string]bool{"zip": true, "zipcode": true, "postcode": true, "postal": true, "plz": true, "postleitzahl": true, "cep": true, "cap": true}

// nominalWords name columns whose small integers are codes of a category
// (Channel 1 = hotels, 2 = retail; Region 1..3), not amounts.
var nominalWords = map[string]bool{
	"channel": true, "region": true, "segment": true, "group": true, "class": true, "type": true, "category": true, "cluster": true,
	"zone": true, "area": true, "branch": true, "store": true, "department": true, "dept": true, "division": true, "state": true, "country": true,
}

// maxNominalCodes is how many distinct integers a column named like a
// category (nominalWords) may hold to be read as its codes.
const maxNominalCodes = 12

var leadingZeroRE = regexp.MustCompile(`^0[0-9]`)

var idWords = map[string]bool{"id": true, "key": true, "code": true, "number": true, "no": true, "num": true, "index": true, "uuid": true, "guid": true,
	"nr": true, "nummer": true, "numero": true, "nbr": true}

// SniffColumn guesses the attribute type of a column from a sample of its
// values (as text), by these rules, the first that holds:
//
//   - no value (only missing markers: empty, NA, null, ...): ignore;
//   - a name that looks like an outcome (a word churn, churned, attrition,
//     exited, response, responded, converted, target, label or outcome,
//     or the name y) and yes/no or numeric values: an outcome;
//   - a single distinct value: ignore;
//   - every value yes/no, true/false, y/n, t/f, 0/1, on/off, ja/nein,
//     oui/non or sí/no: boolean;
//   - at least 99% e-mail addresses: email (no feature; hashed for
//     persona export);
//   - distinct integers that run 1..n (or from any start without gaps), or
//     distinct values under a name with an id word (id, key, code, number,
//     no, index, uuid): id;
//   - at most 12 distinct integers under a name with a category word
//     (channel, region, segment, group, class, type, category, ...):
//     categorical, as codes;
//   - at least 99% numbers (a currency sign, a % sign and thousands
//     separators allowed), unless a value has a leading zero (01067) or
//     the name a postal-code word (zip, postcode, plz, ...): numeric;
//   - at least 99% ISO dates or timestamps: date;
//   - every distinct value a bucket (18-24, 65+, 20k-40k) and not only
//     numbers: ordinal; or every value a word of a known scale (low,
//     medium, high): ordinal with those levels;
//   - at least 10% of the values hold a separator (, ; or |) and the
//     split values repeat (at most max(20, half the distinct fields)
//     distinct, at most 10 per field on average, each at most 40
//     characters): list;
//   - at most max(50, one per 20 values) distinct values: categorical;
//   - else (names, free text): ignore.
func SniffColumn(name string, values []string) Guess {
	g := Guess{Column: name}
	var vals []string
	for _, v := range values {
		if t := strings.TrimSpace(v); !slices.Contains(missingMarkers, strings.ToLower(t)) {
			vals = append(vals, t)
		}
	}
	missing := len(values) - len(vals)
	missNote := ""
	if missing > 0 {
		missNote = fmt.Sprintf("; %d of %d missing", missing, len(values))
	}
	if len(vals) == 0 {
		g.Type, g.Note = TypeIgnore, "no value in the rows read"
		return g
	}
	counts := map[string]int{}
	for _, v := range vals {
		counts[v]++
	}
	distinct := sortedCounts(counts)
	nums := make([]float64, 0, len(vals))
	for _, v := range vals {
		if x, ok := parseNumber(v); ok {
			nums = append(nums, x)
		}
	}
	allBool := true
	for v := range counts {
		lv := strings.ToLower(v)
		if !slices.Contains(trueWords, lv) && !slices.Contains(falseWords, lv) {
			allBool = false
			break
		}
	}
	numeric := float64(len(nums)) >= numberShare*float64(len(vals))
	tokens := strings.FieldsFunc(strings.ToLower(Slug(name)), func(r rune) bool { return r == '_' })
	if (allBool || numeric) && (Slug(name) == "y" || slices.ContainsFunc(tokens, func(t string) bool { return outcomeWords[t] })) {
		g.Outcome = outcomeExpr(name, distinct, allBool)
		g.Note = "looks like an outcome: " + examples(distinct, len(vals)) + missNote
		if !allBool {
			g.Note = fmt.Sprintf("looks like an outcome: %s to %s, mean %s", fmtNum(slices.Min(nums)), fmtNum(slices.Max(nums)), fmtNum(mean(nums))) + missNote
		}
		return g
	}
	if len(counts) == 1 {
		g.Type, g.Note = TypeIgnore, fmt.Sprintf("a single value, %s", quoteExample(distinct[0].v))
		return g
	}
	if allBool {
		g.Type, g.Note = TypeBoolean, examples(distinct, len(vals))+missNote
		return g
	}
	if mails := len(slices.DeleteFunc(slices.Clone(vals), func(v string) bool { return !emailRE.MatchString(v) })); float64(mails) >= numberShare*float64(len(vals)) {
		g.Type, g.Note = TypeEmail, fmt.Sprintf("e-mail addresses, e.g. %s: no feature, kept only as SHA-256 hashes for persona export", quoteExample(distinct[0].v))+missNote
		return g
	}
	if len(counts) == len(vals) && len(vals) > 1 {
		if idName(tokens) || numeric && sequence(nums) {
			g.Type, g.Note = TypeID, fmt.Sprintf("%d distinct values, one per row, e.g. %s", len(vals), quoteExample(distinct[0].v))
			return g
		}
	}
	if numeric && (slices.ContainsFunc(tokens, func(t string) bool { return codeWords[t] }) || slices.ContainsFunc(vals, leadingZeroRE.MatchString)) {
		numeric = false // codes written with digits: 01067 is no number
	}
	if numeric && len(counts) <= maxNominalCodes && slices.ContainsFunc(tokens, func(t string) bool { return nominalWords[t] }) &&
		!slices.ContainsFunc(nums, func(x float64) bool { return x != math.Trunc(x) }) {
		g.Type, g.Note = TypeCategorical, "integer codes under a name like a category: "+examples(distinct, len(vals))+missNote+" (numeric if it measures something)"
		return g
	}
	if numeric {
		lo, hi := slices.Min(nums), slices.Max(nums)
		g.Type, g.Note = TypeNumeric, fmt.Sprintf("%s to %s, median %s", fmtNum(lo), fmtNum(hi), fmtNum(median(nums)))+missNote
		if len(nums) < len(vals) {
			for _, v := range vals {
				if _, ok := parseNumber(v); !ok {
					g.Note += fmt.Sprintf("; not a number: %s (such rows are rejected)", quoteExample(v))
					break
				}
			}
		}
		return g
	}
	dates := 0
	var first, last string
	for _, v := range vals {
		if isoDate(v) {
			dates++
			if first == "" || v < first {
				first = v
			}
			if v > last {
				last = v
			}
		}
	}
	if float64(dates) >= dateShare*float64(len(vals)) {
		g.Type, g.Note = TypeDate, fmt.Sprintf("%s to %s", clipText(first), clipText(last))+missNote
		return g
	}
	labels := make([]string, len(distinct))
	for i, d := range distinct {
		labels[i] = d.v
	}
	if lv, _, err := BucketLevels(labels); err == nil {
		g.Type, g.Note = TypeOrdinal, "buckets, in order: "+strings.Join(clipAll(lv, 8), " < ")+missNote
		return g
	}
	if lv := ScaleLevels(labels); lv != nil {
		g.Type, g.Levels, g.Note = TypeOrdinal, lv, "a scale: "+examples(distinct, len(vals))+missNote
		return g
	}
	if sep, toks := listSeparator(vals, len(counts)); sep != "" {
		g.Type, g.Separator = TypeList, sep
		g.Note = fmt.Sprintf("values split at %q: %s", sep, examples(toks, 0)) + missNote
		return g
	}
	if len(counts) <= max(maxCategorical, len(vals)/categoricalRate) {
		g.Type, g.Note = TypeCategorical, examples(distinct, len(vals))+missNote
		return g
	}
	g.Type, g.Note = TypeIgnore, fmt.Sprintf("%d distinct values in %d rows (free text or an identifier), e.g. %s", len(counts), len(vals), quoteExample(distinct[0].v))
	return g
}

// outcomeExpr is the outcome expression of a column: Col = 'Yes' for yes/no
// text, else the column (1/0 or a number).
func outcomeExpr(name string, distinct []valueCount, allBool bool) string {
	col := mappingName(name)
	if !allBool {
		return col
	}
	for _, d := range distinct {
		lv := strings.ToLower(d.v)
		if slices.Contains(trueWords, lv) {
			if _, err := strconv.ParseFloat(d.v, 64); err == nil {
				return col
			}
			return fmt.Sprintf("%s = %s", col, sqlquote.String(d.v))
		}
	}
	return col
}

type valueCount struct {
	v string
	n int
}

func sortedCounts(m map[string]int) []valueCount {
	out := make([]valueCount, 0, len(m))
	for v, n := range m {
		out = append(out, valueCount{v, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n > out[j].n || out[i].n == out[j].n && out[i].v < out[j].v })
	return out
}

// examples writes the most frequent values with their shares (of total,
// when > 0).
func examples(vc []valueCount, total int) string {
	var parts []string
	for _, d := range vc[:min(3, len(vc))] {
		if total > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", quoteExample(d.v), 100*float64(d.n)/float64(total)))
		} else {
			parts = append(parts, quoteExample(d.v))
		}
	}
	s := strings.Join(parts, ", ")
	if len(vc) > 3 {
		s = fmt.Sprintf("%d values: %s, ...", len(vc), s)
	}
	return s
}

// quoteExample quotes a value for a comment: one line, at most 30
// characters.
func quoteExample(v string) string { return strconv.Quote(clipText(v)) }

func clipText(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if r := []rune(v); len(r) > 30 {
		v = string(r[:29]) + "…"
	}
	return v
}

func clipAll(vs []string, n int) []string {
	out := make([]string, 0, n+1)
	for i, v := range vs {
		if i == n {
			out = append(out, "...")
			break
		}
		out = append(out, clipText(v))
	}
	return out
}

var thousandsRE = regexp.MustCompile(`^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$`)

// parseNumber reads a number as numberSQL does: a currency sign, a % sign
// and thousands separators allowed; NaN and infinities are no number.
func parseNumber(v string) (float64, bool) {
	t := strings.TrimSpace(v)
	for _, c := range []string{"$", "€", "£", "¥"} {
		t = strings.TrimSpace(strings.TrimPrefix(t, c))
		t = strings.TrimSpace(strings.TrimSuffix(t, c))
	}
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	if thousandsRE.MatchString(t) {
		t = strings.ReplaceAll(t, ",", "")
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "nan") {
		return 0, false
	}
	return x, true
}

// emailRE is an e-mail address, loosely: one @ between a local part and a
// domain with a dot, no spaces.
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// idName reports whether a column name's words say it is an identifier.
func idName(tokens []string) bool {
	for _, t := range tokens {
		// Kundennr, Kundennummer, Mitgliedsnummer: German compounds
		if idWords[t] || strings.HasSuffix(t, "id") && len(t) > 2 && !strings.HasSuffix(t, "paid") && !strings.HasSuffix(t, "mid") ||
			len(t) > 4 && (strings.HasSuffix(t, "nr") || strings.HasSuffix(t, "nummer")) {
			return true
		}
	}
	return false
}

// sequence reports whether distinct numbers are the integers of a range
// without gaps (a row number).
func sequence(nums []float64) bool {
	lo, hi := slices.Min(nums), slices.Max(nums)
	for _, x := range nums {
		if x != math.Trunc(x) {
			return false
		}
	}
	return hi-lo+1 == float64(len(nums))
}

var isoLayouts = []string{"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// isoDate reports whether v is an ISO 8601 date or timestamp.
func isoDate(v string) bool {
	if len(v) < 10 || v[4] != '-' {
		return false
	}
	for _, l := range isoLayouts {
		if _, err := time.Parse(l, v); err == nil {
			return true
		}
	}
	return false
}

// listSeparator returns the separator of a list column and its values by
// frequency, or "".
func listSeparator(vals []string, distinctFields int) (string, []valueCount) {
	for _, sep := range []string{",", ";", "|"} {
		with := 0
		toks := map[string]int{}
		var total int
		long := false
		for _, v := range vals {
			if strings.Contains(v, sep) {
				with++
			}
			for _, t := range strings.Split(v, sep) {
				if t = strings.TrimSpace(t); t != "" {
					toks[t]++
					total++
					if len([]rune(t)) > maxTokenLen {
						long = true
					}
				}
			}
		}
		if float64(with) < listShare*float64(len(vals)) || long || len(toks) > max(20, distinctFields/2) || float64(total) > maxListTokens*float64(len(vals)) {
			continue
		}
		return sep, sortedCounts(toks)
	}
	return "", nil
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
