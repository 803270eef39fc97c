package report

import (
	"math"
	"math/rand/v2"
	"slices"
)

// MannWhitney is the result of a Mann–Whitney U test of current against
// baseline samples.
type MannWhitney struct {
	// U is the U statistic of the current sample: the number of (baseline,
	// current) pairs where the current value is larger, ties counting 1/2.
	U float64
	// Z is the standardized U, with the tie-corrected variance.
	Z float64
	// PGreater is the one-sided p-value of "current values tend to be
	// larger than baseline values"; PLess the one-sided p-value of
	// "smaller". Both are 1 when the test is not possible.
	PGreater, PLess float64
}

// MannWhitneyU tests whether current tends to be larger or smaller than
// baseline, with the normal approximation to the distribution of U, the
// variance corrected for ties, and a continuity correction of 1/2. The
// approximation is the usual one for samples of about 8 values or more
// per side; with fewer the p-values are rough. NaN values are ignored.
func MannWhitneyU(baseline, current []float64) MannWhitney {
	b, c := dropNaN(baseline), dropNaN(current)
	res := MannWhitney{PGreater: 1, PLess: 1}
	n1, n2 := float64(len(c)), float64(len(b))
	if n1 == 0 || n2 == 0 {
		return res
	}

	ranks, tieTerm := rankSum(b, c)
	res.U = ranks - n1*(n1+1)/2
	n := n1 + n2
	mean := n1 * n2 / 2
	variance := n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		return res
	}
	sd := math.Sqrt(variance)
	res.Z = (res.U - mean) / sd
	res.PGreater = upperNormalTail((res.U - mean - 0.5) / sd)
	res.PLess = upperNormalTail(-(res.U - mean + 0.5) / sd)
	return res
}

// rankSum returns the sum of the ranks of current in the pooled sample,
// ties taking their average rank, and the tie term sum(t³ − t) over groups
// of t equal values.
func rankSum(baseline, current []float64) (float64, float64) {
	type item struct {
		v         float64
		isCurrent bool
	}
	pooled := make([]item, 0, len(baseline)+len(current))
	for _, v := range baseline {
		pooled = append(pooled, item{v: v})
	}
	for _, v := range current {
		pooled = append(pooled, item{v: v, isCurrent: true})
	}
	slices.SortFunc(pooled, func(a, b item) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})

	var sum, tieTerm float64
	for i := 0; i < len(pooled); {
		j := i
		for j < len(pooled) && pooled[j].v == pooled[i].v {
			j++
		}
		// Ranks are 1-based: the group i..j-1 shares the mean of i+1..j.
		rank := float64(i+1+j) / 2
		for k := i; k < j; k++ {
			if pooled[k].isCurrent {
				sum += rank
			}
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	return sum, tieTerm
}

// upperNormalTail returns P(Z > z) for a standard normal Z.
func upperNormalTail(z float64) float64 {
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// BootstrapDiff is a bootstrap estimate of stat(current) − stat(baseline).
type BootstrapDiff struct {
	// Diff is the statistic's difference on the samples themselves.
	Diff float64
	// Low and High bound the percentile confidence interval of the
	// difference at the requested level.
	Low, High float64
	// PGreater is the share of resampled differences at or below 0: a
	// one-sided p-value of "current is larger". PLess is the share at or
	// above 0.
	PGreater, PLess float64
}

// BootstrapDifference resamples each side with replacement resamples
// times, from a PCG generator seeded with seed so that a result can be
// reproduced, and returns the percentile interval of
// stat(current) − stat(baseline) at level (such as 0.95). NaN values are
// ignored; with an empty side every figure is NaN. stat may reorder the
// slice it is given.
func BootstrapDifference(baseline, current []float64, stat func([]float64) float64, resamples int, level float64, seed uint64) BootstrapDiff {
	b, c := dropNaN(baseline), dropNaN(current)
	nan := math.NaN()
	if len(b) == 0 || len(c) == 0 || resamples < 1 {
		return BootstrapDiff{Diff: nan, Low: nan, High: nan, PGreater: nan, PLess: nan}
	}

	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	diffs := make([]float64, resamples)
	bs, cs := make([]float64, len(b)), make([]float64, len(c))
	atOrBelow, atOrAbove := 0, 0
	for i := range diffs {
		resample(rng, b, bs)
		resample(rng, c, cs)
		d := stat(cs) - stat(bs)
		diffs[i] = d
		if d <= 0 {
			atOrBelow++
		}
		if d >= 0 {
			atOrAbove++
		}
	}
	slices.Sort(diffs)
	tail := (1 - level) / 2 * 100
	return BootstrapDiff{
		Diff: stat(c) - stat(b),
		Low:  Percentile(diffs, tail), High: Percentile(diffs, 100-tail),
		PGreater: float64(atOrBelow) / float64(resamples),
		PLess:    float64(atOrAbove) / float64(resamples),
	}
}

func resample(rng *rand.Rand, from, into []float64) {
	for i := range into {
		into[i] = from[rng.IntN(len(from))]
	}
}

// Mean returns the arithmetic mean of values, NaN for none.
func Mean(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}

// Median returns the median of values without modifying them, NaN for
// none.
func Median(values []float64) float64 {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return Percentile(sorted, 50)
}

func dropNaN(values []float64) []float64 {
	return slices.DeleteFunc(slices.Clone(values), math.IsNaN)
}
