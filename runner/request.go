package runner

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/tokens"
)

const (
	// maxEventLine bounds one SSE line; longer lines fail the request.
	maxEventLine = 4 << 20
	// maxErrorBody bounds how much of an error response is kept.
	maxErrorBody = 2048
)

// do sends one request and records what arrived and when. ctx is the
// phase's request context; phaseStart and scheduled place the request in
// its phase (scheduled is negative in a closed loop).
func (r *Runner) do(ctx context.Context, cell Cell, plan plannedRequest, phase Phase, phaseStart time.Time, scheduled time.Duration) Record {
	rec := Record{
		CellID: cell.ID, Phase: phase, Index: plan.index, Scheduled: -1,
		RequestID:         fmt.Sprintf("%s-%d", r.RunID, r.seq.Add(1)),
		InputTokensTarget: plan.target, InputTokensClient: plan.prompt.Tokens,
		MaxTokens: plan.prompt.MaxTokens,
	}
	if plan.err != nil {
		rec.ErrorKind, rec.Error = FailRequest, plan.err.Error()
		return rec
	}
	reqCtx, cancel := context.WithTimeout(ctx, cell.Timeout)
	defer cancel()

	req, err := cell.Target.Provider.NewRequest(reqCtx, cell.Target.Endpoint, providers.Request{
		Prompt: plan.prompt.Text, SystemPrompt: cell.Workload.SystemPrompt,
		MaxTokens: plan.prompt.MaxTokens, IgnoreEOS: cell.Workload.IgnoreEOS,
		StreamUsage: true, Sampling: cell.Target.Sampling,
	})
	if err != nil {
		rec.ErrorKind, rec.Error = FailRequest, err.Error()
		return rec
	}
	req.Header.Set("X-Request-Id", rec.RequestID)
	// Compression would hold events back in the server's compressor, so
	// identity is requested; a server that compresses anyway is decoded.
	req.Header.Set("Accept-Encoding", "identity")

	trace := &connTrace{}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace.clientTrace()))

	rec.Send = time.Now()
	send := r.Clock.Now()
	trace.send = send
	rec.Offset = send.Sub(phaseStart)
	if scheduled >= 0 {
		rec.Scheduled, rec.ScheduleLag = scheduled, max(rec.Offset-scheduled, 0)
	}
	resp, err := r.Client.Do(req)
	trace.fill(&rec)
	if err != nil {
		r.fail(&rec, ctx, reqCtx, FailConnect, err)
		return rec
	}
	defer resp.Body.Close()
	rec.Headers = r.Clock.Now().Sub(send)
	rec.HTTPStatus = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		rec.ErrorKind = httpFailure(resp.StatusCode)
		rec.Error = fmt.Sprintf("HTTP %d from %s %s: %s", resp.StatusCode, req.Method, redactURL(req.URL.String()), strings.TrimSpace(string(body)))
		return rec
	}
	body, err := decodedBody(resp)
	if err != nil {
		rec.ErrorKind, rec.Error = FailMalformed, err.Error()
		return rec
	}

	var out streamText
	r.readStream(ctx, reqCtx, &rec, cell.Target.Provider, body, send, &out)
	r.finish(&rec, &out)
	return rec
}

// finish counts the generated text and fails a clean stream that produced
// nothing at all.
func (r *Runner) finish(rec *Record, out *streamText) {
	all := out.reasoning.String() + out.content.String()
	rec.OutputChars = len(all)
	if r.KeepText {
		rec.Text, rec.Reasoning = out.content.String(), out.reasoning.String()
	}
	if n, err := tokens.Count(all); err == nil {
		rec.ClientOutputTokens = n
	}
	if rec.OK() && len(rec.OutputAt) == 0 && rec.ServerOutputTokens == 0 {
		rec.ErrorKind, rec.Error = FailNoOutput, "the stream ended without any output"
	}
}

// decodedBody returns the response body, gunzipped when the server
// compressed it although identity was requested.
func decodedBody(resp *http.Response) (io.Reader, error) {
	if !strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		return resp.Body, nil
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invalid gzip response body: %w", err)
	}
	return zr, nil
}

func httpFailure(status int) string {
	switch {
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

// readStream decodes events until the stream ends, stamping each
// output-bearing event on arrival, and collects the generated text.
func (r *Runner) readStream(ctx, reqCtx context.Context, rec *Record, p providers.Provider, body io.Reader, send time.Time, text *streamText) {
	dec := providers.NewDecoder(body, maxEventLine)
	defer func() { rec.BytesRead = dec.BytesRead() }()
	for {
		ev, err := dec.Next()
		now := r.Clock.Now().Sub(send)
		if err != nil {
			rec.StreamEnd = now
			if !errors.Is(err, io.EOF) {
				r.fail(rec, ctx, reqCtx, FailTruncated, err)
			} else if rec.FinishReason == "" && !rec.Usage {
				rec.ErrorKind = FailTruncated
				rec.Error = "the stream ended without a finish reason, usage or end marker"
			}
			return
		}
		chunk, err := p.Decode(ev)
		if err != nil {
			rec.StreamEnd = now
			rec.ErrorKind, rec.Error = FailMalformed, err.Error()
			return
		}
		if chunk.HasOutput() {
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

// fail classifies err: the end of the phase, the run's interruption and
// the request's timeout take precedence over the kind the caller saw.
func (r *Runner) fail(rec *Record, phaseCtx, reqCtx context.Context, kind string, err error) {
	switch {
	case errors.Is(context.Cause(phaseCtx), errPhaseEnded):
		kind = FailIncomplete
	case phaseCtx.Err() != nil:
		kind = FailCanceled
	case errors.Is(reqCtx.Err(), context.DeadlineExceeded):
		kind = FailTimeout
	}
	rec.ErrorKind = kind
	rec.Error = redactURL(err.Error())
}
