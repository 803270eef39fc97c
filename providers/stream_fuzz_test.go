package providers

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpenStream reads arbitrary bytes as a whole response body through
// every provider's stream, the stateful ones (Anthropic, SageMaker)
// included: the stream must end with an error or io.EOF, keep returning
// an error after the first, never yield more chunks than there are bytes,
// and never count more bytes than the body has.
func FuzzOpenStream(f *testing.F) {
	for _, pattern := range []string{"testdata/cases/*/*.sse", "testdata/anthropic/*.sse", "testdata/openai-responses/*.sse", "testdata/gemini/*.sse", "testdata/sagemaker/*.eventstream"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, uint16(0))
			f.Add(data[:len(data)*2/3], uint16(64))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, maxEvent uint16) {
		for _, name := range builtinProviders {
			st := OpenStream(mustLookup(t, name), bytes.NewReader(body), int(maxEvent))
			ended := false
			for range len(body) + 2 {
				if _, err := st.Next(); err != nil {
					if _, again := st.Next(); again == nil {
						t.Fatalf("%s: Next succeeded after %v", name, err)
					}
					ended = true
					break
				}
			}
			if !ended {
				t.Fatalf("%s: %d bytes gave more than %d chunks", name, len(body), len(body)+1)
			}
			if n := st.BytesRead(); n < 0 || n > int64(len(body)) {
				t.Errorf("%s: BytesRead = %d for a %d-byte body", name, n, len(body))
			}
		}
	})
}
