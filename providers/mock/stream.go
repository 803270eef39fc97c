package mock

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/infermark/infermark/providers/tokens"
)

// words are the mock's output tokens; each is one o200k_base token.
var words = []string{" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", " and", " runs", " far"}

// generation is one response being produced.
type generation struct {
	id, model    string
	chat         bool
	includeUsage bool
	promptTokens int
	maxTokens    int
	created      int64
}

func countPromptWords(req generateRequest, chat bool) int {
	text := req.Prompt
	if chat {
		parts := make([]string, 0, len(req.Messages))
		for _, m := range req.Messages {
			parts = append(parts, m.Content)
		}
		text = strings.Join(parts, "\n")
	}
	n, err := tokens.Count(text)
	if err != nil {
		return len(strings.Fields(text))
	}
	return n
}

func (g generation) object() string {
	if g.chat {
		return "chat.completion.chunk"
	}
	return "text_completion"
}

// chunk returns one SSE event; delta is the chat delta or, for
// completions, the text.
func (g generation) chunk(delta map[string]any, text string, finish any) []byte {
	choice := map[string]any{"index": 0, "logprobs": nil, "finish_reason": finish}
	if g.chat {
		choice["delta"] = delta
	} else {
		choice["text"] = text
	}
	return g.event(map[string]any{"choices": []any{choice}})
}

func (g generation) event(fields map[string]any) []byte {
	fields["id"] = g.id
	fields["object"] = g.object()
	fields["created"] = g.created
	fields["model"] = g.model
	if g.includeUsage {
		if _, ok := fields["usage"]; !ok {
			fields["usage"] = nil
		}
	}
	b, _ := json.Marshal(fields)
	return append(append([]byte("data: "), b...), '\n', '\n')
}

func (g generation) usage() map[string]any {
	return map[string]any{
		"prompt_tokens": g.promptTokens, "completion_tokens": g.maxTokens,
		"total_tokens": g.promptTokens + g.maxTokens,
	}
}

// stream writes the response the way vLLM does: a role-only chunk sent with
// the first content chunk, one chunk per token, a finish chunk, a usage
// chunk with empty choices when requested, and "data: [DONE]". Token i is
// due at start + TTFT + i*ITL, so pacing does not drift with write times.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, g generation, start time.Time) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}

	for i := 0; i < g.maxTokens; i++ {
		if !s.sleepUntil(r, start.Add(s.cfg.TTFT+time.Duration(i)*s.cfg.ITL)) {
			return
		}
		word := words[i%len(words)]
		var out []byte
		if i == 0 && g.chat {
			out = g.chunk(map[string]any{"role": "assistant", "content": ""}, "", nil)
		}
		out = append(out, g.chunk(map[string]any{"content": word}, word, nil)...)
		if i == g.maxTokens-1 {
			out = append(out, g.chunk(map[string]any{}, "", "length")...)
			if g.includeUsage {
				out = append(out, g.event(map[string]any{"choices": []any{}, "usage": g.usage()})...)
			}
			out = append(out, "data: [DONE]\n\n"...)
		}
		if _, err := w.Write(out); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// sleepUntil waits until t; it returns false when the client went away.
func (s *Server) sleepUntil(r *http.Request, t time.Time) bool {
	d := t.Sub(s.clock())
	if d <= 0 {
		return r.Context().Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (g generation) nonStreamBody() []byte {
	var text strings.Builder
	for i := 0; i < g.maxTokens; i++ {
		text.WriteString(words[i%len(words)])
	}
	choice := map[string]any{"index": 0, "finish_reason": "length", "logprobs": nil}
	if g.chat {
		choice["message"] = map[string]any{"role": "assistant", "content": text.String()}
	} else {
		choice["text"] = text.String()
	}
	obj := "chat.completion"
	if !g.chat {
		obj = "text_completion"
	}
	b, _ := json.Marshal(map[string]any{
		"id": g.id, "object": obj, "created": g.created, "model": g.model,
		"choices": []any{choice}, "usage": g.usage(),
	})
	return b
}
