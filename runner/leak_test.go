package runner

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infermark/infermark/providers/mock"
)

// countingMock serves the mock with faults and counts the server side's
// open connections through a ConnState hook.
type countingMock struct {
	*httptest.Server
	open atomic.Int64
}

func startCountingMock(t *testing.T, faults mock.Faults) *countingMock {
	t.Helper()
	m := &countingMock{}
	handler := mock.New(mock.Config{Faults: faults})
	m.Server = httptest.NewUnstartedServer(handler)
	m.Listener = handler.WrapListener(m.Listener)
	m.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			m.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			m.open.Add(-1)
		}
	}
	m.Start()
	return m
}

// settle waits up to 10 s for done to hold, and reports whether it did.
func settle(done func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if done() {
			return true
		}
	}
	return done()
}

// TestNoLeaksUnderFaults sends 10,000 requests, a tenth of them faulted,
// and checks that every goroutine and connection is gone afterwards. It
// does not run in parallel, because it counts the process's goroutines.
func TestNoLeaksUnderFaults(t *testing.T) {
	before := runtime.NumGoroutine()

	// Each fault of the first mock strikes 50 times in 5,000 requests;
	// the second refuses 500 of 5,000 connections.
	streamFaults := []mock.Fault{
		mock.FaultRateLimit, mock.FaultServerError, mock.FaultReset, mock.FaultStreamError, mock.FaultCut,
		mock.FaultStall, mock.FaultEndless, mock.FaultBadJSON, mock.FaultLongLine, mock.FaultSlowFirstByte,
	}
	servers := []*countingMock{
		startCountingMock(t, mock.Faults{Kinds: streamFaults, Rate: 0.1, Delay: 3 * time.Second}),
		startCountingMock(t, mock.Faults{Kinds: []mock.Fault{mock.FaultRefuse}, Rate: 0.1}),
	}
	// Only limits that keep the runner on its own client are set, so that
	// closing that client's idle connections releases every connection.
	limits := Limits{IdleTimeout: time.Second, MaxEventBytes: 4096, MaxResponseBytes: 1 << 16}
	r := testRunner(32)
	kinds := map[string]int{}
	for _, srv := range servers {
		cell := testCell(t, srv.URL)
		cell.Concurrency, cell.Requests, cell.Limits, cell.Workload.OutputTokens = 32, 5000, limits, fixedLength(4)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		res, err := r.RunCell(ctx, cell)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if res.Interrupted {
			t.Fatal("the cell did not finish within 5 minutes")
		}
		for _, rec := range res.Records {
			kinds[rec.ErrorKind]++
		}
	}

	want := map[string]int{
		FailRateLimited: 50, FailHTTP5xx: 50, FailConnect: 50 + 500, FailStreamError: 50, FailTruncated: 50,
		FailIdleTimeout: 50, FailResponseTooLarge: 50, FailMalformed: 50, FailEventTooLarge: 50,
	}
	want[""] = 10_000 - 50*9 - 500
	for kind, n := range want {
		if kinds[kind] != n {
			t.Errorf("%d records of kind %q, want %d", kinds[kind], kind, n)
		}
	}
	if len(kinds) != len(want) {
		t.Errorf("record kinds %v, want only %v", kinds, want)
	}

	r.Client.CloseIdleConnections()
	for i, srv := range servers {
		if !settle(func() bool { return srv.open.Load() == 0 }) {
			t.Errorf("mock %d: %d connections still open after the run", i, srv.open.Load())
		}
		srv.Close()
	}
	if !settle(func() bool { return runtime.NumGoroutine() <= before }) {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the run, %d before; stacks:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
	}
}
