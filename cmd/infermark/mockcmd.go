package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/providers/mock"
)

func (a *App) mockCommand(ctx context.Context, args []string) int {
	flags := pflag.NewFlagSet("mock", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	addr := flags.String("addr", "127.0.0.1:8000", "loopback `host:port` to listen on (port 0 picks a free port)")
	ttft := flags.Duration("ttft", mock.DefaultTTFT, "delay from request to first token")
	itl := flags.Duration("itl", mock.DefaultITL, "delay between tokens")
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark mock [flags]\n\nServes streaming responses at a fixed pace until interrupted, in every\nwire format infermark speaks: OpenAI chat, completions and responses,\nAnthropic messages, TGI generate_stream, Gemini and SageMaker. See\ndocs/providers.md for the paths.\n\nFlags:\n%s", flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if flags.NArg() != 0 {
		return a.fail(ExitUsage, "mock takes no arguments, got %q", flags.Args())
	}
	if *ttft < 0 || *itl < 0 {
		return a.fail(ExitUsage, "--ttft and --itl must not be negative")
	}

	l, err := mock.Start(*addr, mock.Config{TTFT: *ttft, ITL: *itl}, a.Logger)
	if err != nil {
		return a.fail(ExitUsage, "%v", err)
	}
	a.Logger.Info("mock server started", "url", l.URL, "ttft", *ttft, "itl", *itl)
	select {
	case <-ctx.Done():
		l.Close()
		a.Logger.Info("mock server stopped", "requests", l.Server.Handled())
		return ExitPass
	case <-waitChan(l):
		return a.fail(ExitRunError, "mock server stopped: %v", l.Wait())
	}
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
		return ExitUsage, true
	}
	return 0, false
}
