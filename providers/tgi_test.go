package providers

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
)

// The streams replayed here are cases/06-tgi-native-data-no-space from the
// shared fixtures: TGI's native /generate_stream with "data:" and no space,
// a special end-of-sequence token, details and no [DONE].

func TestTGIRequest(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "https://my-endpoint.us-east-1.aws.endpoints.huggingface.cloud", Model: "ignored", APIKey: "hf_test"}
	got := buildRequest(t, "tgi", ep, Request{Prompt: "What colour is the sky?", MaxTokens: 20,
		IgnoreEOS: true, StreamUsage: true, Sampling: map[string]any{"temperature": 0.5, "seed": 7}})

	checkEqual(t, "url", got.url, "https://my-endpoint.us-east-1.aws.endpoints.huggingface.cloud/generate_stream")
	checkEqual(t, "authorization", got.header.Get("Authorization"), "Bearer hf_test")
	want := map[string]any{
		"inputs":     "What colour is the sky?",
		"parameters": map[string]any{"max_new_tokens": 20.0, "details": true, "temperature": 0.5, "seed": 7.0},
	}
	checkEqual(t, "body", got.body, want)
}

func TestTGIRequestOptions(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "http://127.0.0.1:8080/", Model: "m"}
	got := buildRequest(t, "tgi", ep, Request{Prompt: "q", SystemPrompt: "Be brief."})
	checkEqual(t, "url", got.url, "http://127.0.0.1:8080/generate_stream")
	checkEqual(t, "inputs", got.body["inputs"], "Be brief.\n\nq")
	checkEqual(t, "parameters", got.body["parameters"], map[string]any{"details": true})
	checkEqual(t, "authorization", got.header.Get("Authorization"), "")
}

func TestTGIRequestErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ep   Endpoint
		req  Request
		want string
	}{
		{"sampling details", Endpoint{BaseURL: "http://127.0.0.1:8080"}, Request{Sampling: map[string]any{"details": false}}, `sampling key "details"`},
		{"sampling max new tokens", Endpoint{BaseURL: "http://127.0.0.1:8080"}, Request{MaxTokens: 3, Sampling: map[string]any{"max_new_tokens": 9}}, `sampling key "max_new_tokens"`},
		{"missing token", Endpoint{BaseURL: "https://x.endpoints.huggingface.cloud"}, Request{}, "export HF_TOKEN and set api_key: ${HF_TOKEN}"},
		{"missing base", Endpoint{}, Request{}, "missing base_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mustLookup(t, "tgi").NewRequest(context.Background(), tc.ep, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestTGIDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		data string
		want Chunk
	}{
		{"token", `{"index":1,"token":{"id":450,"text":"The","logprob":-0.41,"special":false},"generated_text":null,"details":null}`, Chunk{Content: "The"}},
		{"partial character", `{"index":2,"token":{"id":9,"text":"","logprob":-1,"special":false},"generated_text":null,"details":null}`, Chunk{HiddenToken: true}},
		{"final special", `{"index":6,"token":{"id":2,"text":"</s>","logprob":-0.02,"special":true},"generated_text":"The sky.","details":{"finish_reason":"eos_token","generated_tokens":6,"seed":null,"input_length":9}}`,
			Chunk{HiddenToken: true, FinishReason: "eos_token", Usage: &Usage{PromptTokens: 9, CompletionTokens: 6}, Done: true}},
		{"final length", `{"index":3,"token":{"id":7,"text":" sky","special":false},"generated_text":"The sky","details":{"finish_reason":"length","generated_tokens":3}}`,
			Chunk{Content: " sky", FinishReason: "length", Usage: &Usage{CompletionTokens: 3}, Done: true}},
		{"error", `{"error":"Request failed during generation: boom","error_type":"generation"}`,
			Chunk{Err: &StreamError{Type: "generation", Message: "Request failed during generation: boom"}}},
		{"keep-alive", ``, Chunk{}},
	}
	p := mustLookup(t, "tgi")
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
	if _, err := p.Decode(Event{Data: `data:{"token"`}); err == nil || !strings.Contains(err.Error(), "tgi: invalid JSON") {
		t.Errorf("invalid JSON: error = %v", err)
	}
}

// TestTGIReplayCase06 checks the fixture's expected.json: the text without
// "</s>", 6 token events (the special one included, so that E2E and ITL
// end at it), 6 output tokens and 9 input tokens from details, and the
// error variant's stream error.
func TestTGIReplayCase06(t *testing.T) {
	t.Parallel()
	const dir = "06-tgi-native-data-no-space"
	for _, file := range []string{"stream.sse", "stream-error.sse"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			want := caseExpect(t, dir, file)
			got := replay(t, mustLookup(t, "tgi"), &chunkReader{pieces: splitBlocks(readTestdata(t, "cases", dir, file))}, 0)
			checkEqual(t, "end", got.endErr, io.EOF)
			if len(got.decodeErrs) > 0 {
				t.Errorf("decode errors: %v", got.decodeErrs)
			}
			checkExpect(t, dir, file, want, got)
			if n, ok := want["token_events"]; ok {
				checkEqual(t, "token events", float64(got.outputChunks), n)
				checkEqual(t, "done", got.done, true)
			}
			if typ, ok := want["error_type"]; ok {
				checkEqual(t, "error type", got.streamErr.Type, typ)
			}
			if strings.Contains(got.text, "</s>") {
				t.Errorf("text %q contains the special token", got.text)
			}
		})
	}
}
