package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// responsesWire is OpenAI's Responses API stream: response.created and
// response.in_progress at once; the message item and its content part
// with the first token; one response.output_text.delta per token; then the
// .done events and response.incomplete with reason max_output_tokens and
// the usage, as OpenAI ends a response cut at max_output_tokens, or
// response.completed for a complete answer.
type responsesWire struct{}

func (responsesWire) parse(_ *http.Request, body []byte) (genRequest, error) {
	var req struct {
		Model        string          `json:"model"`
		MaxTokens    *int            `json:"max_output_tokens"`
		Stream       bool            `json:"stream"`
		Instructions string          `json:"instructions"`
		Input        json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return genRequest{}, fmt.Errorf("invalid JSON body: %w", err)
	}
	if !req.Stream {
		return genRequest{}, errors.New("the mock serves the Responses API with stream: true only")
	}
	return genRequest{model: req.Model, maxTokens: req.MaxTokens, stream: true, prompt: joinText(req.Instructions, textOf(req.Input))}, nil
}

func (responsesWire) errorBody(status int, msg string) []byte {
	return jsonLine(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}})
}

func (responsesWire) event(typ string, seq int, fields map[string]any) []byte {
	fields["type"] = typ
	fields["sequence_number"] = seq
	return sse(typ, jsonLine(fields), false)
}

func (f responsesWire) response(g *generation, status string) map[string]any {
	return map[string]any{"id": "resp_" + g.id, "object": "response", "created_at": g.created, "status": status, "model": g.model, "output": []any{}}
}

func (f responsesWire) open(g *generation) []byte {
	out := f.event("response.created", 0, map[string]any{"response": f.response(g, "in_progress")})
	return append(out, f.event("response.in_progress", 1, map[string]any{"response": f.response(g, "in_progress")})...)
}

func (f responsesWire) token(g *generation, i int) []byte {
	item := "msg_" + g.id
	seq := 4 + i
	var out []byte
	if i == 0 {
		out = f.event("response.output_item.added", 2, map[string]any{"output_index": 0,
			"item": map[string]any{"id": item, "type": "message", "status": "in_progress", "role": "assistant", "content": []any{}}})
		out = append(out, f.event("response.content_part.added", 3, map[string]any{"item_id": item, "output_index": 0, "content_index": 0,
			"part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}})...)
	}
	out = append(out, f.event("response.output_text.delta", seq, map[string]any{"item_id": item, "output_index": 0, "content_index": 0, "delta": g.word(i)})...)
	if !g.last(i) {
		return out
	}
	text := g.text(g.maxTokens)
	part := map[string]any{"type": "output_text", "text": text, "annotations": []any{}}
	out = append(out, f.event("response.output_text.done", seq+1, map[string]any{"item_id": item, "output_index": 0, "content_index": 0, "text": text})...)
	out = append(out, f.event("response.content_part.done", seq+2, map[string]any{"item_id": item, "output_index": 0, "content_index": 0, "part": part})...)
	status := finish(g, "completed", "incomplete")
	message := map[string]any{"id": item, "type": "message", "status": status, "role": "assistant", "content": []any{part}}
	out = append(out, f.event("response.output_item.done", seq+3, map[string]any{"output_index": 0, "item": message})...)
	resp := f.response(g, status)
	resp["output"] = []any{message}
	if !g.stopped {
		resp["incomplete_details"] = map[string]any{"reason": "max_output_tokens"}
	}
	resp["usage"] = map[string]any{"input_tokens": g.promptTokens, "output_tokens": g.maxTokens,
		"output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": g.promptTokens + g.maxTokens}
	return append(out, f.event("response."+status, seq+4, map[string]any{"response": resp})...)
}

// tgiWire is text-generation-inference's native /generate_stream: one
// "data:" event per token, with no space after the colon as TGI writes
// it; the last token also carries generated_text and details with
// finish_reason "length" (or "eos_token" for a complete answer). No
// [DONE] follows.
type tgiWire struct{}

func (tgiWire) parse(_ *http.Request, body []byte) (genRequest, error) {
	var req struct {
		Inputs     *string `json:"inputs"`
		Parameters struct {
			MaxNewTokens *int `json:"max_new_tokens"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return genRequest{}, fmt.Errorf("failed to deserialize the JSON body into the target type: %w", err)
	}
	if req.Inputs == nil {
		return genRequest{}, errors.New("failed to deserialize the JSON body into the target type: missing field `inputs`")
	}
	return genRequest{model: "tgi", maxTokens: req.Parameters.MaxNewTokens, stream: true, prompt: *req.Inputs}, nil
}

func (tgiWire) errorBody(status int, msg string) []byte {
	return jsonLine(map[string]any{"error": msg, "error_type": "validation"})
}

func (tgiWire) open(*generation) []byte { return nil }

func (tgiWire) token(g *generation, i int) []byte {
	ev := map[string]any{
		"index":          i + 1,
		"token":          map[string]any{"id": 1000 + i%len(words), "text": g.word(i), "logprob": -0.25, "special": false},
		"generated_text": nil, "details": nil,
	}
	if g.last(i) {
		ev["generated_text"] = g.text(g.maxTokens)
		ev["details"] = map[string]any{"finish_reason": finish(g, "eos_token", "length"), "generated_tokens": g.maxTokens, "seed": nil, "input_length": g.promptTokens}
	}
	return append(append([]byte("data:"), jsonLine(ev)...), "\n\n"...)
}

// geminiWire is Google's streamGenerateContent with alt=sse, for the
// Gemini API and Vertex AI paths alike: one GenerateContentResponse per
// token with running usage, the last with finishReason "MAX_TOKENS" (or
// "STOP" for a complete answer), each
// framed with CRLF as Google frames them. The model comes from the path.
type geminiWire struct{}

func (geminiWire) parse(r *http.Request, body []byte) (genRequest, error) {
	if r.URL.Query().Get("alt") != "sse" {
		return genRequest{}, errors.New("the mock streams Server-Sent Events only; add ?alt=sse")
	}
	var req struct {
		Contents []struct {
			Parts json.RawMessage `json:"parts"`
		} `json:"contents"`
		System *struct {
			Parts json.RawMessage `json:"parts"`
		} `json:"systemInstruction"`
		Config struct {
			MaxOutputTokens *int `json:"maxOutputTokens"`
		} `json:"generationConfig"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return genRequest{}, fmt.Errorf("invalid JSON payload received: %v", err)
	}
	var parts []string
	if req.System != nil {
		parts = append(parts, textOf(req.System.Parts))
	}
	for _, c := range req.Contents {
		parts = append(parts, textOf(c.Parts))
	}
	model := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	model = strings.TrimSuffix(model, ":streamGenerateContent")
	return genRequest{model: model, maxTokens: req.Config.MaxOutputTokens, stream: true, prompt: joinText(parts...)}, nil
}

func (geminiWire) errorBody(status int, msg string) []byte {
	return jsonLine(map[string]any{"error": map[string]any{"code": status, "message": msg, "status": "INVALID_ARGUMENT"}})
}

func (geminiWire) open(*generation) []byte { return nil }

func (geminiWire) token(g *generation, i int) []byte {
	cand := map[string]any{"content": map[string]any{"parts": []any{map[string]any{"text": g.word(i)}}, "role": "model"}, "index": 0}
	if g.last(i) {
		cand["finishReason"] = finish(g, "STOP", "MAX_TOKENS")
	}
	ev := map[string]any{
		"candidates":    []any{cand},
		"usageMetadata": map[string]any{"promptTokenCount": g.promptTokens, "candidatesTokenCount": i + 1, "totalTokenCount": g.promptTokens + i + 1},
		"modelVersion":  g.model, "responseId": g.id,
	}
	return sse("", jsonLine(ev), true)
}
