package report

import "encoding/json"

// MetricDelta is one figure of one cell in both runs.
type MetricDelta struct {
	Metric string `json:"metric"`
	// Baseline and Current are the figure, averaged over repeats.
	Baseline float64 `json:"baseline"`
	Current  float64 `json:"current"`
	// Delta is Current − Baseline; DeltaPct is Delta as a percentage of
	// Baseline, NaN when Baseline is 0.
	Delta         float64 `json:"delta"`
	DeltaPct      float64 `json:"delta_pct"`
	LowerIsBetter bool    `json:"lower_is_better"`
	// Test is the test behind PValue. TestMannWhitney (medians, error
	// rates) and TestPercentile (tail percentiles) use the per-request
	// samples of every repeat. TestBootstrap uses the figure's per-repeat
	// values. TestNone means the row was not tested.
	Test string `json:"test"`
	// NBaseline and NCurrent are the sample sizes of the test.
	NBaseline int `json:"n_baseline"`
	NCurrent  int `json:"n_current"`
	// PValue is the test's one-sided p-value in the direction of Delta.
	PValue float64 `json:"p_value"`
	// Threshold is the p-value below which the change is significant:
	// Alpha over the number of tests.
	Threshold float64 `json:"p_threshold"`
	// CILow and CIHigh bound the bootstrap's 95% interval of the
	// difference; NaN for the Mann–Whitney U test.
	CILow   float64 `json:"ci95_low"`
	CIHigh  float64 `json:"ci95_high"`
	Verdict string  `json:"verdict"`
	// Untested says why a row has no test, such as "40 < 200 requests
	// for p95"; empty for a tested row.
	Untested string `json:"untested,omitempty"`
}

// MarshalJSON writes NaN figures as null, because JSON has no NaN.
func (m MetricDelta) MarshalJSON() ([]byte, error) {
	type plain MetricDelta
	return json.Marshal(struct {
		plain
		Baseline  *float64 `json:"baseline"`
		Current   *float64 `json:"current"`
		Delta     *float64 `json:"delta"`
		DeltaPct  *float64 `json:"delta_pct"`
		PValue    *float64 `json:"p_value"`
		Threshold *float64 `json:"p_threshold"`
		CILow     *float64 `json:"ci95_low"`
		CIHigh    *float64 `json:"ci95_high"`
	}{plain(m), num(m.Baseline), num(m.Current), num(m.Delta), num(m.DeltaPct),
		num(m.PValue), num(m.Threshold), num(m.CILow), num(m.CIHigh)})
}

// Confidence returns 1 − PValue, how sure the test is that the change is
// not noise; NaN when untested.
func (m MetricDelta) Confidence() float64 { return 1 - m.PValue }

// CellComparison is one cell identity present in both runs.
type CellComparison struct {
	Cell        string        `json:"cell"`
	Endpoint    string        `json:"endpoint"`
	Workload    string        `json:"workload"`
	Concurrency int           `json:"concurrency"`
	Rate        float64       `json:"rate"`
	Metrics     []MetricDelta `json:"metrics"`
}

// RunComparison is the result of CompareBaselines.
type RunComparison struct {
	Baseline RunInfo        `json:"baseline"`
	Current  RunInfo        `json:"current"`
	Options  CompareOptions `json:"options"`
	// Tests is the number of significance tests, the Bonferroni divisor.
	Tests          int              `json:"tests"`
	Cells          []CellComparison `json:"cells"`
	OnlyInBaseline []string         `json:"only_in_baseline"`
	OnlyInCurrent  []string         `json:"only_in_current"`
}

// Count returns how many rows have the verdict.
func (c *RunComparison) Count(verdict string) int {
	n := 0
	for _, cell := range c.Cells {
		for _, m := range cell.Metrics {
			if m.Verdict == verdict {
				n++
			}
		}
	}
	return n
}
