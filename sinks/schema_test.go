package sinks

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

// TestRequestRowFields checks the row of one request against figures
// computed by hand from its timestamps.
func TestRequestRowFields(t *testing.T) {
	t.Parallel()
	run := testRun()
	rec := testRecords()[1]
	row := newRequestRow(&run, run.Cells[0], &rec)

	send := time.Date(2026, 1, 2, 3, 4, 7, 123456000, time.UTC)
	want := RequestRow{
		RunID: run.ID, Suite: "fixture", CellID: "vllm/chat/c2", Endpoint: "vllm", Provider: "openai-chat",
		Model: "llama-3-8b", GPU: "H100", GPUCount: 8, PricePerHourUSD: 24.5, Workload: "chat", Concurrency: 2,
		Labels: `{"team":"serving"}`, Phase: "measured", RequestIndex: 1, RequestID: "m-1", SendTime: &send,
		SendOffsetMs: 1000, ScheduledMs: f64(995), ScheduleLag: 5, DNSDoneMs: f64(1), ConnectDoneMs: f64(2.5),
		HeadersMs: f64(20.5), TTFTMs: f64(50), TTFOMs: f64(62), E2EMs: f64(70), StreamEndMs: f64(71.25),
		TPOTMs: f64(5), ITLMs: []float64{5, 7, 8}, OutputEvents: 4,
		InputTokensTarget: 128, InputTokensClient: 127, InputTokensServer: i64(130), InputTokens: 130,
		OutputTokensRequested: 32, OutputTokensClient: 4, OutputTokensServer: i64(5), ReasoningTokensServer: i64(2),
		OutputTokens: 5, TokenSource: "usage", OutputBytes: 21,
		FinishReason: "stop", SawDone: true, HTTPStatus: i64(200), OK: true, Counted: true, BytesRead: 2048,
	}
	compareRows(t, "requests", []RequestRow{row}, []RequestRow{want})
}

func TestRequestRowNulls(t *testing.T) {
	t.Parallel()
	run := testRun()
	rec := testRecords()[4] // connect failure: nothing arrived
	row := newRequestRow(&run, run.Cells[1], &rec)

	want := RequestRow{
		RunID: run.ID, Suite: "fixture", CellID: "tgi/chat/c1", Endpoint: "tgi", Provider: "openai-chat",
		Model: "org/Möbius 7B", Workload: "chat", Concurrency: 1, Labels: "{}", Phase: "measured", RequestID: "t-0",
		InputTokensTarget: 64, InputTokensClient: 64, InputTokens: 64, OutputTokensRequested: 16,
		TokenSource: "tokenizer", Counted: true, ErrorKind: "connect", ErrorMessage: "dial tcp 127.0.0.1:9: connection refused",
	}
	compareRows(t, "requests", []RequestRow{row}, []RequestRow{want})
}

func TestCellRowFlattensSummary(t *testing.T) {
	t.Parallel()
	run := testRun()
	s := testSummaries(run, testRecords())[0]
	row := newCellRow(&run, &s)

	// Measured requests 1 and 2 succeeded with TTFT 50 and 33 ms; 3 failed.
	if row.Requests != 3 || row.Succeeded != 2 || row.Failed != 1 {
		t.Errorf("requests/succeeded/failed = %d/%d/%d, want 3/2/1", row.Requests, row.Succeeded, row.Failed)
	}
	if row.TTFTCount != 2 || *row.TTFTMin != 33 || *row.TTFTMax != 50 || *row.TTFTP50 != 41.5 {
		t.Errorf("ttft count/min/max/p50 = %d/%v/%v/%v, want 2/33/50/41.5", row.TTFTCount, *row.TTFTMin, *row.TTFTMax, *row.TTFTP50)
	}
	if row.FailuresByKind != `{"rate_limited":1}` {
		t.Errorf("failures_by_kind = %s, want {\"rate_limited\":1}", row.FailuresByKind)
	}
	if row.TPOTCount != 1 || *row.TPOTMean != 5 {
		t.Errorf("tpot count/mean = %d/%v, want 1/5", row.TPOTCount, *row.TPOTMean)
	}
	if got := *row.ErrorRate; math.Abs(got-1.0/3) > 1e-12 {
		t.Errorf("error_rate = %v, want 1/3", got)
	}
}

func TestCellRowNaNIsNull(t *testing.T) {
	t.Parallel()
	run := testRun()
	s := testSummaries(run, testRecords())[1] // no price: no cost figure
	row := newCellRow(&run, &s)
	if row.USDPerMillionOutputTokens != nil {
		t.Errorf("usd_per_million_output_tokens = %v, want null", *row.USDPerMillionOutputTokens)
	}
	// Request t-1: (E2E 11 ms - TTFT 8 ms) / (3 tokens - 1).
	if row.TPOTMean == nil || *row.TPOTMean != 1.5 {
		t.Errorf("tpot_ms_mean = %v, want 1.5", show2(row.TPOTMean))
	}
}

func show2(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

// TestResultsDocListsEveryColumn keeps docs/results.md in step with the
// row types.
func TestResultsDocListsEveryColumn(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/results.md")
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string][]column{"requests": requestCol, "cells": cellCol, "runs": runCol}
	for table, cols := range tables {
		for _, name := range columnNames(cols) {
			if !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("docs/results.md does not document column %s of %s", name, table)
			}
		}
	}
}

func TestColumnNamesUnique(t *testing.T) {
	t.Parallel()
	for _, cols := range [][]column{requestCol, cellCol, runCol} {
		names := columnNames(cols)
		slices.Sort(names)
		for i := 1; i < len(names); i++ {
			if names[i] == names[i-1] {
				t.Errorf("column %s appears twice", names[i])
			}
		}
	}
}
