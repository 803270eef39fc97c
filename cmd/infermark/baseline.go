package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/report"
)

const baselineHelp = `Usage: infermark baseline save RESULTS --to FILE

Writes the figures and per-request samples (TTFT, TPOT, E2E, errors) of
the run folder RESULTS to FILE as JSON meant to be committed: one figure
per line, sorted, so a diff shows what changed. "infermark compare" and
"infermark run --baseline" read it as they read a run folder.

Flags:
`

func (a *App) baselineCommand(args []string) int {
	var to string
	flags := pflag.NewFlagSet("baseline", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.StringVar(&to, "to", "", "baseline `file` to write (required)")
	flags.Usage = func() { fmt.Fprintf(a.Stderr, "%s%s", baselineHelp, flags.FlagUsages()) }
	if code, done := parseFlags(flags, args); done {
		return code
	}
	switch {
	case flags.NArg() == 0 || flags.Arg(0) != "save":
		return a.fail(ExitUsage, "baseline needs the subcommand save: infermark baseline save RESULTS --to FILE")
	case flags.NArg() != 2:
		return a.fail(ExitUsage, "baseline save needs one run folder, got %d", flags.NArg()-1)
	case to == "":
		return a.fail(ExitUsage, "baseline save needs --to FILE")
	}

	folder := flags.Arg(1)
	info, err := os.Stat(folder)
	if err != nil || !info.IsDir() {
		return a.fail(ExitUsage, "run folder %q not found; give the folder that contains summary.json", folder)
	}
	run, err := readRun(folder)
	if err != nil {
		return a.fail(ExitUsage, "%v", err)
	}
	var buf bytes.Buffer
	if err := report.WriteBaseline(&buf, report.NewBaseline(run)); err != nil {
		return a.fail(ExitRunError, "write baseline: %v", err)
	}
	if err := os.WriteFile(to, buf.Bytes(), 0o644); err != nil {
		return a.fail(ExitRunError, "write baseline: %v", err)
	}
	fmt.Fprintf(a.Stderr, "wrote %s: %d cell(s) of run %s\n", to, len(run.Cells), run.Info.ID)
	return ExitPass
}
