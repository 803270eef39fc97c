package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// Files of a run folder, as the json sink writes them.
const (
	summaryFileName  = "summary.json"
	requestsFileName = "requests.jsonl"
)

// storedSummary is the part of summary.json a report needs. The load
// figures are read back as stored, because the client's CPU time and
// timer lag are not in the records.
type storedSummary struct {
	report.RunInfo
	Cells []struct {
		report.CellInfo
		DurationS   *float64            `json:"duration_s"`
		Load        *report.LoadFigures `json:"load"`
		Interrupted bool                `json:"interrupted"`
	} `json:"cells"`
	Assertions []report.Outcome `json:"assertions"`
}

// storedRequest is one line of requests.jsonl. The json sink replaces the
// record's nanosecond offsets with millisecond figures; readRecord turns
// them back into offsets.
type storedRequest struct {
	runner.Record
	TTFTMs      *float64  `json:"ttft_ms"`
	TTFOMs      *float64  `json:"ttfo_ms"`
	E2EMs       *float64  `json:"e2e_ms"`
	StreamEndMs *float64  `json:"stream_end_ms"`
	HeadersMs   *float64  `json:"headers_ms"`
	WrittenMs   *float64  `json:"written_ms"`
	ITLMs       []float64 `json:"itl_ms"`
}

// findRunFolders returns the run folders under each path: the path itself
// when it holds summary.json, else its subfolders that do.
func findRunFolders(paths []string) ([]string, error) {
	var folders []string
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("results folder %q not found", path)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("results %q is a file; give a run folder or a folder of runs", path)
		}
		if fileExists(filepath.Join(path, summaryFileName)) {
			folders = append(folders, path)
			continue
		}
		found, err := filepath.Glob(filepath.Join(path, "*", summaryFileName))
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no run in %q: it has no %s and no subfolder with one", path, summaryFileName)
		}
		for _, f := range found {
			folders = append(folders, filepath.Dir(f))
		}
	}
	return slices.Compact(folders), nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readRun reads one run folder back into records and cell metadata.
func readRun(folder string) (report.Run, error) {
	var stored storedSummary
	summaryPath := filepath.Join(folder, summaryFileName)
	b, err := os.ReadFile(summaryPath)
	if err != nil {
		return report.Run{}, fmt.Errorf("read results: %w", err)
	}
	if err := json.Unmarshal(b, &stored); err != nil {
		return report.Run{}, fmt.Errorf("%s: invalid JSON: %w", summaryPath, err)
	}
	if stored.ID == "" {
		return report.Run{}, fmt.Errorf("%s: missing run_id; is this an infermark summary?", summaryPath)
	}

	records, err := readRecords(filepath.Join(folder, requestsFileName))
	if err != nil {
		return report.Run{}, err
	}
	run := report.Run{Info: stored.RunInfo, Assertions: stored.Assertions}
	for _, c := range stored.Cells {
		if c.DurationS == nil {
			return report.Run{}, fmt.Errorf("%s: cell %q has no duration_s", summaryPath, c.ID)
		}
		window := time.Duration(math.Round(*c.DurationS * float64(time.Second)))
		run.Cells = append(run.Cells, report.Cell{Info: c.CellInfo, Window: window, Records: records[c.ID],
			Load: c.Load, Interrupted: c.Interrupted})
	}
	return run, nil
}

// readRecords reads requests.jsonl, grouped by cell id.
func readRecords(path string) (map[string][]runner.Record, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read results: %s not found", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	defer f.Close()

	// A run cut short by a full disk or a kill can leave half a line at the
	// end; every line before it is complete, so only that one is skipped.
	out := map[string][]runner.Record{}
	r := bufio.NewReaderSize(f, 64*1024)
	for line := 1; ; line++ {
		raw, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		rec, err := readRecord(raw)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out[rec.CellID] = append(out[rec.CellID], rec)
	}
	return out, nil
}

// readRecord decodes one line and rebuilds the offsets: OutputAt from
// TTFT plus the running sum of ITL gaps. Each millisecond figure was
// computed from whole nanoseconds, so rounding back to nanoseconds
// restores the offsets exactly; E2E is checked against the last one.
func readRecord(line []byte) (runner.Record, error) {
	var s storedRequest
	if err := json.Unmarshal(line, &s); err != nil {
		return runner.Record{}, fmt.Errorf("invalid JSON: %w", err)
	}
	rec := s.Record
	// Latencies are stored from the moment the request was written, and
	// the record's offsets are from the send.
	rec.Written = duration(s.WrittenMs)
	fromSend := func(ms *float64) time.Duration {
		if ms == nil {
			return 0
		}
		return rec.Written + duration(ms)
	}
	rec.Headers, rec.FirstAnswer, rec.StreamEnd = duration(s.HeadersMs), fromSend(s.TTFOMs), fromSend(s.StreamEndMs)
	if s.TTFTMs == nil {
		if len(s.ITLMs) > 0 {
			return rec, errors.New("itl_ms is set but ttft_ms is missing")
		}
		return rec, nil
	}

	rec.OutputAt = make([]time.Duration, 0, len(s.ITLMs)+1)
	at := fromSend(s.TTFTMs)
	rec.OutputAt = append(rec.OutputAt, at)
	for _, gap := range s.ITLMs {
		at += duration(&gap)
		rec.OutputAt = append(rec.OutputAt, at)
	}
	if s.E2EMs == nil || fromSend(s.E2EMs) != at {
		return rec, fmt.Errorf("request %s: ttft_ms plus the itl_ms gaps does not add up to e2e_ms", rec.RequestID)
	}
	return rec, nil
}

// duration converts milliseconds to a Duration rounded to the nanosecond;
// nil is 0, the record's "did not happen".
func duration(ms *float64) time.Duration {
	if ms == nil {
		return 0
	}
	return time.Duration(math.Round(*ms * float64(time.Millisecond)))
}
