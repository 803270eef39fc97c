package mock

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/runner"
)

func startMock(t *testing.T, cfg Config) *Listener {
	t.Helper()
	l, err := Start("127.0.0.1:0", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// streamed is what a provider read from one mock response.
type streamed struct {
	status       int
	text         string
	outputEvents int
	usage        *providers.Usage
	finish       string
	done         bool
	err          error
	streamErr    *providers.StreamError
	firstOutput  time.Duration
}

func generate(t *testing.T, provider string, ep providers.Endpoint, req providers.Request) streamed {
	t.Helper()
	p, ok := providers.Lookup(provider)
	if !ok {
		t.Fatalf("provider %q is not registered", provider)
	}
	hr, err := p.NewRequest(context.Background(), ep, req)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := streamed{status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		got.err = providers.NewHTTPError(resp, body)
		return got
	}

	st := providers.OpenStream(p, resp.Body, 0)
	var text strings.Builder
	for {
		c, err := st.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				got.err = err
			}
			break
		}
		if c.HasOutput() {
			if got.outputEvents == 0 {
				got.firstOutput = time.Since(start)
			}
			got.outputEvents++
		}
		text.WriteString(c.Content)
		if c.Usage != nil {
			got.usage = c.Usage
		}
		if c.FinishReason != "" {
			got.finish = c.FinishReason
		}
		if c.Err != nil {
			got.streamErr = c.Err
		}
		if c.Done {
			got.done = true
			break
		}
	}
	got.text = text.String()
	return got
}

// TestMockSpeaksEveryProvider sends the same request through each built-in
// provider to one mock listener and checks that each reads the same text,
// token counts and finish.
func TestMockSpeaksEveryProvider(t *testing.T) {
	t.Parallel()
	l := startMock(t, Config{TTFT: 30 * time.Millisecond, ITL: time.Millisecond})
	const prompt = "Tell me a story about a fox"
	wantPrompt := countTokens(prompt)
	cases := []struct {
		provider, base, finish string
		promptExtra            int
		done                   bool
	}{
		{provider: "openai-chat", base: l.URL, finish: "length", done: true},
		{provider: "openai-completions", base: l.URL, finish: "length", done: true},
		{provider: "azure-openai", base: strings.TrimSuffix(l.URL, "/v1") + "/openai/deployments/d1?api-version=2024-10-21", finish: "length", done: true},
		{provider: "openai-responses", base: l.URL, finish: "max_output_tokens", done: true},
		{provider: "anthropic", base: l.URL, finish: "max_tokens", done: true},
		{provider: "tgi", base: strings.TrimSuffix(l.URL, "/v1"), finish: "length", done: true},
		{provider: "gemini", base: l.URL, finish: "MAX_TOKENS"},
		{provider: "gemini", base: l.URL + "/projects/p/locations/us-central1", finish: "MAX_TOKENS"},
		{provider: "sagemaker", base: l.URL, finish: "length", done: true},
	}
	for _, tc := range cases {
		t.Run(tc.provider+" "+tc.base[len(l.URL)-3:], func(t *testing.T) {
			t.Parallel()
			ep := providers.Endpoint{BaseURL: tc.base, Model: "mock-model"}
			got := generate(t, tc.provider, ep, providers.Request{Prompt: prompt, MaxTokens: 5, StreamUsage: true})
			if got.err != nil || got.streamErr != nil {
				t.Fatalf("errors: %v, %v", got.err, got.streamErr)
			}
			checkEq(t, "text", got.text, " the quick brown fox jumps")
			checkEq(t, "output events", got.outputEvents, 5)
			checkEq(t, "usage", got.usage, &providers.Usage{PromptTokens: wantPrompt, CompletionTokens: 5})
			checkEq(t, "finish", got.finish, tc.finish)
			checkEq(t, "done", got.done, tc.done)
			if got.firstOutput < 30*time.Millisecond {
				t.Errorf("first output after %v, want at least the 30ms TTFT", got.firstOutput)
			}
		})
	}
}

func TestMockErrorsInEachShape(t *testing.T) {
	t.Parallel()
	l := startMock(t, Config{})
	root := strings.TrimSuffix(l.URL, "/v1")
	cases := []struct {
		name, method, path, body string
		status                   int
		typ, msg                 string
	}{
		{"anthropic without max_tokens", "POST", "/v1/messages", `{"model":"m","stream":true,"messages":[]}`,
			400, "invalid_request_error", "max_tokens: Field required"},
		{"anthropic without stream", "POST", "/v1/messages", `{"model":"m","max_tokens":3,"messages":[]}`,
			400, "invalid_request_error", "the mock serves the Messages API with stream: true only"},
		{"tgi without inputs", "POST", "/generate_stream", `{"parameters":{}}`,
			400, "validation", "failed to deserialize the JSON body into the target type: missing field `inputs`"},
		{"sagemaker without inputs", "POST", "/endpoints/e/invocations-response-stream", `{}`,
			400, "", "failed to deserialize the JSON body into the target type: missing field `inputs`"},
		{"gemini without alt", "POST", "/v1beta/models/m:streamGenerateContent", `{}`,
			400, "INVALID_ARGUMENT", "the mock streams Server-Sent Events only; add ?alt=sse"},
		{"responses bad max", "POST", "/v1/responses", `{"stream":true,"max_output_tokens":0}`,
			400, "invalid_request_error", "the output length must be at least 1"},
		{"unknown path", "POST", "/v1/embeddings", `{}`, 404, "BadRequestError",
			"no route for POST /v1/embeddings; the mock serves paths ending in " + strings.Join(Paths(), ", ")},
		{"wrong method", "GET", "/v1/chat/completions", ``, 405, "BadRequestError", "GET is not allowed; use POST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tc.method, root+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			e := providers.NewHTTPError(resp, body)
			checkEq(t, "status", e.Status, tc.status)
			checkEq(t, "type", e.Type, tc.typ)
			checkEq(t, "message", e.Message, tc.msg)
		})
	}
}

func TestMockModelsAndNonStream(t *testing.T) {
	t.Parallel()
	l := startMock(t, Config{})
	resp, err := http.Get(l.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"mock-model"`) {
		t.Errorf("models = %s", body)
	}

	resp, err = http.Post(l.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","max_tokens":2,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"content":" the quick"`) || !strings.Contains(string(body), `"completion_tokens":2`) {
		t.Errorf("non-streaming body = %s", body)
	}
}

func TestTextOf(t *testing.T) {
	t.Parallel()
	cases := []struct{ raw, want string }{
		{`"plain"`, "plain"},
		{`[{"type":"text","text":"a"},{"type":"text","text":"b"}]`, "a\nb"},
		{`[{"type":"message","content":[{"type":"input_text","text":"nested"}]}]`, "nested"},
		{`null`, ""},
		{``, ""},
	}
	for _, tc := range cases {
		checkEq(t, tc.raw, textOf([]byte(tc.raw)), tc.want)
	}
}

func checkEq(t *testing.T, name string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", name, got, want)
	}
}

// TestMockAnswersNumbers checks that the mock understands every prompt the
// correctness workload can send, so that a correctness run against it
// reports no mismatches.
func TestMockAnswersNumbers(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		p, want, err := runner.CorrectnessPrompt(r)
		if err != nil {
			t.Fatal(err)
		}
		answer := answerFor(p.Text)
		if len(answer) != 5 || answer[3] != " "+want {
			t.Fatalf("answer to %q = %q, want the number %s", p.Text, answer, want)
		}
	}
	for n := int64(0); n <= runner.MaxCorrectnessNumber; n++ {
		if got, ok := parseNumberWords(runner.NumberWords(n)); !ok || got != n {
			t.Fatalf("parseNumberWords(%q) = %d, %v", runner.NumberWords(n), got, ok)
		}
	}
	if answerFor("Tell me a story") != nil {
		t.Error("an ordinary prompt got a number")
	}
}

func TestMockAnswerEndsTheStream(t *testing.T) {
	t.Parallel()
	l := startMock(t, Config{TTFT: time.Millisecond, ITL: time.Millisecond})
	const prompt = "Write the following number in digits: one thousand and five.\nAnswer with the number first."
	cases := []struct{ provider, base, finish string }{
		{"openai-chat", l.URL, "stop"},
		{"openai-responses", l.URL, "completed"},
		{"anthropic", l.URL, "end_turn"},
		{"tgi", l.URL, "eos_token"},
		{"gemini", l.URL, "STOP"},
		{"sagemaker", l.URL, "eos_token"},
	}
	for _, tc := range cases {
		t.Run(tc.provider, func(t *testing.T) {
			t.Parallel()
			got := generate(t, tc.provider, providers.Endpoint{BaseURL: tc.base, Model: "m"}, providers.Request{Prompt: prompt, MaxTokens: 32, StreamUsage: true})
			checkEq(t, "text", got.text, "The number is 1005.")
			checkEq(t, "finish", got.finish, tc.finish)
			checkEq(t, "output tokens", got.usage.CompletionTokens, 5)
		})
	}
	cut := generate(t, "anthropic", providers.Endpoint{BaseURL: l.URL, Model: "m"}, providers.Request{Prompt: prompt, MaxTokens: 2})
	checkEq(t, "cut text", cut.text, "The number")
	checkEq(t, "cut finish", cut.finish, "max_tokens")
}
