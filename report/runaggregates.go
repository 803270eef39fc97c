package report

import "math"

// RunAggregates are figures over every cell of a run, for assertions that
// gate the run as a whole, such as run.error_rate < 0.01. Assertions
// evaluated at the end of a run see all its cells; checks during a run
// (stop_when, abort_on_fail) see none and read zeros.
type RunAggregates struct {
	// Cells is the number of cells summarized.
	Cells int `json:"cells" expr:"cells"`
	// Requests, Succeeded and Errors add up the cells' counts.
	Requests  int `json:"requests" expr:"requests"`
	Succeeded int `json:"succeeded" expr:"succeeded"`
	Errors    int `json:"errors" expr:"errors"`
	// ErrorRate is Errors / Requests; NaN without requests.
	ErrorRate float64 `json:"error_rate" expr:"error_rate"`
	// MaxOutputTokensPerS is the highest output throughput of any cell.
	MaxOutputTokensPerS float64 `json:"max_output_tokens_per_s" expr:"max_output_tokens_per_s"`
	// MaxTTFTP95 is the highest TTFT p95 of any cell, in milliseconds.
	MaxTTFTP95 float64 `json:"max_ttft_ms_p95" expr:"max_ttft_ms_p95"`
	// SaturatedCells counts cells whose client could not keep time.
	SaturatedCells int `json:"saturated_cells" expr:"saturated_cells"`
}

// AggregateRun returns the run-level figures of cells.
func AggregateRun(cells []CellSummary) RunAggregates {
	r := RunAggregates{Cells: len(cells), MaxOutputTokensPerS: math.NaN(), MaxTTFTP95: math.NaN()}
	for _, c := range cells {
		r.Requests += c.Requests
		r.Succeeded += c.Succeeded
		r.Errors += c.Failed
		r.MaxOutputTokensPerS = maxKnown(r.MaxOutputTokensPerS, c.OutputTokensPerS)
		r.MaxTTFTP95 = maxKnown(r.MaxTTFTP95, c.TTFT.P95)
		if c.Load.ClientSaturated {
			r.SaturatedCells++
		}
	}
	r.ErrorRate = ratio(float64(r.Errors), float64(r.Requests))
	return r
}

// maxKnown returns the larger of a and b, ignoring NaN.
func maxKnown(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Max(a, b)
}
