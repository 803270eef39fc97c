package runner

import (
	"context"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/infermark/infermark/providers"
)

// Retry waits when the server names none: exponential from retryWaitMin,
// capped at retryWaitMax, which also caps a server's Retry-After.
const (
	retryWaitMin = 500 * time.Millisecond
	retryWaitMax = 30 * time.Second
)

// retryable reports whether a response or a transport error is worth
// another attempt. Only failures before the first response byte are
// retried: a connection error, 429, 503 or 529. A stream that started is
// never sent again, because its timing would then be two requests'.
func retryable(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, 529:
		return true, nil
	}
	return false, nil
}

// retryWait honours the server's Retry-After, else backs off exponentially.
func retryWait(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if wait, ok := providers.RetryAfter(resp); ok {
		return min(wait, hi)
	}
	return retryablehttp.DefaultBackoff(lo, hi, attempt, nil)
}

// attempts counts the tries of one request and keeps the status or error
// of each failed one.
type attempts struct {
	n      int
	failed []string
}

// sendWithRetries sends req through a go-retryablehttp client that retries
// up to max times, recording every attempt in rec.
func (r *Runner) sendWithRetries(httpClient *http.Client, req *http.Request, max int, rec *Record) (*http.Response, error) {
	var log attempts
	client := &retryablehttp.Client{
		HTTPClient: httpClient, RetryMax: max, RetryWaitMin: retryWaitMin, RetryWaitMax: retryWaitMax,
		CheckRetry: retryable, Backoff: retryWait, ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, attempt int) { log.n = attempt + 1 },
		ResponseLogHook: func(_ retryablehttp.Logger, resp *http.Response) {
			if resp.StatusCode >= 400 {
				log.failed = append(log.failed, resp.Status)
			}
		},
	}
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(rreq)
	rec.Attempts = log.n
	rec.RetriedStatuses = log.failed
	if resp != nil && resp.StatusCode < 400 && len(log.failed) > 0 {
		r.Logger.Info("request succeeded after retries", "cell", rec.CellID, "request_id", rec.RequestID, "attempt", log.n)
	}
	return resp, err
}
