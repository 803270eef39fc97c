package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Chart is one figure of the report, drawn with gonum.org/v1/plot.
type Chart struct {
	// Name is the file name without extension, such as "throughput".
	Name  string
	Title string
	// Caption says what the chart shows and how its data was computed.
	Caption string
	plot    *plot.Plot
}

// Chart size in every format.
const (
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 10 * vg.Centimeter
)

// ChartFormats are the formats WriteCharts writes, each as NAME.FORMAT.
var ChartFormats = []string{"png", "svg"}

// Render draws the chart as "png" or "svg".
func (c Chart) Render(format string) ([]byte, error) {
	w, err := c.plot.WriterTo(chartWidth, chartHeight, format)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart %s: render %s: %w", c.Name, format, err)
	}
	return buf.Bytes(), nil
}

// WriteCharts writes every chart in every ChartFormats format to dir and
// returns the paths written.
func WriteCharts(dir string, charts []Chart) ([]string, error) {
	var paths []string
	for _, c := range charts {
		for _, format := range ChartFormats {
			b, err := c.Render(format)
			if err != nil {
				return paths, err
			}
			path := filepath.Join(dir, c.Name+"."+format)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return paths, fmt.Errorf("write chart: %w", err)
			}
			paths = append(paths, path)
		}
	}
	return paths, nil
}

// ChartOptions set what the charts show.
type ChartOptions struct {
	// TrendMetric is the figure the trend across runs draws, an expression
	// over a cell summary such as "ttft_ms.p99"; "output_tokens_per_s"
	// by default.
	TrendMetric string
}

// Charts returns every chart the document has data for: the trend only
// with two runs or more, the cost chart only when an endpoint has a price.
func (d *Document) Charts(opts ChartOptions) ([]Chart, error) {
	builders := []func() (*Chart, error){
		d.throughputChart,
		func() (*Chart, error) {
			return d.latencyChart("ttft", "TTFT", func(s *CellSummary) Dist { return s.TTFT })
		},
		func() (*Chart, error) {
			return d.latencyChart("tpot", "TPOT", func(s *CellSummary) Dist { return s.TPOT })
		},
		d.requestRateChart,
		d.paretoChart,
		d.costChart,
		d.ttftCDFChart,
		d.tokensOverTimeChart,
		func() (*Chart, error) { return d.trendChart(opts.TrendMetric) },
	}
	var charts []Chart
	for _, build := range builders {
		c, err := build()
		if err != nil {
			return nil, err
		}
		if c != nil {
			charts = append(charts, *c)
		}
	}
	return charts, nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// addLine adds a line with points in the style of series i; dashed
// lines (p99 beside p50) use the next dash pattern.
func addLine(p *plot.Plot, label string, i int, dashed bool, xys plotter.XYs) error {
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("chart %q, series %q: %w", p.Title.Text, label, err)
	}
	line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
	points.Shape = plotutil.Shape(i)
	if dashed {
		line.Dashes = plotutil.Dashes(1)
	}
	p.Add(line, points)
	p.Legend.Add(label, line, points)
	return nil
}

// concurrencyAxis puts X on a log scale with a tick at each load level.
func concurrencyAxis(p *plot.Plot, cells []CellSummary) {
	var levels []float64
	for _, c := range cells {
		levels = append(levels, float64(c.Concurrency))
	}
	slices.Sort(levels)
	levels = slices.Compact(levels)
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ticks := make([]plot.Tick, 0, len(levels))
		for _, v := range levels {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		}
		return ticks
	})
	if len(levels) > 0 && levels[0] > 0 {
		p.X.Min, p.X.Max = levels[0]/1.2, levels[len(levels)-1]*1.2
	}
}

// points returns (x, y) for each cell whose figures both have a value.
func points(cells []CellSummary, x, y func(*CellSummary) float64) plotter.XYs {
	var xys plotter.XYs
	for i := range cells {
		vx, vy := x(&cells[i]), y(&cells[i])
		if isFinite(vx) && isFinite(vy) {
			xys = append(xys, plotter.XY{X: vx, Y: vy})
		}
	}
	return xys
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func concurrency(s *CellSummary) float64 { return float64(s.Concurrency) }

// legendBelow is for charts whose series would hide the data at the top.
func legendBelow(p *plot.Plot) {
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(4)
	p.Legend.YOffs = vg.Points(4)
}
