package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewCmdKMedoids(t *testing.T) {
	base := KMedoidsOptions{In: "X.csv", K: 3, Method: "auto", Init: "build", Samples: 5, SampleSize: 2000,
		MemoryLimitMB: 1024, LabelsOut: "L.csv"}
	with := func(f func(o *KMedoidsOptions)) KMedoidsOptions {
		o := base
		f(&o)
		return o
	}
	tests := []struct {
		name    string
		args    string
		want    KMedoidsOptions
		wantErr string
	}{
		{name: "minimal", args: "--in X.csv --k 3 --labels-out L.csv", want: base},
		{name: "every flag", args: "--in X.csv --k 3 --labels-out L.csv --metric gower --method clara --init random --samples 3 --sample-size 500 --seed 4 --type a=nominal --type b=ordinal:x<y --weight a=2 --memory-limit-mb 64 --medoids-out M.csv --json",
			want: with(func(o *KMedoidsOptions) {
				o.Metric, o.Method, o.Init, o.Samples, o.SampleSize, o.Seed = "gower", "clara", "random", 3, 500, 4
				o.Types, o.Weights, o.MemoryLimitMB, o.MedoidsOut, o.JSON = []string{"a=nominal", "b=ordinal:x<y"}, []string{"a=2"}, 64, "M.csv", true
			})},
		{name: "euclidean", args: "--in X.csv --k 3 --labels-out L.csv --metric euclidean --method pam", want: with(func(o *KMedoidsOptions) { o.Metric, o.Method = "euclidean", "pam" })},
		{name: "no in", args: "--k 3 --labels-out L.csv", wantErr: "--in is required"},
		{name: "no labels", args: "--in X.csv --k 3", wantErr: "--labels-out is required"},
		{name: "no k", args: "--in X.csv --labels-out L.csv", wantErr: "--k must be at least 1, got 0"},
		{name: "metric", args: "--in X.csv --k 3 --labels-out L.csv --metric manhattan", wantErr: `--metric must be "gower" or "euclidean", got "manhattan"`},
		{name: "euclidean weights", args: "--in X.csv --k 3 --labels-out L.csv --metric euclidean --weight a=2", wantErr: "it needs --metric gower"},
		{name: "method", args: "--in X.csv --k 3 --labels-out L.csv --method kmeans", wantErr: `--method must be "auto", "pam", "fasterpam" or "clara", got "kmeans"`},
		{name: "init", args: "--in X.csv --k 3 --labels-out L.csv --init k-means++", wantErr: `--init must be "build" or "random"`},
		{name: "samples", args: "--in X.csv --k 3 --labels-out L.csv --samples 0", wantErr: "--samples must be at least 1"},
		{name: "memory", args: "--in X.csv --k 3 --labels-out L.csv --memory-limit-mb 0", wantErr: "--memory-limit-mb must be at least 1"},
		{name: "type form", args: "--in X.csv --k 3 --labels-out L.csv --type plan", wantErr: `--type "plan": want NAME=TYPE`},
		{name: "type kind", args: "--in X.csv --k 3 --labels-out L.csv --type plan=interval", wantErr: `unknown type "interval"`},
		{name: "type twice", args: "--in X.csv --k 3 --labels-out L.csv --type a=nominal --type a=numeric", wantErr: `column "a" is given twice`},
		{name: "weight", args: "--in X.csv --k 3 --labels-out L.csv --weight a=-1", wantErr: `--weight "a=-1": want NAME=W with W a number >= 0`},
		{name: "positional", args: "--in X.csv --k 3 --labels-out L.csv extra", wantErr: `takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *KMedoidsOptions
			cmd := NewCmdKMedoids(f, func(o *KMedoidsOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if !errors.As(err, &ue) {
					t.Errorf("error %v is not a UsageError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(KMedoidsOptions{}, "IO")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// rFixture is testdata/customers_mixed_r.json, written by
// scripts/peer/cluster_mixed.R: R's daisy and pam on customers_mixed.csv
// read with read.csv and the types that Flags declare.
type rFixture struct {
	Flags []string   `json:"flags"`
	Daisy []*float64 `json:"daisy"`
	Fits  []struct {
		K              int     `json:"k"`
		Medoids        []int   `json:"medoids"`
		Clustering     []int   `json:"clustering"`
		ObjectiveBuild float64 `json:"objective_build"`
		ObjectiveSwap  float64 `json:"objective_swap"`
	} `json:"fits"`
}

func readRFixture(t *testing.T) rFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "customers_mixed_r.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r rFixture
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestKMedoidsRunParity runs the command on a customer CSV with text
// categories, yes/no and TRUE/FALSE flags, an ordered plan and missing
// values: its medoids, labels and objectives are R's daisy + pam.
func TestKMedoidsRunParity(t *testing.T) {
	r := readRFixture(t)
	in := filepath.Join("testdata", "customers_mixed.csv")
	for _, fit := range r.Fits {
		t.Run("k="+strconv.Itoa(fit.K), func(t *testing.T) {
			tmp := t.TempDir()
			labels, medoids := filepath.Join(tmp, "labels.csv"), filepath.Join(tmp, "medoids.csv")
			f, out, errOut := testFactory()
			args := append([]string{"cluster", "kmedoids", "--in", in, "--k", strconv.Itoa(fit.K), "--method", "pam",
				"--labels-out", labels, "--medoids-out", medoids, "--json"}, r.Flags...)
			if code := Run(f, args); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var sum kmedoidsSummary
			if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
			}
			if !cmp.Equal(sum.Medoids, fit.Medoids) || sum.Objective != fit.ObjectiveSwap || sum.BuildObjective != fit.ObjectiveBuild {
				t.Errorf("medoids %v objective %v build %v; R: %v %v %v", sum.Medoids, sum.Objective, sum.BuildObjective,
					fit.Medoids, fit.ObjectiveSwap, fit.ObjectiveBuild)
			}
			if sum.Method != "pam" || sum.Metric != "gower" || sum.N != 150 || len(sum.Attributes) != 9 || sum.Seconds < 0 {
				t.Errorf("summary %+v", sum)
			}
			if diff := cmp.Diff(fit.Clustering, readIntFile(t, labels, "label")); diff != "" {
				t.Errorf("labels (-R +got):\n%s", diff)
			}
			recs := readCSVFile(t, medoids)
			if len(recs) != fit.K+1 || strings.Join(recs[0][:4], ",") != "cluster,row,income,age" {
				t.Fatalf("medoids file %v", recs)
			}
			for c, m := range fit.Medoids {
				if recs[c+1][0] != strconv.Itoa(c) || recs[c+1][1] != strconv.Itoa(m) {
					t.Errorf("medoids line %d: %v, want cluster %d row %d", c+2, recs[c+1], c, m)
				}
			}
		})
	}
}

// TestGowerRunParity: "persona cluster gower" writes daisy's
// dissimilarities, in both formats.
func TestGowerRunParity(t *testing.T) {
	r := readRFixture(t)
	in := filepath.Join("testdata", "customers_mixed.csv")
	for _, format := range []string{"pairs", "square"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "d.csv")
			f, stdout, errOut := testFactory()
			if code := Run(f, append([]string{"cluster", "gower", "--in", in, "--out", out, "--format", format}, r.Flags...)); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(stdout.String(), "gower over 150 rows and 9 attributes") {
				t.Errorf("stdout %q", stdout)
			}
			recs := readCSVFile(t, out)
			var got []string
			if format == "pairs" {
				if strings.Join(recs[0], ",") != "i,j,dissimilarity" {
					t.Fatalf("header %v", recs[0])
				}
				for _, rec := range recs[1:] {
					got = append(got, rec[2])
				}
			} else {
				if len(recs) != 151 || len(recs[0]) != 151 || recs[0][0] != "row" {
					t.Fatalf("square file of %d lines, %d fields", len(recs), len(recs[0]))
				}
				for j := 0; j < 150; j++ {
					for i := j + 1; i < 150; i++ {
						got = append(got, recs[1+j][1+i])
						if recs[1+j][1+i] != recs[1+i][1+j] {
							t.Fatalf("not symmetric at %d,%d", i, j)
						}
					}
				}
			}
			if len(got) != len(r.Daisy) {
				t.Fatalf("%d dissimilarities, daisy %d", len(got), len(r.Daisy))
			}
			for idx, s := range got {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || r.Daisy[idx] == nil || v != *r.Daisy[idx] {
					t.Fatalf("dissimilarity %d: %q, daisy %v", idx, s, r.Daisy[idx])
				}
			}
		})
	}
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMixedRunErrors: errors from the data name the file, line and column
// (or the flag), and a failed run leaves the previous output as it was.
func TestMixedRunErrors(t *testing.T) {
	tmp := t.TempDir()
	good := writeFile(t, tmp, "good.csv", "id,age,plan,vip,cats\nA,30,basic,yes,a;b\nB,40,plus,no,b\nC,50,plus,yes,\nD,,basic,no,NA\n")
	labels := writeFile(t, tmp, "labels.csv", "previous\n")
	tests := []struct {
		name string
		args []string
		want string
		code ExitCode
	}{
		{"k >= n", []string{"cluster", "kmedoids", "--in", good, "--k", "4"}, "--k 4: " + good + " has 4 rows; k-medoids takes at most 3 clusters", ExitUsage},
		{"unknown column", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--type", "size=ordinal"}, `has no column "size" (its columns: id, age, plan, vip, cats)`, ExitFailure},
		{"bad level", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--type", "plan=ordinal:basic<premium"}, good + `: line 3, column 3: "plus" is not one of the levels basic < premium`, ExitFailure},
		{"text ordinal", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--type", "plan=ordinal"}, "need an order: --type plan=ordinal:LOW<MID<HIGH", ExitFailure},
		{"numeric text", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--type", "plan=numeric"}, good + `: line 2, column 3: "basic" is not a finite number (a numeric column holds numbers)`, ExitFailure},
		{"asymmetric words", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--type", "plan=asymmetric"}, "an asymmetric column holds 0/1", ExitFailure},
		{"euclidean text", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--metric", "euclidean"}, "--metric euclidean needs numbers: column 1 (id) is nominal", ExitUsage},
		{"euclidean missing", []string{"cluster", "kmedoids", "--in", good, "--k", "2", "--metric", "euclidean", "--type", "id=skip", "--type", "plan=skip", "--type", "vip=skip", "--type", "cats=skip"}, "line 5, column 2 (age) is missing", ExitUsage},
		{"kprototypes list", []string{"cluster", "kprototypes", "--in", good, "--k", "2", "--type", "cats=list", "--type", "age=skip"}, `attribute "cats" is list`, ExitFailure},
		{"kprototypes missing", []string{"cluster", "kprototypes", "--in", good, "--k", "2"}, good + ": line 5, column 2 (age): missing value", ExitFailure},
		{"no header", []string{"cluster", "kmedoids", "--in", writeFile(t, tmp, "nohdr.csv", "1,2\n3,4\n5,6\n"), "--k", "2"}, "line 1 is all numbers; the mixed-type commands need a header row", ExitFailure},
		{"duplicate name", []string{"cluster", "gower", "--in", writeFile(t, tmp, "dup.csv", "a,b,a\n1,2,3\n"), "--out", filepath.Join(tmp, "d.csv")}, `line 1, column 3: column name "a" is also column 1`, ExitFailure},
		{"ragged", []string{"cluster", "gower", "--in", writeFile(t, tmp, "ragged.csv", "a,b\n1,2\n3\n"), "--out", filepath.Join(tmp, "d.csv")}, "line 3", ExitFailure},
		{"no rows", []string{"cluster", "gower", "--in", writeFile(t, tmp, "empty.csv", "a,b\n"), "--out", filepath.Join(tmp, "d.csv")}, "no data rows", ExitFailure},
		{"all missing", []string{"cluster", "gower", "--in", writeFile(t, tmp, "na.csv", "a,b\nNA,1\n,2\n"), "--out", filepath.Join(tmp, "d.csv")}, `attribute "a": every value is missing`, ExitFailure},
		{"no file", []string{"cluster", "kmedoids", "--in", filepath.Join(tmp, "nope.csv"), "--k", "2"}, "no such file", ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			args := tt.args
			if args[1] != "gower" {
				args = append(args, "--labels-out", labels)
			}
			code := Run(f, args)
			if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.want)
			}
			if strings.Count(strings.TrimSpace(errOut.String()), "\n") > 1 {
				t.Errorf("the error takes more than two lines: %q", errOut)
			}
			if b, _ := os.ReadFile(labels); string(b) != "previous\n" {
				t.Errorf("the labels file was changed: %q", b)
			}
		})
	}
}

// TestMixedRunTypes: lists, skipped columns, weights and binary words are
// read as declared; the summary says which types were used.
func TestMixedRunTypes(t *testing.T) {
	tmp := t.TempDir()
	in := writeFile(t, tmp, "c.csv", "id,spend,vip,cats\nA,10,yes,books;music\nB,30,no,music;books;music\nC,50,yes,\nD,NA,no,NA\n")
	out := filepath.Join(tmp, "d.csv")
	f, stdout, errOut := testFactory()
	code := Run(f, []string{"cluster", "gower", "--in", in, "--out", out, "--type", "id=skip", "--type", "vip=asymmetric",
		"--type", "cats=list", "--weight", "spend=2"})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "spend numeric weight 2, vip asymmetric (2 levels), cats list)"; !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	recs := readCSVFile(t, out)
	at := func(i, j int) float64 {
		v, err := strconv.ParseFloat(recs[1+i][1+j], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// spend: range 40, weight 2; vip: yes = 1, two "no" do not compare;
	// cats: Jaccard, the empty list is known, NA is not.
	if got, want := at(0, 1), (2*0.5+1+0)/(2+1+1.0); math.Abs(got-want) > 1e-15 {
		t.Errorf("rows 0,1: %v, want %v", got, want)
	}
	if got, want := at(0, 2), (2*1+0+1)/(2+1+1.0); math.Abs(got-want) > 1e-15 {
		t.Errorf("rows 0,2: %v, want %v", got, want)
	}
	if recs[2][4] != "NA" {
		t.Errorf("rows 1,3: %q, want NA", recs[2][4])
	}
	if !strings.Contains(stdout.String(), "1 pairs have no attribute in common and are NA") {
		t.Errorf("stdout %q", stdout)
	}
}

// TestKPrototypesRun: planted groups in a CSV with text columns are found,
// the prototypes name their levels, and --json has the summary.
func TestKPrototypesRun(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,spend,age,colour,shop\n")
	for i := range 300 {
		g := i % 3
		colours := []string{"red", "green", "blue"}
		shop := []string{"web", "store", "app"}[g]
		if i%10 == 0 {
			shop = "web"
		}
		spend := 100*float64(g) + float64(i%7)
		b.WriteString("U" + strconv.Itoa(i) + "," + strconv.FormatFloat(spend, 'g', -1, 64) + "," + strconv.Itoa(20+g*15+i%5) + "," + colours[g] + "," + shop + "\n")
	}
	tmp := t.TempDir()
	in := writeFile(t, tmp, "c.csv", b.String())
	labels, protos := filepath.Join(tmp, "l.csv"), filepath.Join(tmp, "p.csv")
	f, out, errOut := testFactory()
	code := Run(f, []string{"cluster", "kprototypes", "--in", in, "--k", "3", "--type", "id=skip", "--standardize",
		"--labels-out", labels, "--prototypes-out", protos, "--json", "--seed", "3"})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum kprototypesSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("stdout: %v\n%s", err, out)
	}
	if !cmp.Equal(sum.Numeric, []string{"spend", "age"}) || !cmp.Equal(sum.Categorical, []string{"colour", "shop"}) ||
		!cmp.Equal(sum.Sizes, []int{100, 100, 100}) || math.Abs(sum.Gamma-0.5) > 1e-12 || !sum.Standardized || sum.NInit != 10 {
		t.Errorf("summary %+v", sum)
	}
	got := readIntFile(t, labels, "label")
	for i := range got {
		if got[i] != got[i%3] {
			t.Fatalf("row %d is in cluster %d, row %d in %d", i, got[i], i%3, got[i%3])
		}
	}
	recs := readCSVFile(t, protos)
	if strings.Join(recs[0], ",") != "cluster,spend,age,colour,shop" || len(recs) != 4 {
		t.Fatalf("prototypes %v", recs)
	}
	for _, rec := range recs[1:] {
		g := map[string]int{"red": 0, "green": 1, "blue": 2}[rec[3]]
		if spend, _ := strconv.ParseFloat(rec[1], 64); math.Abs(spend-(100*float64(g)+3)) > 0.5 {
			t.Errorf("prototype %v: spend in the original units should be about %d", rec, 100*g+3)
		}
	}
}
