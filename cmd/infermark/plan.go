package main

import (
	"fmt"

	"github.com/spf13/pflag"
)

// planCommand implements "plan" and, with validateOnly, "validate".
func (a *App) planCommand(args []string, validateOnly bool) int {
	name := "plan"
	if validateOnly {
		name = "validate"
	}
	flags := pflag.NewFlagSet(name, pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	sf := addSuiteFlags(flags)
	format := "text"
	if !validateOnly {
		flags.StringVar(&format, "format", "text", "stdout format: text (a table) or json")
	}
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark %s SUITE.yaml [flags]\n\nFlags:\n%s", name, flags.FlagUsages())
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if flags.NArg() != 1 {
		return a.fail(ExitUsage, "%s needs exactly one suite file, got %d arguments", name, flags.NArg())
	}
	if format != "text" && format != "json" {
		return a.fail(ExitUsage, "invalid --format %q; use text or json", format)
	}
	s, _, code := a.loadSource(suiteSource{path: flags.Arg(0), flags: sf})
	if s == nil {
		return code
	}
	cells := s.Cells()
	if validateOnly {
		fmt.Fprintf(a.Stdout, "%s: valid; %s\n", flags.Arg(0), plural(len(cells), "cell", "cells"))
		return ExitPass
	}

	p := buildPlan(s)
	if format == "json" {
		if err := writePlanJSON(a.Stdout, p); err != nil {
			return a.fail(ExitRunError, "write plan: %v", err)
		}
		return ExitPass
	}
	writePlanTable(a.Stdout, p)
	return ExitPass
}
