package value

import (
	"errors"
	"fmt"
)

// Saved is what a run keeps of its customer-value models, to value new
// customers without refitting (Apply): the transaction model used, the
// Gamma-Gamma model (nil when spend could not be modelled) and the
// settings. It encodes as JSON.
type Saved struct {
	Model         string      `json:"model"` // bgnbd or pnbd
	TimeUnit      string      `json:"time_unit"`
	BGNBD         *BGNBD      `json:"bgnbd,omitempty"`
	ParetoNBD     *ParetoNBD  `json:"pareto_nbd,omitempty"`
	GammaGamma    *GammaGamma `json:"gamma_gamma,omitempty"`
	HorizonMonths int         `json:"horizon_months"`
	Discount      float64     `json:"monthly_discount"`
	LostBelow     float64     `json:"likely_lost_below"`
}

// Save returns what Apply needs of res.
func Save(res *Result, unit Unit, lostBelow float64) *Saved {
	s := &Saved{Model: res.Model.String(), TimeUnit: unit.String(), HorizonMonths: res.HorizonMonths, Discount: res.Discount, LostBelow: lostBelow}
	if res.Model == ModelParetoNBD && res.ParetoNBD != nil {
		p := res.ParetoNBD.ParetoNBD
		s.ParetoNBD = &p
	} else if res.BGNBD != nil {
		b := res.BGNBD.BGNBD
		s.BGNBD = &b
	}
	if res.GammaGamma != nil {
		g := res.GammaGamma.GammaGamma
		s.GammaGamma = &g
	}
	return s
}

// Unit returns the saved time unit.
func (s *Saved) Unit() Unit {
	u, _ := ParseUnit(s.TimeUnit)
	return u
}

// Apply values the customers of summary with the saved models, fitting
// nothing: the same columns as Score's, in the order of summary.IDs. The
// summary must be in the saved time unit (the parameters are per unit).
func Apply(summary *Summary, s *Saved) (*Result, error) {
	if summary == nil || summary.Len() == 0 {
		return nil, ErrNoPurchases
	}
	if err := checkSummary(summary); err != nil {
		return nil, err
	}
	if summary.Unit != s.Unit() {
		return nil, fmt.Errorf("the summary is in %s, the saved models in %s", summary.Unit, s.TimeUnit)
	}
	res := &Result{HorizonMonths: s.HorizonMonths, Discount: s.Discount}
	var tm TransactionModel
	switch {
	case s.ParetoNBD != nil:
		res.Model, tm = ModelParetoNBD, *s.ParetoNBD
		res.ParetoNBD = &ParetoNBDFit{ParetoNBD: *s.ParetoNBD}
	case s.BGNBD != nil:
		res.Model, tm = ModelBGNBD, *s.BGNBD
		res.BGNBD = &BGNBDFit{BGNBD: *s.BGNBD}
	default:
		return nil, errors.New("the saved value models hold no transaction model")
	}
	res.Reason = "saved with the model"
	if s.GammaGamma != nil && summary.HasAmounts {
		res.GammaGamma = &GammaGammaFit{GammaGamma: *s.GammaGamma}
	}
	o := Options{HorizonMonths: s.HorizonMonths, Discount: s.Discount}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	of := make([]int32, summary.Len())
	p := compress(summary.Frequency, summary.Recency, summary.T, nil, of)
	score(summary, p, of, tm, res, o)
	return res, nil
}
