package report

import (
	"math"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

func msRecord(offset time.Duration, tokens int, at ...float64) runner.Record {
	r := runner.Record{Phase: runner.PhaseMeasured, Offset: offset, Usage: true, ServerOutputTokens: tokens,
		InputTokensClient: 100, ServerInputTokens: 110}
	for _, v := range at {
		r.OutputAt = append(r.OutputAt, msd(v))
	}
	return r
}

func TestFidelityHandComputed(t *testing.T) {
	t.Parallel()
	// Request a: TTFT 100, E2E 300, 4 tokens in 2 events, so TPOT 66.7,
	// 75 ms per token and 2 tokens per chunk. Request b: TTFT 600, over
	// the 500 ms SLO, 2 tokens in 2 events. A third request failed.
	records := []runner.Record{
		msRecord(0, 4, 100, 300),
		msRecord(time.Second, 2, 600, 700),
		{Phase: runner.PhaseMeasured, ErrorKind: runner.FailHTTP5xx},
	}
	slo := RequestSLO{TTFTMs: 500}
	s := Summarize(CellInfo{SLO: slo}, records, 2*time.Second)

	checks := []struct {
		name      string
		got, want float64
	}{
		{"goodput/s", s.GoodputPerS, 0.5},
		{"goodput fraction", s.GoodputFraction, 1.0 / 3},
		{"e2e per token p50", s.E2EPerToken.P50, (75 + 350) / 2.0},
		{"tokens per chunk max", s.TokensPerChunk.Max, 2},
		{"tokens per chunk min", s.TokensPerChunk.Min, 1},
		// Bucket 0 holds request a's 4 tokens; bucket 1 holds b's 2.
		{"peak tokens/s", s.PeakOutputTokensPerS, 4},
		// |110 - 100| / 100 for both requests with usage.
		{"input drift", s.InputTokenDrift, 0.1},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestGoodputWithoutSLOIsNaN(t *testing.T) {
	t.Parallel()
	s := Summarize(CellInfo{}, []runner.Record{msRecord(0, 2, 10, 20)}, time.Second)
	if !math.IsNaN(s.GoodputPerS) || !math.IsNaN(s.GoodputFraction) {
		t.Errorf("goodput = %v / %v, want NaN without an SLO", s.GoodputPerS, s.GoodputFraction)
	}
}

func TestSLOIgnoresUndefinedTPOT(t *testing.T) {
	t.Parallel()
	// One token has no TPOT, which must not count as missing a TPOT SLO.
	s := Summarize(CellInfo{SLO: RequestSLO{TPOTMs: 10}}, []runner.Record{msRecord(0, 1, 10)}, time.Second)
	if s.GoodputFraction != 1 {
		t.Errorf("goodput fraction = %v, want 1", s.GoodputFraction)
	}
}
