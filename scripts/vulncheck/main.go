// Command vulncheck reads govulncheck's JSON output on stdin, prints the
// vulnerabilities persona's code reaches, and fails when one of them is in a
// module that a newer version fixes.
//
//	go run golang.org/x/vuln/cmd/govulncheck@v1.9.0 -db file://DIR -format json ./... | go run ./scripts/vulncheck
//
// scripts/test.sh runs it that way, with DIR a local copy of the Go
// vulnerability database. A finding counts when its vulnerable function is
// called (govulncheck's symbol level); imported-but-not-called packages and
// required-but-not-imported modules are only counted. Findings in the Go
// standard library are printed as a note and fail only with -stdlib: they are
// fixed by building with a newer Go, which is the machine's toolchain, not a
// line of go.mod.
//
// The exit status is 0 when nothing we can upgrade is reached, 1 when
// something is (each finding printed with the version that fixes it) and 2
// when stdin is not govulncheck's JSON output.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// message is one object of govulncheck's JSON stream (protocol v1.0.0):
// exactly one of its fields is set.
type message struct {
	Config  *config  `json:"config,omitempty"`
	OSV     *entry   `json:"osv,omitempty"`
	Finding *finding `json:"finding,omitempty"`
}

type config struct {
	ScannerVersion string `json:"scanner_version"`
	DB             string `json:"db"`
	GoVersion      string `json:"go_version"`
	ScanLevel      string `json:"scan_level"`
}

type entry struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
}

type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

// frame is one step of a finding's trace; the first is the vulnerable
// symbol (or package, or module), the last the entry point in our code.
type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
	} `json:"position"`
}

func (f frame) symbol() string {
	name := f.Package
	if f.Receiver != "" {
		name += ".(" + f.Receiver + ")"
	}
	if f.Function != "" {
		name += "." + f.Function
	}
	if f.Position != nil && f.Position.Filename != "" {
		name += fmt.Sprintf(" (%s:%d)", f.Position.Filename, f.Position.Line)
	}
	return name
}

// reached is one vulnerability reached in one module, with the first trace
// govulncheck gave for it.
type reached struct {
	osv, module, version, fixed string
	vulnerable, from            string
}

// report is what check found.
type report struct {
	cfg       config
	reached   []reached // sorted by module, then id
	imported  int       // vulnerabilities at package level only: imported, vulnerable code not called
	required  int       // vulnerabilities at module level only: required, not imported
	summaries map[string]string
}

// errNotGovulncheck says that the input holds no govulncheck config message.
var errNotGovulncheck = errors.New("stdin is not govulncheck -format json output (no config message)")

func check(r io.Reader) (*report, error) {
	rep := &report{summaries: map[string]string{}}
	seen := map[[2]string]bool{}
	level := map[string]int{} // per vulnerability: 1 module, 2 package, 3 symbol level seen
	haveConfig := false
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read govulncheck output: %w", err)
		}
		switch {
		case m.Config != nil:
			rep.cfg, haveConfig = *m.Config, true
		case m.OSV != nil:
			rep.summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f := m.Finding
			top := f.Trace[0]
			switch {
			case top.Function == "" && top.Package != "":
				level[f.OSV] = max(level[f.OSV], 2)
				continue
			case top.Function == "":
				level[f.OSV] = max(level[f.OSV], 1)
				continue
			}
			level[f.OSV] = 3
			key := [2]string{f.OSV, top.Module}
			if seen[key] {
				continue
			}
			seen[key] = true
			rep.reached = append(rep.reached, reached{
				osv: f.OSV, module: top.Module, version: top.Version, fixed: f.FixedVersion,
				vulnerable: top.symbol(), from: f.Trace[len(f.Trace)-1].symbol(),
			})
		}
	}
	if !haveConfig {
		return nil, errNotGovulncheck
	}
	for _, l := range level {
		switch l {
		case 2:
			rep.imported++
		case 1:
			rep.required++
		}
	}
	sort.Slice(rep.reached, func(i, j int) bool {
		a, b := rep.reached[i], rep.reached[j]
		if a.module != b.module {
			return a.module < b.module
		}
		return a.osv < b.osv
	})
	return rep, nil
}

// print writes the report and says whether it fails: a reached
// vulnerability with a fix in a module (or, with stdlib, in the standard
// library too).
func (rep *report) print(w io.Writer, stdlib bool) (failed bool) {
	fmt.Fprintf(w, "govulncheck %s, %s, database %s\n", rep.cfg.ScannerVersion, rep.cfg.GoVersion, rep.cfg.DB)
	var std []reached
	blocking, unfixed := 0, 0
	for _, v := range rep.reached {
		if v.module == "stdlib" && !stdlib {
			std = append(std, v)
			continue
		}
		if v.fixed == "" {
			unfixed++
			fmt.Fprintf(w, "  no fix yet: %s in %s@%s: %s\n", v.osv, v.module, v.version, rep.summaries[v.osv])
			continue
		}
		blocking++
		fmt.Fprintf(w, "  VULNERABLE: %s in %s@%s, fixed in %s: %s\n    calls %s\n    from %s\n",
			v.osv, v.module, v.version, v.fixed, rep.summaries[v.osv], v.vulnerable, v.from)
	}
	if len(std) > 0 {
		fixes := map[string]bool{}
		var ids []string
		for _, v := range std {
			fixes[v.fixed] = true
			ids = append(ids, v.osv)
		}
		var fixList []string
		for f := range fixes {
			fixList = append(fixList, f)
		}
		sort.Slice(fixList, func(i, j int) bool { return versionLess(fixList[i], fixList[j]) })
		fmt.Fprintf(w, "  note: the standard library of %s has %d reached vulnerabilities, fixed in %s (build with a newer Go; -stdlib fails on them): %s\n",
			rep.cfg.GoVersion, len(std), strings.Join(fixList, ", "), strings.Join(ids, " "))
	}
	fmt.Fprintf(w, "%d reached in modules with a fix, %d without a fix yet; %d more in imported packages whose vulnerable code is not called, %d in required modules not imported\n",
		blocking, unfixed, rep.imported, rep.required)
	return blocking > 0
}

func main() {
	stdlib := flag.Bool("stdlib", false, "fail on reached vulnerabilities of the Go standard library too")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: govulncheck -format json ./... | vulncheck [-stdlib]")
		flag.PrintDefaults()
	}
	flag.Parse()
	rep, err := check(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vulncheck: %v\n", err)
		os.Exit(2)
	}
	if rep.print(os.Stdout, *stdlib) {
		fmt.Fprintln(os.Stdout, "vulncheck: upgrade the modules above (go get MODULE@VERSION, then go mod tidy)")
		os.Exit(1)
	}
}

// versionLess orders versions like v1.26.9 < v1.26.10 by their numbers.
func versionLess(a, b string) bool {
	as := strings.Split(strings.TrimPrefix(a, "v"), ".")
	bs := strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		if errX != nil || errY != nil {
			if as[i] != bs[i] {
				return as[i] < bs[i]
			}
			continue
		}
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}
