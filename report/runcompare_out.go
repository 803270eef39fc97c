package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// comparisonHeader is the column header of a comparison, text and
// Markdown alike.
var comparisonHeader = []string{"metric", "baseline", "current", "delta", "delta %", "confidence", "verdict"}

// WriteComparisonText writes one aligned table per cell and a closing line
// with the counts and the rule a regression met.
func WriteComparisonText(w io.Writer, c *RunComparison) error {
	ew := &errWriter{w: w}
	ew.printf("baseline: run %s (%s)\ncurrent:  run %s (%s)\n", c.Baseline.ID, c.Baseline.Suite, c.Current.ID, c.Current.Suite)
	for _, cell := range c.Cells {
		ew.printf("\n%s\n", cell.Cell)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\t\n", strings.Join(comparisonHeader, "\t"))
		for _, m := range cell.Metrics {
			fmt.Fprintf(tw, "  %s\t\n", strings.Join(comparisonRow(m), "\t"))
		}
		if ew.err == nil {
			ew.err = tw.Flush()
		}
	}
	writeUnmatched(ew, c, func(s string) string { return s })
	ew.printf("\n%s\n", comparisonRule(c))
	return ew.err
}

// WriteComparisonMarkdown writes the comparison as one GitHub-flavoured
// Markdown table, for a pull-request comment or a CI job summary.
func WriteComparisonMarkdown(w io.Writer, c *RunComparison) error {
	ew := &errWriter{w: w}
	ew.printf("## infermark compare\n\nBaseline run `%s`, current run `%s`: **%d regression(s)**, %d improvement(s).\n\n",
		c.Baseline.ID, c.Current.ID, c.Count(VerdictRegression), c.Count(VerdictImprovement))
	ew.printf("| cell | %s |\n|%s\n", strings.Join(comparisonHeader, " | "), strings.Repeat(" --- |", len(comparisonHeader)+1))
	for _, cell := range c.Cells {
		for _, m := range cell.Metrics {
			row := escapeAll(comparisonRow(m))
			if m.Verdict == VerdictRegression {
				row[len(row)-1] = "**" + row[len(row)-1] + "**"
			}
			ew.printf("| %s | %s |\n", mdEscape(cell.Cell), strings.Join(row, " | "))
		}
	}
	writeUnmatched(ew, c, mdEscape)
	ew.printf("\n%s\n", mdEscape(comparisonRule(c)))
	return ew.err
}

func writeUnmatched(ew *errWriter, c *RunComparison, escape func(string) string) {
	if len(c.OnlyInBaseline) > 0 {
		ew.printf("\nonly in the baseline, not compared: %s\n", escape(strings.Join(c.OnlyInBaseline, ", ")))
	}
	if len(c.OnlyInCurrent) > 0 {
		ew.printf("\nonly in the current run, not compared: %s\n", escape(strings.Join(c.OnlyInCurrent, ", ")))
	}
}

func comparisonRow(m MetricDelta) []string {
	verdict := m.Verdict
	if verdict == VerdictRegression {
		verdict = "REGRESSION"
	}
	return []string{m.Metric, compactFigure(m.Baseline), compactFigure(m.Current),
		signedFigure(m.Delta), pctText(m.DeltaPct), confidenceText(m), verdict}
}

// confidenceText returns the test's confidence that the change is not
// noise, such as "99.9% (MWU n=200/200)".
func confidenceText(m MetricDelta) string {
	if m.Untested != "" {
		return "untested: " + m.Untested
	}
	if m.Test == TestNone || math.IsNaN(m.PValue) {
		return "-"
	}
	conf := "<0.1%"
	switch c := m.Confidence() * 100; {
	case c > 99.99:
		conf = ">99.99%"
	case c >= 0.1:
		conf = strconv.FormatFloat(c, 'f', 2, 64) + "%"
	}
	test := "MWU"
	if m.Test != TestMannWhitney {
		test = fmt.Sprintf("bootstrap, 95%% CI %s..%s", signedFigure(m.CILow), signedFigure(m.CIHigh))
	}
	return fmt.Sprintf("%s (%s n=%d/%d)", conf, test, m.NBaseline, m.NCurrent)
}

// comparisonRule states the counts and what a regression had to meet.
func comparisonRule(c *RunComparison) string {
	return fmt.Sprintf("%d regression(s), %d improvement(s), %d untested change(s). A regression is a change in the worse direction of at least %g%% (and %g ms for latencies) whose one-sided p-value is below %g/%d (Bonferroni over %d tests); MWU is Mann–Whitney U on per-request samples; bootstrap resamples the per-request samples for p95 and p99, and the per-repeat values for throughput; confidence is 1 − p.",
		c.Count(VerdictRegression), c.Count(VerdictImprovement), c.Count(VerdictUntested),
		c.Options.MinChange*100, c.Options.MinChangeMs, c.Options.Alpha, max(c.Tests, 1), c.Tests)
}

func compactFigure(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

func signedFigure(v float64) string {
	s := compactFigure(v)
	if s != "-" && v >= 0 {
		return "+" + s
	}
	return s
}

func pctText(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", p)
}
