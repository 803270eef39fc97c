package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/infermark/infermark/runner"
)

// BaselineFormat is the "format" value of a baseline file; a file with
// another value is rejected.
const BaselineFormat = "infermark-baseline/1"

// SampleFigures are the per-request figures a baseline keeps every value
// of, so that a comparison can test them with Mann–Whitney U. "error" is
// 1 for a failed request and 0 for a successful one.
var SampleFigures = []string{"ttft_ms", "tpot_ms", "e2e_ms", "error"}

// Baseline is the reference a run is compared with: a stored run folder
// or a baseline file written by WriteBaseline.
type Baseline struct {
	Run   RunInfo
	Cells []BaselineCell
}

// BaselineCell is one cell of a baseline.
type BaselineCell struct {
	Summary CellSummary
	// Samples maps each of SampleFigures to its per-request values,
	// milliseconds for the latencies, in request order.
	Samples map[string][]float64
}

// NewBaseline summarizes every cell of run and keeps its per-request
// samples.
func NewBaseline(run Run) *Baseline {
	b := &Baseline{Run: run.Info}
	for _, c := range run.Cells {
		b.Cells = append(b.Cells, BaselineCell{
			Summary: Summarize(c.Info, c.Records, c.Window),
			Samples: requestSamples(c.Records),
		})
	}
	return b
}

// requestSamples returns the SampleFigures of the measured requests.
func requestSamples(records []runner.Record) map[string][]float64 {
	out := map[string][]float64{}
	for i := range records {
		rec := &records[i]
		if rec.Phase != runner.PhaseMeasured || !rec.Counted() {
			continue
		}
		if !rec.OK() {
			out["error"] = append(out["error"], 1)
			continue
		}
		out["error"] = append(out["error"], 0)
		f := RequestFigures(rec)
		out["ttft_ms"] = appendNumber(out["ttft_ms"], f.TTFT)
		out["tpot_ms"] = appendNumber(out["tpot_ms"], f.TPOT)
		out["e2e_ms"] = appendNumber(out["e2e_ms"], f.E2E)
	}
	return out
}

// identityKey names what makes two cells comparable across runs: the
// endpoint, workload and load level, but not the repeat.
func identityKey(c CellInfo) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%g", c.Endpoint, c.Workload, c.Concurrency, c.Rate)
}

// identityLabel is identityKey for people, such as "mock/tiny c=4".
func identityLabel(c CellInfo) string {
	label := c.Endpoint + "/" + c.Workload
	if c.Rate > 0 {
		return fmt.Sprintf("%s rate=%g/s", label, c.Rate)
	}
	return fmt.Sprintf("%s c=%d", label, c.Concurrency)
}

// Match returns the baseline summary of the cell with info's endpoint,
// workload, concurrency and rate. It prefers the same repeat and falls back
// to the first one. It returns nil when no cell matches or b is nil.
func (b *Baseline) Match(info CellInfo) *CellSummary {
	if b == nil {
		return nil
	}
	var first *CellSummary
	key := identityKey(info)
	for i := range b.Cells {
		s := &b.Cells[i].Summary
		if identityKey(s.CellInfo) != key {
			continue
		}
		if s.Repeat == info.Repeat {
			return s
		}
		if first == nil {
			first = s
		}
	}
	return first
}

// baselineFile is the JSON layout of a baseline file.
type baselineFile struct {
	Format string             `json:"format"`
	Run    RunInfo            `json:"run"`
	Cells  []baselineFileCell `json:"cells"`
}

type baselineFileCell struct {
	Cell CellInfo `json:"cell"`
	// Figures maps figure names such as "ttft_ms.p95" to values; null is
	// a figure without samples.
	Figures map[string]*float64  `json:"figures"`
	Samples map[string][]float64 `json:"samples"`
}

// WriteBaseline writes b as JSON meant to be committed and diffed: one
// figure per line, sorted by name, and each sample list on one line with
// values rounded to the microsecond.
func WriteBaseline(w io.Writer, b *Baseline) error {
	var buf bytes.Buffer
	run, err := json.Marshal(b.Run)
	if err != nil {
		return err
	}
	fmt.Fprintf(&buf, "{\n  \"format\": %q,\n  \"run\": %s,\n  \"cells\": [", BaselineFormat, run)
	for i, c := range b.Cells {
		if i > 0 {
			buf.WriteString(",")
		}
		if err := writeBaselineCell(&buf, c); err != nil {
			return err
		}
	}
	buf.WriteString("\n  ]\n}\n")
	_, err = w.Write(buf.Bytes())
	return err
}

func writeBaselineCell(buf *bytes.Buffer, c BaselineCell) error {
	info, err := json.Marshal(c.Summary.CellInfo)
	if err != nil {
		return err
	}
	fmt.Fprintf(buf, "\n    {\n      \"cell\": %s,\n      \"figures\": {", info)
	figures := Figures(c.Summary)
	for i, name := range sortedKeys(figures) {
		fmt.Fprintf(buf, "%s\n        %q: %s", comma(i), name, jsonNumber(figures[name]))
	}
	buf.WriteString("\n      },\n      \"samples\": {")
	for i, name := range sortedKeys(c.Samples) {
		values := make([]string, len(c.Samples[name]))
		for j, v := range c.Samples[name] {
			values[j] = jsonNumber(math.Round(v*1000) / 1000)
		}
		fmt.Fprintf(buf, "%s\n        %q: [%s]", comma(i), name, strings.Join(values, ", "))
	}
	buf.WriteString("\n      }\n    }")
	return nil
}

func comma(i int) string {
	if i > 0 {
		return ","
	}
	return ""
}

func jsonNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ReadBaseline reads a baseline file written by WriteBaseline. Figures the
// file does not list are NaN, so an assertion that reads one fails with
// "no data" instead of comparing with 0.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	var f baselineFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("invalid baseline JSON: %w", err)
	}
	if f.Format != BaselineFormat {
		return nil, fmt.Errorf("unsupported baseline format %q; want %q, as \"infermark baseline save\" writes", f.Format, BaselineFormat)
	}
	b := &Baseline{Run: f.Run}
	for i, c := range f.Cells {
		if c.Cell.ID == "" {
			return nil, fmt.Errorf("baseline cell %d has no id", i)
		}
		s, err := summaryFromFigures(c.Cell, c.Figures)
		if err != nil {
			return nil, fmt.Errorf("baseline cell %q: %w", c.Cell.ID, err)
		}
		b.Cells = append(b.Cells, BaselineCell{Summary: s, Samples: c.Samples})
	}
	return b, nil
}
