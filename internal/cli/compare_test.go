package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/persona-seg/persona/profile"
)

func TestNewCmdCompare(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    CompareOptions
		wantErr string
	}{
		{name: "both", args: []string{"--before", "a", "--after", "b"}, want: CompareOptions{Before: "a", After: "b"}},
		{name: "moves and json", args: []string{"--before", "a", "--after", "b", "--moves", "m.csv", "--json"}, want: CompareOptions{Before: "a", After: "b", Moves: "m.csv", JSON: true}},
		{name: "no after", args: []string{"--before", "a"}, wantErr: "--before and --after"},
		{name: "positional", args: []string{"--before", "a", "--after", "b", "c"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *CompareOptions
			cmd := NewCmdCompare(f, func(o *CompareOptions) error { got = o; return nil })
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
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(CompareOptions{}, "IO")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareRun(t *testing.T) {
	before := writeRun(t, testSegments, "")
	// u2 moves to the readers, who are now segment 5 and renamed.
	after := writeRun(t, "user_id,segment,segment_name,distance\nu1,0,campers,0\nu2,5,keen readers,0\nu3,5,keen readers,0\nu4,5,keen readers,0\nu5,0,campers,0\n", "")
	moves := filepath.Join(t.TempDir(), "moves.csv")
	f, out, errOut := testFactory()
	if code := Run(f, []string{"compare", "--before", before, "--after", after, "--moves", moves}); code != ExitOK {
		t.Fatalf("exit code %d: %s", code, errOut)
	}
	for _, w := range []string{"4 users in both runs (0 only before, 1 only after); 1 moved (25.0%)", `5 "keen readers" ← 1 "readers", 2 users`,
		`1 users: 0 "campers" → 5 "keen readers"`, `Names kept: 1 (0 "campers"); changed: 1`, `  1 "readers" → 5 "keen readers"`} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	b, err := os.ReadFile(moves)
	if err != nil {
		t.Fatal(err)
	}
	if want := "user_id,before,before_name,after,after_name\nu2,0,campers,5,keen readers\n"; string(b) != want {
		t.Errorf("moves.csv = %q, want %q", b, want)
	}

	f, out, _ = testFactory()
	if code := Run(f, []string{"compare", "--before", before, "--after", after, "--json"}); code != ExitOK {
		t.Fatal("--json failed")
	}
	var tr struct {
		profile.Transitions
		Names []nameChange `json:"names"`
	}
	if err := json.Unmarshal(out.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]int{{1, 1}, {0, 2}}, tr.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	wantNames := []nameChange{{0, 0, "campers", "campers", true}, {1, 5, "readers", "keen readers", false}}
	if diff := cmp.Diff(wantNames, tr.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}

	f, _, errOut = testFactory()
	if code := Run(f, []string{"compare", "--before", filepath.Join(before, "nope"), "--after", after}); code != ExitFailure || !strings.Contains(errOut.String(), "read --before") {
		t.Errorf("missing run: code %d, stderr %q", code, errOut)
	}
}
