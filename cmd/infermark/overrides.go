package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/suite"
)

// suiteFlags are the flags that change the suite without editing it,
// shared by run, plan and validate.
type suiteFlags struct {
	set       []string
	endpoints []string
	workloads []string
}

// addSuiteFlags registers --set, --endpoint and --workload on flags.
func addSuiteFlags(flags *pflag.FlagSet) *suiteFlags {
	sf := &suiteFlags{}
	flags.StringArrayVar(&sf.set, "set", nil, "replace a suite value, as `KEY=VALUE` such as load.concurrency=1,2,4 or endpoints.NAME.model=M; repeatable")
	flags.StringSliceVar(&sf.endpoints, "endpoint", nil, "run only the named endpoint(s); repeatable or comma-separated")
	flags.StringSliceVar(&sf.workloads, "workload", nil, "run only the named workload(s); repeatable or comma-separated")
	return sf
}

// suiteSource is a suite to load: a file, or text built from flags.
type suiteSource struct {
	// path names the suite in messages and resolves relative paths.
	path string
	// data is the suite's text; nil reads path.
	data  []byte
	flags *suiteFlags
}

// loadSource loads src with its overrides and selection applied,
// printing problems on stderr. It returns nil and an exit code when the
// suite is unusable.
func (a *App) loadSource(src suiteSource) (*suite.Suite, []*report.Assertion, int) {
	var overrides []suite.Override
	var selectEndpoints, selectWorkloads []string
	if src.flags != nil {
		for _, s := range src.flags.set {
			o, err := suite.ParseOverride(s)
			if err != nil {
				return nil, nil, a.fail(ExitUsage, "%v", err)
			}
			overrides = append(overrides, o)
		}
		selectEndpoints, selectWorkloads = src.flags.endpoints, src.flags.workloads
	}

	s, assertions, code := a.loadSuiteWith(src.path, src.data, overrides)
	if s == nil {
		return nil, nil, code
	}
	if err := s.Select(selectEndpoints, selectWorkloads); err != nil {
		return nil, nil, a.fail(ExitUsage, "%s: %v", src.path, err)
	}
	return s, assertions, ExitPass
}

// suiteForRun loads the suite that "run" names, or builds one from --url
// and its companion flags, and applies report.format unless --format was
// given.
func (a *App) suiteForRun(flags *pflag.FlagSet, sf *suiteFlags, adhoc *adhocFlags, opts *runOptions) (*suite.Suite, []*report.Assertion, int) {
	src := suiteSource{flags: sf}
	switch {
	case adhoc.url != "":
		if flags.NArg() != 0 {
			return nil, nil, a.fail(ExitUsage, "run --url builds its own suite, so it takes no suite file; got %q", flags.Arg(0))
		}
		text, code := a.adhocSuite(flags, adhoc)
		if code != ExitPass {
			return nil, nil, code
		}
		src.path, src.data = adhocPath(adhoc), text
	case adhoc.anySet(flags):
		return nil, nil, a.fail(ExitUsage, "--model, --concurrency, --input-tokens, --output-tokens and --save-suite need --url")
	case flags.NArg() != 1:
		return nil, nil, a.fail(ExitUsage, "run needs exactly one suite file, or --url, got %d arguments", flags.NArg())
	default:
		src.path = flags.Arg(0)
	}

	s, assertions, code := a.loadSource(src)
	if s == nil {
		return nil, nil, code
	}
	if adhoc.saveSuite != "" {
		if err := writeFileAtomic(adhoc.saveSuite, src.data); err != nil {
			return nil, nil, a.fail(ExitRunError, "write --save-suite file: %v", err)
		}
		fmt.Fprintf(a.Stderr, "infermark: wrote the suite to %s\n", adhoc.saveSuite)
	}
	if !flags.Changed("format") && s.Report.Format != "" {
		opts.format = s.Report.Format
	}
	return s, assertions, ExitPass
}
