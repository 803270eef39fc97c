package report

import (
	"time"

	"github.com/infermark/infermark/runner"
)

// reportEpoch is the fixed clock of the report tests.
var reportEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixtureCell builds a cell of n measured requests sent 100 ms apart, each
// with `tokens` output events itl apart after a TTFT of ttft + i ms.
func fixtureCell(info CellInfo, n int, ttft, itl time.Duration, tokens int) Cell {
	c := Cell{Info: info, Window: time.Duration(n) * 100 * time.Millisecond}
	for i := range n {
		rec := runner.Record{
			CellID: info.ID, Phase: runner.PhaseMeasured, Index: i,
			RequestID: info.ID + "-" + string(rune('a'+i)),
			Send:      reportEpoch.Add(time.Duration(i) * 100 * time.Millisecond),
			Headers:   time.Millisecond, SawDone: true, Usage: true,
			ServerInputTokens: 100, ServerOutputTokens: tokens, ClientOutputTokens: tokens,
			InputTokensClient: 100, HTTPStatus: 200, FinishReason: "length",
		}
		first := ttft + time.Duration(i)*time.Millisecond
		for k := range tokens {
			rec.OutputAt = append(rec.OutputAt, first+time.Duration(k)*itl)
		}
		rec.FirstAnswer = rec.OutputAt[0]
		rec.StreamEnd = rec.OutputAt[tokens-1] + time.Millisecond
		c.Records = append(c.Records, rec)
	}
	return c
}

// fixtureRun returns a run of two endpoints at concurrency 1 and 4; the
// a100 cell at 4 has one timeout and one request whose tokenizer count
// differs from the server's usage.
func fixtureRun() Run {
	h100 := CellInfo{Endpoint: "h100", Provider: "openai-chat", Model: "llama", Workload: "chat",
		GPU: "H100-80GB", GPUCount: 1, PricePerHourUSD: 2.5}
	a100 := CellInfo{Endpoint: "a100", Provider: "openai-chat", Model: "llama", Workload: "chat",
		GPU: "A100-40GB", GPUCount: 2, PricePerHourUSD: 3}
	var cells []Cell
	for _, conc := range []int{1, 4} {
		h, a := h100, a100
		h.Concurrency, a.Concurrency = conc, conc
		h.ID, a.ID = cellID(h), cellID(a)
		cells = append(cells,
			fixtureCell(h, 8, 40*time.Millisecond*time.Duration(conc), 10*time.Millisecond, 20),
			fixtureCell(a, 8, 60*time.Millisecond*time.Duration(conc), 8*time.Millisecond, 20))
	}
	last := &cells[3].Records
	(*last)[7] = runner.Record{CellID: cells[3].Info.ID, Phase: runner.PhaseMeasured, Index: 7,
		Send: reportEpoch, ErrorKind: runner.FailTimeout, Error: "request timed out after 30s"}
	(*last)[6].ClientOutputTokens = 22

	return Run{
		Info: RunInfo{ID: "20260301T115900Z-abc123", Suite: "gpus", Version: "test",
			Start: reportEpoch.Add(-time.Minute), End: reportEpoch.Add(-time.Second)},
		Cells: cells,
		Assertions: []Outcome{
			{Name: "ttft-p95", Expr: "ttft_ms.p95 < 200", CellID: cells[3].Info.ID, Passed: false, Values: []string{"ttft_ms.p95 = 246.65"}},
			{Name: "ttft-p95", Expr: "ttft_ms.p95 < 200", CellID: cells[0].Info.ID, Passed: true, Values: []string{"ttft_ms.p95 = 46.65"}},
		},
	}
}

func cellID(c CellInfo) string {
	return c.Endpoint + "/" + c.Workload + "/c" + string(rune('0'+c.Concurrency))
}
