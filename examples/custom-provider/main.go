// Command custom-provider shows infermark used as a library: it registers
// a provider for an in-house API, loads a suite that names it, runs every
// cell through infermark's runner and prints the same table as
// "infermark run", next to the built-in mock speaking OpenAI's format.
//
//	go run ./examples/custom-provider
//
// docs/library.md walks through it.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"time"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/mock"
	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/suite"
)

//go:embed suite.yaml
var suiteYAML []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "custom-provider:", err)
		os.Exit(1)
	}
}

// 1. Register the provider before loading a suite that names it.
func init() {
	if err := providers.Register(acme{}); err != nil {
		panic(err)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer) error {
	// 2. Start the demo servers; their URLs reach the suite through
	// ${ACME_URL} and ${MOCK_URL}.
	acmeURL, stopAcme, err := startAcme()
	if err != nil {
		return err
	}
	defer stopAcme()
	m, err := mock.Start("127.0.0.1:0", mock.Config{TTFT: 30 * time.Millisecond, ITL: 3 * time.Millisecond}, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	env := map[string]string{"ACME_URL": acmeURL, "MOCK_URL": m.URL}

	// 3. Load and validate the suite, as "infermark validate" does.
	s, _, err := suite.Parse(suiteYAML, "suite.yaml", suite.LoadOptions{
		LookupEnv: func(name string) (string, bool) {
			if v, ok := env[name]; ok {
				return v, true
			}
			return os.LookupEnv(name)
		},
		CheckExpr: report.CheckExpr,
		Providers: providers.Names(),
	})
	if err != nil {
		return err
	}

	// 4. Run every cell and summarize it.
	rn := &runner.Runner{
		Client: runner.NewClient(64), Clock: runner.SystemClock{},
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		RunID:  "custom-provider",
	}
	var summaries []report.CellSummary
	for _, c := range s.Cells() {
		cell, err := runnerCell(s, c)
		if err != nil {
			return err
		}
		res, err := rn.RunCell(ctx, cell)
		if err != nil {
			return err
		}
		summaries = append(summaries, report.SummarizeResult(cellInfo(c), res))
	}

	// 5. Print the table and check the suite's assertions.
	if err := report.WriteSweepTable(stdout, summaries); err != nil {
		return err
	}
	var outcomes []report.Outcome
	for _, a := range s.Assertions {
		compiled, err := report.CompileAssertion(a)
		if err != nil {
			return err
		}
		for _, sum := range summaries {
			outcomes = append(outcomes, compiled.Evaluate(sum))
		}
	}
	if err := report.WriteAssertionResults(stdout, outcomes, false); err != nil {
		return err
	}
	for _, o := range outcomes {
		if !o.Passed {
			return fmt.Errorf("assertion %q failed for cell %s", o.Name, o.CellID)
		}
	}
	return nil
}

// runnerCell is the runner's view of one cell of the suite's matrix.
func runnerCell(s *suite.Suite, c suite.Cell) (runner.Cell, error) {
	p, ok := providers.Lookup(c.Endpoint.Provider)
	if !ok {
		return runner.Cell{}, fmt.Errorf("endpoint %q: unknown provider %q", c.Endpoint.Name, c.Endpoint.Provider)
	}
	w := c.Workload
	return runner.Cell{
		ID: c.ID,
		Target: runner.Target{
			Name: c.Endpoint.Name, Provider: p, Sampling: c.Endpoint.Sampling,
			Endpoint: providers.Endpoint{
				BaseURL: c.Endpoint.BaseURL, Model: c.Endpoint.Model,
				APIKey: c.Endpoint.APIKey, Headers: c.Endpoint.Headers,
			},
		},
		Workload: runner.Workload{
			Name: w.Name, SystemPrompt: w.SystemPrompt, IgnoreEOS: w.IgnoreEOS,
			InputTokens:  func(r *rand.Rand) int { return w.InputTokens.Sample(r) },
			OutputTokens: func(r *rand.Rand) int { return w.OutputTokens.Sample(r) },
		},
		Concurrency: c.Concurrency,
		Requests:    s.Load.Requests,
		Warmup:      s.Load.Warmup,
		Timeout:     s.Load.Timeout,
		Seed:        uint64(s.Seed),
	}, nil
}

// cellInfo is the report's view of one cell.
func cellInfo(c suite.Cell) report.CellInfo {
	return report.CellInfo{
		ID: c.ID, Endpoint: c.Endpoint.Name, Provider: c.Endpoint.Provider, Model: c.Endpoint.Model,
		Workload: c.Workload.Name, Concurrency: c.Concurrency,
	}
}
