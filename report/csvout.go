package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
)

// csvDists names the distributions written to CSV, each as eight columns
// such as ttft_ms_p50.
var csvDists = []struct {
	key  string
	dist func(*CellSummary) Dist
}{
	{"ttft_ms", func(s *CellSummary) Dist { return s.TTFT }},
	{"ttfo_ms", func(s *CellSummary) Dist { return s.TTFO }},
	{"tpot_ms", func(s *CellSummary) Dist { return s.TPOT }},
	{"itl_ms", func(s *CellSummary) Dist { return s.ITL }},
	{"e2e_ms", func(s *CellSummary) Dist { return s.E2E }},
	{"request_output_tokens_per_s", func(s *CellSummary) Dist { return s.RequestOutputTokensPerS }},
}

var csvStats = []string{"count", "mean", "stddev", "min", "p50", "p90", "p95", "p99", "max"}

// WriteCSV writes one row per cell of the newest run with every figure at
// full precision; a figure without a value is an empty field.
func WriteCSV(w io.Writer, d *Document) error {
	cw := csv.NewWriter(w)
	header := []string{"run_id", "cell", "endpoint", "provider", "model", "workload", "gpu", "gpu_count",
		"price_per_hour_usd", "concurrency", "requests", "succeeded", "errors", "error_rate", "duration_s",
		"input_tokens", "output_tokens", "tokens_from_tokenizer", "output_token_mismatch",
		"requests_per_s", "output_tokens_per_s", "total_tokens_per_s",
		"usd_per_million_output_tokens", "usd_per_million_total_tokens", "usd_per_thousand_requests"}
	for _, d := range csvDists {
		for _, s := range csvStats {
			header = append(header, d.key+"_"+s)
		}
	}
	cw.Write(header)

	for i := range d.Cells {
		cw.Write(csvRow(d.Run.ID, &d.Cells[i]))
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(runID string, s *CellSummary) []string {
	row := []string{runID, s.ID, s.Endpoint, s.Provider, s.Model, s.Workload, s.GPU, strconv.Itoa(s.GPUCount),
		csvFloat(s.PricePerHourUSD), strconv.Itoa(s.Concurrency), strconv.Itoa(s.Requests),
		strconv.Itoa(s.Succeeded), strconv.Itoa(s.Failed), csvFloat(s.ErrorRate), csvFloat(s.DurationS),
		strconv.Itoa(s.InputTokens), strconv.Itoa(s.OutputTokens), strconv.Itoa(s.TokensFromTokenizer),
		csvFloat(s.OutputTokenMismatch), csvFloat(s.RequestsPerS), csvFloat(s.OutputTokensPerS),
		csvFloat(s.TotalTokensPerS), csvFloat(s.USDPerMillionOutputTokens), csvFloat(s.USDPerMillionTotalTokens),
		csvFloat(s.USDPerThousandRequests)}
	for _, d := range csvDists {
		v := d.dist(s)
		row = append(row, strconv.Itoa(v.Count))
		for _, x := range []float64{v.Mean, v.Stddev, v.Min, v.P50, v.P90, v.P95, v.P99, v.Max} {
			row = append(row, csvFloat(x))
		}
	}
	return row
}

func csvFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
