package sinks

import (
	"encoding/json"
	"fmt"

	"github.com/infermark/infermark/report"
)

// benchmarkRunsSQL creates the table that a SQLite results fork of llmperf
// keeps, one row per benchmark, so that queries written for it run on
// infermark's database. infermark adds one row per cell, and two columns
// of its own at the end, run_id and cell_id. Latencies are seconds, as in
// llmperf; price_per_token is USD per output token.
const benchmarkRunsSQL = `CREATE TABLE IF NOT EXISTS benchmark_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp TEXT,
  model TEXT,
  gpu_info TEXT,
  price_per_hour REAL,
  mean_input_tokens INTEGER,
  mean_output_tokens INTEGER,
  num_concurrent_requests INTEGER,
  overall_throughput REAL,
  error_rate REAL,
  completed_requests INTEGER,
  completed_requests_per_min REAL,
  mean_latency REAL,
  p99_latency REAL,
  price_per_token REAL,
  ttft REAL,
  raw_results TEXT,
  metadata TEXT,
  run_id TEXT,
  cell_id TEXT
)`

const benchmarkRunsInsert = `INSERT INTO benchmark_runs (
  timestamp, model, gpu_info, price_per_hour, mean_input_tokens, mean_output_tokens,
  num_concurrent_requests, overall_throughput, error_rate, completed_requests,
  completed_requests_per_min, mean_latency, p99_latency, price_per_token, ttft,
  raw_results, metadata, run_id, cell_id
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// benchmarkRunValues returns the benchmark_runs row of one cell. Its
// latencies come from the cell's llmperf summary (end to end = time to the
// end of the stream); raw_results holds that summary, nested as llmperf
// builds it.
func benchmarkRunValues(run *Run, s *report.CellSummary, cell *llmperfCell) []any {
	summary := cell.summary(s, run.Start.Unix())
	raw, _ := json.Marshal(summary) // object members are numbers, strings and objects
	metadata, _ := json.Marshal(object{
		{"suite", run.Suite}, {"endpoint", s.Endpoint}, {"provider", s.Provider},
		{"workload", s.Workload}, {"infermark_version", run.Version},
	})

	e2e := summaryDist(summary, "end_to_end_latency_s")
	ttft := summaryDist(summary, "ttft_s")
	var pricePerToken any
	if v := jsonNumber(s.USDPerMillionOutputTokens); v != nil {
		pricePerToken = v.(float64) / 1e6
	}
	return []any{
		run.Start.UTC().Format(sqliteTime), s.Model, gpuInfo(s.GPU, s.GPUCount), s.PricePerHourUSD,
		valueOf(summary, "mean_input_tokens"), valueOf(summary, "mean_output_tokens"),
		s.Concurrency, jsonNumber(s.OutputTokensPerS), jsonNumber(s.ErrorRate), s.Succeeded,
		jsonNumber(s.RequestsPerS * 60), valueOf(e2e, "mean"), valueOf(valueOf(e2e, "quantiles").(object), "p99"),
		pricePerToken, valueOf(ttft, "mean"), string(raw), string(metadata), run.ID, s.ID,
	}
}

// gpuInfo describes the GPUs as "H100 x8"; empty when the suite names none.
func gpuInfo(model string, count int) string {
	if model == "" {
		return ""
	}
	return fmt.Sprintf("%s x%d", model, count)
}

func summaryDist(summary object, key string) object {
	return valueOf(valueOf(summary, "results").(object), key).(object)
}

// valueOf returns the value of key in o; it panics on a missing key, which
// is a programmer error.
func valueOf(o object, key string) any {
	for _, m := range o {
		if m.Key == key {
			return m.Value
		}
	}
	panic("sinks: llmperf summary has no key " + key)
}
