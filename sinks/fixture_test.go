package sinks

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// testRun returns a run of two cells; the second has a model name that
// llmperf's file naming must clean.
func testRun() Run {
	return Run{
		ID: "20260102T030405Z-abc123", Suite: "fixture", Version: "test",
		Start: time.Date(2026, 1, 2, 3, 4, 5, 678901234, time.UTC),
		Cells: []report.CellInfo{
			{ID: "vllm/chat/c2", Endpoint: "vllm", Provider: "openai-chat", Model: "llama-3-8b",
				Workload: "chat", GPU: "H100", GPUCount: 8, PricePerHourUSD: 24.5, Concurrency: 2,
				Labels: map[string]string{"team": "serving"}},
			{ID: "tgi/chat/c1", Endpoint: "tgi", Provider: "openai-chat", Model: "org/Möbius 7B",
				Workload: "chat", Concurrency: 1},
		},
	}
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// testRecords covers every branch of a row: warmup, usage and tokenizer
// counts, reasoning before the answer, a single event (no ITL, no TPOT),
// an HTTP error, and a request that never reached the server.
func testRecords() []runner.Record {
	send := time.Date(2026, 1, 2, 3, 4, 6, 123456789, time.UTC)
	return []runner.Record{
		{CellID: "vllm/chat/c2", Phase: runner.PhaseWarmup, Index: 0, RequestID: "w-0", Send: send,
			Headers: ms(10), OutputAt: []time.Duration{ms(40), ms(45)}, FirstAnswer: ms(40), StreamEnd: ms(46),
			SawDone: true, BytesRead: 512, InputTokensTarget: 100, InputTokensClient: 101, MaxTokens: 2,
			Usage: true, ServerInputTokens: 102, ServerOutputTokens: 2, ClientOutputTokens: 2, OutputChars: 9,
			FinishReason: "length", HTTPStatus: 200},
		{CellID: "vllm/chat/c2", Phase: runner.PhaseMeasured, Index: 1, RequestID: "m-1", Send: send.Add(time.Second),
			Offset: ms(1000), Scheduled: ms(995), ScheduleLag: ms(5), DNSDone: ms(1), ConnectDone: ms(2.5),
			Headers: ms(20.5), OutputAt: []time.Duration{ms(50), ms(55), ms(62), ms(70)}, FirstAnswer: ms(62),
			StreamEnd: ms(71.25), SawDone: true, BytesRead: 2048, InputTokensTarget: 128, InputTokensClient: 127,
			MaxTokens: 32, Usage: true, ServerInputTokens: 130, ServerOutputTokens: 5, ServerReasoningTokens: 2,
			ClientOutputTokens: 4, OutputChars: 21, FinishReason: "stop", HTTPStatus: 200},
		{CellID: "vllm/chat/c2", Phase: runner.PhaseMeasured, Index: 2, RequestID: "m-2", Send: send.Add(2 * time.Second),
			Headers: ms(15), OutputAt: []time.Duration{ms(33)}, FirstAnswer: ms(33), StreamEnd: ms(34),
			BytesRead: 300, InputTokensTarget: 128, InputTokensClient: 128, MaxTokens: 32, ClientOutputTokens: 1,
			OutputChars: 3, FinishReason: "stop", HTTPStatus: 200},
		{CellID: "vllm/chat/c2", Phase: runner.PhaseMeasured, Index: 3, RequestID: "m-3", Send: send.Add(3 * time.Second),
			Headers: ms(5), StreamEnd: ms(6), BytesRead: 64, InputTokensTarget: 128, InputTokensClient: 126,
			MaxTokens: 32, HTTPStatus: 429, ErrorKind: runner.FailRateLimited, Error: "http 429: rate limited, “slow down”"},
		{CellID: "tgi/chat/c1", Phase: runner.PhaseMeasured, Index: 0, RequestID: "t-0", Scheduled: -1,
			InputTokensTarget: 64, InputTokensClient: 64, MaxTokens: 16,
			ErrorKind: runner.FailConnect, Error: "dial tcp 127.0.0.1:9: connection refused"},
		{CellID: "tgi/chat/c1", Phase: runner.PhaseMeasured, Index: 1, RequestID: "t-1", Send: send.Add(5 * time.Second),
			Scheduled: -1, ConnReused: true, Headers: ms(3), OutputAt: []time.Duration{ms(8), ms(9), ms(11)}, FirstAnswer: ms(8), StreamEnd: ms(12),
			SawDone: true, BytesRead: 900, InputTokensTarget: 64, InputTokensClient: 66, MaxTokens: 16,
			ClientOutputTokens: 3, OutputChars: 12, FinishReason: "stop", HTTPStatus: 200},
	}
}

// testSummaries summarizes each cell of testRecords, as the run command does.
func testSummaries(run Run, records []runner.Record) []report.CellSummary {
	var out []report.CellSummary
	for _, c := range run.Cells {
		var recs []runner.Record
		for _, r := range records {
			if r.CellID == c.ID {
				recs = append(recs, r)
			}
		}
		out = append(out, report.Summarize(c, recs, 4*time.Second))
	}
	return out
}

// writeAll runs a sink through a whole run.
func writeAll(t *testing.T, s Sink, run Run, records []runner.Record, summaries []report.CellSummary) {
	t.Helper()
	if err := s.Open(run); err != nil {
		t.Fatalf("open: %v", err)
	}
	for _, r := range records {
		if err := s.Record(r); err != nil {
			t.Fatalf("record %s: %v", r.RequestID, err)
		}
	}
	for _, c := range summaries {
		if err := s.Cell(c); err != nil {
			t.Fatalf("cell %s: %v", c.ID, err)
		}
	}
	run.End = run.Start.Add(7 * time.Second)
	if err := s.Close(run, nil); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// Expected rows, built by the same constructors the sinks use; a separate
// test checks the constructors against hand-computed values.

func wantRequestRows(run Run, records []runner.Record) []RequestRow {
	cells := cellIndex(run)
	rows := make([]RequestRow, len(records))
	for i := range records {
		rows[i] = newRequestRow(&run, cells[records[i].CellID], &records[i])
	}
	return rows
}

func wantCellRows(run Run, summaries []report.CellSummary) []CellRow {
	rows := make([]CellRow, len(summaries))
	for i := range summaries {
		rows[i] = newCellRow(&run, &summaries[i])
	}
	return rows
}

func wantRunRow(run Run, interrupted bool) RunRow {
	run.End = run.Start.Add(7 * time.Second)
	run.Interrupted = interrupted
	return newRunRow(&run)
}

// compareRows reports every column that differs between got and want.
func compareRows[T any](t *testing.T, table string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d rows, want %d", table, len(got), len(want))
	}
	cols := columnsOf(reflect.TypeFor[T]())
	for i := range want {
		g, w := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		for _, c := range cols {
			gv, wv := g.Field(c.Field), w.Field(c.Field)
			if !sameValue(gv, wv, c) {
				t.Errorf("%s row %d column %s: got %v, want %v", table, i, c.Name, show(gv), show(wv))
			}
		}
	}
}

func sameValue(g, w reflect.Value, c column) bool {
	if c.Nullable {
		if g.IsNil() || w.IsNil() {
			return g.IsNil() == w.IsNil()
		}
		g, w = g.Elem(), w.Elem()
	}
	switch c.Kind {
	case kindTime:
		return g.Interface().(time.Time).Equal(w.Interface().(time.Time))
	case kindFloat64List:
		gl, wl := g.Interface().([]float64), w.Interface().([]float64)
		if len(gl) != len(wl) {
			return false
		}
		for i := range gl {
			if gl[i] != wl[i] {
				return false
			}
		}
		return true
	case kindFloat64:
		return g.Float() == w.Float() || math.IsNaN(g.Float()) && math.IsNaN(w.Float())
	}
	return g.Interface() == w.Interface()
}

func show(v reflect.Value) any {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "null"
		}
		return v.Elem().Interface()
	}
	return v.Interface()
}

// setField stores a value read by an independent reader into a row field:
// nil for null, int64, float64, bool, string, time.Time or []float64.
func setField(t *testing.T, field reflect.Value, c column, value any) {
	t.Helper()
	if value == nil {
		if !c.Nullable {
			t.Errorf("column %s: null in a column that is never null", c.Name)
		}
		return
	}
	target := field
	if c.Nullable {
		target = reflect.New(field.Type().Elem())
		field.Set(target)
		target = target.Elem()
	}
	v := reflect.ValueOf(value)
	if !v.Type().ConvertibleTo(target.Type()) {
		t.Errorf("column %s: read a %T, want %s", c.Name, value, target.Type())
		return
	}
	target.Set(v.Convert(target.Type()))
}
