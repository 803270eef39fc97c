package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infermark/infermark/suite"
)

func TestSchemaCommand(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "schema")
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	if !bytes.Equal([]byte(res.stdout), suite.SchemaJSON) {
		t.Error("schema output differs from suite.SchemaJSON")
	}
	if !json.Valid([]byte(res.stdout)) {
		t.Error("schema output is not valid JSON")
	}
}

func TestPlanJSON(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "plan", "--format", "json", writeSuite(t, fastMock, ""))
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	var p plan
	if err := json.Unmarshal([]byte(res.stdout), &p); err != nil {
		t.Fatalf("plan output is not JSON: %v\n%s", err, res.stdout)
	}
	if p.CellCount != 2 || p.EstimatedRequests != 20 {
		t.Errorf("cell_count = %d, estimated_requests = %d; want 2 and 2 × (8 + 2)", p.CellCount, p.EstimatedRequests)
	}
	if p.EstimatedDurationS == nil || *p.EstimatedDurationS <= 0 {
		t.Errorf("estimated_duration_s = %v, want a positive estimate for the mock", p.EstimatedDurationS)
	}
}

func TestPlanSetAndSelect(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "")
	res := runApp(t, context.Background(), "plan", "--set", "load.concurrency=1..8", "--endpoint", "mock", path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "mock/tiny/c8") || !strings.Contains(res.stdout, "4 cells") {
		t.Errorf("plan output:\n%s", res.stdout)
	}
}

func TestSetInvalidValue(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "validate", "--set", "load.concurrency=1..48", writeSuite(t, fastMock, ""))
	if res.code != ExitUsage {
		t.Fatalf("exit code = %d, want %d", res.code, ExitUsage)
	}
	want := "--set load.concurrency:1:1: concurrency range 1..48 ends at 32, not 48"
	if !strings.Contains(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to contain %q", res.stderr, want)
	}
}

func TestSelectUnknownEndpoint(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "run", "--endpoint", "mokc", writeSuite(t, fastMock, ""))
	if res.code != ExitUsage || !strings.Contains(res.stderr, `unknown endpoint "mokc"; did you mean "mock"?`) {
		t.Errorf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
}

func TestConversationsNeedClosedLoop(t *testing.T) {
	t.Parallel()
	convs := writeTempFile(t, "c.jsonl", `{"conversations": [{"from": "human", "value": "hi"}]}`+"\n")
	path := loadSuite(t, oneMock, "  rate: [5]\n  requests: 4")
	replaceInFile(t, path, "    input_tokens: 30\n", "    prompts: {source: conversations, path: "+convs+"}\n")
	res := runApp(t, context.Background(), "validate", path)
	if res.code != ExitUsage {
		t.Fatalf("exit code = %d, want %d\n%s", res.code, ExitUsage, res.stderr)
	}
	want := `workload "tiny": multi-turn conversations run in closed-loop cells only; sweep load.concurrency instead of load.rate`
	if !strings.Contains(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to contain %q", res.stderr, want)
	}
}

func TestLabelsReachResults(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "labels: {team: infra}\n")
	res := runApp(t, context.Background(), "run", "--no-progress", path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	for _, l := range readLines(t, filepath.Join(runFolder(t, path), "requests.jsonl")) {
		labels, _ := l["labels"].(map[string]any)
		if labels["team"] != "infra" {
			t.Fatalf("record labels = %v, want team: infra", l["labels"])
		}
	}
}

func TestRunURLSavesSuite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	saved := filepath.Join(dir, "adhoc.yaml")
	res := runApp(t, context.Background(), "run", "--url", fastMock, "--model", "m",
		"--concurrency", "1,2", "--input-tokens", "40±5", "--output-tokens", "4", "--requests", "3",
		"--out", filepath.Join(dir, "results"), "--save-suite", saved, "--no-progress")
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "endpoint/adhoc/c2") {
		t.Errorf("stdout lacks the c2 cell:\n%s", res.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); err != nil {
		t.Errorf("--out folder: %v", err)
	}

	again := runApp(t, context.Background(), "plan", saved)
	if again.code != ExitPass || !strings.Contains(again.stdout, "normal(40±5)") || !strings.Contains(again.stdout, "2 cells, 6 requests") {
		t.Errorf("plan of the saved suite: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
}

func TestRunURLUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{"--url", fastMock}, "--url needs --model"},
		{"with file", []string{"--url", fastMock, "--model", "m", "suite.yaml"}, "takes no suite file"},
		{"bad tokens", []string{"--url", fastMock, "--model", "m", "--output-tokens", "10±x"}, "invalid --output-tokens"},
		{"model without url", []string{"--model", "m", "suite.yaml"}, "need --url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runApp(t, context.Background(), append([]string{"run"}, tc.args...)...)
			if res.code != ExitUsage || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit code %d, stderr:\n%s\nwant %d and %q", res.code, res.stderr, ExitUsage, tc.want)
			}
		})
	}
}
