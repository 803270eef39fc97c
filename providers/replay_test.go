package providers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// The files under testdata/cases and testdata/real are byte-exact copies of
// captured or hand-built streams. Each case directory keeps the fixture's
// expected.json, and the replay tests compare against it rather than
// against numbers written into the tests.

// replayResult is what a correct client derives from a stream without
// looking at the clock.
type replayResult struct {
	events        int
	outputChunks  int
	contentChunks int
	text          string
	reasoning     string
	usage         *Usage
	usageChunks   int
	finishReason  string
	done          bool
	streamErr     *StreamError
	decodeErrs    []error
	endErr        error
	toolCalls     []ToolCallDelta // fragments joined by Index
	// callsByIndex joins fragments by Index without assuming that
	// indexes start at 0 and have no gaps.
	callsByIndex map[int]ToolCallDelta
	// firstOutputPiece and firstContentPiece are the 1-based numbers of the
	// pieces of a chunkReader with which the first output-bearing and the
	// first content-bearing event arrived, or 0 when none did or the reader
	// is of another kind.
	firstOutputPiece  int
	firstContentPiece int
}

func replay(t *testing.T, p Provider, r io.Reader, maxLine int) replayResult {
	t.Helper()
	piece := func() int { return 0 }
	if cr, ok := r.(*chunkReader); ok {
		piece = func() int { return cr.started }
	}
	st := OpenStream(p, r, maxLine)
	var res replayResult
	var text, reasoning strings.Builder
	for {
		c, err := st.Next()
		var de *DecodeError
		if errors.As(err, &de) {
			res.events++
			res.decodeErrs = append(res.decodeErrs, err)
		}
		if err != nil {
			res.endErr = err
			break
		}
		res.events++
		if c.HasOutput() {
			res.outputChunks++
			if res.firstOutputPiece == 0 {
				res.firstOutputPiece = piece()
			}
		}
		if c.Content != "" {
			res.contentChunks++
			if res.firstContentPiece == 0 {
				res.firstContentPiece = piece()
			}
		}
		text.WriteString(c.Content)
		reasoning.WriteString(c.Reasoning)
		res.joinToolCalls(c.ToolCalls)
		if c.Usage != nil {
			res.usage = c.Usage
			res.usageChunks++
		}
		if c.FinishReason != "" {
			res.finishReason = c.FinishReason
		}
		if c.Err != nil && res.streamErr == nil {
			res.streamErr = c.Err
		}
		res.done = res.done || c.Done
	}
	res.text, res.reasoning = text.String(), reasoning.String()
	return res
}

func (res *replayResult) joinToolCalls(deltas []ToolCallDelta) {
	for _, d := range deltas {
		if res.callsByIndex == nil {
			res.callsByIndex = map[int]ToolCallDelta{}
		}
		call := res.callsByIndex[d.Index]
		call.Index = d.Index
		call.ID += d.ID
		call.Type += d.Type
		call.Name += d.Name
		call.Arguments += d.Arguments
		res.callsByIndex[d.Index] = call
	}
	for _, d := range deltas {
		if d.Index == len(res.toolCalls) {
			res.toolCalls = append(res.toolCalls, ToolCallDelta{Index: d.Index})
		}
		if d.Index < 0 || d.Index >= len(res.toolCalls) {
			continue
		}
		call := &res.toolCalls[d.Index]
		call.ID += d.ID
		call.Type += d.Type
		call.Name += d.Name
		call.Arguments += d.Arguments
	}
}

func (res replayResult) completionTokens() int {
	if res.usage == nil {
		return 0
	}
	return res.usage.CompletionTokens
}

func readTestdata(t *testing.T, path ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// splitBlocks cuts a stream after every blank line, the unit in which the
// fixtures' timing.json schedules writes.
func splitBlocks(data []byte) [][]byte {
	var blocks [][]byte
	for len(data) > 0 {
		i := bytes.Index(data, []byte("\n\n"))
		if i < 0 {
			return append(blocks, data)
		}
		blocks = append(blocks, data[:i+2])
		data = data[i+2:]
	}
	return blocks
}

// caseExpect returns the expected.json "expect" entry for file: the entry
// named after the file when there is one, or else the shared entry.
func caseExpect(t *testing.T, dir, file string) map[string]any {
	t.Helper()
	var doc struct {
		Expect map[string]any `json:"expect"`
	}
	if err := json.Unmarshal(readTestdata(t, "cases", dir, "expected.json"), &doc); err != nil {
		t.Fatalf("%s/expected.json: %v", dir, err)
	}
	if per, ok := doc.Expect[file].(map[string]any); ok {
		return per
	}
	return doc.Expect
}

// blockAtMillis returns the 1-based number of the block that timing.json
// schedules to finish at ms after the headers, or 0 when none does.
func blockAtMillis(t *testing.T, dir, file string, ms float64) int {
	t.Helper()
	// Delays are either top-level, or per stream as a list or an object.
	var timing struct {
		Delays  []float64                  `json:"delays_ms"`
		Streams map[string]json.RawMessage `json:"streams"`
	}
	if err := json.Unmarshal(readTestdata(t, "cases", dir, "timing.json"), &timing); err != nil {
		t.Fatalf("%s/timing.json: %v", dir, err)
	}
	delays := timing.Delays
	if raw, ok := timing.Streams[file]; ok {
		var stream struct {
			Delays []float64 `json:"delays_ms"`
		}
		if err := json.Unmarshal(raw, &delays); err != nil {
			if err := json.Unmarshal(raw, &stream); err != nil {
				t.Fatalf("%s/timing.json streams[%q]: %v", dir, file, err)
			}
			delays = stream.Delays
		}
	}
	blocks := splitBlocks(readTestdata(t, "cases", dir, file))
	if len(blocks) != len(delays) {
		t.Fatalf("%s/%s has %d blocks but timing.json schedules %d", dir, file, len(blocks), len(delays))
	}
	at := 0.0
	for i, d := range delays {
		at += d
		if at == ms {
			return i + 1
		}
	}
	return 0
}

var replayCases = []struct{ dir, file string }{
	{"01-role-only-first-chunk", "stream.sse"},
	{"01-role-only-first-chunk", "stream-content-null.sse"},
	{"02-usage-chunk-empty-choices", "stream.sse"},
	{"05-sse-comments-keepalive", "stream.sse"},
	{"08-end-of-stream-done-vs-truncated", "stream-no-done.sse"},
	{"08-end-of-stream-done-vs-truncated", "stream-truncated.sse"},
	{"09-error-object-in-200-stream", "stream-error-after-tokens.sse"},
	{"09-error-object-in-200-stream", "stream-error-first-event.sse"},
	{"13-reasoning-deltas", "stream.sse"},
	{"13-reasoning-deltas", "stream-reasoning-field.sse"},
	{"13-reasoning-deltas", "stream-reasoning-only-length.sse"},
	{"14-tool-call-deltas", "stream.sse"},
	{"14-tool-call-deltas", "stream-no-visible-output.sse"},
	{"23-event-split-across-reads", "stream.sse"},
	{"25-long-sse-line-over-64k", "stream.sse"},
	{"28-llamacpp-timings-progress", "stream.sse"},
}

// TestReplayCases replays each case one blank-line block per read, as the
// fixtures' replay server writes it, and checks every expectation that does
// not depend on the clock.
func TestReplayCases(t *testing.T) {
	t.Parallel()
	p := mustLookup(t, "openai-chat")
	for _, tc := range replayCases {
		t.Run(tc.dir[:2]+"/"+tc.file, func(t *testing.T) {
			t.Parallel()
			want := caseExpect(t, tc.dir, tc.file)
			got := replay(t, p, &chunkReader{pieces: splitBlocks(readTestdata(t, "cases", tc.dir, tc.file))}, 0)

			if len(got.decodeErrs) > 0 {
				t.Errorf("decode errors: %v", got.decodeErrs)
			}
			if got.endErr != io.EOF {
				t.Errorf("stream ended with %v, want io.EOF", got.endErr)
			}
			checkExpect(t, tc.dir, tc.file, want, got)
		})
	}
}

func checkExpect(t *testing.T, dir, file string, want map[string]any, got replayResult) {
	t.Helper()
	for key, w := range want {
		switch key {
		case "text", "content_text", "partial_text":
			checkEqual(t, key, got.text, w)
		case "reasoning_text":
			checkEqual(t, key, got.reasoning, w)
		case "output_tokens":
			checkEqual(t, key, float64(got.completionTokens()), w)
		case "input_tokens", "reasoning_tokens":
			if got.usage == nil {
				t.Errorf("%s: no usage in the stream, want %v", key, w)
				continue
			}
			n := got.usage.PromptTokens
			if key == "reasoning_tokens" {
				n = got.usage.ReasoningTokens
			}
			checkEqual(t, key, float64(n), w)
		case "content_chunks":
			checkEqual(t, key, float64(got.contentChunks), w)
		case "events_parsed":
			checkEqual(t, key, float64(got.events), w)
		case "json_parse_errors":
			checkEqual(t, key, float64(len(got.decodeErrs)), w)
		case "finish_reason":
			checkEqual(t, key, got.finishReason, w)
		case "text_bytes":
			checkEqual(t, key, float64(len(got.text)), w)
		case "text_ends_with":
			if !strings.HasSuffix(got.text, w.(string)) {
				t.Errorf("text ends with %q, want %q", got.text[max(0, len(got.text)-20):], w)
			}
		case "success":
			complete := got.streamErr == nil && (got.done || got.finishReason != "")
			checkEqual(t, "complete and error-free", complete, w)
		case "error_kind":
			checkErrorKind(t, got, w)
		case "error_code":
			if got.streamErr == nil {
				t.Errorf("error_code: no stream error, want code %v", w)
				continue
			}
			checkEqual(t, key, got.streamErr.Code, fmt.Sprint(w))
		case "error_message_kept":
			checkEqual(t, key, got.streamErr != nil && got.streamErr.Message != "", w)
		case "ttft_ms":
			checkFirstPiece(t, dir, file, key, got.firstOutputPiece, w)
		case "ttfo_ms":
			checkFirstPiece(t, dir, file, key, got.firstContentPiece, w)
		case "tool_calls":
			checkToolCalls(t, got.toolCalls, w)
		case "tool_call_arguments_parse_as_json":
			checkToolArguments(t, got.toolCalls, w)
		}
	}
}

func checkEqual(t *testing.T, name string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", name, got, want)
	}
}

func checkErrorKind(t *testing.T, got replayResult, kind any) {
	t.Helper()
	switch kind {
	case nil:
		if got.streamErr != nil {
			t.Errorf("stream error %v, want none", got.streamErr)
		}
	case "stream_error":
		if got.streamErr == nil {
			t.Error("no stream error detected, want one")
		}
	case "incomplete_stream":
		if got.done || got.finishReason != "" || got.usage != nil {
			t.Errorf("done=%v finish=%q usage=%v, want none of them on a truncated stream", got.done, got.finishReason, got.usage)
		}
	default:
		t.Errorf("unknown error_kind %v in expected.json", kind)
	}
}

// checkFirstPiece checks that the first output arrives with the block that
// timing.json schedules at the expected time; a null time means no output.
func checkFirstPiece(t *testing.T, dir, file, key string, gotPiece int, want any) {
	t.Helper()
	if want == nil {
		if gotPiece != 0 {
			t.Errorf("%s: output arrived with block %d, want no output", key, gotPiece)
		}
		return
	}
	if _, err := os.Stat(filepath.Join("testdata", "cases", dir, "timing.json")); err != nil {
		return // the case schedules its writes another way
	}
	wantPiece := blockAtMillis(t, dir, file, want.(float64))
	if wantPiece == 0 {
		t.Fatalf("%s: no block of timing.json ends at %v ms", key, want)
	}
	if gotPiece != wantPiece {
		t.Errorf("%s: first output arrived with block %d, want block %d (at %v ms)", key, gotPiece, wantPiece, want)
	}
}

func checkToolCalls(t *testing.T, got []ToolCallDelta, want any) {
	t.Helper()
	var wantCalls []ToolCallDelta
	for _, w := range want.([]any) {
		m := w.(map[string]any)
		wantCalls = append(wantCalls, ToolCallDelta{
			Index:     int(m["index"].(float64)),
			ID:        m["id"].(string),
			Type:      m["type"].(string),
			Name:      m["name"].(string),
			Arguments: m["arguments"].(string),
		})
	}
	checkEqual(t, "tool calls", got, wantCalls)
}

func checkToolArguments(t *testing.T, got []ToolCallDelta, want any) {
	t.Helper()
	if len(got) == 0 {
		t.Error("no tool call to parse")
		return
	}
	var args any
	if err := json.Unmarshal([]byte(got[0].Arguments), &args); err != nil {
		t.Errorf("tool-call arguments %q are not JSON: %v", got[0].Arguments, err)
		return
	}
	checkEqual(t, "tool-call arguments", args, want)
}

// TestReplaySplitReads replays the 23-event-split-across-reads case
// through its writes.json byte ranges, one byte per read, and a cut at
// every position.
func TestReplaySplitReads(t *testing.T) {
	t.Parallel()
	const dir = "23-event-split-across-reads"
	stream := readTestdata(t, "cases", dir, "stream.sse")
	var plan struct {
		TotalBytes int `json:"total_bytes"`
		Writes     []struct {
			Start int `json:"start"`
			End   int `json:"end"`
		} `json:"writes"`
	}
	if err := json.Unmarshal(readTestdata(t, "cases", dir, "writes.json"), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.TotalBytes != len(stream) {
		t.Fatalf("writes.json covers %d bytes, stream.sse has %d", plan.TotalBytes, len(stream))
	}

	readers := map[string]func() io.Reader{
		"writes.json": func() io.Reader {
			r := &chunkReader{}
			for _, w := range plan.Writes {
				r.pieces = append(r.pieces, stream[w.Start:w.End])
			}
			return r
		},
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
	}
	for cut := 1; cut < len(stream); cut++ {
		readers[fmt.Sprintf("cut %d", cut)] = func() io.Reader { return splitAt(stream, cut) }
	}

	want := caseExpect(t, dir, "stream.sse")
	delete(want, "ttft_ms")
	p := mustLookup(t, "openai-chat")
	for name, newReader := range readers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkExpect(t, dir, "stream.sse", want, replay(t, p, newReader(), 0))
		})
	}
}

// TestReplayLongLineStress builds the 2.5 MB variant that the expected.json
// of 25-long-sse-line-over-64k describes, by repeating the text of its long
// event.
func TestReplayLongLineStress(t *testing.T) {
	t.Parallel()
	const dir = "25-long-sse-line-over-64k"
	var doc struct {
		Expect struct {
			TextBytes int `json:"text_bytes"`
			Stress    struct {
				Expect struct {
					TextBytes int `json:"text_bytes"`
				} `json:"expect"`
			} `json:"stress_variant"`
		} `json:"expect"`
	}
	if err := json.Unmarshal(readTestdata(t, "cases", dir, "expected.json"), &doc); err != nil {
		t.Fatal(err)
	}
	stream := readTestdata(t, "cases", dir, "stream.sse")
	short := doc.Expect.TextBytes - len("end")
	long := doc.Expect.Stress.Expect.TextBytes - len("end")
	oldText := strings.Repeat("word ", short/len("word "))
	if !bytes.Contains(stream, []byte(`"`+oldText+`"`)) {
		t.Fatalf("stream.sse has no content of %d bytes of repeated \"word \"", short)
	}
	stress := bytes.Replace(stream, []byte(oldText), []byte(strings.Repeat("word ", long/len("word "))), 1)
	p := mustLookup(t, "openai-chat")

	got := replay(t, p, bytes.NewReader(stress), 0)
	if len(got.text) != doc.Expect.Stress.Expect.TextBytes {
		t.Errorf("text is %d bytes, want %d", len(got.text), doc.Expect.Stress.Expect.TextBytes)
	}
	if got.endErr != io.EOF {
		t.Errorf("stream ended with %v, want io.EOF", got.endErr)
	}

	limited := replay(t, p, bytes.NewReader(stress), 1<<20)
	if !errors.Is(limited.endErr, ErrLineTooLong) {
		t.Errorf("with a 1 MiB limit the stream ended with %v, want ErrLineTooLong", limited.endErr)
	}
}

// realStreams lists values read from the captured files themselves,
// because those files come without an expected.json.
var realStreams = []struct {
	name         string
	provider     string
	file         string
	text         string // whole text, when short enough to list
	textBytes    int
	outputChunks int
	usage        *Usage
	usageChunks  int
	finishReason string
}{
	{"sim chat", "openai-chat", "llm-d-inference-sim/chat-stream.sse", "The ", 4, 1, nil, 0, "stop"},
	{"sim chat usage", "openai-chat", "llm-d-inference-sim/chat-stream-usage.sse", "The temperature here is ", 24, 4, &Usage{PromptTokens: 7, CompletionTokens: 4}, 1, "stop"},
	{"sim completions", "openai-completions", "llm-d-inference-sim/completions-stream.sse", "I am fine, ", 11, 4, nil, 0, "stop"},
	{"sim completions usage", "openai-completions", "llm-d-inference-sim/completions-stream-usage.sse", "I am your ", 10, 3, &Usage{PromptTokens: 2, CompletionTokens: 3}, 1, "stop"},
	{"ollama chat", "openai-chat", "ollama-llamacpp/chat-stream.body", "", 408, 63, nil, 0, "length"},
	{"ollama chat nousage", "openai-chat", "ollama-llamacpp/chat-stream-nousage.sse", "", 372, 64, nil, 0, "length"},
	{"ollama chat usage", "openai-chat", "ollama-llamacpp/chat-stream-usage.body", "", 417, 61, &Usage{PromptTokens: 17, CompletionTokens: 64}, 1, "length"},
	{"ollama chat ignore eos", "openai-chat", "ollama-llamacpp/chat-stream-usage-ignoreeos.body", "", 407, 64, &Usage{PromptTokens: 17, CompletionTokens: 64}, 1, "length"},
	{"ollama chat stop", "openai-chat", "ollama-llamacpp/chat-stream-stop.body", " ", 1, 1, &Usage{PromptTokens: 17, CompletionTokens: 1}, 1, "stop"},
	{"ollama completions", "openai-completions", "ollama-llamacpp/compl-stream.body", "", 411, 62, nil, 0, "length"},
	{"ollama completions usage", "openai-completions", "ollama-llamacpp/compl-stream-usage.body", "", 388, 63, &Usage{PromptTokens: 14, CompletionTokens: 64}, 65, "length"},
}

func TestReplayReal(t *testing.T) {
	t.Parallel()
	for _, tc := range realStreams {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, "real", tc.file)
			got := replay(t, mustLookup(t, tc.provider), iotest.HalfReader(bytes.NewReader(data)), 0)

			if len(got.decodeErrs) > 0 {
				t.Errorf("decode errors: %v", got.decodeErrs)
			}
			if got.endErr != io.EOF {
				t.Errorf("stream ended with %v, want io.EOF", got.endErr)
			}
			if !got.done {
				t.Error("no [DONE] seen")
			}
			if tc.text != "" && got.text != tc.text {
				t.Errorf("text = %q, want %q", got.text, tc.text)
			}
			checkEqual(t, "text bytes", len(got.text), tc.textBytes)
			checkEqual(t, "output chunks", got.outputChunks, tc.outputChunks)
			checkEqual(t, "final usage", got.usage, tc.usage)
			checkEqual(t, "usage chunks", got.usageChunks, tc.usageChunks)
			checkEqual(t, "finish reason", got.finishReason, tc.finishReason)
		})
	}
}

// TestReplayRealChunked decodes the simulator's stream from its raw HTTP
// chunked encoding, so that reads end where the server's chunks did.
func TestReplayRealChunked(t *testing.T) {
	t.Parallel()
	raw := readTestdata(t, "real", "llm-d-inference-sim", "chat-stream-usage.raw-chunked")
	body := httputil.NewChunkedReader(bufio.NewReader(bytes.NewReader(raw)))
	got := replay(t, mustLookup(t, "openai-chat"), body, 0)

	checkEqual(t, "end", got.endErr, io.EOF)
	checkEqual(t, "text", got.text, "The rest is ")
	checkEqual(t, "output chunks", got.outputChunks, 3)
	checkEqual(t, "usage", got.usage, &Usage{PromptTokens: 6, CompletionTokens: 3})
	checkEqual(t, "finish reason", got.finishReason, "length")
	checkEqual(t, "done", got.done, true)
}

func TestReplayOverHTTP(t *testing.T) {
	t.Parallel()
	const dir = "01-role-only-first-chunk"
	stream := readTestdata(t, "cases", dir, "stream.sse")
	received := make(chan *http.Request, 1)
	receivedBody := make(chan []byte, 1)
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- r
		receivedBody <- body
		w.Header().Set("Content-Type", "text/event-stream")
		for _, block := range splitBlocks(stream) {
			w.Write(block)
			w.(http.Flusher).Flush()
		}
	}))

	p := mustLookup(t, "openai-chat")
	ep := Endpoint{BaseURL: srv.URL + "/v1/", Model: "test-model", APIKey: "sk-loopback"}
	hr, err := p.NewRequest(t.Context(), ep, Request{Prompt: "Say it", MaxTokens: 5, StreamUsage: true})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := replay(t, p, resp.Body, 0)

	r, body := <-received, <-receivedBody
	checkEqual(t, "path", r.URL.Path, "/v1/chat/completions")
	checkEqual(t, "authorization", r.Header.Get("Authorization"), "Bearer sk-loopback")
	if !bytes.Contains(body, []byte(`"include_usage":true`)) {
		t.Errorf("body %s lacks include_usage", body)
	}
	want := caseExpect(t, dir, "stream.sse")
	checkEqual(t, "text", got.text, want["text"])
	checkEqual(t, "output tokens", float64(got.completionTokens()), want["output_tokens"])
	checkEqual(t, "content chunks", float64(got.contentChunks), want["content_chunks"])
}

// newLoopbackServer starts h on 127.0.0.1 explicitly, so that the test never
// listens on another interface whatever httptest's defaults become.
func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}
