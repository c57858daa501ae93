package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is persona's release version; set with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// VersionOptions holds the flags of "persona version".
type VersionOptions struct {
	IO    *IOStreams
	Quiet bool
	JSON  bool
}

// versionInfo is what "persona version --json" prints.
type versionInfo struct {
	Version  string `json:"version"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Revision string `json:"revision"` // the commit built, "" when unknown
}

// NewCmdVersion prints persona's version and build information.
func NewCmdVersion(f *Factory) *cobra.Command {
	opts := &VersionOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print persona's version",
		Long: `Print persona's version, the commit it was built from (when the build
recorded it), the Go version that built it, and the operating system and
architecture it runs on. It reads nothing and writes nothing but stdout.`,
		Example: `  persona version
  persona version --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(opts)
		},
	}
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print the version as JSON: version, go, os, arch, revision")
	return cmd
}

func versionRun(opts *VersionOptions) error {
	v := buildVersion()
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, v)
	case opts.Quiet:
		return nil
	}
	_, err := fmt.Fprintln(opts.IO.Out, v)
	return err
}

// buildVersion reads the version of the running binary.
func buildVersion() versionInfo {
	v := versionInfo{Version: Version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		// "go install module@version" stamps the module version; a clone's
		// build says "(devel)", and then the -ldflags value stands.
		if Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v.Revision = s.Value
			}
		}
	}
	return v
}

// String is the one line "persona version" and "persona --version" print:
// persona VERSION (REVISION) GO OS/ARCH.
func (v versionInfo) String() string {
	rev := ""
	if len(v.Revision) >= 12 {
		rev = " (" + v.Revision[:12] + ")"
	}
	return fmt.Sprintf("persona %s%s %s %s/%s", v.Version, rev, v.Go, v.OS, v.Arch)
}

// addOutputFlags registers --quiet and --json, the flags every command
// has. --json makes stdout one JSON object; --quiet silences everything else
// (text on stdout, progress on stderr), so with both only the JSON remains.
func addOutputFlags(cmd *cobra.Command, quiet, jsonOut *bool, jsonHelp string) {
	cmd.Flags().BoolVarP(quiet, "quiet", "q", false, "print nothing but errors")
	cmd.Flags().BoolVar(jsonOut, "json", false, jsonHelp)
}

// printJSON writes v to w as one indented JSON object.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// noArgs rejects positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}
