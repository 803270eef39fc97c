package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as aligned plain-text tables.
func WriteText(w io.Writer, d *Document) error {
	p := &errWriter{w: w}
	p.printf("infermark report: run %s, suite %s, infermark %s\n", d.Run.ID, d.Run.Suite, d.Run.Version)
	p.printf("run from %s to %s; report generated %s\n", stamp(d.Run.Start), stamp(d.Run.End), stamp(d.Generated))
	if d.Run.Interrupted {
		p.printf("INTERRUPTED: the run ended before every cell finished\n")
	}
	for _, f := range d.Filters {
		p.printf("filtered: %s: %s\n", f.Filter, f.Detail)
	}
	if len(d.History) > 1 {
		p.printf("history: %d runs, trend in the charts\n", len(d.History))
	}

	for _, t := range d.SweepTables() {
		p.table(t)
	}
	for _, t := range d.ComparisonTables() {
		p.table(t)
	}
	if len(d.Comparisons) > 0 {
		p.printf("* marks the best value of each column\n")
	}
	for i := range d.Cells {
		p.table(DetailTable(&d.Cells[i]))
		if line := FailureLine(&d.Cells[i]); line != "" {
			p.printf("failures: %s\n", line)
		}
	}
	if len(d.Assertions) > 0 {
		passed, failed, warned := d.AssertionCounts()
		p.table(d.AssertionTable())
		p.printf("assertions: %d passed, %d failed, %d warned\n", passed, failed, warned)
	}
	p.printf("\n%s\n", d.MethodNote())
	return p.err
}

// errWriter keeps the first write error, so the steps above read plainly.
type errWriter struct {
	w   io.Writer
	err error
}

func (p *errWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *errWriter) table(t Table) {
	if p.err != nil {
		return
	}
	p.printf("\n== %s ==\n", t.Title)
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t\n", strings.Join(t.Header, "\t"))
	for i, row := range t.Rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = c
			if t.Best != nil && t.Best[i][j] {
				cells[j] += "*"
			}
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		p.err = err
	}
}

// stamp formats t in UTC to the second, or "-" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
