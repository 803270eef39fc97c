package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/mock"
	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/sinks"
	"github.com/infermark/infermark/suite"
)

// loadSuite loads and validates path, printing warnings and errors on
// stderr. It returns nil and an exit code when the suite is unusable.
func (a *App) loadSuite(path string) (*suite.Suite, []*report.Assertion, int) {
	return a.loadSuiteWith(path, nil, nil)
}

// loadSuiteWith loads the suite text data (read from path when nil) with
// overrides applied, as loadSuite does.
func (a *App) loadSuiteWith(path string, data []byte, overrides []suite.Override) (*suite.Suite, []*report.Assertion, int) {
	opts := suite.LoadOptions{
		LookupEnv: a.LookupEnv,
		CheckExpr: report.CheckExpr,
		Providers: providers.Names(),
		SinkTypes: sinks.Types,
		Overrides: overrides,
	}
	var s *suite.Suite
	var warnings []suite.Warning
	var err error
	if data == nil {
		s, warnings, err = suite.Load(path, opts)
	} else {
		s, warnings, err = suite.Parse(data, path, opts)
	}
	for _, w := range warnings {
		fmt.Fprintf(a.Stderr, "warning: %s\n", w.Verbose())
	}
	if err != nil {
		var list suite.ErrorList
		if errors.As(err, &list) {
			fmt.Fprintln(a.Stderr, list.Error())
			fmt.Fprintf(a.Stderr, "infermark: %s is invalid: %d problem(s)\n", path, len(list))
			return nil, nil, ExitUsage
		}
		return nil, nil, a.fail(ExitUsage, "%v", err)
	}

	if errs := unsupportedKeys(s); len(errs) > 0 {
		fmt.Fprintln(a.Stderr, suite.ErrorList(errs).Error())
		fmt.Fprintf(a.Stderr, "infermark: %s uses %d feature(s) this version cannot run yet\n", path, len(errs))
		return nil, nil, ExitUsage
	}

	assertions := make([]*report.Assertion, 0, len(s.Assertions))
	for _, as := range s.Assertions {
		compiled, err := report.CompileAssertion(as)
		if err != nil {
			return nil, nil, a.fail(ExitUsage, "%s: assertion %q: %v", as.Pos, as.Name, err)
		}
		assertions = append(assertions, compiled)
	}
	return s, assertions, ExitPass
}

// cellInfo returns the report's view of a suite cell.
func cellInfo(s *suite.Suite, c suite.Cell) report.CellInfo {
	return report.CellInfo{
		ID: c.ID, Endpoint: c.Endpoint.Name, Provider: c.Endpoint.Provider, Model: c.Endpoint.Model,
		Workload: c.Workload.Name, GPU: c.Endpoint.GPU.Model, GPUCount: c.Endpoint.GPU.Count,
		GPUMemoryGiB:    c.Endpoint.GPU.MemoryGiB,
		PricePerHourUSD: c.Endpoint.HourlyUSD(), Concurrency: c.Concurrency, Rate: c.Rate,
		Repeat: max(c.Repetition-1, 0),
		Labels: s.Labels,
		SLO:    report.RequestSLO{TTFTMs: s.Goodput.TTFTMs, TPOTMs: s.Goodput.TPOTMs, E2EMs: s.Goodput.E2EMs},
	}
}

// runnerCell returns the runner's view of a suite cell; baseURL replaces
// the endpoint's own (for builtin:mock).
func runnerCell(s *suite.Suite, c suite.Cell, baseURL string) (runner.Cell, error) {
	p, ok := providers.Lookup(c.Endpoint.Provider)
	if !ok {
		return runner.Cell{}, fmt.Errorf("endpoint %q: unknown provider %q", c.Endpoint.Name, c.Endpoint.Provider)
	}
	arrival, err := runner.ParseArrival(s.Load.Arrival)
	if err != nil {
		return runner.Cell{}, err
	}
	l := s.Load
	return runner.Cell{
		ID:          c.ID,
		Target:      runnerTarget(c.Endpoint, p, baseURL),
		Workload:    runnerWorkload(c.Workload),
		Concurrency: c.Concurrency, Rate: c.Rate, Arrival: arrival, Burstiness: l.Burstiness,
		MaxConcurrency: l.MaxConcurrency,
		Requests:       l.Requests, Duration: l.Duration,
		Warmup: l.Warmup, WarmupDuration: l.WarmupDuration,
		Ramp:    l.Ramp,
		Timeout: cellTimeout(s, c),
		Limits:  runnerLimits(c.Endpoint),
		Seed:    workloadSeed(s.Seed, c.Workload.Name),
	}, nil
}

// runnerLimits returns the endpoint's timeouts and size limits; zero
// values select the runner's defaults.
func runnerLimits(e *suite.Endpoint) runner.Limits {
	return runner.Limits{
		ConnectTimeout: e.Timeouts.Connect, FirstByteTimeout: e.Timeouts.FirstByte, IdleTimeout: e.Timeouts.Idle,
		MaxEventBytes: e.Limits.MaxEventBytes, MaxResponseBytes: e.Limits.MaxResponseBytes,
	}
}

func runnerTarget(e *suite.Endpoint, p providers.Provider, baseURL string) runner.Target {
	return runner.Target{
		Name: e.Name, Provider: p, Sampling: e.Sampling, StreamUsage: e.StreamUsage,
		Endpoint: providers.Endpoint{BaseURL: baseURL, Model: e.Model, APIKey: e.APIKey, Headers: e.Headers},
		Transport: runner.Transport{
			CAFile: e.TLS.CAFile, InsecureSkipVerify: e.TLS.InsecureSkipVerify,
			HTTP2: e.HTTP.Version == "2", MaxConnections: e.HTTP.MaxConnections,
		},
	}
}

func runnerWorkload(w *suite.Workload) runner.Workload {
	system := w.SystemPrompt
	if w.Prompts.SystemPrompt != "" {
		system = w.Prompts.SystemPrompt
	}
	return runner.Workload{
		Name: w.Name, SystemPrompt: system, IgnoreEOS: w.IgnoreEOS,
		InputTokens:        func(r *rand.Rand) int { return w.InputTokens.Sample(r) },
		OutputTokens:       func(r *rand.Rand) int { return w.OutputTokens.Sample(r) },
		SharedPrefixTokens: w.Prompts.SharedPrefixTokens,
		Prompts:            w.Prompts.Texts,
		Conversations:      w.Prompts.Conversations,
		Correctness:        w.Kind == suite.WorkloadCorrectness,
	}
}

// cellTimeout returns the endpoint's own timeout, else load.timeout.
func cellTimeout(s *suite.Suite, c suite.Cell) time.Duration {
	if c.Endpoint.Timeout > 0 {
		return c.Endpoint.Timeout
	}
	return s.Load.Timeout
}

// workloadSeed mixes the suite seed with the workload name, so every cell
// of a workload sends the same prompts.
func workloadSeed(seed int64, workload string) uint64 {
	h := uint64(seed) ^ 0xcbf29ce484222325
	for i := 0; i < len(workload); i++ {
		h ^= uint64(workload[i])
		h *= 0x100000001b3
	}
	return h
}

// builtinMock is the base_url that starts the in-process mock server.
const builtinMock = "builtin:mock"

// mockConfig parses "builtin:mock" with an optional query of pacing and
// faults, such as "?ttft=50ms&itl=5ms&fault=429&fault_rate=0.2"; the
// parameters are those of mock.ConfigFromQuery.
func mockConfig(baseURL string) (mock.Config, bool, error) {
	rest, ok := strings.CutPrefix(baseURL, builtinMock)
	if !ok || (rest != "" && rest[0] != '?') {
		return mock.Config{}, false, nil
	}
	cfg, err := mock.ConfigFromQuery(strings.TrimPrefix(rest, "?"))
	if err != nil {
		return cfg, true, fmt.Errorf("invalid %q: %w", baseURL, err)
	}
	return cfg, true, nil
}
