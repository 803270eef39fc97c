package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// tgi implements Hugging Face text-generation-inference's native
// POST /generate_stream, which Hugging Face Inference Endpoints also serve.
// (TGI's OpenAI-compatible Messages API is openai-chat.)
//
// Each event is one token: {"index", "token": {"id", "text", "logprob",
// "special"}, "generated_text": null, "details": null}. The last event
// also carries the whole generated_text and details {"finish_reason",
// "generated_tokens", "seed", "input_length"}; no "[DONE]" follows. An
// error is {"error": "...", "error_type": "..."}. Servers write "data:"
// with or without a space, which the SSE decoder accepts either way.
type tgi struct{}

func init() { register(tgi{}) }

func (tgi) Name() string { return "tgi" }

// NewRequest builds a POST to BaseURL + "/generate_stream"; BaseURL is the
// server's root, such as "http://127.0.0.1:8080", with no "/v1". The body
// is {"inputs", "parameters": {"max_new_tokens", "details": true, ...}}:
// sampling keys go into parameters, because that is where TGI reads
// temperature, top_p and the rest. The native API has no system role, so
// a system prompt is put before the prompt, separated by a blank line,
// and it has no ignore_eos, so IgnoreEOS is not sent.
func (p tgi) NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error) {
	const name = "tgi"
	target, err := joinURL(name, ep.BaseURL, "generate_stream", "http://127.0.0.1:8080")
	if err != nil {
		return nil, err
	}
	if err := requireCredential(name, ep, bearerAuth); err != nil {
		return nil, err
	}

	params := map[string]any{"details": true}
	if req.MaxTokens > 0 {
		params["max_new_tokens"] = req.MaxTokens
	}
	if err := mergeSampling(name, params, req.Sampling); err != nil {
		return nil, err
	}
	inputs := req.Transcript()
	if req.SystemPrompt != "" {
		inputs = req.SystemPrompt + "\n\n" + inputs
	}
	body, err := encodeBody(name, map[string]any{"inputs": inputs, "parameters": params})
	if err != nil {
		return nil, err
	}
	return newPost(ctx, name, target, body, ep, bearerAuth)
}

// tokenEvent is one token of TGI's stream, or of an LMI container's, whose
// objects differ in a few names: LMI writes "special_token" for
// "special", has no input_length, and reports an error during generation
// as finish_reason "error"; its validation errors are {"error", "code"}.
type tokenEvent struct {
	Token *struct {
		Text         string `json:"text"`
		Special      bool   `json:"special"`
		SpecialToken bool   `json:"special_token"`
	} `json:"token"`
	GeneratedText *string `json:"generated_text"`
	Details       *struct {
		FinishReason    string `json:"finish_reason"`
		GeneratedTokens *int   `json:"generated_tokens"`
		InputLength     int    `json:"input_length"`
	} `json:"details"`
	Error     *string         `json:"error"`
	ErrorType string          `json:"error_type"`
	Code      json.RawMessage `json:"code"`
}

// Decode interprets one event. A special token, such as the end-of-sequence
// token "</s>", is output for timing but not text. The event that carries
// generated_text is the last one and sets Done; its details give the
// usage, where generated_tokens counts the end-of-sequence token too.
func (p tgi) Decode(ev Event) (Chunk, error) {
	return decodeTokenEvent("tgi", ev.Data)
}

// decodeTokenEvent interprets one TGI or LMI token object.
func decodeTokenEvent(provider, data string) (Chunk, error) {
	data = strings.TrimSpace(data)
	if data == "" {
		return Chunk{}, nil
	}
	var e tokenEvent
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return Chunk{}, fmt.Errorf("%s: invalid JSON in stream event %q: %w; the server did not send a text-generation-inference token event", provider, quoteData(data), err)
	}
	if e.Error != nil {
		return Chunk{Err: &StreamError{Type: e.ErrorType, Code: codeString(e.Code), Message: *e.Error}}, nil
	}
	if d := e.Details; d != nil && d.FinishReason == "error" {
		return Chunk{Err: &StreamError{Type: "generation", Message: "the model server reported an error during generation (finish_reason \"error\")"}}, nil
	}

	var c Chunk
	if t := e.Token; t != nil {
		if t.Special || t.SpecialToken || t.Text == "" {
			c.HiddenToken = true
		} else {
			c.Content = t.Text
		}
	}
	if d := e.Details; d != nil {
		c.FinishReason = d.FinishReason
		if d.GeneratedTokens != nil {
			c.Usage = &Usage{PromptTokens: d.InputLength, CompletionTokens: *d.GeneratedTokens}
		}
	}
	c.Done = e.GeneratedText != nil
	return c, nil
}
