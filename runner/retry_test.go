package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// flakyServer answers 429 with a 50 ms retry-after-ms to the first
// failures requests, then streams a short answer.
func flakyServer(t *testing.T, failures int64) *httptest.Server {
	t.Helper()
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if seen.Add(1) <= failures {
			w.Header().Set("Retry-After-Ms", "50")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"slow down"}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRetriesRecordEveryAttempt(t *testing.T) {
	t.Parallel()
	cell := testCell(t, flakyServer(t, 2).URL)
	cell.Concurrency, cell.Requests, cell.Retries = 1, 1, 3

	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Records[0]
	if !rec.OK() {
		t.Fatalf("request failed: %s", rec.Error)
	}
	if rec.Attempts != 3 || len(rec.RetriedStatuses) != 2 {
		t.Errorf("attempts = %d, retried = %v; want 3 attempts and two 429s", rec.Attempts, rec.RetriedStatuses)
	}
	// Two waits of 50 ms come before the first token.
	if rec.OutputAt[0] < 100*time.Millisecond {
		t.Errorf("TTFT = %v, want at least the 100ms of waiting", rec.OutputAt[0])
	}
}

func TestRetriesOffByDefault(t *testing.T) {
	t.Parallel()
	cell := testCell(t, flakyServer(t, 1).URL)
	cell.Concurrency, cell.Requests = 1, 1

	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Records[0]
	if rec.ErrorKind != FailRateLimited || rec.Attempts != 1 {
		t.Errorf("kind = %q, attempts = %d; want %q after 1 attempt", rec.ErrorKind, rec.Attempts, FailRateLimited)
	}
}

func TestRetriesGiveUp(t *testing.T) {
	t.Parallel()
	cell := testCell(t, flakyServer(t, 10).URL)
	cell.Concurrency, cell.Requests, cell.Retries = 1, 1, 2

	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Records[0]
	if rec.ErrorKind != FailRateLimited || rec.Attempts != 3 {
		t.Errorf("kind = %q, attempts = %d; want %q after 3 attempts", rec.ErrorKind, rec.Attempts, FailRateLimited)
	}
}
