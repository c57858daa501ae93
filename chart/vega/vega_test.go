package vega

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update .golden files")

// TestSpecsGolden pins the JSON of every chart kind (testCharts), indented
// for readable diffs.
func TestSpecsGolden(t *testing.T) {
	charts := testCharts()
	for _, id := range chartOrder {
		t.Run(id, func(t *testing.T) {
			var buf bytes.Buffer
			if err := json.Indent(&buf, charts[id].JSON(), "", "  "); err != nil {
				t.Fatal(err)
			}
			buf.WriteByte('\n')
			path := filepath.Join("testdata", id+".json.golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s spec (-want +got):\n%s", id, diff)
			}
			if !bytes.Equal(charts[id].JSON(), testCharts()[id].JSON()) {
				t.Errorf("%s: two builds of the same input differ", id)
			}
		})
	}
}

// TestHTMLEscapesData checks that no text of the data can close the script
// element that carries the spec.
func TestHTMLEscapesData(t *testing.T) {
	segs := []Segment{{ID: 0, Name: `</script><script>alert(1)</script>`, Color: "#000"}}
	h := HTML("c", Sizes(SizesSpec{Segments: segs, Users: []int{1}}))
	if strings.Count(h, "</script>") != 1 || strings.Contains(h, "<script>alert") {
		t.Errorf("HTML does not escape the data: %s", h)
	}
}

func TestScript(t *testing.T) {
	s := string(Script())
	for _, bad := range []string{"</script", "sourceMappingURL"} {
		if strings.Contains(s, bad) {
			t.Errorf("the inlined scripts contain %q", bad)
		}
	}
	for _, want := range []string{`t.version="6.4.0"`, "window.persona"} {
		if !strings.Contains(s, want) {
			t.Errorf("the inlined scripts lack %q", want)
		}
	}
	for _, f := range ScriptFiles() {
		if _, err := Assets.ReadFile("assets/" + f); err != nil {
			t.Errorf("ScriptFiles names %s: %v", f, err)
		}
	}
}

func TestPathEscape(t *testing.T) {
	for in, want := range map[string]string{"u1": "u1", "a b/c": "a%20b%2Fc", "é": "%C3%A9", "x?y#z": "x%3Fy%23z"} {
		if got := pathEscape(in); got != want {
			t.Errorf("pathEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
