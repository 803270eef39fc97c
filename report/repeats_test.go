package report

import (
	"math"
	"testing"
)

func TestSpreadHandComputed(t *testing.T) {
	t.Parallel()
	// 10, 12, 14: mean 12, sample stddev 2, t(2 df) = 4.303, so the half
	// width is 4.303 * 2 / sqrt(3) = 4.9687.
	s := SpreadOf([]float64{14, 10, 12})
	checks := []struct {
		name      string
		got, want float64
	}{
		{"min", s.Min, 10}, {"median", s.Median, 12}, {"max", s.Max, 14}, {"mean", s.Mean, 12},
		{"ci low", s.CILow, 12 - 4.303*2/math.Sqrt(3)},
		{"ci high", s.CIHigh, 12 + 4.303*2/math.Sqrt(3)},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSpreadOneValueHasNoInterval(t *testing.T) {
	t.Parallel()
	s := SpreadOf([]float64{5, math.NaN()})
	if s.N != 1 || s.Median != 5 || !math.IsNaN(s.CILow) {
		t.Errorf("SpreadOf([5, NaN]) = %+v, want n 1, median 5, no interval", s)
	}
}

func TestSummarizeRepeats(t *testing.T) {
	t.Parallel()
	runs := []CellSummary{{RequestsPerS: 2}, {RequestsPerS: 4}}
	runs[0].ID, runs[1].ID = "a", "a"
	r := SummarizeRepeats(runs)
	if r.Repeats != 2 || r.RequestsPerS.Mean != 3 || r.CellID != "a" {
		t.Errorf("SummarizeRepeats = %+v", r)
	}
}
