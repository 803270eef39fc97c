package report

import (
	"cmp"
	"fmt"

	"github.com/infermark/infermark/runner"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

func (d *Document) throughputChart() (*Chart, error) {
	p := newPlot("Output throughput", "concurrency", "output tokens/s")
	names, groups := series(d.Cells)
	for i, name := range names {
		if err := addLine(p, name, i, false, points(groups[name], concurrency, func(s *CellSummary) float64 { return s.OutputTokensPerS })); err != nil {
			return nil, err
		}
	}
	concurrencyAxis(p, d.Cells)
	p.Y.Min = 0
	p.Legend.Left = true
	return &Chart{Name: "throughput", Title: "Output throughput vs concurrency", plot: p,
		Caption: "Output tokens per second over each cell's measured window; where the line flattens, more concurrency buys no throughput."}, nil
}

func (d *Document) latencyChart(name, label string, dist func(*CellSummary) Dist) (*Chart, error) {
	p := newPlot(label+" p50 and p99", "concurrency", label+" (ms)")
	names, groups := series(d.Cells)
	for i, n := range names {
		g := groups[n]
		if err := addLine(p, n+" p50", i, false, points(g, concurrency, func(s *CellSummary) float64 { return dist(s).P50 })); err != nil {
			return nil, err
		}
		if err := addLine(p, n+" p99", i, true, points(g, concurrency, func(s *CellSummary) float64 { return dist(s).P99 })); err != nil {
			return nil, err
		}
	}
	concurrencyAxis(p, d.Cells)
	p.Y.Min = 0
	p.Legend.Left = true
	return &Chart{Name: name, Title: label + " p50 and p99 vs concurrency", plot: p,
		Caption: label + " percentiles of successful requests; solid p50, dashed p99."}, nil
}

// requestRateChart draws the per-request output tokens/s of each cell:
// the speed a single user sees.
func (d *Document) requestRateChart() (*Chart, error) {
	p := newPlot("Output tokens/s per request", "cell", "output tokens/s of one request")
	names, groups := series(d.Cells)
	var labels []string
	for i, name := range names {
		var first *percentileBox
		for _, s := range groups[name] {
			values := requestRates(d.cellRecords(s.ID))
			if len(values) > 0 {
				box := newPercentileBox(float64(len(labels)), values, plotutil.Color(i))
				p.Add(box)
				first = cmp.Or(first, box)
			}
			labels = append(labels, fmt.Sprintf("c%d", s.Concurrency))
		}
		if first != nil && len(names) > 1 {
			p.Legend.Add(name, first)
		}
	}
	if len(labels) == 0 {
		return nil, nil
	}
	p.NominalX(labels...)
	return &Chart{Name: "request_rate", Title: "Per-request output tokens/s per cell", plot: p,
		Caption: "Each request's output tokens divided by its E2E in seconds; box p25–p75, line p50, whiskers p5–p95."}, nil
}

// paretoChart draws total output throughput against the median speed one
// user sees, per endpoint, with the frontier over all cells.
func (d *Document) paretoChart() (*Chart, error) {
	p := newPlot("Throughput per user vs total throughput", "output tokens/s per user (p50)", "total output tokens/s")
	perUser := func(s *CellSummary) float64 { return s.RequestOutputTokensPerS.P50 }
	total := func(s *CellSummary) float64 { return s.OutputTokensPerS }
	names, groups := series(d.Cells)
	for i, name := range names {
		if err := addLine(p, name, i, false, points(groups[name], perUser, total)); err != nil {
			return nil, err
		}
	}
	if front := paretoFrontier(points(d.Cells, perUser, total)); len(front) > 1 {
		line, err := plotter.NewLine(front)
		if err != nil {
			return nil, err
		}
		line.Width = vg.Points(3)
		line.Color = plotutil.Color(len(names))
		line.Dashes = plotutil.Dashes(2)
		p.Add(line)
		p.Legend.Add("Pareto frontier", line)
	}
	legendBelow(p)
	return &Chart{Name: "pareto", Title: "Throughput per user vs total throughput (Pareto)", plot: p,
		Caption: "Each point is a cell; up and to the right is better. The frontier joins the cells no other cell beats on both axes."}, nil
}

// costChart draws, per endpoint, the lowest USD per million output and
// total tokens over its cells.
func (d *Document) costChart() (*Chart, error) {
	names, groups := series(d.Cells)
	var labels []string
	var output, total plotter.Values
	for _, name := range names {
		g := groups[name]
		o := cheapest(g, func(s *CellSummary) float64 { return s.USDPerMillionOutputTokens })
		if !isFinite(o) {
			continue
		}
		labels = append(labels, fmt.Sprintf("%s (%s)", name, gpuLabel(g[0].CellInfo)))
		output = append(output, o)
		total = append(total, cheapest(g, func(s *CellSummary) float64 { return s.USDPerMillionTotalTokens }))
	}
	if len(labels) == 0 {
		return nil, nil
	}

	p := newPlot("USD per million tokens, cheapest cell", "endpoint (GPU)", "USD per million tokens")
	width := vg.Points(20)
	for i, bars := range []struct {
		label  string
		values plotter.Values
	}{{"output tokens", output}, {"input + output tokens", total}} {
		chart, err := plotter.NewBarChart(zeroNaN(bars.values), width)
		if err != nil {
			return nil, err
		}
		chart.Color = plotutil.Color(i)
		chart.Offset = width * vg.Length(2*i-1) / 2
		p.Add(chart)
		p.Legend.Add(bars.label, chart)
	}
	p.NominalX(labels...)
	return &Chart{Name: "cost", Title: "USD per million tokens per endpoint", plot: p,
		Caption: "Hourly price divided by the tokens produced in an hour, at each endpoint's cheapest cell."}, nil
}

func (d *Document) ttftCDFChart() (*Chart, error) {
	p := newPlot("TTFT CDF", "TTFT (ms)", "fraction of requests")
	n := 0
	for i := range d.Cells {
		xys := ttftCDF(d.cellRecords(d.Cells[i].ID))
		if len(xys) == 0 {
			continue
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color, line.Dashes = plotutil.Color(n), plotutil.Dashes(n/7)
		p.Add(line)
		p.Legend.Add(d.Cells[i].ID, line)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	p.Y.Min, p.Y.Max = 0, 1
	legendBelow(p)
	return &Chart{Name: "ttft_cdf", Title: "TTFT CDF per cell", plot: p,
		Caption: "Fraction of successful requests whose TTFT is at most x."}, nil
}

// tokensOverTimeBins is how many intervals a cell's timeline is cut into.
const tokensOverTimeBins = 20

func (d *Document) tokensOverTimeChart() (*Chart, error) {
	p := newPlot("Output tokens/s over time", "% of the cell's measured phase", "output tokens/s")
	n := 0
	for i := range d.Cells {
		xys := tokensOverTime(d.cellRecords(d.Cells[i].ID), tokensOverTimeBins)
		if len(xys) == 0 {
			continue
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Color, line.Dashes = plotutil.Color(n), plotutil.Dashes(n/7)
		p.Add(line)
		p.Legend.Add(d.Cells[i].ID, line)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	p.Y.Min = 0
	legendBelow(p)
	return &Chart{Name: "tokens_over_time", Title: "Output tokens/s over time within each cell", plot: p,
		Caption: fmt.Sprintf("Output tokens per second in %d equal intervals of each cell's measured phase, from its first send to its last output; "+
			"a request's tokens are spread evenly over its output events, so this is an estimate.", tokensOverTimeBins)}, nil
}

// zeroNaN replaces missing values with 0, because a bar needs a height.
func zeroNaN(values plotter.Values) plotter.Values {
	out := make(plotter.Values, len(values))
	for i, v := range values {
		if isFinite(v) {
			out[i] = v
		}
	}
	return out
}

// cellRecords returns the records of one cell of the newest run.
func (d *Document) cellRecords(id string) []runner.Record {
	for _, c := range d.cells {
		if c.Info.ID == id {
			return c.Records
		}
	}
	return nil
}
