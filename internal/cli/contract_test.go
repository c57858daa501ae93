package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command-line contract (issue 8, "Command line") that every runnable
// command keeps, checked by walking the command tree so that a new command
// that breaks it fails here:
//
//   - a Short line, a Long text that teaches, and an Example section whose
//     commands call this very command;
//   - --quiet (nothing on stdout or stderr on success) and --json (exactly
//     one JSON object on stdout);
//   - errors on one line starting "persona: ", exit code 2 for usage errors
//     (followed by one "Run '... --help'" hint line) and 1 for failures.

// contractExempt lists the commands the contract tests skip, each with the
// reason. A command may be here only while its file belongs to another
// branch that has not landed yet; remove it as soon as it has.
var contractExempt = map[string]string{}

// runnableCommands walks the tree under root and returns every command a
// user can run, except cobra's help and completion.
func runnableCommands(root *cobra.Command) []*cobra.Command {
	var cmds []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.HasParent() && c.Name() != "help" && c.Name() != "completion" {
			cmds = append(cmds, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return cmds
}

// contractFixtures are the small inputs the contract cases run on.
type contractFixtures struct {
	config  string // a persona config over a small shop (writeShop)
	sales   string // that shop's sales.csv
	run     string // a hand-made run folder (segments.csv, baskets.csv)
	saved   string // the output folder of a persona run on the shop (model, store)
	x       string // a numeric CSV of 120 rows
	labels  string // labels for x
	retail  string // Online Retail-style purchases, gzipped
	missing string // a file that does not exist
}

func newContractFixtures(t *testing.T) *contractFixtures {
	t.Helper()
	_, config := writeShop(t)
	m := metricsFiles(t)
	fx := &contractFixtures{
		config:  config,
		sales:   filepath.Join(filepath.Dir(config), "sales.csv"),
		run:     writeRun(t, testSegments, testBaskets),
		x:       m["x"],
		labels:  m["labels"],
		retail:  filepath.Join(t.TempDir(), "retail.csv.gz"),
		missing: filepath.Join(t.TempDir(), "no-such-file.csv"),
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n" +
		"1,tent,1,2011-01-01 10:00:00,50,u1\n1,stove,1,2011-01-01 10:00:00,20,u1\n" +
		"2,tent,1,2011-01-02 10:00:00,50,u3\n2,stove,1,2011-01-02 10:00:00,20,u3\n" +
		"3,tent,1,2011-01-03 10:00:00,50,u2\n4,stove,1,2011-03-01 10:00:00,20,u2\n"))
	zw.Close()
	if err := os.WriteFile(fx.retail, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fx.saved = filepath.Join(t.TempDir(), "out")
	f, _, stderr := testFactory()
	if code := Run(f, []string{"run", "--config", fx.config, "--out", fx.saved, "--k", "3", "--quiet"}); code != ExitOK {
		t.Fatalf("persona run on the shop: exit code %d: %s", code, stderr)
	}
	return fx
}

// contractFailure is one failure path of a command.
type contractFailure struct {
	name string
	args []string // after the command's path
	code ExitCode
	want []string // in the error line
}

// contractCase says how to run one command.
type contractCase struct {
	// ok returns arguments (after the command's path) that succeed,
	// writing any output in out, a fresh empty folder.
	ok func(fx *contractFixtures, out string) []string
	// noRun, instead of ok, says why the command cannot run to completion
	// here (a server) and where its --quiet and --json are tested.
	noRun string
	// failures are representative failure paths: a missing required flag
	// (exit 2) and an input that does not exist (exit 1, the error names
	// it), at least.
	failures func(fx *contractFixtures) []contractFailure
}

// contractCases has a row per command path. A new command needs a row.
var contractCases = map[string]contractCase{
	"persona demo": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--out", out, "--users", "150", "--k", "3"}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no users", []string{"--users", "0"}, ExitUsage, []string{"--users must be a positive number"}},
				{"empty out", []string{"--out", ""}, ExitUsage, []string{"--out must name a folder"}},
				{"out under a file", []string{"--out", filepath.Join(fx.x, "out"), "--users", "20"}, ExitFailure, []string{fx.x}},
			}
		},
	},
	"persona init": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--transactions", fx.sales, "--out", filepath.Join(out, "persona.yaml")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no data file", []string{"--out", "x.yaml"}, ExitUsage, []string{"--transactions"}},
				{"missing file", []string{"--transactions", fx.missing, "--out", filepath.Join(filepath.Dir(fx.missing), "x.yaml")}, ExitFailure, []string{fx.missing}},
				{"config exists", []string{"--transactions", fx.sales, "--out", fx.config}, ExitFailure, []string{fx.config, "--force"}},
			}
		},
	},
	"persona run": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--config", fx.config, "--out", out, "--k", "3"}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no config", []string{"--out", "o"}, ExitUsage, []string{"--config must name a config file"}},
				{"bad algorithm", []string{"--config", fx.config, "--out", "o", "--algorithm", "spectral"}, ExitUsage, []string{"--algorithm must be"}},
				{"missing config", []string{"--config", fx.missing, "--out", "o"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona value": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--config", fx.config, "--out", out, "--model", "bgnbd"}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no out", []string{"--config", fx.config}, ExitUsage, []string{"--out must name a folder"}},
				{"bad horizon", []string{"--config", fx.config, "--out", "o", "--horizon", "52w"}, ExitUsage, []string{"--horizon"}},
				{"missing config", []string{"--config", fx.missing, "--out", "o"}, ExitFailure, []string{fx.missing}},
				{"calibration end after the data", []string{"--config", fx.config, "--out", filepath.Join(filepath.Dir(fx.missing), "o"), "--calibration-end", "2030-01-01"}, ExitFailure, []string{"--calibration-end", "leaves no holdout period"}},
			}
		},
	},
	"persona features": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--config", fx.config, "--out", filepath.Join(out, "features.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no config", nil, ExitUsage, []string{"--config must name a config file"}},
				{"bad extension", []string{"--config", fx.config, "--out", "f.txt"}, ExitUsage, []string{"--out must name a .parquet or .csv file"}},
				{"missing config", []string{"--config", fx.missing}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster kmeans": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--k", "3", "--labels-out", filepath.Join(out, "labels.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no in", []string{"--k", "3", "--labels-out", "l.csv"}, ExitUsage, []string{"--in is required"}},
				{"no labels out", []string{"--in", fx.x, "--k", "3"}, ExitUsage, []string{"--labels-out is required"}},
				{"missing in", []string{"--in", fx.missing, "--k", "3", "--labels-out", "l.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster hierarchical": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--k", "3", "--labels-out", filepath.Join(out, "labels.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no in", []string{"--k", "3", "--labels-out", "l.csv"}, ExitUsage, []string{"--in is required"}},
				{"no cut", []string{"--in", fx.x, "--labels-out", "l.csv"}, ExitUsage, []string{"--k and --distance"}},
				{"missing in", []string{"--in", fx.missing, "--k", "3", "--labels-out", "l.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster dbscan": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--eps", "2", "--min-samples", "5", "--labels-out", filepath.Join(out, "labels.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no eps", []string{"--in", fx.x, "--min-samples", "5", "--labels-out", "l.csv"}, ExitUsage, []string{"--eps is required"}},
				{"bad eps", []string{"--in", fx.x, "--eps", "-1", "--min-samples", "5", "--labels-out", "l.csv"}, ExitUsage, []string{"--eps must be a positive number"}},
				{"missing in", []string{"--in", fx.missing, "--eps", "2", "--min-samples", "5", "--labels-out", "l.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster hdbscan": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--min-cluster-size", "10", "--labels-out", filepath.Join(out, "labels.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no min cluster size", []string{"--in", fx.x, "--labels-out", "l.csv"}, ExitUsage, []string{"--min-cluster-size is required"}},
				{"bad selection", []string{"--in", fx.x, "--min-cluster-size", "10", "--selection", "best", "--labels-out", "l.csv"}, ExitUsage, []string{"--selection must be eom or leaf"}},
				{"missing in", []string{"--in", fx.missing, "--min-cluster-size", "10", "--labels-out", "l.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster kmedoids": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--k", "3", "--labels-out", filepath.Join(out, "labels.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no k", []string{"--in", fx.x, "--labels-out", "l.csv"}, ExitUsage, []string{"--k must be at least 1"}},
				{"bad metric", []string{"--in", fx.x, "--k", "3", "--metric", "cosine", "--labels-out", "l.csv"}, ExitUsage, []string{"--metric must be"}},
				{"missing in", []string{"--in", fx.missing, "--k", "3", "--labels-out", "l.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster kprototypes": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--k", "3", "--labels-out", filepath.Join(out, "labels.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no labels out", []string{"--in", fx.x, "--k", "3"}, ExitUsage, []string{"--labels-out is required"}},
				{"bad init", []string{"--in", fx.x, "--k", "3", "--init", "kmeans++", "--labels-out", "l.csv"}, ExitUsage, []string{"--init must be"}},
				{"missing in", []string{"--in", fx.missing, "--k", "3", "--labels-out", "l.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona cluster gower": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--out", filepath.Join(out, "D.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no out", []string{"--in", fx.x}, ExitUsage, []string{"--out is required"}},
				{"bad format", []string{"--in", fx.x, "--out", "d.csv", "--format", "matrix"}, ExitUsage, []string{"--format must be"}},
				{"missing in", []string{"--in", fx.missing, "--out", "d.csv"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona metrics": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--in", fx.x, "--labels", fx.labels}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no labels", []string{"--in", fx.x}, ExitUsage, []string{"--labels is required"}},
				{"missing in", []string{"--in", fx.missing, "--labels", fx.labels}, ExitFailure, []string{fx.missing}},
				{"missing labels", []string{"--in", fx.x, "--labels", fx.missing}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona compare": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--before", fx.run, "--after", fx.run, "--moves", filepath.Join(out, "moves.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no after", []string{"--before", fx.run}, ExitUsage, []string{"--before and --after"}},
				{"missing run", []string{"--before", fx.run, "--after", fx.missing}, ExitFailure, []string{filepath.Join(fx.missing, "segments.csv")}},
			}
		},
	},
	"persona recommend": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--out", fx.run, "--user", "u2", "--n", "2"}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no out", []string{"--user", "u2"}, ExitUsage, []string{"--out must name a run's output folder"}},
				{"no user", []string{"--out", fx.run}, ExitUsage, []string{"--user", "--all"}},
				{"missing run", []string{"--out", fx.missing, "--user", "u2"}, ExitFailure, []string{filepath.Join(fx.missing, "segments.csv")}},
			}
		},
	},
	"persona evaluate-recs": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--transactions", fx.retail, "--format", "online-retail", "--cut", "2011-02-01", "--k", "1"}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no cut", []string{"--transactions", fx.retail}, ExitUsage, []string{"--cut must give the date"}},
				{"bad cut", []string{"--transactions", fx.retail, "--cut", "soon"}, ExitUsage, []string{"--cut"}},
				{"missing file", []string{"--transactions", fx.missing, "--cut", "2011-02-01"}, ExitFailure, []string{fx.missing}},
				{"missing config", []string{"--config", fx.missing, "--cut", "2011-02-01"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona score": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--model", fx.saved, "--config", fx.config, "--out", out}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no model", []string{"--config", fx.config, "--out", "o"}, ExitUsage, []string{"--model must name"}},
				{"no config", []string{"--model", fx.saved, "--out", "o"}, ExitUsage, []string{"--config must name"}},
				{"missing model", []string{"--model", fx.missing, "--config", fx.config, "--out", "o"}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona runs": {
		ok: func(fx *contractFixtures, out string) []string { return []string{"--store", fx.saved} },
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no store", nil, ExitUsage, []string{"--store must name a store"}},
				{"export without out", []string{"--store", fx.saved, "--export", "r1"}, ExitUsage, []string{"--export and --out go together"}},
				{"missing store", []string{"--store", fx.missing}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona export": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--store", fx.saved, "--segment", "0", "--out", filepath.Join(out, "segment.csv")}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no store", []string{"--segment", "0", "--out", "s.csv"}, ExitUsage, []string{"--store must name a store"}},
				{"no segment", []string{"--store", fx.saved, "--out", "s.csv"}, ExitUsage, []string{"--segment must name a segment"}},
				{"bad format", []string{"--store", fx.saved, "--segment", "0", "--out", "s.csv", "--format", "xlsx"}, ExitUsage, []string{"--format must be csv, parquet or jsonl"}},
				{"missing store", []string{"--store", fx.missing, "--segment", "0", "--out", "s.csv"}, ExitFailure, []string{fx.missing}},
				{"unknown segment", []string{"--store", fx.saved, "--segment", "nobody", "--out", filepath.Join(filepath.Dir(fx.missing), "s.csv")}, ExitFailure, []string{`no segment "nobody"`, "its segments: 0 "}},
			}
		},
	},
	"persona export-sql": {
		ok: func(fx *contractFixtures, out string) []string {
			return []string{"--model", fx.saved, "--dialect", "postgres"}
		},
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no model", nil, ExitUsage, []string{"--model must name"}},
				{"bad dialect", []string{"--model", fx.saved, "--dialect", "mysql"}, ExitUsage, []string{"--dialect must be duckdb or postgres"}},
				{"missing model", []string{"--model", fx.missing}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona serve": {
		noRun: "it serves until interrupted; TestServeLogger tests what --quiet and --json do to its log",
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"no store", nil, ExitUsage, []string{"--store must name a store"}},
				{"bad addr", []string{"--store", fx.saved, "--addr", "8080"}, ExitUsage, []string{"--addr must be host:port"}},
				{"missing store", []string{"--store", fx.missing}, ExitFailure, []string{fx.missing}},
			}
		},
	},
	"persona version": {
		ok: func(fx *contractFixtures, out string) []string { return nil },
		failures: func(fx *contractFixtures) []contractFailure {
			return []contractFailure{
				{"argument", []string{"now"}, ExitUsage, []string{"takes no arguments"}},
				{"unknown flag", []string{"--short"}, ExitUsage, []string{"unknown flag: --short"}},
			}
		},
	},
}

// TestCommandHelpContract checks every command's help and flags.
func TestCommandHelpContract(t *testing.T) {
	f, _, _ := testFactory()
	root := NewCmdRoot(f)
	if root.Example == "" {
		t.Error("persona --help has no examples")
	}
	cmds := runnableCommands(root)
	var paths []string
	for _, c := range cmds {
		paths = append(paths, c.CommandPath())
	}
	for path := range contractExempt {
		if !slices.Contains(paths, path) {
			t.Errorf("contractExempt names %q, which is not a command: remove it", path)
		}
	}
	for _, c := range cmds {
		path := c.CommandPath()
		if _, ok := contractExempt[path]; ok {
			continue
		}
		t.Run(path, func(t *testing.T) {
			if _, ok := contractCases[path]; !ok {
				t.Errorf("no row in contractCases: add how to run %s and how it fails", path)
			}
			if c.Short == "" {
				t.Error("no Short line")
			}
			// A Long text that teaches: a few sentences, not one line.
			if len(c.Long) < 150 || strings.Count(c.Long, ".") < 2 {
				t.Errorf("Long is %d characters, %d sentences: say what it reads, what it writes and the defaults", len(c.Long), strings.Count(c.Long, "."))
			}
			checkExamples(t, path, c.Example)
			for _, name := range []string{"quiet", "json"} {
				fl := c.Flags().Lookup(name)
				if fl == nil {
					t.Errorf("no --%s flag", name)
					continue
				}
				if fl.Value.Type() != "bool" || fl.Usage == "" {
					t.Errorf("--%s is a %s flag with usage %q, want a documented bool", name, fl.Value.Type(), fl.Usage)
				}
			}
			if fl := c.Flags().Lookup("quiet"); fl != nil && fl.Shorthand != "q" {
				t.Errorf("--quiet has shorthand %q, want q", fl.Shorthand)
			}
			c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
				if fl.Usage == "" {
					t.Errorf("--%s has no help text", fl.Name)
				}
			})
		})
	}
}

// checkExamples checks that the examples run this command: at least one
// line does, and every line that runs persona (after any environment
// settings) runs this command. Comments, continuations and other commands
// (psql reading the output) are free.
func checkExamples(t *testing.T, path, example string) {
	t.Helper()
	if strings.TrimSpace(example) == "" {
		t.Error("no Example section")
		return
	}
	cont := false
	n := 0
	for _, line := range strings.Split(example, "\n") {
		line = strings.TrimSpace(line)
		was := cont
		cont = strings.HasSuffix(line, `\`)
		if line == "" || strings.HasPrefix(line, "#") || was {
			continue
		}
		words := strings.Fields(line)
		for len(words) > 0 && strings.Contains(words[0], "=") {
			words = words[1:] // PERSONA_TOKEN=... persona serve
		}
		if len(words) == 0 || words[0] != "persona" {
			continue
		}
		n++
		if cmd := strings.Join(words, " ") + " "; !strings.HasPrefix(cmd, path+" ") {
			t.Errorf("example %q does not run %s", line, path)
		}
	}
	if n == 0 {
		t.Errorf("no example runs %s", path)
	}
}

// TestCommandOutputContract runs every command in three ways (plain,
// --json, --quiet) and through its failure paths.
func TestCommandOutputContract(t *testing.T) {
	fx := newContractFixtures(t)
	f, _, _ := testFactory()
	for _, c := range runnableCommands(NewCmdRoot(f)) {
		path := c.CommandPath()
		tc, ok := contractCases[path]
		if _, exempt := contractExempt[path]; exempt || !ok {
			continue // TestCommandHelpContract reports a missing row
		}
		args := strings.Fields(strings.TrimPrefix(path, "persona "))
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			if (tc.ok == nil) == (tc.noRun == "") {
				t.Fatal("the contract case needs exactly one of ok and noRun")
			}
			for _, mode := range []string{"plain", "--json", "--quiet"} {
				if tc.ok == nil {
					break
				}
				f, stdout, stderr := testFactory()
				a := append(slices.Clone(args), tc.ok(fx, t.TempDir())...)
				if mode != "plain" {
					a = append(a, mode)
				}
				if code := Run(f, a); code != ExitOK {
					t.Fatalf("%q: exit code %d; stderr: %s", a, code, stderr)
				}
				switch mode {
				case "plain":
					if stdout.Len() == 0 {
						t.Errorf("%q printed nothing on stdout", a)
					}
				case "--json":
					checkOneJSONObject(t, a, stdout.Bytes())
				case "--quiet":
					if stdout.Len() != 0 || stderr.Len() != 0 {
						t.Errorf("%q printed\nstdout: %q\nstderr: %q\nwant nothing", a, stdout, stderr)
					}
				}
			}
			for _, fc := range tc.failures(fx) {
				t.Run(fc.name, func(t *testing.T) {
					f, stdout, stderr := testFactory()
					a := append(slices.Clone(args), fc.args...)
					code := Run(f, a)
					if code != fc.code {
						t.Fatalf("%q: exit code %d, want %d; stderr: %s", a, code, fc.code, stderr)
					}
					if stdout.Len() != 0 {
						t.Errorf("%q failed but printed on stdout: %q", a, stdout)
					}
					checkErrorLines(t, a, code, stderr.String(), fc.want)
				})
			}
		})
	}
}

// checkOneJSONObject checks that out holds exactly one JSON object.
func checkOneJSONObject(t *testing.T, args []string, out []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Errorf("%q: stdout is not a JSON object: %v\n%s", args, err, out)
		return
	}
	if len(obj) == 0 {
		t.Errorf("%q: the JSON object is empty", args)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Errorf("%q: stdout has more than one JSON object: %s", args, out)
	}
}

// checkErrorLines checks the error's form: progress lines may come first,
// then one "persona: " line naming want, then for a usage error the hint.
func checkErrorLines(t *testing.T, args []string, code ExitCode, stderr string, want []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if code == ExitUsage {
		if len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-1], "Run '") {
			t.Errorf("%q: a usage error must end with the help hint:\n%s", args, stderr)
			return
		}
		lines = lines[:len(lines)-1]
	}
	msg := lines[len(lines)-1]
	if !strings.HasPrefix(msg, "persona: ") {
		t.Errorf("%q: the error line %q does not start with \"persona: \"", args, msg)
	}
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, "persona: ") {
			t.Errorf("%q: more than one error line:\n%s", args, stderr)
		}
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%q: error %q does not name %q", args, msg, w)
		}
	}
}

// TestServeLogger checks the log of persona serve: key=value text by
// default, JSON lines with --json, only errors with --quiet.
func TestServeLogger(t *testing.T) {
	tests := []struct {
		name        string
		quiet, json bool
		want        []string // lines, in order
	}{
		{"text", false, false, []string{"level=INFO msg=serving run=r1", "level=ERROR msg=\"request failed\" path=/x"}},
		{"json", false, true, []string{`"level":"INFO","msg":"serving","run":"r1"}`, `"level":"ERROR","msg":"request failed","path":"/x"}`}},
		{"quiet", true, false, []string{"level=ERROR msg=\"request failed\" path=/x"}},
		{"quiet json", true, true, []string{`"level":"ERROR","msg":"request failed","path":"/x"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := serveLogger(&buf, tt.quiet, tt.json)
			l.Info("serving", "run", "r1")
			l.Warn("reload", "err", "busy")
			l.Error("request failed", "path", "/x")
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if !tt.quiet && len(lines) != 3 || tt.quiet && len(lines) != 1 {
				t.Fatalf("%d lines:\n%s", len(lines), buf.String())
			}
			for i, w := range tt.want {
				j := i
				if i == len(tt.want)-1 {
					j = len(lines) - 1
				}
				if !strings.HasSuffix(lines[j], w) {
					t.Errorf("line %d = %q, want it to end with %q", j+1, lines[j], w)
				}
				if tt.json && !json.Valid([]byte(lines[j])) {
					t.Errorf("line %d is not JSON: %q", j+1, lines[j])
				}
			}
		})
	}
}
