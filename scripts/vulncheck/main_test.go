package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update .golden files")

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		stdlib     bool
		wantFailed bool
	}{
		{"module with a fix reached", "findings.json", false, true},
		{"standard library only", "stdlib-only.json", false, false},
		{"standard library only, -stdlib", "stdlib-only.json", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.in))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, err := check(f)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if failed := rep.print(&out, tt.stdlib); failed != tt.wantFailed {
				t.Errorf("failed = %v, want %v; output:\n%s", failed, tt.wantFailed, &out)
			}
			golden := filepath.Join("testdata", strings.TrimSuffix(tt.in, ".json"))
			if tt.stdlib {
				golden += "-stdlib"
			}
			golden += ".golden"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckBadInput(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  string
	}{
		{"empty", "", errNotGovulncheck.Error()},
		{"no config", `{"finding": {"osv": "GO-1", "trace": [{"module": "m"}]}}`, errNotGovulncheck.Error()},
		{"text", "govulncheck: loading packages: exit status 1\n", "read govulncheck output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := check(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.wantErr == errNotGovulncheck.Error() && !errors.Is(err, errNotGovulncheck) {
				t.Errorf("err = %v, want errNotGovulncheck", err)
			}
		})
	}
}

func TestVersionLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"v1.26.9", "v1.26.10", true},
		{"v1.26.10", "v1.26.9", false},
		{"v1.27.1", "v1.26.10", false},
		{"v1.26", "v1.26.1", true},
		{"v1.26.1", "v1.26.1", false},
	}
	for _, tt := range tests {
		if got := versionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
