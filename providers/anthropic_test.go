package providers

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
)

// The streams replayed here are cases/10-anthropic-events-usage from the
// shared fixtures and the files of testdata/anthropic, which follow
// Anthropic's "Streaming Messages" documentation (see the README there).

func TestAnthropicRequest(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "https://api.anthropic.com/v1", Model: "claude-test", APIKey: "sk-ant-test"}
	got := buildRequest(t, "anthropic", ep, Request{Prompt: "Hello", SystemPrompt: "Be brief", MaxTokens: 64,
		IgnoreEOS: true, StreamUsage: true, Sampling: map[string]any{"temperature": 0.2}})

	checkEqual(t, "url", got.url, "https://api.anthropic.com/v1/messages")
	checkEqual(t, "x-api-key", got.header.Get("X-Api-Key"), "sk-ant-test")
	checkEqual(t, "authorization", got.header.Get("Authorization"), "")
	checkEqual(t, "anthropic-version", got.header.Get("Anthropic-Version"), anthropicVersion)
	checkEqual(t, "accept", got.header.Get("Accept"), "text/event-stream")
	want := map[string]any{
		"model": "claude-test", "max_tokens": 64.0, "stream": true, "system": "Be brief", "temperature": 0.2,
		"messages": []any{map[string]any{"role": "user", "content": "Hello"}},
	}
	checkEqual(t, "body", got.body, want)
}

func TestAnthropicRequestHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		headers map[string]string
		key     string
		header  string
		want    string
	}{
		{"version override", map[string]string{"anthropic-version": "2024-01-01"}, "", "Anthropic-Version", "2024-01-01"},
		{"beta header", map[string]string{"anthropic-beta": "x-2025"}, "", "Anthropic-Beta", "x-2025"},
		{"gateway bearer", map[string]string{"Authorization": "Bearer gw"}, "", "Authorization", "Bearer gw"},
		{"no key", nil, "", "X-Api-Key", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ep := Endpoint{BaseURL: "http://127.0.0.1:4000/v1", Model: "m", APIKey: tc.key, Headers: tc.headers}
			got := buildRequest(t, "anthropic", ep, Request{Prompt: "q", MaxTokens: 1})
			checkEqual(t, tc.header, got.header.Get(tc.header), tc.want)
		})
	}
}

func TestAnthropicRequestErrors(t *testing.T) {
	t.Parallel()
	local := Endpoint{BaseURL: "http://127.0.0.1:4000/v1", Model: "m"}
	cases := []struct {
		name string
		ep   Endpoint
		req  Request
		want string
	}{
		{"no max tokens", local, Request{Prompt: "q"}, "requires max_tokens"},
		{"sampling max tokens", local, Request{MaxTokens: 2, Sampling: map[string]any{"max_tokens": 3}}, `sampling key "max_tokens"`},
		{"sampling system", local, Request{MaxTokens: 2, SystemPrompt: "s", Sampling: map[string]any{"system": "x"}}, `sampling key "system"`},
		{"missing key", Endpoint{BaseURL: "https://api.anthropic.com/v1", Model: "m"}, Request{MaxTokens: 2}, "export ANTHROPIC_API_KEY and set api_key: ${ANTHROPIC_API_KEY}"},
		{"key twice", Endpoint{BaseURL: local.BaseURL, APIKey: "k", Headers: map[string]string{"x-api-key": "k2"}}, Request{MaxTokens: 2}, "both api_key and an X-Api-Key header"},
		{"bad base", Endpoint{BaseURL: "api.anthropic.com"}, Request{MaxTokens: 2}, `invalid base_url "api.anthropic.com"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mustLookup(t, "anthropic").NewRequest(context.Background(), tc.ep, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAnthropicDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ev   Event
		want Chunk
	}{
		{"message start", Event{Type: "message_start", Data: `{"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}}`}, Chunk{}},
		{"ping", Event{Type: "ping", Data: `{"type": "ping"}`}, Chunk{}},
		{"empty text block", Event{Data: `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`}, Chunk{}},
		{"text delta", Event{Data: `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}`}, Chunk{Content: "Hi"}},
		{"thinking delta", Event{Data: `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}`}, Chunk{Reasoning: "hm"}},
		{"signature delta", Event{Data: `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}}`}, Chunk{}},
		{"tool start", Event{Data: `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}`},
			Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: 2, ID: "t1", Type: "tool_use", Name: "f"}}}},
		{"tool input", Event{Data: `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}`},
			Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: 2, Arguments: `{"a":`}}}},
		{"empty tool input", Event{Data: `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}`}, Chunk{}},
		{"message delta output only", Event{Data: `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}}`},
			Chunk{FinishReason: "end_turn", Usage: &Usage{CompletionTokens: 12}}},
		{"message delta with input", Event{Data: `{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"input_tokens":5,"cache_read_input_tokens":3,"output_tokens":7}}`},
			Chunk{FinishReason: "max_tokens", Usage: &Usage{PromptTokens: 8, CompletionTokens: 7}}},
		{"message stop", Event{Type: "message_stop", Data: `{"type":"message_stop"}`}, Chunk{Done: true}},
		{"type from event line", Event{Type: "message_stop", Data: `{}`}, Chunk{Done: true}},
		{"error", Event{Type: "error", Data: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`},
			Chunk{Err: &StreamError{Type: "overloaded_error", Message: "Overloaded"}}},
		{"unknown event", Event{Type: "future_event", Data: `{"type":"future_event","x":1}`}, Chunk{}},
		{"keep-alive", Event{Data: ""}, Chunk{}},
	}
	p := mustLookup(t, "anthropic")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.Decode(tc.ev)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("chunk = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAnthropicDecodeInvalid(t *testing.T) {
	t.Parallel()
	_, err := mustLookup(t, "anthropic").Decode(Event{Type: "content_block_delta", Data: `{"type":"content_block_delta","delta":`})
	if err == nil || !strings.Contains(err.Error(), `anthropic: invalid JSON in "content_block_delta" event`) {
		t.Errorf("error = %v", err)
	}
}

// TestAnthropicReplayCase10 replays the shared fixture block by block and
// checks its expected.json: text, 12 output tokens from message_delta and
// 25 input tokens carried over from message_start, first output with the
// first text delta.
func TestAnthropicReplayCase10(t *testing.T) {
	t.Parallel()
	const dir, file = "10-anthropic-events-usage", "stream.sse"
	want := caseExpect(t, dir, file)
	got := replay(t, mustLookup(t, "anthropic"), &chunkReader{pieces: splitBlocks(readTestdata(t, "cases", dir, file))}, 0)

	checkEqual(t, "end", got.endErr, io.EOF)
	checkEqual(t, "stop reason", got.finishReason, want["stop_reason"])
	checkEqual(t, "done", got.done, true)
	checkExpect(t, dir, file, want, got)
}

func TestAnthropicReplayStatelessDecode(t *testing.T) {
	t.Parallel()
	// Decode alone cannot know message_start's input tokens.
	data := readTestdata(t, "cases", "10-anthropic-events-usage", "stream.sse")
	p := decodeOnly{mustLookup(t, "anthropic")}
	got := replay(t, p, bytes.NewReader(data), 0)
	checkEqual(t, "usage", got.usage, &Usage{CompletionTokens: 12})
}

// decodeOnly hides a provider's NewStream, so that OpenStream falls back
// to Decode.
type decodeOnly struct{ Provider }

func TestAnthropicReplayThinkingTool(t *testing.T) {
	t.Parallel()
	data := readTestdata(t, "anthropic", "thinking-tool.sse")
	got := replay(t, mustLookup(t, "anthropic"), &chunkReader{pieces: splitBlocks(data)}, 0)

	checkEqual(t, "end", got.endErr, io.EOF)
	checkEqual(t, "reasoning", got.reasoning, "The user wants the weather, so I call the tool.")
	checkEqual(t, "text", got.text, "Let me check.")
	checkEqual(t, "usage", got.usage, &Usage{PromptTokens: 572, CompletionTokens: 89})
	checkEqual(t, "finish", got.finishReason, "tool_use")
	// Output: two thinking deltas, one text delta, the tool_use start and
	// two non-empty input fragments.
	checkEqual(t, "output events", got.outputChunks, 6)
	checkEqual(t, "first output block", got.firstOutputPiece, 3)
	checkEqual(t, "first answer block", got.firstContentPiece, 8)

	checkEqual(t, "tool call", got.callsByIndex[2], ToolCallDelta{Index: 2, ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Type: "tool_use", Name: "get_weather", Arguments: `{"location": "Paris"}`})
}

func TestAnthropicReplayError(t *testing.T) {
	t.Parallel()
	data := readTestdata(t, "anthropic", "error-overloaded.sse")
	got := replay(t, mustLookup(t, "anthropic"), bytes.NewReader(data), 0)

	checkEqual(t, "text before the error", got.text, "Once upon")
	checkEqual(t, "stream error", got.streamErr, &StreamError{Type: "overloaded_error", Message: "Overloaded"})
	checkEqual(t, "usage", got.usage, (*Usage)(nil))
	checkEqual(t, "done", got.done, false)
}
