package providers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func readHTTPResponse(t *testing.T, path ...string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(readTestdata(t, path...))), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestRetryAfterCase12 reads the raw responses of the shared fixture
// 12-http-429-503-retry-after and compares the parsed waits with its
// expected.json: retry-after-ms wins over Retry-After, and 529 has none.
func TestRetryAfterCase12(t *testing.T) {
	t.Parallel()
	const dir = "12-http-429-503-retry-after"
	var doc struct {
		Expect struct {
			PerRequest map[string]struct {
				Status       int      `json:"http_status"`
				RetryAfterMS *float64 `json:"retry_after_ms"`
			} `json:"per_request"`
		} `json:"expect"`
	}
	if err := json.Unmarshal(readTestdata(t, "cases", dir, "expected.json"), &doc); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"r4": "response-429.http", "r5": "response-503.http", "r6": "response-529.http"}
	for id, file := range files {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			want := doc.Expect.PerRequest[id]
			resp, _ := readHTTPResponse(t, "cases", dir, file)
			checkEqual(t, "status", resp.StatusCode, want.Status)
			wait, ok := RetryAfter(resp)
			checkEqual(t, "has retry-after", ok, want.RetryAfterMS != nil)
			if want.RetryAfterMS != nil {
				checkEqual(t, "wait", wait, time.Duration(*want.RetryAfterMS)*time.Millisecond)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	date := "Wed, 21 Oct 2015 07:28:00 GMT"
	cases := []struct {
		name    string
		headers map[string]string
		want    time.Duration
		ok      bool
	}{
		{"none", nil, 0, false},
		{"seconds", map[string]string{"Retry-After": "2"}, 2 * time.Second, true},
		{"zero", map[string]string{"Retry-After": "0"}, 0, true},
		{"fractional seconds", map[string]string{"Retry-After": "0.25"}, 250 * time.Millisecond, true},
		{"ms wins", map[string]string{"Retry-After": "2", "Retry-After-Ms": "1500"}, 1500 * time.Millisecond, true},
		{"ms alone", map[string]string{"retry-after-ms": "20"}, 20 * time.Millisecond, true},
		{"bad ms falls back", map[string]string{"Retry-After": "3", "Retry-After-Ms": "soon"}, 3 * time.Second, true},
		{"negative", map[string]string{"Retry-After": "-1"}, 0, false},
		{"garbage", map[string]string{"Retry-After": "later"}, 0, false},
		{"absurd", map[string]string{"Retry-After": "1e12"}, 0, false},
		{"date from Date", map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT", "Date": date}, 30 * time.Second, true},
		{"past date", map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT", "Date": date}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := &http.Response{Header: http.Header{}}
			for k, v := range tc.headers {
				resp.Header.Set(k, v)
			}
			got, ok := RetryAfter(resp)
			if got != tc.want || ok != tc.ok {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := RetryAfter(nil); ok {
		t.Error("RetryAfter(nil) reported a wait")
	}
}

func TestHTTPErrorCase12(t *testing.T) {
	t.Parallel()
	const dir = "12-http-429-503-retry-after"
	cases := []struct{ file, want string }{
		{"response-429.http", "HTTP 429: Rate limit reached for requests (neutral test text) (requests); retry after 1.5s"},
		{"response-503.http", "HTTP 503: server is overloaded, please retry later (neutral test text); retry after 1s"},
		{"response-529.http", "HTTP 529: Overloaded (overloaded_error)"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			resp, body := readHTTPResponse(t, "cases", dir, tc.file)
			checkEqual(t, "error", NewHTTPError(resp, body).Error(), tc.want)
		})
	}
}

// TestHTTPErrorBodies covers each provider's documented error body.
func TestHTTPErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, typ, msg string
	}{
		{"openai", `{"error":{"message":"Invalid model","type":"invalid_request_error","param":"model","code":"model_not_found"}}`, "invalid_request_error", "Invalid model"},
		{"anthropic", `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`, "authentication_error", "invalid x-api-key"},
		{"google", `{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT"}}`, "INVALID_ARGUMENT", "API key not valid."},
		{"google list", `[{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}]`, "RESOURCE_EXHAUSTED", "Quota exceeded"},
		{"tgi", `{"error":"Input validation error: inputs too long","error_type":"validation"}`, "validation", "Input validation error: inputs too long"},
		{"vllm", `{"object":"error","message":"max_tokens too large","type":"BadRequestError","param":null,"code":400}`, "BadRequestError", "max_tokens too large"},
		{"aws", `{"message":"The security token included in the request is invalid."}`, "", "The security token included in the request is invalid."},
		{"fastapi", `{"detail":"Not Found"}`, "", "Not Found"},
		{"code only", `{"error":{"message":"slow","code":"rate_limit_exceeded"}}`, "rate_limit_exceeded", "slow"},
		{"plain text", "upstream\n  connect error", "", "upstream connect error"},
		{"empty", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewHTTPError(&http.Response{StatusCode: 400, Header: http.Header{}}, []byte(tc.body))
			checkEqual(t, "type", e.Type, tc.typ)
			checkEqual(t, "message", e.Message, tc.msg)
		})
	}
}

func TestHTTPErrorRedacts(t *testing.T) {
	t.Parallel()
	const key = "sk-live-0123456789"
	body := `{"error":{"message":"Incorrect API key provided: ` + key + `. See https://example.test/v1/models/m:x?key=AIzaSECRET&alt=sse","type":"invalid_request_error"}}`
	got := NewHTTPError(&http.Response{StatusCode: 401, Header: http.Header{}}, []byte(body), key, "").Error()
	for _, secret := range []string{key, "AIzaSECRET"} {
		if strings.Contains(got, secret) {
			t.Errorf("error %q contains the secret %q", got, secret)
		}
	}
	if !strings.Contains(got, "Incorrect API key provided: REDACTED") || !strings.Contains(got, "?key=REDACTED&alt=sse") {
		t.Errorf("error = %q, want the redacted message", got)
	}
}

func TestHTTPErrorNamesTheRequest(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodPost, "https://user:pw@generativelanguage.example/v1beta/models/m:streamGenerateContent?alt=sse&key=AIzaSECRET", nil)
	resp := &http.Response{StatusCode: 403, Header: http.Header{}, Request: req}
	got := NewHTTPError(resp, []byte(`{"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}`)).Error()
	want := "HTTP 403 from POST https://user:xxxxx@generativelanguage.example/v1beta/models/m:streamGenerateContent?alt=sse&key=REDACTED: Permission denied (PERMISSION_DENIED)"
	checkEqual(t, "error", got, want)
}

func TestHTTPErrorShortensLongBodies(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("é", 600)
	e := NewHTTPError(&http.Response{StatusCode: 500, Header: http.Header{}}, []byte(body))
	if len(e.Message) > maxErrorMessage+3 || !strings.HasSuffix(e.Message, "...") {
		t.Errorf("message is %d bytes, want at most %d and a marked cut", len(e.Message), maxErrorMessage+3)
	}
}
