package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"

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
	// noProgress turns off progress on stderr.
	noProgress bool
	// commandLine is the invocation, secrets redacted, for the results.
	commandLine string
	// reportDir, when set, receives the HTML page, Markdown and charts.
	reportDir string
	// find, slo and findMax configure an SLO search instead of a sweep.
	find, slo string
	findMax   float64
	// junit, when set, receives the assertion outcomes as JUnit XML;
	// baseline is the run folder or baseline file of baseline.<figure>.
	junit, baseline string
}

func (a *App) runCommand(ctx context.Context, args []string) int {
	opts := runOptions{commandLine: commandLine("run", args)}
	flags := pflag.NewFlagSet("run", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.StringVarP(&opts.outputDir, "output", "o", "", "results `folder`, replacing every sink's dir")
	flags.StringVar(&opts.outputDir, "out", "", "the same as --output")
	sf, adhoc := addSuiteFlags(flags), addAdhocFlags(flags)
	flags.StringVar(&opts.format, "format", "text", "stdout format: text or json")
	flags.StringVar(&opts.logLevel, "log-level", "info", "stderr log level: debug, info, warn or error")
	flags.BoolVar(&opts.noProgress, "no-progress", false, "do not report progress on stderr")
	flags.StringVar(&opts.find, "find", "", "search for the highest load meeting --slo: max-concurrency or max-rate")
	flags.StringVar(&opts.slo, "slo", "", "the service-level objective of --find, an assertion `expression` such as \"ttft_ms.p95 < 1000\"")
	flags.Float64Var(&opts.findMax, "find-max", 1024, "the highest concurrency or rate (requests/s) --find tries")
	flags.StringVar(&opts.junit, "junit", "", "write the assertion outcomes as JUnit XML to this `file`, for CI test reports")
	flags.StringVar(&opts.baseline, "baseline", "", "run folder or baseline file (infermark baseline save) whose figures assertions read as baseline.<figure>")
	flags.StringVar(&opts.reportDir, "report-dir", "", "after the run, write report.html, report.md and the charts to this `folder`; needs a json sink")
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark run SUITE.yaml [flags]\n       infermark run --url URL --model M [--concurrency 1..64] [flags]\n\nRuns every cell of the suite's matrix, writes results, prints the sweep\ntable and checks the assertions.\n\nFlags:\n%s", flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if opts.format != "text" && opts.format != "json" {
		return a.fail(ExitUsage, "invalid --format %q; use text or json", opts.format)
	}
	logger, err := a.leveledLogger(opts.logLevel)
	if err != nil {
		return a.fail(ExitUsage, "%v", err)
	}

	s, assertions, code := a.suiteForRun(flags, sf, adhoc, &opts)
	if s == nil {
		return code
	}
	r := &execution{app: a, logger: logger, suite: s, assertions: assertions, opts: opts,
		progress: newProgress(a.Stderr, opts.noProgress)}
	if r.sweep, code = a.sweepOptions(s); code != ExitPass {
		return code
	}
	if r.find, code = a.findOptions(opts); code != ExitPass {
		return code
	}
	if code = r.prepareGate(); code != ExitPass {
		return code
	}
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

	info  sinks.Run
	sinks []sinks.Sink
	mocks map[string]*mock.Listener
	// mockPacing is each built-in mock's pacing, against which cells are
	// checked.
	mockPacing map[string]mock.Config
	summaries  []report.CellSummary
	// sinkErr is the first sink failure; the run stops on it.
	sinkErr error
	// sweep holds the options that shape how cells run.
	sweep sweepOptions
	// mu guards summaries, sinkErr and the sinks, which parallel endpoints
	// share.
	mu       sync.Mutex
	repeats  []report.RepeatSummary
	progress *progress
	keepText bool
	// gate holds the baseline and the abort_on_fail state.
	gate *gate
	// find, when set, replaces the sweep with an SLO search.
	find  *findOptions
	knees []knee
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

	var interrupted bool
	var runErr error
	runCtx, stopGate := e.gate.start(ctx)
	defer stopGate()
	if e.find != nil {
		e.knees, interrupted, runErr = e.findKnees(runCtx, cells, *e.find)
	} else {
		interrupted, runErr = e.runCells(runCtx, cells)
	}
	interrupted = e.gate.interrupted(ctx, interrupted)
	e.repeats = repeatSummaries(e.summaries)
	outcomes := e.evaluate()
	e.info.End = e.app.Clock.Now()
	e.info.Interrupted = interrupted
	closeErr := e.closeSinks(outcomes)
	if closeErr == nil && e.opts.reportDir != "" {
		closeErr = e.writeReport()
	}
	if closeErr == nil {
		closeErr = e.writeJUnit(outcomes)
	}

	e.printResults(outcomes)
	return e.exitCode(interrupted, runErr, closeErr, outcomes)
}

func (e *execution) logCell(s report.CellSummary, res runner.Result) {
	e.logger.Info("cell finished", "cell", s.ID, "ok", s.Succeeded, "failed", s.Failed,
		"requests_per_s", logFigure(s.RequestsPerS, 2), "ttft_p50_ms", logFigure(s.TTFT.P50, 1))
	e.warnShortOutputs(s, res)
	if s.Load.ClientSaturated {
		e.logger.Warn("the client could not keep time during this cell; its latencies may be late",
			"cell", s.ID, "read_delay_p99_ms", logFigure(s.Load.ReadDelay.P99, 1),
			"schedule_lag_p99_ms", logFigure(s.Load.ScheduleLag.P99, 1),
			"timer_lag_p99_ms", logFigure(s.Load.TimerLag.P99, 1),
			"client_cpu_fraction", logFigure(s.Load.ClientCPUFraction, 2))
	}
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
	e.progress.record(rec)
	e.gate.record(rec)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sinkErr != nil {
		return
	}
	e.sinkErr = e.forEachSink(func(s sinks.Sink) error { return s.Record(rec) })
}

// evaluate checks every assertion against every summarized cell its
// where filter selects.
func (e *execution) evaluate() []report.Outcome {
	return e.gate.evaluate(e.assertions, e.summaries)
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
		if s.Succeeded == 0 && !s.Interrupted {
			return e.app.fail(ExitRunError, "cell %s: none of %d requests succeeded; see the errors above and in the results", s.ID, s.Requests)
		}
	}
	if report.AnyFailing(outcomes) {
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
			Run        sinks.Run              `json:"run"`
			Cells      []report.CellSummary   `json:"cells"`
			Repeats    []report.RepeatSummary `json:"repeats,omitempty"`
			Knees      []knee                 `json:"knees,omitempty"`
			Assertions []report.Outcome       `json:"assertions"`
		}{e.info, e.summaries, e.repeats, e.knees, outcomes})
		return
	}
	report.WriteSweepTable(e.app.Stdout, e.summaries)
	report.WriteCorrectness(e.app.Stdout, e.summaries)
	report.WriteRepeats(e.app.Stdout, e.repeats)
	if e.find != nil {
		writeKnees(e.app.Stdout, e.knees, e.opts.slo)
	}
	report.WriteAssertionResults(e.app.Stdout, outcomes, e.app.colorOutput())
}

// logFigure formats v for a log line, "-" when it has no value.
func logFigure(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// shortOutputShare is the share of requested output tokens below which a
// cell's outputs are reported as short.
const shortOutputShare = 0.9

// warnShortOutputs logs when the server generated clearly fewer tokens
// than requested, because the load then differs from what the workload
// describes; ignore_eos asks servers that support it to keep generating.
func (e *execution) warnShortOutputs(s report.CellSummary, res runner.Result) {
	requested := 0
	for _, rec := range res.Records {
		if rec.Phase == runner.PhaseMeasured && rec.OK() {
			requested += rec.MaxTokens
		}
	}
	if requested == 0 || float64(s.OutputTokens) >= shortOutputShare*float64(requested) {
		return
	}
	e.logger.Warn("the server generated fewer output tokens than requested; set ignore_eos: true on the workload if the server supports it",
		"cell", s.ID, "output_tokens", s.OutputTokens, "requested", requested)
}
