package dataset

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzRecordLines builds CSV files from random records (fields with
// quotes, doubled quotes, line breaks and commas), empty lines and either
// line ending, and checks that recordLines finds the line each record
// starts on, and recordTexts its text, as known from building the file.
func FuzzRecordLines(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, seed uint64, crlf bool) {
		rng := rand.New(rand.NewPCG(seed, 7))
		nl := newline(crlf)
		var b strings.Builder
		line := int64(1)
		var starts []int64
		var texts []string
		for range 1 + rng.IntN(40) {
			for rng.IntN(4) == 0 { // empty lines are not records
				b.WriteString(nl)
				line++
			}
			starts = append(starts, line)
			var rec strings.Builder
			for j := range 1 + rng.IntN(4) {
				if j > 0 {
					rec.WriteByte(',')
				}
				field := randomField(rng)
				if strings.ContainsAny(field, "\",\n") || rng.IntN(3) == 0 {
					field = `"` + strings.ReplaceAll(field, `"`, `""`) + `"`
				}
				field = strings.ReplaceAll(field, "\n", nl)
				line += int64(strings.Count(field, "\n"))
				rec.WriteString(field)
			}
			texts = append(texts, rec.String())
			b.WriteString(rec.String() + nl)
			line++
		}
		path := filepath.Join(t.TempDir(), "x.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		// Every record, then a random subset.
		want := make([]int64, len(starts))
		for i := range want {
			want[i] = int64(i + 1)
		}
		var some, someStarts []int64
		var someTexts []string
		for i, n := range want {
			if rng.IntN(2) == 0 {
				some, someStarts, someTexts = append(some, n), append(someStarts, starts[i]), append(someTexts, texts[i])
			}
		}
		for _, c := range []struct {
			want, starts []int64
			texts        []string
		}{{want, starts, texts}, {some, someStarts, someTexts}} {
			if len(c.want) == 0 {
				continue
			}
			f := csvFile{path: path, quote: '"', escape: '"'}
			got, err := recordLines(f, c.want)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.starts, got); diff != "" {
				t.Fatalf("lines of records %v (-want +got):\n%s\nfile:\n%q", c.want, diff, b.String())
			}
			gotTexts, err := recordTexts(f, c.want)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.texts, gotTexts); diff != "" {
				t.Fatalf("texts of records %v (-want +got):\n%s\nfile:\n%q", c.want, diff, b.String())
			}
		}
		// A record past the end is not found.
		if got, err := recordLines(csvFile{path: path, quote: '"', escape: '"'}, []int64{int64(len(starts) + 1)}); err != nil || got != nil {
			t.Fatalf("record %d of %d: got %v, %v; want nil", len(starts)+1, len(starts), got, err)
		}
	})
}

// randomField is a field's text: letters, spaces, commas, quotes and line
// breaks (never empty on a line of its own).
func randomField(rng *rand.Rand) string {
	const chars = "ab ,\"\n"
	n := 1 + rng.IntN(6)
	var b strings.Builder
	for range n {
		b.WriteByte(chars[rng.IntN(len(chars))])
	}
	return b.String()
}

// FuzzRecordLinesJSON is FuzzRecordLines for JSON lines files: a record is
// a line that is not empty or blank (spaces, tabs), whatever its quotes.
func FuzzRecordLinesJSON(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, seed uint64, crlf bool) {
		rng := rand.New(rand.NewPCG(seed, 11))
		nl := newline(crlf)
		blanks := []string{"", " ", "\t", "  \t "}
		var b strings.Builder
		line := int64(1)
		var starts []int64
		var texts []string
		for range 1 + rng.IntN(40) {
			for rng.IntN(4) == 0 {
				b.WriteString(blanks[rng.IntN(len(blanks))] + nl)
				line++
			}
			starts = append(starts, line)
			texts = append(texts, fmt.Sprintf(`{"k": "%s", "n": %d}`, strings.Repeat(`\"`, rng.IntN(3))+"x", rng.IntN(100)))
			b.WriteString(texts[len(texts)-1] + nl)
			line++
		}
		path := filepath.Join(t.TempDir(), "x.jsonl")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		want := make([]int64, len(starts))
		for i := range want {
			want[i] = int64(i + 1)
		}
		got, err := recordLines(csvFile{path: path, spaces: true}, want)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(starts, got); diff != "" {
			t.Fatalf("lines of the records (-want +got):\n%s\nfile:\n%q", diff, b.String())
		}
		gotTexts, err := recordTexts(csvFile{path: path, spaces: true}, want)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(texts, gotTexts); diff != "" {
			t.Fatalf("texts of the records (-want +got):\n%s\nfile:\n%q", diff, b.String())
		}
	})
}

// addSeeds gives a fuzz target of (seed, crlf) its starting cases.
func addSeeds(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
}

// newline is the line ending of a fuzz case.
func newline(crlf bool) string {
	if crlf {
		return "\r\n"
	}
	return "\n"
}

// TestRecordTextsAcrossReads checks records that straddle the end of the
// scanner's 1 MiB read buffer, plain and quoted across a line break.
func TestRecordTextsAcrossReads(t *testing.T) {
	const buf = 1 << 20
	for _, tt := range []struct{ name, rec string }{
		{"plain", "u1,2024-01-01,plain"},
		{"quoted", "u1,\"two\nlines\",quoted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The record starts at buf+shift+1: before, at and after the
			// end of the first read.
			for shift := -len(tt.rec) - 3; shift <= 1; shift++ {
				head := "a,b,c\n"
				filler := strings.Repeat("x,y,z\n", (buf-len(head))/6)
				pad := buf - len(head) - len(filler) + shift
				for pad < 1 { // a line of w's, not an empty line
					filler = filler[:len(filler)-6]
					pad += 6
				}
				body := head + filler + strings.Repeat("w", pad) + "\n"
				n := int64(strings.Count(body, "\n"))
				text := body + tt.rec + "\r\n" + "last,row,here"
				path := filepath.Join(t.TempDir(), "x.csv")
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				got, err := recordTexts(csvFile{path: path, quote: '"', escape: '"'}, []int64{2, n + 1, n + 2})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"x,y,z", tt.rec, "last,row,here"}, got); diff != "" {
					t.Errorf("shift %d (-want +got):\n%s", shift, diff)
				}
			}
		})
	}
}

// FuzzTooDeepJSON builds JSON lines files of random records (arrays and
// objects nested at random, strings holding brackets, quotes and
// escapes) and checks that tooDeepJSON names the first line nested deeper
// than the limit, as known from building the records.
func FuzzTooDeepJSON(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, seed uint64, crlf bool) {
		rng := rand.New(rand.NewPCG(seed, 13))
		limit := 1 + rng.IntN(6)
		var build func(depth int) (any, int)
		build = func(depth int) (any, int) { // a value and its nesting depth
			switch k := rng.IntN(4); {
			case depth > 9 || k == 0:
				return strings.Repeat(`[{"\]`, rng.IntN(3)) + "x", 0
			case k == 1:
				return rng.IntN(100), 0
			case k == 2:
				a := []any{}
				deepest := 0
				for range rng.IntN(3) {
					v, d := build(depth + 1)
					a, deepest = append(a, v), max(deepest, d)
				}
				return a, deepest + 1
			default:
				m := map[string]any{}
				deepest := 0
				for i := range rng.IntN(3) {
					v, d := build(depth + 1)
					m[fmt.Sprintf("k%d]", i)], deepest = v, max(deepest, d)
				}
				return m, deepest + 1
			}
		}
		var b strings.Builder
		want := int64(0)
		for line := int64(1); line <= int64(1+rng.IntN(20)); line++ {
			v, d := build(1)
			data, err := json.Marshal(map[string]any{"v": v})
			if err != nil {
				t.Fatal(err)
			}
			if want == 0 && d+1 > limit {
				want = line
			}
			b.Write(data)
			b.WriteString(newline(crlf))
		}
		path := filepath.Join(t.TempDir(), "x.jsonl")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := tooDeepJSON(path, limit)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("limit %d: line %d, want %d\n%s", limit, got, want, b.String())
		}
	})
}
