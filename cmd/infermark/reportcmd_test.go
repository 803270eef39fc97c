package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runForReport runs the fast mock suite once and returns its run folder.
func runForReport(t *testing.T, extraArgs ...string) string {
	t.Helper()
	path := writeSuite(t, fastMock, "")
	res := runApp(t, context.Background(), append([]string{"run", path}, extraArgs...)...)
	if res.code != ExitPass {
		t.Fatalf("run exit = %d, stderr:\n%s", res.code, res.stderr)
	}
	return runFolder(t, path)
}

func TestReportWritesEveryFile(t *testing.T) {
	t.Parallel()
	folder := runForReport(t)
	out := t.TempDir()

	res := runApp(t, context.Background(), "report", folder, "-o", out)
	if res.code != ExitPass {
		t.Fatalf("exit = %d, stderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "== Sweep: mock ==") {
		t.Errorf("stdout lacks the sweep table:\n%s", res.stdout)
	}
	for _, chart := range []string{"throughput", "ttft", "tpot", "request_rate", "pareto", "cost", "ttft_cdf", "tokens_over_time"} {
		for _, ext := range []string{"png", "svg"} {
			if _, err := os.Stat(filepath.Join(out, chart+"."+ext)); err != nil {
				t.Errorf("missing chart: %v", err)
			}
		}
		b, err := os.ReadFile(filepath.Join(out, chart+".png"))
		if err != nil {
			continue
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s.png: %v", chart, err)
		}
	}
	for _, name := range []string{"report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
}

// TestReportMatchesRun checks that figures recomputed from the stored
// files equal those the run computed from its in-memory records.
func TestReportMatchesRun(t *testing.T) {
	t.Parallel()
	folder := runForReport(t)
	res := runApp(t, context.Background(), "report", folder, "--format", "json", "--no-files")
	if res.code != ExitPass {
		t.Fatalf("exit = %d, stderr:\n%s", res.code, res.stderr)
	}
	type cell struct {
		ID   string         `json:"id"`
		TTFT map[string]any `json:"ttft_ms"`
		ITL  map[string]any `json:"itl_ms"`
		TPOT map[string]any `json:"tpot_ms"`
		Rate any            `json:"output_tokens_per_s"`
	}
	var reported, stored struct {
		Cells []cell `json:"cells"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &reported); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(folder, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if len(reported.Cells) != 2 || len(stored.Cells) != 2 {
		t.Fatalf("cells: reported %d, stored %d, want 2 each", len(reported.Cells), len(stored.Cells))
	}
	for i := range stored.Cells {
		got, want := mustJSON(t, reported.Cells[i]), mustJSON(t, stored.Cells[i])
		if got != want {
			t.Errorf("cell %d differs\nreport: %s\nrun:    %s", i, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(folder, "report")); !os.IsNotExist(err) {
		t.Errorf("--no-files wrote a report folder (stat error %v)", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReportFormatsAndFilters(t *testing.T) {
	t.Parallel()
	folder := runForReport(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"markdown", []string{"--format", "markdown"}, "| cell | conc |"},
		{"csv", []string{"--format", "csv"}, "run_id,cell,endpoint"},
		{"exclude", []string{"--exclude", "mock/tiny/c4"}, "filtered: --exclude mock/tiny/c4: cell mock/tiny/c4 left out"},
		{"outliers", []string{"--outliers", "e2e:1.5"}, "filtered: --outliers e2e:1.5: removed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runApp(t, context.Background(), append([]string{"report", folder, "--no-files"}, tc.args...)...)
			if res.code != ExitPass {
				t.Fatalf("exit = %d, stderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stdout, tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, res.stdout)
			}
		})
	}
}

func TestReportTrendAcrossRuns(t *testing.T) {
	t.Parallel()
	path := writeSuite(t, fastMock, "")
	for range 2 {
		if res := runApp(t, context.Background(), "run", path); res.code != ExitPass {
			t.Fatalf("run exit = %d, stderr:\n%s", res.code, res.stderr)
		}
	}
	out := t.TempDir()
	res := runApp(t, context.Background(), "report", filepath.Join(filepath.Dir(path), "results"), "-o", out, "--trend", "ttft_ms.p99")
	if res.code != ExitPass {
		t.Fatalf("exit = %d, stderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "history: 2 runs") {
		t.Errorf("stdout lacks the history line:\n%s", res.stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "trend.png")); err != nil {
		t.Errorf("missing trend chart: %v", err)
	}
}

func TestRunReportDir(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	runForReport(t, "--report-dir", out)
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Errorf("run --report-dir wrote no page: %v", err)
	}
}

func TestReportBadInput(t *testing.T) {
	t.Parallel()
	folder := runForReport(t)
	corrupt := func(name, content string) string {
		dir := t.TempDir()
		for _, f := range []string{"summary.json", "requests.jsonl"} {
			b, err := os.ReadFile(filepath.Join(folder, f))
			if err != nil {
				t.Fatal(err)
			}
			if f == name {
				b = []byte(content)
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	emptyRun := corrupt("summary.json", `{"run_id": "r1", "suite": "s", "cells": [], "assertions": []}`)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no results", []string{"report"}, "report needs at least one results folder"},
		{"missing folder", []string{"report", filepath.Join(t.TempDir(), "nope")}, "not found"},
		{"empty folder", []string{"report", t.TempDir()}, "has no summary.json and no subfolder with one"},
		{"corrupt summary", []string{"report", corrupt("summary.json", "{not json")}, "summary.json: invalid JSON"},
		{"corrupt line", []string{"report", corrupt("requests.jsonl", "{\"cell_id\": 3}\n")}, "requests.jsonl:1: invalid JSON"},
		{"inconsistent line", []string{"report", corrupt("requests.jsonl", `{"cell_id":"c","ttft_ms":10,"itl_ms":[5],"e2e_ms":99}`+"\n")}, "does not add up to e2e_ms"},
		{"empty run", []string{"report", emptyRun}, "no finished cell in 1 run folder(s)"},
		{"bad format", []string{"report", folder, "--format", "xml"}, `invalid --format "xml"`},
		{"bad outliers", []string{"report", folder, "--outliers", "speed"}, "metric must be ttft, ttfo, tpot or e2e"},
		{"bad trend", []string{"report", folder, "--trend", "nope.p50"}, `invalid metric "nope.p50"`},
		{"unknown exclude", []string{"report", folder, "--exclude", "mock/tiny/c99"}, `--exclude "mock/tiny/c99" matches no run id and no cell id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runApp(t, context.Background(), tc.args...)
			if res.code != ExitUsage {
				t.Errorf("exit = %d, want %d", res.code, ExitUsage)
			}
			if !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, res.stderr)
			}
		})
	}
}
