package report

import (
	"math"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

func TestLoadFiguresOpenLoop(t *testing.T) {
	t.Parallel()
	// Two requests scheduled at 0 and 100 ms left 2 and 30 ms late; their
	// first tokens came 50 ms after sending, so 52 and 80 ms after their
	// arrival times. A third left on time and was cut by the end of the
	// cell: its lag counts, because it was sent.
	recs := []runner.Record{
		{Phase: runner.PhaseMeasured, Scheduled: 0, ScheduleLag: 2 * time.Millisecond, OutputAt: []time.Duration{50 * time.Millisecond}},
		{Phase: runner.PhaseMeasured, Scheduled: 100 * time.Millisecond, ScheduleLag: 30 * time.Millisecond, OutputAt: []time.Duration{50 * time.Millisecond}},
		{Phase: runner.PhaseMeasured, Scheduled: 200 * time.Millisecond, ErrorKind: runner.FailIncomplete},
	}
	res := runner.Result{Records: recs, Window: time.Second, ClientCPU: 500 * time.Millisecond, Cores: 2}
	s := SummarizeResult(CellInfo{}, res)

	if s.Requests != 2 || s.Failed != 0 {
		t.Errorf("requests = %d, failed = %d; want 2 and 0 (incomplete is not counted)", s.Requests, s.Failed)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"lag max", s.Load.ScheduleLag.Max, 30},
		{"lag p50", s.Load.ScheduleLag.P50, 2},
		{"ttft from schedule p50", s.Load.TTFTFromSchedule.P50, 66},
		{"achieved rate", s.Load.AchievedRate, 3},
		{"cpu fraction", s.Load.ClientCPUFraction, 0.25},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s.Load.Incomplete != 1 {
		t.Errorf("incomplete = %d, want 1", s.Load.Incomplete)
	}
	// A schedule lag p99 of 29.44 ms is above the 10 ms limit.
	if !s.Load.ClientSaturated {
		t.Error("client not marked saturated despite 30 ms of lag")
	}
}

func TestLoadFiguresClosedLoopNotSaturated(t *testing.T) {
	t.Parallel()
	recs := []runner.Record{{Phase: runner.PhaseMeasured, Scheduled: -1, OutputAt: []time.Duration{time.Millisecond}}}
	s := SummarizeResult(CellInfo{}, runner.Result{Records: recs, Window: time.Second, ClientCPU: 100 * time.Millisecond, Cores: 1})
	if s.Load.ClientSaturated || s.Load.ScheduleLag.Count != 0 {
		t.Errorf("closed loop: saturated = %v, lag samples = %d; want false and 0", s.Load.ClientSaturated, s.Load.ScheduleLag.Count)
	}
}

func TestSteadyFiguresExcludeRamp(t *testing.T) {
	t.Parallel()
	rec := func(offset time.Duration) runner.Record {
		return runner.Record{Phase: runner.PhaseMeasured, Scheduled: -1, Offset: offset, Usage: true, ServerOutputTokens: 10,
			OutputAt: []time.Duration{time.Millisecond}}
	}
	res := runner.Result{
		Records: []runner.Record{rec(0), rec(500 * time.Millisecond), rec(1500 * time.Millisecond), rec(2500 * time.Millisecond)},
		Window:  3 * time.Second, SteadyFrom: time.Second, SteadyTo: 3 * time.Second, Cores: 1,
	}
	st := SummarizeResult(CellInfo{}, res).Load.Steady
	if st == nil {
		t.Fatal("no steady-state figures with a ramp")
	}
	// Two requests of 10 tokens were sent in the 2 s after the ramp.
	if st.RequestsPerS != 1 || st.OutputTokensPerS != 10 {
		t.Errorf("steady = %+v, want 1 request/s and 10 tokens/s", *st)
	}
}

func TestTimerLagMarksSaturation(t *testing.T) {
	t.Parallel()
	lags := make([]time.Duration, 100)
	lags[99] = 200 * time.Millisecond
	lags[98] = 150 * time.Millisecond
	s := SummarizeResult(CellInfo{}, runner.Result{Window: time.Second, Cores: 1, TimerLag: lags})
	// p99 of 98 zeros, 150 and 200 ms is 150 + 0.01*50 = 150.5 ms.
	if math.Abs(s.Load.TimerLag.P99-150.5) > 1e-9 || !s.Load.ClientSaturated {
		t.Errorf("timer lag p99 = %v, saturated = %v; want 150.5 and true", s.Load.TimerLag.P99, s.Load.ClientSaturated)
	}
}

func TestCheckKnownPacing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                  string
		ttft, itl             float64
		pacingTTFT, pacingITL time.Duration
		drift                 bool
	}{
		{"on time", 51, 5.1, 50 * time.Millisecond, 5 * time.Millisecond, false},
		// 50 ms allows 10 + 10 ms of drift, so 75 ms is off.
		{"late first token", 75, 5, 50 * time.Millisecond, 5 * time.Millisecond, true},
		// Bunched tokens: gaps of 0 for a 20 ms pacing (limit 14 ms).
		{"bunched tokens", 205, 0.01, 200 * time.Millisecond, 20 * time.Millisecond, true},
	}
	for _, c := range cases {
		s := CellSummary{}
		s.TTFT.P50, s.ITL.P50 = c.ttft, c.itl
		msg := CheckKnownPacing(&s, c.pacingTTFT, c.pacingITL)
		if (msg != "") != c.drift || s.Load.ClientSaturated != c.drift {
			t.Errorf("%s: drift %q, saturated %v; want drift %v", c.name, msg, s.Load.ClientSaturated, c.drift)
		}
	}
}

func TestReadDelayMarksSaturation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		slowest   time.Duration
		wantP99   float64
		saturated bool
	}{
		// 99 requests whose events waited 1 ms and one that waited the
		// slowest; p99 is 1 + 0.01 × (slowest − 1) ms.
		{"keeps up", 5 * time.Millisecond, 1.04, false},
		{"falls behind", 1001 * time.Millisecond, 11, true},
	} {
		records := make([]runner.Record, 100)
		for i := range records {
			records[i] = record(runner.PhaseMeasured, 2, 10, 20)
			records[i].ReadDelay = time.Millisecond
		}
		records[99].ReadDelay = c.slowest
		records = append(records, record(runner.PhaseMeasured, 2, 10, 20)) // no kernel stamps: left out
		s := SummarizeResult(CellInfo{}, runner.Result{Records: records, Window: time.Second, Cores: 1})
		if s.Load.ReadDelay.Count != 100 {
			t.Errorf("%s: read delay count = %d, want 100", c.name, s.Load.ReadDelay.Count)
		}
		if math.Abs(s.Load.ReadDelay.P99-c.wantP99) > 1e-9 {
			t.Errorf("%s: read delay p99 = %v, want %v", c.name, s.Load.ReadDelay.P99, c.wantP99)
		}
		if s.Load.ClientSaturated != c.saturated {
			t.Errorf("%s: saturated = %v, want %v", c.name, s.Load.ClientSaturated, c.saturated)
		}
	}
}
