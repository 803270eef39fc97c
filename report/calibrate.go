package report

import (
	"time"

	"github.com/infermark/infermark/runner"
)

// Calibration is the client's own error against a server whose pacing is
// known exactly, such as the built-in mock.
type Calibration struct {
	// TTFTError is measured minus true TTFT per request, in milliseconds.
	TTFTError Dist `json:"ttft_error_ms"`
	// ITLError is measured minus true gap per inter-token gap, in
	// milliseconds.
	ITLError Dist `json:"itl_error_ms"`
	// Events is the number of output events received.
	Events int `json:"events"`
	// OutputTokens is the number of output tokens of the successful
	// requests: the server's usage, or else the tokenizer's count.
	OutputTokens int `json:"output_tokens"`
	// Failed counts requests that did not succeed.
	Failed int `json:"failed"`
	// CPUPerEventUs is the process's CPU time per output event, in
	// microseconds.
	CPUPerEventUs float64 `json:"cpu_per_event_us"`
	// CPUPerThousandTokensMs is the process's CPU time per thousand output
	// tokens, in milliseconds.
	CPUPerThousandTokensMs float64 `json:"cpu_per_thousand_tokens_ms"`
}

// Calibrate compares the measured records of res with the true TTFT and
// inter-token latency of the server.
func Calibrate(res runner.Result, ttft, itl time.Duration) Calibration {
	var c Calibration
	var ttftErr, itlErr []float64
	for i := range res.Records {
		rec := &res.Records[i]
		if rec.Phase != runner.PhaseMeasured {
			continue
		}
		if !rec.OK() {
			c.Failed++
			continue
		}
		f := RequestFigures(rec)
		c.Events += len(rec.OutputAt)
		c.OutputTokens += f.OutputTokens
		ttftErr = append(ttftErr, f.TTFT-ms(ttft))
		for _, gap := range f.ITL {
			itlErr = append(itlErr, gap-ms(itl))
		}
	}
	c.TTFTError, c.ITLError = Describe(ttftErr), Describe(itlErr)
	c.CPUPerEventUs = ratio(float64(res.ClientCPU.Microseconds()), float64(c.Events))
	c.CPUPerThousandTokensMs = ratio(float64(res.ClientCPU.Microseconds()), float64(c.OutputTokens))
	return c
}
