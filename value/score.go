package value

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/persona-seg/persona/internal/parallel"
)

// Model names a transaction model, or the choice between them.
type Model int

const (
	// Auto fits both models and keeps the one with the lower holdout
	// error per customer (root mean squared), or without a holdout period the higher
	// log-likelihood (both have four parameters).
	Auto Model = iota
	// ModelBGNBD is the BG/NBD model.
	ModelBGNBD
	// ModelParetoNBD is the Pareto/NBD model.
	ModelParetoNBD
)

// String returns "auto", "bgnbd" or "pnbd".
func (m Model) String() string {
	switch m {
	case ModelBGNBD:
		return "bgnbd"
	case ModelParetoNBD:
		return "pnbd"
	}
	return "auto"
}

// Name returns the model's name as the literature writes it.
func (m Model) Name() string {
	switch m {
	case ModelBGNBD:
		return "BG/NBD"
	case ModelParetoNBD:
		return "Pareto/NBD"
	}
	return "auto"
}

// ParseModel reads "auto", "bgnbd" or "pnbd" (also "bg/nbd", "pareto",
// "paretonbd", "pareto/nbd").
func ParseModel(s string) (Model, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return Auto, nil
	case "bgnbd", "bg/nbd", "bg-nbd":
		return ModelBGNBD, nil
	case "pnbd", "pareto", "paretonbd", "pareto/nbd", "pareto-nbd":
		return ModelParetoNBD, nil
	}
	return 0, fmt.Errorf("model %q: want auto, bgnbd or pnbd", s)
}

// Options configures Score. The zero value chooses the model
// automatically, values 12 months without discounting, and warns when
// the frequency–spend correlation exceeds DefaultMaxCorrelation.
type Options struct {
	Model Model
	// HorizonMonths is the horizon of the expected purchases and the
	// lifetime value, in months; 0 means 12.
	HorizonMonths int
	// Discount is the monthly discount rate of the lifetime value (0.01
	// is lifetimes' default); 0 means none.
	Discount float64
	// MaxCorrelation is the largest |correlation| of frequency and mean
	// repeat value that passes the Gamma-Gamma independence check; 0
	// means DefaultMaxCorrelation.
	MaxCorrelation float64
	Fit            FitOptions
}

// ParetoAutoLimit is the largest number of distinct customer histories
// on which Auto fits the Pareto/NBD model besides BG/NBD.
const ParetoAutoLimit = 5000

// DefaultMaxCorrelation is the independence check's default threshold.
const DefaultMaxCorrelation = 0.3

// Validate reports whether the options are usable.
func (o Options) Validate() error {
	switch {
	case o.Model < Auto || o.Model > ModelParetoNBD:
		return fmt.Errorf("model %d: want Auto, ModelBGNBD or ModelParetoNBD", int(o.Model))
	case o.HorizonMonths < 0 || o.HorizonMonths > 1200:
		return fmt.Errorf("horizon %d months: want 1 to 1200", o.HorizonMonths)
	case !finite(o.Discount) || o.Discount < 0 || o.Discount >= 1:
		return fmt.Errorf("discount %g: want a monthly rate from 0 to below 1", o.Discount)
	case !finite(o.MaxCorrelation) || o.MaxCorrelation < 0 || o.MaxCorrelation > 1:
		return fmt.Errorf("max correlation %g: want 0 to 1", o.MaxCorrelation)
	}
	return o.Fit.validate()
}

func (o Options) withDefaults() Options {
	if o.HorizonMonths == 0 {
		o.HorizonMonths = 12
	}
	if o.MaxCorrelation == 0 {
		o.MaxCorrelation = DefaultMaxCorrelation
	}
	o.Fit = o.Fit.withDefaults()
	return o
}

// Result is what Score found: the fitted models, the holdout check and
// the per-customer values.
type Result struct {
	// Model is the transaction model the values come from, and Reason
	// says why it was chosen.
	Model  Model
	Reason string
	// The transaction models fitted to the whole period; nil when not
	// fitted or when the fit failed (see Warnings).
	BGNBD     *BGNBDFit
	ParetoNBD *ParetoNBDFit
	// GammaGamma is nil when spend could not be modelled: then
	// ExpectedValue and CLV are nil and Warnings says why.
	GammaGamma *GammaGammaFit
	// Holdout is the calibration check; nil without a calibration summary.
	Holdout *Holdout
	// Warnings are the problems that did not stop the scoring.
	Warnings []string
	// HorizonMonths, Discount: as used.
	HorizonMonths int
	Discount      float64

	// Per customer, in the order of the whole period's summary:
	// PAlive is the probability of being active at its End,
	// ExpectedPurchases the expected purchases over the horizon,
	// ExpectedValue the expected value of a purchase (Gamma-Gamma), CLV
	// the discounted lifetime value over the horizon, NextPurchaseDays the
	// median days from End to an active customer's next purchase.
	PAlive            []float64
	ExpectedPurchases []float64
	ExpectedValue     []float64
	CLV               []float64
	NextPurchaseDays  []float64

	paretoSkipped bool // Auto did not fit Pareto/NBD: too many histories
	fallback      bool // the holdout's choice did not fit the whole period
}

// Holdout compares the purchases a model fitted to the calibration
// period predicts for the holdout period with the purchases made.
type Holdout struct {
	CalibrationEnd time.Time
	HoldoutEnd     time.Time
	Duration       float64 // in the summary's unit
	Customers      int
	// Model is the model the figures below are of (the one used).
	Model Model
	// Actual and Predicted are the total holdout purchases (purchase
	// days); MAE and RMSE the mean absolute and the root mean squared
	// error per customer.
	Actual, Predicted, MAE, RMSE float64
	// The calibration fits and their errors (nil, NaN when not fitted).
	// The model with the lower RMSE is chosen: the predictions are
	// expectations, which the squared error rewards and the absolute
	// error does not (with mostly 0 purchases it favours predicting too
	// few).
	BGNBD                    *BGNBDFit
	ParetoNBD                *ParetoNBDFit
	BGNBDMAE, ParetoNBDMAE   float64
	BGNBDRMSE, ParetoNBDRMSE float64
	// ByFrequency groups customers by calibration frequency 0, 1, ...,
	// with the last group holding every frequency from its own up
	// (lifetimes' plot_calibration_purchases_vs_holdout_purchases).
	ByFrequency []HoldoutGroup
}

// HoldoutGroup is one calibration frequency's mean actual and predicted
// holdout purchases.
type HoldoutGroup struct {
	Frequency int  // calibration repeat purchases
	AndMore   bool // the group holds Frequency and above
	Customers int
	Actual    float64
	Predicted float64
}

// HoldoutGroups is the number of groups in Holdout.ByFrequency: 0 to 6
// repeat purchases and 7 or more.
const HoldoutGroups = 8

// Score fits the transaction model(s) and the Gamma-Gamma model to the
// whole period's summary and computes every customer's values. With a
// calibration summary (Builder.Calibration) the models are first fitted
// to the calibration period and checked against the holdout period; the
// model chosen there is refitted to the whole period.
func Score(ctx context.Context, full, cal *Summary, o Options) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	if full == nil || full.Len() == 0 {
		return nil, ErrNoPurchases
	}
	if err := checkSummary(full); err != nil {
		return nil, err
	}
	res := &Result{HorizonMonths: o.HorizonMonths, Discount: o.Discount}
	model := o.Model
	if cal != nil {
		if err := checkSummary(cal); err != nil {
			return nil, err
		}
		if cal.FrequencyHoldout == nil {
			return nil, errors.New("the calibration summary has no holdout period (use Builder.Calibration)")
		}
		h, err := holdoutCheck(ctx, cal, o, res)
		if err != nil {
			return nil, err
		}
		res.Holdout = h
		model = h.Model
	}
	fp := make([]int32, full.Len())
	p := compress(full.Frequency, full.Recency, full.T, nil, fp)
	bg, pn, err := fitModels(ctx, p, model, o, res, "")
	if err != nil && res.Holdout != nil && o.Model == Auto {
		// The model the holdout period chose does not fit the whole
		// period: fall back on the other.
		other := ModelBGNBD
		if model == ModelBGNBD {
			other = ModelParetoNBD
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("whole period: %v: using %s", err, other.Name()))
		model = other
		res.fallback = true
		bg, pn, err = fitModels(ctx, p, model, o, res, "")
	}
	if err != nil {
		return nil, err
	}
	res.BGNBD, res.ParetoNBD = bg, pn
	if bg != nil {
		res.Warnings = append(res.Warnings, boundWarning("BG/NBD", bg.AtBound)...)
	}
	if pn != nil {
		res.Warnings = append(res.Warnings, boundWarning("Pareto/NBD", pn.AtBound)...)
	}
	var tm TransactionModel
	switch {
	case model == ModelBGNBD || (model == Auto && pn == nil):
		res.Model, tm = ModelBGNBD, bg.BGNBD
	case model == ModelParetoNBD || bg == nil:
		res.Model, tm = ModelParetoNBD, pn.ParetoNBD
	case pn.LogLikelihood > bg.LogLikelihood:
		res.Model, tm = ModelParetoNBD, pn.ParetoNBD
	default:
		res.Model, tm = ModelBGNBD, bg.BGNBD
	}
	switch {
	case res.fallback:
		res.Reason = "the model the holdout period chose could not be fitted to the whole period"
	case res.Holdout != nil:
		res.Reason = holdoutReason(res.Holdout, o.Model, res.paretoSkipped)
	case o.Model != Auto:
		res.Reason = "asked for"
	case bg != nil && pn != nil:
		res.Reason = fmt.Sprintf("higher log-likelihood (BG/NBD %.2f, Pareto/NBD %.2f; no holdout period to compare errors)", bg.LogLikelihood, pn.LogLikelihood)
	case res.paretoSkipped:
		res.Reason = "too many distinct histories to compare Pareto/NBD"
	default:
		res.Reason = "the only model that could be fitted"
	}

	// Spend.
	if !full.HasAmounts {
		res.Warnings = append(res.Warnings, "the purchases carry no amounts: the expected order value and the lifetime value are skipped (the transaction model is still fitted)")
	} else {
		gg, err := FitGammaGamma(ctx, full.Frequency, full.Monetary, nil, &o.Fit)
		var tf *TooFewError
		var ce *ConvergenceError
		switch {
		case errors.As(err, &tf), errors.As(err, &ce):
			res.Warnings = append(res.Warnings, err.Error()+": the expected order value and the lifetime value are skipped")
		case err != nil:
			return nil, err
		case gg.Q <= 1:
			res.Warnings = append(res.Warnings, fmt.Sprintf("the Gamma-Gamma fit has q = %.3g <= 1, an infinite mean spend: the expected order value and the lifetime value are skipped", gg.Q))
		default:
			res.GammaGamma = gg
			res.Warnings = append(res.Warnings, boundWarning("Gamma-Gamma", gg.AtBound)...)
			if math.Abs(gg.Correlation) > o.MaxCorrelation {
				res.Warnings = append(res.Warnings, fmt.Sprintf("the Gamma-Gamma model assumes spend independent of frequency, but their correlation over the repeat customers is %.3f (beyond ±%.2g): treat the expected order values with care", gg.Correlation, o.MaxCorrelation))
			}
		}
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	score(full, p, fp, tm, res, o)
	return res, nil
}

// boundWarning explains parameters that ended at the bound.
func boundWarning(model string, names []string) []string {
	if len(names) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s: %s ended at the bound of %g (on the fitting time scale): the likelihood still rises as they grow, as when the rates hardly vary across customers, so their values mean little; the predictions hold",
		model, strings.Join(names, ", "), float64(paramBound))}
}

// checkSummary validates a summary's columns.
func checkSummary(s *Summary) error {
	n := s.Len()
	if len(s.Frequency) != n || len(s.Recency) != n || len(s.T) != n || len(s.Monetary) != n {
		return errors.New("summary columns differ in length")
	}
	if s.FrequencyHoldout != nil && (len(s.FrequencyHoldout) != n || len(s.MonetaryHoldout) != n) {
		return errors.New("summary holdout columns differ in length")
	}
	return checkRFM(s.Frequency, s.Recency, s.T, nil)
}

// fitModels fits the models model asks for to p. In Auto mode a model
// that fails is reported in res.Warnings as long as the other fits; the
// error is returned when none fits. stage prefixes the warnings.
func fitModels(ctx context.Context, p *patterns, model Model, o Options, res *Result, stage string) (*BGNBDFit, *ParetoNBDFit, error) {
	var (
		bg           *BGNBDFit
		pn           *ParetoNBDFit
		bgErr, pnErr error
	)
	if model != ModelParetoNBD {
		bg, bgErr = fitBGNBD(ctx, p, o.Fit)
	}
	if model != ModelBGNBD {
		switch {
		case bgErr != nil && model == Auto && isTooFew(bgErr):
			pnErr = bgErr // the same count stops both
		case model == Auto && len(p.x) > ParetoAutoLimit && bgErr == nil:
			res.paretoSkipped = true
			res.Warnings = append(res.Warnings, fmt.Sprintf("%sPareto/NBD not compared: the data have %d distinct (frequency, recency, T) histories, more than the %d --model auto compares it on (its likelihood costs about a hundred times BG/NBD's); --model pnbd fits it", stage, len(p.x), ParetoAutoLimit))
		default:
			pn, pnErr = fitParetoNBD(ctx, p, o.Fit)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	switch {
	case model == ModelBGNBD && bgErr != nil:
		return nil, nil, bgErr
	case model == ModelParetoNBD && pnErr != nil:
		return nil, nil, pnErr
	case bgErr != nil && pnErr != nil:
		return nil, nil, bgErr
	case bgErr != nil:
		res.Warnings = append(res.Warnings, stage+bgErr.Error()+": using Pareto/NBD")
	case pnErr != nil && model == Auto:
		res.Warnings = append(res.Warnings, stage+pnErr.Error()+": using BG/NBD")
	}
	return bg, pn, nil
}

func isTooFew(err error) bool {
	var tf *TooFewError
	return errors.As(err, &tf)
}

// holdoutCheck fits the models to the calibration summary, predicts the
// holdout purchases and picks the model with the lower error.
func holdoutCheck(ctx context.Context, cal *Summary, o Options, res *Result) (*Holdout, error) {
	of := make([]int32, cal.Len())
	p := compress(cal.Frequency, cal.Recency, cal.T, nil, of)
	bg, pn, err := fitModels(ctx, p, o.Model, o, res, "calibration period: ")
	if err != nil {
		return nil, fmt.Errorf("calibration period: %w", err)
	}
	h := &Holdout{
		CalibrationEnd: cal.End, HoldoutEnd: cal.HoldoutEnd, Duration: cal.Holdout, Customers: cal.Len(),
		BGNBD: bg, ParetoNBD: pn, BGNBDMAE: math.NaN(), ParetoNBDMAE: math.NaN(),
		BGNBDRMSE: math.NaN(), ParetoNBDRMSE: math.NaN(),
	}
	predict := func(m TransactionModel) ([]float64, float64, float64) {
		pred := make([]float64, cal.Len())
		fut := map[[2]float64]float64{}
		fac := make([]float64, len(p.x))
		parallelFor(len(p.x), o.Fit.Workers, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				fac[i] = m.activeFactor(p.x[i], p.tx[i], p.T[i])
			}
		})
		mae, sse := 0.0, 0.0
		for i := range pred {
			k := [2]float64{cal.Frequency[i], cal.T[i]}
			f, ok := fut[k]
			if !ok {
				f = m.future(k[0], k[1], cal.Holdout)
				fut[k] = f
			}
			pred[i] = fac[of[i]] * f
			d := pred[i] - cal.FrequencyHoldout[i]
			mae += math.Abs(d)
			sse += d * d
		}
		n := float64(len(pred))
		return pred, mae / n, math.Sqrt(sse / n)
	}
	var bgPred, pnPred []float64
	if bg != nil {
		bgPred, h.BGNBDMAE, h.BGNBDRMSE = predict(bg.BGNBD)
	}
	if pn != nil {
		pnPred, h.ParetoNBDMAE, h.ParetoNBDRMSE = predict(pn.ParetoNBD)
	}
	pred := bgPred
	h.Model, h.MAE, h.RMSE = ModelBGNBD, h.BGNBDMAE, h.BGNBDRMSE
	if bg == nil || (pn != nil && h.ParetoNBDRMSE < h.BGNBDRMSE) {
		pred = pnPred
		h.Model, h.MAE, h.RMSE = ModelParetoNBD, h.ParetoNBDMAE, h.ParetoNBDRMSE
	}
	h.ByFrequency = make([]HoldoutGroup, HoldoutGroups)
	for g := range h.ByFrequency {
		h.ByFrequency[g].Frequency = g
	}
	h.ByFrequency[HoldoutGroups-1].AndMore = true
	for i, x := range cal.Frequency {
		h.Actual += cal.FrequencyHoldout[i]
		h.Predicted += pred[i]
		g := &h.ByFrequency[min(int(x), HoldoutGroups-1)]
		g.Customers++
		g.Actual += cal.FrequencyHoldout[i]
		g.Predicted += pred[i]
	}
	for g := range h.ByFrequency {
		if n := h.ByFrequency[g].Customers; n > 0 {
			h.ByFrequency[g].Actual /= float64(n)
			h.ByFrequency[g].Predicted /= float64(n)
		}
	}
	return h, nil
}

// holdoutReason explains the model choice made on the holdout period.
func holdoutReason(h *Holdout, asked Model, paretoSkipped bool) string {
	if asked != Auto {
		return "asked for"
	}
	if paretoSkipped {
		return "too many distinct histories to compare Pareto/NBD"
	}
	if h.BGNBD == nil || h.ParetoNBD == nil {
		return "the only model that could be fitted"
	}
	return fmt.Sprintf("lower holdout error per customer (root mean squared: BG/NBD %.4f, Pareto/NBD %.4f purchases)", h.BGNBDRMSE, h.ParetoNBDRMSE)
}

// score fills res's per-customer values from model tm. p holds the
// summary's patterns, of each customer's pattern.
func score(s *Summary, p *patterns, of []int32, tm TransactionModel, res *Result, o Options) {
	n := s.Len()
	months := o.HorizonMonths
	per := s.Unit.PerMonth()
	days := s.Unit.Days()
	// Per pattern: P(alive) and the active factor.
	alive := make([]float64, len(p.x))
	fac := make([]float64, len(p.x))
	parallelFor(len(p.x), o.Fit.Workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			alive[i] = tm.PAlive(p.x[i], p.tx[i], p.T[i])
			fac[i] = tm.activeFactor(p.x[i], p.tx[i], p.T[i])
		}
	})
	// Per (x, T): the discounted and total future purchases and the wait.
	type xt struct{ x, T float64 }
	keyOf := make([]int32, len(p.x))
	keys := map[xt]int32{}
	var kx, kT []float64
	for i := range p.x {
		k := xt{p.x[i], p.T[i]}
		j, ok := keys[k]
		if !ok {
			j = int32(len(kx))
			keys[k] = j
			kx, kT = append(kx, k.x), append(kT, k.T)
		}
		keyOf[i] = j
	}
	disc := make([]float64, len(kx))
	total := make([]float64, len(kx))
	wait := make([]float64, len(kx))
	parallelFor(len(kx), o.Fit.Workers, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			disc[j], total[j] = discountedPurchases(tm, kx[j], kT[j], months, o.Discount, per)
			wait[j] = medianWait(tm, kx[j], kT[j]) * days
		}
	})
	res.PAlive = make([]float64, n)
	res.ExpectedPurchases = make([]float64, n)
	res.NextPurchaseDays = make([]float64, n)
	gg := res.GammaGamma
	if gg != nil {
		res.ExpectedValue = make([]float64, n)
		res.CLV = make([]float64, n)
	}
	bad := 0
	for i := range n {
		q := of[i]
		k := keyOf[q]
		res.PAlive[i] = alive[q]
		res.ExpectedPurchases[i] = fac[q] * total[k]
		res.NextPurchaseDays[i] = wait[k]
		if gg != nil {
			v := gg.ExpectedValue(s.Frequency[i], s.Monetary[i])
			res.ExpectedValue[i] = v
			res.CLV[i] = fac[q] * v * disc[k]
			if !finite(res.CLV[i]) || !finite(v) {
				bad++
			}
		}
		if !finite(res.PAlive[i]) || !finite(res.ExpectedPurchases[i]) || !finite(res.NextPurchaseDays[i]) {
			bad++
		}
	}
	if bad > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d values could not be computed (they are left empty)", bad))
	}
}

// parallelFor calls f on blocks of [0, n) from up to workers goroutines.
func parallelFor(n, workers int, f func(lo, hi int)) {
	nb := (n + blockSize - 1) / blockSize
	if workers <= 1 || nb <= 1 {
		f(0, n)
		return
	}
	parallel.For(context.Background(), workers, nb, func(_, b int) { f(b*blockSize, min((b+1)*blockSize, n)) })
}
