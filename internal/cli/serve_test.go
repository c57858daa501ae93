package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestServingCommandsFlags checks the flags and usage errors of runs,
// score, serve and export-sql.
func TestServingCommandsFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    any
		code    ExitCode
		wantErr string
	}{
		{"runs", []string{"runs", "--store", "out", "--json"}, RunsOptions{Store: "out", JSON: true}, ExitOK, ""},
		{"runs no store", []string{"runs"}, nil, ExitUsage, "--store must name a store"},
		{"runs export", []string{"runs", "--store", "out", "--export", "r1", "--out", "d"}, RunsOptions{Store: "out", Export: "r1", Out: "d"}, ExitOK, ""},
		{"runs export no out", []string{"runs", "--store", "out", "--export", "r1"}, nil, ExitUsage, "--export and --out go together"},
		{"score", []string{"score", "-m", "out", "-c", "c.yaml", "-o", "s"}, ScoreOptions{Model: "out", Config: "c.yaml", Out: "s"}, ExitOK, ""},
		{"score no model", []string{"score", "-c", "c.yaml", "-o", "s"}, nil, ExitUsage, "--model must name"},
		{"score no out", []string{"score", "-m", "m", "-c", "c.yaml"}, nil, ExitUsage, "--out must name"},
		{"serve", []string{"serve", "--store", "out"}, ServeOptions{Store: "out", Addr: "127.0.0.1:8080", Poll: 5e9, MaxBody: 1 << 20}, ExitOK, ""},
		{"serve token", []string{"serve", "--store", "out", "--addr", ":9000", "--token", "t"}, ServeOptions{Store: "out", Addr: ":9000", Token: "t", Poll: 5e9, MaxBody: 1 << 20}, ExitOK, ""},
		{"serve public read", []string{"serve", "--store", "out", "--token", "t", "--public-read"}, ServeOptions{Store: "out", Addr: "127.0.0.1:8080", Token: "t", PublicRead: true, Poll: 5e9, MaxBody: 1 << 20}, ExitOK, ""},
		{"serve pprof", []string{"serve", "--store", "out", "--pprof", "127.0.0.1:6060"}, ServeOptions{Store: "out", Addr: "127.0.0.1:8080", Poll: 5e9, MaxBody: 1 << 20, Pprof: "127.0.0.1:6060"}, ExitOK, ""},
		{"serve pprof beyond loopback", []string{"serve", "--store", "out", "--pprof", ":6060"}, nil, ExitUsage, "--pprof must be a loopback host:port"},
		{"serve bad addr", []string{"serve", "--store", "out", "--addr", "8080"}, nil, ExitUsage, "--addr must be host:port"},
		{"export-sql", []string{"export-sql", "-m", "m.json", "--dialect", "postgres", "--table", "s.f"}, ExportSQLOptions{Model: "m.json", Dialect: "postgres", Table: "s.f"}, ExitOK, ""},
		{"export-sql dialect", []string{"export-sql", "-m", "m.json", "--dialect", "mysql"}, nil, ExitUsage, "--dialect must be duckdb or postgres"},
		{"export-sql no model", []string{"export-sql"}, nil, ExitUsage, "--model must name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PERSONA_TOKEN", "")
			f, _, errOut := testFactory()
			var got any
			root := NewCmdRoot(f)
			for _, c := range root.Commands() {
				switch c.Name() {
				case "runs", "score", "serve", "export-sql":
					root.RemoveCommand(c)
				}
			}
			root.AddCommand(
				NewCmdRuns(f, func(o *RunsOptions) error { o.IO = nil; got = *o; return nil }),
				NewCmdScore(f, func(o *ScoreOptions) error { o.IO = nil; got = *o; return nil }),
				NewCmdServe(f, func(o *ServeOptions) error { o.IO = nil; got = *o; return nil }),
				NewCmdExportSQL(f, func(o *ExportSQLOptions) error { o.IO = nil; got = *o; return nil }),
			)
			code := run(f, root, tt.args)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(errOut.String(), tt.wantErr) {
					t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServeTokenFromEnvironment(t *testing.T) {
	t.Setenv("PERSONA_TOKEN", "from-env")
	f, _, errOut := testFactory()
	var got ServeOptions
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Name() == "serve" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdServe(f, func(o *ServeOptions) error { got = *o; return nil }))
	if code := run(f, root, []string{"serve", "--store", "x"}); code != ExitOK || got.Token != "from-env" {
		t.Errorf("exit %d, token %q (stderr %s); want the token from PERSONA_TOKEN", code, got.Token, errOut)
	}
}

func TestExposureWarning(t *testing.T) {
	tests := []struct {
		addr, token string
		publicRead  bool
		warn        bool
	}{
		{"127.0.0.1:8080", "", false, false},
		{"localhost:8080", "", false, false},
		{"[::1]:8080", "secret", true, false},
		{":8080", "", false, true},
		{"0.0.0.0:8080", "", false, true},
		{"0.0.0.0:8080", "secret", false, false},
		{"0.0.0.0:8080", "secret", true, true},
		{"[::]:8080", "", true, true},
		{"192.168.1.5:80", "", false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %v", tt.addr, tt.token, tt.publicRead), func(t *testing.T) {
			if got := exposureWarning(tt.addr, tt.token, tt.publicRead); (got != "") != tt.warn {
				t.Errorf("exposureWarning(%q, %q, %v) = %q, want a warning: %v", tt.addr, tt.token, tt.publicRead, got, tt.warn)
			}
		})
	}
}

func TestReportBeside(t *testing.T) {
	dir := t.TempDir()
	withReport := filepath.Join(dir, "out")
	os.MkdirAll(withReport, 0o755)
	os.WriteFile(filepath.Join(withReport, "report.html"), []byte("<html>"), 0o644)
	folderReport := filepath.Join(dir, "odd")
	os.MkdirAll(filepath.Join(folderReport, "report.html"), 0o755) // a folder, not a file
	tests := []struct{ name, store, want string }{
		{"output folder", withReport, filepath.Join(withReport, "report.html")},
		{"folder without a report", dir, ""},
		{"report.html is a folder", folderReport, ""},
		{"postgres", "postgres://u@db/p", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reportBeside(tt.store); got != tt.want {
				t.Errorf("reportBeside(%q) = %q, want %q", tt.store, got, tt.want)
			}
		})
	}
}

// TestPprofHandler checks that --pprof's handler serves the profiles
// (a heap profile in text) and its index.
func TestPprofHandler(t *testing.T) {
	h := pprofHandler()
	for _, tt := range []struct{ path, want string }{
		{"/debug/pprof/", "allocs"},
		{"/debug/pprof/heap?debug=1", "heap profile:"},
		{"/debug/pprof/allocs?debug=1", "heap profile:"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s: %d, body without %q: %.200s", tt.path, rec.Code, tt.want, rec.Body)
		}
	}
}
