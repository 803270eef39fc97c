package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/sinks"
	"github.com/infermark/infermark/suite"
)

// sweepOptions shape how the cells of a run are driven.
type sweepOptions struct {
	// repeat runs each cell this many times (at least 1).
	repeat int
	// stopWhen, when set, ends a sweep once it holds for a cell: the
	// remaining load levels of that endpoint and workload are skipped.
	stopWhen *report.Assertion
	// cooldown is a pause between cells of a sweep.
	cooldown time.Duration
	// parallel drives the sweeps of different endpoints at the same time.
	parallel bool
}

// errSinkFailed stops a run whose results can no longer be written.
var errSinkFailed = errors.New("writing results failed")

// sweep is the cells of one endpoint and workload, in load order.
type sweep struct {
	endpoint string
	cells    []suite.Cell
}

// groupSweeps splits cells into sweeps, keeping the matrix order.
func groupSweeps(cells []suite.Cell) []sweep {
	var out []sweep
	index := map[string]int{}
	for _, c := range cells {
		key := c.Endpoint.Name + "\x00" + c.Workload.Name
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, sweep{endpoint: c.Endpoint.Name})
		}
		out[i].cells = append(out[i].cells, c)
	}
	return out
}

// runCells runs every sweep, one after another or, with parallel, the
// sweeps of each endpoint at the same time. It returns whether the run was
// interrupted.
func (e *execution) runCells(ctx context.Context, cells []suite.Cell) (bool, error) {
	sweeps := groupSweeps(cells)
	if !e.sweep.parallel {
		rn := e.newRunner(cells)
		for _, sw := range sweeps {
			if err := e.runSweep(ctx, rn, sw); err != nil {
				return errors.Is(err, context.Canceled), ignoreCanceled(err)
			}
		}
		return ctx.Err() != nil, nil
	}

	byEndpoint := map[string][]sweep{}
	var order []string
	for _, sw := range sweeps {
		if _, ok := byEndpoint[sw.endpoint]; !ok {
			order = append(order, sw.endpoint)
		}
		byEndpoint[sw.endpoint] = append(byEndpoint[sw.endpoint], sw)
	}
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for i, name := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rn := e.newRunner(cells)
			for _, sw := range byEndpoint[name] {
				if errs[i] = e.runSweep(ctx, rn, sw); errs[i] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	err := errors.Join(errs...)
	return ctx.Err() != nil, ignoreCanceled(err)
}

func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// newRunner returns a runner whose client keeps enough connections for the
// highest concurrency of cells.
func (e *execution) newRunner(cells []suite.Cell) *runner.Runner {
	conns := 1
	for _, c := range cells {
		conns = max(conns, c.Concurrency)
	}
	return &runner.Runner{
		Client: runner.NewClient(conns), Clock: e.app.Clock, Logger: e.logger, RunID: e.info.ID,
		OnRecord: e.writeRecord, KeepText: e.keepText,
	}
}

// runSweep runs the cells of one sweep, each repeat times, and stops early
// once stopWhen holds. It returns context.Canceled when interrupted.
func (e *execution) runSweep(ctx context.Context, rn *runner.Runner, sw sweep) error {
	for i, c := range sw.cells {
		if i > 0 && e.sweep.cooldown > 0 && !sleepContext(ctx, e.sweep.cooldown) {
			return context.Canceled
		}
		summaries, err := e.runRepeats(ctx, rn, c)
		if err != nil {
			return err
		}
		if e.sweep.stopWhen == nil || len(summaries) == 0 {
			continue
		}
		if o := e.sweep.stopWhen.Evaluate(summaries[len(summaries)-1]); o.Passed {
			e.logger.Warn("stop_when holds; skipping the rest of the sweep", "cell", c.ID,
				"expr", o.Expr, "values", fmt.Sprint(o.Values), "skipped", len(sw.cells)-i-1)
			return nil
		}
	}
	return nil
}

// runRepeats runs one cell repeat times and records each summary.
func (e *execution) runRepeats(ctx context.Context, rn *runner.Runner, c suite.Cell) ([]report.CellSummary, error) {
	var summaries []report.CellSummary
	for rep := range max(e.sweep.repeat, 1) {
		rc, err := runnerCell(e.suite, c, e.baseURL(c.Endpoint))
		if err != nil {
			return summaries, err
		}
		info := cellInfo(c)
		if e.sweep.repeat > 1 {
			rc.ID = fmt.Sprintf("%s/r%d", c.ID, rep)
			info.ID, info.Repeat = rc.ID, rep
		}
		s, interrupted, err := e.runOne(ctx, rn, rc, info)
		if err != nil {
			return summaries, err
		}
		summaries = append(summaries, s)
		if interrupted {
			return summaries, context.Canceled
		}
	}
	if len(summaries) > 1 {
		e.mu.Lock()
		e.repeats = append(e.repeats, report.SummarizeRepeats(summaries))
		e.mu.Unlock()
	}
	return summaries, nil
}

// runOne runs one cell and records its summary, also when interrupted, so
// that what was measured is kept.
func (e *execution) runOne(ctx context.Context, rn *runner.Runner, rc runner.Cell, info report.CellInfo) (report.CellSummary, bool, error) {
	e.logger.Info("cell started", "cell", rc.ID, "concurrency", rc.Concurrency, "rate", rc.Rate)
	stopProgress := e.progress.start(rc)
	res, err := rn.RunCell(ctx, rc)
	stopProgress()
	if err != nil {
		return report.CellSummary{}, false, err
	}
	summary := report.SummarizeResult(info, res)
	summary.Interrupted = res.Interrupted

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sinkErr != nil {
		return summary, false, fmt.Errorf("%w: %v", errSinkFailed, e.sinkErr)
	}
	e.summaries = append(e.summaries, summary)
	e.logCell(summary, res)
	if err := e.forEachSink(func(s sinks.Sink) error { return s.Cell(summary) }); err != nil {
		e.sinkErr = err
		return summary, false, fmt.Errorf("%w: %v", errSinkFailed, err)
	}
	if res.Interrupted {
		e.logger.Warn("run interrupted; results so far are kept", "cell", rc.ID)
	}
	return summary, res.Interrupted, nil
}

// sleepContext sleeps for d; it returns false when ctx ended first.
func sleepContext(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// sweepOptions reads the options that shape the run from the suite.
func (a *App) sweepOptions(s *suite.Suite) (sweepOptions, int) {
	// TODO: read repeat, stop_when, cooldown and parallel from the suite
	// once its schema has them.
	return sweepOptions{repeat: 1}, ExitPass
}
