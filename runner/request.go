package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// do sends one request and records what arrived and when.
func (r *Runner) do(ctx context.Context, cell Cell, plan plannedRequest, phase Phase) Record {
	rec := Record{
		CellID: cell.ID, Phase: phase, Index: plan.index,
		RequestID:         fmt.Sprintf("%s-%d", r.RunID, r.seq.Add(1)),
		InputTokensTarget: plan.target, InputTokensClient: plan.prompt.Tokens,
		MaxTokens: plan.prompt.MaxTokens,
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

	rec.Send = time.Now()
	send := r.Clock.Now()
	resp, err := r.Client.Do(req)
	if err != nil {
		r.fail(&rec, ctx, reqCtx, FailConnect, err)
		return rec
	}
	defer resp.Body.Close()
	rec.Headers = r.Clock.Now().Sub(send)
	rec.HTTPStatus = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		rec.ErrorKind = FailHTTP
		rec.Error = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
		return rec
	}

	text := r.readStream(ctx, reqCtx, &rec, cell.Target.Provider, resp.Body, send)
	rec.OutputChars = len(text)
	if r.KeepText {
		rec.Text = text
	}
	if n, err := tokens.Count(text); err == nil {
		rec.ClientOutputTokens = n
	}
	return rec
}

// readStream decodes events until the stream ends, stamping each
// output-bearing event on arrival. It returns the generated text.
func (r *Runner) readStream(ctx, reqCtx context.Context, rec *Record, p providers.Provider, body io.Reader, send time.Time) string {
	var text strings.Builder
	dec := providers.NewDecoder(body, maxEventLine)
	defer func() { rec.BytesRead = dec.BytesRead() }()
	for {
		ev, err := dec.Next()
		now := r.Clock.Now().Sub(send)
		if err != nil {
			rec.StreamEnd = now
			if !errors.Is(err, io.EOF) {
				r.fail(rec, ctx, reqCtx, FailTruncated, err)
			}
			return text.String()
		}
		chunk, err := p.Decode(ev)
		if err != nil {
			rec.StreamEnd = now
			rec.ErrorKind, rec.Error = FailMalformed, err.Error()
			return text.String()
		}
		if chunk.HasOutput() {
			rec.OutputAt = append(rec.OutputAt, now)
			if chunk.Content != "" && rec.FirstAnswer == 0 {
				rec.FirstAnswer = now
			}
			text.WriteString(chunk.Reasoning)
			text.WriteString(chunk.Content)
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
			return text.String()
		}
		if chunk.Done {
			rec.StreamEnd = now
			rec.SawDone = true
			return text.String()
		}
	}
}

// fail classifies err: the run's interruption and the request's timeout
// take precedence over the kind the caller saw.
func (r *Runner) fail(rec *Record, runCtx, reqCtx context.Context, kind string, err error) {
	switch {
	case runCtx.Err() != nil:
		kind = FailCanceled
	case errors.Is(reqCtx.Err(), context.DeadlineExceeded):
		kind = FailTimeout
	}
	rec.ErrorKind = kind
	rec.Error = redactURL(err.Error())
}
