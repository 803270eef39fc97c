package report

import (
	"math"
	"slices"
	"strconv"
)

// Column is one figure of a cell as tables show it.
type Column struct {
	// Header is the short label of text and Markdown tables.
	Header string
	// Key is the CellSummary's JSON name for the figure.
	Key      string
	Decimals int
	// Better is +1 when higher is better, -1 when lower is better and 0
	// when no value is best.
	Better int
	Value  func(*CellSummary) float64
	// Present, when set, hides the column unless it returns true for the
	// cells of a table.
	Present func([]CellSummary) bool
}

func (c Column) format(s *CellSummary) string {
	v := c.Value(s)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', c.Decimals, 64)
}

// sweepColumns are the columns of the sweep table, one row per cell.
// Columns with a Present check appear only when a cell has the figure.
var sweepColumns = []Column{
	{Header: "conc", Key: "concurrency", Value: func(s *CellSummary) float64 { return float64(s.Concurrency) }},
	{Header: "ok", Key: "succeeded", Value: func(s *CellSummary) float64 { return float64(s.Succeeded) }},
	{Header: "err", Key: "errors", Value: func(s *CellSummary) float64 { return float64(s.Failed) }},
	{Header: "req/s", Key: "requests_per_s", Decimals: 2, Better: +1, Value: func(s *CellSummary) float64 { return s.RequestsPerS }},
	{Header: "out tok/s", Key: "output_tokens_per_s", Decimals: 1, Better: +1, Value: func(s *CellSummary) float64 { return s.OutputTokensPerS }},
	{Header: "tok/s/user p50", Key: "request_output_tokens_per_s.p50", Decimals: 1, Better: +1, Value: func(s *CellSummary) float64 { return s.RequestOutputTokensPerS.P50 }},
	{Header: "TTFT p50", Key: "ttft_ms.p50", Decimals: 1, Better: -1, Value: func(s *CellSummary) float64 { return s.TTFT.P50 }},
	{Header: "TTFT p99", Key: "ttft_ms.p99", Decimals: 1, Better: -1, Value: func(s *CellSummary) float64 { return s.TTFT.P99 }},
	{Header: "TPOT p50", Key: "tpot_ms.p50", Decimals: 2, Better: -1, Value: func(s *CellSummary) float64 { return s.TPOT.P50 }},
	{Header: "TPOT p99", Key: "tpot_ms.p99", Decimals: 2, Better: -1, Value: func(s *CellSummary) float64 { return s.TPOT.P99 }},
	{Header: "E2E p99", Key: "e2e_ms.p99", Decimals: 1, Better: -1, Value: func(s *CellSummary) float64 { return s.E2E.P99 }},
	{Header: "$/h", Key: "price_per_hour_usd", Decimals: 2, Value: func(s *CellSummary) float64 { return priceOrNaN(s.PricePerHourUSD) }},
	{Header: "$/M out", Key: "usd_per_million_output_tokens", Decimals: 3, Better: -1, Value: func(s *CellSummary) float64 { return s.USDPerMillionOutputTokens }},
	{Header: "$/M total", Key: "usd_per_million_total_tokens", Decimals: 3, Better: -1, Value: func(s *CellSummary) float64 { return s.USDPerMillionTotalTokens }},
	{Header: "$/1k req", Key: "usd_per_thousand_requests", Decimals: 4, Better: -1, Value: func(s *CellSummary) float64 { return s.USDPerThousandRequests }},
	{Header: "tok mismatch", Key: "output_token_mismatch", Decimals: 3, Better: -1,
		Value: func(s *CellSummary) float64 { return s.OutputTokenMismatch }, Present: anyMismatch},
	{Header: "goodput", Key: "goodput_fraction", Decimals: 3, Better: +1,
		Value: func(s *CellSummary) float64 { return s.GoodputFraction }, Present: anyGoodput},
	{Header: "lag p99", Key: "load.schedule_lag_ms.p99", Decimals: 1, Better: -1,
		Value: func(s *CellSummary) float64 { return s.Load.ScheduleLag.P99 }, Present: anyScheduleLag},
	{Header: "client saturated", Key: "load.client_saturated",
		Value: func(s *CellSummary) float64 { return boolFigure(s.Load.ClientSaturated) }, Present: anySaturated},
}

func anyGoodput(cells []CellSummary) bool {
	return slices.ContainsFunc(cells, func(c CellSummary) bool { return c.SLO.IsSet() })
}

func anyScheduleLag(cells []CellSummary) bool {
	return slices.ContainsFunc(cells, func(c CellSummary) bool { return c.Load.ScheduleLag.Count > 0 })
}

func anySaturated(cells []CellSummary) bool {
	return slices.ContainsFunc(cells, func(c CellSummary) bool { return c.Load.ClientSaturated })
}

// boolFigure shows a flag as 1 or 0 in a numeric column.
func boolFigure(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func priceOrNaN(v float64) float64 {
	if v <= 0 {
		return math.NaN()
	}
	return v
}

// anyMismatch shows the mismatch column only when the tokenizer and the
// server disagreed somewhere.
func anyMismatch(cells []CellSummary) bool {
	for _, c := range cells {
		if c.OutputTokenMismatch > 0 {
			return true
		}
	}
	return false
}

// visibleColumns returns the columns whose Present check passes.
func visibleColumns(columns []Column, cells []CellSummary) []Column {
	out := make([]Column, 0, len(columns))
	for _, c := range columns {
		if c.Present == nil || c.Present(cells) {
			out = append(out, c)
		}
	}
	return out
}

// bestRows returns, for each column, which rows hold its best value.
// Every row tied for best is marked, and none when the column has no
// best, fewer than two rows have a value, or all of them tie.
func bestRows(columns []Column, cells []CellSummary) [][]bool {
	marks := make([][]bool, len(columns))
	for i, col := range columns {
		marks[i] = make([]bool, len(cells))
		if col.Better == 0 {
			continue
		}
		best, valued := math.NaN(), 0
		for j := range cells {
			v := col.Value(&cells[j])
			if !isFinite(v) {
				continue
			}
			valued++
			if math.IsNaN(best) || float64(col.Better)*(v-best) > 0 {
				best = v
			}
		}
		tied := 0
		for j := range cells {
			if col.Value(&cells[j]) == best {
				marks[i][j] = true
				tied++
			}
		}
		if valued < 2 || tied == valued {
			clear(marks[i])
		}
	}
	return marks
}
