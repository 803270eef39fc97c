package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/providers/mock"
)

func (a *App) mockCommand(ctx context.Context, args []string) int {
	flags := pflag.NewFlagSet("mock", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	addr := flags.String("addr", "127.0.0.1:8000", "loopback `host:port` to listen on (port 0 picks a free port)")
	ttft := flags.Duration("ttft", mock.DefaultTTFT, "delay from request to first token")
	itl := flags.Duration("itl", mock.DefaultITL, "delay between tokens")
	faults := addFaultFlags(flags)
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark mock [flags]\n\nServes streaming responses at a fixed pace until interrupted, in every\nwire format infermark speaks: OpenAI chat, completions and responses,\nAnthropic messages, TGI generate_stream, Gemini and SageMaker. See\ndocs/providers.md for the paths. --fault injects failures into a share\nof the requests; docs/testing.md lists them.\n\nFlags:\n%s", flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	var err error
	if flags.NArg() != 0 {
		return a.fail(ExitUsage, "mock takes no arguments, got %q", flags.Args())
	}
	if *ttft < 0 || *itl < 0 {
		return a.fail(ExitUsage, "--ttft and --itl must not be negative, got %v and %v", *ttft, *itl)
	}
	cfg := mock.Config{TTFT: *ttft, ITL: *itl}
	if cfg.Faults, err = faults.config(); err != nil {
		return a.fail(ExitUsage, "%v", err)
	}

	l, err := mock.Start(*addr, cfg, a.Logger)
	if err != nil {
		return a.fail(ExitUsage, "%v", err)
	}
	a.Logger.Info("mock server started", "url", l.URL, "ttft", *ttft, "itl", *itl,
		"faults", faults.kinds, "fault_rate", cfg.Faults.Rate, "max_concurrent", cfg.Faults.MaxConcurrent)
	select {
	case <-ctx.Done():
		l.Close()
		a.Logger.Info("mock server stopped", "requests", l.Server.Handled())
		return ExitPass
	case <-waitChan(l):
		return a.fail(ExitRunError, "mock server stopped: %v", l.Wait())
	}
}

// faultFlags are the mock command's flags that inject faults.
type faultFlags struct {
	kinds                string
	rate                 float64
	after, maxConcurrent int
	delay, retryAfter    time.Duration
}

func addFaultFlags(flags *pflag.FlagSet) *faultFlags {
	f := &faultFlags{}
	flags.StringVar(&f.kinds, "fault", "", "comma-separated `faults` to inject in turn: "+strings.Join(mock.FaultNames(), ", "))
	flags.Float64Var(&f.rate, "fault-rate", 1, "share of requests that get a fault, above 0 and at most 1 (every 1/rate-th request)")
	flags.IntVar(&f.after, "fault-after", 0, "requests served normally before the first fault")
	flags.DurationVar(&f.delay, "fault-delay", mock.DefaultFaultDelay, "how long the stall and slow_first_byte faults hold the response back")
	flags.DurationVar(&f.retryAfter, "retry-after", mock.DefaultRetryAfter, "the Retry-After of the 429 and 503 faults, sent in whole seconds")
	flags.IntVar(&f.maxConcurrent, "max-concurrent", 0, "requests served at a time; later ones wait in line (0 is no limit)")
	return f
}

// config returns the faults the flags describe.
func (f *faultFlags) config() (mock.Faults, error) {
	cfg := mock.Faults{Rate: f.rate, After: f.after, Delay: f.delay, RetryAfter: f.retryAfter, MaxConcurrent: f.maxConcurrent}
	if f.kinds != "" {
		kinds, err := mock.ParseFaults(f.kinds)
		if err != nil {
			return cfg, fmt.Errorf("invalid --fault: %w", err)
		}
		cfg.Kinds = kinds
	}
	if f.rate <= 0 || f.rate > 1 {
		return cfg, fmt.Errorf("invalid --fault-rate %v; use a number above 0 and at most 1", f.rate)
	}
	return cfg, cfg.Check()
}

func waitChan(l *mock.Listener) <-chan struct{} {
	ch := make(chan struct{})
	go func() { l.Wait(); close(ch) }()
	return ch
}

// parseFlags parses args; done is true when the caller should return code
// (help was shown, or the flags were invalid).
func parseFlags(flags *pflag.FlagSet, args []string) (code int, done bool) {
	err := flags.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return ExitPass, true
	}
	if err != nil {
		fmt.Fprintf(flags.Output(), "infermark %s: %v; see infermark %s --help\n", flags.Name(), err, flags.Name())
		return ExitUsage, true
	}
	return 0, false
}
