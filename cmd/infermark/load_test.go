package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeTempFile writes body to name in a new folder and returns its path.
func writeTempFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadSuite returns a suite of the fast mock with the given load block.
func loadSuite(t *testing.T, endpoints, load string) string {
	t.Helper()
	dir := t.TempDir()
	body := "version: 1\nname: load\nendpoints:\n" + endpoints + `workloads:
  - name: tiny
    input_tokens: 30
    output_tokens: 4
load:
` + load + `
sinks:
  - {type: json, dir: ` + filepath.Join(dir, "results") + `}
`
	path := filepath.Join(dir, "suite.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const oneMock = "  - {name: a, provider: openai-chat, base_url: \"builtin:mock?ttft=5ms&itl=1ms\", model: m}\n"

func TestStopWhenEndsSweep(t *testing.T) {
	t.Parallel()
	path := loadSuite(t, oneMock, "  concurrency: [1, 2, 4, 8]\n  requests: 4\n  stop_when: concurrency >= 2")
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "a/tiny/c2") || strings.Contains(res.stdout, "a/tiny/c4") {
		t.Errorf("want cells c1 and c2 only:\n%s", res.stdout)
	}
	if !strings.Contains(res.stderr, "stop_when holds") {
		t.Errorf("stderr does not say why the sweep stopped:\n%s", res.stderr)
	}
}

func TestRepeatReportsSpread(t *testing.T) {
	t.Parallel()
	path := loadSuite(t, oneMock, "  concurrency: [2]\n  requests: 4\n  repeat: 3")
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"a/tiny/c2/run3", "95% CI of mean", "a/tiny/c2        3"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
}

func TestRateCellRunsOpenLoop(t *testing.T) {
	t.Parallel()
	path := loadSuite(t, oneMock, "  rate: [100]\n  arrival: constant\n  requests: 30")
	res := runApp(t, context.Background(), "run", "--no-progress", "--format", "json", path)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	// 30 arrivals 10 ms apart span 290 ms, so about 100/s are sent.
	for _, want := range []string{`"rate": 100`, `"achieved_rate": `} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("JSON lacks %q", want)
		}
	}
}

func TestDurationCellStopsOnTime(t *testing.T) {
	t.Parallel()
	path := loadSuite(t, oneMock, "  concurrency: [2]\n  duration: 300ms")
	start := time.Now()
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a 300ms cell took %v", took)
	}
}

func TestParallelEndpointsOverlap(t *testing.T) {
	t.Parallel()
	two := oneMock + "  - {name: b, provider: openai-chat, base_url: \"builtin:mock?ttft=5ms&itl=1ms\", model: m}\n"
	path := loadSuite(t, two, "  concurrency: [2]\n  duration: 400ms\n  parallel: true")
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	lines := readLines(t, filepath.Join(runFolder(t, path), "requests.jsonl"))
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for _, l := range lines {
		sent, err := time.Parse(time.RFC3339Nano, l["send"].(string))
		if err != nil {
			t.Fatal(err)
		}
		ep := l["endpoint"].(string)
		if f, ok := first[ep]; !ok || sent.Before(f) {
			first[ep] = sent
		}
		if sent.After(last[ep]) {
			last[ep] = sent
		}
	}
	if len(first) != 2 {
		t.Fatalf("records of %d endpoints, want 2", len(first))
	}
	if !first["a"].Before(last["b"]) || !first["b"].Before(last["a"]) {
		t.Errorf("windows do not overlap: a %v..%v, b %v..%v", first["a"], last["a"], first["b"], last["b"])
	}
}

func TestFilePromptsAreSent(t *testing.T) {
	t.Parallel()
	prompts := writeTempFile(t, "prompts.jsonl", "\"Shall I compare thee to a summer's day?\"\n\"Thou art more lovely and more temperate.\"\n")
	dir := filepath.Dir(prompts)
	suitePath := filepath.Join(dir, "suite.yaml")
	body := `version: 1
name: file
endpoints:
` + oneMock + `workloads:
  - name: sonnets
    prompts: {source: file, path: prompts.jsonl}
    output_tokens: 4
load:
  concurrency: [1]
  requests: 4
sinks:
  - {type: json, dir: ` + filepath.Join(dir, "results") + `}
`
	if err := os.WriteFile(suitePath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runApp(t, context.Background(), "run", "--no-progress", suitePath)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	for _, l := range readLines(t, filepath.Join(runFolder(t, suitePath), "requests.jsonl")) {
		// Both sonnet lines are 10 or 9 o200k_base tokens.
		if n := l["input_tokens_client"].(float64); n < 8 || n > 12 {
			t.Errorf("client input tokens = %v, want a sonnet line's", n)
		}
	}
}

func TestMultiTurnSendsHistory(t *testing.T) {
	t.Parallel()
	path, err := filepath.Abs("../../examples/multi-turn.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res := runApp(t, context.Background(), "run", "--no-progress", "-o", out, path)
	if res.code != ExitPass {
		t.Fatalf("exit code %d\n%s", res.code, res.stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(out, "*", "requests.jsonl"))
	if len(matches) != 1 {
		t.Fatalf("want one requests.jsonl, got %v", matches)
	}
	// The mock counts the whole request, so a later turn of a session,
	// which carries the earlier turns and replies, has more input tokens.
	inputs := map[string]map[float64]float64{}
	for _, l := range readLines(t, matches[0]) {
		key := fmt.Sprint(l["cell_id"], "/", l["session"])
		if inputs[key] == nil {
			inputs[key] = map[float64]float64{}
		}
		inputs[key][l["turn"].(float64)] = l["server_input_tokens"].(float64)
	}
	checked := 0
	for key, turns := range inputs {
		if first, second := turns[1], turns[2]; second > 0 {
			checked++
			if second <= first {
				t.Errorf("%s: turn 2 has %v input tokens, turn 1 %v; want more with the history", key, second, first)
			}
		}
	}
	if checked == 0 {
		t.Error("no session reached a second turn")
	}
}
