package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/providers/mock"
	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/sinks"
	"github.com/infermark/infermark/suite"
)

type runOptions struct {
	outputDir string
	format    string
	logLevel  string
}

func (a *App) runCommand(ctx context.Context, args []string) int {
	var opts runOptions
	flags := pflag.NewFlagSet("run", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.StringVarP(&opts.outputDir, "output", "o", "", "results `folder`, replacing every sink's dir")
	flags.StringVar(&opts.format, "format", "text", "stdout format: text or json")
	flags.StringVar(&opts.logLevel, "log-level", "info", "stderr log level: debug, info, warn or error")
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark run SUITE.yaml [flags]\n\nRuns every cell of the suite's matrix, writes results, prints the sweep\ntable and checks the assertions.\n\nFlags:\n%s", flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if flags.NArg() != 1 {
		return a.fail(ExitUsage, "run needs exactly one suite file, got %d arguments", flags.NArg())
	}
	if opts.format != "text" && opts.format != "json" {
		return a.fail(ExitUsage, "invalid --format %q; use text or json", opts.format)
	}
	logger, err := a.leveledLogger(opts.logLevel)
	if err != nil {
		return a.fail(ExitUsage, "%v", err)
	}

	s, assertions, code := a.loadSuite(flags.Arg(0))
	if s == nil {
		return code
	}
	r := &execution{app: a, logger: logger, suite: s, assertions: assertions, opts: opts}
	return r.run(ctx)
}

func (a *App) leveledLogger(name string) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(name)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q; use debug, info, warn or error", name)
	}
	return slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{Level: level})), nil
}

// execution is one "run": the matrix, its mocks, sinks and summaries.
type execution struct {
	app        *App
	logger     *slog.Logger
	suite      *suite.Suite
	assertions []*report.Assertion
	opts       runOptions

	info      sinks.Run
	sinks     []sinks.Sink
	mocks     map[string]*mock.Listener
	summaries []report.CellSummary
	// sinkErr is the first sink failure; the run stops on it.
	sinkErr error
}

func (e *execution) run(ctx context.Context) int {
	cells := e.suite.Cells()
	if err := e.startMocks(); err != nil {
		return e.app.fail(ExitRunError, "%v", err)
	}
	defer e.stopMocks()
	if err := e.openSinks(cells); err != nil {
		return e.app.fail(ExitRunError, "%v", err)
	}

	interrupted, runErr := e.runCells(ctx, cells)
	outcomes := e.evaluate()
	e.info.End = e.app.Clock.Now()
	e.info.Interrupted = interrupted
	closeErr := e.closeSinks(outcomes)

	e.printResults(outcomes)
	return e.exitCode(interrupted, runErr, closeErr, outcomes)
}

// runCells runs the cells in order, summarizing each as it ends.
func (e *execution) runCells(ctx context.Context, cells []suite.Cell) (interrupted bool, err error) {
	maxConc := 1
	for _, c := range cells {
		maxConc = max(maxConc, c.Concurrency)
	}
	rn := &runner.Runner{
		Client: runner.NewClient(maxConc), Clock: e.app.Clock, Logger: e.logger, RunID: e.info.ID,
		OnRecord: e.writeRecord,
	}
	for i, c := range cells {
		rc, err := runnerCell(e.suite, c, e.baseURL(c.Endpoint))
		if err != nil {
			return false, err
		}
		e.logger.Info("cell started", "cell", c.ID, "n", fmt.Sprintf("%d/%d", i+1, len(cells)), "concurrency", c.Concurrency)
		res, err := rn.RunCell(ctx, rc)
		if err != nil {
			return false, err
		}
		if e.sinkErr != nil {
			return false, e.sinkErr
		}
		if res.Interrupted {
			e.logger.Warn("run interrupted; results so far are kept", "cell", c.ID)
			return true, nil
		}
		summary := report.Summarize(cellInfo(c), res.Records, res.Window)
		e.summaries = append(e.summaries, summary)
		e.logCell(summary, res)
		if err := e.forEachSink(func(s sinks.Sink) error { return s.Cell(summary) }); err != nil {
			return false, err
		}
	}
	return false, nil
}

func (e *execution) logCell(s report.CellSummary, res runner.Result) {
	e.logger.Info("cell finished", "cell", s.ID, "ok", s.Succeeded, "failed", s.Failed,
		"requests_per_s", fmt.Sprintf("%.2f", s.RequestsPerS), "ttft_p50_ms", fmt.Sprintf("%.1f", s.TTFT.P50))
	if s.Failed == 0 {
		return
	}
	for _, rec := range res.Records {
		if !rec.OK() && rec.Phase == runner.PhaseMeasured {
			e.logger.Warn("requests failed", "cell", s.ID, "count", s.Failed, "first_error", rec.Error, "kind", rec.ErrorKind)
			return
		}
	}
}

func (e *execution) writeRecord(rec runner.Record) {
	if e.sinkErr != nil {
		return
	}
	e.sinkErr = e.forEachSink(func(s sinks.Sink) error { return s.Record(rec) })
}

// evaluate checks every assertion against every summarized cell.
func (e *execution) evaluate() []report.Outcome {
	var out []report.Outcome
	for _, a := range e.assertions {
		for _, s := range e.summaries {
			out = append(out, a.Evaluate(s))
		}
	}
	return out
}

func (e *execution) exitCode(interrupted bool, runErr, closeErr error, outcomes []report.Outcome) int {
	switch {
	case interrupted:
		return ExitInterrupted
	case runErr != nil:
		return e.app.fail(ExitRunError, "%v", runErr)
	case closeErr != nil:
		return e.app.fail(ExitRunError, "%v", closeErr)
	}
	for _, s := range e.summaries {
		if s.Succeeded == 0 {
			return e.app.fail(ExitRunError, "cell %s: none of %d requests succeeded; see the errors above and in the results", s.ID, s.Requests)
		}
	}
	if slices.ContainsFunc(outcomes, func(o report.Outcome) bool { return !o.Passed }) {
		return ExitAssertions
	}
	return ExitPass
}

func newRunID(e *execution) string {
	var b [3]byte
	rand.Read(b[:])
	return e.app.Clock.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (e *execution) printResults(outcomes []report.Outcome) {
	if e.opts.format == "json" {
		enc := json.NewEncoder(e.app.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Run        sinks.Run            `json:"run"`
			Cells      []report.CellSummary `json:"cells"`
			Assertions []report.Outcome     `json:"assertions"`
		}{e.info, e.summaries, outcomes})
		return
	}
	report.WriteSweepTable(e.app.Stdout, e.summaries)
	report.WriteOutcomes(e.app.Stdout, outcomes)
}
