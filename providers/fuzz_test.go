package providers

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// builtinProviders are the providers this package registers.
var builtinProviders = []string{"openai-chat", "openai-completions", "azure-openai", "openai-responses", "anthropic", "tgi", "gemini", "sagemaker"}

// FuzzProviderDecode feeds every event of the stream fixtures, and
// mutations of them, to every provider: Decode must not panic, and it
// returns either a chunk or an error, never both.
func FuzzProviderDecode(f *testing.F) {
	for _, pattern := range []string{"testdata/cases/*/*.sse", "testdata/anthropic/*.sse", "testdata/openai-responses/*.sse", "testdata/gemini/*.sse"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			d := NewDecoder(bytes.NewReader(data), 0)
			for {
				ev, err := d.Next()
				if err != nil {
					break
				}
				f.Add(ev.Type, ev.Data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, typ, data string) {
		for _, name := range builtinProviders {
			p := mustLookup(t, name)
			c, err := p.Decode(Event{Type: typ, Data: data})
			if err != nil && !reflect.DeepEqual(c, Chunk{}) {
				t.Errorf("%s: Decode returned both %+v and %v", name, c, err)
			}
			if err != nil && strings.Contains(err.Error(), data) && len(data) > maxQuotedData+3 {
				t.Errorf("%s: the error quotes all %d bytes of the event", name, len(data))
			}
		}
	})
}

// FuzzEventStream reads arbitrary bytes as a SageMaker response: the
// stream must end with an error or io.EOF, never panic or spin.
func FuzzEventStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/sagemaker/*.eventstream")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st := newEventStream(bytes.NewReader(data), 1<<16)
		for range len(data) + 2 {
			if _, err := st.Next(); err != nil {
				if _, again := st.Next(); again == nil {
					t.Fatal("Next succeeded after an error")
				}
				return
			}
		}
		t.Fatalf("%d bytes gave more than %d chunks", len(data), len(data)+1)
	})
}

// BenchmarkDecodeEvent decodes one typical text event of each format.
func BenchmarkDecodeEvent(b *testing.B) {
	events := map[string]Event{
		"openai-chat":      {Data: `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" the"},"logprobs":null,"finish_reason":null}]}`},
		"openai-responses": {Type: "response.output_text.delta", Data: `{"type":"response.output_text.delta","sequence_number":9,"item_id":"msg_1","output_index":0,"content_index":0,"delta":" the"}`},
		"anthropic":        {Type: "content_block_delta", Data: `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the"}}`},
		"tgi":              {Data: `{"index":3,"token":{"id":1000,"text":" the","logprob":-0.25,"special":false},"generated_text":null,"details":null}`},
		"gemini":           {Data: `{"candidates":[{"content":{"parts":[{"text":" the"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":3,"totalTokenCount":12},"modelVersion":"m","responseId":"r"}`},
	}
	for name, ev := range events {
		b.Run(name, func(b *testing.B) {
			p := mustLookup(b, name)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Decode(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
