package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// queueServer streams two tokens after a first-token delay of step times
// the requests in flight, like a server whose prefill queue grows with load.
func queueServer(t *testing.T, step time.Duration) *httptest.Server {
	t.Helper()
	var inFlight atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		time.Sleep(time.Duration(n) * step)
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n")
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" b\"},\"finish_reason\":\"length\"}]}\n\n")
		fmt.Fprint(w, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFindMaxConcurrency(t *testing.T) {
	t.Parallel()
	// With 20 ms per request in flight, concurrency 5 waits 100 ms for its
	// first token and 6 waits 120 ms, so an SLO of 110 ms allows 5.
	srv := queueServer(t, 20*time.Millisecond)
	path := writeSuite(t, srv.URL+"/v1", "")
	// Enough requests per probe that nearly all of them see the full
	// concurrency in flight.
	replaceInFile(t, path, "requests: 8", "requests: 40")
	res := runApp(t, context.Background(), "run", "--no-progress", "--find", "max-concurrency", "--slo", "ttft_ms.p50 < 110", "--find-max", "64", path)
	if res.code != ExitPass {
		t.Fatalf("exit code = %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	want := `highest concurrency meeting the SLO "ttft_ms.p50 < 110": 5 (proof: mock/tiny/find-c5; 6 misses it: mock/tiny/find-c6)`
	if !strings.Contains(res.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
	}
	// Each probe's records carry the probe's identity.
	for _, l := range readLines(t, filepath.Join(runFolder(t, path), "requests.jsonl")) {
		if id := l["cell_id"].(string); id == "mock/tiny/find-c6" && l["concurrency"].(float64) != 6 {
			t.Errorf("record of %s has concurrency %v, want 6", id, l["concurrency"])
		}
	}
	// Doubling tries 1, 2, 4, 8; bisection then tries 6 and 5.
	for _, probe := range []string{"find-c1 ", "find-c2 ", "find-c4 ", "find-c8 ", "find-c6 ", "find-c5 "} {
		if !strings.Contains(res.stdout, probe) {
			t.Errorf("sweep table lacks the probe %s:\n%s", probe, res.stdout)
		}
	}
}

func TestFindNeedsSLO(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "run", "--find", "max-concurrency", writeSuite(t, fastMock, ""))
	if res.code != ExitUsage || !strings.Contains(res.stderr, "--find needs --slo") {
		t.Errorf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
}

func TestFindRejectsBadSLO(t *testing.T) {
	t.Parallel()
	res := runApp(t, context.Background(), "run", "--find", "max-rate", "--slo", "ttft_ms.p95 <", writeSuite(t, fastMock, ""))
	if res.code != ExitUsage || !strings.Contains(res.stderr, `invalid --slo "ttft_ms.p95 <"`) {
		t.Errorf("exit code %d, stderr:\n%s", res.code, res.stderr)
	}
}

func replaceInFile(t *testing.T, path, old, repl string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, repl, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
