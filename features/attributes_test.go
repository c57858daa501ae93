package features_test

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// computeConfig loads the data a config describes and computes its
// features (with spec, when not nil).
func computeConfig(t *testing.T, cfg *dataset.Config, spec *features.Spec) (*features.Table, error) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		t.Fatal(err)
	}
	o := features.OptionsFor(cfg)
	o.Spec = spec
	return features.Compute(ctx, db, o)
}

func peopleConfig(t *testing.T) *dataset.Config {
	t.Helper()
	cfg, err := dataset.LoadConfig(filepath.Join("testdata", "people", "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestAttributes checks the features of every attribute type of
// testdata/people against values worked out by hand. The table has no
// timestamps: as_of is the latest date attribute, 2024-02-01.
func TestAttributes(t *testing.T) {
	tab, err := computeConfig(t, peopleConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"u1", "u2", "u3", "u4"}, tab.UserIDs); diff != "" {
		t.Fatalf("user ids (-want +got):\n%s", diff)
	}
	if want := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC); !tab.AsOf.Equal(want) {
		t.Errorf("as_of %v, want the latest date attribute %v", tab.AsOf, want)
	}
	// Only the attributes' features: a users-only table has no
	// transaction, event, social or demographic columns.
	want := []string{
		"age", "age_missing",
		"income", "income_missing",
		"plan_basic", "plan_premium", "plan_pro",
		"age_band",
		"newsletter", "newsletter_missing",
		"interests_travel", "interests_cooking", "interests_music", "interests_missing",
		"signup_days", "signup_missing",
	}
	if diff := cmp.Diff(want, tab.Names()); diff != "" {
		t.Fatalf("feature names (-want +got):\n%s", diff)
	}
	tests := []struct {
		feature string
		want    [4]float64
	}{
		// Missing numbers get the median of the others and a flag; N/A
		// and the empty field are both missing.
		{"age", [4]float64{30, 40, 40, 50}},
		{"age_missing", [4]float64{0, 0, 1, 0}},
		{"income", [4]float64{50, 70, 70, 90}},
		{"income_missing", [4]float64{0, 1, 0, 0}},
		// Levels by frequency, then name; no user misses the plan.
		{"plan_basic", [4]float64{1, 0, 1, 0}},
		{"plan_premium", [4]float64{0, 1, 0, 0}},
		{"plan_pro", [4]float64{0, 0, 0, 1}},
		// Bucket midpoints: 18-24 → 21, 25-34 → 29.5, 65+ → 65 + 9/2
		// (half the width of the nearest closed bucket, 25-34).
		{"age_band", [4]float64{21, 29.5, 69.5, 29.5}},
		// yes, no, (missing), Y: the missing one counts as the share of
		// true among the others, 2/3.
		{"newsletter", [4]float64{1, 0, 2.0 / 3, 1}},
		{"newsletter_missing", [4]float64{0, 0, 1, 0}},
		// Travel 3 users, Cooking 2, Music 1; values are trimmed.
		{"interests_travel", [4]float64{1, 1, 0, 1}},
		{"interests_cooking", [4]float64{1, 0, 0, 1}},
		{"interests_music", [4]float64{0, 0, 0, 1}},
		{"interests_missing", [4]float64{0, 0, 1, 0}},
		// Days to 2024-02-01: 31, 0, 62, and the median 31 for u4.
		{"signup_days", [4]float64{31, 0, 62, 31}},
		{"signup_missing", [4]float64{0, 0, 0, 1}},
	}
	for _, tt := range tests {
		j := tab.Col(tt.feature)
		got := [4]float64{tab.X.At(0, j), tab.X.At(1, j), tab.X.At(2, j), tab.X.At(3, j)}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.feature, diff)
		}
	}
	// The one-hot columns of a categorical or list attribute, a boolean
	// and each _missing flag are indicator sets, weighted before
	// clustering.
	groups := tab.Groups()
	for _, f := range []string{"plan_basic", "plan_pro", "interests_music", "newsletter", "age_missing"} {
		if groups[f] == "" {
			t.Errorf("%s is in no indicator set", f)
		}
	}
	if groups["plan_basic"] != groups["plan_pro"] || groups["age"] != "" || groups["age_missing"] == groups["newsletter_missing"] {
		t.Errorf("indicator sets %v", groups)
	}
	// Outcomes are not features.
	if len(tab.Outcomes) != 2 {
		t.Fatalf("%d outcomes, want 2", len(tab.Outcomes))
	}
	churned, score := tab.Outcomes[0], tab.Outcomes[1]
	if churned.Name != "churned" || score.Name != "score" {
		t.Errorf("outcomes %s, %s", churned.Name, score.Name)
	}
	if diff := cmp.Diff([]float64{1, 0, 0, 1}, churned.Values); diff != "" {
		t.Errorf("churned (-want +got):\n%s", diff)
	}
	if got := score.Values; got[0] != 10 || got[1] != 20 || !math.IsNaN(got[2]) || got[3] != 5 {
		t.Errorf("score %v, want [10 20 NaN 5]", got)
	}
}

// TestAttributesSpec computes the features of new users with the spec of
// the training table: the same columns, and the training data's fill
// values and levels, whatever the new data holds.
func TestAttributesSpec(t *testing.T) {
	train, err := computeConfig(t, peopleConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "users.csv"), []byte(`id,Age,Income (k$),Plan,Age Band,Newsletter,Interests,Signup
n1,,,gold,45-54,,Knitting,2024-01-31
`), 0o644)
	cfg := peopleConfig(t)
	cfg.Users.Path = filepath.Join(dir, "users.csv")
	cfg.Outcomes = nil
	tab, err := computeConfig(t, cfg, train.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(train.Names(), tab.Names()); diff != "" {
		t.Fatalf("names (-train +new):\n%s", diff)
	}
	want := map[string]float64{
		"age": 40, "age_missing": 1, "income": 70, "income_missing": 1,
		// gold is no level of the training data: no plan column is set.
		"plan_basic": 0, "plan_premium": 0, "plan_pro": 0,
		// 45-54 is no bucket of the training data: the median.
		"age_band": 29.5, "newsletter": 2.0 / 3, "newsletter_missing": 1,
		"interests_travel": 0, "interests_cooking": 0, "interests_music": 0,
	}
	for name, v := range want {
		if got := tab.X.At(0, tab.Col(name)); math.Abs(got-v) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, v)
		}
	}
	// as_of is the new data's.
	if got := tab.X.At(0, tab.Col("signup_days")); got != 0 {
		t.Errorf("signup_days = %v, want 0", got)
	}
	// A config without the attribute fails, naming it.
	cfg.Users.Attributes = cfg.Users.Attributes[:2]
	if _, err := computeConfig(t, cfg, train.Spec); err == nil || !strings.Contains(err.Error(), "users.attributes.plan") {
		t.Errorf("error %v, want it to name users.attributes.plan", err)
	}
}

// TestProfilesTable joins a second per-user table on user_id: its users
// without a row in users are users too, and miss users' attributes.
func TestProfilesTable(t *testing.T) {
	cfg := peopleConfig(t)
	cfg.Profiles = map[string]*dataset.Source{"survey": {
		Path:       "survey.csv", // relative to the config's folder
		Columns:    map[string]string{"user_id": "customer"},
		Attributes: dataset.Attributes{{Name: "satisfaction", Type: dataset.TypeOrdinal, Levels: []string{"low", "medium", "high"}}},
	}}
	tab, err := computeConfig(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"u1", "u2", "u3", "u4", "u5"}, tab.UserIDs); diff != "" {
		t.Fatalf("user ids (-want +got):\n%s", diff)
	}
	// low, medium, high rank 1, 2, 3; u3 and u4 get the median 2.
	j, m := tab.Col("satisfaction"), tab.Col("satisfaction_missing")
	for i, want := range []float64{3, 1, 2, 2, 2} {
		if got := tab.X.At(i, j); got != want {
			t.Errorf("%s satisfaction %v, want %v", tab.UserIDs[i], got, want)
		}
		if got, miss := tab.X.At(i, m), i == 2 || i == 3; (got == 1) != miss {
			t.Errorf("%s satisfaction_missing %v", tab.UserIDs[i], got)
		}
	}
	// u5 is in the survey only: it misses every users attribute.
	if got := tab.X.At(4, tab.Col("age_missing")); got != 1 {
		t.Errorf("u5 age_missing %v, want 1", got)
	}
}

// TestAttributeNameClash fails a build whose attribute gives a feature of
// the catalogue's name.
func TestAttributeNameClash(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "users.csv"), []byte("user_id,birth_year,age\nu1,1990,30\nu2,1980,40\n"), 0o644)
	cfg := &dataset.Config{AsOf: dataset.Date{Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		Users: &dataset.Source{Path: filepath.Join(dir, "users.csv"), Attributes: dataset.Attributes{{Name: "age", Type: dataset.TypeNumeric}}}}
	_, err := computeConfig(t, cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "users.attributes.age") || !strings.Contains(err.Error(), "rename the attribute") {
		t.Errorf("error %v, want one naming users.attributes.age", err)
	}
}

// TestAttrLabel says attributes in words: the column without what is in
// parentheses, camel case split, else the attribute's name.
func TestAttrLabel(t *testing.T) {
	tests := []struct {
		spec features.AttrSpec
		want string
	}{
		{features.AttrSpec{Name: "annual_income_k", Column: `"Annual Income (k$)"`}, "annual income"},
		{features.AttrSpec{Name: "monthly_charges", Column: "MonthlyCharges"}, "monthly charges"},
		{features.AttrSpec{Name: "senior", Column: "SeniorCitizen"}, "senior citizen"},
		{features.AttrSpec{Name: "balance", Column: "BALANCE"}, "balance"},
		{features.AttrSpec{Name: "age", Column: "birth_date", Type: dataset.TypeAge}, "age"}, // a date of birth: the age
		{features.AttrSpec{Name: "churned", Column: "Churn = 'Yes'"}, "churned"},
		{features.AttrSpec{Name: "spend", Column: "a * b"}, "spend"},
		{features.AttrSpec{Name: "x"}, "x"},
	}
	for _, tt := range tests {
		if got := tt.spec.Label(); got != tt.want {
			t.Errorf("%+v: Label() = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

// TestAgeAttribute checks the ages of testdata/births, worked out by hand
// as the days from the date of birth to as_of over 365.25: as_of is the
// latest last_visit (dates of birth do not set it), a missing date of
// birth gets the median age and a flag, and a table whose only dates are
// dates of birth needs as_of.
func TestAgeAttribute(t *testing.T) {
	tab, err := computeConfig(t, loadConfig(t, filepath.Join("testdata", "births", "persona.yaml")), nil)
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if !tab.AsOf.Equal(asOf) {
		t.Errorf("as_of %v, want the latest last_visit %v", tab.AsOf, asOf)
	}
	if diff := cmp.Diff([]string{"age", "age_missing", "age_uk", "age_uk_missing", "last_visit_days", "last_visit_missing"}, tab.Names()); diff != "" {
		t.Fatalf("feature names (-want +got):\n%s", diff)
	}
	years := func(y int, m time.Month, d int) float64 {
		return asOf.Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)).Hours() / 24 / 365.25
	}
	a1, a2, a3, a4 := years(1994, 1, 1), years(1980, 6, 15), years(1960, 7, 1), years(2000, 2, 29)
	tests := []struct {
		feature string
		want    [4]float64
	}{
		// u2 has no date of birth: the median of 30.0, 63.5 and 23.8.
		{"age", [4]float64{a1, a1, a3, a4}},
		{"age_missing", [4]float64{0, 1, 0, 0}},
		// The same dates written %d/%m/%Y, u3's missing: the median of
		// u1, u2 and u4.
		{"age_uk", [4]float64{a1, a2, a1, a4}},
		{"age_uk_missing", [4]float64{0, 0, 1, 0}},
	}
	for _, tt := range tests {
		j := tab.Col(tt.feature)
		got := [4]float64{tab.X.At(0, j), tab.X.At(1, j), tab.X.At(2, j), tab.X.At(3, j)}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(1e-9, 0)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.feature, diff)
		}
	}
	if math.Abs(a1-30) > 0.01 || math.Abs(a4-23.84) > 0.01 {
		t.Errorf("ages %v, %v: want about 30 and 23.84 years", a1, a4)
	}

	_, err = computeConfig(t, loadConfig(t, filepath.Join("testdata", "births", "ages-only.yaml")), nil)
	if err == nil || !strings.Contains(err.Error(), "set the reference date (as_of)") || !strings.Contains(err.Error(), "dates of birth") {
		t.Errorf("ages without dates: got %v, want an error asking for as_of", err)
	}
	cfg := loadConfig(t, filepath.Join("testdata", "births", "ages-only.yaml"))
	cfg.AsOf = dataset.Date{Time: asOf}
	tab, err = computeConfig(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j := tab.Col("age"); tab.X.At(2, j) != a3 {
		t.Errorf("u3's age with as_of set: %v, want %v", tab.X.At(2, j), a3)
	}
}

func loadConfig(t *testing.T, path string) *dataset.Config {
	t.Helper()
	cfg, err := dataset.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
