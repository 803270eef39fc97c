package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
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
	flags.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the calibration, warmup included, to `FILE` (read it with go tool pprof)")
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark calibrate [flags]\n\nMeasures infermark's own TTFT and inter-token error against the mock,\nwhose pacing is exact.\n\nFlags:\n%s", flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if o.requests == 0 {
		o.requests = 4 * o.concurrency
	}
	switch {
	case o.concurrency < 1:
		return a.fail(ExitUsage, "--concurrency must be at least 1, got %d", o.concurrency)
	case o.requests < 1:
		return a.fail(ExitUsage, "--requests must be at least 1, got %d", o.requests)
	case o.tokens < 2:
		return a.fail(ExitUsage, "--tokens must be at least 2, so that requests have gaps to measure, got %d", o.tokens)
	}
	if o.ttft < 0 || o.itl < 0 {
		return a.fail(ExitUsage, "--ttft and --itl must not be negative, got %v and %v", o.ttft, o.itl)
	}

	base, inProcess := o.url, o.url == ""
	if !inProcess {
		if err := checkMockURL(o.url); err != nil {
			return a.fail(ExitUsage, "--url %q: %v", o.url, err)
		}
	}
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
			return a.fail(ExitUsage, "--cpuprofile %q: %v; give a file path in a writable folder", o.cpuProfile, err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return a.fail(ExitRunError, "--cpuprofile %q: starting the profile failed: %v", o.cpuProfile, err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := runCalibration(ctx, a.Clock, o, base)
	if err != nil {
		return a.fail(ExitRunError, "%v", err)
	}
	c := report.Calibrate(res, o.ttft, o.itl)
	if res.Interrupted {
		a.printCalibration(o, inProcess, c)
		return ExitInterrupted
	}
	if c.Events == 0 {
		return a.fail(ExitRunError, "none of the %d measured requests succeeded, so there is nothing to calibrate; first error: %s",
			o.requests, firstError(res.Records))
	}
	a.printCalibration(o, inProcess, c)
	if c.Failed > 0 {
		fmt.Fprintf(a.Stderr, "infermark: %d of %d measured requests failed and are left out; first error: %s\n", c.Failed, o.requests, firstError(res.Records))
	}
	return ExitPass
}

// checkMockURL accepts an http URL on a loopback address, where
// "infermark mock" listens.
func checkMockURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" || u.Host == "" {
		return errors.New("invalid URL: expected the mock's base URL, such as http://127.0.0.1:8000/v1")
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address: calibrate measures the mock on this machine, which listens on 127.0.0.1", host)
	}
	return nil
}

// firstError returns the error of the first failed measured record.
func firstError(records []runner.Record) string {
	for _, rec := range records {
		if rec.Phase == runner.PhaseMeasured && !rec.OK() {
			return rec.Error
		}
	}
	return "none"
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
	fmt.Fprintf(a.Stdout, "calibration against %s: TTFT %v, ITL %v, %d tokens, concurrency %d, %s (%d failed)\n\n",
		where, o.ttft, o.itl, o.tokens, o.concurrency, plural(o.requests, "request", "requests"), c.Failed)
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measured − true (ms)\tmedian\tp99\tmax\tmin\t")
	fmt.Fprintf(tw, "TTFT\t%.3f\t%.3f\t%.3f\t%.3f\t\n", c.TTFTError.P50, c.TTFTError.P99, c.TTFTError.Max, c.TTFTError.Min)
	fmt.Fprintf(tw, "inter-token gap\t%.3f\t%.3f\t%.3f\t%.3f\t\n", c.ITLError.P50, c.ITLError.P99, c.ITLError.Max, c.ITLError.Min)
	tw.Flush()
	scope := "this process only"
	if inProcess {
		scope = "this process, the in-process mock included"
	}
	fmt.Fprintf(a.Stdout, "\nCPU time (user + system): %.2f µs per output event over %d events, %.2f ms per thousand output tokens over %d tokens (%s)\n",
		c.CPUPerEventUs, c.Events, c.CPUPerThousandTokensMs, c.OutputTokens, scope)
}
