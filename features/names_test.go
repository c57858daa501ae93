package features_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/persona-seg/persona/features"
)

// TestNames checks that every feature name constant of names.go is a
// column of the catalogue (one built on testdata/tiny, which has every
// dataset), or for a ...Prefix constant the start of one, and that every
// features.X the reading packages use is one of those constants.
func TestNames(t *testing.T) {
	db := openTiny(t)
	q, err := features.Build(context.Background(), db, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	catalogue := map[string]bool{}
	for _, f := range q.Features {
		catalogue[f.Name] = true
	}
	names := nameConsts(t)
	if len(names) < 40 {
		t.Fatalf("found only %d constants in names.go", len(names))
	}
	for c, v := range names {
		if strings.HasSuffix(c, "Prefix") {
			found := false
			for n := range catalogue {
				found = found || (strings.HasPrefix(n, v) && len(n) > len(v))
			}
			if !found {
				t.Errorf("features.%s = %q starts no feature of the catalogue", c, v)
			}
			continue
		}
		if !catalogue[v] {
			t.Errorf("features.%s = %q is not a feature of the catalogue", c, v)
		}
	}
	// The packages that read features by name use these constants, and
	// no string that spells one of them in more than one word (single
	// words such as "events" or "age" are also prose).
	fixed := map[string]bool{}
	for c, v := range names {
		fixed[v] = !strings.HasSuffix(c, "Prefix") && strings.Contains(v, "_")
	}
	for _, pkg := range []string{"profile", "report", "server", "pipeline"} {
		used, lits := scan(t, filepath.Join("..", pkg))
		n := 0
		for c := range used {
			if _, ok := names[c]; ok {
				n++
			}
		}
		if pkg == "profile" && n < 30 {
			t.Errorf("profile uses only %d of the feature name constants; the scan missed them", n)
		}
		for _, l := range lits {
			if fixed[l.value] {
				t.Errorf("%s: %q is a feature name: use the features constant", l.pos, l.value)
			}
		}
	}
}

// nameConsts returns the string constants of names.go, by name.
func nameConsts(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "names.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("names.go: %s is not a string literal", n.Name)
				}
				v, _ := strconv.Unquote(lit.Value)
				out[n.Name] = v
			}
		}
	}
	return out
}

type literal struct {
	pos   token.Position
	value string
}

// scan returns the X of every features.X and every string literal in the
// non-test Go files of dir.
func scan(t *testing.T, dir string) (map[string]bool, []literal) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	sel := map[string]bool{}
	var lits []literal
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "features" {
					sel[n.Sel.Name] = true
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if v, err := strconv.Unquote(n.Value); err == nil {
						lits = append(lits, literal{fset.Position(n.Pos()), v})
					}
				}
			}
			return true
		})
	}
	return sel, lits
}
