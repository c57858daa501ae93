package cli

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// testFactory returns a factory whose output streams are buffers.
func testFactory() (*Factory, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}}, out, errOut
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode ExitCode
		wantErr  string
		wantHint string
	}{
		{"unknown command", []string{"frobnicate"}, ExitUsage, `unknown command "frobnicate"`, "Run 'persona --help'"},
		{"unknown root flag", []string{"--nope"}, ExitUsage, "unknown flag: --nope", "Run 'persona --help'"},
		{"unknown subcommand flag", []string{"cluster", "kmeans", "--nope"}, ExitUsage, "unknown flag: --nope", "Run 'persona cluster kmeans --help'"},
		{"version", []string{"version"}, ExitOK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			if code := Run(f, tt.args); code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) || !strings.Contains(errOut.String(), tt.wantHint) {
				t.Errorf("stderr %q, want %q and %q", errOut, tt.wantErr, tt.wantHint)
			}
		})
	}
}

// TestVersionFlag checks that "persona --version" and "persona version"
// print the same one line, and that it names the version, Go and platform.
func TestVersionFlag(t *testing.T) {
	outputs := map[string]string{}
	for _, args := range [][]string{{"--version"}, {"version"}, {"-v"}} {
		f, out, errOut := testFactory()
		if code := Run(f, args); code != ExitOK {
			t.Fatalf("%v: exit code %d; stderr: %s", args, code, errOut)
		}
		outputs[strings.Join(args, " ")] = out.String()
	}
	want := outputs["version"]
	if !strings.HasPrefix(want, "persona "+Version) || !strings.Contains(want, runtime.Version()) ||
		!strings.HasSuffix(want, runtime.GOOS+"/"+runtime.GOARCH+"\n") || strings.Count(want, "\n") != 1 {
		t.Errorf("persona version printed %q, want one line: persona %s ... %s %s/%s", want, Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	for args, got := range outputs {
		if got != want {
			t.Errorf("persona %s printed %q, persona version %q", args, got, want)
		}
	}
}
