package providers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// openAI implements the OpenAI-compatible streaming APIs that vLLM, SGLang,
// llama.cpp, Ollama and OpenAI itself serve: chat completions, whose chunks
// carry choices[].delta, and legacy completions, whose chunks carry
// choices[].text. azure-openai is chat completions with the key in an
// api-key header, as Azure OpenAI expects it.
type openAI struct {
	name string
	path string // appended to Endpoint.BaseURL
	chat bool
	// auth is the key's header. The zero value means a bearer token.
	auth auth
	// check, when set, validates the base URL further.
	check func(base string) error
}

func init() {
	register(openAI{name: "openai-chat", path: "chat/completions", chat: true})
	register(openAI{name: "openai-completions", path: "completions"})
	register(openAI{name: "azure-openai", path: "chat/completions", chat: true, auth: auth{header: "Api-Key"}, check: checkAzureBase})
}

// checkAzureBase requires the api-version query of Azure OpenAI's
// deployment URL form, ".../openai/deployments/{deployment}?api-version=...",
// which Azure refuses requests without. The v1 form, ".../openai/v1",
// takes none.
func checkAzureBase(base string) error {
	u, err := url.Parse(base)
	if err != nil || !strings.Contains(u.Path, "/deployments/") || u.Query().Has("api-version") {
		return nil
	}
	return fmt.Errorf("azure-openai: base_url %q is a deployment URL without ?api-version=...; add one, such as %q", u.Redacted(), u.Redacted()+"?api-version=2024-10-21")
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
	if err := requireCredential(p.name, ep, p.authStyle()); err != nil {
		return nil, err
	}
	body, err := p.body(ep, req)
	if err != nil {
		return nil, err
	}
	return newPost(ctx, p.name, target, body, ep, p.authStyle())
}

func (p openAI) authStyle() auth {
	if p.auth.header != "" {
		return p.auth
	}
	return bearerAuth
}

// url joins the base URL and the API path without doubling slashes.
func (p openAI) url(base string) (string, error) {
	target, err := joinURL(p.name, base, p.path, "http://127.0.0.1:8000/v1")
	if err != nil || p.check == nil {
		return target, err
	}
	return target, p.check(base)
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
		fields["prompt"] = req.Transcript()
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

	if err := mergeSampling(p.name, fields, req.Sampling); err != nil {
		return nil, err
	}
	return encodeBody(p.name, fields)
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func chatMessages(req Request) []chatMessage {
	msgs := make([]chatMessage, 0, 2+len(req.History))
	if req.SystemPrompt != "" {
		msgs = append(msgs, chatMessage{Role: "system", Content: req.SystemPrompt})
	}
	return append(msgs, turns(req)...)
}
