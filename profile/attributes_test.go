package profile

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// customerTable is a hand-made table of attributes (no purchases, no
// events) with a churn outcome: segment 0 is high-income urban tablet
// users, 1 young heavy weekend users with a high click-through rate, 2
// month-to-month fibre customers who churn, 3 everyone else.
func customerTable() Input {
	sizes := []int{50, 50, 50, 50}
	pick := func(v ...float64) func(g, i int) float64 { return func(g, i int) float64 { return v[g] } }
	noisy := func(v ...float64) func(g, i int) float64 {
		return func(g, i int) float64 { return v[g] + float64(i%5) }
	}
	in := handMade(sizes,
		handColumn{"income", noisy(120, 40, 45, 50)},
		handColumn{"area_urban", pick(1, 0, 0, 0)},
		handColumn{"area_rural", pick(0, 1, 1, 1)},
		handColumn{"device_type_tablet", pick(1, 0, 0, 0)},
		handColumn{"age", noisy(45, 21, 40, 46)},
		handColumn{"weekend_hours", noisy(2, 20, 3, 3)},
		handColumn{"ctr", func(g, i int) float64 { return []float64{0.01, 0.08, 0.01, 0.012}[g] + 0.001*float64(i%3) }},
		handColumn{"contract_month_to_month", pick(0, 0, 1, 0)},
		handColumn{"internet_service_fiber_optic", pick(0, 0, 1, 0)},
		handColumn{"paperless_billing", func(g, i int) float64 { return float64((i + g) % 2) }},
		handColumn{"income_missing", func(g, i int) float64 { return float64(map[bool]int{true: 1}[g == 3 && i < 5]) }},
		handColumn{"interests_cooking", pick(0, 0, 0, 1)},
	)
	in.Columns = []Column{
		{Kind: KindNumeric, Attribute: "income"},
		{Kind: KindCategorical, Attribute: "area", Level: "Urban"},
		{Kind: KindCategorical, Attribute: "area", Level: "Rural"},
		{Kind: KindCategorical, Attribute: "device_type", Level: "tablet"},
		{Kind: KindNumeric, Attribute: "age"},
		{Kind: KindNumeric, Attribute: "weekend_hours", Label: "weekend hours"},
		{Kind: KindNumeric, Attribute: "ctr", Label: "CTR"},
		{Kind: KindCategorical, Attribute: "contract", Level: "month-to-month"},
		{Kind: KindCategorical, Attribute: "internet_service", Level: "fiber optic"},
		{Kind: KindBoolean, Attribute: "paperless_billing", Level: "true"},
		{Kind: KindBoolean, Attribute: "income_missing", Level: "true"},
		{Kind: KindList, Attribute: "interests", Level: "cooking"},
	}
	churn := make([]float64, len(in.UserIDs))
	for k := range churn {
		g, i := in.Labels[k], k%50
		// 60% churn in segment 2, 20% in the others (0 and 1), 10% in 3;
		// one unknown.
		switch {
		case g == 2 && i < 30, g < 2 && i < 10, g == 3 && i < 5:
			churn[k] = 1
		}
	}
	churn[len(churn)-1] = math.NaN()
	in.Outcomes = []Outcome{{Name: "churned", Values: churn}} // a rate: every value is 0 or 1
	return in
}

// TestAttributeNames: a table of attributes gets names from its attributes
// and no standing; the segment with 60% churn is named after its churn,
// not its internet service.
func TestAttributeNames(t *testing.T) {
	rep, err := Build(customerTable())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"high-income urban tablet users",
		"high-CTR young users, high weekend hours",
		"churned 2.2× the base — month-to-month fiber optic low-CTR users",
		"churned 0.4× the base — older rural cooking fans",
	}
	var got []string
	for _, s := range rep.Segments {
		got = append(got, s.Name)
		if s.Standing != "" {
			t.Errorf("segment %d of attributes has standing %q", s.ID, s.Standing)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if s := rep.Segments[2]; !strings.Contains(s.Actions[0].Text, "Churned: 60.0% against 27.6% for the base (2.2×)") {
		t.Errorf("actions of the churning segment do not mention churn: %q", s.Actions[0].Text)
	}
}

func TestAttributeSections(t *testing.T) {
	rep, err := Build(customerTable())
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Segments[0]
	approx := cmpopts.EquateApprox(1e-12, 1e-12)
	// area, age and income (and its missing flag) are demographic,
	// interests psychographic, the rest behavioural.
	wantDemo := []Categorical{
		{Field: "area", Shares: []Share{{"Urban", 1, 0.25, 4}, {"Rural", 0, 0.75, 0}}},
		{Field: "income_missing", Shares: []Share{{"true", 0, 0.025, 0}}},
	}
	if diff := cmp.Diff(wantDemo, s.Demographics.Fields, approx); diff != "" {
		t.Errorf("demographic fields (-want +got):\n%s", diff)
	}
	var demoAttrs []string
	for _, m := range s.Demographics.Attributes {
		demoAttrs = append(demoAttrs, m.Feature)
	}
	if diff := cmp.Diff([]string{"income"}, demoAttrs); diff != "" {
		t.Errorf("demographic attributes (-want +got):\n%s", diff)
	}
	if m := s.Demographics.Attributes[0]; m.Mean != 122 || m.Label != "income" {
		t.Errorf("income metric = %+v, want mean 122", m)
	}
	if got := s.Psychographic.Fields; len(got) != 1 || got[0].Field != "interests" || got[0].Shares[0].Value != "cooking" {
		t.Errorf("psychographic fields = %+v, want the interests list", got)
	}
	var fields []string
	for _, c := range s.Behaviour.Fields {
		fields = append(fields, c.Field)
	}
	if diff := cmp.Diff([]string{"device_type", "contract", "internet_service", "paperless_billing"}, fields); diff != "" {
		t.Errorf("behavioural fields (-want +got):\n%s", diff)
	}
	if a := s.Demographics.Age; a == nil || a.Mean != 47 || len(s.Demographics.AgeBands) != 6 {
		t.Errorf("an attribute named age is the age of the demographics: %+v %v", a, s.Demographics.AgeBands)
	}
	if s.Behaviour.RFM != nil || s.Behaviour.Sessions != nil {
		t.Errorf("behaviour sections without their features: %+v", s.Behaviour)
	}
}

func TestOutcomeStats(t *testing.T) {
	rep, err := Build(customerTable())
	if err != nil {
		t.Fatal(err)
	}
	// Base: 10 + 10 + 30 + 5 of 199 known (the last user of segment 3 is
	// unknown, and did not churn).
	base := 55.0 / 199
	if diff := cmp.Diff([]OutcomeStat{{Name: "churned", Kind: OutcomeRate, Value: base, Base: base, Lift: 1, Users: 199, Count: 55}}, rep.Outcomes, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("base outcomes (-want +got):\n%s", diff)
	}
	o := rep.Segments[2].Outcomes[0]
	// Segment 2: 30 of 50 against 25 of 149 for the rest, pooled p = 55/199.
	p := base
	z := (0.6 - 25.0/149) / math.Sqrt(p*(1-p)*(1.0/50+1.0/149))
	want := OutcomeStat{Name: "churned", Kind: OutcomeRate, Value: 0.6, Base: base, Lift: 0.6 / base, Users: 50, Count: 30, Z: z, Strong: true}
	if diff := cmp.Diff(want, o, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("segment 2 churn (-want +got):\n%s", diff)
	}
	if o := rep.Segments[0].Outcomes[0]; o.Strong {
		t.Errorf("20%% churn against %.0f%% is not strong: %+v", 100*base, o)
	}

	// Without a kind, an outcome of other values than 0 and 1 is a mean.
	in := customerTable()
	rev := make([]float64, len(in.UserIDs))
	for k := range rev {
		rev[k] = float64(in.Labels[k]) // 0, 1, 2, 3 by segment: base mean 1.5
	}
	in.Outcomes = append(in.Outcomes, Outcome{Name: "revenue", Values: rev}, Outcome{Name: "churned", Values: rev})
	if _, err := Build(in); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("two outcomes named churned: err = %v", err)
	}
	in.Outcomes = in.Outcomes[:2]
	rep, err = Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if o := rep.Segments[3].Outcomes[1]; o.Kind != OutcomeMean || o.Value != 3 || o.Base != 1.5 || o.Lift != 2 || !o.Strong {
		t.Errorf("revenue of segment 3 = %+v, want a strong mean of 3 against 1.5", o)
	}
}

func TestOutcomeErrors(t *testing.T) {
	tests := []struct {
		name string
		out  Outcome
	}{
		{"no name", Outcome{Kind: OutcomeRate, Values: []float64{0, 1}}},
		{"kind", Outcome{Name: "x", Kind: "share", Values: []float64{0, 1}}},
		{"length", Outcome{Name: "x", Kind: OutcomeRate, Values: []float64{0}}},
		{"rate of 2", Outcome{Name: "x", Kind: OutcomeRate, Values: []float64{0, 2}}},
		{"infinite mean", Outcome{Name: "x", Kind: OutcomeMean, Values: []float64{0, math.Inf(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := handMade([]int{1, 1}, handColumn{"frequency", func(g, i int) float64 { return float64(g) }})
			in.Outcomes = []Outcome{tt.out}
			if _, err := Build(in); err == nil {
				t.Error("Build succeeded, want an error")
			}
		})
	}
}

func TestAttributePhrase(t *testing.T) {
	tests := []struct {
		col  Column
		high bool
		want string
	}{
		{Column{Kind: KindNumeric, Attribute: "income"}, true, "high-income"},
		{Column{Kind: KindNumeric, Attribute: "monthly_charges"}, false, "low monthly charges"},
		{Column{Kind: KindOrdinal, Attribute: "age_bucket"}, false, "young"},
		{Column{Kind: KindNumeric, Attribute: "Age"}, true, "older"},
		{Column{Kind: KindDate, Attribute: "signup_date"}, false, "recent signup date"},
		{Column{Kind: KindDate, Attribute: "last_login", Label: "last login"}, true, "long since last login"},
		{Column{Kind: KindCategorical, Attribute: "plan", Level: "other"}, true, ""},
		{Column{Kind: KindCategorical, Attribute: "city", Level: "Urban"}, true, "urban"},
		{Column{Kind: KindCategorical, Attribute: "city", Level: "Urban"}, false, ""},
		{Column{Kind: KindCategorical, Attribute: "internet_service", Level: "No"}, true, "no internet service"},
		{Column{Kind: KindCategorical, Attribute: "coupon", Level: "none"}, true, "no coupon"},
		{Column{Kind: KindCategorical, Attribute: "partner", Level: "Yes"}, true, "partner yes"},
		{Column{Kind: KindCategorical, Attribute: "plan", Level: "3"}, true, "plan 3"},
		{Column{Kind: KindCategorical, Attribute: "country", Level: "NO"}, true, "country NO"},
		{Column{Kind: KindCategorical, Attribute: "service", Level: "DSL"}, true, "DSL"},
		{Column{Kind: KindList, Attribute: "interests", Level: "Cooking"}, true, "cooking fans"},
		{Column{Kind: KindBoolean, Attribute: "partner", Level: "true"}, true, "mostly partner"},
		{Column{Kind: KindBoolean, Attribute: "partner", Level: "true"}, false, "rarely partner"},
		{Column{Kind: KindBoolean, Attribute: "income_missing"}, true, ""},
		{Column{Kind: KindCategorical, Attribute: "income", Level: "missing"}, true, ""},
	}
	for _, tt := range tests {
		if got := attributePhrase(tt.col.Attribute+"_x", tt.col, tt.high).text; got != tt.want {
			t.Errorf("%+v high=%v: %q, want %q", tt.col, tt.high, got, tt.want)
		}
	}
}

func TestCompose(t *testing.T) {
	adj := func(s string) label { return label{text: s, form: formAdj} }
	noun := func(s string) label { return label{text: s, form: formNoun} }
	tail := func(s string) label { return label{text: s, form: formTail} }
	tests := []struct {
		standing, outcome string
		labels            []label
		want              string
	}{
		{"", "", []label{adj("high-income"), adj("urban"), noun("tablet users")}, "high-income urban tablet users"},
		{"", "", []label{adj("young"), noun("heavy weekend users"), tail("high CTR")}, "young heavy weekend users, high CTR"},
		{"", "", []label{tail("high CTR"), noun("night owls"), noun("tablet users")}, "night owls, high CTR, tablet users"},
		{"", "churned 2.4× the base", []label{adj("month-to-month")}, "churned 2.4× the base — month-to-month users"},
		{"", "", nil, "all users"},
		{"", "", []label{tail("high balance"), tail("low tenure")}, "users with high balance, low tenure"},
		{"lapsed", "churned 2.4× the base", []label{noun("early birds")}, "lapsed — churned 2.4× the base, early birds"},
		{"loyal", "", nil, "loyal"},
	}
	for _, tt := range tests {
		if got := compose(tt.standing, tt.outcome, tt.labels); got != tt.want {
			t.Errorf("compose(%q, %q, %v) = %q, want %q", tt.standing, tt.outcome, tt.labels, got, tt.want)
		}
	}
}

func TestOutcomeText(t *testing.T) {
	for _, tc := range []struct {
		lift float64
		want string
	}{
		{2.4, "churned 2.4× the base"},
		{0.4, "churned 0.4× the base"},
		{0.05, "churned 0.05× the base"},
		{0, "churned: none"}, // no churner in the segment: not "0.00×"
	} {
		if got := outcomeText(OutcomeStat{Name: "churned", Kind: OutcomeRate, Lift: tc.lift}); got != tc.want {
			t.Errorf("lift %g: %q, want %q", tc.lift, got, tc.want)
		}
	}
}
