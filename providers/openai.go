package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// openAI implements the OpenAI-compatible streaming APIs that vLLM, SGLang,
// llama.cpp, Ollama and OpenAI itself serve: chat completions, whose chunks
// carry choices[].delta, and legacy completions, whose chunks carry
// choices[].text.
type openAI struct {
	name string
	path string // appended to Endpoint.BaseURL
	chat bool
}

func init() {
	register(openAI{name: "openai-chat", path: "chat/completions", chat: true})
	register(openAI{name: "openai-completions", path: "completions"})
}

func (p openAI) Name() string { return p.name }

// NewRequest builds a POST to BaseURL + "/chat/completions" or
// "/completions" with a streaming JSON body. BaseURL is used as given, so
// it normally ends in "/v1".
func (p openAI) NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error) {
	target, err := p.url(ep.BaseURL)
	if err != nil {
		return nil, err
	}
	body, err := p.body(ep, req)
	if err != nil {
		return nil, err
	}

	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: building the request for %q failed: %w", p.name, target, err)
	}
	if err := setHeaders(hr, ep); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	return hr, nil
}

// url joins the base URL and the API path without doubling slashes.
func (p openAI) url(base string) (string, error) {
	if base == "" {
		return "", fmt.Errorf("%s: missing base_url; set it to the server's API root, such as \"http://127.0.0.1:8000/v1\"", p.name)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%s: invalid base_url %q: %w", p.name, base, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s: invalid base_url %q: it must start with http:// or https:// and name a host", p.name, base)
	}
	return u.JoinPath(p.path).String(), nil
}

// body encodes the request body. Sampling keys are merged last, and one
// that names a field this function already set is rejected rather than
// allowed to change the request's meaning.
func (p openAI) body(ep Endpoint, req Request) ([]byte, error) {
	if req.IgnoreEOS && req.MaxTokens <= 0 {
		return nil, fmt.Errorf("%s: ignore_eos needs a positive max_tokens, got %d; set the output length or turn ignore_eos off", p.name, req.MaxTokens)
	}

	fields := map[string]any{
		"model":  ep.Model,
		"stream": true,
	}
	if p.chat {
		fields["messages"] = chatMessages(req)
	} else {
		fields["prompt"] = req.Prompt
	}
	if req.MaxTokens > 0 {
		fields["max_tokens"] = req.MaxTokens
	}
	if req.StreamUsage {
		fields["stream_options"] = map[string]any{"include_usage": true}
	}
	if req.IgnoreEOS {
		fields["ignore_eos"] = true
		fields["min_tokens"] = req.MaxTokens
	}

	for key, value := range req.Sampling {
		if _, alreadySet := fields[key]; alreadySet {
			return nil, fmt.Errorf("%s: sampling key %q conflicts with the request field of that name, which infermark sets itself; remove %q from sampling", p.name, key, key)
		}
		fields[key] = value
	}

	body, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the request body failed: %w; check the sampling values", p.name, err)
	}
	return body, nil
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func chatMessages(req Request) []chatMessage {
	msgs := make([]chatMessage, 0, 2)
	if req.SystemPrompt != "" {
		msgs = append(msgs, chatMessage{Role: "system", Content: req.SystemPrompt})
	}
	return append(msgs, chatMessage{Role: "user", Content: req.Prompt})
}

// setHeaders sets the JSON and SSE headers, the bearer credential and then
// the endpoint's own headers, which may replace the first two.
func setHeaders(hr *http.Request, ep Endpoint) error {
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "text/event-stream")
	if ep.APIKey != "" {
		hr.Header.Set("Authorization", "Bearer "+ep.APIKey)
	}

	for name, value := range ep.Headers {
		canonical := http.CanonicalHeaderKey(name)
		if canonical == "Authorization" && ep.APIKey != "" {
			return errors.New("both api_key and an Authorization header are set; keep only one of them")
		}
		if canonical == "Host" {
			// net/http ignores a Host entry in Header.
			hr.Host = value
			continue
		}
		hr.Header.Set(canonical, value)
	}
	return nil
}
