package report

import (
	"math"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

func msd(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// record returns a successful record whose output events arrive at the
// given milliseconds after send.
func record(phase runner.Phase, serverTokens int, at ...float64) runner.Record {
	r := runner.Record{Phase: phase, Usage: serverTokens > 0, ServerOutputTokens: serverTokens, ServerInputTokens: 10}
	for _, v := range at {
		r.OutputAt = append(r.OutputAt, msd(v))
	}
	r.StreamEnd = r.OutputAt[len(r.OutputAt)-1] + msd(1)
	r.FirstAnswer = r.OutputAt[0]
	return r
}

func TestRequestFiguresHandComputed(t *testing.T) {
	t.Parallel()
	// Events at 200, 220, 240, 300 ms with 4 server tokens: TTFT 200,
	// E2E 300, gaps 20/20/60, TPOT (300-200)/3.
	rec := record(runner.PhaseMeasured, 4, 200, 220, 240, 300)
	f := RequestFigures(&rec)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"ttft", f.TTFT, 200}, {"e2e", f.E2E, 300}, {"tpot", f.TPOT, 100.0 / 3},
		{"itl0", f.ITL[0], 20}, {"itl2", f.ITL[2], 60}, {"stream end", f.StreamEnd, 301},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if f.TokenSource != SourceUsage {
		t.Errorf("token source = %q, want %q", f.TokenSource, SourceUsage)
	}
}

func TestRequestFiguresCountFromWritten(t *testing.T) {
	t.Parallel()
	// Written is 15 ms after send, the events 200, 220 and 300 ms after
	// send, and the stream end 301 ms. So TTFT and TTFO are 185, E2E 285,
	// stream end 286, TPOT (285-185)/2, and the gaps do not change.
	rec := record(runner.PhaseMeasured, 3, 200, 220, 300)
	rec.Written = msd(15)
	f := RequestFigures(&rec)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"ttft", f.TTFT, 185}, {"ttfo", f.TTFO, 185}, {"e2e", f.E2E, 285}, {"stream end", f.StreamEnd, 286},
		{"tpot", f.TPOT, 50}, {"itl0", f.ITL[0], 20}, {"itl1", f.ITL[1], 80},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRequestFiguresTokenizerFallback(t *testing.T) {
	t.Parallel()
	rec := record(runner.PhaseMeasured, 0, 100)
	rec.ClientOutputTokens = 7
	f := RequestFigures(&rec)
	if f.OutputTokens != 7 || f.TokenSource != SourceTokenizer {
		t.Errorf("tokens = %d from %q, want 7 from %q", f.OutputTokens, f.TokenSource, SourceTokenizer)
	}
}

func TestRequestFiguresSingleTokenHasNoTPOT(t *testing.T) {
	t.Parallel()
	rec := record(runner.PhaseMeasured, 1, 100)
	if f := RequestFigures(&rec); !math.IsNaN(f.TPOT) {
		t.Errorf("TPOT = %v, want NaN for one token", f.TPOT)
	}
}

func TestSummarizeHandComputed(t *testing.T) {
	t.Parallel()
	failed := runner.Record{Phase: runner.PhaseMeasured, ErrorKind: runner.FailHTTP5xx}
	records := []runner.Record{
		record(runner.PhaseWarmup, 2, 5000, 6000),
		record(runner.PhaseMeasured, 2, 100, 120),
		record(runner.PhaseMeasured, 2, 300, 340),
		failed,
	}
	info := CellInfo{ID: "a/b/c1", PricePerHourUSD: 3.6}
	s := Summarize(info, records, 2*time.Second)

	if s.Requests != 3 || s.Succeeded != 2 || s.Failed != 1 {
		t.Fatalf("counts = %d/%d/%d, want 3/2/1", s.Requests, s.Succeeded, s.Failed)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"ttft p50", s.TTFT.P50, 200},
		{"itl mean", s.ITL.Mean, 30},
		{"e2e max", s.E2E.Max, 340},
		{"error rate", s.ErrorRate, 1.0 / 3},
		{"requests/s", s.RequestsPerS, 1},
		{"output tokens/s", s.OutputTokensPerS, 2},
		// 3.6 USD/h at 2 tokens/s = 7200 tokens/h, so 500 USD per million.
		{"usd per million", s.USDPerMillionOutputTokens, 500},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s.Failures[runner.FailHTTP5xx] != 1 {
		t.Errorf("failures = %v, want one %s", s.Failures, runner.FailHTTP5xx)
	}
}

func TestSummarizeNoPriceHasNoCost(t *testing.T) {
	t.Parallel()
	s := Summarize(CellInfo{}, []runner.Record{record(runner.PhaseMeasured, 2, 1, 2)}, time.Second)
	if !math.IsNaN(s.USDPerMillionOutputTokens) {
		t.Errorf("cost = %v, want NaN without a price", s.USDPerMillionOutputTokens)
	}
	if _, err := s.MarshalJSON(); err != nil {
		t.Errorf("MarshalJSON with NaN figures: %v", err)
	}
}
