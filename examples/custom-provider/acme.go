package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/infermark/infermark/providers"
)

// acme is a provider for "Acme Serve", an imaginary in-house API:
//
//	POST {base_url}/v2/generate
//	X-Acme-Token: {api_key}
//	{"text": "...", "limit": 64, "options": {...}}
//
// It answers with Server-Sent Events: "token" events {"t": "..."}, one
// "end" event {"reason", "tokens_in", "tokens_out"}, or a "fault" event
// {"what": "..."}. A provider only translates: the runner sends the
// request, times every event and hands each one to Decode.
type acme struct{}

func (acme) Name() string { return "acme" }

func (acme) NewRequest(ctx context.Context, ep providers.Endpoint, req providers.Request) (*http.Request, error) {
	base, err := url.Parse(ep.BaseURL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("acme: invalid base_url %q", ep.BaseURL)
	}
	body, err := json.Marshal(map[string]any{
		"text":    strings.TrimSpace(req.SystemPrompt + "\n" + req.Prompt),
		"limit":   req.MaxTokens,
		"options": req.Sampling,
	})
	if err != nil {
		return nil, fmt.Errorf("acme: encoding the request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, base.JoinPath("v2", "generate").String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "text/event-stream")
	if ep.APIKey != "" {
		hr.Header.Set("X-Acme-Token", ep.APIKey)
	}
	for k, v := range ep.Headers {
		hr.Header.Set(k, v)
	}
	return hr, nil
}

// Decode turns one event into a Chunk: text is output, "end" carries the
// usage and the finish reason, "fault" is an error inside the stream.
// Only an event that cannot be parsed returns an error.
func (acme) Decode(ev providers.Event) (providers.Chunk, error) {
	switch ev.Type {
	case "token":
		var t struct {
			Text string `json:"t"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &t); err != nil {
			return providers.Chunk{}, fmt.Errorf("acme: invalid token event %q: %w", ev.Data, err)
		}
		return providers.Chunk{Content: t.Text}, nil
	case "end":
		var e struct {
			Reason    string `json:"reason"`
			TokensIn  int    `json:"tokens_in"`
			TokensOut int    `json:"tokens_out"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			return providers.Chunk{}, fmt.Errorf("acme: invalid end event %q: %w", ev.Data, err)
		}
		return providers.Chunk{
			FinishReason: e.Reason,
			Usage:        &providers.Usage{PromptTokens: e.TokensIn, CompletionTokens: e.TokensOut},
			Done:         true,
		}, nil
	case "fault":
		return providers.Chunk{Err: &providers.StreamError{Type: "fault", Message: ev.Data}}, nil
	}
	return providers.Chunk{}, nil
}
