package mock

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// openaiWire is OpenAI's chat completions (chat) or completions format,
// streamed the way vLLM does: a role-only chunk sent with the first
// content chunk, one chunk per token, a finish chunk, a usage chunk with
// empty choices when stream_options.include_usage asks for one, and
// "data: [DONE]".
type openaiWire struct{ chat bool }

func (f openaiWire) parse(_ *http.Request, body []byte) (genRequest, error) {
	var req struct {
		Model     string `json:"model"`
		MaxTokens *int   `json:"max_tokens"`
		Stream    bool   `json:"stream"`
		Options   *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
		Messages []struct {
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Prompt string `json:"prompt"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return genRequest{}, fmt.Errorf("invalid JSON body: %w", err)
	}
	text := req.Prompt
	if f.chat {
		parts := make([]string, 0, len(req.Messages))
		for _, m := range req.Messages {
			parts = append(parts, textOf(m.Content))
		}
		text = strings.Join(parts, "\n")
	}
	return genRequest{
		model: req.Model, maxTokens: req.MaxTokens, stream: req.Stream, prompt: text,
		includeUsage: req.Options != nil && req.Options.IncludeUsage,
	}, nil
}

func (f openaiWire) errorBody(status int, msg string) []byte {
	return jsonLine(map[string]any{"object": "error", "message": msg, "type": "BadRequestError", "code": status})
}

func (f openaiWire) open(*generation) []byte { return nil }

func (f openaiWire) object() string {
	if f.chat {
		return "chat.completion.chunk"
	}
	return "text_completion"
}

// chunk returns one event; delta is the chat delta or, for completions,
// text is the text.
func (f openaiWire) chunk(g *generation, delta map[string]any, text string, finish any) []byte {
	choice := map[string]any{"index": 0, "logprobs": nil, "finish_reason": finish}
	if f.chat {
		choice["delta"] = delta
	} else {
		choice["text"] = text
	}
	return f.event(g, map[string]any{"choices": []any{choice}})
}

func (f openaiWire) event(g *generation, fields map[string]any) []byte {
	fields["id"] = g.id
	fields["object"] = f.object()
	fields["created"] = g.created
	fields["model"] = g.model
	if g.includeUsage {
		if _, ok := fields["usage"]; !ok {
			fields["usage"] = nil
		}
	}
	return sse("", jsonLine(fields), false)
}

func (f openaiWire) usage(g *generation) map[string]any {
	return map[string]any{
		"prompt_tokens": g.promptTokens, "completion_tokens": g.maxTokens,
		"total_tokens": g.promptTokens + g.maxTokens,
	}
}

func (f openaiWire) token(g *generation, i int) []byte {
	word := g.word(i)
	var out []byte
	if i == 0 && f.chat {
		out = f.chunk(g, map[string]any{"role": "assistant", "content": ""}, "", nil)
	}
	out = append(out, f.chunk(g, map[string]any{"content": word}, word, nil)...)
	if g.last(i) {
		out = append(out, f.chunk(g, map[string]any{}, "", finish(g, "stop", "length"))...)
		if g.includeUsage {
			out = append(out, f.event(g, map[string]any{"choices": []any{}, "usage": f.usage(g)})...)
		}
		out = append(out, "data: [DONE]\n\n"...)
	}
	return out
}

// finish returns stopped when the answer ended by itself and cut when
// the output length ran out.
func finish(g *generation, stopped, cut string) string {
	if g.stopped {
		return stopped
	}
	return cut
}

func (f openaiWire) nonStreamBody(g *generation) []byte {
	text := g.text(g.maxTokens)
	choice := map[string]any{"index": 0, "finish_reason": finish(g, "stop", "length"), "logprobs": nil}
	obj := "chat.completion"
	if f.chat {
		choice["message"] = map[string]any{"role": "assistant", "content": text}
	} else {
		choice["text"] = text
		obj = "text_completion"
	}
	return jsonLine(map[string]any{
		"id": g.id, "object": obj, "created": g.created, "model": g.model,
		"choices": []any{choice}, "usage": f.usage(g),
	})
}
