package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scriptedServer runs script for every request after reading its body.
func scriptedServer(t *testing.T, script func(w http.ResponseWriter, r *http.Request)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		script(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sleepOrDone waits d or until the client went away.
func sleepOrDone(r *http.Request, d time.Duration) {
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
}

func runOne(t *testing.T, url string, limits Limits) Record {
	t.Helper()
	cell := testCell(t, url)
	cell.Concurrency, cell.Requests, cell.Limits, cell.Timeout = 1, 1, limits, 5*time.Second
	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	return res.Records[0]
}

const contentEvent = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"

func TestLimitsClassifyFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		limits Limits
		script func(w http.ResponseWriter, r *http.Request)
		want   string
	}{
		{"idle stream", Limits{IdleTimeout: 100 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, contentEvent)
			w.(http.Flusher).Flush()
			sleepOrDone(r, 3*time.Second)
		}, FailIdleTimeout},
		{"slow headers", Limits{FirstByteTimeout: 100 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			sleepOrDone(r, 3*time.Second)
		}, FailFirstByteTimeout},
		{"huge event", Limits{MaxEventBytes: 1024}, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "data: "+strings.Repeat("x", 4096)+"\n\n")
		}, FailEventTooLarge},
		{"huge body", Limits{MaxResponseBytes: 2048}, func(w http.ResponseWriter, r *http.Request) {
			for range 100 {
				fmt.Fprint(w, contentEvent)
			}
		}, FailResponseTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rec := runOne(t, scriptedServer(t, c.script), c.limits)
			if rec.ErrorKind != c.want {
				t.Errorf("kind = %q (%s), want %q", rec.ErrorKind, rec.Error, c.want)
			}
		})
	}
}

func TestTotalTimeout(t *testing.T) {
	t.Parallel()
	url := scriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for range 100 {
			fmt.Fprint(w, contentEvent)
			w.(http.Flusher).Flush()
			sleepOrDone(r, 50*time.Millisecond)
		}
	})
	cell := testCell(t, url)
	cell.Concurrency, cell.Requests, cell.Timeout = 1, 1, 200*time.Millisecond
	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	if rec := res.Records[0]; rec.ErrorKind != FailTimeout {
		t.Errorf("kind = %q (%s), want %q", rec.ErrorKind, rec.Error, FailTimeout)
	}
}

func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	// Port 1 on loopback has no listener.
	rec := runOne(t, "http://127.0.0.1:1", Limits{})
	if rec.ErrorKind != FailConnect || !strings.Contains(rec.Error, "connection refused") {
		t.Errorf("kind = %q (%s), want %q with the cause", rec.ErrorKind, rec.Error, FailConnect)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	target := scriptedServer(t, func(w http.ResponseWriter, r *http.Request) { followed.Store(true) })
	url := scriptedServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+"/v1/chat/completions", http.StatusTemporaryRedirect)
	})
	cell := testCell(t, url)
	cell.Target.Endpoint.APIKey = "sk-redirect-secret"
	cell.Concurrency, cell.Requests = 1, 1
	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	if rec := res.Records[0]; rec.ErrorKind != FailRedirect || rec.HTTPStatus != http.StatusTemporaryRedirect {
		t.Errorf("kind = %q, status %d; want %q 307", rec.ErrorKind, rec.HTTPStatus, FailRedirect)
	}
	if followed.Load() {
		t.Error("the redirect was followed")
	}
}
