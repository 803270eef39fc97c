package report

import (
	"math"
	"time"

	"github.com/infermark/infermark/runner"
)

// Token sources, in order of preference.
const (
	// SourceUsage: the server's usage report.
	SourceUsage = "usage"
	// SourceTokenizer: infermark's o200k_base count of the generated text.
	SourceTokenizer = "tokenizer"
)

// Request holds the figures of one request. Durations are milliseconds
// after the request was sent; NaN where the request has no such figure.
type Request struct {
	OK bool
	// TTFT is the time to the first output-bearing event (text, reasoning
	// or a tool call). TTFT, TTFO, E2E and StreamEnd count from the
	// record's Written, or from its send when Written is zero.
	TTFT float64
	// TTFO is the time to the first answer text, excluding reasoning.
	TTFO float64
	// E2E is the time to the last output-bearing event.
	E2E float64
	// StreamEnd is the time to the end marker or the end of the body.
	StreamEnd float64
	// TPOT is (E2E - TTFT) / (OutputTokens - 1); NaN with fewer than 2 tokens.
	TPOT float64
	// ITL holds the gaps between consecutive output-bearing events.
	ITL []float64
	// OutputTokens comes from the server's usage when reported, else from
	// the tokenizer; TokenSource says which.
	OutputTokens int
	TokenSource  string
	// InputTokens is the server's prompt count when reported, else the
	// client's count.
	InputTokens int
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// RequestFigures derives the figures of one record.
func RequestFigures(rec *runner.Record) Request {
	nan := math.NaN()
	f := Request{OK: rec.OK(), TTFT: nan, TTFO: nan, E2E: nan, StreamEnd: nan, TPOT: nan}

	f.OutputTokens, f.TokenSource = rec.ClientOutputTokens, SourceTokenizer
	f.InputTokens = rec.InputTokensClient
	if rec.Usage {
		f.OutputTokens, f.TokenSource = rec.ServerOutputTokens, SourceUsage
	}
	// Some servers (older TGI, LMI containers) report output tokens but
	// not the prompt's.
	if rec.Usage && rec.ServerInputTokens > 0 {
		f.InputTokens = rec.ServerInputTokens
	}
	// Latencies count from the moment the request went to the kernel, so
	// that time the client spent queueing its own request is not charged
	// to the server.
	origin := rec.Written
	if rec.StreamEnd > 0 {
		f.StreamEnd = ms(rec.StreamEnd - origin)
	}
	if rec.FirstAnswer > 0 {
		f.TTFO = ms(rec.FirstAnswer - origin)
	}
	n := len(rec.OutputAt)
	if n == 0 {
		return f
	}

	f.TTFT = ms(rec.OutputAt[0] - origin)
	f.E2E = ms(rec.OutputAt[n-1] - origin)
	f.ITL = make([]float64, 0, n-1)
	for i := 1; i < n; i++ {
		f.ITL = append(f.ITL, ms(rec.OutputAt[i]-rec.OutputAt[i-1]))
	}
	if f.OutputTokens > 1 {
		f.TPOT = (f.E2E - f.TTFT) / float64(f.OutputTokens-1)
	}
	return f
}
