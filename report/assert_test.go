package report

import (
	"bytes"
	"encoding/xml"
	"math"
	"strings"
	"testing"

	"github.com/infermark/infermark/suite"
)

// gateCell is a summary with a TTFT p95 of ttftP95 ms (NaN for no
// samples) at the given concurrency.
func gateCell(id string, concurrency int, ttftP95 float64) CellSummary {
	s := Summarize(CellInfo{ID: id, Endpoint: "ep", Workload: "w", Concurrency: concurrency}, nil, 0)
	s.TTFT.P95 = ttftP95
	if !math.IsNaN(ttftP95) {
		s.TTFT.Count = 10
	}
	s.OutputTokensPerS = 100
	return s
}

func mustCompile(t *testing.T, a suite.Assertion) *Assertion {
	t.Helper()
	compiled, err := CompileAssertion(a)
	if err != nil {
		t.Fatalf("CompileAssertion(%q): %v", a.Expr, err)
	}
	return compiled
}

func TestEvaluateThreshold(t *testing.T) {
	t.Parallel()
	a := mustCompile(t, suite.Assertion{Name: "fast", Expr: "ttft_ms.p95 < 100"})
	pass := a.Evaluate(gateCell("c1", 1, 80))
	if !pass.Passed || pass.Error != "" {
		t.Errorf("80 ms < 100: %+v, want passed", pass)
	}
	if len(pass.Values) != 1 || pass.Values[0] != "ttft_ms.p95 = 80" {
		t.Errorf("values = %q, want [\"ttft_ms.p95 = 80\"]", pass.Values)
	}
	fail := a.Evaluate(gateCell("c1", 1, 120))
	if fail.Passed || fail.NoData || !fail.Failing() {
		t.Errorf("120 ms < 100: %+v, want a failing outcome with data", fail)
	}
}

func TestEvaluateNoData(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{"ttft_ms.p95 < 100", "!(ttft_ms.p95 > 100)", "ttft_ms.p95 != 5"} {
		a := mustCompile(t, suite.Assertion{Name: "fast", Expr: expr})
		o := a.Evaluate(gateCell("c1", 1, math.NaN()))
		if o.Passed {
			t.Errorf("%s passed on a cell without TTFT samples", expr)
		}
		if !o.NoData {
			t.Errorf("%s: NoData = false, want true", expr)
		}
		if o.Error != "no data: ttft_ms.p95 has no samples" {
			t.Errorf("%s: error = %q, want it to name ttft_ms.p95", expr, o.Error)
		}
	}
}

func TestEvaluateNoCorrectnessSection(t *testing.T) {
	t.Parallel()
	a := mustCompile(t, suite.Assertion{Name: "correct", Expr: "correctness.mismatch_rate < 0.1"})
	o := a.Evaluate(gateCell("c1", 1, 10))
	if o.Passed || !o.NoData {
		t.Errorf("outcome without a correctness section = %+v, want a no-data failure", o)
	}
}

func TestEvaluateAllWhereAndWarn(t *testing.T) {
	t.Parallel()
	assertions := []*Assertion{
		mustCompile(t, suite.Assertion{Name: "high-load", Expr: "ttft_ms.p95 < 100", Where: "concurrency >= 4"}),
		mustCompile(t, suite.Assertion{Name: "soft", Expr: "ttft_ms.p95 < 50", Severity: suite.SeverityWarn}),
	}
	cells := []CellSummary{gateCell("c1", 1, 500), gateCell("c4", 4, 90)}
	got := EvaluateAll(assertions, cells, nil)
	if len(got) != 3 {
		t.Fatalf("got %d outcomes, want 3 (where keeps only c4 for high-load): %+v", len(got), got)
	}
	if got[0].Name != "high-load" || got[0].CellID != "c4" || !got[0].Passed {
		t.Errorf("first outcome = %+v, want high-load passing on c4", got[0])
	}
	for _, o := range got[1:] {
		if o.Passed || !o.Warning() || o.Failing() {
			t.Errorf("soft on %s = %+v, want a warning that is not failing", o.CellID, o)
		}
	}
	if AnyFailing(got) {
		t.Errorf("AnyFailing = true for passes and warnings only")
	}
}

func TestEvaluateWhereError(t *testing.T) {
	t.Parallel()
	a := mustCompile(t, suite.Assertion{Name: "x", Expr: "ttft_ms.p95 < 100", Where: "int(workload) > 0"})
	got := EvaluateAll([]*Assertion{a}, []CellSummary{gateCell("c1", 1, 10)}, nil)
	if len(got) != 1 || got[0].Passed || !strings.HasPrefix(got[0].Error, "where: ") {
		t.Errorf("outcomes = %+v, want one failure with a where error", got)
	}
}

func TestEvaluateBaseline(t *testing.T) {
	t.Parallel()
	a := mustCompile(t, suite.Assertion{Name: "tput", Expr: "output_tokens_per_s >= 0.95 * baseline.output_tokens_per_s"})
	if !a.ReadsBaseline() {
		t.Fatalf("ReadsBaseline = false for %q", a.Expr)
	}
	cur := gateCell("ep/w/c4", 4, 10)
	slow, fast := gateCell("old", 4, 10), gateCell("old", 4, 10)
	slow.OutputTokensPerS, fast.OutputTokensPerS = 100, 110
	for name, tc := range map[string]struct {
		base *Baseline
		pass bool
	}{
		"equal":  {&Baseline{Cells: []BaselineCell{{Summary: slow}}}, true},
		"faster": {&Baseline{Cells: []BaselineCell{{Summary: fast}}}, false},
	} {
		o := EvaluateAll([]*Assertion{a}, []CellSummary{cur}, tc.base)[0]
		if o.Passed != tc.pass {
			t.Errorf("%s baseline: passed = %v (%s), want %v", name, o.Passed, o.Detail(), tc.pass)
		}
	}

	other := gateCell("old", 8, 10)
	o := EvaluateAll([]*Assertion{a}, []CellSummary{cur}, &Baseline{Cells: []BaselineCell{{Summary: other}}})[0]
	if o.Passed || !o.NoData || !strings.Contains(o.Error, "baseline has no cell") {
		t.Errorf("unmatched baseline: %+v, want a no-data failure naming the baseline", o)
	}
}

func TestCompileWhereInvalid(t *testing.T) {
	t.Parallel()
	if _, err := CompileAssertion(suite.Assertion{Name: "x", Expr: "ttft_ms.p95 < 1", Where: "nope > 1"}); err == nil {
		t.Errorf("CompileAssertion accepted where %q", "nope > 1")
	}
}

// The elements and attributes the JUnit XML schema (as Jenkins and
// GitLab read it) requires.
type junitCheck struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Name     *string `xml:"name,attr"`
		Tests    *int    `xml:"tests,attr"`
		Failures *int    `xml:"failures,attr"`
		Errors   *int    `xml:"errors,attr"`
		Cases    []struct {
			Name      *string `xml:"name,attr"`
			ClassName *string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitStructure(t *testing.T) {
	t.Parallel()
	outcomes := []Outcome{
		{Name: "fast", Expr: "ttft_ms.p95 < 100", CellID: "c1", Passed: true, Severity: "fail", Values: []string{"ttft_ms.p95 = 80"}},
		{Name: "fast", Expr: "ttft_ms.p95 < 100", CellID: "c4", Severity: "fail", Values: []string{"ttft_ms.p95 = 120 & <more>"}},
		{Name: "data", Expr: "tpot_ms.p50 < 5", CellID: "c1", Severity: "fail", NoData: true, Error: "no data: tpot_ms.p50 has no samples"},
		{Name: "soft", Expr: "error_rate == 0", CellID: "c1", Severity: "warn", Values: []string{"error_rate = 0.1"}},
	}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "gate", outcomes, 0); err != nil {
		t.Fatal(err)
	}

	var doc junitCheck
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, buf.String())
	}
	if len(doc.Suites) != 3 {
		t.Fatalf("got %d testsuites, want 3 (one per assertion)", len(doc.Suites))
	}
	wantFailures := []int{1, 1, 0}
	for i, s := range doc.Suites {
		if s.Name == nil || s.Tests == nil || s.Failures == nil || s.Errors == nil {
			t.Errorf("testsuite %d lacks a required attribute (name, tests, failures, errors)", i)
			continue
		}
		if *s.Failures != wantFailures[i] {
			t.Errorf("testsuite %q failures = %d, want %d", *s.Name, *s.Failures, wantFailures[i])
		}
		if *s.Tests != len(s.Cases) {
			t.Errorf("testsuite %q tests = %d but has %d testcases", *s.Name, *s.Tests, len(s.Cases))
		}
		for _, c := range s.Cases {
			if c.Name == nil || c.ClassName == nil {
				t.Errorf("a testcase of %q lacks name or classname", *s.Name)
			}
		}
	}

	fast := doc.Suites[0].Cases
	if fast[0].Failure != nil || fast[1].Failure == nil || fast[1].Failure.Type != "threshold" {
		t.Errorf("fast: failures %+v, %+v; want none on c1 and a threshold failure on c4", fast[0].Failure, fast[1].Failure)
	}
	if !strings.Contains(fast[1].Failure.Message, "ttft_ms.p95 = 120 & <more>") {
		t.Errorf("failure message %q lacks the value", fast[1].Failure.Message)
	}
	if f := doc.Suites[1].Cases[0].Failure; f == nil || f.Type != "no data" {
		t.Errorf("data: failure = %+v, want type \"no data\"", f)
	}
	soft := doc.Suites[2].Cases[0]
	if soft.Failure != nil || !strings.HasPrefix(soft.SystemOut, "WARN") {
		t.Errorf("soft: failure %+v, system-out %q; want no failure and a WARN line", soft.Failure, soft.SystemOut)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	t.Parallel()
	s := gateCell("ep/w/c4", 4, 12.5)
	s.ErrorRate = 0.25
	in := &Baseline{Run: RunInfo{ID: "run-1", Suite: "gate"},
		Cells: []BaselineCell{{Summary: s, Samples: map[string][]float64{"ttft_ms": {1.0004, 2.5}}}}}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadBaseline(&buf)
	if err != nil {
		t.Fatalf("ReadBaseline: %v\n%s", err, buf.String())
	}
	got := out.Cells[0]
	if got.Summary.TTFT.P95 != 12.5 || got.Summary.ErrorRate != 0.25 || got.Summary.Concurrency != 4 {
		t.Errorf("read back p95 %v, error_rate %v, concurrency %d; want 12.5, 0.25, 4",
			got.Summary.TTFT.P95, got.Summary.ErrorRate, got.Summary.Concurrency)
	}
	if !math.IsNaN(got.Summary.TTFT.P50) {
		t.Errorf("TTFT p50 without samples read back as %v, want NaN", got.Summary.TTFT.P50)
	}
	if samples := got.Samples["ttft_ms"]; len(samples) != 2 || samples[0] != 1 {
		t.Errorf("samples = %v, want [1 2.5] (rounded to the microsecond)", samples)
	}
}

func TestReadBaselineRejects(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"format":   `{"format": "other/2", "cells": []}`,
		"figure":   `{"format": "` + BaselineFormat + `", "cells": [{"cell": {"id": "a"}, "figures": {"ttft_ms.p42": 1}}]}`,
		"no id":    `{"format": "` + BaselineFormat + `", "cells": [{"cell": {}}]}`,
		"not json": `{"format": `,
	} {
		if _, err := ReadBaseline(strings.NewReader(text)); err == nil {
			t.Errorf("%s: ReadBaseline accepted %s", name, text)
		}
	}
}

func TestAssertionResultsColor(t *testing.T) {
	t.Parallel()
	outcomes := []Outcome{{Name: "a", CellID: "c", Expr: "x"}, {Name: "b", CellID: "c", Expr: "y", Passed: true}}
	var plain, colored strings.Builder
	WriteAssertionResults(&plain, outcomes, false)
	WriteAssertionResults(&colored, outcomes, true)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("plain output has escape codes:\n%q", plain.String())
	}
	if !strings.Contains(colored.String(), "\x1b[31mFAIL\x1b[0m") || !strings.Contains(colored.String(), "\x1b[32mpass\x1b[0m") {
		t.Errorf("colored output lacks red FAIL and green pass:\n%q", colored.String())
	}
}

func TestRunAggregatesInAssertions(t *testing.T) {
	t.Parallel()
	a, err := CompileAssertion(suite.Assertion{Name: "run", Expr: "run.error_rate < 0.1 && run.cells == 2"})
	if err != nil {
		t.Fatal(err)
	}
	// 1 error in 20 requests over two cells: a run error rate of 0.05,
	// although the second cell alone has 0.1.
	cells := []CellSummary{{Requests: 10, Succeeded: 10}, {Requests: 10, Succeeded: 9, Failed: 1}}
	cells[0].ID, cells[1].ID = "a", "b"
	for _, o := range EvaluateAll([]*Assertion{a}, cells, nil) {
		if !o.Passed {
			t.Errorf("cell %s: %s failed (%v, %s)", o.CellID, o.Expr, o.Values, o.Error)
		}
	}
	if r := AggregateRun(cells); r.Errors != 1 || r.ErrorRate != 0.05 {
		t.Errorf("AggregateRun = %+v, want 1 error and rate 0.05", r)
	}
}
