package report

import (
	"math"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

func TestCompatibilityViewHandComputed(t *testing.T) {
	t.Parallel()
	// Content at 100, 120 and 140 ms, stream end at 150 ms, 3 tokens.
	rec := msRecord(0, 3, 100, 120, 140)
	rec.StreamEnd = 150 * time.Millisecond
	cells := []Cell{{Info: CellInfo{ID: "x"}, Records: []runner.Record{rec}}}
	want := map[string]map[string]float64{
		// (150 - 100) / 2 = 25 ms per token after the first.
		"vllm": {"ttft_ms": 100, "tpot_ms": 25, "e2el_ms": 150},
		// 140 / 3 ms, and 3 tokens over 0.15 s.
		"llmperf": {"inter_token_latency_ms": 140.0 / 3, "e2e_latency_ms": 150, "request_output_throughput_tok_s": 20},
		"aiperf":  {"inter_token_latency_ms": 25, "request_latency_ms": 150},
	}
	for defs, figures := range want {
		rows, err := CompatibilityView(defs, cells)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, v := range rows[0].Figures {
			got[v.Name] = v.Dist.Mean
		}
		for name, w := range figures {
			if math.Abs(got[name]-w) > 1e-9 {
				t.Errorf("%s %s = %v, want %v", defs, name, got[name], w)
			}
		}
	}
}

func TestCompatibilityViewUnknown(t *testing.T) {
	t.Parallel()
	if _, err := CompatibilityView("genai", nil); err == nil {
		t.Error("unknown definitions were accepted")
	}
}
