package dataset

import (
	"fmt"
	"math"
	"strings"
)

// ValueSettings configures the customer-value step of persona run (the
// BG/NBD or Pareto/NBD and Gamma-Gamma models of docs/value.md), as the
// config's value section:
//
//	value:
//	  horizon_months: 12
//	  discount: 0.01          # a month
//	  likely_lost_below: 0.5  # P(alive)
//
// The zero value runs the step with the defaults whenever the data have
// transactions.
type ValueSettings struct {
	// Skip turns the step off.
	Skip bool `yaml:"skip" json:"skip,omitempty"`
	// Model is auto (the default), bgnbd or pnbd.
	Model string `yaml:"model" json:"model,omitempty"`
	// TimeUnit is days (the default) or weeks.
	TimeUnit string `yaml:"time_unit" json:"time_unit,omitempty"`
	// HorizonMonths is the horizon of the expected purchases and the
	// lifetime value; 0 means 12.
	HorizonMonths int `yaml:"horizon_months" json:"horizon_months,omitempty"`
	// Discount is the monthly discount rate of the lifetime value; nil
	// means 0.01.
	Discount *float64 `yaml:"discount" json:"discount,omitempty"`
	// LikelyLostBelow is the P(alive) under which a customer counts as
	// likely lost; nil means 0.5.
	LikelyLostBelow *float64 `yaml:"likely_lost_below" json:"likely_lost_below,omitempty"`
	// CalibrationEnd, when set, checks the models on the purchases after
	// it first (the holdout check).
	CalibrationEnd Date `yaml:"calibration_end" json:"calibration_end,omitzero"`
	// Penalizer is lifetimes' L2 penalty; 0 means none.
	Penalizer float64 `yaml:"penalizer" json:"penalizer,omitempty"`
}

// DiscountRate returns the monthly discount rate (default 0.01).
func (v ValueSettings) DiscountRate() float64 {
	if v.Discount == nil {
		return 0.01
	}
	return *v.Discount
}

// LostBelow returns the likely-lost P(alive) threshold (default 0.5).
func (v ValueSettings) LostBelow() float64 {
	if v.LikelyLostBelow == nil {
		return 0.5
	}
	return *v.LikelyLostBelow
}

func (v ValueSettings) validate() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: "value." + key, Err: fmt.Errorf(format, args...)}
	}
	switch strings.ToLower(v.Model) {
	case "", "auto", "bgnbd", "pnbd":
	default:
		return bad("model", "%q: want auto, bgnbd or pnbd", v.Model)
	}
	switch strings.ToLower(v.TimeUnit) {
	case "", "days", "weeks":
	default:
		return bad("time_unit", "%q: want days or weeks", v.TimeUnit)
	}
	if v.HorizonMonths < 0 || v.HorizonMonths > 1200 {
		return bad("horizon_months", "must be from 1 to 1200, got %d", v.HorizonMonths)
	}
	if d := v.DiscountRate(); math.IsNaN(d) || d < 0 || d >= 1 {
		return bad("discount", "must be a monthly rate from 0 to below 1, got %g", d)
	}
	if t := v.LostBelow(); math.IsNaN(t) || t < 0 || t > 1 {
		return bad("likely_lost_below", "must be a probability from 0 to 1, got %g", t)
	}
	if math.IsNaN(v.Penalizer) || math.IsInf(v.Penalizer, 0) || v.Penalizer < 0 {
		return bad("penalizer", "must be a number >= 0, got %g", v.Penalizer)
	}
	return nil
}
