package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/atomicfile"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/value"
)

// ValueOptions holds the flags of "persona value".
type ValueOptions struct {
	IO             *IOStreams
	Config         string
	Out            string
	CalibrationEnd time.Time // zero: none
	Unit           value.Unit
	HorizonMonths  int
	Discount       float64
	Model          value.Model
	Penalizer      float64
	MaxRejectRate  float64 // < 0: from the config
	Quiet          bool
	JSON           bool
}

// NewCmdValue fits the customer-value models to a config's transactions.
func NewCmdValue(f *Factory, runF func(*ValueOptions) error) *cobra.Command {
	opts := &ValueOptions{IO: f.IO}
	var calEnd, unit, horizon, model string
	cmd := &cobra.Command{
		Use:   "value",
		Short: "Predict each customer's purchases, chance of being active and lifetime value",
		Long: `Fit the "buy till you die" models of customer-base analysis to the
transactions of a config file (--config, as for persona run) and score every
customer who bought:

  BG/NBD (or Pareto/NBD)  how often each customer buys and how likely they
                          are to have stopped: p_alive, the expected purchases
                          over --horizon, the likely date of the next order
  Gamma-Gamma             how much a purchase is worth: the expected order
                          value, and with the purchases the lifetime value
                          (clv) over --horizon, discounted by --discount a month

A purchase is a day with at least one line of positive quantity, worth the
day's quantity × unit_price × (1 − discount); returns are left out. The
models see per customer: repeat_purchases (purchase days minus one),
first_to_last (first to last purchase day) and first_to_end (first purchase
day to the end of the data: as_of, or the latest timestamp), in --time-unit.
They are not persona's frequency (orders) and recency_days (days since the
last order): docs/value.md defines both.

--calibration-end DATE checks the models first: they are fitted to the
purchases up to DATE and their predictions for the days after it compared
with what the customers bought (the holdout error per customer). With
--model auto (the default) the model with the lower holdout error is used,
or without a holdout the higher log-likelihood; either way the values come
from the chosen model refitted to all the purchases.

Writes OUT/value.csv (one row per customer, sorted by user_id) and prints
the fitted parameters with their standard errors, the holdout check and any
warning (also on stderr): too few repeat customers, a fit that does not
converge, spend that depends on frequency, purchases without amounts (then
no clv). --json prints {bgnbd, pareto_nbd, gamma_gamma, holdout, model,
warnings, ...} instead.`,
		Example: `  persona value --config persona.yaml --out value-out
  persona value -c examples/online-retail/persona.yaml -o out --calibration-end 2011-09-30
  persona value -c persona.yaml -o out --time-unit weeks --horizon 24m --discount 0.01 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Config == "" {
				return usagef("--config must name a config file (persona init drafts one)")
			}
			if opts.Out == "" {
				return usagef("--out must name a folder")
			}
			var err error
			if calEnd != "" {
				if opts.CalibrationEnd, err = time.Parse("2006-01-02", calEnd); err != nil {
					return usagef("--calibration-end %q: want a date like 2011-09-30", calEnd)
				}
			}
			if opts.Unit, err = value.ParseUnit(unit); err != nil {
				return usagef("--time-unit: %v", err)
			}
			if opts.HorizonMonths, err = parseMonths(horizon); err != nil {
				return usagef("--horizon: %v", err)
			}
			if opts.Model, err = value.ParseModel(model); err != nil {
				return usagef("--model: %v", err)
			}
			if math.IsNaN(opts.Discount) || opts.Discount < 0 || opts.Discount >= 1 {
				return usagef("--discount must be a monthly rate from 0 to below 1, got %g", opts.Discount)
			}
			if math.IsNaN(opts.Penalizer) || math.IsInf(opts.Penalizer, 0) || opts.Penalizer < 0 {
				return usagef("--penalizer must be a number >= 0, got %g", opts.Penalizer)
			}
			if cmd.Flags().Changed("max-reject-rate") && (opts.MaxRejectRate < 0 || opts.MaxRejectRate > 1) {
				return usagef("--max-reject-rate must be between 0 and 1, got %g", opts.MaxRejectRate)
			}
			if !cmd.Flags().Changed("max-reject-rate") {
				opts.MaxRejectRate = -1
			}
			if runF != nil {
				return runF(opts)
			}
			return valueRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Config, "config", "c", "", "config `file` (YAML)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "output `folder` for value.csv")
	cmd.Flags().StringVar(&calEnd, "calibration-end", "", "last `date` (YYYY-MM-DD) of the calibration period: check the predictions on the days after it")
	cmd.Flags().StringVar(&unit, "time-unit", "days", "`unit` of the summary and of alpha and beta: days or weeks")
	cmd.Flags().StringVar(&horizon, "horizon", "12m", "`months` ahead for the expected purchases and the lifetime value: 12m, 2y, 18")
	cmd.Flags().Float64Var(&opts.Discount, "discount", 0.01, "monthly discount `rate` of the lifetime value (0.01 = 1% a month)")
	cmd.Flags().StringVar(&model, "model", "auto", "transaction `model`: auto, bgnbd or pnbd")
	cmd.Flags().Float64Var(&opts.Penalizer, "penalizer", 0, "L2 penalty on the parameters (lifetimes' penalizer_coef; 0.001 to 0.1 steadies small data)")
	cmd.Flags().Float64Var(&opts.MaxRejectRate, "max-reject-rate", dataset.DefaultMaxRejectRate, "largest share of a dataset's rows that may be rejected (overrides the config)")
	addOutputFlags(cmd, &opts.Quiet, &opts.JSON, "print a JSON summary (fits, holdout check, warnings) on stdout")
	return cmd
}

// parseMonths reads a horizon: 12m, 2y or a whole number of months.
func parseMonths(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	mult := 1
	switch {
	case strings.HasSuffix(s, "m"):
		s = strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "y"):
		s, mult = strings.TrimSuffix(s, "y"), 12
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n*mult > 1200 {
		return 0, fmt.Errorf("want a whole number of months or years from 1 month to 100 years, such as 12m or 2y")
	}
	return n * mult, nil
}

// valueSummary is what "persona value --json" prints.
type valueSummary struct {
	Customers       int                       `json:"customers"`
	RepeatCustomers int                       `json:"repeat_customers"`
	Purchases       int                       `json:"purchase_days"`
	ObservationEnd  string                    `json:"observation_end"`
	TimeUnit        string                    `json:"time_unit"`
	Model           string                    `json:"model"`
	ModelReason     string                    `json:"model_reason"`
	BGNBD           *bgnbdJSON                `json:"bgnbd"`
	ParetoNBD       *paretoJSON               `json:"pareto_nbd"`
	GammaGamma      *gammaGammaJSON           `json:"gamma_gamma"`
	Holdout         *holdoutJSON              `json:"holdout"`
	Value           valueTotals               `json:"value"`
	Warnings        []string                  `json:"warnings"`
	Path            string                    `json:"path"`
	Rejects         []string                  `json:"rejects"`
	Datasets        map[string]dataset.Counts `json:"datasets"`
	Seconds         float64                   `json:"seconds"`
}

type bgnbdJSON struct {
	R             float64  `json:"r"`
	Alpha         float64  `json:"alpha"`
	A             float64  `json:"a"`
	B             float64  `json:"b"`
	LogLikelihood float64  `json:"log_likelihood"`
	SE            *bgnbdSE `json:"se"`
}

type bgnbdSE struct {
	R     *float64 `json:"r"`
	Alpha *float64 `json:"alpha"`
	A     *float64 `json:"a"`
	B     *float64 `json:"b"`
}

type paretoJSON struct {
	R             float64   `json:"r"`
	Alpha         float64   `json:"alpha"`
	S             float64   `json:"s"`
	Beta          float64   `json:"beta"`
	LogLikelihood float64   `json:"log_likelihood"`
	SE            *paretoSE `json:"se"`
}

type paretoSE struct {
	R     *float64 `json:"r"`
	Alpha *float64 `json:"alpha"`
	S     *float64 `json:"s"`
	Beta  *float64 `json:"beta"`
}

type gammaGammaJSON struct {
	P             float64 `json:"p"`
	Q             float64 `json:"q"`
	V             float64 `json:"v"`
	LogLikelihood float64 `json:"log_likelihood"`
	Customers     int     `json:"customers"`
	Correlation   float64 `json:"frequency_value_correlation"`
	SE            struct {
		P *float64 `json:"p"`
		Q *float64 `json:"q"`
		V *float64 `json:"v"`
	} `json:"se"`
}

type holdoutJSON struct {
	CalibrationEnd     string         `json:"calibration_end"`
	HoldoutEnd         string         `json:"holdout_end"`
	Duration           float64        `json:"duration"`
	Customers          int            `json:"customers"`
	Model              string         `json:"model"`
	ActualPurchases    float64        `json:"actual_purchases"`
	PredictedPurchases float64        `json:"predicted_purchases"`
	MAEPerCustomer     float64        `json:"mae_per_customer"`
	RMSEPerCustomer    float64        `json:"rmse_per_customer"`
	BGNBD              *bgnbdJSON     `json:"bgnbd"`
	ParetoNBD          *paretoJSON    `json:"pareto_nbd"`
	BGNBDMAE           *float64       `json:"bgnbd_mae_per_customer"`
	ParetoNBDMAE       *float64       `json:"pareto_nbd_mae_per_customer"`
	BGNBDRMSE          *float64       `json:"bgnbd_rmse_per_customer"`
	ParetoNBDRMSE      *float64       `json:"pareto_nbd_rmse_per_customer"`
	ByFrequency        []holdoutGroup `json:"by_frequency"`
}

type holdoutGroup struct {
	Frequency string  `json:"calibration_repeat_purchases"`
	Customers int     `json:"customers"`
	Actual    float64 `json:"mean_actual"`
	Predicted float64 `json:"mean_predicted"`
}

type valueTotals struct {
	HorizonMonths     int      `json:"horizon_months"`
	Discount          float64  `json:"monthly_discount"`
	MeanPAlive        float64  `json:"mean_p_alive"`
	ExpectedPurchases float64  `json:"expected_purchases"`
	TotalCLV          *float64 `json:"total_clv"`
	MeanCLV           *float64 `json:"mean_clv"`
}

// num returns a pointer to v, or nil when v is not finite (JSON null).
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func bgJSON(f *value.BGNBDFit) *bgnbdJSON {
	if f == nil {
		return nil
	}
	return &bgnbdJSON{R: f.R, Alpha: f.Alpha, A: f.A, B: f.B, LogLikelihood: f.LogLikelihood,
		SE: &bgnbdSE{num(f.SE.R), num(f.SE.Alpha), num(f.SE.A), num(f.SE.B)}}
}

func pnJSON(f *value.ParetoNBDFit) *paretoJSON {
	if f == nil {
		return nil
	}
	return &paretoJSON{R: f.R, Alpha: f.Alpha, S: f.S, Beta: f.Beta, LogLikelihood: f.LogLikelihood,
		SE: &paretoSE{num(f.SE.R), num(f.SE.Alpha), num(f.SE.S), num(f.SE.Beta)}}
}

func valueRun(opts *ValueOptions) (err error) {
	start := time.Now()
	cfg, err := loadConfig(opts.Config, opts.MaxRejectRate)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	db, err := sql.Open(DriverName, "")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	prog := newProgress(opts.IO, opts.Quiet)
	defer func() { prog.done(err) }()
	prog.update(pipeline.Progress{Step: "load"})
	st, err := dataset.LoadWith(ctx, db, cfg, dataset.LoadOptions{Progress: func(done, total int) {
		prog.update(pipeline.Progress{Step: "load", Done: done, Total: total})
	}})
	var rr *dataset.RejectRateError
	if err != nil && !errors.As(err, &rr) {
		return err
	}
	written, werr := dataset.WriteRejects(ctx, db, filepath.Join(opts.Out, "rejects"))
	if err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	prog.update(pipeline.Progress{Step: "summarise"})
	end, err := observationEnd(ctx, db, cfg)
	if err != nil {
		return err
	}
	b := value.NewBuilder(value.SummaryOptions{Unit: opts.Unit, ObservationEnd: end})
	if err := features.PurchaseDays(ctx, db, time.Time{}, b.Add); err != nil {
		return err
	}
	full, err := b.Summary()
	if errors.Is(err, value.ErrNoPurchases) {
		return errors.New("the transactions hold no purchase (a line with a positive quantity): nothing to value")
	}
	if err != nil {
		return err
	}
	var cal *value.Summary
	if !opts.CalibrationEnd.IsZero() {
		if cal, err = b.Calibration(opts.CalibrationEnd); err != nil {
			return fmt.Errorf("--calibration-end: %w", err)
		}
	}
	prog.update(pipeline.Progress{Step: "fit"})
	res, err := value.Score(ctx, full, cal, value.Options{
		Model: opts.Model, HorizonMonths: opts.HorizonMonths, Discount: opts.Discount,
		Fit: value.FitOptions{Penalizer: opts.Penalizer},
	})
	if err != nil {
		return err
	}
	prog.update(pipeline.Progress{Step: "write"})
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	path := filepath.Join(opts.Out, "value.csv")
	if err := atomicfile.Write(path, func(w io.Writer) error { return value.WriteCSV(w, full, res, 0.5) }); err != nil {
		return err
	}
	prog.done(nil)

	sum := valueSummary{
		Customers: full.Len(), RepeatCustomers: full.Repeaters(), Purchases: b.Purchases(),
		ObservationEnd: full.End.Format("2006-01-02"), TimeUnit: opts.Unit.String(),
		Model: res.Model.String(), ModelReason: res.Reason,
		BGNBD: bgJSON(res.BGNBD), ParetoNBD: pnJSON(res.ParetoNBD),
		Warnings: res.Warnings, Path: path, Rejects: written, Datasets: map[string]dataset.Counts{},
	}
	if sum.Warnings == nil {
		sum.Warnings = []string{}
	}
	if sum.Rejects == nil {
		sum.Rejects = []string{}
	}
	for k, c := range st.Counts {
		sum.Datasets[string(k)] = c
	}
	if g := res.GammaGamma; g != nil {
		gj := &gammaGammaJSON{P: g.P, Q: g.Q, V: g.V, LogLikelihood: g.LogLikelihood, Customers: int(g.Customers), Correlation: g.Correlation}
		gj.SE.P, gj.SE.Q, gj.SE.V = num(g.SE.P), num(g.SE.Q), num(g.SE.V)
		sum.GammaGamma = gj
	}
	if h := res.Holdout; h != nil {
		hj := &holdoutJSON{
			CalibrationEnd: h.CalibrationEnd.Format("2006-01-02"), HoldoutEnd: h.HoldoutEnd.Format("2006-01-02"),
			Duration: h.Duration, Customers: h.Customers, Model: h.Model.String(),
			ActualPurchases: h.Actual, PredictedPurchases: h.Predicted, MAEPerCustomer: h.MAE, RMSEPerCustomer: h.RMSE,
			BGNBDRMSE: num(h.BGNBDRMSE), ParetoNBDRMSE: num(h.ParetoNBDRMSE),
			BGNBD: bgJSON(h.BGNBD), ParetoNBD: pnJSON(h.ParetoNBD), BGNBDMAE: num(h.BGNBDMAE), ParetoNBDMAE: num(h.ParetoNBDMAE),
		}
		for _, g := range h.ByFrequency {
			f := strconv.Itoa(g.Frequency)
			if g.AndMore {
				f += "+"
			}
			hj.ByFrequency = append(hj.ByFrequency, holdoutGroup{Frequency: f, Customers: g.Customers, Actual: g.Actual, Predicted: g.Predicted})
		}
		sum.Holdout = hj
	}
	sum.Value = totals(res)
	sum.Seconds = time.Since(start).Seconds()
	if !opts.Quiet {
		for _, w := range res.Warnings {
			fmt.Fprintf(opts.IO.ErrOut, "persona: warning: %s\n", w)
		}
	}
	switch {
	case opts.JSON:
		return printJSON(opts.IO.Out, sum)
	case !opts.Quiet:
		printValue(opts.IO.Out, sum)
	}
	return nil
}

// observationEnd returns the config's as_of or, as for the features, the
// latest timestamp of any dataset.
func observationEnd(ctx context.Context, db *sql.DB, cfg *dataset.Config) (time.Time, error) {
	if !cfg.AsOf.IsZero() {
		return cfg.AsOf.Time, nil
	}
	var maxTS sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT max(ts) FROM (
		SELECT max(timestamp) ts FROM events UNION ALL SELECT max(timestamp) FROM transactions
		UNION ALL SELECT max(timestamp) FROM social UNION ALL SELECT CAST(max(signup_date) AS TIMESTAMP) FROM users)`).Scan(&maxTS)
	if err != nil {
		return time.Time{}, fmt.Errorf("find the data's latest timestamp: %w", err)
	}
	if !maxTS.Valid {
		return time.Time{}, errors.New("the data has no timestamps: set the reference date (as_of)")
	}
	return maxTS.Time, nil
}

// totals sums the values over the customers.
func totals(res *value.Result) valueTotals {
	t := valueTotals{HorizonMonths: res.HorizonMonths, Discount: res.Discount}
	n := float64(len(res.PAlive))
	var pa, ep, clv float64
	for i := range res.PAlive {
		pa += res.PAlive[i]
		ep += res.ExpectedPurchases[i]
		if res.CLV != nil {
			clv += res.CLV[i]
		}
	}
	t.MeanPAlive, t.ExpectedPurchases = pa/n, ep
	if res.CLV != nil {
		t.TotalCLV, t.MeanCLV = num(clv), num(clv/n)
	}
	return t
}

// printValue prints the fits, the holdout check and the totals.
func printValue(w io.Writer, s valueSummary) {
	fmt.Fprintf(w, "%d customers (%d with a repeat purchase), observed to %s, time unit %s\n\n",
		s.Customers, s.RepeatCustomers, s.ObservationEnd, s.TimeUnit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	se := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.6g", *v)
	}
	if b := s.BGNBD; b != nil {
		fmt.Fprintf(tw, "BG/NBD\tr\t%.6g\t(se %s)\n", b.R, se(b.SE.R))
		fmt.Fprintf(tw, "\talpha\t%.6g\t(se %s)\n", b.Alpha, se(b.SE.Alpha))
		fmt.Fprintf(tw, "\ta\t%.6g\t(se %s)\n", b.A, se(b.SE.A))
		fmt.Fprintf(tw, "\tb\t%.6g\t(se %s)\n", b.B, se(b.SE.B))
		fmt.Fprintf(tw, "\tlog-likelihood\t%.4f\t\n", b.LogLikelihood)
	}
	if p := s.ParetoNBD; p != nil {
		fmt.Fprintf(tw, "Pareto/NBD\tr\t%.6g\t(se %s)\n", p.R, se(p.SE.R))
		fmt.Fprintf(tw, "\talpha\t%.6g\t(se %s)\n", p.Alpha, se(p.SE.Alpha))
		fmt.Fprintf(tw, "\ts\t%.6g\t(se %s)\n", p.S, se(p.SE.S))
		fmt.Fprintf(tw, "\tbeta\t%.6g\t(se %s)\n", p.Beta, se(p.SE.Beta))
		fmt.Fprintf(tw, "\tlog-likelihood\t%.4f\t\n", p.LogLikelihood)
	}
	if g := s.GammaGamma; g != nil {
		fmt.Fprintf(tw, "Gamma-Gamma\tp\t%.6g\t(se %s)\n", g.P, se(g.SE.P))
		fmt.Fprintf(tw, "\tq\t%.6g\t(se %s)\n", g.Q, se(g.SE.Q))
		fmt.Fprintf(tw, "\tv\t%.6g\t(se %s)\n", g.V, se(g.SE.V))
		fmt.Fprintf(tw, "\tcorr(frequency, value)\t%.4f\t\n", g.Correlation)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nModel used: %s (%s)\n", s.Model, s.ModelReason)
	if h := s.Holdout; h != nil {
		fmt.Fprintf(w, "\nHoldout check: fitted to %s, predicted %s to %s (%g %s) for %d customers\n",
			h.CalibrationEnd, h.CalibrationEnd, h.HoldoutEnd, h.Duration, s.TimeUnit, h.Customers)
		fmt.Fprintf(w, "  actual %.0f purchases, predicted %.1f; error per customer: mean absolute %.4f, root mean squared %.4f\n",
			h.ActualPurchases, h.PredictedPurchases, h.MAEPerCustomer, h.RMSEPerCustomer)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  CALIBRATION REPEATS\tCUSTOMERS\tMEAN ACTUAL\tMEAN PREDICTED\t")
		for _, g := range h.ByFrequency {
			fmt.Fprintf(tw, "  %s\t%d\t%.3f\t%.3f\t\n", g.Frequency, g.Customers, g.Actual, g.Predicted)
		}
		tw.Flush()
	}
	v := s.Value
	fmt.Fprintf(w, "\nNext %d months: %.1f expected purchases, mean P(alive) %.3f", v.HorizonMonths, v.ExpectedPurchases, v.MeanPAlive)
	if v.TotalCLV != nil {
		fmt.Fprintf(w, ", lifetime value %.2f in total, %.2f per customer (discount %g a month)", *v.TotalCLV, *v.MeanCLV, v.Discount)
	}
	fmt.Fprintf(w, "\n\nWritten: %s\n", s.Path)
	for _, p := range s.Rejects {
		fmt.Fprintf(w, "Rejected or dropped rows: %s\n", p)
	}
}
