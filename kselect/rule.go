package kselect

import "fmt"

// grow reports whether the range should grow past top: every k within one
// standard error of the best silhouette reaches top, and top is below the
// cap.
func grow(scores []Score, top, kcap int) bool {
	return top < kcap && len(scores) > 0 && plateauTop(scores) == top
}

// best returns the score with the highest silhouette (the smallest k on
// ties).
func best(scores []Score) Score {
	b := scores[0]
	for _, s := range scores {
		if s.Silhouette > b.Silhouette {
			b = s
		}
	}
	return b
}

// plateauTop returns the largest k whose silhouette is within one standard
// error of the best.
func plateauTop(scores []Score) int {
	b := best(scores)
	top := b.K
	for _, s := range scores {
		if s.K > top && s.Silhouette >= b.Silhouette-b.SilhouetteSE {
			top = s.K
		}
	}
	return top
}

// decide applies the package's rule to the scores of kmin..(at least)
// kmax, where kcap is the largest k the range could have reached and
// stability says whether the stability scores were computed.
func decide(scores []Score, kmin, kmax, kcap int, stability bool) *Result {
	res := &Result{Scores: scores, KMax: scores[len(scores)-1].K}
	res.Extended = res.KMax > kmax
	res.Elbow = Elbow(scores)
	res.K, res.Rule = best(scores).K, "highest silhouette"
	if res.Extended {
		res.Rule = fmt.Sprintf("highest silhouette in %d..%d (range extended)", kmin, res.KMax)
		res.Warnings = append(res.Warnings, fmt.Sprintf("the best silhouette was at the top of the range %d..%d, so k up to %d was tried", kmin, kmax, res.KMax))
	}
	if plateauTop(scores) == res.KMax && res.KMax >= kcap && res.KMax > kmin {
		res.NoStructure = true
		fallback, how := res.Elbow, "the elbow of the inertia curve"
		if fallback == 0 {
			fallback, how = mostStable(scores), "the most stable k"
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("the silhouette keeps rising up to k = %d: the data has no clear segment structure on this scale, so k = %d is %s rather than the top of the range", res.KMax, fallback, how))
		res.K, res.Rule = fallback, "no clear segment structure: "+how
	}
	if kp := largestPredicted(scores); kp > res.K && !res.NoStructure {
		res.Rule = fmt.Sprintf("largest k with prediction strength >= %.2f (above k = %d by %s)", StrongPrediction, res.K, res.Rule)
		res.K = kp
	}
	chosen := scoreOf(scores, res.K)
	if stability && chosen.Stability < StableARI {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the %d segments are unstable: clustered alone, half samples agree with the full clustering with a mean adjusted Rand index of %.2f (below %.2f)", res.K, chosen.Stability, StableARI))
	}
	if chosen.Clusters < chosen.K {
		res.Warnings = append(res.Warnings, fmt.Sprintf("k = %d gave only %d clusters: merges tie at the cut, so no cut has exactly %d", chosen.K, chosen.Clusters, chosen.K))
	}
	res.Disagree = res.Elbow != 0 && res.Elbow != res.K
	return res
}

// largestPredicted returns the largest k whose prediction strength is at
// least StrongPrediction, or 0.
func largestPredicted(scores []Score) int {
	k := 0
	for _, s := range scores {
		if s.PredictionStrength >= StrongPrediction {
			k = s.K
		}
	}
	return k
}

// mostStable returns the k with the highest stability (the smallest on
// ties).
func mostStable(scores []Score) int {
	b := scores[0]
	for _, s := range scores {
		if s.Stability > b.Stability {
			b = s
		}
	}
	return b.K
}

func scoreOf(scores []Score, k int) Score {
	for _, s := range scores {
		if s.K == k {
			return s
		}
	}
	panic("kselect: no score for the chosen k")
}

// Elbow returns the knee of the inertia curve by the Kneedle rule: the k
// farthest below the chord from the first to the last point, both axes
// scaled to [0, 1]. It returns 0 with fewer than three scores or a flat
// curve.
func Elbow(scores []Score) int {
	if len(scores) < 3 {
		return 0
	}
	first, last := scores[0], scores[len(scores)-1]
	x0, x1 := float64(first.K), float64(last.K)
	y0, y1 := first.Inertia, last.Inertia
	if x1 == x0 || y0 == y1 {
		return 0
	}
	best, bestGap := 0, 0.0
	for _, s := range scores {
		x := (float64(s.K) - x0) / (x1 - x0)
		y := (s.Inertia - y1) / (y0 - y1)
		if gap := (1 - x) - y; gap > bestGap {
			best, bestGap = s.K, gap
		}
	}
	return best
}
