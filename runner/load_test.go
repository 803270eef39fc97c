package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infermark/infermark/providers"
)

// streamServer answers every chat request with two content chunks, usage
// and [DONE], after delay. It counts requests in flight.
type streamServer struct {
	*httptest.Server
	inFlight, maxInFlight atomic.Int64
}

func newStreamServer(t testing.TB, delay time.Duration) *streamServer {
	t.Helper()
	s := &streamServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxInFlight.Load()
			if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n")
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" b\"},\"finish_reason\":\"length\"}]}\n\n")
		fmt.Fprint(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(s.Close)
	return s
}

func fixedLength(n int) func(*rand.Rand) int { return func(*rand.Rand) int { return n } }

func testCell(t testing.TB, url string) Cell {
	t.Helper()
	p, ok := providers.Lookup("openai-chat")
	if !ok {
		t.Fatal("openai-chat is not registered")
	}
	return Cell{
		ID: "c", Timeout: 10 * time.Second, Seed: 7,
		Target:   Target{Provider: p, Endpoint: providers.Endpoint{BaseURL: url + "/v1", Model: "m"}},
		Workload: Workload{InputTokens: fixedLength(8), OutputTokens: fixedLength(2)},
	}
}

func testRunner(maxConcurrency int) *Runner {
	return &Runner{Client: NewClient(maxConcurrency), Clock: SystemClock{}, Logger: slog.New(slog.DiscardHandler), RunID: "t"}
}

func measured(records []Record) []Record {
	var out []Record
	for _, r := range records {
		if r.Phase == PhaseMeasured {
			out = append(out, r)
		}
	}
	return out
}

func TestOpenLoopHitsConstantRate(t *testing.T) {
	srv := newStreamServer(t, 0)
	cell := testCell(t, srv.URL)
	cell.Rate, cell.Arrival, cell.Requests = 500, ArrivalConstant, 2000

	res, err := testRunner(64).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	recs := measured(res.Records)
	if len(recs) != 2000 {
		t.Fatalf("%d records, want 2000", len(recs))
	}
	offsets := make([]time.Duration, len(recs))
	for i, r := range recs {
		if !r.OK() {
			t.Fatalf("request %d failed: %s", i, r.Error)
		}
		offsets[i] = r.Offset
	}
	slices.Sort(offsets)
	achieved := float64(len(offsets)-1) / (offsets[len(offsets)-1] - offsets[0]).Seconds()
	if math.Abs(achieved-500)/500 > 0.01 {
		t.Errorf("achieved rate = %.2f/s, want 500/s within 1%%", achieved)
	}
}

func TestOpenLoopCapRecordsLag(t *testing.T) {
	t.Parallel()
	// Two slots of 100 ms serve 20 requests/s, so arrivals at 100/s queue
	// behind the cap and leave later and later.
	srv := newStreamServer(t, 100*time.Millisecond)
	cell := testCell(t, srv.URL)
	cell.Rate, cell.Arrival, cell.Requests, cell.MaxConcurrency = 100, ArrivalConstant, 20, 2

	res, err := testRunner(4).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	recs := measured(res.Records)
	if got := srv.maxInFlight.Load(); got > 2 {
		t.Errorf("server saw %d requests in flight, want at most the cap of 2", got)
	}
	last := recs[len(recs)-1]
	// The 20th request is due at 0.19 s but its slot frees only at about
	// 1.0 s (ten rounds of 100 ms), so it is about 800 ms late.
	if last.ScheduleLag < 600*time.Millisecond {
		t.Errorf("last schedule lag = %v, want about 800ms", last.ScheduleLag)
	}
	if recs[0].ScheduleLag > 50*time.Millisecond {
		t.Errorf("first schedule lag = %v, want about 0", recs[0].ScheduleLag)
	}
}

func TestClosedLoopKeepsConcurrency(t *testing.T) {
	t.Parallel()
	srv := newStreamServer(t, 30*time.Millisecond)
	cell := testCell(t, srv.URL)
	cell.Concurrency, cell.Requests = 4, 40

	res, err := testRunner(4).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.maxInFlight.Load(); got != 4 {
		t.Errorf("max in flight = %d, want 4", got)
	}
	if n := len(measured(res.Records)); n != 40 {
		t.Errorf("%d measured records, want 40", n)
	}
}

func TestDurationCutsRequestsAsIncomplete(t *testing.T) {
	t.Parallel()
	srv := newStreamServer(t, 200*time.Millisecond)
	cell := testCell(t, srv.URL)
	cell.Concurrency, cell.Duration = 3, 300*time.Millisecond

	res, err := testRunner(3).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	var ok, incomplete int
	for _, r := range measured(res.Records) {
		switch {
		case r.OK():
			ok++
		case r.ErrorKind == FailIncomplete:
			incomplete++
		default:
			t.Errorf("request %d: %s (%s), want success or incomplete", r.Index, r.ErrorKind, r.Error)
		}
	}
	// Each worker completes one request at 200 ms and is cut in its second.
	if ok != 3 || incomplete != 3 {
		t.Errorf("ok = %d, incomplete = %d, want 3 and 3", ok, incomplete)
	}
	if res.Window != 300*time.Millisecond {
		t.Errorf("window = %v, want the 300ms duration", res.Window)
	}
}

func TestInterruptWaitsForGrace(t *testing.T) {
	t.Parallel()
	srv := newStreamServer(t, 150*time.Millisecond)
	cell := testCell(t, srv.URL)
	cell.Concurrency, cell.Requests = 2, 100

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	r := testRunner(2)
	r.Grace = time.Second
	res, err := r.RunCell(ctx, cell)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted {
		t.Error("result is not marked interrupted")
	}
	recs := measured(res.Records)
	if len(recs) != 2 {
		t.Fatalf("%d records, want the 2 in flight at the interrupt", len(recs))
	}
	for _, rec := range recs {
		if !rec.OK() {
			t.Errorf("request %d: %s, want it finished within the grace period", rec.Index, rec.ErrorKind)
		}
	}
}

func TestInterruptCancelsAfterGrace(t *testing.T) {
	t.Parallel()
	srv := newStreamServer(t, 5*time.Second)
	cell := testCell(t, srv.URL)
	cell.Concurrency, cell.Requests = 2, 10

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	r := testRunner(2)
	r.Grace = 100 * time.Millisecond
	res, err := r.RunCell(ctx, cell)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range measured(res.Records) {
		if rec.ErrorKind != FailCanceled {
			t.Errorf("request %d: kind %q, want %q", rec.Index, rec.ErrorKind, FailCanceled)
		}
	}
}

func TestRampStartsWorkersGradually(t *testing.T) {
	t.Parallel()
	srv := newStreamServer(t, 10*time.Millisecond)
	cell := testCell(t, srv.URL)
	cell.Concurrency, cell.Duration, cell.Ramp = 4, 400*time.Millisecond, 200*time.Millisecond

	res, err := testRunner(4).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	var early int
	for _, r := range measured(res.Records) {
		if r.Offset < 50*time.Millisecond {
			early++
		}
	}
	// Only worker 0 runs during the first 50 ms of a 200 ms ramp of four,
	// about five 10 ms requests; without the ramp there would be about 20.
	if early == 0 || early > 8 {
		t.Errorf("%d requests in the first 50ms, want about 5", early)
	}
	if res.SteadyFrom != 200*time.Millisecond {
		t.Errorf("steady state starts at %v, want the end of the ramp", res.SteadyFrom)
	}
}

func TestSameSeedSamePrompts(t *testing.T) {
	t.Parallel()
	cell := testCell(t, "http://127.0.0.1:1")
	cell.Workload.InputTokens = func(r *rand.Rand) int { return 20 + r.IntN(50) }
	a, b := planFor(cell, 3), planFor(cell, 3)
	if a.prompt.Text != b.prompt.Text || a.target != b.target {
		t.Error("the same seed and index gave different prompts")
	}
	if c := planFor(cell, 4); c.prompt.Text == a.prompt.Text {
		t.Error("two indexes gave the same prompt")
	}
	if a.prompt.Tokens != a.target {
		t.Errorf("prompt has %d tokens, want the sampled %d", a.prompt.Tokens, a.target)
	}
}

func TestSharedPrefix(t *testing.T) {
	t.Parallel()
	cell := testCell(t, "http://127.0.0.1:1")
	cell.Workload.InputTokens = fixedLength(200)
	cell.Workload.SharedPrefixTokens = 100
	a, b := planFor(cell, 1), planFor(cell, 2)
	common := 0
	for common < len(a.prompt.Text) && common < len(b.prompt.Text) && a.prompt.Text[common] == b.prompt.Text[common] {
		common++
	}
	// 100 shared words of 4-13 bytes each follow the instruction.
	if common < len(instruction)+400 {
		t.Errorf("prompts share %d bytes, want the instruction and about 100 words", common)
	}
	if a.prompt.Tokens != 200 {
		t.Errorf("prompt has %d tokens, want 200", a.prompt.Tokens)
	}
}
