// Package value predicts what customers will buy and what they are worth
// from their purchase history: the BG/NBD and Pareto/NBD models of
// repeat buying and dropout, the Gamma-Gamma model of spend, and the
// discounted customer lifetime value, as the lifetimes package (and BTYD
// in R) define them.
//
//	b := value.NewBuilder(value.SummaryOptions{Unit: value.Weeks})
//	b.Add("c1", t1, 29.33) // ... every purchase
//	full, _ := b.Summary()
//	res, _ := value.Score(ctx, full, nil, value.Options{Discount: 0.01})
//	// res.PAlive[i], res.ExpectedPurchases[i], res.CLV[i] for full.IDs[i]
//
// # The summary
//
// Purchases are counted by calendar day: a day with several purchases is
// one purchase worth their sum (lifetimes' freq="D"). Per customer:
//
//   - Frequency (x, lifetimes' frequency): purchase days minus one.
//   - Recency (t_x, lifetimes' recency): first to last purchase day.
//   - T (lifetimes' T): first purchase day to the end of the period.
//   - Monetary (lifetimes' monetary_value): the mean value of the repeat
//     purchase days, the first day left out; 0 without repeats.
//
// Times are in days, or in weeks (days/7, lifetimes' freq_multiplier 7).
// Builder.Calibration ends the period at a calibration date and counts
// the purchase days after it up to the observation end
// (frequency_holdout, duration_holdout, as calibration_and_holdout_data;
// its monetary_value_holdout here is the mean per purchase day, not per
// transaction row). lifetimes' recency is not persona's recency_days (days
// since the last purchase): recency_days = T − t_x, in days, when both end
// on the same day.
//
// # Models
//
// BG/NBD (Fader, Hardie & Lee 2005) and Pareto/NBD (Schmittlein, Morrison
// & Colombo 1987) are fitted by maximum likelihood on the log-parameters
// with BFGS (gonum/optimize) and exact gradients, on lifetimes' time scale
// (T divided by its largest value) and with lifetimes' L2 penalizer; the
// standard errors are lifetimes' delta-method ones from the Hessian of the
// mean negative log-likelihood. The Pareto/NBD likelihood needs the
// Gaussian hypergeometric function ₂F₁(a, b; a+1; z); after Euler's
// transformation it is summed as a series of positive terms, or near
// z = 1 through the connection to 1 − z. Gamma-Gamma (Fader & Hardie
// 2013) is fitted the same way to the repeat customers with a positive
// spend, and the Pearson correlation of their frequency and spend is
// reported: the model assumes none.
//
// Score fits what Options asks for: with a calibration summary it
// compares the models' predicted holdout purchases with the actual ones
// (mean absolute and root mean squared error per customer, and the means
// per calibration frequency as lifetimes'
// plot_calibration_purchases_vs_holdout_purchases draws them), keeps the
// model with the lower squared error, and refits it to the whole period.
// The lifetime value is lifetimes' customer_lifetime_value: month by
// month, the expected purchases of the month times the expected value of a
// purchase, discounted by (1+d)^month, a month being 30 days or 4.345
// weeks.
//
// # Invariants
//
//   - Inputs are never changed; results are the same to the last bit for
//     any number of goroutines (partial sums are added in a fixed order).
//   - Parameters stay within [1e-4, 1e4] on the fitting time scale: where
//     the likelihood keeps rising towards infinite parameters (rates that
//     hardly vary across customers) the fit stops at the bound and names
//     the parameters in AtBound.
//   - Score never returns a NaN: what cannot be computed is left out (nil
//     columns) with a warning, and a fit that cannot be made is an error
//     saying what is missing (TooFewError, ConvergenceError).
package value
