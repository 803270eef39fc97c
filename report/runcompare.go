package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// CompareOptions set when a change between two runs counts as a
// regression.
type CompareOptions struct {
	// Alpha is the family-wise significance level, default 0.01. A change
	// is significant when its one-sided p-value is below Alpha divided by
	// the number of tests in the comparison (Bonferroni).
	Alpha float64 `json:"alpha"`
	// MinChange is the smallest relative change, against the baseline,
	// that can be a regression: 0.1 means 10%. Default 0.1.
	MinChange float64 `json:"min_change"`
	// MinChangeMs is the smallest absolute change of a latency figure that
	// can be a regression, in milliseconds; default 1. Timer and scheduler
	// jitter of a loaded client reaches a fraction of a millisecond, so
	// smaller shifts can come from the machine, not the server.
	MinChangeMs float64 `json:"min_change_ms"`
	// Resamples is the number of bootstrap resamples; default 10000.
	Resamples int `json:"resamples"`
	// Seed seeds the bootstrap's generator, so a comparison can be
	// reproduced; default 1.
	Seed uint64 `json:"seed"`
}

// Defaults of CompareOptions.
const (
	DefaultAlpha       = 0.01
	DefaultMinChange   = 0.10
	DefaultMinChangeMs = 1.0
	DefaultResamples   = 10000
)

// Minimum sample sizes per side. Below minSamples the normal
// approximation of Mann–Whitney U is rough. A tail percentile needs
// minTail samples above it, because with fewer the resampled percentile
// takes only a handful of values and its p-value is too small. A bootstrap
// of the mean of repeats needs minRepeats repeats.
const (
	minSamples = 8
	minTail    = 10
	minRepeats = 3
)

// Verdicts of a MetricDelta.
const (
	VerdictRegression  = "regression"
	VerdictImprovement = "improvement"
	VerdictUnchanged   = "unchanged"
	// VerdictUntested is a change past MinChange without a test to say
	// whether it is noise: a figure with no per-request samples and fewer
	// than 3 repeats per side.
	VerdictUntested = "untested"
	VerdictNoData   = "no data"
)

// Tests of a MetricDelta.
const (
	TestMannWhitney = "mann-whitney-u"
	// TestPercentile bootstraps the difference of a tail percentile from
	// the per-request samples, because a rank test has little power
	// against a change in the tail alone.
	TestPercentile = "bootstrap-percentile"
	TestBootstrap  = "bootstrap-mean-of-repeats"
	TestNone       = "none"
)

// compareMetric is one row of a comparison: a figure, the per-request
// sample family that tests it, the percentile of the family it is (0 for
// a rank test), and its better direction.
type compareMetric struct {
	name          string
	sample        string
	percentile    float64
	lowerIsBetter bool
}

var compareMetrics = []compareMetric{
	{"ttft_ms.p50", "ttft_ms", 0, true}, {"ttft_ms.p95", "ttft_ms", 95, true}, {"ttft_ms.p99", "ttft_ms", 99, true},
	{"tpot_ms.p50", "tpot_ms", 0, true}, {"tpot_ms.p95", "tpot_ms", 95, true},
	{"e2e_ms.p50", "e2e_ms", 0, true}, {"e2e_ms.p95", "e2e_ms", 95, true},
	{"error_rate", "error", 0, true},
	{"requests_per_s", "", 0, false}, {"output_tokens_per_s", "", 0, false},
}

// CompareBaselines matches the cells of baseline and current by endpoint,
// workload, concurrency and rate, pooling repeats, and compares the
// figures of compareMetrics. A row is a regression only when it moved in
// the worse direction by at least MinChange and its test is significant
// after the Bonferroni correction, so that run-to-run noise does not fail
// a gate.
func CompareBaselines(baseline, current *Baseline, opts CompareOptions) *RunComparison {
	opts = withCompareDefaults(opts)
	out := &RunComparison{Baseline: baseline.Run, Current: current.Run, Options: opts,
		OnlyInBaseline: []string{}, OnlyInCurrent: []string{}}
	bOrder, bGroups := groupCells(baseline)
	cOrder, cGroups := groupCells(current)
	for _, key := range bOrder {
		if _, ok := cGroups[key]; !ok {
			out.OnlyInBaseline = append(out.OnlyInBaseline, identityLabel(bGroups[key][0].Summary.CellInfo))
		}
	}

	tests := map[string]bool{}
	for _, key := range cOrder {
		cur := cGroups[key]
		info := cur[0].Summary.CellInfo
		base, ok := bGroups[key]
		if !ok {
			out.OnlyInCurrent = append(out.OnlyInCurrent, identityLabel(info))
			continue
		}
		cell := CellComparison{Cell: identityLabel(info), Endpoint: info.Endpoint, Workload: info.Workload,
			Concurrency: info.Concurrency, Rate: info.Rate}
		bFigures, cFigures := figuresOf(base), figuresOf(cur)
		for _, m := range compareMetrics {
			d := compareMetricRows(m, base, cur, bFigures, cFigures, opts)
			if d.Test != TestNone {
				tests[key+"\x00"+m.name] = true
			}
			cell.Metrics = append(cell.Metrics, d)
		}
		out.Cells = append(out.Cells, cell)
	}

	out.Tests = len(tests)
	for i := range out.Cells {
		for j := range out.Cells[i].Metrics {
			decide(&out.Cells[i].Metrics[j], opts, out.Tests)
		}
	}
	return out
}

func withCompareDefaults(o CompareOptions) CompareOptions {
	if o.Alpha <= 0 {
		o.Alpha = DefaultAlpha
	}
	if o.MinChange <= 0 {
		o.MinChange = DefaultMinChange
	}
	if o.MinChangeMs <= 0 {
		o.MinChangeMs = DefaultMinChangeMs
	}
	if o.Resamples <= 0 {
		o.Resamples = DefaultResamples
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// groupCells groups a baseline's cells by identity, in order of first
// appearance; each group holds the repeats of one cell.
func groupCells(b *Baseline) ([]string, map[string][]BaselineCell) {
	var order []string
	groups := map[string][]BaselineCell{}
	for _, c := range b.Cells {
		key := identityKey(c.Summary.CellInfo)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], c)
	}
	return order, groups
}

// compareMetricRows computes one row's figures and runs its test.
func compareMetricRows(m compareMetric, base, cur []BaselineCell, bFigures, cFigures []map[string]float64, opts CompareOptions) MetricDelta {
	bValues, cValues := figureValues(bFigures, m.name), figureValues(cFigures, m.name)
	d := MetricDelta{Metric: m.name, Baseline: Mean(dropNaN(bValues)), Current: Mean(dropNaN(cValues)),
		LowerIsBetter: m.lowerIsBetter, Test: TestNone, PValue: math.NaN(), Threshold: math.NaN(),
		CILow: math.NaN(), CIHigh: math.NaN()}
	d.Delta = d.Current - d.Baseline
	d.DeltaPct = math.NaN()
	if d.Baseline != 0 {
		d.DeltaPct = 100 * d.Delta / math.Abs(d.Baseline)
	}
	if math.IsNaN(d.Delta) || d.Delta == 0 {
		return d
	}

	bSamples, cSamples := pooledSamples(base, m.sample), pooledSamples(cur, m.sample)
	switch {
	case m.sample != "" && len(bSamples) >= minSamples && len(cSamples) >= minSamples && m.percentile == 0:
		mw := MannWhitneyU(bSamples, cSamples)
		d.Test, d.NBaseline, d.NCurrent = TestMannWhitney, len(bSamples), len(cSamples)
		d.PValue = pick(d.Delta > 0, mw.PGreater, mw.PLess)
	case m.sample != "" && tailSamples(len(bSamples), m.percentile) >= minTail && tailSamples(len(cSamples), m.percentile) >= minTail:
		stat := func(v []float64) float64 { slices.Sort(v); return Percentile(v, m.percentile) }
		bs := BootstrapDifference(bSamples, cSamples, stat, opts.Resamples, 0.95, opts.Seed)
		d.Test, d.NBaseline, d.NCurrent = TestPercentile, len(bSamples), len(cSamples)
		d.PValue = pick(d.Delta > 0, bs.PGreater, bs.PLess)
		d.CILow, d.CIHigh = bs.Low, bs.High
	case len(dropNaN(bValues)) >= minRepeats && len(dropNaN(cValues)) >= minRepeats:
		bs := BootstrapDifference(bValues, cValues, Mean, opts.Resamples, 0.95, opts.Seed)
		d.Test, d.NBaseline, d.NCurrent = TestBootstrap, len(dropNaN(bValues)), len(dropNaN(cValues))
		d.PValue = pick(d.Delta > 0, bs.PGreater, bs.PLess)
		d.CILow, d.CIHigh = bs.Low, bs.High
	default:
		d.Untested = untestedReason(m, len(bSamples), len(cSamples), len(dropNaN(bValues)), len(dropNaN(cValues)))
	}
	return d
}

// untestedReason says which samples a row lacked for its test.
func untestedReason(m compareMetric, bSamples, cSamples, bRepeats, cRepeats int) string {
	fewer := min(bSamples, cSamples)
	switch {
	case m.sample != "" && m.percentile == 0:
		return fmt.Sprintf("%d < %d requests", fewer, minSamples)
	case m.sample != "":
		need := int(math.Ceil(minTail / (1 - m.percentile/100)))
		return fmt.Sprintf("%d < %d requests for p%g", fewer, need, m.percentile)
	}
	return fmt.Sprintf("%d < %d repeats", min(bRepeats, cRepeats), minRepeats)
}

// tailSamples returns how many of n samples lie above the percentile.
func tailSamples(n int, percentile float64) float64 {
	return float64(n) * (1 - percentile/100)
}

// decide sets the verdict of d once the number of tests is known.
func decide(d *MetricDelta, opts CompareOptions, tests int) {
	switch {
	case math.IsNaN(d.Baseline) || math.IsNaN(d.Current):
		d.Verdict = VerdictNoData
		return
	case d.Delta == 0:
		d.Verdict = VerdictUnchanged
		return
	}
	worse := (d.Delta > 0) == d.LowerIsBetter
	large := math.Abs(d.Delta) >= opts.MinChange*math.Abs(d.Baseline)
	if strings.Contains(d.Metric, "_ms") {
		large = large && math.Abs(d.Delta) >= opts.MinChangeMs
	}
	if d.Test == TestNone {
		d.Verdict = pick(large, VerdictUntested, VerdictUnchanged)
		return
	}
	d.Threshold = opts.Alpha / float64(max(tests, 1))
	switch {
	case !large || d.PValue >= d.Threshold:
		d.Verdict = VerdictUnchanged
	case worse:
		d.Verdict = VerdictRegression
	default:
		d.Verdict = VerdictImprovement
	}
}

func pick[T any](cond bool, yes, no T) T {
	if cond {
		return yes
	}
	return no
}

// figureValues returns the figure of each repeat.
func figureValues(figures []map[string]float64, name string) []float64 {
	out := make([]float64, 0, len(figures))
	for _, f := range figures {
		v, ok := f[name]
		if !ok {
			v = math.NaN()
		}
		out = append(out, v)
	}
	return out
}

// figuresOf returns the Figures of each repeat, computed once per
// comparison because they come from reflection.
func figuresOf(cells []BaselineCell) []map[string]float64 {
	out := make([]map[string]float64, len(cells))
	for i, c := range cells {
		out[i] = Figures(c.Summary)
	}
	return out
}

// pooledSamples joins the per-request samples of every repeat.
func pooledSamples(cells []BaselineCell, family string) []float64 {
	if family == "" {
		return nil
	}
	var out []float64
	for _, c := range cells {
		out = append(out, c.Samples[family]...)
	}
	return out
}
