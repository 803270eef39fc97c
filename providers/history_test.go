package providers

import (
	"context"
	"encoding/json"
	"io"
	"testing"
)

// bodyOf builds req for provider name and decodes its JSON body.
func bodyOf(t *testing.T, name string, req Request) map[string]any {
	t.Helper()
	p, ok := Lookup(name)
	if !ok {
		t.Fatalf("provider %q is not registered", name)
	}
	httpReq, err := p.NewRequest(context.Background(), Endpoint{BaseURL: "http://127.0.0.1:1/v1", Model: "m", APIKey: "k"}, req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(httpReq.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	return body
}

var twoTurns = Request{
	Prompt: "and in French?", MaxTokens: 8,
	History: []Message{{Role: "user", Content: "say hello"}, {Role: "assistant", Content: "hello"}},
}

func TestHistoryChatMessages(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"openai-chat", "anthropic"} {
		msgs, _ := bodyOf(t, name, twoTurns)["messages"].([]any)
		if len(msgs) != 3 {
			t.Fatalf("%s: %d messages, want 3", name, len(msgs))
		}
		last := msgs[2].(map[string]any)
		second := msgs[1].(map[string]any)
		if last["role"] != "user" || last["content"] != "and in French?" || second["role"] != "assistant" {
			t.Errorf("%s: messages = %v", name, msgs)
		}
	}
}

func TestHistoryTextPrompt(t *testing.T) {
	t.Parallel()
	want := "user: say hello\n\nassistant: hello\n\nuser: and in French?\n\nassistant:"
	if got := bodyOf(t, "openai-completions", twoTurns)["prompt"]; got != want {
		t.Errorf("prompt = %q, want %q", got, want)
	}
	if got := (Request{Prompt: "hi"}).Transcript(); got != "hi" {
		t.Errorf("Transcript without history = %q, want the prompt", got)
	}
}

func TestHistoryGeminiRoles(t *testing.T) {
	t.Parallel()
	contents, _ := bodyOf(t, "gemini", twoTurns)["contents"].([]any)
	if len(contents) != 3 || contents[1].(map[string]any)["role"] != "model" {
		t.Errorf("contents = %v, want user, model, user", contents)
	}
}
