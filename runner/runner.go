package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
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

// Target is an endpoint in the runner's terms.
type Target struct {
	Name     string
	Provider providers.Provider
	Endpoint providers.Endpoint
	// Sampling holds extra body parameters.
	Sampling map[string]any
	// Transport holds the target's TLS and HTTP settings.
	Transport Transport
	// StreamUsage is "auto" (the default when empty), "on" or "off": whether
	// to ask for a usage chunk. In auto mode a server that rejects the
	// request for it (HTTP 400 or 422 naming stream_options) gets that
	// request once more without it, and later requests to the target go
	// without it too, so output tokens then come from the tokenizer.
	StreamUsage string
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
	// SharedPrefixTokens, when positive, starts every prompt with the same
	// words of that many tokens, for prefix-cache studies.
	SharedPrefixTokens int
	// Prompts, when not empty, replace synthetic prompts: request i sends
	// a prompt drawn from them with the request's own random stream, and
	// InputTokens is not used.
	Prompts []string
	// Conversations, when not empty, make the cell multi-turn: each
	// closed-loop worker runs sessions, each the human turns of one
	// conversation, sending every turn with the session's history so far,
	// the server's own replies included. Prompts and InputTokens are not
	// used. Open-loop cells reject them.
	Conversations [][]string
	// Correctness makes every request a correctness request: its prompt
	// comes from CorrectnessPrompt, InputTokens is not used, and its
	// record keeps the answer text and Record.ExpectedAnswer.
	Correctness bool
}

// Cell is one point of the run matrix. With Rate zero it is a closed loop
// of Concurrency workers; with Rate positive it is an open loop.
type Cell struct {
	ID       string
	Target   Target
	Workload Workload
	// Concurrency is the number of requests a closed loop keeps in flight.
	Concurrency int
	// Rate is the open loop's mean arrival rate in requests per second.
	Rate float64
	// Arrival is the spacing of open-loop arrivals; default Poisson.
	Arrival Arrival
	// Burstiness is the shape of gamma arrivals: 1 is Poisson, below 1 is
	// burstier, above 1 is more regular.
	Burstiness float64
	// MaxConcurrency caps requests in flight in an open loop; 0 is no cap.
	// Arrivals held back by the cap are sent late, and the delay is
	// recorded as schedule lag.
	MaxConcurrency int
	// Requests is the number of measured requests; 0 when Duration bounds
	// the cell instead.
	Requests int
	// Duration bounds the measured phase when positive. Requests still in
	// flight at its end are cut and recorded as incomplete.
	Duration time.Duration
	// Warmup requests, or WarmupDuration, run before measuring.
	Warmup         int
	WarmupDuration time.Duration
	// Ramp raises concurrency (closed loop) or rate (open loop) linearly
	// from zero over this long at the start of the measured phase.
	Ramp time.Duration
	// Timeout bounds one request from send to the end of its stream.
	Timeout time.Duration
	// Limits are the per-request timeouts and size limits.
	Limits Limits
	// Retries is how many times a request that failed before its first
	// response byte (connection error, 429, 503, 529) is sent again; 0
	// sends each request once. Send and every offset count from the first
	// attempt, so waiting shows in the latencies.
	Retries int
	// Seed fixes the prompts and the arrival times. Cells of the same
	// workload and seed send the same prompts at the same offsets,
	// whatever their endpoint.
	Seed uint64
}

// Result is what a cell produced.
type Result struct {
	CellID string
	// Start and End are wall-clock times of the measured phase.
	Start, End time.Time
	// Window is the measured phase's duration on the monotonic clock: from
	// its start to the end of its last request, or to the end of Duration.
	Window time.Duration
	// SteadyFrom and SteadyTo bound the steady state within the measured
	// phase, as offsets from its start: after the ramp, before the drain.
	SteadyFrom, SteadyTo time.Duration
	// Records holds warmup records first, then measured ones, by index.
	Records []Record
	// Interrupted is true when the context ended before the cell did.
	Interrupted bool
	// ClientCPU is the CPU time (user and system) this process used during
	// the measured phase, including anything else running in it, such as
	// the built-in mock.
	ClientCPU time.Duration
	// Cores is GOMAXPROCS during the cell: the CPU time available per
	// second of the window.
	Cores int
	// TimerLag holds how late a 50 ms timer fired, at each wake-up during
	// the measured phase: the delay the machine adds to every timestamp.
	TimerLag []time.Duration
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
	// Grace is how long requests in flight may finish after the context
	// passed to RunCell ends; later they are cancelled. Default 5 s.
	Grace time.Duration
	// OnRecord, when set, receives each record as soon as it is complete.
	// Calls are serialized.
	OnRecord func(Record)

	mu  sync.Mutex
	seq atomic.Int64

	clientsMu sync.Mutex
	clients   map[clientKey]*http.Client
	// noUsage holds the names of targets that rejected stream_options.
	noUsage sync.Map
}

// DefaultGrace is the Runner's default Grace.
const DefaultGrace = 5 * time.Second

var (
	// errInterrupted is the cause of cancelling requests after the grace
	// period of an interrupted run.
	errInterrupted = errors.New("run interrupted")
	// errPhaseEnded is the cause of cancelling requests still in flight
	// when a duration-bounded phase ends.
	errPhaseEnded = errors.New("cell duration ended")
)

// connBufferSize is the read and write buffer of each connection.
const connBufferSize = 2 << 10

// NewClient returns an HTTP client whose transport keeps enough idle
// connections for maxConcurrency requests to one host. Go's default of 2
// would open a new connection for most requests.
func NewClient(maxConcurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = dialStamped(&net.Dialer{Timeout: DefaultConnectTimeout, KeepAlive: 30 * time.Second})
	// Responses are read one event at a time, so the default 4 KiB
	// buffers would mostly sit empty. At thousands of streams they are a
	// large part of the client's memory.
	t.ReadBufferSize, t.WriteBufferSize = connBufferSize, connBufferSize
	t.MaxIdleConns = maxConcurrency * 2
	t.MaxIdleConnsPerHost = maxConcurrency
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: t, CheckRedirect: noRedirects}
}

// noRedirects keeps the client from following redirects. Providers send
// keys in headers that net/http would forward to another host (x-api-key,
// api-key), and a redirected streaming POST is a misconfigured endpoint
// that the run should show, not hide: the 3xx is recorded as a failure.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func checkCell(cell Cell) error {
	switch {
	case cell.Rate < 0:
		return fmt.Errorf("cell %q: rate must not be negative, got %v", cell.ID, cell.Rate)
	case cell.Rate == 0 && cell.Concurrency < 1:
		return fmt.Errorf("cell %q: concurrency must be at least 1 in a closed loop", cell.ID)
	case cell.Requests < 1 && cell.Duration <= 0:
		return fmt.Errorf("cell %q: set requests or a duration", cell.ID)
	case cell.Timeout <= 0:
		return fmt.Errorf("cell %q: timeout must be positive", cell.ID)
	case cell.Arrival == ArrivalGamma && cell.Burstiness <= 0:
		return fmt.Errorf("cell %q: gamma arrivals need a positive burstiness", cell.ID)
	case cell.Rate > 0 && len(cell.Workload.Conversations) > 0:
		return fmt.Errorf("cell %q: multi-turn conversations run in closed-loop cells only; use concurrency instead of rate", cell.ID)
	}
	return nil
}

// RunCell drives cell: its warmup, then its measured phase.
func (r *Runner) RunCell(ctx context.Context, cell Cell) (Result, error) {
	if err := checkCell(cell); err != nil {
		return Result{}, err
	}
	res := Result{CellID: cell.ID}

	warm := phaseSpec{phase: PhaseWarmup, requests: cell.Warmup, duration: cell.WarmupDuration}
	if warm.requests > 0 || warm.duration > 0 {
		records, _ := r.runPhase(ctx, cell, warm)
		res.Records = records
		if ctx.Err() != nil {
			res.Interrupted = true
			return res, nil
		}
	}

	measured := phaseSpec{phase: PhaseMeasured, first: len(res.Records), requests: cell.Requests, duration: cell.Duration, ramp: cell.Ramp}
	res.Start = time.Now()
	cpuBefore := processCPU()
	probe := startLagProbe()
	records, timing := r.runPhase(ctx, cell, measured)
	res.TimerLag = probe.finish()
	res.ClientCPU = processCPU() - cpuBefore
	res.Cores = runtime.GOMAXPROCS(0)
	res.End = time.Now()
	res.Records = append(res.Records, records...)
	res.Window, res.SteadyFrom, res.SteadyTo = timing.window, timing.steadyFrom, timing.steadyTo
	res.Interrupted = ctx.Err() != nil
	return res, nil
}
