// Command infermark benchmarks LLM inference endpoints from a suite file.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/infermark/infermark/runner"
)

// defaultGCPercent is the garbage collector's target when GOGC is not
// set. Below Go's default of 100 it keeps less garbage per stream in
// memory, which matters at thousands of streams, for a little more CPU
// time (docs/benchmarks.md has both figures).
const defaultGCPercent = 50

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the run stops sending and finishes writing;
	// restoring the default handling makes a second Ctrl-C exit at once.
	// The JSON Lines and SQLite sinks write each record as it arrives, so
	// what they hold stays readable.
	go func() {
		<-ctx.Done()
		stop()
	}()
	app := &App{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		LookupEnv: os.LookupEnv,
		Clock:     runner.SystemClock{},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, nil)),
	}
	code := app.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
