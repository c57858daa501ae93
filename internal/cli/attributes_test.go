package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/profile"
)

// writeCustomers writes a one-row-per-customer table with its own column
// names: three planted groups by income and spend, a plan, a yes/no, some
// missing values, and a churn outcome; and a config for it.
func writeCustomers(t *testing.T) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("Customer ID,Annual Income (k$),Monthly Spend,Plan,Paperless,Churn\n")
	for i := range 300 {
		g := i % 3
		income := []float64{25, 60, 120}[g] + rng.NormFloat64()*5
		spend := []float64{200, 50, 400}[g] + rng.NormFloat64()*20
		plan := []string{"basic", "standard", "premium"}[g]
		if rng.IntN(5) == 0 {
			plan = "standard"
		}
		paper := []string{"Yes", "No"}[rng.IntN(2)]
		churn := []string{"No", "Yes"}[min(1, rng.IntN(4-g))]
		inc := fmt.Sprintf("%.1f", income)
		if i%50 == 7 {
			inc = "NA"
		}
		fmt.Fprintf(&b, "C%03d,%s,%.2f,%s,%s,%s\n", i, inc, spend, plan, paper, churn)
	}
	if err := os.WriteFile(filepath.Join(dir, "customers.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, "persona.yaml")
	cfg := `users:
  path: customers.csv
  columns: {user_id: "Customer ID"}
  attributes:
    annual_income_k: {column: "Annual Income (k$)", type: numeric}
    monthly_spend: {column: "Monthly Spend", type: numeric}
    plan: categorical
    paperless: boolean
outcomes:
  churned: Churn = 'Yes'
`
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, config
}

// TestRunCustomerTable runs the pipeline on a users-only table of
// attributes: no timestamps needed, only the attributes' features, names
// from the attributes, the outcome per segment, and a model that scores
// new customers.
func TestRunCustomerTable(t *testing.T) {
	dir, config := writeCustomers(t)
	out := filepath.Join(dir, "out")
	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"run", "-c", config, "-o", out, "--k", "3", "--json"}); code != ExitOK {
		t.Fatalf("exit code %d; stderr: %s", code, errOut)
	}
	var sum pipeline.Summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.AsOf != "" {
		t.Errorf("as_of %q: a table without dates has none", sum.AsOf)
	}
	for _, f := range sum.FeaturesUsed {
		if !strings.HasPrefix(f, "annual_income_k") && !strings.HasPrefix(f, "monthly_spend") && !strings.HasPrefix(f, "plan_") && f != "paperless" {
			t.Errorf("feature %s used: only the attributes' features exist", f)
		}
	}
	if !slices.Contains(sum.FeaturesUsed, "annual_income_k_missing") {
		t.Errorf("no annual_income_k_missing flag among %v", sum.FeaturesUsed)
	}
	// The segments are the planted groups (customer i is in group i % 3).
	ids, labels, _, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	seg := map[int]map[int]bool{}
	for i, id := range ids {
		var n int
		fmt.Sscanf(id, "C%d", &n)
		if seg[n%3] == nil {
			seg[n%3] = map[int]bool{}
		}
		seg[n%3][labels[i]] = true
	}
	for g, s := range seg {
		if len(s) != 1 {
			t.Errorf("planted group %d is split over segments %v", g, s)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "rfm.csv")); err == nil {
		t.Error("rfm.csv without transactions")
	}
	data, err := os.ReadFile(filepath.Join(out, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var prof profile.Report
	if err := json.Unmarshal(data, &prof); err != nil {
		t.Fatal(err)
	}
	if len(prof.Outcomes) != 1 || prof.Outcomes[0].Name != "churned" || prof.Outcomes[0].Kind != profile.OutcomeRate {
		t.Fatalf("base outcomes %+v", prof.Outcomes)
	}
	for _, s := range prof.Segments {
		if s.Standing != "" || !strings.Contains(s.Name, "income") && !strings.Contains(s.Name, "spend") && !strings.Contains(s.Name, "mostly") {
			t.Errorf("segment %d: standing %q, name %q: want a name from the attributes", s.ID, s.Standing, s.Name)
		}
		attrs := len(s.Demographics.Attributes) + len(s.Demographics.Fields) + len(s.Behaviour.Attributes) + len(s.Behaviour.Fields) + len(s.Psychographic.Attributes) + len(s.Psychographic.Fields)
		if attrs < 4 || len(s.Outcomes) != 1 {
			t.Errorf("segment %d: %d attributes in the sections, %d outcomes", s.ID, attrs, len(s.Outcomes))
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "profiles.md"))
	for _, want := range []string{"annual income", "**Outcomes**", "| churned |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("profiles.md lacks %q", want)
		}
	}
	cat, _ := os.ReadFile(filepath.Join(out, "features.md"))
	if !strings.Contains(string(cat), "| `annual_income_k` | users.attributes.annual_income_k (numeric of Annual Income (k$))") {
		t.Errorf("features.md does not document the attributes:\n%s", cat)
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if strings.Contains(string(html), "0001-01-01") || !strings.Contains(string(html), "Outcome churned") {
		t.Errorf("report.html: a zero as_of, or no outcome line")
	}

	// Scoring the same customers gives them their segments back.
	f, _, errOut = testFactory()
	scored := filepath.Join(dir, "scored")
	if code := Run(f, []string{"score", "--model", out, "-c", config, "-o", scored, "-q"}); code != ExitOK {
		t.Fatalf("score: exit code %d; stderr: %s", code, errOut)
	}
	a, _ := os.ReadFile(filepath.Join(out, "segments.csv"))
	b, _ := os.ReadFile(filepath.Join(scored, "segments.csv"))
	if string(a) != string(b) {
		t.Error("scored segments differ from the run's")
	}
}

// TestInitThenRun drafts a config from a one-row-per-customer file and
// runs it with no edits: attribute-based segments, the churn column an
// outcome, and what init guessed said on stdout.
func TestInitThenRun(t *testing.T) {
	dir, _ := writeCustomers(t)
	config := filepath.Join(dir, "drafted.yaml")
	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"init", "--users", filepath.Join(dir, "customers.csv"), "--out", config}); code != ExitOK {
		t.Fatalf("init: exit code %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(stdout.String(), "column Churn looks like an outcome: outcomes.churn") {
		t.Errorf("init said %q", stdout)
	}
	draft, _ := os.ReadFile(config)
	for _, want := range []string{`user_id: "\"Customer ID\""`, `annual_income_k: {column: "Annual Income (k$)", type: numeric}`,
		`plan: {column: "Plan", type: ordinal, levels: ["basic", "standard", "premium"]}`,
		"paperless: {column: \"Paperless\", type: boolean}", `churn: "Churn = 'Yes'"`} {
		if !strings.Contains(string(draft), want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
	out := filepath.Join(dir, "out")
	f, stdout, errOut = testFactory()
	if code := Run(f, []string{"run", "-c", config, "-o", out, "--json"}); code != ExitOK {
		t.Fatalf("run: exit code %d; stderr: %s", code, errOut)
	}
	var sum pipeline.Summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Users != 300 || sum.K < 2 {
		t.Errorf("users %d, k %d", sum.Users, sum.K)
	}
	for _, s := range sum.Segments {
		if !strings.Contains(s.Name, "income") && !strings.Contains(s.Name, "spend") && !strings.Contains(s.Name, "plan") &&
			!strings.Contains(s.Name, "basic") && !strings.Contains(s.Name, "premium") && !strings.Contains(s.Name, "standard") && !strings.Contains(s.Name, "paperless") {
			t.Errorf("segment %d is named %q: not from its attributes", s.ID, s.Name)
		}
	}
}

// TestInitThenRunDateOfBirth drafts a customer table whose only date is a
// date of birth (dd/mm/yyyy) and runs it with no edits: init drafts it as
// the attribute age with as_of set to the day of the draft, and the
// segments are named by age in years ("young", "older"), not by days
// since a birth date.
func TestInitThenRunDateOfBirth(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("member,Date of Birth,visits\n")
	for i := range 120 {
		year, visits := 1995+i%10, 12+i%5
		if i%2 == 1 {
			year, visits = 1950+i%15, 1+i%3
		}
		fmt.Fprintf(&b, "m%d,%02d/%02d/%d,%d\n", i, 1+i%28, 1+i%12, year, visits)
	}
	path := filepath.Join(dir, "members.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "drafted.yaml")
	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"init", "--users", path, "--out", config}); code != ExitOK {
		t.Fatalf("init: exit code %d; stderr: %s", code, errOut)
	}
	if !strings.Contains(stdout.String(), "column Date of Birth is a date of birth: attribute age") {
		t.Errorf("init said %q", stdout)
	}
	draft, _ := os.ReadFile(config)
	for _, want := range []string{`age: {column: "Date of Birth", type: age, format: "%d/%m/%Y"}`, "\nas_of: " + time.Now().UTC().Format("2006-01-02")} {
		if !strings.Contains(string(draft), want) {
			t.Errorf("draft lacks %q:\n%s", want, draft)
		}
	}
	out := filepath.Join(dir, "out")
	f, stdout, errOut = testFactory()
	if code := Run(f, []string{"run", "-c", config, "-o", out, "--json", "--k", "2"}); code != ExitOK {
		t.Fatalf("run: exit code %d; stderr: %s", code, errOut)
	}
	var sum pipeline.Summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sum.Segments {
		names = append(names, s.Name)
	}
	if len(names) != 2 || !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "young") }) ||
		!slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "older") }) || strings.Contains(strings.Join(names, " "), "birth") {
		t.Errorf("segments %q: want one young and one older, by age", names)
	}
	prof, _ := os.ReadFile(filepath.Join(out, "profiles.md"))
	if strings.Contains(string(prof), "date of birth high") || strings.Contains(string(prof), "date of birth low") ||
		!strings.Contains(string(prof), "age high") && !strings.Contains(string(prof), "age low") {
		t.Errorf("profiles.md does not say the age by its name:\n%s", prof)
	}
	md, _ := os.ReadFile(filepath.Join(out, "features.md"))
	if !strings.Contains(string(md), "the years from the date of birth to as_of") {
		t.Errorf("features.md does not define age:\n%s", md)
	}
}
