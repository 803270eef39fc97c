package providers

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
)

// The streams replayed here are the files of testdata/gemini, written from
// Google's Gemini API and Vertex AI documentation (see the README there).

func TestGeminiRequestURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, base, model, key, want string
		header, value                string
	}{
		{"api key", "https://generativelanguage.googleapis.com/v1beta", "gemini-2.5-flash", "AIza-test",
			"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "X-Goog-Api-Key", "AIza-test"},
		{"model resource name", "https://generativelanguage.googleapis.com/v1beta/", "models/gemini-2.5-pro", "AIza-other",
			"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", "X-Goog-Api-Key", "AIza-other"},
		{"vertex model", "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1", "gemini-2.0-flash", "ya29.token",
			"https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
			"Authorization", "Bearer ya29.token"},
		{"vertex publisher in base", "https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west4/publishers/google", "gemini-2.0-flash", "ya29.other",
			"https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west4/publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
			"Authorization", "Bearer ya29.other"},
		{"vertex endpoint", "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1", "endpoints/1234", "ya29.third",
			"https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/endpoints/1234:streamGenerateContent?alt=sse",
			"Authorization", "Bearer ya29.third"},
		{"mock", "http://127.0.0.1:8000/v1", "mock-model", "",
			"http://127.0.0.1:8000/v1/models/mock-model:streamGenerateContent?alt=sse", "X-Goog-Api-Key", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := buildRequest(t, "gemini", Endpoint{BaseURL: tc.base, Model: tc.model, APIKey: tc.key}, Request{Prompt: "q"})
			checkEqual(t, "url", got.url, tc.want)
			checkEqual(t, tc.header, got.header.Get(tc.header), tc.value)
			if tc.key != "" && strings.Contains(got.url, tc.key) {
				t.Errorf("the key appears in the URL %q", got.url)
			}
		})
	}
}

func TestGeminiRequestBody(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "https://generativelanguage.googleapis.com/v1beta", Model: "gemini-2.5-flash", APIKey: "k"}
	got := buildRequest(t, "gemini", ep, Request{Prompt: "Hello", SystemPrompt: "Be brief", MaxTokens: 64, IgnoreEOS: true,
		Sampling: map[string]any{"temperature": 0.1, "thinkingConfig": map[string]any{"thinkingBudget": 0}, "safetySettings": []any{}}})
	want := map[string]any{
		"contents":          []any{map[string]any{"role": "user", "parts": []any{map[string]any{"text": "Hello"}}}},
		"systemInstruction": map[string]any{"parts": []any{map[string]any{"text": "Be brief"}}},
		"generationConfig": map[string]any{"maxOutputTokens": 64.0, "temperature": 0.1,
			"thinkingConfig": map[string]any{"thinkingBudget": 0.0}},
		"safetySettings": []any{},
	}
	checkEqual(t, "body", got.body, want)

	bare := buildRequest(t, "gemini", ep, Request{Prompt: "Hello"})
	if _, ok := bare.body["generationConfig"]; ok {
		t.Errorf("generationConfig = %v, want it absent without settings", bare.body["generationConfig"])
	}
}

func TestGeminiRequestErrors(t *testing.T) {
	t.Parallel()
	api := "https://generativelanguage.googleapis.com/v1beta"
	vertex := "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1"
	cases := []struct {
		name string
		ep   Endpoint
		req  Request
		want string
	}{
		{"missing api key", Endpoint{BaseURL: api, Model: "m"}, Request{}, "export GEMINI_API_KEY and set api_key: ${GEMINI_API_KEY}"},
		{"missing vertex token", Endpoint{BaseURL: vertex, Model: "m"}, Request{}, "export GCLOUD_ACCESS_TOKEN and set api_key: ${GCLOUD_ACCESS_TOKEN}"},
		{"global vertex token", Endpoint{BaseURL: "https://aiplatform.googleapis.com/v1/projects/p/locations/global", Model: "m"}, Request{}, "GCLOUD_ACCESS_TOKEN"},
		{"key in url", Endpoint{BaseURL: api + "?key=AIzaSECRET", Model: "m"}, Request{}, "carries a key in its query"},
		{"missing model", Endpoint{BaseURL: api, APIKey: "k"}, Request{}, "missing model"},
		{"generation config", Endpoint{BaseURL: api, Model: "m", APIKey: "k"}, Request{Sampling: map[string]any{"generationConfig": map[string]any{}}}, "directly in sampling"},
		{"max tokens twice", Endpoint{BaseURL: api, Model: "m", APIKey: "k"}, Request{MaxTokens: 3, Sampling: map[string]any{"maxOutputTokens": 4}}, `sampling key "maxOutputTokens"`},
		{"contents", Endpoint{BaseURL: api, Model: "m", APIKey: "k"}, Request{Sampling: map[string]any{"contents": 4}}, `sampling key "contents"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mustLookup(t, "gemini").NewRequest(context.Background(), tc.ep, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "AIzaSECRET") {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

func TestGeminiDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data string
		want Chunk
	}{
		{"text", `{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}`, Chunk{Content: "Hi"}},
		{"thought", `{"candidates":[{"content":{"parts":[{"text":"hm","thought":true}]}}]}`, Chunk{Reasoning: "hm"}},
		{"two parts", `{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"b"}]}}]}`, Chunk{Content: "ab"}},
		{"final", `{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":8,"thoughtsTokenCount":2}}`,
			Chunk{FinishReason: "MAX_TOKENS", Usage: &Usage{PromptTokens: 3, CompletionTokens: 10, ReasoningTokens: 2}}},
		{"usage only", `{"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":8}}`, Chunk{Usage: &Usage{PromptTokens: 3, CompletionTokens: 8}}},
		{"function call", `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":1}}}]}}]}`,
			Chunk{ToolCall: true, ToolCalls: []ToolCallDelta{{Index: 0, Type: "function", Name: "f", Arguments: `{"a":1}`}}}},
		{"other candidate", `{"candidates":[{"content":{"parts":[{"text":"x"}]},"index":1}]}`, Chunk{}},
		{"error", `{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}`,
			Chunk{Err: &StreamError{Type: "RESOURCE_EXHAUSTED", Code: "429", Message: "Resource exhausted"}}},
		{"blocked", `{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}`,
			Chunk{Err: &StreamError{Type: "prompt_blocked", Message: "the prompt was blocked: PROHIBITED_CONTENT"}}},
	}
	p := mustLookup(t, "gemini")
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
	if _, err := p.Decode(Event{Data: `[{"candidates":`}); err == nil || !strings.Contains(err.Error(), "gemini: invalid JSON") {
		t.Errorf("invalid JSON: error = %v", err)
	}
}

func TestGeminiReplay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file            string
		text, reasoning string
		usage           *Usage
		finish          string
		outputEvents    int
		streamErr       *StreamError
		calls           map[int]ToolCallDelta
	}{
		{file: "text-thoughts.sse", text: "The sky is blue.", reasoning: "The user asks for a colour.",
			usage: &Usage{PromptTokens: 9, CompletionTokens: 26, ReasoningTokens: 21}, finish: "STOP", outputEvents: 3},
		{file: "vertex-function-call.sse", usage: &Usage{PromptTokens: 31, CompletionTokens: 7}, finish: "STOP", outputEvents: 1,
			calls: map[int]ToolCallDelta{0: {Type: "function", Name: "get_weather", Arguments: `{"location": "Paris"}`}}},
		{file: "error-in-stream.sse", text: "Once", outputEvents: 1,
			streamErr: &StreamError{Type: "UNAVAILABLE", Code: "503", Message: "The model is overloaded. Please try again later."}},
		{file: "prompt-blocked.sse", streamErr: &StreamError{Type: "prompt_blocked", Message: "the prompt was blocked: SAFETY"}},
		{file: "truncated.sse", text: "The sky", outputEvents: 1},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, "gemini", tc.file)
			if !bytes.Contains(data, []byte("\r\n\r\n")) {
				t.Fatal("the fixture lost its CRLF framing; check .gitattributes")
			}
			got := replay(t, mustLookup(t, "gemini"), &chunkReader{pieces: [][]byte{data[:len(data)/2], data[len(data)/2:]}}, 0)
			checkEqual(t, "end", got.endErr, io.EOF)
			checkEqual(t, "text", got.text, tc.text)
			checkEqual(t, "reasoning", got.reasoning, tc.reasoning)
			checkEqual(t, "usage", got.usage, tc.usage)
			checkEqual(t, "finish", got.finishReason, tc.finish)
			checkEqual(t, "output events", got.outputChunks, tc.outputEvents)
			checkEqual(t, "stream error", got.streamErr, tc.streamErr)
			if tc.calls != nil {
				checkEqual(t, "calls", got.callsByIndex, tc.calls)
			}
		})
	}
}
