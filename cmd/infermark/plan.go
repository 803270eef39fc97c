package main

import (
	"fmt"
	"text/tabwriter"

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
	flags.Usage = func() {
		fmt.Fprintf(a.Stderr, "Usage: infermark %s SUITE.yaml\n", name)
	}
	if code, done := parseFlags(flags, args); done {
		return code
	}
	if flags.NArg() != 1 {
		return a.fail(ExitUsage, "%s needs exactly one suite file, got %d arguments", name, flags.NArg())
	}
	s, _, code := a.loadSuite(flags.Arg(0))
	if s == nil {
		return code
	}
	cells := s.Cells()
	if validateOnly {
		fmt.Fprintf(a.Stdout, "%s: valid; %d cells\n", flags.Arg(0), len(cells))
		return ExitPass
	}

	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tcell\tendpoint\tprovider\tmodel\tworkload\tinput tokens\toutput tokens\tconcurrency\trequests\twarmup")
	for _, c := range cells {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", c.Index+1, c.ID, c.Endpoint.Name,
			c.Endpoint.Provider, c.Endpoint.Model, c.Workload.Name, c.Workload.InputTokens, c.Workload.OutputTokens,
			c.Concurrency, s.Load.Requests, s.Load.Warmup)
	}
	tw.Flush()
	fmt.Fprintf(a.Stdout, "%d cells, %d requests in all (warmup included)\n", len(cells), len(cells)*(s.Load.Requests+s.Load.Warmup))
	return ExitPass
}
