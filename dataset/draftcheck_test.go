package dataset

import (
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FuzzYAMLEscape checks that any text written by yamlString reads back as
// itself, and that a comment never ends its line: nothing after it
// becomes a key.
func FuzzYAMLEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "a\nfilter: 1 = 0", "q\"uote\\", "tab\there", "nel\u0085x", "ls\u2028ps\u2029", "\x00\x1f\x7f", "é 服装", "\ufeffbom", "# not a comment", "x: y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("column names and values are UTF-8")
		}
		doc := "k: " + yamlString(s) + "  # " + comment(s) + "\n"
		var got map[string]string
		if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
			t.Fatalf("%q: %v\n%s", s, err, doc)
		}
		if len(got) != 1 || got["k"] != s {
			t.Fatalf("%q read back as %q\n%s", s, got, doc)
		}
	})
}
