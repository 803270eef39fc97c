package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// responses implements OpenAI's Responses API (POST /v1/responses with
// stream: true), which OpenAI, Azure's v1 API and vLLM serve.
//
// Every event names its type in the data: response.output_text.delta and
// response.refusal.delta carry answer text, response.reasoning_text.delta
// and response.reasoning_summary_text.delta reasoning,
// response.output_item.added a function call's name and
// response.function_call_arguments.delta its arguments.
// response.completed and response.incomplete end the stream with the
// usage; response.failed and error report errors. No "[DONE]" follows.
type responses struct{}

func init() { register(responses{}) }

func (responses) Name() string { return "openai-responses" }

// NewRequest builds a POST to BaseURL + "/responses" with {"model",
// "input", "instructions", "max_output_tokens", "stream": true}. Usage is
// always in the final event, so StreamUsage changes nothing; the API has
// no ignore_eos, so IgnoreEOS is not sent.
func (p responses) NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error) {
	const name = "openai-responses"
	target, err := joinURL(name, ep.BaseURL, "responses", "https://api.openai.com/v1")
	if err != nil {
		return nil, err
	}
	if err := requireCredential(name, ep, bearerAuth); err != nil {
		return nil, err
	}

	fields := map[string]any{
		"model":  ep.Model,
		"input":  responsesInput(req),
		"stream": true,
	}
	if req.SystemPrompt != "" {
		fields["instructions"] = req.SystemPrompt
	}
	if req.MaxTokens > 0 {
		fields["max_output_tokens"] = req.MaxTokens
	}
	if err := mergeSampling(name, fields, req.Sampling); err != nil {
		return nil, err
	}
	body, err := encodeBody(name, fields)
	if err != nil {
		return nil, err
	}
	return newPost(ctx, name, target, body, ep, bearerAuth)
}

type responsesEvent struct {
	Type        string `json:"type"`
	Delta       string `json:"delta"`
	OutputIndex int    `json:"output_index"`
	Item        *struct {
		Type      string `json:"type"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"item"`
	Response *struct {
		Status     string          `json:"status"`
		Usage      *responsesUsage `json:"usage"`
		Incomplete *struct {
			Reason string `json:"reason"`
		} `json:"incomplete_details"`
		Error *responsesError `json:"error"`
	} `json:"response"`
	// An error event states code and message at the top level; some
	// servers nest them in "error".
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Error   *responsesError `json:"error"`
}

type responsesError struct {
	Code    json.RawMessage `json:"code"`
	Type    string          `json:"type"`
	Message string          `json:"message"`
}

type responsesUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	Details      *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

// Decode interprets one event; the event's type is read from its data, or
// from its "event:" line when the data has none.
func (p responses) Decode(ev Event) (Chunk, error) {
	data := strings.TrimSpace(ev.Data)
	if data == "" || data == doneMarker {
		return Chunk{Done: data == doneMarker}, nil
	}
	var e responsesEvent
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return Chunk{}, fmt.Errorf("openai-responses: invalid JSON in %q event %q: %w; the server did not send a Responses API event", ev.Type, quoteData(data), err)
	}
	if e.Type == "" {
		e.Type = ev.Type
	}

	switch e.Type {
	case "response.output_text.delta", "response.refusal.delta":
		return Chunk{Content: e.Delta}, nil
	case "response.reasoning_text.delta", "response.reasoning_summary_text.delta":
		return Chunk{Reasoning: e.Delta}, nil
	case "response.output_item.added":
		return e.itemAdded(), nil
	case "response.function_call_arguments.delta":
		if e.Delta == "" {
			return Chunk{}, nil
		}
		return Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: e.OutputIndex, Arguments: e.Delta}}}, nil
	case "response.completed", "response.incomplete":
		return e.finished(), nil
	case "response.failed":
		se := &StreamError{Type: "response.failed", Message: "the response failed"}
		if e.Response != nil && e.Response.Error != nil {
			se.Code, se.Message = codeString(e.Response.Error.Code), e.Response.Error.Message
		}
		return Chunk{Err: se, Done: true}, nil
	case "error":
		if e.Error != nil {
			return Chunk{Err: &StreamError{Type: firstNonEmpty(e.Error.Type, "error"), Code: codeString(e.Error.Code), Message: e.Error.Message}}, nil
		}
		return Chunk{Err: &StreamError{Type: "error", Code: codeString(e.Code), Message: e.Message}}, nil
	}
	// response.created, in_progress, content_part.*, *.done and event
	// types added later carry nothing infermark measures.
	return Chunk{}, nil
}

// itemAdded reports the start of a function call, which carries its name.
func (e *responsesEvent) itemAdded() Chunk {
	if e.Item == nil || e.Item.Type != "function_call" {
		return Chunk{}
	}
	return Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{
		Index: e.OutputIndex, ID: e.Item.CallID, Type: "function", Name: e.Item.Name, Arguments: e.Item.Arguments,
	}}}
}

// finished reads the final event: the usage, and as the finish reason
// "completed" or the reason the response is incomplete, such as
// "max_output_tokens".
func (e *responsesEvent) finished() Chunk {
	c := Chunk{Done: true}
	r := e.Response
	if r == nil {
		return c
	}
	c.FinishReason = r.Status
	if r.Incomplete != nil && r.Incomplete.Reason != "" {
		c.FinishReason = r.Incomplete.Reason
	}
	if u := r.Usage; u != nil {
		c.Usage = &Usage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens}
		if u.Details != nil {
			c.Usage.ReasoningTokens = u.Details.ReasoningTokens
		}
	}
	return c
}
