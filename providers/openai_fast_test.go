package providers

import (
	"reflect"
	"testing"
)

// fastCases are chunks as servers send them, and variations that the fast
// path must either read exactly as encoding/json does or hand over to it.
var fastCases = []struct {
	name string
	data string
	fast bool // whether the fast path returns a chunk
}{
	{"vLLM content", `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1733000000,"model":"m","choices":[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}]}`, true},
	{"role only", `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`, true},
	{"finish and usage null", `{"choices":[{"index":0,"delta":{},"finish_reason":"length","stop_reason":null}],"usage":null}`, true},
	{"usage chunk", `{"id":"c","choices":[],"usage":{"prompt_tokens":12,"total_tokens":76,"completion_tokens":64,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":20}}}`, true},
	{"reasoning_content", `{"choices":[{"index":0,"delta":{"reasoning_content":"think","content":null}}]}`, true},
	{"reasoning", `{"choices":[{"index":0,"delta":{"reasoning":"think"}}]}`, true},
	{"completions text", `{"choices":[{"index":0,"text":"abc","finish_reason":null}]}`, true},
	{"escaped text", `{"choices":[{"index":0,"delta":{"content":"line\n\"q\" \u00e9 \ud83d\ude00 \/"}}]}`, true},
	{"escaped key", `{"choices":[{"index":0,"delta":{"cont\u0065nt":"x"}}]}`, true},
	{"second choice first", `{"choices":[{"index":1,"delta":{"content":"b"}},{"index":0,"delta":{"content":"a"}}]}`, true},
	{"index missing", `{"choices":[{"delta":{"content":"a"}}]}`, true},
	{"empty tool_calls", `{"choices":[{"index":0,"delta":{"content":"a","tool_calls":[]}}]}`, true},
	{"numbers and nesting skipped", `{"x":[1,-0.5,2e10,-3E-2,true,false,null,{"a":[[]]}],"choices":[{"index":0,"delta":{"content":"a"}}]}`, true},
	{"white space", " {\n\t\"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"a\" } } ] }\r\n", true},

	{"tool call", `{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{"}}]}}]}`, false},
	{"error member", `{"error":{"message":"boom","type":"server_error","code":500}}`, false},
	{"vLLM error form", `{"object":"error","message":"boom","type":"BadRequestError","code":400}`, false},
	{"key in another case", `{"Choices":[{"index":0,"delta":{"content":"a"}}]}`, false},
	{"repeated key", `{"choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}`, false},
	{"number for a string", `{"choices":[{"index":0,"delta":{"content":5}}]}`, false},
	{"fraction for an index", `{"choices":[{"index":0.0,"delta":{"content":"a"}}]}`, false},
	{"index too large", `{"choices":[{"index":99999999999999999999,"delta":{"content":"a"}}]}`, false},
	{"invalid UTF-8", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\xffb\"}}]}", false},
	{"null choice", `{"choices":[null]}`, false},
	{"trailing data", `{"choices":[]} x`, false},
	{"truncated", `{"choices":[{"index":0,"delta":{"content":"a`, false},
	{"leading zero", `{"n":01,"choices":[]}`, false},
	{"not an object", `[1,2]`, false},
	{"null", `null`, false},
	{"control character", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\x01\"}}]}", false},
	{"non-ASCII key", `{"choıces":[]}`, false},
}

func TestFastChunkAgreesWithEncodingJSON(t *testing.T) {
	for _, chat := range []bool{true, false} {
		p := openAI{name: "openai-chat", chat: chat}
		for _, tc := range fastCases {
			var got Chunk
			ok := fastChunk(tc.data, chat, &got)
			if ok != tc.fast {
				t.Errorf("chat=%v %s: fast path returned a chunk: %v, want %v", chat, tc.name, ok, tc.fast)
			}
			if !ok {
				continue
			}
			want, err := p.decodeJSON(Event{Data: tc.data}, tc.data)
			if err != nil {
				t.Errorf("chat=%v %s: fast path returned a chunk for an event encoding/json rejects: %v", chat, tc.name, err)
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("chat=%v %s:\n fast %+v\n json %+v", chat, tc.name, got, want)
			}
		}
	}
}

func TestFastChunkReadsFields(t *testing.T) {
	var c Chunk
	data := `{"choices":[{"index":0,"delta":{"reasoning_content":"r","content":"a\nb"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"completion_tokens_details":{"reasoning_tokens":1}}}`
	if !fastChunk(data, true, &c) {
		t.Fatal("the fast path gave up on a plain chunk")
	}
	want := Chunk{Content: "a\nb", Reasoning: "r", FinishReason: "stop", Usage: &Usage{PromptTokens: 3, CompletionTokens: 4, ReasoningTokens: 1}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

// FuzzFastChunk checks that whenever the fast path returns a chunk, encoding/json
// accepts the event and decodes it to the same chunk.
func FuzzFastChunk(f *testing.F) {
	for _, tc := range fastCases {
		f.Add(tc.data, true)
	}
	f.Fuzz(func(t *testing.T, data string, chat bool) {
		var got Chunk
		if !fastChunk(data, chat, &got) {
			return
		}
		p := openAI{name: "openai-chat", chat: chat}
		want, err := p.decodeJSON(Event{Data: data}, data)
		if err != nil {
			t.Fatalf("fast path returned a chunk for %q, which encoding/json rejects: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n fast %+v\n json %+v", data, got, want)
		}
	})
}
