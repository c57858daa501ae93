package report

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	segprof "github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/value"
)

// TestValueSection checks the customer-value section by hand: six users
// in two segments (ids 7 and 3, shown in that order), one of them no
// customer, and a holdout check whose empty group is left out.
func TestValueSection(t *testing.T) {
	nan := math.NaN()
	src := &ValueSource{
		Users: &segprof.ValueInput{
			PAlive:            []float64{0.9, 0.2, nan, 0.6, 0.1, 0.5},
			ExpectedPurchases: []float64{2, 0.5, nan, 1, 0.1, 1},
			CLV:               []float64{100, 10, nan, 50, 5, 30},
			LostBelow:         0.5,
		},
		Model: value.ModelParetoNBD, HorizonMonths: 6, Discount: 0.02,
		Holdout: &value.Holdout{CalibrationEnd: time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC), Customers: 5, Actual: 4, Predicted: 3.5, MAE: 0.5, RMSE: 0.75,
			ByFrequency: []value.HoldoutGroup{{Frequency: 0, Customers: 3, Actual: 0.5, Predicted: 0.4}, {Frequency: 1, Customers: 0},
				{Frequency: 2, AndMore: true, Customers: 2, Actual: 1.25, Predicted: 1.15}}},
	}
	labels := []int{7, 7, 7, 3, 3, 3}
	got, err := valueSection(src, labels, map[int]int{7: 0, 3: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := &ValueSection{Model: "Pareto/NBD", HorizonMonths: 6, Discount: 0.02, LostBelow: 0.5,
		Customers: []int{2, 3},
		// Quantiles as R's type 7 (profile.Quantile).
		PAlive:     []FiveNum{{0.2, 0.375, 0.55, 0.725, 0.9}, {0.1, 0.3, 0.5, 0.55, 0.6}},
		LikelyLost: []float64{0.5, 1.0 / 3},
		CLV:        []FiveNum{{10, 32.5, 55, 77.5, 100}, {5, 17.5, 30, 40, 50}},
		MeanCLV:    []float64{55, 85.0 / 3},
		TotalCLV:   []float64{110, 85},
		Holdout: &HoldoutCheck{CalibrationEnd: src.Holdout.CalibrationEnd, Customers: 5, Actual: 4, Predicted: 3.5, MAE: 0.5, RMSE: 0.75,
			Groups: []CalibrationGroup{{"0", 3, 0.5, 0.4}, {"2+", 2, 1.25, 1.15}}},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("value section (-want +got):\n%s", diff)
	}

	// Without amounts there is no CLV; a segment without customers has
	// empty boxes.
	src.Users.CLV = nil
	got, err = valueSection(src, []int{7, 7, 7, 3, 3, 3}, map[int]int{7: 0, 3: 1, 5: 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got.CLV != nil || got.MeanCLV != nil || got.Customers[2] != 0 || got.PAlive[2] != (FiveNum{}) {
		t.Errorf("without amounts: %+v", got)
	}
	if err := got.validate(3); err != nil {
		t.Errorf("validate: %v", err)
	}
	if _, err := valueSection(src, labels[:5], map[int]int{7: 0, 3: 1}, 2); err == nil {
		t.Error("figures of 6 users for 5 labels: no error")
	}
}

func TestValueLine(t *testing.T) {
	mean, total, share := 1234.5, 98765.0, 0.25
	tests := []struct {
		name string
		sv   *segprof.SegmentValue
		want string
	}{
		{"none", nil, ""},
		{"clv", &segprof.SegmentValue{Customers: 80, MeanPAlive: 0.625, LikelyLost: 0.3, LostBelow: 0.5, MeanCLV: &mean, TotalCLV: &total, CLVShare: &share},
			"Customer value: 80 customers, a mean CLV of 1,234.50 (total 98.8k, 25.0% of all), a mean P(alive) of 0.62, 30.0% likely lost (P(alive) below 0.5)."},
		{"no amounts", &segprof.SegmentValue{Customers: 1200, MeanPAlive: 0.9, LikelyLost: 0, LostBelow: 0.4},
			"Customer value: 1,200 customers, a mean P(alive) of 0.90, 0.0% likely lost (P(alive) below 0.4)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := valueLine(tt.sv); got != tt.want {
				t.Errorf("valueLine = %q, want %q", got, tt.want)
			}
		})
	}
}
