package runner

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infermark/infermark/providers"
)

// Clock supplies time. Now must return readings with Go's monotonic clock
// (time.Now does) because offsets are computed by subtracting them.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Target is an endpoint as the runner sees it.
type Target struct {
	Name     string
	Provider providers.Provider
	Endpoint providers.Endpoint
	// Sampling holds extra body parameters.
	Sampling map[string]any
}

// Workload describes the requests of a cell.
type Workload struct {
	Name         string
	SystemPrompt string
	// InputTokens and OutputTokens sample a prompt length and an output
	// length for one request.
	InputTokens  func(*rand.Rand) int
	OutputTokens func(*rand.Rand) int
	IgnoreEOS    bool
}

// Cell is one point of the run matrix, driven as a closed loop.
type Cell struct {
	ID          string
	Target      Target
	Workload    Workload
	Concurrency int
	// Requests is the number of measured requests; Warmup runs before them.
	Requests int
	Warmup   int
	// Timeout bounds one request from send to the end of its stream.
	Timeout time.Duration
	// Seed fixes the prompts. Cells of the same workload and seed send
	// the same prompts, whatever their endpoint or concurrency.
	Seed uint64
}

// Result is what a cell produced.
type Result struct {
	CellID string
	// Start and End are wall-clock times of the measured phase.
	Start, End time.Time
	// Window is the measured phase's duration on the monotonic clock: from
	// the first measured send to the end of the last measured request.
	Window time.Duration
	// Records holds warmup records first, then measured ones, by index.
	Records []Record
	// Interrupted is true when the context ended before every request ran.
	Interrupted bool
}

// Runner sends requests and records them.
type Runner struct {
	Client *http.Client
	Clock  Clock
	Logger *slog.Logger
	// RunID prefixes every X-Request-Id.
	RunID string
	// KeepText stores generated text in records.
	KeepText bool
	// OnRecord, when set, receives each record as soon as it is complete.
	// Calls are serialized.
	OnRecord func(Record)

	mu  sync.Mutex
	seq atomic.Int64
}

// NewClient returns an HTTP client whose transport keeps enough idle
// connections for maxConcurrency requests to one host. Go's default of 2
// would open a new connection for most requests.
func NewClient(maxConcurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxConcurrency * 2
	t.MaxIdleConnsPerHost = maxConcurrency
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: t}
}

// RunCell drives cell: its warmup requests, then its measured ones, each
// phase a closed loop that keeps Concurrency requests in flight.
func (r *Runner) RunCell(ctx context.Context, cell Cell) (Result, error) {
	if cell.Concurrency < 1 || cell.Requests < 1 {
		return Result{}, fmt.Errorf("cell %q: concurrency and requests must be at least 1", cell.ID)
	}
	plans, err := planRequests(cell)
	if err != nil {
		return Result{}, fmt.Errorf("cell %q: building prompts: %w", cell.ID, err)
	}
	res := Result{CellID: cell.ID}

	res.Records = r.runPhase(ctx, cell, plans[:cell.Warmup], PhaseWarmup)
	if ctx.Err() != nil {
		res.Interrupted = true
		return res, nil
	}

	res.Start = time.Now()
	begin := r.Clock.Now()
	res.Records = append(res.Records, r.runPhase(ctx, cell, plans[cell.Warmup:], PhaseMeasured)...)
	res.Window = r.Clock.Now().Sub(begin)
	res.End = time.Now()
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

type plannedRequest struct {
	index  int
	prompt Prompt
	target int
}

// planRequests builds every prompt before the first request is sent, so
// that tokenizing is never on the timed path.
func planRequests(cell Cell) ([]plannedRequest, error) {
	rng := rand.New(rand.NewPCG(cell.Seed, 0x696e666572))
	plans := make([]plannedRequest, cell.Warmup+cell.Requests)
	for i := range plans {
		in := cell.Workload.InputTokens(rng)
		out := cell.Workload.OutputTokens(rng)
		p, err := SyntheticPrompt(rng, in)
		if err != nil {
			return nil, err
		}
		p.MaxTokens = out
		plans[i] = plannedRequest{index: i, prompt: p, target: in}
	}
	return plans, nil
}

// runPhase sends plans with cell.Concurrency workers. A worker takes the
// next plan the moment its previous request ends. It returns the completed
// records by index; plans not sent before the context ended have none.
func (r *Runner) runPhase(ctx context.Context, cell Cell, plans []plannedRequest, phase Phase) []Record {
	var out []Record
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(cell.Concurrency, len(plans))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(plans) {
					return
				}
				rec := r.do(ctx, cell, plans[i], phase)
				r.mu.Lock()
				out = append(out, rec)
				if r.OnRecord != nil {
					r.OnRecord(rec)
				}
				r.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(out, func(a, b Record) int { return a.Index - b.Index })
	return out
}
