package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// anthropicWire is Anthropic's Messages API stream: message_start with the
// input tokens and a placeholder output count, content_block_start and a
// ping at once; one text_delta per token; then content_block_stop,
// message_delta with the stop reason ("max_tokens", or "end_turn" for a
// complete answer) and the output tokens, and message_stop.
type anthropicWire struct{}

func (anthropicWire) parse(_ *http.Request, body []byte) (genRequest, error) {
	var req struct {
		Model     string          `json:"model"`
		MaxTokens *int            `json:"max_tokens"`
		Stream    bool            `json:"stream"`
		System    json.RawMessage `json:"system"`
		Messages  []struct {
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return genRequest{}, fmt.Errorf("invalid JSON body: %w", err)
	}
	if req.MaxTokens == nil {
		return genRequest{}, errors.New("max_tokens: Field required")
	}
	if !req.Stream {
		return genRequest{}, errors.New("the mock serves the Messages API with stream: true only")
	}
	parts := []string{textOf(req.System)}
	for _, m := range req.Messages {
		parts = append(parts, textOf(m.Content))
	}
	return genRequest{model: req.Model, maxTokens: req.MaxTokens, stream: true, prompt: joinText(parts...)}, nil
}

func (anthropicWire) errorBody(status int, msg string) []byte {
	typ := "invalid_request_error"
	if status == http.StatusNotFound {
		typ = "not_found_error"
	}
	return jsonLine(map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}})
}

func (anthropicWire) event(typ string, fields map[string]any) []byte {
	fields["type"] = typ
	return sse(typ, jsonLine(fields), false)
}

func (f anthropicWire) open(g *generation) []byte {
	msg := map[string]any{
		"id": "msg_" + g.id, "type": "message", "role": "assistant", "content": []any{}, "model": g.model,
		"stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": g.promptTokens, "output_tokens": 1},
	}
	out := f.event("message_start", map[string]any{"message": msg})
	out = append(out, f.event("content_block_start", map[string]any{"index": 0, "content_block": map[string]any{"type": "text", "text": ""}})...)
	return append(out, f.event("ping", map[string]any{})...)
}

func (f anthropicWire) token(g *generation, i int) []byte {
	out := f.event("content_block_delta", map[string]any{"index": 0, "delta": map[string]any{"type": "text_delta", "text": g.word(i)}})
	if !g.last(i) {
		return out
	}
	out = append(out, f.event("content_block_stop", map[string]any{"index": 0})...)
	out = append(out, f.event("message_delta", map[string]any{
		"delta": map[string]any{"stop_reason": finish(g, "end_turn", "max_tokens"), "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": g.maxTokens},
	})...)
	return append(out, f.event("message_stop", map[string]any{})...)
}
