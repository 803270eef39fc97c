package report

import (
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot/plotter"

	"github.com/infermark/infermark/runner"
)

// The chart data below is derived here, next to the other figures, so
// that plots only draw it.

// requestFigures returns the figures of a cell's successful measured
// requests, the same set Summarize describes.
func requestFigures(records []runner.Record) []Request {
	var out []Request
	for i := range records {
		if isMeasuredOK(&records[i]) {
			out = append(out, RequestFigures(&records[i]))
		}
	}
	return out
}

// requestRates returns each request's output tokens per second of E2E.
func requestRates(records []runner.Record) []float64 {
	var out []float64
	for _, f := range requestFigures(records) {
		out = appendNumber(out, requestOutputRate(f))
	}
	return out
}

// ttftCDF returns the empirical CDF of TTFT: the i-th smallest TTFT (ms)
// against i/n.
func ttftCDF(records []runner.Record) plotter.XYs {
	var values []float64
	for _, f := range requestFigures(records) {
		values = appendNumber(values, f.TTFT)
	}
	slices.Sort(values)
	xys := make(plotter.XYs, len(values))
	for i, v := range values {
		xys[i] = plotter.XY{X: v, Y: float64(i+1) / float64(len(values))}
	}
	return xys
}

// tokensOverTime returns output tokens per second in bins equal
// intervals from the cell's first measured send to its last output event,
// each at its midpoint in percent of that span, so that cells of different
// lengths share an axis.
// NOTE: a request's output tokens are spread evenly over its output
// events, because a stream does not say how many tokens each event holds,
// so the curve is an estimate at the scale of one event.
func tokensOverTime(records []runner.Record, bins int) plotter.XYs {
	var start time.Time
	for i := range records {
		if isMeasuredOK(&records[i]) && (start.IsZero() || records[i].Send.Before(start)) {
			start = records[i].Send
		}
	}
	type event struct{ at, tokens float64 }
	var events []event
	var end float64
	for i := range records {
		rec := &records[i]
		if !isMeasuredOK(rec) || len(rec.OutputAt) == 0 {
			continue
		}
		f := RequestFigures(rec)
		per := float64(f.OutputTokens) / float64(len(rec.OutputAt))
		sent := rec.Send.Sub(start).Seconds()
		for _, at := range rec.OutputAt {
			e := event{at: sent + at.Seconds(), tokens: per}
			events = append(events, e)
			end = max(end, e.at)
		}
	}
	if len(events) == 0 || end <= 0 {
		return nil
	}

	width := end / float64(bins)
	totals := make([]float64, bins)
	for _, e := range events {
		totals[min(int(e.at/width), bins-1)] += e.tokens
	}
	xys := make(plotter.XYs, bins)
	for i, t := range totals {
		xys[i] = plotter.XY{X: (float64(i) + 0.5) * 100 / float64(bins), Y: t / width}
	}
	return xys
}

// paretoFrontier returns the points no other point beats on both X and
// Y (higher is better on both), sorted by X.
func paretoFrontier(points plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for _, p := range points {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) {
			continue
		}
		dominated := slices.ContainsFunc(points, func(q plotter.XY) bool {
			return q.X >= p.X && q.Y >= p.Y && (q.X > p.X || q.Y > p.Y)
		})
		if !dominated {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) })
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cheapest returns the lowest value of figure over cells, NaN if none.
func cheapest(cells []CellSummary, figure func(*CellSummary) float64) float64 {
	best := math.NaN()
	for i := range cells {
		v := figure(&cells[i])
		if !math.IsNaN(v) && (math.IsNaN(best) || v < best) {
			best = v
		}
	}
	return best
}
