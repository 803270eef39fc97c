package report

import (
	"math"

	"github.com/infermark/infermark/runner"
)

// usdPer returns what `per` units cost at pricePerHour when the cell
// produces ratePerS units a second; NaN without a price or a rate.
func usdPer(pricePerHour, ratePerS, per float64) float64 {
	if pricePerHour <= 0 || !(ratePerS > 0) {
		return math.NaN()
	}
	return pricePerHour / (ratePerS * 3600) * per
}

// requestOutputRate returns a request's output tokens per second of E2E,
// or NaN when it has no E2E.
func requestOutputRate(f Request) float64 {
	if !(f.E2E > 0) {
		return math.NaN()
	}
	return float64(f.OutputTokens) / (f.E2E / 1000)
}

// tokenMismatch compares the tokenizer's output count with the server's
// usage over the requests that reported usage.
type tokenMismatch struct {
	diff, usage int
}

func (m *tokenMismatch) add(rec *runner.Record) {
	if !rec.Usage || rec.ServerOutputTokens <= 0 {
		return
	}
	d := rec.ClientOutputTokens - rec.ServerOutputTokens
	m.diff += max(d, -d)
	m.usage += rec.ServerOutputTokens
}

func (m *tokenMismatch) ratio() float64 {
	return ratio(float64(m.diff), float64(m.usage))
}
