package metrics

import (
	"fmt"
	"math"
	"math/big"
)

func checkPair(truth, pred []int) error {
	if len(truth) != len(pred) {
		return fmt.Errorf("metrics: truth has %d labels, pred %d", len(truth), len(pred))
	}
	return nil
}

// AdjustedRand returns the adjusted Rand index of pred against truth: the
// Rand index corrected for chance, 1 for identical partitions (up to
// renaming), about 0 for independent ones, and possibly negative. It is
// scikit-learn's adjusted_rand_score, including its exact integer pair
// counts; -1 is an ordinary label.
func AdjustedRand(truth, pred []int) (float64, error) {
	if err := checkPair(truth, pred); err != nil {
		return 0, err
	}
	t := NewContingency(truth, pred)
	// Ordered pair counts as in pair_confusion_matrix, in exact integers.
	var sumSq, sumCol, sumRow big.Int
	var tmp big.Int
	for _, cl := range t.Cells {
		v := big.NewInt(int64(cl.Count))
		sumSq.Add(&sumSq, tmp.Mul(v, v))
		sumCol.Add(&sumCol, tmp.Mul(v, big.NewInt(int64(t.ColSums[cl.Col]))))
		sumRow.Add(&sumRow, tmp.Mul(v, big.NewInt(int64(t.RowSums[cl.Row]))))
	}
	n := big.NewInt(int64(t.N))
	tp := new(big.Int).Sub(&sumSq, n)
	fp := new(big.Int).Sub(&sumCol, &sumSq)
	fn := new(big.Int).Sub(&sumRow, &sumSq)
	tn := new(big.Int).Mul(n, n)
	tn.Sub(tn, fp).Sub(tn, fn).Sub(tn, &sumSq)
	if fn.Sign() == 0 && fp.Sign() == 0 {
		return 1, nil
	}
	num := new(big.Int).Mul(tp, tn)
	num.Sub(num, tmp.Mul(fn, fp))
	a := new(big.Int).Add(tp, fn)
	b := new(big.Int).Add(fn, tn)
	den := new(big.Int).Mul(a, b)
	a.Add(tp, fp)
	b.Add(fp, tn)
	den.Add(den, tmp.Mul(a, b))
	return 2 * toFloat(num) / toFloat(den), nil
}

// toFloat rounds x to the nearest float64, ties to even, as Python's
// float(int) does.
func toFloat(x *big.Int) float64 {
	f, _ := new(big.Float).SetInt(x).Float64()
	return f
}

// mutualInfo is scikit-learn's mutual_info_score on a contingency table,
// in nats.
func mutualInfo(t *Contingency) float64 {
	if len(t.Rows) == 1 || len(t.Cols) == 1 {
		return 0
	}
	n := float64(t.N)
	logN := math.Log(n)
	var mi float64
	for _, cl := range t.Cells {
		v := float64(cl.Count)
		nm := v / n
		outer := float64(int64(t.RowSums[cl.Row]) * int64(t.ColSums[cl.Col]))
		logOuter := -math.Log(outer) + logN + logN
		term := nm*(math.Log(v)-logN) + nm*logOuter
		if math.Abs(term) < 0x1p-52 {
			term = 0
		}
		mi += term
	}
	return max(mi, 0)
}

// entropy is scikit-learn's entropy of a labeling given its class sizes.
func entropy(counts []int, n int) float64 {
	if len(counts) == 1 {
		return 0
	}
	logN := math.Log(float64(n))
	var h float64
	for _, c := range counts {
		p := float64(c)
		h += p / float64(n) * (math.Log(p) - logN)
	}
	return -h
}

// NormalizedMutualInfo returns the mutual information of truth and pred
// divided by the arithmetic mean of their entropies, between 0 and 1; it is
// scikit-learn's normalized_mutual_info_score with its default
// average_method="arithmetic". Two one-class labelings score 1.
func NormalizedMutualInfo(truth, pred []int) (float64, error) {
	if err := checkPair(truth, pred); err != nil {
		return 0, err
	}
	t := NewContingency(truth, pred)
	if len(t.Rows) == len(t.Cols) && len(t.Rows) <= 1 {
		return 1, nil
	}
	mi := mutualInfo(t)
	if mi == 0 {
		return 0, nil
	}
	return mi / meanEntropy(t), nil
}

// AdjustedMutualInfo returns the mutual information of truth and pred
// adjusted for chance, (MI - E[MI]) / (mean(H_truth, H_pred) - E[MI]), with
// the arithmetic mean: 1 for identical partitions, about 0 for independent
// ones. It is scikit-learn's adjusted_mutual_info_score; the expected mutual
// information under the hypergeometric model is computed exactly, by the
// same sum of log-factorial terms. Two one-class labelings score 1.
func AdjustedMutualInfo(truth, pred []int) (float64, error) {
	if err := checkPair(truth, pred); err != nil {
		return 0, err
	}
	t := NewContingency(truth, pred)
	if len(t.Rows) == len(t.Cols) && len(t.Rows) <= 1 {
		return 1, nil
	}
	mi := mutualInfo(t)
	emi := expectedMutualInfo(t)
	den := meanEntropy(t) - emi
	const eps = 0x1p-52
	if den < 0 {
		den = min(den, -eps)
	} else {
		den = max(den, eps)
	}
	return (mi - emi) / den, nil
}

// meanEntropy is the arithmetic mean of the entropies of t's two
// labelings, scikit-learn's default normalizer.
func meanEntropy(t *Contingency) float64 {
	return (entropy(t.RowSums, t.N) + entropy(t.ColSums, t.N)) / 2
}

// expectedMutualInfo is the expected mutual information of two random
// labelings with the marginals of t (hypergeometric model), summed term by
// term in log space exactly as scikit-learn's expected_mutual_information.
func expectedMutualInfo(t *Contingency) float64 {
	a, b := t.RowSums, t.ColSums
	if len(a) == 1 || len(b) == 1 {
		return 0
	}
	nInt := t.N
	n := float64(nInt)
	// lf[m] = log(m!) = lgamma(m+1) for 0 <= m <= n.
	lf := make([]float64, nInt+1)
	for m := range lf {
		lf[m], _ = math.Lgamma(float64(m) + 1)
	}
	logN := math.Log(n)
	glnN := lf[nInt]
	var emi float64
	for _, ai := range a {
		logA := math.Log(float64(ai))
		glnA := lf[ai]
		glnNa := lf[nInt-ai]
		for _, bj := range b {
			logB := math.Log(float64(bj))
			glnB := lf[bj]
			glnNb := lf[nInt-bj]
			lo := max(ai-nInt+bj, 1)
			hi := min(ai, bj)
			for nij := lo; nij <= hi; nij++ {
				fn := float64(nij)
				term1 := fn / n
				term2 := (logN + math.Log(fn)) - logA - logB
				gln := glnA + glnB + glnNa + glnNb - glnN - lf[nij] - lf[ai-nij] - lf[bj-nij] - lf[nInt-ai-bj+nij]
				emi += term1 * term2 * math.Exp(gln)
			}
		}
	}
	return emi
}
