// Package report derives every metric infermark shows from the runner's
// raw records: per-request figures, per-cell summaries, assertions and the
// renderings of them. Nothing else in infermark computes a metric.
package report

import (
	"encoding/json"
	"math"
	"slices"
)

// Dist summarizes a sample. Percentiles are exact: linear interpolation
// between the closest ranks, rank = (n-1)*p/100 (numpy's default method).
// An empty sample has Count 0 and NaN figures.
type Dist struct {
	Count  int     `json:"count" expr:"count"`
	Mean   float64 `json:"mean" expr:"mean"`
	Stddev float64 `json:"stddev" expr:"stddev"`
	Min    float64 `json:"min" expr:"min"`
	Max    float64 `json:"max" expr:"max"`
	P50    float64 `json:"p50" expr:"p50"`
	P90    float64 `json:"p90" expr:"p90"`
	P95    float64 `json:"p95" expr:"p95"`
	P99    float64 `json:"p99" expr:"p99"`
}

// Describe summarizes values; it does not modify them.
func Describe(values []float64) Dist {
	if len(values) == 0 {
		nan := math.NaN()
		return Dist{Mean: nan, Stddev: nan, Min: nan, Max: nan, P50: nan, P90: nan, P95: nan, P99: nan}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	mean, stddev := meanStddev(sorted)
	return Dist{
		Count: len(sorted), Mean: mean, Stddev: stddev,
		Min: sorted[0], Max: sorted[len(sorted)-1],
		P50: Percentile(sorted, 50), P90: Percentile(sorted, 90),
		P95: Percentile(sorted, 95), P99: Percentile(sorted, 99),
	}
}

// Percentile returns the p-th percentile (0..100) of sorted values by linear
// interpolation between ranks; NaN for no values.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := float64(len(sorted)-1) * p / 100
	lo := int(math.Floor(rank))
	hi := int(math.Ceil(rank))
	frac := rank - float64(lo)
	return sorted[lo] + (sorted[hi]-sorted[lo])*frac
}

// meanStddev returns the mean and the sample standard deviation (n-1 in
// the denominator; 0 for a single value).
func meanStddev(values []float64) (float64, float64) {
	var sum float64
	for _, v := range values {
		sum += v
	}
	mean := sum / float64(len(values))
	if len(values) < 2 {
		return mean, 0
	}
	var sq float64
	for _, v := range values {
		sq += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sq / float64(len(values)-1))
}

// MarshalJSON writes NaN figures as null, because JSON has no NaN.
func (d Dist) MarshalJSON() ([]byte, error) {
	type plain struct {
		Count  int      `json:"count"`
		Mean   *float64 `json:"mean"`
		Stddev *float64 `json:"stddev"`
		Min    *float64 `json:"min"`
		Max    *float64 `json:"max"`
		P50    *float64 `json:"p50"`
		P90    *float64 `json:"p90"`
		P95    *float64 `json:"p95"`
		P99    *float64 `json:"p99"`
	}
	return json.Marshal(plain{d.Count, num(d.Mean), num(d.Stddev), num(d.Min), num(d.Max),
		num(d.P50), num(d.P90), num(d.P95), num(d.P99)})
}

// num returns nil for NaN and infinities so they encode as JSON null.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
