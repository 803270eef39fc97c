package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// anthropic implements Anthropic's Messages API with stream: true, which
// api.anthropic.com serves and which LiteLLM, vLLM and llama.cpp's server
// also accept on /v1/messages.
//
// The stream names every event. message_start carries the input tokens
// and a placeholder output count; content_block_start, _delta and _stop
// carry text, thinking and tool-input deltas; message_delta carries the
// stop reason and the final output count beside (not inside) its delta;
// message_stop ends the stream; ping and unknown events carry nothing; an
// error event carries {"error": {"type", "message"}}.
type anthropic struct{}

// anthropicVersion is sent as anthropic-version unless the endpoint's
// headers set another.
const anthropicVersion = "2023-06-01"

var anthropicAuth = auth{header: "X-Api-Key"}

func init() { register(anthropic{}) }

func (anthropic) Name() string { return "anthropic" }

// NewRequest builds a POST to BaseURL + "/messages"; BaseURL normally ends
// in "/v1", as in "https://api.anthropic.com/v1". The key goes in
// x-api-key. The Messages API requires max_tokens, so a request without an
// output length is refused. It has no ignore_eos, so IgnoreEOS is not sent.
func (p anthropic) NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error) {
	const name = "anthropic"
	target, err := joinURL(name, ep.BaseURL, "messages", "https://api.anthropic.com/v1")
	if err != nil {
		return nil, err
	}
	if err := requireCredential(name, ep, anthropicAuth); err != nil {
		return nil, err
	}
	if req.MaxTokens <= 0 {
		return nil, fmt.Errorf("%s: the Messages API requires max_tokens; give the workload an output_tokens length", name)
	}

	fields := map[string]any{
		"model":      ep.Model,
		"max_tokens": req.MaxTokens,
		"messages":   turns(req),
		"stream":     true,
	}
	if req.SystemPrompt != "" {
		fields["system"] = req.SystemPrompt
	}
	if err := mergeSampling(name, fields, req.Sampling); err != nil {
		return nil, err
	}
	body, err := encodeBody(name, fields)
	if err != nil {
		return nil, err
	}

	hr, err := newPost(ctx, name, target, body, ep, anthropicAuth)
	if err != nil {
		return nil, err
	}
	if hr.Header.Get("Anthropic-Version") == "" {
		hr.Header.Set("Anthropic-Version", anthropicVersion)
	}
	return hr, nil
}

// NewStream reads one response, carrying the input tokens of message_start
// into the usage reported with message_delta.
func (p anthropic) NewStream(body io.Reader, maxEvent int) Stream {
	var st anthropicState
	return NewSSEStream(body, maxEvent, func(ev Event) (Chunk, error) {
		return p.decode(ev, &st)
	})
}

// Decode interprets one event on its own. Without the message_start that
// came before, the usage of a message_delta holds only what that event
// states; older servers state no input tokens there. OpenStream keeps
// that context.
func (p anthropic) Decode(ev Event) (Chunk, error) {
	return p.decode(ev, nil)
}

// anthropicState is what one response's earlier events reported.
type anthropicState struct {
	input anthropicUsage
}

type anthropicEvent struct {
	Type    string `json:"type"`
	Message *struct {
		Usage anthropicUsage `json:"usage"`
	} `json:"message"`
	ContentBlock *struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Name     string `json:"name"`
		Text     string `json:"text"`
		Thinking string `json:"thinking"`
	} `json:"content_block"`
	Index int `json:"index"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Thinking    string `json:"thinking"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *anthropicUsage `json:"usage"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// anthropicUsage holds pointers so that a field the event leaves out is
// distinguishable from a zero.
type anthropicUsage struct {
	Input         *int `json:"input_tokens"`
	CacheCreation *int `json:"cache_creation_input_tokens"`
	CacheRead     *int `json:"cache_read_input_tokens"`
	Output        *int `json:"output_tokens"`
}

// prompt is every input token the request consumed: uncached, written to
// the cache and read from it. ok is false when the usage states none.
func (u anthropicUsage) prompt() (n int, ok bool) {
	for _, v := range []*int{u.Input, u.CacheCreation, u.CacheRead} {
		if v != nil {
			n += *v
			ok = true
		}
	}
	return n, ok
}

func (p anthropic) decode(ev Event, st *anthropicState) (Chunk, error) {
	data := strings.TrimSpace(ev.Data)
	if data == "" {
		return Chunk{}, nil
	}
	var e anthropicEvent
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return Chunk{}, fmt.Errorf("anthropic: invalid JSON in %q event %q: %w; the server did not send a Messages API event",
			ev.Type, quoteData(data), err)
	}
	if e.Type == "" {
		e.Type = ev.Type
	}

	switch e.Type {
	case "message_start":
		if st != nil && e.Message != nil {
			st.input = e.Message.Usage
		}
		// The output count here is a placeholder, so no usage is reported
		// until message_delta.
		return Chunk{}, nil
	case "content_block_start":
		return e.blockStart(), nil
	case "content_block_delta":
		return e.blockDelta(), nil
	case "message_delta":
		return e.messageDelta(st), nil
	case "message_stop":
		return Chunk{Done: true}, nil
	case "error":
		se := &StreamError{Type: "error", Message: quoteData(data)}
		if e.Error != nil {
			se = &StreamError{Type: e.Error.Type, Message: e.Error.Message}
		}
		return Chunk{Err: se}, nil
	}
	// ping, content_block_stop and event types added after this was
	// written carry nothing infermark measures.
	return Chunk{}, nil
}

func (e *anthropicEvent) blockStart() Chunk {
	b := e.ContentBlock
	if b == nil {
		return Chunk{}
	}
	switch b.Type {
	case "text":
		return Chunk{Content: b.Text}
	case "thinking":
		return Chunk{Reasoning: b.Thinking}
	case "tool_use", "server_tool_use":
		return Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: e.Index, ID: b.ID, Type: b.Type, Name: b.Name}}}
	}
	return Chunk{}
}

func (e *anthropicEvent) blockDelta() Chunk {
	d := e.Delta
	if d == nil {
		return Chunk{}
	}
	switch d.Type {
	case "text_delta":
		return Chunk{Content: d.Text}
	case "thinking_delta":
		return Chunk{Reasoning: d.Thinking}
	case "input_json_delta":
		if d.PartialJSON == "" {
			return Chunk{}
		}
		return Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: e.Index, Arguments: d.PartialJSON}}}
	}
	// signature_delta and citations_delta add no generated text.
	return Chunk{}
}

// messageDelta reports the stop reason and the final usage: the output
// count of this event and the input count of this event or, when it
// states none, of message_start.
func (e *anthropicEvent) messageDelta(st *anthropicState) Chunk {
	var c Chunk
	if e.Delta != nil {
		c.FinishReason = e.Delta.StopReason
	}
	if e.Usage == nil || e.Usage.Output == nil {
		return c
	}
	u := &Usage{CompletionTokens: *e.Usage.Output}
	if n, ok := e.Usage.prompt(); ok {
		u.PromptTokens = n
	} else if st != nil {
		u.PromptTokens, _ = st.input.prompt()
	}
	c.Usage = u
	return c
}
