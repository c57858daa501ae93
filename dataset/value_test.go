package dataset_test

import (
	"strings"
	"testing"

	"github.com/persona-seg/persona/dataset"
)

func TestValueSettings(t *testing.T) {
	base := "transactions:\n  path: t.csv\n"
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"defaults", "", ""},
		{"all", "value: {model: pnbd, time_unit: weeks, horizon_months: 24, discount: 0, likely_lost_below: 0.3, calibration_end: 2024-06-30, penalizer: 0.01}\n", ""},
		{"bad model", "value:\n  model: glm\n", `value.model: "glm": want auto, bgnbd or pnbd`},
		{"bad unit", "value:\n  time_unit: months\n", `value.time_unit: "months": want days or weeks`},
		{"bad discount", "value:\n  discount: 1.5\n", "value.discount: must be a monthly rate from 0 to below 1, got 1.5"},
		{"bad threshold", "value:\n  likely_lost_below: 2\n", "value.likely_lost_below: must be a probability from 0 to 1, got 2"},
		{"bad horizon", "value:\n  horizon_months: -1\n", "value.horizon_months: must be from 1 to 1200, got -1"},
		{"bad date", "value:\n  calibration_end: someday\n", "someday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dataset.ParseConfig([]byte(base + tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.name == "defaults" && (c.Value.DiscountRate() != 0.01 || c.Value.LostBelow() != 0.5) {
					t.Errorf("defaults %g, %g", c.Value.DiscountRate(), c.Value.LostBelow())
				}
				if tt.name == "all" && (c.Value.DiscountRate() != 0 || c.Value.LostBelow() != 0.3 || c.Value.CalibrationEnd.IsZero()) {
					t.Errorf("settings %+v", c.Value)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
