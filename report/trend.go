package report

import (
	"errors"
	"fmt"
	"math"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// DefaultTrendMetric is the figure the trend draws unless told otherwise.
const DefaultTrendMetric = "output_tokens_per_s"

// Metric is a numeric expression over a cell summary, such as
// "ttft_ms.p99", written with the names assertions use.
type Metric struct {
	Source  string
	program *vm.Program
}

// CompileMetric compiles source as a number-valued expression.
func CompileMetric(source string) (*Metric, error) {
	program, err := expr.Compile(source, expr.Env(CellSummary{}), expr.AsFloat64())
	if err != nil {
		return nil, fmt.Errorf("invalid metric %q: %w", source, err)
	}
	return &Metric{Source: source, program: program}, nil
}

// Value evaluates the metric on s; NaN when it cannot be evaluated.
func (m *Metric) Value(s CellSummary) float64 {
	out, err := vm.Run(m.program, s)
	if err != nil {
		return math.NaN()
	}
	v, ok := out.(float64)
	if !ok {
		return math.NaN()
	}
	return v
}

// trendChart draws metric per cell id against each run's start time. It
// returns nil with fewer than two runs.
func (d *Document) trendChart(source string) (*Chart, error) {
	if len(d.History) < 2 {
		return nil, nil
	}
	if source == "" {
		source = DefaultTrendMetric
	}
	metric, err := CompileMetric(source)
	if err != nil {
		return nil, err
	}

	var ids []string
	byCell := map[string]plotter.XYs{}
	for _, run := range d.History {
		x := float64(run.Info.Start.Unix())
		for _, c := range run.Cells {
			v := metric.Value(c)
			if !isFinite(v) {
				continue
			}
			if _, ok := byCell[c.ID]; !ok {
				ids = append(ids, c.ID)
			}
			byCell[c.ID] = append(byCell[c.ID], plotter.XY{X: x, Y: v})
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("trend: " + source + " has no value in any cell of any run")
	}

	p := newPlot("Trend of "+source+" across runs", "run start (UTC)", source)
	p.X.Tick.Marker = plot.TimeTicks{Format: "2006-01-02\n15:04"}
	for i, id := range ids {
		if err := addLine(p, id, i, false, byCell[id]); err != nil {
			return nil, err
		}
	}
	legendBelow(p)
	return &Chart{Name: "trend", Title: "Trend of " + source + " across runs", plot: p,
		Caption: fmt.Sprintf("%s of each cell in each of the %d runs, by the run's start time.", source, len(d.History))}, nil
}
