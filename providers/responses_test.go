package providers

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
)

// The streams replayed here are the files of testdata/openai-responses,
// written from OpenAI's API reference for Responses streaming events (see
// the README there).

func TestResponsesRequest(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "https://api.openai.com/v1", Model: "gpt-test", APIKey: "sk-test"}
	got := buildRequest(t, "openai-responses", ep, Request{Prompt: "Hi", SystemPrompt: "Be brief", MaxTokens: 32,
		IgnoreEOS: true, StreamUsage: true, Sampling: map[string]any{"reasoning": map[string]any{"effort": "low"}}})

	checkEqual(t, "url", got.url, "https://api.openai.com/v1/responses")
	checkEqual(t, "authorization", got.header.Get("Authorization"), "Bearer sk-test")
	want := map[string]any{
		"model": "gpt-test", "input": "Hi", "instructions": "Be brief", "max_output_tokens": 32.0, "stream": true,
		"reasoning": map[string]any{"effort": "low"},
	}
	checkEqual(t, "body", got.body, want)
}

func TestResponsesRequestErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ep   Endpoint
		req  Request
		want string
	}{
		{"sampling input", Endpoint{BaseURL: "http://127.0.0.1:8000/v1"}, Request{Sampling: map[string]any{"input": "x"}}, `sampling key "input"`},
		{"missing key", Endpoint{BaseURL: "https://api.openai.com/v1"}, Request{}, "export OPENAI_API_KEY and set api_key: ${OPENAI_API_KEY}"},
		{"bad base", Endpoint{BaseURL: "file:///tmp"}, Request{}, "invalid base_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mustLookup(t, "openai-responses").NewRequest(context.Background(), tc.ep, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestResponsesDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ev   Event
		want Chunk
	}{
		{"created", Event{Data: `{"type":"response.created","response":{"status":"in_progress","usage":null}}`}, Chunk{}},
		{"text", Event{Data: `{"type":"response.output_text.delta","output_index":0,"delta":"Hi"}`}, Chunk{Content: "Hi"}},
		{"refusal", Event{Data: `{"type":"response.refusal.delta","delta":"No."}`}, Chunk{Content: "No."}},
		{"reasoning", Event{Data: `{"type":"response.reasoning_text.delta","delta":"hm"}`}, Chunk{Reasoning: "hm"}},
		{"summary", Event{Data: `{"type":"response.reasoning_summary_text.delta","delta":"So"}`}, Chunk{Reasoning: "So"}},
		{"message item", Event{Data: `{"type":"response.output_item.added","output_index":1,"item":{"type":"message"}}`}, Chunk{}},
		{"function item", Event{Data: `{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","call_id":"c1","name":"f","arguments":""}}`},
			Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: 1, ID: "c1", Type: "function", Name: "f"}}}},
		{"arguments", Event{Data: `{"type":"response.function_call_arguments.delta","output_index":1,"delta":"{}"}`},
			Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: 1, Arguments: "{}"}}}},
		{"completed", Event{Data: `{"type":"response.completed","response":{"status":"completed","usage":{"input_tokens":3,"output_tokens":9,"output_tokens_details":{"reasoning_tokens":4}}}}`},
			Chunk{FinishReason: "completed", Done: true, Usage: &Usage{PromptTokens: 3, CompletionTokens: 9, ReasoningTokens: 4}}},
		{"incomplete", Event{Data: `{"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":3,"output_tokens":16}}}`},
			Chunk{FinishReason: "max_output_tokens", Done: true, Usage: &Usage{PromptTokens: 3, CompletionTokens: 16}}},
		{"failed", Event{Data: `{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"boom"}}}`},
			Chunk{Done: true, Err: &StreamError{Type: "response.failed", Code: "server_error", Message: "boom"}}},
		{"error", Event{Type: "error", Data: `{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null}`},
			Chunk{Err: &StreamError{Type: "error", Code: "rate_limit_exceeded", Message: "slow down"}}},
		{"nested error", Event{Data: `{"type":"error","error":{"type":"invalid_request_error","code":null,"message":"bad"}}`},
			Chunk{Err: &StreamError{Type: "invalid_request_error", Message: "bad"}}},
		{"type from event line", Event{Type: "response.output_text.delta", Data: `{"delta":"x"}`}, Chunk{Content: "x"}},
		{"done marker", Event{Data: "[DONE]"}, Chunk{Done: true}},
	}
	p := mustLookup(t, "openai-responses")
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
	if _, err := p.Decode(Event{Data: `{"type":`}); err == nil || !strings.Contains(err.Error(), "openai-responses: invalid JSON") {
		t.Errorf("invalid JSON: error = %v", err)
	}
}

func TestResponsesReplay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file            string
		text, reasoning string
		usage           *Usage
		finish          string
		firstOutput     int
		firstAnswer     int
		streamErr       *StreamError
		done            bool
		calls           map[int]ToolCallDelta
	}{
		{file: "text-reasoning.sse", text: "There are three.", reasoning: "Counting the letters.",
			usage: &Usage{PromptTokens: 18, CompletionTokens: 150, ReasoningTokens: 128}, finish: "completed",
			firstOutput: 5, firstAnswer: 11, done: true},
		{file: "function-call-incomplete.sse", usage: &Usage{PromptTokens: 40, CompletionTokens: 16}, finish: "max_output_tokens",
			firstOutput: 2, done: true,
			calls: map[int]ToolCallDelta{0: {Index: 0, ID: "call_demo2", Type: "function", Name: "get_weather", Arguments: `{"location":"Paris"}`}}},
		{file: "error-events.sse", text: "Partial", firstOutput: 2, firstAnswer: 2,
			streamErr: &StreamError{Type: "error", Code: "server_error", Message: "The server had an error while processing your request."}},
		{file: "failed.sse", done: true,
			streamErr: &StreamError{Type: "response.failed", Code: "server_error", Message: "The model failed to generate a response."}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, "openai-responses", tc.file)
			got := replay(t, mustLookup(t, "openai-responses"), &chunkReader{pieces: splitBlocks(data)}, 0)
			checkEqual(t, "end", got.endErr, io.EOF)
			checkEqual(t, "text", got.text, tc.text)
			checkEqual(t, "reasoning", got.reasoning, tc.reasoning)
			checkEqual(t, "usage", got.usage, tc.usage)
			checkEqual(t, "finish", got.finishReason, tc.finish)
			checkEqual(t, "first output block", got.firstOutputPiece, tc.firstOutput)
			checkEqual(t, "first answer block", got.firstContentPiece, tc.firstAnswer)
			checkEqual(t, "stream error", got.streamErr, tc.streamErr)
			checkEqual(t, "done", got.done, tc.done)
			if tc.calls != nil {
				checkEqual(t, "calls", got.callsByIndex, tc.calls)
			}
		})
	}
}
