package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/suite"
)

// Exit codes, shown in the usage text and the README.
const (
	ExitPass        = 0
	ExitAssertions  = 1
	ExitUsage       = 2
	ExitRunError    = 3
	ExitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// App is one invocation of infermark with its environment injected, so that
// tests run the whole command in-process.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// LookupEnv resolves environment variables (os.LookupEnv in main).
	LookupEnv func(string) (string, bool)
	Clock     runner.Clock
	// Logger writes diagnostics to stderr; --log-level replaces its level.
	Logger *slog.Logger
}

const usage = `infermark benchmarks LLM inference endpoints.

Usage:
  infermark run SUITE.yaml [flags]       run the suite's matrix, report, check assertions
  infermark run --url URL --model M      benchmark one server without a suite file
  infermark plan SUITE.yaml              print the run matrix without sending anything
  infermark validate SUITE.yaml          check the suite and exit
  infermark schema                       print the suite file's JSON Schema
  infermark mock [flags]                 serve the built-in mock LLM server on loopback
  infermark report RESULTS... [flags]    re-render stored results: tables, charts, HTML, Markdown
  infermark calibrate [flags]            measure infermark's own timing error against the mock
  infermark compare BASELINE CURRENT     compare two runs per cell; exit 1 on a significant regression
  infermark baseline save RESULTS --to FILE  write a run's figures as a baseline file to commit
  infermark version                      print the version

Run "infermark COMMAND --help" for a command's flags.

Exit codes:
  0    every assertion passed
  1    an assertion failed; for compare, a significant regression
  2    invalid suite or usage
  3    run error (no request of a cell succeeded, a sink failed)
  130  interrupted (results measured so far are kept)
`

// Run executes args (without the program name) and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.Stderr, usage)
		return ExitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return a.runCommand(ctx, rest)
	case "plan":
		return a.planCommand(rest, false)
	case "validate":
		return a.planCommand(rest, true)
	case "schema":
		return a.schemaCommand(rest)
	case "report":
		return a.reportCommand(rest)
	case "mock":
		return a.mockCommand(ctx, rest)
	case "calibrate":
		return a.calibrateCommand(ctx, rest)
	case "compare":
		return a.compareCommand(rest)
	case "baseline":
		return a.baselineCommand(rest)
	case "version", "--version":
		fmt.Fprintln(a.Stdout, "infermark", version)
		return ExitPass
	case "help", "-h", "--help":
		fmt.Fprint(a.Stdout, usage)
		return ExitPass
	}
	commands := []string{"run", "plan", "validate", "schema", "mock", "calibrate", "report", "compare", "baseline", "version"}
	if near := suite.Suggest(cmd, commands); near != "" {
		fmt.Fprintf(a.Stderr, "infermark: unknown command %q; did you mean %q?\n", cmd, near)
		return ExitUsage
	}
	fmt.Fprintf(a.Stderr, "infermark: unknown command %q; commands are %s\n\n%s", cmd, strings.Join(commands, ", "), usage)
	return ExitUsage
}

// fail prints err on stderr and returns code.
func (a *App) fail(code int, format string, args ...any) int {
	fmt.Fprintf(a.Stderr, "infermark: "+format+"\n", args...)
	return code
}

// plural writes n with the singular or plural noun.
func plural(n int, singular, pluralNoun string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, pluralNoun)
}
