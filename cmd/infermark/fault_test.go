package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infermark/infermark/providers/mock"
	"github.com/infermark/infermark/suite"
)

// faultSuite writes a one-cell suite against the built-in mock with the
// given base_url query and extra endpoint and load keys, and returns its
// path.
func faultSuite(t *testing.T, query, endpointExtra, loadExtra string) string {
	t.Helper()
	dir := t.TempDir()
	body := `version: 1
name: faults
endpoints:
  - name: mock
    provider: openai-chat
    base_url: "builtin:mock?` + query + `"
    model: mock-model
` + endpointExtra + `workloads:
  - name: tiny
    input_tokens: 20
    output_tokens: 6
load:
  concurrency: [2]
  requests: 8
  warmup: 0
` + loadExtra + `sinks:
  - type: json
    dir: ` + filepath.Join(dir, "results") + `
assertions:
  - name: few-errors
    expr: error_rate < 0.1
`
	path := filepath.Join(dir, "suite.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runSummary is the part of "run --format json" the fault tests read.
type runSummary struct {
	Cells []struct {
		Requests  int            `json:"requests"`
		Succeeded int            `json:"succeeded"`
		ErrorRate float64        `json:"error_rate"`
		Failures  map[string]int `json:"failures_by_kind"`
		TTFT      struct {
			P50 float64 `json:"p50"`
		} `json:"ttft_ms"`
	} `json:"cells"`
}

// runBounded runs the CLI and fails the test when the run outlives limit,
// which the CLI reports as an interruption.
func runBounded(t *testing.T, limit time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	res := runApp(t, ctx, args...)
	if ctx.Err() != nil {
		t.Fatalf("the run did not end within %v (exit %d after %v)\nstderr:\n%s", limit, res.code, time.Since(start), res.stderr)
	}
	return res
}

// TestFaultMatrix runs every fault of the mock on half of a cell's
// requests and checks how the records and the summary classify them.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, query, endpoint, load string
		// kind is the failure kind of each faulted request; empty when the
		// client reads the faulted response as a success.
		kind string
	}{
		{name: "429", query: "fault=429", kind: "rate_limited"},
		{name: "503", query: "fault=503", kind: "unavailable"},
		{name: "500", query: "fault=500", kind: "http_5xx"},
		{name: "echo_headers", query: "fault=echo_headers", kind: "http_4xx"},
		{name: "refuse", query: "fault=refuse", kind: "connect"},
		{name: "reset", query: "fault=reset", kind: "connect"},
		{name: "slow_first_byte", query: "fault=slow_first_byte&fault_delay=5s", endpoint: "    timeouts: {first_byte: 1s}\n", kind: "first_byte_timeout"},
		{name: "stream_error", query: "fault=stream_error", kind: "stream_error"},
		{name: "cut", query: "fault=cut", kind: "incomplete_stream"},
		{name: "stall", query: "fault=stall&fault_delay=5s", endpoint: "    timeouts: {idle: 1s}\n", kind: "idle_timeout"},
		{name: "endless size", query: "fault=endless", endpoint: "    limits: {max_response_bytes: 65536}\n", kind: "response_too_large"},
		{name: "endless time", query: "fault=endless", load: "  timeout: 1s\n", kind: "timeout"},
		{name: "long_line", query: "fault=long_line", kind: "event_too_large"},
		{name: "long_line limit", query: "fault=long_line", endpoint: "    limits: {max_event_bytes: 4096}\n", kind: "event_too_large"},
		// Go's JSON decoder replaces invalid UTF-8 with U+FFFD, so the
		// request succeeds with a replacement character in its text.
		{name: "bad_utf8", query: "fault=bad_utf8", kind: ""},
		{name: "bad_json", query: "fault=bad_json", kind: "malformed_event"},
		// The runner reads the body whatever its Content-Type.
		{name: "content_type", query: "fault=content_type", kind: ""},
		{name: "html", query: "fault=html", kind: "incomplete_stream"},
		{name: "gzip", query: "fault=gzip", kind: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := faultSuite(t, "ttft=2ms&itl=1ms&fault_rate=0.5&"+tc.query, tc.endpoint, tc.load)
			res := runBounded(t, 60*time.Second, "run", "--format", "json", "--no-progress", path)

			wantCode, wantFailed := ExitAssertions, 4
			if tc.kind == "" {
				wantCode, wantFailed = ExitPass, 0
			}
			if res.code != wantCode {
				t.Errorf("exit code = %d, want %d\nstderr:\n%s", res.code, wantCode, res.stderr)
			}
			var out runSummary
			if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || len(out.Cells) != 1 {
				t.Fatalf("stdout is not a one-cell summary (%v):\n%s", err, res.stdout)
			}
			cell := out.Cells[0]
			checkEqual(t, "requests", cell.Requests, 8)
			checkEqual(t, "succeeded", cell.Succeeded, 8-wantFailed)
			checkEqual(t, "error_rate", cell.ErrorRate, float64(wantFailed)/8)
			if tc.kind != "" {
				checkEqual(t, "failures_by_kind", cell.Failures, map[string]int{tc.kind: 4})
			}

			kinds := map[string]int{}
			for _, rec := range readLines(t, filepath.Join(runFolder(t, path), "requests.jsonl")) {
				kinds[rec["error_kind"].(string)]++
			}
			want := map[string]int{"": 8 - wantFailed}
			if tc.kind != "" {
				want[tc.kind] = wantFailed
			}
			checkEqual(t, "record kinds", kinds, want)
		})
	}
}

func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", what, g, w)
	}
}

// TestFaultRetryAfter retries 429 responses after the Retry-After they
// name. With one request at a time and every other request failing, each
// request after the first fails once and succeeds on its retry.
func TestFaultRetryAfter(t *testing.T) {
	t.Parallel()
	path := faultSuite(t, "ttft=1ms&itl=1ms&fault=429&fault_rate=0.5&retry_after=1s", "", "  retries: 1\n")
	res := runBounded(t, time.Minute, "run", "--no-progress", "--set", "load.concurrency=1", "--set", "load.requests=3", path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\nstderr:\n%s", res.code, res.stderr)
	}
	var retried int
	for _, rec := range readLines(t, filepath.Join(runFolder(t, path), "requests.jsonl")) {
		if rec["attempts"].(float64) == 1 {
			continue
		}
		retried++
		checkEqual(t, "retried_statuses", rec["retried_statuses"], any([]any{"429 Too Many Requests"}))
		if e2e := rec["e2e_ms"].(float64); e2e < 1000 {
			t.Errorf("a retried request took %.0f ms, want at least the 1 s Retry-After", e2e)
		}
	}
	checkEqual(t, "retried requests", retried, 2)
}

func TestQueueingGrowsTTFT(t *testing.T) {
	t.Parallel()
	free := faultSuite(t, "ttft=50ms&itl=1ms", "", "")
	queued := faultSuite(t, "ttft=50ms&itl=1ms&max_concurrent=1", "", "")
	var p50 [2]float64
	for i, path := range []string{free, queued} {
		res := runBounded(t, 60*time.Second, "run", "--format", "json", "--no-progress", path)
		if res.code != ExitPass {
			t.Fatalf("%s: exit code = %d\nstderr:\n%s", path, res.code, res.stderr)
		}
		var out runSummary
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || len(out.Cells) != 1 {
			t.Fatalf("stdout is not a one-cell summary (%v):\n%s", err, res.stdout)
		}
		p50[i] = out.Cells[0].TTFT.P50
	}
	// With two requests in flight and one served at a time, each waits
	// for the other's whole response (50 ms + 5 × 1 ms) before its own
	// 50 ms to the first token.
	if p50[1] < p50[0]+40 {
		t.Errorf("TTFT p50 = %.1f ms with max_concurrent 1, want at least 40 ms above the %.1f ms without it", p50[1], p50[0])
	}
}

// TestMockParamsInStep checks that the suite loader and the mock accept
// the same builtin:mock parameters and fault names.
func TestMockParamsInStep(t *testing.T) {
	t.Parallel()
	queries := []string{"fault=nope", "fault=refuse,429", "fault_rate=0", "bogus=1"}
	for _, name := range mock.FaultNames() {
		queries = append(queries, "fault="+name)
	}
	for _, p := range mock.QueryParams {
		value := map[string]string{"fault": "429", "fault_rate": "0.5", "fault_after": "2", "max_concurrent": "3"}[p]
		if value == "" {
			value = "5ms"
		}
		queries = append(queries, p+"="+value)
	}
	for _, q := range queries {
		baseURL := "builtin:mock?" + q
		_, _, mockErr := mockConfig(baseURL)
		text := "version: 1\nendpoints:\n  - {name: m, provider: openai-chat, base_url: \"" + baseURL + "\", model: m}\n" +
			"workloads:\n  - {name: w, input_tokens: 10, output_tokens: 10}\nload:\n  concurrency: [1]\n"
		_, _, suiteErr := suite.Parse([]byte(text), "step.yaml", suite.LoadOptions{})
		if (mockErr == nil) != (suiteErr == nil) {
			t.Errorf("%q: the mock returns %v but the suite loader returns %v", q, mockErr, suiteErr)
		}
	}
}

// TestFullDiskKeepsRecords runs into a full disk: the json sink's folder
// is a 64 KiB tmpfs, which fills after a few dozen records. The run must
// stop with a run error, and every record written before must read back.
// Mounting needs root, so the test is skipped elsewhere.
func TestFullDiskKeepsRecords(t *testing.T) {
	t.Parallel()
	disk := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(disk, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", disk).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", disk, err, out)
		}
	})
	path := faultSuite(t, "ttft=1ms&itl=1ms", "", "")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("requests: 8"), []byte("requests: 2000"), 1)
	data = bytes.Replace(data, []byte("dir: "+filepath.Join(filepath.Dir(path), "results")), []byte("dir: "+disk), 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	res := runBounded(t, 2*time.Minute, "run", "--no-progress", path)
	if res.code != ExitRunError {
		t.Errorf("exit code = %d, want %d\nstderr:\n%s", res.code, ExitRunError, res.stderr)
	}
	if !strings.Contains(res.stderr, "no space left on device") {
		t.Errorf("stderr does not name the full disk:\n%s", res.stderr)
	}

	folders, err := filepath.Glob(filepath.Join(disk, "*"))
	if err != nil || len(folders) != 1 {
		t.Fatalf("want one run folder on the full disk, got %v (%v)", folders, err)
	}
	raw, err := os.ReadFile(filepath.Join(folders[0], "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	complete := raw[:bytes.LastIndexByte(raw, '\n')+1]
	lines := bytes.Split(bytes.TrimSuffix(complete, []byte("\n")), []byte("\n"))
	if len(complete) == 0 || len(lines) >= 2000 {
		t.Fatalf("requests.jsonl has %d complete lines, want some but not all 2000", len(lines))
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Errorf("line %d of requests.jsonl is not a record: %v", i+1, err)
		}
	}
	if len(raw) != len(complete) {
		t.Logf("requests.jsonl ends in a partial line of %d bytes", len(raw)-len(complete))
	}

	// The report reads every complete line and skips the partial one; a
	// cell the full disk cut off before its summary is not reported.
	rep := runBounded(t, time.Minute, "report", "--no-files", "--format", "json", folders[0])
	if strings.Contains(rep.stderr, "invalid JSON") {
		t.Errorf("report stopped at the partial line:\n%s", rep.stderr)
	}
	if rep.code != ExitPass && !strings.Contains(rep.stderr, "no finished cell") {
		t.Errorf("report on the full disk's run: exit code = %d\n%s", rep.code, rep.stderr)
	}
}
