package sinks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// JSON writes "requests.jsonl", one line per request written as it
// completes, and "summary.json", rewritten atomically after every cell, in
// Dir/<run id>/. With Layout "llmperf" it also writes llmperf's two files
// per cell; see llmperf.go.
type JSON struct {
	// Dir is the parent folder of each run's folder.
	Dir string
	// Layout is "" for infermark's files only, or "llmperf" to add
	// llmperf/<cell>/<model>_<in>_<out>_summary.json and
	// _individual_responses.json after each cell.
	Layout string

	folder  string
	file    *os.File
	buf     *bufio.Writer
	cells   map[string]report.CellInfo
	summary []report.CellSummary
	run     Run
	llmperf map[string]*llmperfCell
}

// JSON layouts.
const (
	LayoutDefault = ""
	LayoutLLMPerf = "llmperf"
)

// Folder returns the folder this run's files are written in.
func (j *JSON) Folder() string { return j.folder }

// Open creates the run's folder and its records file.
func (j *JSON) Open(run Run) error {
	if j.Layout != LayoutDefault && j.Layout != LayoutLLMPerf {
		return fmt.Errorf("json sink: invalid layout %q; use %q or leave it empty", j.Layout, LayoutLLMPerf)
	}
	j.llmperf = map[string]*llmperfCell{}
	j.folder = filepath.Join(j.Dir, run.ID)
	if err := os.MkdirAll(j.folder, 0o755); err != nil {
		return fmt.Errorf("json sink: create results folder: %w", err)
	}
	f, err := os.Create(filepath.Join(j.folder, "requests.jsonl"))
	if err != nil {
		return fmt.Errorf("json sink: %w", err)
	}
	j.file, j.buf, j.run = f, bufio.NewWriter(f), run
	j.cells = make(map[string]report.CellInfo, len(run.Cells))
	for _, c := range run.Cells {
		j.cells[c.ID] = c
	}
	return j.writeSummary(nil)
}

// requestLine is one line of requests.jsonl: the raw record with the
// cell's identity and the figures derived from it, in milliseconds.
type requestLine struct {
	RunID  string `json:"run_id"`
	CellID string `json:"cell_id"`
	// ID hides CellInfo's "id", which repeats CellID.
	ID any `json:"id,omitempty"`
	report.CellInfo
	runner.Record
	TTFTMs       *float64  `json:"ttft_ms"`
	TTFOMs       *float64  `json:"ttfo_ms"`
	E2EMs        *float64  `json:"e2e_ms"`
	StreamEndMs  *float64  `json:"stream_end_ms"`
	TPOTMs       *float64  `json:"tpot_ms"`
	WrittenMs    *float64  `json:"written_ms"`
	HeadersMs    *float64  `json:"headers_ms"`
	ITLMs        []float64 `json:"itl_ms"`
	OutputTokens int       `json:"output_tokens"`
	TokenSource  string    `json:"token_source"`
	InputTokens  int       `json:"input_tokens"`
	// The raw nanosecond offsets are replaced by the millisecond figures.
	OutputAt    any `json:"output_at_ns,omitempty"`
	Headers     any `json:"headers_ns,omitempty"`
	Written     any `json:"written_ns,omitempty"`
	FirstAnswer any `json:"first_answer_ns,omitempty"`
	StreamEnd   any `json:"stream_end_ns,omitempty"`
}

// Record appends rec to requests.jsonl and flushes it to the file.
func (j *JSON) Record(rec runner.Record) error {
	f := report.RequestFigures(&rec)
	line := requestLine{
		RunID: j.run.ID, CellID: rec.CellID, CellInfo: j.cells[rec.CellID], Record: rec,
		TTFTMs: ptr(f.TTFT), TTFOMs: ptr(f.TTFO), E2EMs: ptr(f.E2E), StreamEndMs: ptr(f.StreamEnd),
		TPOTMs: ptr(f.TPOT), ITLMs: f.ITL, OutputTokens: f.OutputTokens,
		TokenSource: f.TokenSource, InputTokens: f.InputTokens,
	}
	line.HeadersMs = ptr(offsetMs(rec.Headers))
	line.WrittenMs = ptr(offsetMs(rec.Written))
	if j.Layout == LayoutLLMPerf {
		cell := j.llmperf[rec.CellID]
		if cell == nil {
			cell = &llmperfCell{}
			j.llmperf[rec.CellID] = cell
		}
		cell.add(&rec)
	}
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("json sink: encode record %s: %w", rec.RequestID, err)
	}
	j.buf.Write(b)
	j.buf.WriteByte('\n')
	if err := j.buf.Flush(); err != nil {
		return fmt.Errorf("json sink: write requests.jsonl: %w", err)
	}
	return nil
}

// Cell records a cell's summary and rewrites summary.json; with the
// llmperf layout it writes the cell's llmperf files too.
func (j *JSON) Cell(s report.CellSummary) error {
	j.summary = append(j.summary, s)
	if err := j.writeSummary(nil); err != nil {
		return err
	}
	if j.Layout == LayoutLLMPerf {
		return j.writeLLMPerf(&s)
	}
	return nil
}

// writeLLMPerf writes llmperf/<cell id>/<name>_summary.json and
// <name>_individual_responses.json, with "/" in the cell id turned to "-".
func (j *JSON) writeLLMPerf(s *report.CellSummary) error {
	cell := j.llmperf[s.ID]
	if cell == nil {
		cell = &llmperfCell{}
	}
	delete(j.llmperf, s.ID)
	folder := filepath.Join(j.folder, "llmperf", strings.ReplaceAll(s.ID, "/", "-"))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("json sink: create llmperf folder: %w", err)
	}
	name := cell.fileName(s.Model)
	summary := append(object{{"version", llmperfResultsVersion}, {"name", name + "_summary"}},
		cell.summary(s, j.run.Start.Unix()).flatten("")...)
	if err := writeJSONFile(filepath.Join(folder, name+"_summary.json"), summary); err != nil {
		return fmt.Errorf("json sink: %w", err)
	}
	responses := cell.requests
	if responses == nil {
		responses = []llmperfRequest{}
	}
	if err := writeJSONFile(filepath.Join(folder, name+"_individual_responses.json"), responses); err != nil {
		return fmt.Errorf("json sink: %w", err)
	}
	return nil
}

// Close writes the final summary with the assertion outcomes.
func (j *JSON) Close(run Run, outcomes []report.Outcome) error {
	j.run = run
	err := j.writeSummary(outcomes)
	if ferr := j.buf.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if cerr := j.file.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

type summaryFile struct {
	Run
	Cells      []report.CellSummary `json:"cells"`
	Assertions []report.Outcome     `json:"assertions"`
}

// writeSummary replaces summary.json through a temporary file and a
// rename, so a reader never sees half a file.
func (j *JSON) writeSummary(outcomes []report.Outcome) error {
	err := writeJSONFile(filepath.Join(j.folder, "summary.json"), summaryFile{Run: j.run, Cells: j.summary, Assertions: outcomes})
	if err != nil {
		return fmt.Errorf("json sink: %w", err)
	}
	return nil
}

// writeJSONFile writes v, indented, to path through a temporary file and a
// rename, so a reader never sees half a file.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// Declare adds a cell that the run's cell list did not have.
func (j *JSON) Declare(info report.CellInfo) { j.cells[info.ID] = info }
