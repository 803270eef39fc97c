package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/infermark/infermark/suite"
)

// plannedCell is one row of "plan --format json".
type plannedCell struct {
	Index        int     `json:"index"`
	ID           string  `json:"id"`
	Endpoint     string  `json:"endpoint"`
	Provider     string  `json:"provider"`
	Model        string  `json:"model"`
	Workload     string  `json:"workload"`
	InputTokens  string  `json:"input_tokens"`
	OutputTokens string  `json:"output_tokens"`
	Concurrency  int     `json:"concurrency,omitempty"`
	Rate         float64 `json:"rate_per_s,omitempty"`
	Repetition   int     `json:"repetition"`
	// Requests counts measured and warmup requests; 0 when the cell runs
	// for a duration instead.
	Requests int `json:"requests"`
	Warmup   int `json:"warmup"`
	// EstimatedDurationS is nil when it cannot be estimated before the
	// run, which is the case for a request-count cell on a real server.
	EstimatedDurationS *float64 `json:"estimated_duration_s"`
}

// plan is the output of "plan --format json".
type plan struct {
	Suite              string        `json:"suite"`
	Cells              []plannedCell `json:"cells"`
	CellCount          int           `json:"cell_count"`
	EstimatedRequests  int           `json:"estimated_requests"`
	EstimatedDurationS *float64      `json:"estimated_duration_s"`
	// UnknownDurationCells counts cells left out of EstimatedDurationS.
	UnknownDurationCells int `json:"unknown_duration_cells"`
}

// buildPlan lists the cells with their request counts and estimates.
func buildPlan(s *suite.Suite) plan {
	p := plan{Suite: s.Name}
	total := 0.0
	for _, c := range s.Cells() {
		pc := plannedCell{
			Index: c.Index, ID: c.ID, Endpoint: c.Endpoint.Name, Provider: c.Endpoint.Provider,
			Model: c.Endpoint.Model, Workload: c.Workload.Name, InputTokens: inputText(c.Workload),
			OutputTokens: c.Workload.OutputTokens.String(), Concurrency: c.Concurrency, Rate: c.Rate,
			Repetition: c.Repetition, Warmup: s.Load.Warmup,
		}
		if s.Load.Duration == 0 {
			pc.Requests = s.Load.Requests + s.Load.Warmup
		}
		pc.EstimatedDurationS = estimateCell(s, c)
		if pc.EstimatedDurationS == nil {
			p.UnknownDurationCells++
		} else {
			total += *pc.EstimatedDurationS
		}
		p.EstimatedRequests += pc.Requests
		p.Cells = append(p.Cells, pc)
	}
	p.CellCount = len(p.Cells)
	if p.UnknownDurationCells == 0 {
		p.EstimatedDurationS = &total
	}
	return p
}

func inputText(w *suite.Workload) string {
	if w.Prompts.Source != suite.SourceSynthetic {
		return fmt.Sprintf("%s prompts (%d)", w.Prompts.Source, len(w.Prompts.Texts))
	}
	return w.InputTokens.String()
}

// estimateCell estimates a cell's wall time in seconds: its duration
// keys when it runs for a time, or for the built-in mock, whose pacing is
// known, waves of concurrent requests that each take TTFT plus one ITL per
// further token of the mean output length. Other cells return nil.
func estimateCell(s *suite.Suite, c suite.Cell) *float64 {
	if s.Load.Duration > 0 {
		v := (s.Load.Duration + s.Load.WarmupDuration + s.Load.Ramp).Seconds()
		return &v
	}
	cfg, isMock, err := mockConfig(c.Endpoint.BaseURL)
	if !isMock || err != nil || c.Concurrency == 0 {
		return nil
	}
	perRequest := cfg.TTFT.Seconds() + cfg.ITL.Seconds()*math.Max(c.Workload.OutputTokens.Average()-1, 0)
	waves := math.Ceil(float64(s.Load.Requests) / float64(c.Concurrency))
	waves += math.Ceil(float64(s.Load.Warmup) / float64(c.Concurrency))
	v := waves * perRequest
	return &v
}

func writePlanJSON(w io.Writer, p plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

func writePlanTable(w io.Writer, p plan) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tcell\tendpoint\tprovider\tmodel\tworkload\tinput tokens\toutput tokens\tload\trequests (with warmup)\twarmup")
	for _, c := range p.Cells {
		load := fmt.Sprintf("c=%d", c.Concurrency)
		if c.Rate > 0 {
			load = fmt.Sprintf("%g/s", c.Rate)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", c.Index+1, c.ID, c.Endpoint,
			c.Provider, c.Model, c.Workload, c.InputTokens, c.OutputTokens, load, c.Requests, c.Warmup)
	}
	tw.Flush()

	fmt.Fprintf(w, "%d cells, %d requests in all (warmup included)", p.CellCount, p.EstimatedRequests)
	switch {
	case p.EstimatedDurationS != nil:
		fmt.Fprintf(w, ", about %s (estimate)\n", formatSeconds(*p.EstimatedDurationS))
	default:
		fmt.Fprintf(w, "; the duration of %d cells depends on the server's speed\n", p.UnknownDurationCells)
	}
}

func formatSeconds(s float64) string {
	if s < 60 {
		return fmt.Sprintf("%.0fs", math.Ceil(s))
	}
	return fmt.Sprintf("%.0fm%02.0fs", math.Floor(s/60), math.Mod(math.Ceil(s), 60))
}
