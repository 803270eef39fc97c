package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
)

// WriteSweepTable writes one aligned row per cell: load, outcome counts,
// throughput, latency percentiles and cost.
func WriteSweepTable(w io.Writer, cells []CellSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cell\tload\tok\terr\treq/s\tout tok/s\tTTFT p50\tTTFT p95\tTTFT p99\tTPOT p50\tITL p50\tITL p99\tE2E p50\tE2E p99\t$/M out\t")
	saturated := false
	for _, c := range cells {
		id := c.ID
		if c.Load.ClientSaturated {
			id, saturated = id+" *", true
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			id, loadLabel(c.CellInfo), c.Succeeded, c.Failed,
			fixed(c.RequestsPerS, 2), fixed(c.OutputTokensPerS, 1),
			fixed(c.TTFT.P50, 1), fixed(c.TTFT.P95, 1), fixed(c.TTFT.P99, 1),
			fixed(c.TPOT.P50, 2), fixed(c.ITL.P50, 2), fixed(c.ITL.P99, 2),
			fixed(c.E2E.P50, 1), fixed(c.E2E.P99, 1),
			fixed(c.USDPerMillionOutputTokens, 3))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nlatencies in ms; percentiles interpolate linearly between ranks; req/s and tok/s over each cell's measured window;")
	fmt.Fprintln(w, "load is concurrency (c) or requests/s (r)")
	if saturated {
		fmt.Fprintln(w, "* the client could not keep time in this cell (busy machine or too many streams); its latencies may be late")
	}
	return nil
}

// loadLabel writes a cell's load as "c8" (concurrency) or "r2.5" (rate).
func loadLabel(c CellInfo) string {
	if c.Rate > 0 {
		return "r" + strconv.FormatFloat(c.Rate, 'f', -1, 64)
	}
	return "c" + strconv.Itoa(c.Concurrency)
}

// fixed formats v with the given decimals, or "-" when it has no value.
func fixed(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
