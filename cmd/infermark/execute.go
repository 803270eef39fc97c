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

// sweep is the cells of one endpoint, workload and repetition, in load
// order.
type sweep struct {
	endpoint string
	cells    []suite.Cell
}

// groupSweeps splits cells into sweeps, keeping the matrix order.
func groupSweeps(cells []suite.Cell) []sweep {
	var out []sweep
	index := map[string]int{}
	for _, c := range cells {
		key := fmt.Sprintf("%s\x00%s\x00%d", c.Endpoint.Name, c.Workload.Name, c.Repetition)
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
		defer rn.CloseIdleConnections()
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
			defer rn.CloseIdleConnections()
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

// runSweep runs the cells of one sweep and stops early once stopWhen
// holds. It returns context.Canceled when interrupted.
func (e *execution) runSweep(ctx context.Context, rn *runner.Runner, sw sweep) error {
	for i, c := range sw.cells {
		if i > 0 && e.sweep.cooldown > 0 && !sleepContext(ctx, e.sweep.cooldown) {
			return context.Canceled
		}
		rc, err := runnerCell(e.suite, c, e.baseURL(c.Endpoint))
		if err != nil {
			return err
		}
		rc.Retries = e.suite.Load.Retries
		summary, interrupted, err := e.runOne(ctx, rn, rc, cellInfo(e.suite, c))
		if err != nil {
			return err
		}
		if interrupted || e.gate.checkCell(summary) {
			return context.Canceled
		}
		if e.sweep.stopWhen == nil {
			continue
		}
		if o := e.sweep.stopWhen.Evaluate(summary); o.Passed {
			e.logger.Warn("stop_when holds; skipping the rest of the sweep", "cell", c.ID,
				"expr", o.Expr, "values", fmt.Sprint(o.Values), "skipped", len(sw.cells)-i-1)
			return nil
		}
	}
	return nil
}

// runOne runs one cell and records its summary, also when interrupted, so
// that what was measured is kept.
func (e *execution) runOne(ctx context.Context, rn *runner.Runner, rc runner.Cell, info report.CellInfo) (report.CellSummary, bool, error) {
	e.logger.Info("cell started", "cell", rc.ID, "concurrency", rc.Concurrency, "rate", rc.Rate)
	e.declare(info)
	stopProgress, stopWatch := e.progress.start(rc), e.gate.watch(info)
	res, err := rn.RunCell(ctx, rc)
	stopWatch()
	stopProgress()
	if err != nil {
		return report.CellSummary{}, false, err
	}
	summary := report.SummarizeResult(info, res)
	summary.Interrupted = res.Interrupted
	if pacing, ok := e.mockPacing[info.Endpoint]; ok {
		if drift := report.CheckKnownPacing(&summary, pacing.TTFT, pacing.ITL); drift != "" {
			e.logger.Warn("the built-in mock's timing was not kept; the machine is too busy for these figures", "cell", rc.ID, "drift", drift)
		}
	}

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

// repeatSummaries returns the spread of every cell that ran more than once
// (load.repeat), grouped by endpoint, workload and load level.
func repeatSummaries(summaries []report.CellSummary) []report.RepeatSummary {
	var order []string
	groups := map[string][]report.CellSummary{}
	for _, s := range summaries {
		key := fmt.Sprintf("%s/%s/c%d/r%v", s.Endpoint, s.Workload, s.Concurrency, s.Rate)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], s)
	}
	var out []report.RepeatSummary
	for _, key := range order {
		if g := groups[key]; len(g) > 1 {
			out = append(out, report.SummarizeRepeats(g))
		}
	}
	return out
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
	o := sweepOptions{cooldown: s.Load.Cooldown, parallel: s.Load.Parallel}
	if s.Load.StopWhen == "" {
		return o, ExitPass
	}
	stop, err := report.CompileAssertion(suite.Assertion{Name: "stop_when", Expr: s.Load.StopWhen, Pos: s.Load.StopWhenPos})
	if err != nil {
		return o, a.fail(ExitUsage, "%s: stop_when: %v", s.Load.StopWhenPos, err)
	}
	o.stopWhen = stop
	return o, ExitPass
}

// declare tells the sinks about a cell the matrix did not list.
func (e *execution) declare(info report.CellInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.info.Cells {
		if c.ID == info.ID {
			return
		}
	}
	e.info.Cells = append(e.info.Cells, info)
	for _, s := range e.sinks {
		s.Declare(info)
	}
}
