package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/suite"
)

// Search targets of --find.
const (
	findConcurrency = "max-concurrency"
	findRate        = "max-rate"
)

// knee is the outcome of an SLO search for one endpoint and workload.
type knee struct {
	Endpoint string `json:"endpoint"`
	Workload string `json:"workload"`
	Target   string `json:"target"`
	// Found is false when even the lowest load missed the SLO.
	Found bool `json:"found"`
	// AtLimit is true when the highest load tried still met the SLO.
	AtLimit bool `json:"at_limit"`
	// Best is the highest load that met the SLO, and Proof its summary.
	Best  float64             `json:"best"`
	Proof *report.CellSummary `json:"proof,omitempty"`
	// FirstMiss is the lowest load that missed it, and Miss its summary.
	FirstMiss float64             `json:"first_miss"`
	Miss      *report.CellSummary `json:"miss,omitempty"`
}

// findOptions configure an SLO search.
type findOptions struct {
	target string
	slo    *report.Assertion
	// limit is the highest concurrency or rate tried.
	limit float64
	// start is the first load tried.
	start float64
	// precision ends a rate search once the bracket is this narrow,
	// relative to its lower end.
	precision float64
}

// probeFunc runs one cell at a load and reports whether it met the SLO.
type probeFunc func(load float64) (met bool, s report.CellSummary, err error)

// searchKnee finds the highest load that meets the SLO: doubling from
// start until a load misses it, then bisecting between the last load that
// met it and the first that did not. Concurrency is bisected to an integer,
// rate until the bracket is narrower than precision.
func searchKnee(o findOptions, probe probeFunc) (knee, error) {
	k := knee{Target: o.target}
	load := o.start
	for {
		met, s, err := probe(load)
		if err != nil {
			return k, err
		}
		if !met {
			k.FirstMiss, k.Miss = load, &s
			break
		}
		k.Found, k.Best, k.Proof = true, load, &s
		if load >= o.limit {
			k.AtLimit = true
			return k, nil
		}
		load = min(load*2, o.limit)
	}
	if !k.Found {
		return k, nil
	}
	for k.narrowable(o) {
		mid := (k.Best + k.FirstMiss) / 2
		if o.target == findConcurrency {
			mid = float64(int(mid))
		}
		met, s, err := probe(mid)
		if err != nil {
			return k, err
		}
		if met {
			k.Best, k.Proof = mid, &s
		} else {
			k.FirstMiss, k.Miss = mid, &s
		}
	}
	return k, nil
}

func (k knee) narrowable(o findOptions) bool {
	if o.target == findConcurrency {
		return k.FirstMiss-k.Best > 1
	}
	return (k.FirstMiss-k.Best)/k.Best > o.precision
}

// findKnees runs an SLO search for every endpoint and workload of the
// suite, each probe a cell of its own.
func (e *execution) findKnees(ctx context.Context, cells []suite.Cell, o findOptions) ([]knee, bool, error) {
	var knees []knee
	rn := e.newRunner(cells)
	defer rn.CloseIdleConnections()
	rn.Client = runner.NewClient(int(o.limit))
	for _, sw := range groupSweeps(cells) {
		base := sw.cells[0]
		k, err := searchKnee(o, func(load float64) (bool, report.CellSummary, error) {
			return e.probe(ctx, rn, base, o, load)
		})
		k.Endpoint, k.Workload = base.Endpoint.Name, base.Workload.Name
		if err != nil {
			return knees, ctx.Err() != nil, ignoreCanceled(err)
		}
		knees = append(knees, k)
		e.logger.Info("search finished", "endpoint", k.Endpoint, "workload", k.Workload, "target", o.target, "best", k.Best, "first_miss", k.FirstMiss)
	}
	return knees, false, nil
}

// probe runs base at one load and evaluates the SLO on it.
func (e *execution) probe(ctx context.Context, rn *runner.Runner, base suite.Cell, o findOptions, load float64) (bool, report.CellSummary, error) {
	rc, err := runnerCell(e.suite, base, e.baseURL(base.Endpoint))
	if err != nil {
		return false, report.CellSummary{}, err
	}
	info := cellInfo(e.suite, base)
	prefix := base.Endpoint.Name + "/" + base.Workload.Name
	if o.target == findConcurrency {
		rc.Concurrency, rc.Rate = int(load), 0
		info.Concurrency, info.Rate = int(load), 0
		rc.ID = fmt.Sprintf("%s/find-c%d", prefix, int(load))
	} else {
		rc.Rate = load
		info.Rate = load
		rc.ID = prefix + "/find-r" + strconv.FormatFloat(load, 'f', -1, 64)
	}
	info.ID = rc.ID
	s, interrupted, err := e.runOne(ctx, rn, rc, info)
	if err != nil {
		return false, s, err
	}
	if interrupted {
		return false, s, context.Canceled
	}
	return e.sloMet(s, o.slo), s, nil
}

// sloMet reports whether s met the SLO, logging the figures it read.
func (e *execution) sloMet(s report.CellSummary, slo *report.Assertion) bool {
	o := slo.Evaluate(s)
	e.logger.Info("slo checked", "cell", s.ID, "met", o.Passed, "values", fmt.Sprint(o.Values))
	return o.Passed
}

// findOptions checks --find, --slo and --find-max; nil without --find.
func (a *App) findOptions(opts runOptions) (*findOptions, int) {
	if opts.find == "" {
		if opts.slo != "" {
			return nil, a.fail(ExitUsage, "--slo needs --find max-concurrency or --find max-rate")
		}
		return nil, ExitPass
	}
	if opts.find != findConcurrency && opts.find != findRate {
		return nil, a.fail(ExitUsage, "invalid --find %q; use %s or %s", opts.find, findConcurrency, findRate)
	}
	if opts.slo == "" {
		return nil, a.fail(ExitUsage, "--find needs --slo, such as --slo \"ttft_ms.p95 < 1000\"")
	}
	slo, err := report.CompileAssertion(suite.Assertion{Name: "slo", Expr: opts.slo})
	if err != nil {
		return nil, a.fail(ExitUsage, "invalid --slo %q: %v", opts.slo, err)
	}
	if opts.findMax < 1 {
		return nil, a.fail(ExitUsage, "--find-max must be at least 1, got %v", opts.findMax)
	}
	return &findOptions{target: opts.find, slo: slo, limit: opts.findMax, start: 1, precision: 0.05}, ExitPass
}

// writeKnees prints the outcome of each SLO search.
func writeKnees(w io.Writer, knees []knee, slo string) {
	for _, k := range knees {
		unit := "concurrency"
		if k.Target == findRate {
			unit = "requests/s"
		}
		switch {
		case !k.Found:
			fmt.Fprintf(w, "\n%s/%s: even %s %v misses the SLO %q (%s)\n", k.Endpoint, k.Workload, unit, k.FirstMiss, slo, k.Miss.ID)
		case k.AtLimit:
			fmt.Fprintf(w, "\n%s/%s: %s %v, the --find-max limit, still meets the SLO %q (%s)\n", k.Endpoint, k.Workload, unit, k.Best, slo, k.Proof.ID)
		default:
			fmt.Fprintf(w, "\n%s/%s: highest %s meeting the SLO %q: %v (proof: %s; %v misses it: %s)\n",
				k.Endpoint, k.Workload, unit, slo, k.Best, k.Proof.ID, k.FirstMiss, k.Miss.ID)
		}
	}
}
