package providers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxErrorMessage bounds the part of an error body that HTTPError keeps.
const maxErrorMessage = 512

// RetryAfter returns how long resp asks the client to wait before trying
// again. It reads retry-after-ms first (milliseconds, which OpenAI and
// Azure send for sub-second precision) and then Retry-After, either
// delay-seconds or an HTTP date, which is measured from the response's
// Date header when it has one and from now otherwise. A date in the past
// is a wait of 0. ok is false when neither header holds a usable value.
func RetryAfter(resp *http.Response) (wait time.Duration, ok bool) {
	if resp == nil {
		return 0, false
	}
	if ms, ok := nonNegative(resp.Header.Get("Retry-After-Ms")); ok {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	value := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if value == "" {
		return 0, false
	}
	if secs, ok := nonNegative(value); ok {
		return time.Duration(secs * float64(time.Second)), true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	now := time.Now()
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		now = date
	}
	return max(at.Sub(now), 0), true
}

// nonNegative parses a finite number of 0 or more, such as "2" or "1.5".
// Values beyond a day are refused as nonsense rather than waited for.
func nonNegative(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 86400e3 || v != v {
		return 0, false
	}
	return v, true
}

// HTTPError is a response with a status outside 2xx, described from its
// body's error object where the body has one of the known shapes.
type HTTPError struct {
	// Status is the HTTP status code.
	Status int
	// Request is the method and URL that got the response, such as
	// "POST https://api.example.com/v1/chat/completions". User
	// information and key-like query values are redacted. It is empty
	// when the response carries no request.
	Request string
	// Type is the error's type or code as the server names it, such as
	// "rate_limit_error"; empty when the body names none.
	Type string
	// Message is the server's error message, or the body's text when it
	// is not a known error object. Secrets in it are replaced by
	// "REDACTED", and it is at most 512 bytes.
	Message string
	// RetryAfter is the wait the response requested. HasRetryAfter
	// reports whether it requested one.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

// Error reads like "HTTP 429 from POST https://host/v1/chat/completions:
// Rate limit reached (rate_limit_exceeded); retry after 1.5s".
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if e.Request != "" {
		b.WriteString(" from " + e.Request)
	}
	switch {
	case e.Message != "" && e.Type != "":
		fmt.Fprintf(&b, ": %s (%s)", e.Message, e.Type)
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Type != "":
		b.WriteString(": " + e.Type)
	}
	if e.HasRetryAfter {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	return b.String()
}

// NewHTTPError describes an error response from its status, headers,
// request and the part of its body the caller read. Every non-empty
// secret, such as the endpoint's API key, is replaced by "REDACTED"
// wherever the body echoes it, and so are the values of key-like URL
// query parameters.
func NewHTTPError(resp *http.Response, body []byte, secrets ...string) *HTTPError {
	e := &HTTPError{Status: resp.StatusCode}
	if r := resp.Request; r != nil && r.URL != nil {
		e.Request = redact(r.Method+" "+r.URL.Redacted(), secrets)
	}
	e.RetryAfter, e.HasRetryAfter = RetryAfter(resp)
	e.Type, e.Message = errorObject(body)
	if e.Message == "" && e.Type == "" {
		e.Message = strings.Join(strings.Fields(string(body)), " ")
	}
	e.Type = shorten(redact(e.Type, secrets), maxErrorMessage)
	e.Message = shorten(redact(e.Message, secrets), maxErrorMessage)
	return e
}

// errorObject reads the error shapes that inference servers send:
//
//	{"error": {"message", "type"|"status"|"code"}}  OpenAI, vLLM, Google
//	{"type": "error", "error": {"type", "message"}}  Anthropic
//	{"error": "message", "error_type": "..."}        TGI
//	{"object": "error", "message", "type"}           vLLM, SGLang
//	{"message": "...", "__type"|"code": "..."}       AWS, others
//	{"detail": "..."}                                FastAPI servers
//	[{"error": {...}}]                               Google without alt=sse
func errorObject(body []byte) (typ, msg string) {
	var doc struct {
		Error     json.RawMessage `json:"error"`
		ErrorType string          `json:"error_type"`
		Message   string          `json:"message"`
		Type      string          `json:"type"`
		AWSType   string          `json:"__type"`
		Code      json.RawMessage `json:"code"`
		Detail    json.RawMessage `json:"detail"`
	}
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "[") {
		var list []json.RawMessage
		if json.Unmarshal(body, &list) == nil && len(list) > 0 {
			return errorObject(list[0])
		}
	}
	if json.Unmarshal(body, &doc) != nil {
		return "", ""
	}

	if len(doc.Error) > 0 && doc.Error[0] == '{' {
		var inner struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Status  string          `json:"status"`
			Code    json.RawMessage `json:"code"`
		}
		if json.Unmarshal(doc.Error, &inner) == nil {
			return firstNonEmpty(inner.Type, inner.Status, codeString(inner.Code)), inner.Message
		}
	}
	if len(doc.Error) > 0 && doc.Error[0] == '"' {
		var s string
		json.Unmarshal(doc.Error, &s)
		return doc.ErrorType, s
	}
	if doc.Message != "" {
		return firstNonEmpty(doc.Type, doc.AWSType, codeString(doc.Code)), doc.Message
	}
	if len(doc.Detail) > 0 {
		var s string
		if json.Unmarshal(doc.Detail, &s) == nil {
			return "", s
		}
		return "", string(doc.Detail)
	}
	return "", ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" && v != "null" {
			return v
		}
	}
	return ""
}

// keyParam finds the values of URL query parameters that carry keys.
var keyParam = regexp.MustCompile(`(?i)([?&](?:key|api[-_]?key|access[-_]?token|token|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\s"']+`)

// redact replaces every secret of 4 bytes or more, and key-like query
// values, with "REDACTED".
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return keyParam.ReplaceAllString(s, "${1}REDACTED")
}

// shorten cuts s to at most n bytes at a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
