package pipeline

import (
	"context"
	"errors"
	"io"
	"math"
	"path/filepath"
	"time"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/report"
	"github.com/persona-seg/persona/value"
)

// ValueSummary is summary.json's account of the customer-value step
// (docs/value.md): the models used and the totals.
type ValueSummary struct {
	Customers     int     `json:"customers"`
	Model         string  `json:"model"`
	ModelReason   string  `json:"model_reason"`
	TimeUnit      string  `json:"time_unit"`
	HorizonMonths int     `json:"horizon_months"`
	Discount      float64 `json:"monthly_discount"`
	LostBelow     float64 `json:"likely_lost_below"`
	// The fitted parameters, by name (r, alpha, a, b or r, alpha, s, beta;
	// p, q, v), with the log-likelihood.
	Transaction    map[string]float64 `json:"transaction_model"`
	GammaGamma     map[string]float64 `json:"gamma_gamma,omitempty"`
	HoldoutMAE     *float64           `json:"holdout_mae_per_customer,omitempty"`
	HoldoutRMSE    *float64           `json:"holdout_rmse_per_customer,omitempty"`
	HoldoutActual  *float64           `json:"holdout_actual_purchases,omitempty"`
	HoldoutPredict *float64           `json:"holdout_predicted_purchases,omitempty"`
	MeanPAlive     float64            `json:"mean_p_alive"`
	LikelyLost     float64            `json:"likely_lost_share"`
	TotalCLV       *float64           `json:"total_clv,omitempty"`
	Path           string             `json:"path"`
}

// customerValues is what the value step found, for the profiles and the
// report.
type customerValues struct {
	users *profile.ValueInput // in the order of the run's users
	res   *value.Result
}

// reportSource is what the report shows of v; nil for nil.
func (v *customerValues) reportSource() *report.ValueSource {
	if v == nil {
		return nil
	}
	return &report.ValueSource{Users: v.users, Model: v.res.Model, HorizonMonths: v.res.HorizonMonths, Discount: v.res.Discount, Holdout: v.res.Holdout}
}

// customerValue fits the customer-value models to the purchases up to
// asOf, writes stage/value.csv and returns the per-user figures in the
// order of ids. A step that cannot be done (no purchases, too few repeat
// customers, a fit that does not converge) is a warning, not a failed
// run: it returns nil.
func (r *run) customerValue(ctx context.Context, days purchaseDays, set dataset.ValueSettings, asOf time.Time, ids []string, sum *Summary) (*customerValues, error) {
	if set.Skip {
		return nil, nil
	}
	unit, _ := value.ParseUnit(set.TimeUnit)
	model, _ := value.ParseModel(set.Model)
	b := value.NewBuilder(value.SummaryOptions{Unit: unit, ObservationEnd: asOf})
	if err := days(asOf, b.Add); err != nil {
		return nil, err
	}
	if b.Purchases() == 0 {
		return nil, nil // no transactions: nothing to value
	}
	full, err := b.Summary()
	if err != nil {
		return nil, err
	}
	var cal *value.Summary
	if !set.CalibrationEnd.IsZero() {
		if cal, err = b.Calibration(set.CalibrationEnd.Time); err != nil {
			r.warn(sum, "customer value: value.calibration_end: "+err.Error()+": no holdout check")
			cal = nil
		}
	}
	res, err := value.Score(ctx, full, cal, value.Options{
		Model: model, HorizonMonths: set.HorizonMonths, Discount: set.DiscountRate(),
		Fit: value.FitOptions{Penalizer: set.Penalizer},
	})
	var tf *value.TooFewError
	var ce *value.ConvergenceError
	if errors.As(err, &tf) || errors.As(err, &ce) {
		r.warn(sum, "customer value skipped: "+err.Error())
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		r.warn(sum, "customer value: "+w)
	}
	lost := set.LostBelow()
	if err := atomicfile.Write(filepath.Join(r.stage.Dir, "value.csv"), func(w io.Writer) error {
		return value.WriteCSV(w, full, res, lost)
	}); err != nil {
		return nil, err
	}
	vs := &ValueSummary{Customers: full.Len(), Model: res.Model.String(), ModelReason: res.Reason, TimeUnit: unit.String(),
		HorizonMonths: res.HorizonMonths, Discount: res.Discount, LostBelow: lost, Path: "value.csv"}
	switch {
	case res.Model == value.ModelParetoNBD && res.ParetoNBD != nil:
		f := res.ParetoNBD
		vs.Transaction = map[string]float64{"r": f.R, "alpha": f.Alpha, "s": f.S, "beta": f.Beta, "log_likelihood": f.LogLikelihood}
	case res.BGNBD != nil:
		f := res.BGNBD
		vs.Transaction = map[string]float64{"r": f.R, "alpha": f.Alpha, "a": f.A, "b": f.B, "log_likelihood": f.LogLikelihood}
	}
	if g := res.GammaGamma; g != nil {
		vs.GammaGamma = map[string]float64{"p": g.P, "q": g.Q, "v": g.V, "log_likelihood": g.LogLikelihood, "frequency_value_correlation": g.Correlation}
	}
	if h := res.Holdout; h != nil {
		vs.HoldoutMAE, vs.HoldoutRMSE, vs.HoldoutActual, vs.HoldoutPredict = &h.MAE, &h.RMSE, &h.Actual, &h.Predicted
	}
	// The figures, aligned to the feature table's users.
	in := alignValue(full, res, ids, lost)
	var pa, clv float64
	lostN := 0
	for j := range full.IDs {
		pa += res.PAlive[j]
		if res.PAlive[j] < lost {
			lostN++
		}
		if res.CLV != nil && finite(res.CLV[j]) {
			clv += res.CLV[j]
		}
	}
	vs.MeanPAlive = pa / float64(full.Len())
	vs.LikelyLost = float64(lostN) / float64(full.Len())
	if res.CLV != nil {
		vs.TotalCLV = &clv
	}
	sum.Value = vs
	r.valueSaved = value.Save(res, unit, lost)
	r.opts.Logger.Info("customer value", "customers", full.Len(), "model", vs.Model, "mean_p_alive", vs.MeanPAlive)
	r.values = domainValues(full, res, ids, lost)
	return &customerValues{users: in, res: res}, nil
}

// domainValues returns res's figures as the store keeps them, in the
// order of ids.
func domainValues(full *value.Summary, res *value.Result, ids []string, lost float64) *persona.Values {
	pos := make(map[string]int, full.Len())
	for i, id := range full.IDs {
		pos[id] = i
	}
	out := &persona.Values{TimeUnit: full.Unit.String(), End: full.End, HorizonMonths: res.HorizonMonths, Discount: res.Discount,
		LostBelow: lost, Users: make([]persona.CustomerValue, len(ids))}
	rows := value.Rows(full, res)
	for i, id := range ids {
		if j, ok := pos[id]; ok {
			r := rows[j]
			out.Users[i] = persona.CustomerValue{Customer: true, RepeatPurchases: r.RepeatPurchases, FirstToLast: r.FirstToLast, FirstToEnd: r.FirstToEnd,
				MeanRepeatValue: r.MeanRepeatValue, PAlive: r.PAlive, ExpectedPurchases: r.ExpectedPurchases,
				ExpectedOrderValue: r.ExpectedOrderValue, CLV: r.CLV, NextOrderDays: r.NextOrderDays}
		}
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// scoreValue values the customers of the scored data with the model's
// saved value models and writes out/value.csv; it returns the columns
// aligned to ids, or nil when there is nothing to value.
func scoreValue(purchases func(asOf time.Time, fn func(string, time.Time, float64) error) error, saved *value.Saved, asOf time.Time, ids []string, out string) (*profile.ValueInput, error) {
	b := value.NewBuilder(value.SummaryOptions{Unit: saved.Unit(), ObservationEnd: asOf})
	if err := purchases(asOf, b.Add); err != nil {
		return nil, err
	}
	if b.Purchases() == 0 {
		return nil, nil
	}
	full, err := b.Summary()
	if err != nil {
		return nil, err
	}
	res, err := value.Apply(full, saved)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(out, "value.csv"), func(w io.Writer) error {
		return value.WriteCSV(w, full, res, saved.LostBelow)
	}); err != nil {
		return nil, err
	}
	return alignValue(full, res, ids, saved.LostBelow), nil
}

// alignValue returns res's columns in the order of ids, NaN for a user
// without a purchase.
func alignValue(full *value.Summary, res *value.Result, ids []string, lost float64) *profile.ValueInput {
	pos := make(map[string]int, full.Len())
	for i, id := range full.IDs {
		pos[id] = i
	}
	n := len(ids)
	in := &profile.ValueInput{PAlive: make([]float64, n), ExpectedPurchases: make([]float64, n), LostBelow: lost}
	if res.CLV != nil {
		in.CLV = make([]float64, n)
	}
	for i, id := range ids {
		j, ok := pos[id]
		if !ok || !finite(res.PAlive[j]) || !finite(res.ExpectedPurchases[j]) {
			in.PAlive[i], in.ExpectedPurchases[i] = math.NaN(), math.NaN()
			if in.CLV != nil {
				in.CLV[i] = math.NaN()
			}
			continue
		}
		in.PAlive[i], in.ExpectedPurchases[i] = res.PAlive[j], res.ExpectedPurchases[j]
		if in.CLV != nil {
			in.CLV[i] = res.CLV[j]
		}
	}
	return in
}
