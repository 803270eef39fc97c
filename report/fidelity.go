package report

import (
	"math"
	"time"

	"github.com/infermark/infermark/runner"
)

// RequestSLO is a per-request service-level objective: a request counts
// towards goodput when it succeeded and met every threshold set. Zero
// thresholds are not set. Milliseconds.
type RequestSLO struct {
	TTFTMs float64 `json:"ttft_ms,omitempty" expr:"ttft_ms"`
	TPOTMs float64 `json:"tpot_ms,omitempty" expr:"tpot_ms"`
	E2EMs  float64 `json:"e2e_ms,omitempty" expr:"e2e_ms"`
}

// IsSet reports whether any threshold is set.
func (o RequestSLO) IsSet() bool { return o.TTFTMs > 0 || o.TPOTMs > 0 || o.E2EMs > 0 }

// met reports whether the figures of one successful request meet o. An
// undefined figure (TPOT of a one-token answer) does not miss its SLO.
func (o RequestSLO) met(f Request) bool {
	over := func(v, limit float64) bool { return limit > 0 && !math.IsNaN(v) && v > limit }
	return !over(f.TTFT, o.TTFTMs) && !over(f.TPOT, o.TPOTMs) && !over(f.E2E, o.E2EMs)
}

// Fidelity holds the figures that reconcile infermark's numbers with other
// tools' and expose what the headline figures average away.
type Fidelity struct {
	// GoodputPerS is successful requests meeting the SLO per second of
	// the window, and GoodputFraction their share of all counted requests,
	// failures included. Both are NaN when no SLO is configured.
	GoodputPerS     float64 `json:"goodput_per_s" expr:"goodput_per_s"`
	GoodputFraction float64 `json:"goodput_fraction" expr:"goodput_fraction"`
	// E2EPerToken is E2E / output tokens per request: what llmperf calls
	// inter-token latency.
	E2EPerToken Dist `json:"e2e_per_token_ms" expr:"e2e_per_token_ms"`
	// TokensPerChunk is output tokens / output events per request; above 1
	// means multi-token chunks (speculative decoding, buffering), so ITL
	// gaps span several tokens.
	TokensPerChunk Dist `json:"tokens_per_chunk" expr:"tokens_per_chunk"`
	// PeakOutputTokensPerS is the highest output token rate over 1-second
	// buckets of the window. NOTE: it is an estimate, because a request's
	// tokens are spread evenly over its output events.
	PeakOutputTokensPerS float64 `json:"peak_output_tokens_per_s" expr:"peak_output_tokens_per_s"`
	// InputTokenDrift is sum |server prompt tokens - client count| / sum
	// client count over requests with usage: chat templates and a
	// different tokenizer show here. NaN without usage.
	InputTokenDrift float64 `json:"input_token_drift" expr:"input_token_drift"`
}

// fidelity computes the Fidelity figures of a cell's measured records.
func fidelity(slo RequestSLO, records []runner.Record, window time.Duration) Fidelity {
	var out Fidelity
	var perToken, perChunk []float64
	var good, counted int
	var drift, clientIn float64
	buckets := map[int64]float64{}
	for i := range records {
		rec := &records[i]
		if rec.Phase != runner.PhaseMeasured || !rec.Counted() {
			continue
		}
		counted++
		if !rec.OK() {
			continue
		}
		f := RequestFigures(rec)
		if slo.met(f) {
			good++
		}
		if f.OutputTokens > 0 {
			perToken = appendNumber(perToken, f.E2E/float64(f.OutputTokens))
		}
		if n := len(rec.OutputAt); n > 0 {
			perChunk = append(perChunk, float64(f.OutputTokens)/float64(n))
			share := float64(f.OutputTokens) / float64(n)
			for _, at := range rec.OutputAt {
				buckets[int64((rec.Offset+at)/time.Second)] += share
			}
		}
		if rec.Usage && rec.ServerInputTokens > 0 && rec.InputTokensClient > 0 {
			drift += math.Abs(float64(rec.ServerInputTokens - rec.InputTokensClient))
			clientIn += float64(rec.InputTokensClient)
		}
	}
	out.GoodputPerS, out.GoodputFraction = math.NaN(), math.NaN()
	if slo.IsSet() {
		out.GoodputPerS = ratio(float64(good), window.Seconds())
		out.GoodputFraction = ratio(float64(good), float64(counted))
	}
	out.E2EPerToken, out.TokensPerChunk = Describe(perToken), Describe(perChunk)
	for _, tokens := range buckets {
		out.PeakOutputTokensPerS = max(out.PeakOutputTokensPerS, tokens)
	}
	out.InputTokenDrift = ratio(drift, clientIn)
	return out
}
