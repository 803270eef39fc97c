package providers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func mustLookup(t testing.TB, name string) Provider {
	t.Helper()
	p, ok := Lookup(name)
	if !ok {
		t.Fatalf("provider %q is not registered; registered: %v", name, Names())
	}
	return p
}

// builtRequest is what a server would see of a request.
type builtRequest struct {
	method string
	url    string
	host   string
	header http.Header
	body   map[string]any
}

func buildRequest(t *testing.T, provider string, ep Endpoint, req Request) builtRequest {
	t.Helper()
	hr, err := mustLookup(t, provider).NewRequest(context.Background(), ep, req)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	raw, err := io.ReadAll(hr.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, raw)
	}
	return builtRequest{method: hr.Method, url: hr.URL.String(), host: hr.Host, header: hr.Header, body: body}
}

func TestRegistryNames(t *testing.T) {
	t.Parallel()
	names := Names()
	for _, want := range []string{"openai-chat", "openai-completions"} {
		if _, ok := Lookup(want); !ok {
			t.Errorf("Lookup(%q) found nothing; Names() = %v", want, names)
		}
	}
}

func TestNewRequestURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, provider, base, want string
	}{
		{"chat", "openai-chat", "http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1/chat/completions"},
		{"chat trailing slash", "openai-chat", "http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000/v1/chat/completions"},
		{"chat no path", "openai-chat", "http://127.0.0.1:8000", "http://127.0.0.1:8000/chat/completions"},
		{"completions", "openai-completions", "https://127.0.0.1/v1", "https://127.0.0.1/v1/completions"},
		{"completions query kept", "openai-completions", "http://127.0.0.1/v1?api-version=2", "http://127.0.0.1/v1/completions?api-version=2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := buildRequest(t, tc.provider, Endpoint{BaseURL: tc.base, Model: "m"}, Request{Prompt: "p"})
			if got.url != tc.want {
				t.Errorf("URL = %q, want %q", got.url, tc.want)
			}
			if got.method != http.MethodPost {
				t.Errorf("method = %q, want POST", got.method)
			}
		})
	}
}

func TestNewRequestChatBody(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "http://127.0.0.1:8000/v1", Model: "sim-model"}
	got := buildRequest(t, "openai-chat", ep, Request{Prompt: "Hello", MaxTokens: 16})

	if got.body["model"] != "sim-model" {
		t.Errorf("model = %v, want sim-model", got.body["model"])
	}
	if got.body["stream"] != true {
		t.Errorf("stream = %v, want true", got.body["stream"])
	}
	if got.body["max_tokens"] != 16.0 {
		t.Errorf("max_tokens = %v, want 16", got.body["max_tokens"])
	}
	wantMsgs := []any{map[string]any{"role": "user", "content": "Hello"}}
	if !reflect.DeepEqual(got.body["messages"], wantMsgs) {
		t.Errorf("messages = %v, want %v", got.body["messages"], wantMsgs)
	}
	for _, absent := range []string{"prompt", "stream_options", "ignore_eos", "min_tokens"} {
		if v, ok := got.body[absent]; ok {
			t.Errorf("%s = %v, want it absent", absent, v)
		}
	}
}

func TestNewRequestOptions(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "http://127.0.0.1:8000/v1", Model: "m"}
	cases := []struct {
		name     string
		provider string
		req      Request
		key      string
		want     any
	}{
		{"system prompt", "openai-chat", Request{Prompt: "q", SystemPrompt: "be brief"}, "messages",
			[]any{map[string]any{"role": "system", "content": "be brief"}, map[string]any{"role": "user", "content": "q"}}},
		{"stream usage", "openai-chat", Request{Prompt: "q", StreamUsage: true}, "stream_options",
			map[string]any{"include_usage": true}},
		{"ignore eos", "openai-chat", Request{Prompt: "q", MaxTokens: 64, IgnoreEOS: true}, "ignore_eos", true},
		{"min tokens", "openai-chat", Request{Prompt: "q", MaxTokens: 64, IgnoreEOS: true}, "min_tokens", 64.0},
		{"sampling", "openai-chat", Request{Prompt: "q", Sampling: map[string]any{"temperature": 0.5}}, "temperature", 0.5},
		{"completions prompt", "openai-completions", Request{Prompt: "Once"}, "prompt", "Once"},
		{"completions usage", "openai-completions", Request{Prompt: "q", StreamUsage: true}, "stream_options",
			map[string]any{"include_usage": true}},
		{"completions max tokens", "openai-completions", Request{Prompt: "q", MaxTokens: 8}, "max_tokens", 8.0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := buildRequest(t, tc.provider, ep, tc.req)
			if !reflect.DeepEqual(got.body[tc.key], tc.want) {
				t.Errorf("%s = %#v, want %#v", tc.key, got.body[tc.key], tc.want)
			}
		})
	}
}

func TestNewRequestCompletionsHasNoMessages(t *testing.T) {
	t.Parallel()
	got := buildRequest(t, "openai-completions", Endpoint{BaseURL: "http://127.0.0.1/v1", Model: "m"}, Request{Prompt: "q", SystemPrompt: "s"})
	if v, ok := got.body["messages"]; ok {
		t.Errorf("messages = %v, want it absent", v)
	}
}

func TestNewRequestHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		ep     Endpoint
		header string
		want   string
	}{
		{"content type", Endpoint{}, "Content-Type", "application/json"},
		{"accept", Endpoint{}, "Accept", "text/event-stream"},
		{"no key", Endpoint{}, "Authorization", ""},
		{"key", Endpoint{APIKey: "sk-test"}, "Authorization", "Bearer sk-test"},
		{"extra", Endpoint{Headers: map[string]string{"x-trace": "abc"}}, "X-Trace", "abc"},
		{"extra replaces accept", Endpoint{Headers: map[string]string{"Accept": "*/*"}}, "Accept", "*/*"},
		{"own authorization", Endpoint{Headers: map[string]string{"authorization": "Token t"}}, "Authorization", "Token t"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.ep.BaseURL = "http://127.0.0.1:8000/v1"
			got := buildRequest(t, "openai-chat", tc.ep, Request{Prompt: "q"})
			if v := got.header.Get(tc.header); v != tc.want {
				t.Errorf("%s = %q, want %q", tc.header, v, tc.want)
			}
		})
	}
}

func TestNewRequestHostHeader(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "http://127.0.0.1:8000/v1", Headers: map[string]string{"Host": "model.internal"}}
	got := buildRequest(t, "openai-chat", ep, Request{Prompt: "q"})
	if got.host != "model.internal" {
		t.Errorf("Host = %q, want model.internal", got.host)
	}
}

func TestNewRequestErrors(t *testing.T) {
	t.Parallel()
	base := Endpoint{BaseURL: "http://127.0.0.1:8000/v1", Model: "m"}
	cases := []struct {
		name     string
		provider string
		ep       Endpoint
		req      Request
		wantMsg  string
	}{
		{"sampling model", "openai-chat", base, Request{Sampling: map[string]any{"model": "other"}}, `sampling key "model"`},
		{"sampling stream", "openai-chat", base, Request{Sampling: map[string]any{"stream": false}}, `sampling key "stream"`},
		{"sampling messages", "openai-chat", base, Request{Sampling: map[string]any{"messages": nil}}, `sampling key "messages"`},
		{"sampling prompt", "openai-completions", base, Request{Sampling: map[string]any{"prompt": "x"}}, `sampling key "prompt"`},
		{"sampling max tokens", "openai-chat", base, Request{MaxTokens: 4, Sampling: map[string]any{"max_tokens": 9}}, `sampling key "max_tokens"`},
		{"sampling min tokens", "openai-chat", base, Request{MaxTokens: 4, IgnoreEOS: true, Sampling: map[string]any{"min_tokens": 1}}, `sampling key "min_tokens"`},
		{"sampling unencodable", "openai-chat", base, Request{Sampling: map[string]any{"temperature": func() {}}}, "encoding the request body failed"},
		{"ignore eos without max", "openai-chat", base, Request{IgnoreEOS: true}, "ignore_eos needs a positive max_tokens"},
		{"empty base", "openai-chat", Endpoint{}, Request{}, "missing base_url"},
		{"no scheme", "openai-chat", Endpoint{BaseURL: "127.0.0.1:8000/v1"}, Request{}, `invalid base_url "127.0.0.1:8000/v1"`},
		{"ftp scheme", "openai-chat", Endpoint{BaseURL: "ftp://127.0.0.1/v1"}, Request{}, `invalid base_url "ftp://127.0.0.1/v1"`},
		{"key and authorization", "openai-chat", Endpoint{BaseURL: base.BaseURL, APIKey: "k", Headers: map[string]string{"Authorization": "x"}}, Request{}, "both api_key and an Authorization header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mustLookup(t, tc.provider).NewRequest(context.Background(), tc.ep, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error = %v, want it to contain %q", err, tc.wantMsg)
			}
		})
	}
}

func TestDecodeChat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ev   Event
		want Chunk
	}{
		{"done", Event{Data: "[DONE]"}, Chunk{Done: true}},
		{"empty data", Event{Data: ""}, Chunk{}},
		{"blank data", Event{Data: " \n"}, Chunk{}},
		{"role only empty", Event{Data: `{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`}, Chunk{}},
		{"role only null", Event{Data: `{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}`}, Chunk{}},
		{"content", Event{Data: `{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}`}, Chunk{Content: "Hi"}},
		{"reasoning content", Event{Data: `{"choices":[{"delta":{"reasoning_content":"hm"}}]}`}, Chunk{Reasoning: "hm"}},
		{"reasoning", Event{Data: `{"choices":[{"delta":{"reasoning":"hm"}}]}`}, Chunk{Reasoning: "hm"}},
		{"reasoning both names", Event{Data: `{"choices":[{"delta":{"reasoning":"hm","reasoning_content":"hm"}}]}`}, Chunk{Reasoning: "hm"}},
		{"tool call", Event{Data: `{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":""}}]}}]}`},
			Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: 0, ID: "c1", Type: "function", Name: "f"}}}},
		{"empty tool calls", Event{Data: `{"choices":[{"delta":{"tool_calls":[]}}]}`}, Chunk{}},
		{"finish", Event{Data: `{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}`}, Chunk{FinishReason: "length"}},
		{"usage empty choices", Event{Data: `{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}`},
			Chunk{Usage: &Usage{PromptTokens: 3, CompletionTokens: 5}}},
		{"usage reasoning", Event{Data: `{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":9,"completion_tokens_details":{"reasoning_tokens":4}}}`},
			Chunk{Usage: &Usage{PromptTokens: 1, CompletionTokens: 9, ReasoningTokens: 4}}},
		{"second choice ignored", Event{Data: `{"choices":[{"index":1,"delta":{"content":"B"}},{"index":0,"delta":{"content":"A"}}]}`}, Chunk{Content: "A"}},
		{"only second choice", Event{Data: `{"choices":[{"index":1,"delta":{"content":"B"}}]}`}, Chunk{}},
		{"text ignored", Event{Data: `{"choices":[{"index":0,"text":"T"}]}`}, Chunk{}},
		{"error object", Event{Data: `{"error":{"message":"boom","type":"InternalServerError","param":null,"code":500}}`},
			Chunk{Err: &StreamError{Type: "InternalServerError", Code: "500", Message: "boom"}}},
		{"error string code", Event{Data: `{"error":{"message":"slow down","type":"rate_limit","code":"rate_limit_exceeded"}}`},
			Chunk{Err: &StreamError{Type: "rate_limit", Code: "rate_limit_exceeded", Message: "slow down"}}},
		{"error string", Event{Data: `{"error":"overloaded"}`}, Chunk{Err: &StreamError{Message: "overloaded"}}},
		{"error null", Event{Data: `{"error":null,"choices":[{"delta":{"content":"x"}}]}`}, Chunk{Content: "x"}},
		{"top-level error", Event{Data: `{"object":"error","message":"too long","type":"BadRequestError","code":400}`},
			Chunk{Err: &StreamError{Type: "BadRequestError", Code: "400", Message: "too long"}}},
		{"error event type", Event{Type: "error", Data: `{"detail":"gone"}`}, Chunk{Err: &StreamError{Type: "error event", Message: `{"detail":"gone"}`}}},
	}
	p := mustLookup(t, "openai-chat")
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

func TestDecodeCompletions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data string
		want Chunk
	}{
		{"text", `{"object":"text_completion","choices":[{"index":0,"text":"I ","finish_reason":null}]}`, Chunk{Content: "I "}},
		{"empty text", `{"choices":[{"index":0,"text":"","finish_reason":"length"}]}`, Chunk{FinishReason: "length"}},
		{"delta ignored", `{"choices":[{"index":0,"delta":{"content":"x"}}]}`, Chunk{}},
		{"zero usage", `{"choices":[{"text":"a"}],"usage":{"prompt_tokens":0,"completion_tokens":0}}`, Chunk{Content: "a", Usage: &Usage{}}},
		{"done", "[DONE]", Chunk{Done: true}},
	}
	p := mustLookup(t, "openai-completions")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.Decode(Event{Data: tc.data})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("chunk = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeInvalidJSON(t *testing.T) {
	t.Parallel()
	long := `{"choices":[{"delta":{"content":"` + strings.Repeat("abcdefghij", 30) + `TAIL`
	cases := []struct {
		name     string
		data     string
		contains string
	}{
		{"truncated object", `{"choices":[{"delta":`, `{\"choices\":[{\"delta\":`},
		{"plain text", "hello", `"hello"`},
		{"number", "42", `"42"`},
		{"array", `[1,2]`, `"[1,2]"`},
		{"content not string", `{"choices":[{"delta":{"content":5}}]}`, "content"},
		{"long data", long, `{\"choices\":[{\"delta\":{\"content\":\"abcdefghij`},
	}
	p := mustLookup(t, "openai-chat")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Decode(Event{Data: tc.data})
			if err == nil {
				t.Fatal("Decode returned no error")
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error = %q, want it to contain %q", err, tc.contains)
			}
			if strings.Contains(err.Error(), "TAIL") {
				t.Errorf("error quotes %d bytes of data, want at most %d", len(err.Error()), maxQuotedData)
			}
		})
	}
}

func TestQuoteDataRuneBoundary(t *testing.T) {
	t.Parallel()
	data := strings.Repeat("a", maxQuotedData-1) + "é and more"
	got := quoteData(data)
	if want := strings.Repeat("a", maxQuotedData-1) + "..."; got != want {
		t.Errorf("quoteData = %q, want %q", got, want)
	}
}

func BenchmarkDecodeChatContent(b *testing.B) {
	p := mustLookup(b, "openai-chat")
	ev := Event{Data: strings.TrimSuffix(strings.TrimPrefix(benchEvent, "data: "), "\n\n")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Decode(ev); err != nil {
			b.Fatal(err)
		}
	}
}
