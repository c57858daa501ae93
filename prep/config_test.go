package prep

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestConfigYAML(t *testing.T) {
	src := `
columns: [visits, spend, tenure]
log1p: [visits, spend]
winsorize:
  lower: 0.01
  upper: 0.99
  columns: [spend]
scaler: minmax
feature_range: [-1, 1]
corr_threshold: 0.9
`
	var got Config
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := Config{
		Columns:       []string{"visits", "spend", "tenure"},
		Log1p:         []string{"visits", "spend"},
		Winsorize:     Winsorize{Lower: 0.01, Upper: 0.99, Columns: []string{"spend"}},
		Scaler:        ScalerMinMax,
		FeatureRange:  [2]float64{-1, 1},
		CorrThreshold: 0.9,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded config mismatch (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	var empty Config
	if err := yaml.NewDecoder(bytes.NewReader([]byte("{}\n"))).Decode(&empty); err != nil {
		t.Fatal(err)
	}
	if err := empty.Validate(); err != nil {
		t.Errorf("zero Config: Validate() = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string // "" for a valid config
	}{
		{"zero", Config{}, ""},
		{"robust", Config{Scaler: ScalerRobust}, ""},
		{"none", Config{Scaler: ScalerNone}, ""},
		{"minmax default range", Config{Scaler: ScalerMinMax}, ""},
		{"upper only", Config{Winsorize: Winsorize{Upper: 0.99}}, ""},
		{"threshold 1", Config{CorrThreshold: 1}, ""},
		{"unknown scaler", Config{Scaler: "Standard"}, "scaler"},
		{"inverted range", Config{Scaler: ScalerMinMax, FeatureRange: [2]float64{1, 0}}, "feature_range"},
		{"range without minmax", Config{Scaler: ScalerRobust, FeatureRange: [2]float64{0, 2}}, "feature_range"},
		{"lower only", Config{Winsorize: Winsorize{Lower: 0.01}}, "winsorize.upper"},
		{"lower negative", Config{Winsorize: Winsorize{Lower: -0.1, Upper: 0.9}}, "winsorize.lower"},
		{"upper above 1", Config{Winsorize: Winsorize{Upper: 1.5}}, "winsorize.upper"},
		{"columns while off", Config{Winsorize: Winsorize{Columns: []string{"a"}}}, "winsorize.columns"},
		{"threshold negative", Config{CorrThreshold: -0.5}, "corr_threshold"},
		{"threshold above 1", Config{CorrThreshold: 1.01}, "corr_threshold"},
		{"duplicate column", Config{Columns: []string{"a", "a"}}, "columns"},
		{"empty log1p name", Config{Log1p: []string{""}}, "log1p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			ce, ok := err.(*ConfigError)
			if !ok || ce.Field != tt.field {
				t.Fatalf("Validate() = %v, want a *ConfigError for %q", err, tt.field)
			}
		})
	}
}
