package value

import "math"

// TransactionModel predicts a customer's purchases from their history
// (x repeat purchases, the last at tx, observed for T). BGNBD and
// ParetoNBD implement it.
type TransactionModel interface {
	// PAlive returns the probability that the customer is still active.
	PAlive(x, tx, T float64) float64
	// ExpectedPurchases returns the expected purchases in the next t units.
	ExpectedPurchases(t, x, tx, T float64) float64

	// ExpectedPurchases(t, x, tx, T) = activeFactor(x, tx, T)·future(x, T, t):
	// the factorisation lets a score share future among customers.
	activeFactor(x, tx, T float64) float64
	future(x, T, t float64) float64
	// rate returns the Gamma posterior (shape, rate) of an active
	// customer's purchase rate.
	rate(x, T float64) (shape, rate float64)
}

// LifetimeValue returns the discounted value of a customer's purchases
// over the next months months, as lifetimes' customer_lifetime_value
// computes it: for each month i = 1..months, the expected purchases in
// month i (ExpectedPurchases at i·perMonth minus at (i−1)·perMonth)
// times the expected value of a purchase, divided by (1+discount)^i.
// perMonth is the number of summary time units in a month (Unit.PerMonth).
func LifetimeValue(m TransactionModel, x, tx, T, value float64, months int, discount, perMonth float64) float64 {
	k, _ := discountedPurchases(m, x, T, months, discount, perMonth)
	return m.activeFactor(x, tx, T) * value * k
}

// discountedPurchases returns Σ_i [future(i·perMonth) −
// future((i−1)·perMonth)] / (1+discount)^i and future(months·perMonth).
func discountedPurchases(m TransactionModel, x, T float64, months int, discount, perMonth float64) (sum, total float64) {
	prev := 0.0
	for i := 1; i <= months; i++ {
		cur := m.future(x, T, float64(i)*perMonth)
		sum += (cur - prev) / math.Pow(1+discount, float64(i))
		prev = cur
	}
	return sum, prev
}

// medianWait returns the median time to an active customer's next
// purchase: with rate Gamma(shape, rate) the wait is Pareto II, P(W > w)
// = (rate/(rate+w))^shape, so the median is rate·(2^(1/shape) − 1).
func medianWait(m TransactionModel, x, T float64) float64 {
	shape, rate := m.rate(x, T)
	return rate * math.Expm1(math.Ln2/shape)
}
