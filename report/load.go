package report

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/infermark/infermark/runner"
)

// SaturationCPUFraction is the share of the available CPU time above which
// the client is considered saturated: its own timestamps may then be late.
const SaturationCPUFraction = 0.9

// SaturationLagMs is the 99th percentile of schedule lag or timer lag, in
// milliseconds, above which the client is considered unable to keep time.
const SaturationLagMs = 10.0

// LoadFigures holds the figures the client measured about the load it
// generated.
type LoadFigures struct {
	// AchievedRate is measured requests sent per second of the window; in
	// an open loop compare it with the target rate.
	AchievedRate float64 `json:"achieved_rate" expr:"achieved_rate"`
	// ScheduleLag is how late open-loop requests left after their arrival
	// time, in milliseconds; empty in a closed loop.
	ScheduleLag Dist `json:"schedule_lag_ms" expr:"schedule_lag_ms"`
	// TTFTFromSchedule is TTFT counted from the arrival time instead of the
	// send, so a client held back by a cap cannot hide a slow server.
	TTFTFromSchedule Dist `json:"ttft_from_schedule_ms" expr:"ttft_from_schedule_ms"`
	// Incomplete counts requests cut by the end of a duration-bounded cell
	// and Canceled those cut by an interruption; neither is a failure.
	Incomplete int `json:"incomplete" expr:"incomplete"`
	Canceled   int `json:"canceled" expr:"canceled"`
	// ClientCPUFraction is the process's CPU time during the window over
	// the CPU time available (window × cores).
	ClientCPUFraction float64 `json:"client_cpu_fraction" expr:"client_cpu_fraction"`
	// TimerLag is how late a 50 ms timer in the client fired during the
	// window, in milliseconds: the delay a busy machine adds to every
	// timestamp, whatever keeps it busy.
	TimerLag Dist `json:"timer_lag_ms" expr:"timer_lag_ms"`
	// ReadDelay is, per request, the longest time an output event waited
	// in the socket before the client decoded it, in milliseconds. It is
	// empty without the kernel's receive stamps (Linux). Arrival times
	// come from those stamps, so a delay costs accuracy only when it
	// exceeds the gap to the next event: both events then reach the client
	// in one read and share its time.
	ReadDelay Dist `json:"read_delay_ms" expr:"read_delay_ms"`
	// ClientSaturated is true when ClientCPUFraction is above
	// SaturationCPUFraction, or the p99 of schedule lag, timer lag or read
	// delay is above SaturationLagMs.
	ClientSaturated bool `json:"client_saturated" expr:"client_saturated"`
	// Steady holds throughput and TTFT over the steady state (after the
	// ramp, before the last request was sent); nil without a ramp.
	Steady *SteadyFigures `json:"steady,omitempty" expr:"steady"`
}

// SteadyFigures are the headline figures of a cell's steady state.
type SteadyFigures struct {
	WindowS          float64 `json:"window_s" expr:"window_s"`
	RequestsPerS     float64 `json:"requests_per_s" expr:"requests_per_s"`
	OutputTokensPerS float64 `json:"output_tokens_per_s" expr:"output_tokens_per_s"`
	TTFT             Dist    `json:"ttft_ms" expr:"ttft_ms"`
}

// SummarizeResult summarizes a runner result: Summarize over its records
// and window, plus the load figures.
func SummarizeResult(info CellInfo, res runner.Result) CellSummary {
	s := Summarize(info, res.Records, res.Window)
	s.Load = loadFigures(res)
	return s
}

func loadFigures(res runner.Result) LoadFigures {
	f := scheduleFigures(res.Records)
	f.AchievedRate = ratio(float64(f.sent), res.Window.Seconds())

	f.ClientCPUFraction = ratio(res.ClientCPU.Seconds(), res.Window.Seconds()*float64(max(res.Cores, 1)))
	timerLag := make([]float64, len(res.TimerLag))
	for i, d := range res.TimerLag {
		timerLag[i] = ms(d)
	}
	f.TimerLag = Describe(timerLag)
	f.ClientSaturated = f.ClientCPUFraction > SaturationCPUFraction ||
		(f.ScheduleLag.Count > 0 && f.ScheduleLag.P99 > SaturationLagMs) ||
		(f.TimerLag.Count > 0 && f.TimerLag.P99 > SaturationLagMs) ||
		(f.ReadDelay.Count > 0 && f.ReadDelay.P99 > SaturationLagMs)

	if res.SteadyFrom > 0 && res.SteadyTo > res.SteadyFrom {
		f.Steady = steadyFigures(res.Records, res.SteadyFrom, res.SteadyTo)
	}
	return f.LoadFigures
}

// sentFigures are the load figures of the measured records, with the
// number of requests sent.
type sentFigures struct {
	LoadFigures
	sent int
}

// scheduleFigures counts the measured requests sent, cut and canceled, and
// describes the schedule lag of open-loop requests.
func scheduleFigures(records []runner.Record) sentFigures {
	var f sentFigures
	var lag, fromSchedule, readDelay []float64
	for i := range records {
		rec := &records[i]
		if rec.Phase != runner.PhaseMeasured {
			continue
		}
		f.sent++
		if rec.ReadDelay > 0 {
			readDelay = append(readDelay, ms(rec.ReadDelay))
		}
		switch rec.ErrorKind {
		case runner.FailIncomplete:
			f.Incomplete++
		case runner.FailCanceled:
			f.Canceled++
		}
		if rec.Scheduled < 0 {
			continue
		}
		lag = append(lag, ms(rec.ScheduleLag))
		if rec.OK() && len(rec.OutputAt) > 0 {
			fromSchedule = append(fromSchedule, ms(rec.ScheduleLag+rec.OutputAt[0]))
		}
	}
	f.ScheduleLag, f.TTFTFromSchedule = Describe(lag), Describe(fromSchedule)
	f.ReadDelay = Describe(readDelay)
	return f
}

// steadyFigures summarizes the successful requests sent within [from, to).
func steadyFigures(records []runner.Record, from, to time.Duration) *SteadyFigures {
	var ttft []float64
	var done, tokens int
	for i := range records {
		rec := &records[i]
		if rec.Phase != runner.PhaseMeasured || !rec.OK() || rec.Offset < from || rec.Offset >= to {
			continue
		}
		f := RequestFigures(rec)
		done++
		tokens += f.OutputTokens
		if !math.IsNaN(f.TTFT) {
			ttft = append(ttft, f.TTFT)
		}
	}
	secs := (to - from).Seconds()
	return &SteadyFigures{
		WindowS: secs, RequestsPerS: ratio(float64(done), secs),
		OutputTokensPerS: ratio(float64(tokens), secs), TTFT: Describe(ttft),
	}
}

// MarshalJSON writes NaN figures as null, because JSON has no NaN.
func (f LoadFigures) MarshalJSON() ([]byte, error) {
	type plain LoadFigures
	return json.Marshal(struct {
		plain
		AchievedRate      *float64 `json:"achieved_rate"`
		ClientCPUFraction *float64 `json:"client_cpu_fraction"`
	}{plain(f), num(f.AchievedRate), num(f.ClientCPUFraction)})
}

// MarshalJSON writes NaN figures as null, because JSON has no NaN.
func (f SteadyFigures) MarshalJSON() ([]byte, error) {
	type plain SteadyFigures
	return json.Marshal(struct {
		plain
		RequestsPerS     *float64 `json:"requests_per_s"`
		OutputTokensPerS *float64 `json:"output_tokens_per_s"`
	}{plain(f), num(f.RequestsPerS), num(f.OutputTokensPerS)})
}

// CheckKnownPacing compares a cell's median TTFT and inter-token gap with
// the exact pacing of the server that produced them (the built-in mock).
// A median off by more than 10 ms plus 20% shows that the machine could
// not keep time, so the cell is marked saturated; it returns a description
// of the drift, or "" when there is none.
func CheckKnownPacing(s *CellSummary, ttft, itl time.Duration) string {
	off := func(measured float64, want time.Duration) bool {
		limit := 10 + 0.2*ms(want)
		return !math.IsNaN(measured) && math.Abs(measured-ms(want)) > limit
	}
	switch {
	case off(s.TTFT.P50, ttft):
		s.Load.ClientSaturated = true
		return fmt.Sprintf("TTFT p50 is %.1f ms for a server that answers in %v", s.TTFT.P50, ttft)
	case off(s.ITL.P50, itl):
		s.Load.ClientSaturated = true
		return fmt.Sprintf("inter-token p50 is %.2f ms for a server that paces tokens %v apart", s.ITL.P50, itl)
	}
	return ""
}
