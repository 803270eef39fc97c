package report

import (
	"io"
	"strings"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown, for a CI
// job summary or a pull-request comment. Best values are bold.
func WriteMarkdown(w io.Writer, d *Document) error {
	p := &errWriter{w: w}
	p.printf("# infermark report: %s\n\n", mdEscape(d.Run.Suite))
	p.printf("Run `%s`, infermark %s, from %s to %s; generated %s.\n",
		d.Run.ID, mdEscape(d.Run.Version), stamp(d.Run.Start), stamp(d.Run.End), stamp(d.Generated))
	if d.Run.Interrupted {
		p.printf("\n> **Interrupted:** the run ended before every cell finished.\n")
	}
	if len(d.Filters) > 0 {
		p.printf("\n**Filtered:**\n\n")
		for _, f := range d.Filters {
			p.printf("- `%s`: %s\n", f.Filter, mdEscape(f.Detail))
		}
	}
	if len(d.Assertions) > 0 {
		passed, failed, warned := d.AssertionCounts()
		p.printf("\n**Assertions:** %d passed, %d failed, %d warned.\n", passed, failed, warned)
	}

	for _, t := range d.SweepTables() {
		p.markdownTable(t)
	}
	for _, t := range d.ComparisonTables() {
		p.markdownTable(t)
	}
	if len(d.Comparisons) > 0 {
		p.printf("\nBold marks the best value of each column.\n")
	}
	if failed := d.failedAssertions(); len(failed.Rows) > 0 {
		p.markdownTable(failed)
	}
	p.printf("\n%s\n", d.MethodNote())
	return p.err
}

// failedAssertions returns the assertion table without its passing rows,
// which a summary need not repeat.
func (d *Document) failedAssertions() Table {
	t := d.AssertionTable()
	t.Title = "Failed assertions"
	kept := t.Rows[:0]
	for _, r := range t.Rows {
		if r[0] == "FAIL" {
			kept = append(kept, r)
		}
	}
	t.Rows = kept
	return t
}

func (p *errWriter) markdownTable(t Table) {
	p.printf("\n## %s\n\n", mdEscape(t.Title))
	p.printf("| %s |\n", strings.Join(escapeAll(t.Header), " | "))
	p.printf("|%s\n", strings.Repeat(" --- |", len(t.Header)))
	for i, row := range t.Rows {
		cells := escapeAll(row)
		for j := range cells {
			if t.Best != nil && t.Best[i][j] {
				cells[j] = "**" + cells[j] + "**"
			}
		}
		p.printf("| %s |\n", strings.Join(cells, " | "))
	}
}

// mdEscape escapes the characters that would break a table cell or start
// Markdown formatting.
var mdEscaper = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", "\n", " ")

func mdEscape(s string) string { return mdEscaper.Replace(s) }

func escapeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdEscape(c)
	}
	return out
}
