package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Table is a rendered-agnostic table: text, Markdown and HTML renderers
// format it, and only they decide how a best value is marked.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	// Best marks cells holding the best value of their column; nil when
	// the table marks none.
	Best [][]bool
}

// methodNote states how the figures of every table were computed.
const methodNote = "Latencies in ms. Percentiles interpolate linearly between the closest ranks (numpy's default). " +
	"Throughput divides by each cell's measured window, warmup excluded. " +
	"tok/s/user is a request's output tokens divided by its E2E in seconds."

// SweepTables returns one table per endpoint (per endpoint and workload
// when the run has several workloads), one row per cell.
func (d *Document) SweepTables() []Table {
	names, groups := series(d.Cells)
	tables := make([]Table, 0, len(names))
	for _, name := range names {
		cells := groups[name]
		columns := visibleColumns(sweepColumns, cells)
		t := Table{Title: "Sweep: " + name, Header: append([]string{"cell"}, headers(columns)...)}
		for i := range cells {
			t.Rows = append(t.Rows, append([]string{cells[i].ID}, formatRow(columns, &cells[i])...))
		}
		tables = append(tables, t)
	}
	return tables
}

// ComparisonTables returns one table per load level where several
// endpoints ran, with the best value of each column marked.
func (d *Document) ComparisonTables() []Table {
	tables := make([]Table, 0, len(d.Comparisons))
	for _, c := range d.Comparisons {
		columns := visibleColumns(comparisonColumns, c.Cells)
		t := Table{
			Title:  fmt.Sprintf("Endpoints at concurrency %d, workload %s", c.Concurrency, c.Workload),
			Header: append([]string{"endpoint", "gpu"}, headers(columns)...),
		}
		best := bestRows(columns, c.Cells)
		for i := range c.Cells {
			s := &c.Cells[i]
			t.Rows = append(t.Rows, append([]string{s.Endpoint, gpuLabel(s.CellInfo)}, formatRow(columns, s)...))
			marks := make([]bool, 2+len(columns))
			for j := range columns {
				marks[2+j] = best[j][i]
			}
			t.Best = append(t.Best, marks)
		}
		tables = append(tables, t)
	}
	return tables
}

// DetailTable returns every distribution of one cell.
func DetailTable(s *CellSummary) Table {
	t := Table{
		Title:  "Cell " + s.ID,
		Header: []string{"figure", "count", "mean", "stddev", "min", "p50", "p90", "p95", "p99", "max"},
	}
	for _, d := range []struct {
		name string
		dist Dist
	}{
		{"TTFT ms", s.TTFT}, {"TTFO ms", s.TTFO}, {"TPOT ms", s.TPOT}, {"ITL ms", s.ITL}, {"E2E ms", s.E2E},
		{"tok/s/user", s.RequestOutputTokensPerS},
	} {
		v := d.dist
		row := []string{d.name, strconv.Itoa(v.Count)}
		for _, x := range []float64{v.Mean, v.Stddev, v.Min, v.P50, v.P90, v.P95, v.P99, v.Max} {
			row = append(row, fixed(x, 2))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// FailureLine lists a cell's failures by kind, such as "timeout 3,
// http_5xx 1", or returns "" when none failed.
func FailureLine(s *CellSummary) string {
	parts := make([]string, 0, len(s.Failures))
	for _, k := range s.FailureKinds() {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.Failures[k]))
	}
	return strings.Join(parts, ", ")
}

// AssertionTable returns the stored assertion outcomes: failures first,
// then warnings, then passes.
func (d *Document) AssertionTable() Table {
	t := Table{Title: "Assertions (as evaluated when the run ended)", Header: []string{"result", "assertion", "cell", "expression", "values"}}
	for _, status := range []string{"FAIL", "WARN", "pass"} {
		for _, o := range d.Assertions {
			if o.Status() == status {
				t.Rows = append(t.Rows, []string{status, o.Name, o.CellID, o.Expr, o.Detail()})
			}
		}
	}
	return t
}

// AssertionCounts returns how many stored outcomes passed, failed and
// only warned.
func (d *Document) AssertionCounts() (passed, failed, warned int) {
	return OutcomeCounts(d.Assertions)
}

// MethodNote returns the sentence that states how figures were computed.
func (d *Document) MethodNote() string { return methodNote }

func headers(columns []Column) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.Header
	}
	return out
}

func formatRow(columns []Column, s *CellSummary) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.format(s)
	}
	return out
}

// gpuLabel returns "2× H100-80GB", the bare model for one GPU, or "-".
func gpuLabel(c CellInfo) string {
	switch {
	case c.GPU == "":
		return "-"
	case c.GPUCount > 1:
		return fmt.Sprintf("%d× %s", c.GPUCount, c.GPU)
	}
	return c.GPU
}
