package report

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestMannWhitneyNoOverlap(t *testing.T) {
	t.Parallel()
	// Every current value beats every baseline value: U = 3·3 = 9. With
	// no ties the variance is n1·n2·(n+1)/12 = 9·7/12 = 5.25, so
	// z = (9 − 4.5)/√5.25 = 1.9640; with the continuity correction
	// P(greater) = P(Z > (9 − 4.5 − 0.5)/√5.25 = 1.7457) = 0.040428.
	got := MannWhitneyU([]float64{1, 2, 3}, []float64{4, 5, 6})
	if got.U != 9 {
		t.Errorf("U = %v, want 9", got.U)
	}
	if !near(got.Z, 1.963961, 1e-6) {
		t.Errorf("Z = %v, want 1.963961", got.Z)
	}
	if !near(got.PGreater, 0.040428, 1e-6) {
		t.Errorf("PGreater = %v, want 0.040428", got.PGreater)
	}
	// P(less) = P(Z < (9 − 4.5 + 0.5)/√5.25 = 2.1822) = 0.985452.
	if !near(got.PLess, 0.985452, 1e-6) {
		t.Errorf("PLess = %v, want 0.985452", got.PLess)
	}
}

func TestMannWhitneyTies(t *testing.T) {
	t.Parallel()
	// Pooled and sorted: 1b 2b 2b 2c 3b 3c 3c 4c. The three 2s share rank
	// (2+3+4)/3 = 3 and the three 3s rank (5+6+7)/3 = 6, so the current
	// ranks sum to 3+6+6+8 = 23 and U = 23 − 4·5/2 = 13. Tie term:
	// 2·(3³ − 3) = 48; variance = 4·4/12·(9 − 48/56) = 10.857143;
	// P(greater) = P(Z > (13 − 8 − 0.5)/√10.857143 = 1.365698) = 0.086017.
	got := MannWhitneyU([]float64{1, 2, 2, 3}, []float64{2, 3, 3, 4})
	if got.U != 13 {
		t.Errorf("U = %v, want 13", got.U)
	}
	if !near(got.PGreater, 0.086017, 1e-6) {
		t.Errorf("PGreater = %v, want 0.086017", got.PGreater)
	}
}

func TestMannWhitneyDegenerate(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string][2][]float64{
		"all equal":      {{5, 5, 5}, {5, 5}},
		"empty baseline": {nil, {1, 2}},
		"only NaN":       {{math.NaN()}, {1, 2}},
	} {
		got := MannWhitneyU(tc[0], tc[1])
		if got.PGreater != 1 || got.PLess != 1 {
			t.Errorf("%s: p = %v/%v, want 1/1", name, got.PGreater, got.PLess)
		}
	}
}

func TestBootstrapConstantSides(t *testing.T) {
	t.Parallel()
	// Every resample of a constant side is that constant, so the interval
	// is the difference itself and no resampled difference is at or
	// below 0.
	got := BootstrapDifference([]float64{1, 1, 1}, []float64{3, 3, 3}, Mean, 200, 0.95, 7)
	if got.Diff != 2 || got.Low != 2 || got.High != 2 {
		t.Errorf("diff %v, CI %v..%v; want 2, 2..2", got.Diff, got.Low, got.High)
	}
	if got.PGreater != 0 || got.PLess != 1 {
		t.Errorf("PGreater, PLess = %v, %v; want 0, 1", got.PGreater, got.PLess)
	}
}

func TestBootstrapTwoPoints(t *testing.T) {
	t.Parallel()
	// The mean of a resample of {0, 10} is 0, 5 or 10 with probabilities
	// 1/4, 1/2, 1/4; minus the baseline 5 the difference is −5, 0 or +5.
	// The 95% interval is therefore −5..+5, and P(diff ≤ 0) = 3/4.
	got := BootstrapDifference([]float64{5}, []float64{0, 10}, Mean, 20000, 0.95, 3)
	if got.Low != -5 || got.High != 5 {
		t.Errorf("CI = %v..%v, want -5..5", got.Low, got.High)
	}
	if !near(got.PGreater, 0.75, 0.01) {
		t.Errorf("PGreater = %v, want 0.75 ± 0.01", got.PGreater)
	}
	again := BootstrapDifference([]float64{5}, []float64{0, 10}, Mean, 20000, 0.95, 3)
	if again != got {
		t.Errorf("the same seed gave %+v, then %+v", got, again)
	}
}

func TestBootstrapEmpty(t *testing.T) {
	t.Parallel()
	got := BootstrapDifference(nil, []float64{1}, Mean, 100, 0.95, 1)
	if !math.IsNaN(got.Diff) || !math.IsNaN(got.PGreater) {
		t.Errorf("empty baseline: %+v, want NaN figures", got)
	}
}

// latencySample draws n log-normal latencies around median ms, a shape
// close to measured TTFT.
func latencySample(rng *rand.Rand, n int, median float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = median * math.Exp(0.3*rng.NormFloat64())
	}
	return out
}

// TestMannWhitneyFalsePositiveRate checks the test's calibration: with
// both samples drawn from one distribution, p < 0.05 should happen in
// about 5% of seeds.
func TestMannWhitneyFalsePositiveRate(t *testing.T) {
	t.Parallel()
	const seeds, n = 2000, 100
	hits := 0
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 11))
		if MannWhitneyU(latencySample(rng, n, 20), latencySample(rng, n, 20)).PGreater < 0.05 {
			hits++
		}
	}
	rate := float64(hits) / seeds
	t.Logf("Mann–Whitney U, same distribution, %d seeds, n=%d per side: p < 0.05 in %.2f%%", seeds, n, 100*rate)
	if rate < 0.03 || rate > 0.07 {
		t.Errorf("rate of p < 0.05 = %.3f, want about 0.05", rate)
	}
}

// syntheticBaseline is a one-cell baseline whose TTFT samples are ttft.
func syntheticBaseline(ttft []float64) *Baseline {
	info := CellInfo{ID: "ep/w/c4", Endpoint: "ep", Workload: "w", Concurrency: 4}
	s := Summarize(info, nil, 0)
	s.TTFT = Describe(ttft)
	return &Baseline{Cells: []BaselineCell{{Summary: s, Samples: map[string][]float64{"ttft_ms": ttft}}}}
}

// TestCompareFalsePositiveRate runs the whole comparison on pairs of runs
// drawn from one distribution (pure noise) and on pairs whose TTFT median
// moved from 20 to 30 ms, and states how often each is called a
// regression.
func TestCompareFalsePositiveRate(t *testing.T) {
	t.Parallel()
	seeds := 200
	if testing.Short() || raceEnabled {
		seeds = 40
	}
	opts := CompareOptions{Resamples: 400}
	noise, detected := 0, 0
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 29))
		base := syntheticBaseline(latencySample(rng, 200, 20))
		same := syntheticBaseline(latencySample(rng, 200, 20))
		slower := syntheticBaseline(latencySample(rng, 200, 30))
		opts.Seed = seed + 1
		if CompareBaselines(base, same, opts).Count(VerdictRegression) > 0 {
			noise++
		}
		if CompareBaselines(base, slower, opts).Count(VerdictRegression) > 0 {
			detected++
		}
	}
	t.Logf("%d seeds, 200 requests per side: noise flagged in %d (%.2f%%), 20→30 ms detected in %d (%.2f%%)",
		seeds, noise, 100*float64(noise)/float64(seeds), detected, 100*float64(detected)/float64(seeds))
	if noise > seeds/100 {
		t.Errorf("pure noise was called a regression in %d of %d seeds, want at most 1%%", noise, seeds)
	}
	if detected != seeds {
		t.Errorf("a 50%% TTFT regression was detected in %d of %d seeds, want all", detected, seeds)
	}
}
