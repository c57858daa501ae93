package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// FuzzReadMixedCSV: any input either fails with an error or gives
// attributes of one length whose codes have levels, which NewGower and
// KPrototypes accept or refuse with an error, never a panic.
func FuzzReadMixedCSV(f *testing.F) {
	for _, seed := range []string{
		"a,b\n1,x\n2,y\n",
		"id,age,plan,vip,cats\nA,30,basic,yes,a;b\nB,,plus,no,\nC,50,NA,y,NA\n",
		"x\n1\nNaN\ninf\n",
		"a,b\n\"1,5\",\"q\"\"r\"\n",
		"a,a\n1,2\n",
		"1,2\n3,4\n",
		"a\n",
		"",
	} {
		f.Add(seed, "plan=ordinal:basic<plus", "cats=list")
	}
	f.Fuzz(func(t *testing.T, content, type1, type2 string) {
		path := filepath.Join(t.TempDir(), "x.csv")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		spec, err := parseAttrSpec([]string{type1, type2}, nil)
		if err != nil {
			spec, _ = parseAttrSpec(nil, nil)
		}
		tab, err := readMixedCSV(path, spec)
		if err != nil {
			return
		}
		for j, a := range tab.attrs {
			var n int
			switch a.Type {
			case cluster.AttrNumeric, cluster.AttrOrdRatio, cluster.AttrLogRatio:
				n = len(a.Values)
			case cluster.AttrList:
				n = len(a.Sets)
				for _, s := range a.Sets {
					for _, c := range s {
						if int(c) >= len(tab.levels[j]) {
							t.Fatalf("list item %d without a level", c)
						}
					}
				}
			default:
				n = len(a.Codes)
				for _, c := range a.Codes {
					if c < -1 || (a.Type != cluster.AttrSymmetric && a.Type != cluster.AttrAsymmetric && int(c) >= len(tab.levels[j])) {
						t.Fatalf("attribute %s: code %d, %d levels", a.Name, c, len(tab.levels[j]))
					}
				}
			}
			if n != tab.rows || len(tab.text[j]) != tab.rows {
				t.Fatalf("attribute %s has %d rows, the table %d", a.Name, n, tab.rows)
			}
		}
		if g, err := cluster.NewGower(tab.attrs, cluster.GowerOptions{Weights: tab.weights}); err == nil {
			for i := range min(g.Len(), 5) {
				if v := g.Dissim(0, i); v < 0 || v > 1 {
					t.Fatalf("dissimilarity %v outside [0, 1]", v)
				}
			}
		}
	})
}
