package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

// result is what one in-process invocation printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// env is the fake environment of the tests.
var env = map[string]string{"TEST_API_KEY": "sk-test-secret-7f3a9c"}

func runApp(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := &App{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Clock:     runner.SystemClock{},
		Logger:    slog.New(slog.NewTextHandler(&stderr, nil)),
	}
	code := app.Run(ctx, args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeSuite writes a suite driving a fast built-in mock, with extra YAML
// appended, and returns its path.
func writeSuite(t *testing.T, baseURL, extra string) string {
	t.Helper()
	dir := t.TempDir()
	body := `version: 1
name: test
endpoints:
  - name: mock
    provider: openai-chat
    base_url: ` + baseURL + `
    model: mock-model
    api_key: ${TEST_API_KEY}
    price: {per_hour_usd: 1.0}
workloads:
  - name: tiny
    input_tokens: {dist: uniform, min: 30, max: 40}
    output_tokens: 4
load:
  concurrency: [1, 4]
  requests: 8
  warmup: 2
  timeout: 5s
sinks:
  - type: json
    dir: ` + filepath.Join(dir, "results") + `
` + extra
	path := filepath.Join(dir, "suite.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const fastMock = "builtin:mock?ttft=5ms&itl=1ms"

// runFolder returns the single run folder under the suite's results.
func runFolder(t *testing.T, suitePath string) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(suitePath), "results", "*"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want one run folder, got %v (%v)", matches, err)
	}
	return matches[0]
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: invalid JSON line: %v", path, err)
		}
		out = append(out, m)
	}
	return out
}

func TestRunPasses(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "assertions:\n  - name: fast\n    expr: ttft_ms.p95 < 2000\n")
	res := runApp(t, context.Background(), "run", path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, ExitPass, res.stdout, res.stderr)
	}
	for _, cell := range []string{"mock/tiny/c1", "mock/tiny/c4"} {
		if !strings.Contains(res.stdout, cell) {
			t.Errorf("stdout lacks a row for %s:\n%s", cell, res.stdout)
		}
	}
	if !strings.Contains(res.stdout, "assertions: 2 passed, 0 failed") {
		t.Errorf("stdout lacks the assertion count:\n%s", res.stdout)
	}

	folder := runFolder(t, path)
	lines := readLines(t, filepath.Join(folder, "requests.jsonl"))
	if len(lines) != 2*(8+2) {
		t.Errorf("requests.jsonl has %d lines, want %d", len(lines), 2*(8+2))
	}
	var summary struct {
		Cells []struct {
			ID        string `json:"id"`
			Succeeded int    `json:"succeeded"`
		} `json:"cells"`
	}
	raw, err := os.ReadFile(filepath.Join(folder, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &summary); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	if len(summary.Cells) != 2 || summary.Cells[1].Succeeded != 8 {
		t.Errorf("summary cells = %+v, want 2 cells with 8 successes", summary.Cells)
	}
}

func TestRunAssertionFails(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "assertions:\n  - name: impossible\n    expr: ttft_ms.p50 < 0.001\n")
	res := runApp(t, context.Background(), "run", path)
	if res.code != ExitAssertions {
		t.Fatalf("exit code = %d, want %d\n%s%s", res.code, ExitAssertions, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "FAIL  impossible  cell mock/tiny/c1: ttft_ms.p50 < 0.001  (ttft_ms.p50 = ") {
		t.Errorf("stdout does not name the cell, expression and value:\n%s", res.stdout)
	}
}

func TestRunTypoExitsUsage(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "asertions: []\n")
	res := runApp(t, context.Background(), "run", path)
	if res.code != ExitUsage {
		t.Fatalf("exit code = %d, want %d", res.code, ExitUsage)
	}
	if !strings.Contains(res.stderr, path+":22:1: unknown key \"asertions\"") {
		t.Errorf("stderr does not point at the typo:\n%s", res.stderr)
	}
}

func TestRunUnreachableExitsRunError(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback has no listener, so every connection is refused.
	path := writeSuite(t, "http://127.0.0.1:1/v1", "")
	res := runApp(t, context.Background(), "run", path)
	if res.code != ExitRunError {
		t.Fatalf("exit code = %d, want %d\n%s", res.code, ExitRunError, res.stderr)
	}
	if !strings.Contains(res.stderr, "none of 8 requests succeeded") {
		t.Errorf("stderr does not explain the failure:\n%s", res.stderr)
	}
	if !strings.Contains(res.stderr, "kind=connect") {
		t.Errorf("stderr does not classify the failure:\n%s", res.stderr)
	}
}

func TestRunInterruptedKeepsResults(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, "builtin:mock?ttft=20ms&itl=20ms", "")
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	app := &App{
		Stdout: &bytes.Buffer{}, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Clock:     runner.SystemClock{}, Logger: slog.New(slog.DiscardHandler),
	}
	done := make(chan int)
	go func() { done <- app.Run(ctx, []string{"run", "--log-level", "debug", path}) }()
	if !waitForLines(filepath.Dir(path), 3) {
		cancel()
		<-done
		t.Fatalf("no records were written; stderr:\n%s", stderr.String())
	}
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Fatalf("exit code = %d, want %d\n%s", code, ExitInterrupted, stderr.String())
	}
	folder := runFolder(t, path)
	lines := readLines(t, filepath.Join(folder, "requests.jsonl"))
	if len(lines) < 3 {
		t.Errorf("requests.jsonl has %d lines after the interrupt, want at least 3", len(lines))
	}
	raw, err := os.ReadFile(filepath.Join(folder, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var summary struct{ Interrupted bool }
	if err := json.Unmarshal(raw, &summary); err != nil || !summary.Interrupted {
		t.Errorf("summary.json interrupted = %v (%v), want true", summary.Interrupted, err)
	}
}

// waitForLines waits up to 5 s until some requests.jsonl under dir has n
// lines, and reports whether it did.
func waitForLines(dir string, n int) bool {
	for range 500 {
		matches, _ := filepath.Glob(filepath.Join(dir, "results", "*", "requests.jsonl"))
		if len(matches) == 1 {
			if b, _ := os.ReadFile(matches[0]); bytes.Count(b, []byte("\n")) >= n {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func TestPlanPrintsMatrix(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "plan", writeSuite(t, fastMock, ""))
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "mock/tiny/c4") || !strings.Contains(res.stdout, "2 cells, 20 requests") {
		t.Errorf("plan output:\n%s", res.stdout)
	}
}

func TestSecretStaysOutOfOutputs(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "")
	res := runApp(t, context.Background(), "run", "--format", "json", path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s", res.code, res.stderr)
	}
	secret := env["TEST_API_KEY"]
	if strings.Contains(res.stdout, secret) || strings.Contains(res.stderr, secret) {
		t.Error("the API key appears on stdout or stderr")
	}
	filepath.Walk(filepath.Dir(path), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || p == path {
			return err
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
			t.Errorf("the API key appears in %s", p)
		}
		return nil
	})
}

func TestExamplesLoad(t *testing.T) {
	t.Parallel()
	paths, _ := filepath.Glob("../../examples/*.yaml")
	if len(paths) == 0 {
		t.Fatal("no examples found")
	}
	for _, p := range paths {
		if res := runApp(t, context.Background(), "validate", p); res.code != ExitPass {
			t.Errorf("%s: exit code %d\n%s", p, res.code, res.stderr)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "rnu")
	if res.code != ExitUsage || !strings.Contains(res.stderr, `unknown command "rnu"`) {
		t.Errorf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
}

func TestBadFlagExplains(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "mock", "--ttft", "banana")
	if res.code != ExitUsage || !strings.Contains(res.stderr, `invalid argument "banana" for "--ttft" flag`) {
		t.Errorf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "rn")
	if res.code != ExitUsage || !strings.Contains(res.stderr, `unknown command "rn"; did you mean "run"?`) {
		t.Errorf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
}
