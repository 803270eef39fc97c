package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/infermark/infermark/runner"
)

// RunInfo identifies one stored run.
type RunInfo struct {
	ID          string    `json:"run_id"`
	Suite       string    `json:"suite"`
	Version     string    `json:"infermark_version"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Interrupted bool      `json:"interrupted"`
}

// Cell is one cell of a run with the records its summary came from.
type Cell struct {
	Info CellInfo
	// Window is the measured phase's duration, as the runner timed it.
	Window time.Duration
	// Records holds the cell's records, warmup ones included.
	Records []runner.Record
	// Load is what the client measured about itself during the cell, as
	// stored with the run; nil when it was not stored.
	Load *LoadFigures
	// Interrupted is true when the run was interrupted during the cell.
	Interrupted bool
}

// Run is one stored run.
type Run struct {
	Info  RunInfo
	Cells []Cell
	// Assertions are the outcomes stored with the run. They are reused
	// as stored, because a suite's assertions cannot be rebuilt from it.
	Assertions []Outcome
}

// Document is everything a report shows: the newest run in full and the
// summaries of every run for the trend. Build it with NewDocument.
type Document struct {
	// Generated is when the report was made.
	Generated time.Time
	Run       RunInfo
	Cells     []CellSummary
	// Comparisons are the endpoints side by side at each load level.
	Comparisons []Comparison
	Assertions  []Outcome
	// Filters describes every request or cell the options removed.
	Filters []FilterNote
	// History holds the summaries of every run, oldest first, newest
	// included; the trend is drawn only with two runs or more.
	History []RunSummary

	cells []Cell
}

// RunSummary is one run's cell summaries, for trends across runs.
type RunSummary struct {
	Info  RunInfo
	Cells []CellSummary
}

// NewDocument filters runs with opts, summarizes every cell and returns
// the report of the newest run (by start time) with the history of all.
func NewDocument(runs []Run, opts Options, generated time.Time) (*Document, error) {
	if len(runs) == 0 {
		return nil, errNoRuns
	}
	runs = slices.Clone(runs)
	slices.SortStableFunc(runs, func(a, b Run) int { return a.Info.Start.Compare(b.Info.Start) })

	filtered, notes, err := applyFilters(runs, opts)
	if err != nil {
		return nil, err
	}
	doc := &Document{Generated: generated, Filters: notes}
	for _, r := range filtered {
		doc.History = append(doc.History, RunSummary{Info: r.Info, Cells: summarizeCells(r.Cells)})
	}
	if len(doc.History) == 0 {
		return nil, errAllExcluded
	}

	newest := filtered[len(filtered)-1]
	doc.Run, doc.cells = newest.Info, newest.Cells
	doc.Cells = doc.History[len(doc.History)-1].Cells
	doc.Assertions = keepOutcomes(newest.Assertions, doc.Cells)
	doc.Comparisons = CompareEndpoints(doc.Cells)
	return doc, nil
}

func summarizeCells(cells []Cell) []CellSummary {
	out := make([]CellSummary, 0, len(cells))
	for _, c := range cells {
		s := Summarize(c.Info, c.Records, c.Window)
		if c.Load != nil {
			s.Load = *c.Load
		}
		s.Interrupted = c.Interrupted
		out = append(out, s)
	}
	return out
}

// keepOutcomes drops the outcomes of cells no longer in the report.
func keepOutcomes(outcomes []Outcome, cells []CellSummary) []Outcome {
	return slices.DeleteFunc(slices.Clone(outcomes), func(o Outcome) bool {
		return !slices.ContainsFunc(cells, func(c CellSummary) bool { return c.ID == o.CellID })
	})
}

// groupKey names the series a cell belongs to in tables and charts: the
// endpoint, and the workload when the run has more than one.
func groupKey(c CellInfo, workloads int) string {
	if workloads > 1 {
		return c.Endpoint + " · " + c.Workload
	}
	return c.Endpoint
}

// series groups cells by groupKey in order of first appearance, each
// group sorted by concurrency.
func series(cells []CellSummary) (names []string, groups map[string][]CellSummary) {
	workloads := map[string]bool{}
	for _, c := range cells {
		workloads[c.Workload] = true
	}
	groups = map[string][]CellSummary{}
	for _, c := range cells {
		k := groupKey(c.CellInfo, len(workloads))
		if _, ok := groups[k]; !ok {
			names = append(names, k)
		}
		groups[k] = append(groups[k], c)
	}
	for _, g := range groups {
		slices.SortStableFunc(g, func(a, b CellSummary) int { return cmp.Compare(a.Concurrency, b.Concurrency) })
	}
	return names, groups
}
