package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewCmdRecommend(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    RecommendOptions
		wantErr string
	}{
		{name: "one user", args: []string{"--out", "d", "--user", "u1"}, want: RecommendOptions{Out: "d", User: "u1", N: 10}},
		{name: "all, n 5", args: []string{"-o", "d", "--all", "-n", "5"}, want: RecommendOptions{Out: "d", All: true, N: 5}},
		{name: "json", args: []string{"--out", "d", "--user", "u1", "--json"}, want: RecommendOptions{Out: "d", User: "u1", N: 10, JSON: true}},
		{name: "no out", args: []string{"--user", "u1"}, wantErr: "--out"},
		{name: "no user", args: []string{"--out", "d"}, wantErr: "give --user ID, or --all"},
		{name: "user and all", args: []string{"--out", "d", "--user", "u", "--all"}, wantErr: "exclude each other"},
		{name: "n 0", args: []string{"--out", "d", "--user", "u", "--n", "0"}, wantErr: "--n must be at least 1"},
		{name: "positional", args: []string{"--out", "d", "--user", "u", "x"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *RecommendOptions
			cmd := NewCmdRecommend(f, func(o *RecommendOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a UsageError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(RecommendOptions{}, "IO", "Ctx")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// writeRun writes a hand-made run folder: segments.csv and baskets.csv.
func writeRun(t *testing.T, segments, baskets string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "segments.csv"), []byte(segments), 0o644); err != nil {
		t.Fatal(err)
	}
	if baskets != "" {
		if err := os.WriteFile(filepath.Join(dir, "baskets.csv"), []byte(baskets), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	testSegments = "user_id,segment,segment_name,distance\nu1,0,campers,0.1\nu2,0,campers,0.2\nu3,1,readers,0.3\nu4,1,readers,0.1\n"
	testBaskets  = "user_id,order_id,product_id,timestamp\n" +
		"u1,o1,tent,2024-01-01 10:00:00\nu1,o1,stove,2024-01-01 10:00:00\n" +
		"u2,o2,tent,2024-01-02 10:00:00\n" +
		"u3,o3,novel,2024-01-03 10:00:00\nu3,o3,lamp,2024-01-03 10:00:00\n"
)

func TestRecommendRun(t *testing.T) {
	dir := writeRun(t, testSegments, testBaskets)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"co-occurrence", []string{"--user", "u2", "--n", "1"}, []string{"segment 0, campers) bought 1 products", "1     stove"}},
		{"no history", []string{"--user", "u4", "--n", "2"}, []string{"has no purchases: the best sellers of the segment", "lamp", "novel"}},
		{"unknown user", []string{"--user", "zz", "--n", "1"}, []string{"not in this run", "tent"}},
		{"json", []string{"--user", "u2", "--n", "1", "--json"}, []string{`"product": "stove"`, `"segment": 0`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory()
			if code := Run(f, append([]string{"recommend", "--out", dir}, tt.args...)); code != ExitOK {
				t.Fatalf("exit code %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	f, _, errOut := testFactory()
	if code := Run(f, []string{"recommend", "--out", dir, "--all", "--n", "2"}); code != ExitOK {
		t.Fatalf("--all: exit code %d: %s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "recommendations.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "user_id,segment,rank,product_id,score" || len(lines) != 1+4*2 {
		t.Errorf("recommendations.csv has %d lines, header %q; want 9 lines", len(lines), lines[0])
	}
	if !strings.HasPrefix(lines[1], "u1,0,1,") {
		t.Errorf("first row %q, want u1's first recommendation", lines[1])
	}
}

func TestRecommendRunMissingBaskets(t *testing.T) {
	dir := writeRun(t, testSegments, "")
	f, _, errOut := testFactory()
	if code := Run(f, []string{"recommend", "--out", dir, "--user", "u1"}); code != ExitFailure {
		t.Fatalf("exit code %d, want %d", code, ExitFailure)
	}
	if !strings.Contains(errOut.String(), "baskets") {
		t.Errorf("error does not name the baskets file: %s", errOut)
	}
}
