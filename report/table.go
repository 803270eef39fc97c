package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteSweepTable writes one aligned row per cell: load, outcome counts,
// throughput, latency percentiles and cost.
func WriteSweepTable(w io.Writer, cells []CellSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cell\tconc\tok\terr\treq/s\tout tok/s\tTTFT p50\tTTFT p95\tTTFT p99\tTPOT p50\tITL p50\tITL p99\tE2E p50\tE2E p99\t$/M out\t")
	for _, c := range cells {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			c.ID, c.Concurrency, c.Succeeded, c.Failed,
			fixed(c.RequestsPerS, 2), fixed(c.OutputTokensPerS, 1),
			fixed(c.TTFT.P50, 1), fixed(c.TTFT.P95, 1), fixed(c.TTFT.P99, 1),
			fixed(c.TPOT.P50, 2), fixed(c.ITL.P50, 2), fixed(c.ITL.P99, 2),
			fixed(c.E2E.P50, 1), fixed(c.E2E.P99, 1),
			fixed(c.USDPerMillionOutputTokens, 3))
	}
	if _, err := fmt.Fprintln(tw, "\nlatencies in ms; percentiles interpolate linearly between ranks; req/s and tok/s over each cell's measured window"); err != nil {
		return err
	}
	return tw.Flush()
}

// fixed formats v with the given decimals, or "-" when it has no value.
func fixed(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// WriteOutcomes writes one line per assertion outcome, failures with the
// cell, the expression and the values it read.
func WriteOutcomes(w io.Writer, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	passed := 0
	fmt.Fprintln(w)
	for _, o := range outcomes {
		if o.Passed {
			passed++
			continue
		}
		detail := strings.Join(o.Values, ", ")
		if o.Error != "" {
			detail = "error: " + o.Error
		}
		fmt.Fprintf(w, "FAIL  %s  cell %s: %s  (%s)\n", o.Name, o.CellID, o.Expr, detail)
	}
	_, err := fmt.Fprintf(w, "assertions: %d passed, %d failed\n", passed, len(outcomes)-passed)
	return err
}
