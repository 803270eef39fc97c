package sinks

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// llmperfSummaryKeys are the keys of a summary file written by llmperf's
// token_benchmark_ray.py (results version 2023-08-31), in its order.
var llmperfSummaryKeys = func() []string {
	keys := []string{"version", "name", "model", "mean_input_tokens", "stddev_input_tokens",
		"mean_output_tokens", "stddev_output_tokens", "num_concurrent_requests"}
	for _, metric := range []string{"inter_token_latency_s", "ttft_s", "end_to_end_latency_s",
		"request_output_throughput_token_per_s", "number_input_tokens", "number_output_tokens"} {
		for _, q := range []string{"p25", "p50", "p75", "p90", "p95", "p99"} {
			keys = append(keys, "results_"+metric+"_quantiles_"+q)
		}
		for _, stat := range []string{"mean", "min", "max", "stddev"} {
			keys = append(keys, "results_"+metric+"_"+stat)
		}
	}
	return append(keys, "results_num_requests_started", "results_error_rate", "results_number_errors",
		"results_error_code_frequency", "results_mean_output_throughput_token_per_s",
		"results_num_completed_requests", "results_num_completed_requests_per_min", "timestamp")
}()

// orderedKeys returns the top-level keys of a JSON object in file order.
func orderedKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestJSONLLMPerfLayout(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	sink := &JSON{Dir: t.TempDir(), Layout: LayoutLLMPerf}
	writeAll(t, sink, run, records, testSummaries(run, records))

	folder := filepath.Join(sink.Folder(), "llmperf", "vllm-chat-c2")
	b, err := os.ReadFile(filepath.Join(folder, "llama-3-8b_128_32_summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if keys := orderedKeys(t, b); !slices.Equal(keys, llmperfSummaryKeys) {
		t.Errorf("summary keys differ from llmperf's:\ngot  %v\nwant %v", keys, llmperfSummaryKeys)
	}
	var summary map[string]any
	if err := json.Unmarshal(b, &summary); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"name":                                              "llama-3-8b_128_32_summary",
		"num_concurrent_requests":                           2.0,
		"results_ttft_s_mean":                               (0.050 + 0.033) / 2,
		"results_end_to_end_latency_s_max":                  0.07125,
		"results_number_output_tokens_min":                  1.0,
		"results_num_requests_started":                      3.0,
		"results_number_errors":                             1.0,
		"results_error_code_frequency":                      "{429: 1}",
		"results_inter_token_latency_s_mean":                0.005,
		"results_inter_token_latency_s_stddev":              0.0, // only m-1 has a TPOT
		"results_num_completed_requests":                    2.0,
		"timestamp":                                         float64(run.Start.Unix()),
		"results_ttft_s_quantiles_p25":                      0.033 + (0.050-0.033)*0.25,
		"results_request_output_throughput_token_per_s_max": 5 / 0.07125,
	}
	for key, want := range checks {
		if got := summary[key]; !closeTo(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}

	b, err = os.ReadFile(filepath.Join(folder, "llama-3-8b_128_32_individual_responses.json"))
	if err != nil {
		t.Fatal(err)
	}
	var responses []map[string]any
	if err := json.Unmarshal(b, &responses); err != nil {
		t.Fatal(err)
	}
	if len(responses) != 3 {
		t.Fatalf("got %d individual responses, want the 3 measured requests", len(responses))
	}
	if responses[0]["error_code"] != nil || responses[2]["error_code"] != 429.0 {
		t.Errorf("error codes = %v, %v, want null, 429", responses[0]["error_code"], responses[2]["error_code"])
	}
	if got := responses[1]["inter_token_latency_s"]; got != nil {
		t.Errorf("inter_token_latency_s of a one-token answer = %v, want null", got)
	}
	if got := responses[0]["number_total_tokens"]; got != 135.0 {
		t.Errorf("number_total_tokens = %v, want 130 + 5", got)
	}
}

func TestJSONLLMPerfFileName(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	sink := &JSON{Dir: t.TempDir(), Layout: LayoutLLMPerf}
	writeAll(t, sink, run, records, testSummaries(run, records))

	// "org/Möbius 7B": "/" and " " become "-", letters stay.
	folder := filepath.Join(sink.Folder(), "llmperf", "tgi-chat-c1")
	for _, name := range []string{"org-Möbius-7B_64_16_summary.json", "org-Möbius-7B_64_16_individual_responses.json"} {
		if _, err := os.Stat(filepath.Join(folder, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestJSONInvalidLayout(t *testing.T) {
	t.Parallel()
	err := (&JSON{Dir: t.TempDir(), Layout: "llm-perf"}).Open(testRun())
	want := `json sink: invalid layout "llm-perf"; use "llmperf" or leave it empty`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestJSONRequestLines(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	sink := &JSON{Dir: t.TempDir()}
	writeAll(t, sink, run, records, testSummaries(run, records))

	f, err := os.Open(filepath.Join(sink.Folder(), "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if len(lines) != len(records) {
		t.Fatalf("got %d lines, want %d", len(lines), len(records))
	}
	if got := lines[1]["headers_ms"]; got != 20.5 {
		t.Errorf("headers_ms = %v, want 20.5", got)
	}
	if got := lines[4]["headers_ms"]; got != nil {
		t.Errorf("headers_ms of a request without response = %v, want null", got)
	}

	// Every key of every line is documented, as a column or in the
	// section on requests.jsonl.
	doc, err := os.ReadFile("../docs/results.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		for key := range line {
			if !strings.Contains(string(doc), "`"+key+"`") {
				t.Errorf("docs/results.md does not document key %s of requests.jsonl", key)
			}
		}
	}
}
