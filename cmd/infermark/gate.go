package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// errAborted is the cause of the run context's cancellation when an
// abort_on_fail assertion failed.
var errAborted = errors.New("an abort_on_fail assertion failed")

// gate holds what the assertions need beyond the summaries: the baseline
// and the abort_on_fail state of a running "run".
type gate struct {
	baseline *report.Baseline
	// abortOn are the assertions with abort_on_fail set.
	abortOn []*report.Assertion
	// interval is load.check_interval: how often a running cell is checked.
	interval time.Duration
	clock    runner.Clock
	logger   *slog.Logger

	mu     sync.Mutex
	cancel context.CancelCauseFunc
	// fired is the outcome that stopped the run, nil until one does.
	fired *report.Outcome
	// running holds the records of each cell a watch is checking.
	running map[string][]runner.Record
}

// prepareGate loads --baseline and checks that every assertion reading
// baseline figures has one. It returns ExitPass or the exit code to stop
// with.
func (e *execution) prepareGate() int {
	e.gate = &gate{interval: e.suite.Load.CheckInterval, clock: e.app.Clock, logger: e.logger,
		running: map[string][]runner.Record{}}
	for _, a := range e.assertions {
		if a.AbortOnFail {
			e.gate.abortOn = append(e.gate.abortOn, a)
		}
		if a.ReadsBaseline() && e.opts.baseline == "" {
			return e.app.fail(ExitUsage, "%s: assertion %q reads baseline figures; give the run a baseline with --baseline RESULTS", a.Pos, a.Name)
		}
	}
	if e.opts.baseline == "" {
		return ExitPass
	}
	b, err := loadBaseline(e.opts.baseline)
	if err != nil {
		return e.app.fail(ExitUsage, "--baseline: %v", err)
	}
	e.gate.baseline = b
	return ExitPass
}

// loadBaseline reads a run folder or a baseline file.
func loadBaseline(path string) (*report.Baseline, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("baseline %q not found", path)
	}
	if info.IsDir() {
		run, err := readRun(path)
		if err != nil {
			return nil, err
		}
		return report.NewBaseline(run), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := report.ReadBaseline(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// start returns the context the cells run under; an abort cancels it.
func (g *gate) start(ctx context.Context) (context.Context, func()) {
	runCtx, cancel := context.WithCancelCause(ctx)
	g.cancel = cancel
	return runCtx, func() { cancel(nil) }
}

// interrupted corrects the run's "interrupted" for an abort: cells cut by
// an abort were stopped by infermark, not by the user.
func (g *gate) interrupted(parent context.Context, interrupted bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fired != nil && parent.Err() == nil {
		return false
	}
	return interrupted
}

// checkCell evaluates the abort_on_fail assertions on a finished cell and
// stops the run when one fails, "no data" included. It returns whether
// the run was stopped.
func (g *gate) checkCell(s report.CellSummary) bool {
	return g.check(s, false)
}

// check evaluates the abort_on_fail assertions on s. On a running cell
// (partial) an outcome without data does not stop the run, because the
// figure may still get samples.
func (g *gate) check(s report.CellSummary, partial bool) bool {
	for _, a := range g.abortOn {
		if selected, err := a.Applies(s); err != nil || !selected {
			continue
		}
		o := a.EvaluateWith(s, g.baseline.Match(s.CellInfo))
		if !o.Failing() || (partial && o.NoData) {
			continue
		}
		return g.abort(o)
	}
	return false
}

// abort records o as the outcome that stopped the run and cancels it; only
// the first abort counts.
func (g *gate) abort(o report.Outcome) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fired == nil {
		o.Aborted = true
		g.fired = &o
		g.logger.Warn("abort_on_fail assertion failed; stopping the run", "cell", o.CellID,
			"assertion", o.Name, "expr", o.Expr, "detail", o.Detail())
		if g.cancel != nil {
			g.cancel(errAborted)
		}
	}
	return true
}

// record keeps rec when a watch checks its cell.
func (g *gate) record(rec runner.Record) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if records, ok := g.running[rec.CellID]; ok {
		g.running[rec.CellID] = append(records, rec)
	}
}

// watch checks the cell every check_interval while it runs, over the
// requests completed so far, and returns the function that ends the
// watch. Throughput figures of a check use the time since the watch began,
// warmup included, so only latency and error figures are meaningful
// mid-run.
func (g *gate) watch(info report.CellInfo) func() {
	if g.interval <= 0 || len(g.abortOn) == 0 {
		return func() {}
	}
	g.mu.Lock()
	g.running[info.ID] = nil
	g.mu.Unlock()

	started := g.clock.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		ticker := time.NewTicker(g.interval)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				if g.checkRunning(info, g.clock.Now().Sub(started)) {
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		g.mu.Lock()
		delete(g.running, info.ID)
		g.mu.Unlock()
	}
}

// checkRunning summarizes the running cell's completed requests and checks
// them; it returns whether the run was stopped.
func (g *gate) checkRunning(info report.CellInfo, elapsed time.Duration) bool {
	g.mu.Lock()
	records := append([]runner.Record(nil), g.running[info.ID]...)
	g.mu.Unlock()
	s := report.Summarize(info, records, elapsed)
	if s.Requests == 0 {
		return false
	}
	return g.check(s, true)
}

// evaluate checks every assertion against every cell. The outcome that
// stopped the run replaces the same assertion's outcome on the same cell,
// so the output shows the values that stopped it.
func (g *gate) evaluate(assertions []*report.Assertion, cells []report.CellSummary) []report.Outcome {
	outcomes := report.EvaluateAll(assertions, cells, g.baseline)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fired == nil {
		return outcomes
	}
	for i, o := range outcomes {
		if o.Name == g.fired.Name && o.CellID == g.fired.CellID {
			outcomes[i] = *g.fired
			return outcomes
		}
	}
	return append(outcomes, *g.fired)
}

// writeJUnit writes the outcomes to --junit, when given.
func (e *execution) writeJUnit(outcomes []report.Outcome) error {
	if e.opts.junit == "" {
		return nil
	}
	f, err := os.Create(e.opts.junit)
	if err != nil {
		return fmt.Errorf("write --junit: %w", err)
	}
	werr := report.WriteJUnit(f, e.suite.Name, outcomes, e.info.End.Sub(e.info.Start))
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("write --junit %s: %w", e.opts.junit, err)
	}
	return nil
}
