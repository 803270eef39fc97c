package sinks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// The llmperf layout reproduces the result files of ray-project/llmperf's
// token_benchmark_ray.py (results version "2023-08-31"), so that notebooks
// written for it read infermark's results. Key names are llmperf's; the
// figures are infermark's, mapped as follows:
//
//   - ttft_s is TTFT (first output-bearing event, reasoning included).
//     llmperf times the first non-empty content delta, which is TTFO for a
//     reasoning model.
//   - end_to_end_latency_s is the time to the end of the stream, as llmperf
//     measures it.
//   - inter_token_latency_s is TPOT, (E2E − TTFT) / (output tokens − 1).
//     llmperf divides the time to the last token, TTFT included, by the
//     output tokens, so its figure is larger by about TTFT / tokens.
//   - token counts are the server's usage when reported, else infermark's
//     tokenizer count; llmperf always counts with a Llama tokenizer.
//
// A figure a request does not have (the TTFT of a failed request, the TPOT
// of a one-token output) is null, where llmperf writes 0, and statistics
// skip it.
const llmperfResultsVersion = "2023-08-31"

// llmperfRequest is one element of llmperf's individual responses list.
type llmperfRequest struct {
	// ErrorCode is null on success, else the HTTP status, or -1 when there
	// was no response.
	ErrorCode               *int     `json:"error_code"`
	ErrorMsg                string   `json:"error_msg"`
	InterTokenLatencyS      *float64 `json:"inter_token_latency_s"`
	TTFTS                   *float64 `json:"ttft_s"`
	EndToEndLatencyS        *float64 `json:"end_to_end_latency_s"`
	RequestOutputThroughput *float64 `json:"request_output_throughput_token_per_s"`
	NumberTotalTokens       int      `json:"number_total_tokens"`
	NumberOutputTokens      int      `json:"number_output_tokens"`
	NumberInputTokens       int      `json:"number_input_tokens"`
}

func newLLMPerfRequest(rec *runner.Record) llmperfRequest {
	f := report.RequestFigures(rec)
	r := llmperfRequest{
		ErrorMsg:           rec.Error,
		InterTokenLatencyS: nullable(f.TPOT / 1000),
		TTFTS:              nullable(f.TTFT / 1000),
		EndToEndLatencyS:   nullable(f.StreamEnd / 1000),
		NumberInputTokens:  f.InputTokens,
		NumberOutputTokens: f.OutputTokens,
		NumberTotalTokens:  f.InputTokens + f.OutputTokens,
	}
	// NOTE: this per-request throughput is the one figure derived outside
	// the report package; it exists only for llmperf's key.
	if f.OK && f.StreamEnd > 0 {
		r.RequestOutputThroughput = nullable(float64(f.OutputTokens) / (f.StreamEnd / 1000))
	}
	if !f.OK {
		code := -1
		if rec.HTTPStatus != 0 {
			code = rec.HTTPStatus
		}
		r.ErrorCode = &code
	}
	return r
}

// llmperfCell collects the measured requests of one cell.
type llmperfCell struct {
	requests      []llmperfRequest
	inputTargets  []float64
	outputTargets []float64
}

func (c *llmperfCell) add(rec *runner.Record) {
	if rec.Phase != runner.PhaseMeasured {
		return
	}
	c.requests = append(c.requests, newLLMPerfRequest(rec))
	c.inputTargets = append(c.inputTargets, float64(rec.InputTokensTarget))
	c.outputTargets = append(c.outputTargets, float64(rec.MaxTokens))
}

// fileName returns llmperf's file name stem, "<model>_<in>_<out>", with
// every run of characters other than letters, digits, "_" and "-" replaced
// by one "-", as llmperf does with Python's Unicode-aware \w.
func (c *llmperfCell) fileName(model string) string {
	in, out := report.Describe(c.inputTargets), report.Describe(c.outputTargets)
	name := fmt.Sprintf("%s_%d_%d", model, roundInt(in.Mean), roundInt(out.Mean))
	name = llmperfUnsafe.ReplaceAllString(name, "-")
	return llmperfDashes.ReplaceAllString(name, "-")
}

var (
	llmperfUnsafe = regexp.MustCompile(`[^\p{L}\p{N}_-]+`)
	llmperfDashes = regexp.MustCompile(`-{2,}`)
)

func floatOf(v int) *float64 {
	f := float64(v)
	return &f
}

func roundInt(v float64) int {
	if math.IsNaN(v) {
		return 0
	}
	return int(math.Round(v))
}

// summary returns llmperf's summary, nested as llmperf builds it before
// flattening: run metadata, then "results" with one distribution per
// metric over the successful requests. unixTime is the "timestamp" value.
func (c *llmperfCell) summary(s *report.CellSummary, unixTime int64) object {
	in, out := report.Describe(c.inputTargets), report.Describe(c.outputTargets)
	var ok []llmperfRequest
	codes := map[int]int{}
	for _, r := range c.requests {
		if r.ErrorCode == nil {
			ok = append(ok, r)
		} else {
			codes[*r.ErrorCode]++
		}
	}

	results := object{
		distribution(ok, func(r llmperfRequest) *float64 { return r.InterTokenLatencyS }, "inter_token_latency_s"),
		distribution(ok, func(r llmperfRequest) *float64 { return r.TTFTS }, "ttft_s"),
		distribution(ok, func(r llmperfRequest) *float64 { return r.EndToEndLatencyS }, "end_to_end_latency_s"),
		distribution(ok, func(r llmperfRequest) *float64 { return r.RequestOutputThroughput }, "request_output_throughput_token_per_s"),
		distribution(ok, func(r llmperfRequest) *float64 { return floatOf(r.NumberInputTokens) }, "number_input_tokens"),
		distribution(ok, func(r llmperfRequest) *float64 { return floatOf(r.NumberOutputTokens) }, "number_output_tokens"),
		{"num_requests_started", s.Requests},
		{"error_rate", jsonNumber(s.ErrorRate)},
		{"number_errors", s.Failed},
		{"error_code_frequency", pythonDict(codes)},
		{"mean_output_throughput_token_per_s", jsonNumber(s.OutputTokensPerS)},
		{"num_completed_requests", s.Succeeded},
		{"num_completed_requests_per_min", jsonNumber(s.RequestsPerS * 60)},
	}
	return object{
		{"model", s.Model},
		{"mean_input_tokens", roundInt(in.Mean)},
		{"stddev_input_tokens", roundInt(in.Stddev)},
		{"mean_output_tokens", roundInt(out.Mean)},
		{"stddev_output_tokens", roundInt(out.Stddev)},
		{"num_concurrent_requests", s.Concurrency},
		{"results", results},
		{"timestamp", unixTime},
	}
}

// distribution returns llmperf's statistics of one metric over the
// requests that have it: quantiles p25 to p99, mean, min, max and sample
// standard deviation, all from report.Describe and report.Percentile
// (linear interpolation, as pandas' default quantile method).
func distribution(rs []llmperfRequest, value func(llmperfRequest) *float64, key string) member {
	values := make([]float64, 0, len(rs))
	for _, r := range rs {
		if v := value(r); v != nil {
			values = append(values, *v)
		}
	}
	slices.Sort(values)
	d := report.Describe(values)
	quantiles := object{
		{"p25", jsonNumber(report.Percentile(values, 25))},
		{"p50", jsonNumber(d.P50)}, {"p75", jsonNumber(report.Percentile(values, 75))},
		{"p90", jsonNumber(d.P90)}, {"p95", jsonNumber(d.P95)}, {"p99", jsonNumber(d.P99)},
	}
	return member{key, object{
		{"quantiles", quantiles}, {"mean", jsonNumber(d.Mean)}, {"min", jsonNumber(d.Min)},
		{"max", jsonNumber(d.Max)}, {"stddev", jsonNumber(d.Stddev)},
	}}
}

// pythonDict formats counts as Python prints a dict, because llmperf stores
// str() of its error code counts: "{}" or "{429: 3, -1: 1}".
func pythonDict(counts map[int]int) string {
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d: %d", k, counts[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// jsonNumber returns nil for NaN and infinities, which JSON cannot encode.
func jsonNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// object is a JSON object that keeps its keys in order.
type object []member

type member struct {
	Key   string
	Value any
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(m.Key) // a string always encodes
		value, err := json.Marshal(m.Value)
		if err != nil {
			return nil, fmt.Errorf("encode %q: %w", m.Key, err)
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// flatten joins nested keys with "_", as llmperf does before writing its
// summary file: {"results": {"ttft_s": {"mean": 1}}} becomes
// {"results_ttft_s_mean": 1}.
func (o object) flatten(prefix string) object {
	var out object
	for _, m := range o {
		key := m.Key
		if prefix != "" {
			key = prefix + "_" + key
		}
		if inner, ok := m.Value.(object); ok {
			out = append(out, inner.flatten(key)...)
			continue
		}
		out = append(out, member{key, m.Value})
	}
	return out
}
