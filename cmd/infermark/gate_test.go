package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runOutcomes runs a suite with --format json and returns the result and
// its assertion outcomes.
func runOutcomes(t *testing.T, args ...string) (result, []map[string]any) {
	t.Helper()
	res := runApp(t, context.Background(), append([]string{"run", "--format", "json", "--no-progress"}, args...)...)
	var doc struct {
		Cells      []map[string]any `json:"cells"`
		Assertions []map[string]any `json:"assertions"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\nstdout:\n%s\nstderr:\n%s", err, res.stdout, res.stderr)
	}
	return res, doc.Assertions
}

func assertionsYAML(lines ...string) string {
	return "assertions:\n" + strings.Join(lines, "\n") + "\n"
}

func TestGatePassWithJUnit(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, assertionsYAML("  - name: fast", "    expr: ttft_ms.p95 < 2000"))
	junit := filepath.Join(t.TempDir(), "junit.xml")
	res, outcomes := runOutcomes(t, "--junit", junit, path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d, want %d\n%s", res.code, ExitPass, res.stderr)
	}
	if len(outcomes) != 2 {
		t.Fatalf("got %d outcomes, want 2 (one per cell)", len(outcomes))
	}
	for _, o := range outcomes {
		values, _ := o["values"].([]any)
		if o["passed"] != true || len(values) != 1 || !strings.HasPrefix(values[0].(string), "ttft_ms.p95 = ") {
			t.Errorf("outcome %v, want passed with the ttft_ms.p95 value", o)
		}
	}

	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatalf("--junit file: %v", err)
	}
	var doc struct {
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("--junit file does not parse: %v\n%s", err, b)
	}
	if doc.Tests != 2 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 2 {
		t.Errorf("JUnit has %d tests in %d suites, want 2 testcases in 1 suite:\n%s", doc.Tests, len(doc.Suites), b)
	}
}

func TestGateFailOnThreshold(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, assertionsYAML("  - name: impossible", "    expr: ttft_ms.p95 < 0.001"))
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitAssertions {
		t.Fatalf("exit code = %d, want %d\n%s", res.code, ExitAssertions, res.stderr)
	}
	if !strings.Contains(res.stdout, "FAIL  impossible  cell mock/tiny/c1: ttft_ms.p95 < 0.001  (ttft_ms.p95 = ") {
		t.Errorf("stdout lacks the failure with its value:\n%s", res.stdout)
	}
	if !strings.Contains(res.stdout, "assertions: 0 passed, 2 failed, 0 warned") {
		t.Errorf("stdout lacks the counts:\n%s", res.stdout)
	}
}

func TestGateWarnOnly(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, assertionsYAML(
		"  - name: soft", "    expr: ttft_ms.p95 < 0.001", "    severity: warn",
		"  - name: fast", "    expr: ttft_ms.p95 < 2000", "    where: concurrency == 4"))
	res, outcomes := runOutcomes(t, path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d, want %d: a warning must not fail the run\n%s", res.code, ExitPass, res.stderr)
	}
	if len(outcomes) != 3 {
		t.Fatalf("got %d outcomes, want 3 (soft on both cells, fast on c4 only): %v", len(outcomes), outcomes)
	}
	for _, o := range outcomes[:2] {
		if o["passed"] != false || o["severity"] != "warn" {
			t.Errorf("soft outcome %v, want failed with severity warn", o)
		}
	}
	if outcomes[2]["name"] != "fast" || outcomes[2]["cell"] != "mock/tiny/c4" {
		t.Errorf("third outcome %v, want fast on mock/tiny/c4", outcomes[2])
	}
}

func TestGateNoData(t *testing.T) {
	t.Parallel()
	// One output token leaves TPOT without samples.
	path := writeSuite(t, fastMock, assertionsYAML("  - name: tpot", "    expr: tpot_ms.p50 < 1000"))
	res := runApp(t, context.Background(), "run", "--no-progress", "--set", "workloads.tiny.output_tokens=1", path)
	if res.code != ExitAssertions {
		t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, ExitAssertions, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "no data: tpot_ms.p50 has no samples") {
		t.Errorf("stdout does not say which figure had no data:\n%s", res.stdout)
	}
}

func TestGateAbortAfterCell(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, assertionsYAML(
		"  - name: impossible", "    expr: ttft_ms.p95 < 0.001", "    abort_on_fail: true"))
	res, outcomes := runOutcomes(t, path)
	if res.code != ExitAssertions {
		t.Fatalf("exit code = %d, want %d\n%s", res.code, ExitAssertions, res.stderr)
	}
	if len(outcomes) != 1 || outcomes[0]["cell"] != "mock/tiny/c1" || outcomes[0]["aborted"] != true {
		t.Errorf("outcomes = %v, want one aborted outcome on mock/tiny/c1 and c4 never run", outcomes)
	}
	if !strings.Contains(res.stderr, "abort_on_fail assertion failed; stopping the run") {
		t.Errorf("stderr does not log the abort:\n%s", res.stderr)
	}
}

func TestGateAbortMidCell(t *testing.T) {
	t.Parallel()
	// 400 requests one at a time take about 3 s against this mock; a check
	// every 100 ms should stop the cell long before.
	path := writeSuite(t, fastMock, assertionsYAML(
		"  - name: impossible", "    expr: ttft_ms.p50 < 0.001", "    abort_on_fail: true"))
	start := time.Now()
	res := runApp(t, context.Background(), "run", "--format", "json", "--no-progress",
		"--set", "load.concurrency=1", "--set", "load.requests=400", "--set", "load.check_interval=100ms", path)
	elapsed := time.Since(start)
	if res.code != ExitAssertions {
		t.Fatalf("exit code = %d, want %d\n%s", res.code, ExitAssertions, res.stderr)
	}
	var doc struct {
		Cells []struct {
			Requests    int  `json:"requests"`
			Interrupted bool `json:"interrupted"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || len(doc.Cells) != 1 {
		t.Fatalf("stdout: %v, %d cells; want one cell\n%s", err, len(doc.Cells), res.stdout)
	}
	if doc.Cells[0].Requests >= 400 || !doc.Cells[0].Interrupted {
		t.Errorf("cell measured %d of 400 requests, interrupted=%v; want it cut short", doc.Cells[0].Requests, doc.Cells[0].Interrupted)
	}
	t.Logf("aborted after %v with %d requests measured", elapsed, doc.Cells[0].Requests)
}

func TestGateBaseline(t *testing.T) {
	t.Parallel()
	first := writeSuite(t, fastMock, "")
	if res := runApp(t, context.Background(), "run", "--no-progress", first); res.code != ExitPass {
		t.Fatalf("first run: exit code %d\n%s", res.code, res.stderr)
	}
	file := filepath.Join(t.TempDir(), "baseline.json")
	if res := runApp(t, context.Background(), "baseline", "save", runFolder(t, first), "--to", file); res.code != ExitPass {
		t.Fatalf("baseline save: exit code %d\n%s", res.code, res.stderr)
	}

	for _, tc := range []struct {
		name, expr string
		want       int
	}{
		// Request counts are fixed by the suite, so these outcomes do not
		// depend on the machine's speed.
		{"same", "requests == baseline.requests && baseline.ttft_ms.p50 > 0", ExitPass},
		{"more", "requests > baseline.requests && baseline.ttft_ms.p50 > 0", ExitAssertions},
	} {
		path := writeSuite(t, fastMock, assertionsYAML("  - name: "+tc.name, "    expr: "+tc.expr))
		for _, base := range []string{file, runFolder(t, first)} {
			res := runApp(t, context.Background(), "run", "--no-progress", "--baseline", base, path)
			if res.code != tc.want {
				t.Errorf("%s with --baseline %s: exit code %d, want %d\n%s", tc.name, filepath.Base(base), res.code, tc.want, res.stdout)
			}
			if !strings.Contains(res.stdout, "baseline.ttft_ms.p50 = ") {
				t.Errorf("%s: stdout lacks the baseline value:\n%s", tc.name, res.stdout)
			}
		}
	}

	path := writeSuite(t, fastMock, assertionsYAML("  - name: b", "    expr: ttft_ms.p50 <= baseline.ttft_ms.p50"))
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitUsage || !strings.Contains(res.stderr, "--baseline RESULTS") {
		t.Errorf("baseline assertion without --baseline: exit code %d, want %d\n%s", res.code, ExitUsage, res.stderr)
	}
}

// mockRun runs the test suite against a mock with the given TTFT, 60
// requests at concurrency 4, and returns the run folder.
func mockRun(t *testing.T, ttft string) string {
	t.Helper()
	path := writeSuite(t, "builtin:mock?ttft="+ttft+"&itl=1ms", "")
	res := runApp(t, context.Background(), "run", "--no-progress", "--set", "load.concurrency=4", "--set", "load.requests=60", path)
	if res.code != ExitPass {
		t.Fatalf("run with ttft=%s: exit code %d\n%s", ttft, res.code, res.stderr)
	}
	return runFolder(t, path)
}

func TestCompareDetectsRegression(t *testing.T) {
	t.Parallel()
	base, slower := mockRun(t, "20ms"), mockRun(t, "30ms")
	res := runApp(t, context.Background(), "compare", base, slower)
	if res.code != ExitAssertions {
		t.Fatalf("exit code = %d, want %d\n%s%s", res.code, ExitAssertions, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "ttft_ms.p50") || !strings.Contains(res.stdout, "REGRESSION") {
		t.Errorf("stdout does not mark the TTFT regression:\n%s", res.stdout)
	}

	res = runApp(t, context.Background(), "compare", "--format", "json", base, slower)
	var doc struct {
		Cells []struct {
			Metrics []struct {
				Metric, Verdict, Test string
				PValue                float64 `json:"p_value"`
			} `json:"metrics"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || len(doc.Cells) != 1 {
		t.Fatalf("--format json: %v, %d cells\n%s", err, len(doc.Cells), res.stdout)
	}
	ttft := doc.Cells[0].Metrics[0]
	if ttft.Metric != "ttft_ms.p50" || ttft.Verdict != "regression" || ttft.Test != "mann-whitney-u" || ttft.PValue > 0.001 {
		t.Errorf("first row = %+v, want a ttft_ms.p50 regression by Mann–Whitney U with p < 0.001", ttft)
	}

	res = runApp(t, context.Background(), "compare", "--format", "markdown", base, slower)
	if !strings.Contains(res.stdout, "| cell | metric |") || !strings.Contains(res.stdout, "**REGRESSION**") {
		t.Errorf("--format markdown lacks the table or the marked regression:\n%s", res.stdout)
	}
}

func TestCompareNoiseNotFlagged(t *testing.T) {
	t.Parallel()
	runs := []string{mockRun(t, "20ms"), mockRun(t, "20ms"), mockRun(t, "20ms")}
	for i := range runs {
		for j := i + 1; j < len(runs); j++ {
			res := runApp(t, context.Background(), "compare", runs[i], runs[j])
			if res.code != ExitPass {
				t.Errorf("compare of two runs of one setup: exit code %d, want %d\n%s", res.code, ExitPass, res.stdout)
			}
		}
	}
}

func TestCompareBaselineFile(t *testing.T) {
	t.Parallel()
	base, slower := mockRun(t, "20ms"), mockRun(t, "30ms")
	file := filepath.Join(t.TempDir(), "b.json")
	if res := runApp(t, context.Background(), "baseline", "save", base, "--to", file); res.code != ExitPass {
		t.Fatalf("baseline save: %d\n%s", res.code, res.stderr)
	}
	if res := runApp(t, context.Background(), "compare", file, slower); res.code != ExitAssertions {
		t.Errorf("compare against the baseline file: exit code %d, want %d\n%s", res.code, ExitAssertions, res.stdout)
	}
}

func TestCompareUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"compare", dir},
		{"compare", "--format", "html", dir, dir},
		{"compare", "--alpha", "2", dir, dir},
		{"compare", filepath.Join(dir, "missing"), dir},
		{"baseline", "save", dir},
		{"baseline", "load", dir, "--to", "x"},
	} {
		if res := runApp(t, context.Background(), args...); res.code != ExitUsage {
			t.Errorf("%v: exit code %d, want %d\n%s", args, res.code, ExitUsage, res.stderr)
		}
	}
}

func TestCIExampleSuite(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "examples", "ci", "suite.yaml")
	out := t.TempDir()
	junit := filepath.Join(out, "junit.xml")
	res := runApp(t, context.Background(), "run", "--no-progress", "--output", out, "--junit", junit,
		"--set", "load.requests=10", "--set", "load.warmup=1", path)
	if res.code != ExitPass {
		t.Fatalf("examples/ci/suite.yaml: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, ExitPass, res.stdout, res.stderr)
	}
	// no-errors, ttft-p95 and e2e-p99 on both cells, tpot-p50-high-load
	// on c8 only.
	if !strings.Contains(res.stdout, "assertions: 7 passed, 0 failed, 0 warned") {
		t.Errorf("stdout lacks the counts of 7 passing outcomes:\n%s", res.stdout)
	}
	if _, err := os.Stat(junit); err != nil {
		t.Errorf("--junit file: %v", err)
	}
}
