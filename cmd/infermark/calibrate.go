package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/mock"
	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

type calibrateOptions struct {
	concurrency, requests, tokens int
	ttft, itl                     time.Duration
	url, cpuProfile               string
}

// calibrateCommand measures the client's own timing error against a mock
// whose pacing is known exactly.
func (a *App) calibrateCommand(ctx context.Context, args []string) int {
	var o calibrateOptions
	flags := pflag.NewFlagSet("calibrate", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.IntVar(&o.concurrency, "concurrency", 16, "streams in flight")
	flags.IntVar(&o.requests, "requests", 0, "requests to measure (default 4 × concurrency)")
	flags.IntVar(&o.tokens, "tokens", 64, "output tokens per request")
	flags.DurationVar(&o.ttft, "ttft", mock.DefaultTTFT, "the mock's time to first token")
	flags.DurationVar(&o.itl, "itl", mock.DefaultITL, "the mock's inter-token latency")
	flags.StringVar(&o.url, "url", "", "base `URL` of a mock started with \"infermark mock\" in another process, with the same --ttft and --itl (default: an in-process mock)")
	flags.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured requests to `FILE` (read it with go tool pprof)")
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark calibrate [flags]\n\nMeasures infermark's own TTFT and inter-token error against the mock,\nwhose pacing is exact.\n\nFlags:\n%s", flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if o.requests == 0 {
		o.requests = 4 * o.concurrency
	}
	if o.concurrency < 1 || o.requests < 1 || o.tokens < 2 {
		return a.fail(ExitUsage, "--concurrency and --requests must be at least 1 and --tokens at least 2")
	}
	if o.ttft < 0 || o.itl < 0 {
		return a.fail(ExitUsage, "--ttft and --itl must not be negative, got %v and %v", o.ttft, o.itl)
	}

	base, inProcess := o.url, o.url == ""
	if inProcess {
		l, err := mock.Start("127.0.0.1:0", mock.Config{TTFT: o.ttft, ITL: o.itl}, a.Logger)
		if err != nil {
			return a.fail(ExitRunError, "%v", err)
		}
		defer l.Close()
		base = l.URL
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return a.fail(ExitUsage, "--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return a.fail(ExitRunError, "--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := runCalibration(ctx, a.Clock, o, base)
	if err != nil {
		return a.fail(ExitRunError, "%v", err)
	}
	a.printCalibration(o, inProcess, report.Calibrate(res, o.ttft, o.itl))
	if res.Interrupted {
		return ExitInterrupted
	}
	return ExitPass
}

func runCalibration(ctx context.Context, clock runner.Clock, o calibrateOptions, base string) (runner.Result, error) {
	p, _ := providers.Lookup("openai-completions")
	r := &runner.Runner{Client: runner.NewClient(o.concurrency), Clock: clock, RunID: "calibrate"}
	fixed := func(n int) func(*rand.Rand) int { return func(*rand.Rand) int { return n } }
	return r.RunCell(ctx, runner.Cell{
		ID: "calibrate", Concurrency: o.concurrency, Requests: o.requests, Warmup: o.concurrency,
		Timeout: o.ttft + time.Duration(o.tokens)*o.itl + 30*time.Second, Seed: 1,
		Target:   runner.Target{Name: "mock", Provider: p, Endpoint: providers.Endpoint{BaseURL: base, Model: "mock-model"}},
		Workload: runner.Workload{Name: "calibrate", InputTokens: fixed(32), OutputTokens: fixed(o.tokens)},
	})
}

func (a *App) printCalibration(o calibrateOptions, inProcess bool, c report.Calibration) {
	where := "an in-process mock"
	if !inProcess {
		where = o.url
	}
	fmt.Fprintf(a.Stdout, "calibration against %s: TTFT %v, ITL %v, %d tokens, concurrency %d, %d requests (%d failed)\n\n",
		where, o.ttft, o.itl, o.tokens, o.concurrency, o.requests, c.Failed)
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measured − true (ms)\tmedian\tp99\tmax\tmin\t")
	fmt.Fprintf(tw, "TTFT\t%.3f\t%.3f\t%.3f\t%.3f\t\n", c.TTFTError.P50, c.TTFTError.P99, c.TTFTError.Max, c.TTFTError.Min)
	fmt.Fprintf(tw, "inter-token gap\t%.3f\t%.3f\t%.3f\t%.3f\t\n", c.ITLError.P50, c.ITLError.P99, c.ITLError.Max, c.ITLError.Min)
	tw.Flush()
	scope := "this process only"
	if inProcess {
		scope = "this process, the in-process mock included"
	}
	fmt.Fprintf(a.Stdout, "\nCPU time (user + system): %.2f µs per output event over %d events (%s)\n", c.CPUPerEventUs, c.Events, scope)
}
