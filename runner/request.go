package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/tokens"
)

// maxErrorBody bounds how much of an error response is kept.
const maxErrorBody = 2048

// do sends one request and records what arrived and when. ctx is the
// phase's request context; phaseStart and scheduled place the request in
// its phase (scheduled is negative in a closed loop). A request that the
// server rejects for asking for usage (stream_options) is sent once more
// without it, and the record is that of the second attempt.
func (r *Runner) do(ctx context.Context, cell Cell, plan plannedRequest, phase Phase, phaseStart time.Time, scheduled time.Duration) Record {
	rec, rejected := r.attempt(ctx, cell, plan, phase, phaseStart, scheduled)
	if !rejected || ctx.Err() != nil {
		return rec
	}
	retry, _ := r.attempt(ctx, cell, plan, phase, phaseStart, scheduled)
	retry.Attempts += rec.Attempts
	retry.RetriedStatuses = append(append([]string{}, rec.RetriedStatuses...), statusText(rec.HTTPStatus))
	return retry
}

// attempt sends the request once, or several times with the cell's
// retries. rejectedUsage is true when the server rejected the request
// because it asked for usage.
func (r *Runner) attempt(ctx context.Context, cell Cell, plan plannedRequest, phase Phase, phaseStart time.Time, scheduled time.Duration) (_ Record, rejectedUsage bool) {
	rec := Record{
		CellID: cell.ID, Phase: phase, Index: plan.index, Scheduled: -1, Session: plan.session, Turn: plan.turn,
		RequestID:         fmt.Sprintf("%s-%d", r.RunID, r.seq.Add(1)),
		InputTokensTarget: plan.target, InputTokensClient: plan.prompt.Tokens,
		MaxTokens: plan.prompt.MaxTokens, ExpectedAnswer: plan.expected,
	}
	if plan.err != nil {
		rec.ErrorKind, rec.Error = FailRequest, plan.err.Error()
		return rec, false
	}
	timeoutCtx, cancelTimeout := context.WithTimeout(ctx, cell.Timeout)
	defer cancelTimeout()
	reqCtx, cancelReq := context.WithCancelCause(timeoutCtx)
	defer cancelReq(nil)

	requestedUsage := r.wantsUsage(cell.Target)
	req, trace, err := r.newRequest(reqCtx, cell, plan, rec.RequestID, requestedUsage)
	if err != nil {
		rec.ErrorKind, rec.Error = FailRequest, err.Error()
		return rec, false
	}

	rec.Send = time.Now()
	send := r.Clock.Now()
	trace.send = send
	rec.Offset = send.Sub(phaseStart)
	if scheduled >= 0 {
		rec.Scheduled, rec.ScheduleLag = scheduled, max(rec.Offset-scheduled, 0)
	}
	resp, err := r.send(req, cell, &rec)
	trace.fill(&rec)
	if err != nil {
		r.fail(&rec, ctx, reqCtx, FailConnect, err)
		return rec, false
	}
	defer resp.Body.Close()
	clock := streamClock{send: send}
	_, realClock := r.Clock.(SystemClock)
	if realClock {
		clock.stamps, clock.sendWall = trace.stampSource(), rec.Send
	}
	rec.Headers = clock.arrival(r.Clock.Now().Sub(send))
	// A retried request keeps its latencies from the send, because the
	// server caused the time between its attempts.
	if realClock && rec.Attempts <= 1 {
		// An HTTP/2 connection carries other streams' writes too, so only
		// an HTTP/1 connection's last write is this request's.
		rec.Written = min(trace.written(resp.ProtoMajor == 1), rec.Headers)
	}
	rec.HTTPStatus = resp.StatusCode

	body, ok, rejected := r.responseBody(resp, &rec, cell.Target, cell.Limits, func() { cancelReq(errIdleTimeout) })
	if !ok {
		return rec, rejected && requestedUsage
	}
	defer body.Close()
	var out streamText
	r.readStream(ctx, reqCtx, &rec, cell.Target.Provider, body, &clock, &out, cell.Limits)
	r.finish(&rec, &out, cell.Target)
	return rec, false
}

// statusText renders an HTTP status as retried_statuses lists it.
func statusText(code int) string { return fmt.Sprintf("%d %s", code, http.StatusText(code)) }

// newRequest builds the provider's request with infermark's headers and a
// connection trace.
func (r *Runner) newRequest(ctx context.Context, cell Cell, plan plannedRequest, requestID string, usage bool) (*http.Request, *connTrace, error) {
	req, err := cell.Target.Provider.NewRequest(ctx, cell.Target.Endpoint, providers.Request{
		Prompt: plan.prompt.Text, SystemPrompt: cell.Workload.SystemPrompt,
		MaxTokens: plan.prompt.MaxTokens, IgnoreEOS: cell.Workload.IgnoreEOS,
		StreamUsage: usage, Sampling: cell.Target.Sampling, History: plan.history,
	})
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("X-Request-Id", requestID)
	// Compression would hold events back in the server's compressor, so
	// identity is requested; a server that compresses anyway is decoded.
	req.Header.Set("Accept-Encoding", "identity")
	trace := &connTrace{}
	return req.WithContext(httptrace.WithClientTrace(req.Context(), trace.clientTrace())), trace, nil
}

// send sends req once, or with retries when the cell allows them.
func (r *Runner) send(req *http.Request, cell Cell, rec *Record) (*http.Response, error) {
	client, err := r.clientFor(cell.Limits, cell.Target.Transport)
	if err != nil {
		return nil, err
	}
	if cell.Retries > 0 {
		return r.sendWithRetries(client, req, cell.Retries, rec)
	}
	rec.Attempts = 1
	return client.Do(req)
}

// responseBody returns the body to decode: gunzipped when the server
// compressed it, bounded in size, and watched for idle gaps. It records an
// error status as a failure and returns false, with rejectedUsage true
// when the error rejects stream_options.
func (r *Runner) responseBody(resp *http.Response, rec *Record, target Target, limits Limits, onIdle func()) (_ io.ReadCloser, ok, rejectedUsage bool) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		rec.ErrorKind = httpFailure(resp.StatusCode)
		rec.Error = providers.NewHTTPError(resp, body, target.Endpoint.APIKey).Error()
		return nil, false, r.noteUsageRejection(target, resp.StatusCode, body)
	}
	body, err := decodedBody(resp)
	if err != nil {
		rec.ErrorKind, rec.Error = FailMalformed, err.Error()
		return nil, false, false
	}
	return newGuardedBody(body, limits, onIdle), true, false
}

// finish counts the generated text and fails a clean stream that produced
// nothing at all.
func (r *Runner) finish(rec *Record, out *streamText, target Target) {
	all := out.reasoning.String() + out.content.String()
	rec.OutputChars = len(all)
	// A session's next turn and the correctness check need this reply, so
	// their records keep it.
	if r.KeepText || rec.Session > 0 || rec.ExpectedAnswer != "" {
		rec.Text, rec.Reasoning = out.content.String(), out.reasoning.String()
	}
	if n, err := tokens.Count(all); err == nil {
		rec.ClientOutputTokens = n
	}
	if rec.OK() && len(rec.OutputAt) == 0 && rec.ServerOutputTokens == 0 {
		rec.ErrorKind, rec.Error = FailNoOutput, "the stream ended without any output"
	}
	if rec.OK() && target.StreamUsage == "on" && !rec.Usage {
		rec.ErrorKind, rec.Error = FailNoUsage, "the stream carried no usage although stream_usage is on"
	}
}

func httpFailure(status int) string {
	switch {
	case status >= 300 && status < 400:
		return FailRedirect
	case status == http.StatusTooManyRequests:
		return FailRateLimited
	case status == http.StatusServiceUnavailable:
		return FailUnavailable
	case status == 529:
		return FailOverloaded
	case status >= 500:
		return FailHTTP5xx
	}
	return FailHTTP4xx
}

type streamText struct{ content, reasoning strings.Builder }

// streamClock places a response's events after the request's send.
type streamClock struct {
	send time.Time
	// stamps, when set, holds the kernel's receive times of the
	// connection's reads; sendWall is the wall-clock reading of the send
	// that turns them into offsets.
	stamps   stampSource
	sendWall time.Time
	// lastStamped is the latest arrival taken from a kernel stamp.
	lastStamped time.Duration
}

// readStream reads chunks until the stream ends, stamping each
// output-bearing chunk on arrival, and collects the generated text.
func (r *Runner) readStream(ctx, reqCtx context.Context, rec *Record, p providers.Provider, body io.Reader, clock *streamClock, text *streamText, limits Limits) {
	stream := providers.OpenStream(p, body, limits.eventBytes())
	defer func() { rec.BytesRead = stream.BytesRead() }()
	for {
		chunk, err := stream.Next()
		now := r.Clock.Now().Sub(clock.send)
		if err != nil {
			rec.StreamEnd = now
			r.endStream(rec, ctx, reqCtx, err)
			return
		}
		decoded := now
		now = clock.arrival(now)
		// An event read without a stamp takes the client's later reading,
		// so a stamped event after it must not appear to come first.
		if n := len(rec.OutputAt); n > 0 {
			now = max(now, rec.OutputAt[n-1])
		}
		if chunk.HasOutput() {
			if clock.stamps != nil {
				rec.ReadDelay = max(rec.ReadDelay, decoded-now)
			}
			rec.OutputAt = append(rec.OutputAt, now)
			if chunk.Content != "" && rec.FirstAnswer == 0 {
				rec.FirstAnswer = now
			}
			text.reasoning.WriteString(chunk.Reasoning)
			text.content.WriteString(chunk.Content)
		}
		if chunk.Usage != nil {
			rec.Usage = true
			rec.ServerInputTokens = chunk.Usage.PromptTokens
			rec.ServerOutputTokens = chunk.Usage.CompletionTokens
			rec.ServerReasoningTokens = chunk.Usage.ReasoningTokens
		}
		if chunk.FinishReason != "" {
			rec.FinishReason = chunk.FinishReason
		}
		if chunk.Err != nil {
			rec.StreamEnd = now
			rec.ErrorKind, rec.Error = FailStreamError, chunk.Err.Error()
			return
		}
		if chunk.Done {
			rec.StreamEnd = now
			rec.SawDone = true
			return
		}
	}
}

// endStream classifies the error that ended a stream. A clean end of body
// is a success only after a finish reason or usage, because a server that
// dies mid-answer also closes its body cleanly.
func (r *Runner) endStream(rec *Record, ctx, reqCtx context.Context, err error) {
	var decodeErr *providers.DecodeError
	switch {
	case errors.Is(err, io.EOF):
		if rec.FinishReason == "" && !rec.Usage {
			rec.ErrorKind = FailTruncated
			rec.Error = "the stream ended without a finish reason, usage or end marker"
		}
	case errors.As(err, &decodeErr):
		rec.ErrorKind, rec.Error = FailMalformed, err.Error()
	case errors.Is(err, providers.ErrLineTooLong), errors.Is(err, providers.ErrEventTooLarge):
		rec.ErrorKind, rec.Error = FailEventTooLarge, err.Error()
	case errors.Is(err, errResponseTooLarge):
		rec.ErrorKind, rec.Error = FailResponseTooLarge, err.Error()
	default:
		r.fail(rec, ctx, reqCtx, FailTruncated, err)
	}
}

// fail classifies err: the end of the phase, the run's interruption and
// the request's timeouts take precedence over the kind the caller saw.
func (r *Runner) fail(rec *Record, phaseCtx, reqCtx context.Context, kind string, err error) {
	var netErr net.Error
	switch {
	case errors.Is(context.Cause(phaseCtx), errPhaseEnded):
		kind = FailIncomplete
	case phaseCtx.Err() != nil:
		kind = FailCanceled
	case errors.Is(context.Cause(reqCtx), errIdleTimeout):
		kind, err = FailIdleTimeout, fmt.Errorf("%w: %w", errIdleTimeout, err)
	case errors.Is(reqCtx.Err(), context.DeadlineExceeded):
		kind = FailTimeout
	case isHeaderTimeout(err):
		kind = FailFirstByteTimeout
	case errors.As(err, &netErr) && netErr.Timeout() && isDial(err):
		kind = FailConnectTimeout
	}
	rec.ErrorKind = kind
	rec.Error = redactURL(err.Error())
}

// wantsUsage reports whether a request to t asks for a usage chunk.
func (r *Runner) wantsUsage(t Target) bool {
	if t.StreamUsage == "off" {
		return false
	}
	_, rejected := r.noUsage.Load(t.Name)
	return t.StreamUsage == "on" || !rejected
}

// noteUsageRejection remembers a target that rejected stream_options, so
// that auto mode stops sending it, and reports whether this response was
// such a rejection.
func (r *Runner) noteUsageRejection(t Target, status int, body []byte) bool {
	if t.StreamUsage == "on" || t.StreamUsage == "off" || (status != http.StatusBadRequest && status != http.StatusUnprocessableEntity) {
		return false
	}
	if !strings.Contains(strings.ToLower(string(body)), "stream_options") {
		return false
	}
	if _, seen := r.noUsage.LoadOrStore(t.Name, true); !seen {
		r.Logger.Warn("the server rejected stream_options; retrying without it and sending later requests without it, so output tokens come from the tokenizer",
			"endpoint", t.Name, "status", status)
	}
	return true
}
