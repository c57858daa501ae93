// Package cli wires persona's commands: one file per command, each with an
// options struct, a NewCmdX constructor and an xRun function.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// ExitCode is the process exit status returned by Main.
type ExitCode int

// Exit codes: 0 success, 1 a failure while running, 2 a usage error (bad
// flag, bad argument value), 128 + N when stopped by signal N (130 for
// SIGINT, 143 for SIGTERM; see InterruptedError).
const (
	ExitOK      ExitCode = 0
	ExitFailure ExitCode = 1
	ExitUsage   ExitCode = 2
)

// IOStreams holds the streams a command reads and writes, so tests can
// capture them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// ErrTTY reports whether ErrOut is a terminal (progress bars are drawn
	// only then).
	ErrTTY bool
}

// Factory carries what every command needs.
type Factory struct {
	IO *IOStreams
}

// UsageError marks an error caused by how the command was called; Main maps
// it to exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usagef returns a UsageError with a formatted message.
func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// Main runs persona with os.Args and the process's streams.
func Main() ExitCode {
	f := &Factory{IO: &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, ErrTTY: isTerminal(os.Stderr)}}
	return Run(f, os.Args[1:])
}

// Run executes the command line args with the given factory and returns the
// exit code. Errors are printed to ErrOut as one line.
func Run(f *Factory, args []string) ExitCode {
	return run(f, NewCmdRoot(f), args)
}

func run(f *Factory, root *cobra.Command, args []string) ExitCode {
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	fmt.Fprintf(f.IO.ErrOut, "persona: %s\n", msg)
	var ie *InterruptedError
	if errors.As(err, &ie) {
		return ExitCode(128 + int(ie.Signal))
	}
	var ue *UsageError
	if errors.As(err, &ue) || strings.HasPrefix(msg, "unknown command") {
		fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", commandPath(root, args))
		return ExitUsage
	}
	return ExitFailure
}

// commandPath finds the subcommand path named by args, for the usage hint.
func commandPath(root *cobra.Command, args []string) string {
	cmd, _, err := root.Find(args)
	if err != nil {
		return root.Name()
	}
	return cmd.CommandPath()
}

// isTerminal reports whether f is a terminal (golang.org/x/term): a
// character device such as /dev/null is not.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
