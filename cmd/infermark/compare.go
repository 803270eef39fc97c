package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/report"
)

const compareHelp = `Usage: infermark compare BASELINE CURRENT [flags]

Compares two runs cell by cell. BASELINE and CURRENT are each a run
folder (it holds summary.json and requests.jsonl) or a baseline file
written by "infermark baseline save". Cells are matched by endpoint,
workload, concurrency and rate, with repeats pooled. Each figure gets its
delta, absolute and in percent, and a verdict. A change is called a
regression only when it is in the worse direction, at least --min-change
(and --min-change-ms for latencies), and significant: Mann–Whitney U on the per-request samples, or a
bootstrap over repeats for throughput, with the p-value threshold
--alpha divided by the number of tests.

Exit codes: 0 no regression, 1 a regression, 2 invalid usage or input.

Flags:
`

func (a *App) compareCommand(args []string) int {
	var format string
	var opts report.CompareOptions
	var minChangePct float64
	flags := pflag.NewFlagSet("compare", pflag.ContinueOnError)
	flags.SetOutput(a.Stderr)
	flags.StringVar(&format, "format", "text", "stdout format: text, markdown or json")
	flags.Float64Var(&opts.Alpha, "alpha", report.DefaultAlpha, "family-wise significance level, divided among the tests (Bonferroni)")
	flags.Float64Var(&minChangePct, "min-change", report.DefaultMinChange*100, "smallest change, in percent of the baseline, that can be a regression")
	flags.Float64Var(&opts.MinChangeMs, "min-change-ms", report.DefaultMinChangeMs, "smallest change of a latency figure, in milliseconds, that can be a regression")
	flags.IntVar(&opts.Resamples, "resamples", report.DefaultResamples, "bootstrap resamples")
	flags.Uint64Var(&opts.Seed, "seed", 1, "seed of the bootstrap's random generator")
	flags.Usage = func() { fmt.Fprintf(a.Stderr, "%s%s", compareHelp, flags.FlagUsages()) }
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if code := checkCompareFlags(a, format, opts, minChangePct, flags.NArg()); code != ExitPass {
		return code
	}
	opts.MinChange = minChangePct / 100

	base, err := loadBaseline(flags.Arg(0))
	if err != nil {
		return a.fail(ExitUsage, "baseline: %v", err)
	}
	cur, err := loadBaseline(flags.Arg(1))
	if err != nil {
		return a.fail(ExitUsage, "current: %v", err)
	}
	c := report.CompareBaselines(base, cur, opts)
	if len(c.Cells) == 0 {
		return a.fail(ExitUsage, "no cell of %s matches a cell of %s by endpoint, workload, concurrency and rate", flags.Arg(1), flags.Arg(0))
	}

	if err := writeComparison(a, c, format); err != nil {
		return a.fail(ExitRunError, "write the comparison: %v", err)
	}
	if c.Count(report.VerdictRegression) > 0 {
		return ExitAssertions
	}
	return ExitPass
}

func checkCompareFlags(a *App, format string, opts report.CompareOptions, minChangePct float64, nargs int) int {
	switch {
	case nargs != 2:
		return a.fail(ExitUsage, "compare needs two results, BASELINE and CURRENT, got %d; see infermark compare --help", nargs)
	case format != "text" && format != "markdown" && format != "json":
		return a.fail(ExitUsage, "invalid --format %q; use text, markdown or json", format)
	case !(opts.Alpha > 0 && opts.Alpha < 1):
		return a.fail(ExitUsage, "invalid --alpha %g; use a level between 0 and 1 such as 0.05", opts.Alpha)
	case !(opts.MinChangeMs > 0):
		return a.fail(ExitUsage, "invalid --min-change-ms %g; use milliseconds more than 0, such as 1", opts.MinChangeMs)
	case !(minChangePct > 0):
		return a.fail(ExitUsage, "invalid --min-change %g; use a percentage more than 0, such as 10", minChangePct)
	case opts.Resamples < 100:
		return a.fail(ExitUsage, "invalid --resamples %d; use 100 or more", opts.Resamples)
	}
	return ExitPass
}

func writeComparison(a *App, c *report.RunComparison, format string) error {
	switch format {
	case "markdown":
		return report.WriteComparisonMarkdown(a.Stdout, c)
	case "json":
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	return report.WriteComparisonText(a.Stdout, c)
}
