package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
)

// Spread summarizes one figure over repeats of a cell: its range, median
// and a 95% confidence interval of the mean from Student's t distribution.
// With one repeat the interval is NaN.
type Spread struct {
	N      int     `json:"n" expr:"n"`
	Min    float64 `json:"min" expr:"min"`
	Median float64 `json:"median" expr:"median"`
	Max    float64 `json:"max" expr:"max"`
	Mean   float64 `json:"mean" expr:"mean"`
	CILow  float64 `json:"ci95_low" expr:"ci95_low"`
	CIHigh float64 `json:"ci95_high" expr:"ci95_high"`
}

// tQuantile975 holds the 97.5th percentile of Student's t for 1 to 30
// degrees of freedom (standard tables); beyond 30 the normal 1.96 is used.
var tQuantile975 = []float64{
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
}

// SpreadOf summarizes values, ignoring NaN ones.
func SpreadOf(values []float64) Spread {
	var clean []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			clean = append(clean, v)
		}
	}
	nan := math.NaN()
	s := Spread{N: len(clean), Min: nan, Median: nan, Max: nan, Mean: nan, CILow: nan, CIHigh: nan}
	if len(clean) == 0 {
		return s
	}
	slices.Sort(clean)
	s.Min, s.Max, s.Median = clean[0], clean[len(clean)-1], Percentile(clean, 50)
	mean, stddev := meanStddev(clean)
	s.Mean = mean
	if df := len(clean) - 1; df >= 1 {
		t := 1.96
		if df <= len(tQuantile975) {
			t = tQuantile975[df-1]
		}
		half := t * stddev / math.Sqrt(float64(len(clean)))
		s.CILow, s.CIHigh = mean-half, mean+half
	}
	return s
}

// RepeatSummary is the spread of a cell's headline figures over its
// repeats.
type RepeatSummary struct {
	CellID           string `json:"cell"`
	Repeats          int    `json:"repeats"`
	RequestsPerS     Spread `json:"requests_per_s"`
	OutputTokensPerS Spread `json:"output_tokens_per_s"`
	TTFTP50          Spread `json:"ttft_ms_p50"`
	TTFTP95          Spread `json:"ttft_ms_p95"`
	TPOTP50          Spread `json:"tpot_ms_p50"`
	E2EP50           Spread `json:"e2e_ms_p50"`
	ErrorRate        Spread `json:"error_rate"`
}

// SummarizeRepeats returns the spread over runs, the summaries of one
// cell's repeats.
func SummarizeRepeats(runs []CellSummary) RepeatSummary {
	pick := func(f func(CellSummary) float64) Spread {
		values := make([]float64, len(runs))
		for i, r := range runs {
			values[i] = f(r)
		}
		return SpreadOf(values)
	}
	out := RepeatSummary{Repeats: len(runs)}
	if len(runs) > 0 {
		out.CellID = runs[0].ID
	}
	out.RequestsPerS = pick(func(s CellSummary) float64 { return s.RequestsPerS })
	out.OutputTokensPerS = pick(func(s CellSummary) float64 { return s.OutputTokensPerS })
	out.TTFTP50 = pick(func(s CellSummary) float64 { return s.TTFT.P50 })
	out.TTFTP95 = pick(func(s CellSummary) float64 { return s.TTFT.P95 })
	out.TPOTP50 = pick(func(s CellSummary) float64 { return s.TPOT.P50 })
	out.E2EP50 = pick(func(s CellSummary) float64 { return s.E2E.P50 })
	out.ErrorRate = pick(func(s CellSummary) float64 { return s.ErrorRate })
	return out
}

// MarshalJSON writes NaN figures as null, because JSON has no NaN.
func (s Spread) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"n": s.N, "min": num(s.Min), "median": num(s.Median), "max": num(s.Max),
		"mean": num(s.Mean), "ci95_low": num(s.CILow), "ci95_high": num(s.CIHigh),
	})
}

// WriteRepeats writes the spread of each repeated cell's headline figures.
func WriteRepeats(w io.Writer, repeats []RepeatSummary) error {
	if len(repeats) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ncell\trepeats\tfigure\tmin\tmedian\tmax\tmean\t95% CI of mean\t")
	for _, r := range repeats {
		rows := []struct {
			name string
			s    Spread
		}{
			{"req/s", r.RequestsPerS}, {"out tok/s", r.OutputTokensPerS},
			{"TTFT p50 ms", r.TTFTP50}, {"TTFT p95 ms", r.TTFTP95}, {"TPOT p50 ms", r.TPOTP50},
		}
		for _, row := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s..%s\t\n", r.CellID, r.Repeats, row.name,
				fixed(row.s.Min, 2), fixed(row.s.Median, 2), fixed(row.s.Max, 2), fixed(row.s.Mean, 2),
				fixed(row.s.CILow, 2), fixed(row.s.CIHigh, 2))
		}
	}
	return tw.Flush()
}
