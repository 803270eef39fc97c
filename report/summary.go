package report

import (
	"encoding/json"
	"math"
	"sort"
	"time"

	"github.com/infermark/infermark/runner"
)

// CellInfo identifies a cell and carries the endpoint's metadata.
type CellInfo struct {
	ID       string `json:"id" expr:"cell"`
	Endpoint string `json:"endpoint" expr:"endpoint"`
	Provider string `json:"provider" expr:"provider"`
	Model    string `json:"model" expr:"model"`
	Workload string `json:"workload" expr:"workload"`
	GPU      string `json:"gpu" expr:"gpu"`
	GPUCount int    `json:"gpu_count" expr:"gpu_count"`
	// GPUMemoryGiB is the memory of one GPU, from the suite's gpu block.
	GPUMemoryGiB    float64 `json:"gpu_memory_gib" expr:"gpu_memory_gib"`
	PricePerHourUSD float64 `json:"price_per_hour_usd" expr:"price_per_hour_usd"`
	Concurrency     int     `json:"concurrency" expr:"concurrency"`
	// Rate is the open loop's target rate in requests per second; 0 in a
	// closed loop.
	Rate float64 `json:"rate" expr:"rate"`
	// Repeat is the repeat index of the cell, from 0.
	Repeat int `json:"repeat" expr:"repeat"`
	// Labels are the suite's free key/value labels, copied into every
	// result row.
	Labels map[string]string `json:"labels,omitempty" expr:"labels"`
	// SLO is the per-request objective that goodput counts against.
	SLO RequestSLO `json:"slo" expr:"slo"`
}

// CellSummary is every figure of one cell, computed from its measured
// records. It is also the environment of assertion expressions: the expr
// tags are the names users write. Latencies are milliseconds.
type CellSummary struct {
	CellInfo

	Requests  int            `json:"requests" expr:"requests"`
	Succeeded int            `json:"succeeded" expr:"succeeded"`
	Failed    int            `json:"failed" expr:"errors"`
	ErrorRate float64        `json:"error_rate" expr:"error_rate"`
	Failures  map[string]int `json:"failures_by_kind" expr:"failures"`

	// DurationS is the measured window in seconds.
	DurationS float64 `json:"duration_s" expr:"duration_s"`

	TTFT Dist `json:"ttft_ms" expr:"ttft_ms"`
	TTFO Dist `json:"ttfo_ms" expr:"ttfo_ms"`
	TPOT Dist `json:"tpot_ms" expr:"tpot_ms"`
	ITL  Dist `json:"itl_ms" expr:"itl_ms"`
	E2E  Dist `json:"e2e_ms" expr:"e2e_ms"`

	InputTokens  int `json:"input_tokens" expr:"input_tokens"`
	OutputTokens int `json:"output_tokens" expr:"output_tokens"`
	// TokensFromTokenizer counts successful requests whose output tokens
	// came from the tokenizer because the server reported no usage.
	TokensFromTokenizer int `json:"tokens_from_tokenizer" expr:"tokens_from_tokenizer"`

	RequestsPerS     float64 `json:"requests_per_s" expr:"requests_per_s"`
	OutputTokensPerS float64 `json:"output_tokens_per_s" expr:"output_tokens_per_s"`
	TotalTokensPerS  float64 `json:"total_tokens_per_s" expr:"total_tokens_per_s"`

	// USDPerMillionOutputTokens is the hourly price divided by the output
	// tokens produced in an hour at this cell's throughput; NaN without a
	// price or without output.
	USDPerMillionOutputTokens float64 `json:"usd_per_million_output_tokens" expr:"usd_per_million_output_tokens"`
	// USDPerMillionTotalTokens is the same over input plus output tokens;
	// NaN without a price or without tokens.
	USDPerMillionTotalTokens float64 `json:"usd_per_million_total_tokens" expr:"usd_per_million_total_tokens"`
	// USDPerThousandRequests is the hourly price divided by the successful
	// requests completed in an hour at this cell's rate, times 1000.
	USDPerThousandRequests float64 `json:"usd_per_thousand_requests" expr:"usd_per_thousand_requests"`

	// RequestOutputTokensPerS is the distribution of each successful
	// request's output tokens divided by its E2E in seconds: the rate one
	// user sees, prefill and queueing included.
	RequestOutputTokensPerS Dist `json:"request_output_tokens_per_s" expr:"request_output_tokens_per_s"`
	// OutputTokenMismatch is sum |tokenizer count - usage count| / sum usage
	// count over successful requests whose server reported usage; NaN when
	// none did.
	OutputTokenMismatch float64 `json:"output_token_mismatch" expr:"output_token_mismatch"`

	// Interrupted is true when the run was interrupted during this cell,
	// so its figures cover only part of it.
	Interrupted bool `json:"interrupted" expr:"interrupted"`

	// Fidelity holds goodput and the figures that reconcile infermark's
	// numbers with other tools'; see fidelity.go.
	Fidelity

	// Load holds the client's figures about its own load; see load.go.
	Load LoadFigures `json:"load" expr:"load"`

	// Correctness is the outcome of the cell's correctness requests; nil
	// for a cell of any other workload. See correctness.go.
	Correctness *Correctness `json:"correctness,omitempty" expr:"correctness"`
}

// Summarize computes a cell's summary from its records over the measured
// window. Warmup records are ignored; latencies come from successful
// requests only.
func Summarize(info CellInfo, records []runner.Record, window time.Duration) CellSummary {
	s := CellSummary{CellInfo: info, Failures: map[string]int{}, DurationS: window.Seconds()}
	var ttft, ttfo, tpot, itl, e2e, perRequest []float64
	var mismatch tokenMismatch
	for i := range records {
		rec := &records[i]
		if rec.Phase != runner.PhaseMeasured || !rec.Counted() {
			continue
		}
		s.Requests++
		if !rec.OK() {
			s.Failed++
			s.Failures[rec.ErrorKind]++
			continue
		}
		s.Succeeded++
		f := RequestFigures(rec)
		s.InputTokens += f.InputTokens
		s.OutputTokens += f.OutputTokens
		if f.TokenSource == SourceTokenizer {
			s.TokensFromTokenizer++
		}
		ttft = appendNumber(ttft, f.TTFT)
		ttfo = appendNumber(ttfo, f.TTFO)
		tpot = appendNumber(tpot, f.TPOT)
		e2e = appendNumber(e2e, f.E2E)
		itl = append(itl, f.ITL...)
		perRequest = appendNumber(perRequest, requestOutputRate(f))
		mismatch.add(rec)
	}

	s.TTFT, s.TTFO, s.TPOT, s.ITL, s.E2E = Describe(ttft), Describe(ttfo), Describe(tpot), Describe(itl), Describe(e2e)
	s.ErrorRate = ratio(float64(s.Failed), float64(s.Requests))
	secs := window.Seconds()
	s.RequestsPerS = ratio(float64(s.Succeeded), secs)
	s.OutputTokensPerS = ratio(float64(s.OutputTokens), secs)
	s.TotalTokensPerS = ratio(float64(s.OutputTokens+s.InputTokens), secs)
	s.USDPerMillionOutputTokens = math.NaN()
	if info.PricePerHourUSD > 0 && s.OutputTokensPerS > 0 {
		s.USDPerMillionOutputTokens = info.PricePerHourUSD / (s.OutputTokensPerS * 3600) * 1e6
	}
	s.USDPerMillionTotalTokens = usdPer(info.PricePerHourUSD, s.TotalTokensPerS, 1e6)
	s.USDPerThousandRequests = usdPer(info.PricePerHourUSD, s.RequestsPerS, 1e3)
	s.RequestOutputTokensPerS = Describe(perRequest)
	s.OutputTokenMismatch = mismatch.ratio()
	s.Fidelity = fidelity(info.SLO, records, window)
	s.Correctness = SummarizeCorrectness(records)
	return s
}

func appendNumber(values []float64, v float64) []float64 {
	if math.IsNaN(v) {
		return values
	}
	return append(values, v)
}

// ratio returns a/b, or NaN when b is 0 (no requests, no window).
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// FailureKinds returns the failure kinds of s, sorted.
func (s CellSummary) FailureKinds() []string {
	kinds := make([]string, 0, len(s.Failures))
	for k := range s.Failures {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// MarshalJSON writes NaN figures as null, because JSON has no NaN.
func (s CellSummary) MarshalJSON() ([]byte, error) {
	type plain CellSummary
	return json.Marshal(struct {
		plain
		ErrorRate                 *float64 `json:"error_rate"`
		DurationS                 *float64 `json:"duration_s"`
		RequestsPerS              *float64 `json:"requests_per_s"`
		OutputTokensPerS          *float64 `json:"output_tokens_per_s"`
		TotalTokensPerS           *float64 `json:"total_tokens_per_s"`
		USDPerMillionOutputTokens *float64 `json:"usd_per_million_output_tokens"`
		USDPerMillionTotalTokens  *float64 `json:"usd_per_million_total_tokens"`
		USDPerThousandRequests    *float64 `json:"usd_per_thousand_requests"`
		OutputTokenMismatch       *float64 `json:"output_token_mismatch"`
		GoodputPerS               *float64 `json:"goodput_per_s"`
		GoodputFraction           *float64 `json:"goodput_fraction"`
		InputTokenDrift           *float64 `json:"input_token_drift"`
	}{plain(s), num(s.ErrorRate), num(s.DurationS), num(s.RequestsPerS), num(s.OutputTokensPerS),
		num(s.TotalTokensPerS), num(s.USDPerMillionOutputTokens),
		num(s.USDPerMillionTotalTokens), num(s.USDPerThousandRequests), num(s.OutputTokenMismatch),
		num(s.GoodputPerS), num(s.GoodputFraction), num(s.InputTokenDrift)})
}
