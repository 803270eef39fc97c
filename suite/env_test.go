package suite

import (
	"errors"
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	t.Parallel()
	env := lookupIn(map[string]string{"HOST": "10.0.0.7", "EMPTY": "", "PORT": "8000"})
	tests := []struct {
		name, in, want string
		fromEnv        bool
	}{
		{"no reference", "plain text", "plain text", false},
		{"set variable", "${HOST}", "10.0.0.7", true},
		{"inside text", "http://${HOST}:${PORT}/v1", "http://10.0.0.7:8000/v1", true},
		{"default unused", "${HOST:-localhost}", "10.0.0.7", true},
		{"default for unset", "${NOPE:-localhost}", "localhost", true},
		{"default for empty", "${EMPTY:-x}", "x", true},
		{"empty default", "${NOPE:-}", "", true},
		{"empty variable", "${EMPTY}", "", true},
		{"default keeps colon", "${NOPE:-a:-b}", "a:-b", true},
		{"escaped dollar", "$$100", "$100", false},
		{"escaped reference", "$${HOST}", "${HOST}", false},
		{"lone dollar", "costs 5$", "costs 5$", false},
		{"dollar digit", "$5 each", "$5 each", false},
		{"dollar space", "a $ b", "a $ b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, fromEnv, err := expandEnv(tt.in, env)
			if err != nil {
				t.Fatalf("expandEnv(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("expandEnv(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if fromEnv != tt.fromEnv {
				t.Errorf("expandEnv(%q) fromEnv = %v, want %v", tt.in, fromEnv, tt.fromEnv)
			}
		})
	}
}

func TestExpandEnvErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"unset", "${NOPE}", `environment variable "NOPE" is not set; export it, or give a default with ${NOPE:-default}`},
		{"unterminated", "${HOST", `unterminated "${" in "${HOST"; close it with "}", or write "$$" for a literal "$"`},
		{"no braces", "$HOST/v1", `write ${HOST} to read an environment variable, or "$$" for a literal "$"`},
		{"bad name", "${A-B}", `invalid environment variable name "A-B" in ${A-B}; use letters, digits and "_", not starting with a digit`},
		{"empty name", "${}", `invalid environment variable name "" in ${}; use letters, digits and "_", not starting with a digit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := expandEnv(tt.in, nil)
			if err == nil {
				t.Fatalf("expandEnv(%q) succeeded, want an error", tt.in)
			}
			if err.Error() != tt.want {
				t.Errorf("expandEnv(%q) error:\n%s\nwant:\n%s", tt.in, err, tt.want)
			}
		})
	}
}

const envSuite = `endpoints:
  - name: e
    provider: openai-chat
    base_url: ${BASE_URL:-builtin:mock}
    model: ${MODEL}
    api_key: ${API_KEY}
    headers: {X-Org: "${ORG:-none}"}
    sampling:
      temperature: ${TEMP:-0.5}
      label: "${TEMP:-0.5}"
workloads:
  - name: w
    input_tokens: "${IN:-100}"
    output_tokens: ${OUT:-10}
load:
  concurrency: [1]
  requests: ${REQUESTS:-20}
  timeout: ${TIMEOUT:-15s}
`

func TestParseExpandsEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{"MODEL": "llama", "API_KEY": "sk-from-env", "TEMP": "0.9", "REQUESTS": "7"}
	s, warnings, err := Parse([]byte(envSuite), "env.yaml", LoadOptions{LookupEnv: lookupIn(env)})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %v, want none for a key read from the environment", warnings)
	}

	e, w := s.Endpoints[0], s.Workloads[0]
	if e.BaseURL != MockBaseURL {
		t.Errorf("BaseURL = %q, want the default %q", e.BaseURL, MockBaseURL)
	}
	if e.Model != "llama" {
		t.Errorf("Model = %q, want %q", e.Model, "llama")
	}
	if e.APIKey != "sk-from-env" {
		t.Errorf("APIKey = %q, want the variable's value", e.APIKey)
	}
	if e.Headers["X-Org"] != "none" {
		t.Errorf("Headers[X-Org] = %q, want %q", e.Headers["X-Org"], "none")
	}
	if e.Sampling["temperature"] != 0.9 {
		t.Errorf("Sampling[temperature] = %#v, want the number 0.9", e.Sampling["temperature"])
	}
	if e.Sampling["label"] != "0.9" {
		t.Errorf("Sampling[label] = %#v, want the quoted string %q", e.Sampling["label"], "0.9")
	}
	if w.InputTokens.Value != 100 || w.OutputTokens.Value != 10 {
		t.Errorf("tokens = %v / %v, want fixed 100 / fixed 10", w.InputTokens, w.OutputTokens)
	}
	if s.Load.Requests != 7 {
		t.Errorf("Requests = %d, want 7", s.Load.Requests)
	}
	if s.Load.Timeout.String() != "15s" {
		t.Errorf("Timeout = %v, want 15s", s.Load.Timeout)
	}
}

func TestParseMissingEnvPosition(t *testing.T) {
	t.Parallel()
	_, _, err := Parse([]byte(envSuite), "env.yaml", LoadOptions{LookupEnv: lookupIn(map[string]string{"API_KEY": "k"})})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse error = %v, want an ErrorList", err)
	}
	if len(list) != 1 {
		t.Fatalf("got %d errors, want 1:\n%v", len(list), err)
	}
	want := `env.yaml:5:12: environment variable "MODEL" is not set; export it, or give a default with ${MODEL:-default}`
	if list[0].Error() != want {
		t.Errorf("error = %q, want %q", list[0].Error(), want)
	}
}

// TestAPIKeyNeverShown loads suites that are wrong around the api_key in
// several ways and checks that no message or snippet contains the key.
func TestAPIKeyNeverShown(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-DO-NOT-PRINT-42"
	suites := map[string]string{
		"from env":       "api_key: ${KEY}",
		"env in text":    "api_key: Bearer-${KEY}-x\n    bogus: 1",
		"env then typo":  "api_key: ${KEY}\n    api_kye: ${KEY}",
		"mapping":        "api_key: {value: ${KEY}}",
		"literal":        "api_key: " + secret,
		"literal quoted": `api_key: "` + secret + `"`,
		"literal flow":   "api_key: " + secret + "\n    gpu: {count: -1}",
		"duplicate":      "api_key: ${KEY}\n    api_key: " + secret,
	}
	for name, keyLines := range suites {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := "endpoints:\n  - name: e\n    provider: openai-chat\n    base_url: builtin:mock\n    model: m\n    " +
				keyLines + "\nworkloads: [{name: w, input_tokens: 1, output_tokens: 1}]\nload: {concurrency: [0]}\n"
			_, warnings, err := Parse([]byte(src), "key.yaml", LoadOptions{LookupEnv: lookupIn(map[string]string{"KEY": secret})})
			if err == nil {
				t.Fatal("Parse succeeded, want at least the concurrency error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the key:\n%v", err)
			}
			for _, w := range warnings {
				if strings.Contains(w.Verbose(), secret) {
					t.Errorf("warning shows the key:\n%s", w.Verbose())
				}
			}
		})
	}
}

func TestLiteralAPIKeyWarning(t *testing.T) {
	t.Parallel()
	src := "endpoints:\n  - {name: e, provider: openai-chat, base_url: builtin:mock, model: m, api_key: sk-abc}\n" +
		"workloads: [{name: w, input_tokens: 1, output_tokens: 1}]\nload: {concurrency: [1]}\n"
	s, warnings, err := Parse([]byte(src), "lit.yaml", LoadOptions{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if s.Endpoints[0].APIKey != "sk-abc" {
		t.Errorf("APIKey = %q, want the literal key", s.Endpoints[0].APIKey)
	}
	if len(warnings) != 1 {
		t.Fatalf("got %d warnings, want 1: %v", len(warnings), warnings)
	}
	want := "lit.yaml:2:81: api_key is written in the suite file; use ${ENV_VAR} so the key stays out of the repository\n" +
		"  2 |   - {name: e, provider: openai-chat, base_url: builtin:mock, model: m, api_key: <redacted>\n" +
		"    |                                                                                 ^"
	if got := warnings[0].Verbose(); got != want {
		t.Errorf("warning:\n%s\nwant:\n%s", got, want)
	}
}
