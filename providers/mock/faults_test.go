package mock

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/infermark/infermark/providers"
)

func TestFaultSchedule(t *testing.T) {
	t.Parallel()
	in := newInjector(Faults{Kinds: []Fault{FaultRateLimit, FaultServerError}, Rate: 0.25, After: 2})
	var got []Fault
	for range 12 {
		got = append(got, in.next())
	}
	// After 2 healthy arrivals, every fourth of the rest (arrivals 6 and
	// 10) gets a fault, the kinds taken in turn.
	want := []Fault{"", "", "", "", "", FaultRateLimit, "", "", "", FaultServerError, "", ""}
	checkEq(t, "faults", got, want)
}

func TestFaultScheduleEvery(t *testing.T) {
	t.Parallel()
	in := newInjector(Faults{Kinds: []Fault{FaultStall}})
	for i := range 3 {
		if got := in.next(); got != FaultStall {
			t.Errorf("arrival %d: fault %q, want stall on every request when the rate is left at 0", i+1, got)
		}
	}
}

func TestConfigFromQuery(t *testing.T) {
	t.Parallel()
	cfg, err := ConfigFromQuery("ttft=5ms&fault=429,stall&fault_rate=0.5&fault_after=3&fault_delay=2s&retry_after=4s&max_concurrent=2")
	if err != nil {
		t.Fatal(err)
	}
	checkEq(t, "ttft", cfg.TTFT, 5*time.Millisecond)
	checkEq(t, "itl", cfg.ITL, DefaultITL)
	checkEq(t, "faults", cfg.Faults, Faults{
		Kinds: []Fault{FaultRateLimit, FaultStall}, Rate: 0.5, After: 3, Delay: 2 * time.Second,
		RetryAfter: 4 * time.Second, MaxConcurrent: 2,
	})

	bad := map[string]string{
		"fault=slow":                  `unknown fault "slow"`,
		"fault=refuse,reset":          "cannot be combined",
		"fault_rate=0":                "fault_rate must be a number above 0",
		"fault_rate=2":                "fault_rate must be a number above 0",
		"fault_after=-1":              "fault_after must be an integer of 0 or more",
		"max_concurrent=x":            "max_concurrent must be an integer",
		"fault_delay=-1s":             "fault_delay must be a duration",
		"itl=1ms&itl=2ms":             `parameter "itl" is given 2 times`,
		"falt=429":                    `unknown parameter "falt"`,
		"ttft=%zz":                    "invalid URL escape",
		"retry_after=soon&fault=gzip": "retry_after must be a duration",
	}
	for query, want := range bad {
		if _, err := ConfigFromQuery(query); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ConfigFromQuery(%q) = %v, want an error containing %q", query, err, want)
		}
	}
}

func TestStartRejectsInvalidFaults(t *testing.T) {
	t.Parallel()
	_, err := Start("127.0.0.1:0", Config{Faults: Faults{Kinds: []Fault{"nope"}}}, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown fault "nope"`) {
		t.Errorf("Start = %v, want the unknown fault named", err)
	}
}

// chatRequest posts a streaming chat request for tokens tokens with key
// as its bearer token.
func chatRequest(t *testing.T, ctx context.Context, url string, tokens int, key string) *http.Request {
	t.Helper()
	body := `{"model":"m","stream":true,"max_tokens":` + strconv.Itoa(tokens) + `,"messages":[{"role":"user","content":"hi"}]}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Encoding", "identity")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return req
}

// faultReply is one response to a faulted request, read whole.
type faultReply struct {
	resp    *http.Response
	body    []byte
	readErr error
	doErr   error
	headers time.Duration
	total   time.Duration
}

func sendFault(t *testing.T, faults Faults, tokens int) faultReply {
	t.Helper()
	l := startMock(t, Config{TTFT: time.Millisecond, ITL: time.Millisecond, Faults: faults})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer client.CloseIdleConnections()
	start := time.Now()
	resp, err := client.Do(chatRequest(t, ctx, l.URL, tokens, "sk-echo-123"))
	reply := faultReply{resp: resp, doErr: err, headers: time.Since(start)}
	if err != nil {
		return reply
	}
	defer resp.Body.Close()
	reply.body, reply.readErr = io.ReadAll(io.LimitReader(resp.Body, LongLineBytes+1<<20))
	reply.total = time.Since(start)
	return reply
}

func TestFaultStatuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault      Fault
		status     int
		retryAfter string
		body       string
	}{
		{FaultRateLimit, 429, "2", "Too Many Requests"},
		{FaultUnavailable, 503, "2", "Service Unavailable"},
		{FaultServerError, 500, "", "internal server error"},
		{FaultEchoHeaders, 401, "", "Authorization: Bearer sk-echo-123"},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			t.Parallel()
			got := sendFault(t, Faults{Kinds: []Fault{tc.fault}, RetryAfter: 1500 * time.Millisecond}, 4)
			if got.doErr != nil {
				t.Fatal(got.doErr)
			}
			checkEq(t, "status", got.resp.StatusCode, tc.status)
			checkEq(t, "Retry-After", got.resp.Header.Get("Retry-After"), tc.retryAfter)
			if !bytes.Contains(got.body, []byte(tc.body)) {
				t.Errorf("body %q lacks %q", got.body, tc.body)
			}
		})
	}
}

func TestFaultConnections(t *testing.T) {
	t.Parallel()
	for _, fault := range []Fault{FaultReset, FaultRefuse} {
		t.Run(string(fault), func(t *testing.T) {
			t.Parallel()
			got := sendFault(t, Faults{Kinds: []Fault{fault}}, 4)
			if got.doErr == nil {
				t.Errorf("request succeeded with status %d, want a connection error", got.resp.StatusCode)
			}
		})
	}
}

func TestFaultRefuseClosesConnections(t *testing.T) {
	t.Parallel()
	// Every other connection is refused, and every response asks the client
	// to dial again, so requests alternate between failure and success.
	l := startMock(t, Config{Faults: Faults{Kinds: []Fault{FaultRefuse}, Rate: 0.5}})
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	var failed []bool
	for range 4 {
		resp, err := client.Do(chatRequest(t, context.Background(), l.URL, 2, ""))
		if err == nil {
			checkEq(t, "Connection: close", resp.Close, true)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		failed = append(failed, err != nil)
	}
	checkEq(t, "failed", failed, []bool{false, true, false, true})
}

func TestFaultBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault Fault
		check func(t *testing.T, got faultReply)
	}{
		{FaultHTML, func(t *testing.T, got faultReply) {
			checkEq(t, "Content-Type", got.resp.Header.Get("Content-Type"), "text/html; charset=utf-8")
			checkEq(t, "HTML body", bytes.HasPrefix(got.body, []byte("<!DOCTYPE html>")), true)
		}},
		{FaultContentType, func(t *testing.T, got faultReply) {
			checkEq(t, "Content-Type", got.resp.Header.Get("Content-Type"), "text/plain; charset=utf-8")
			checkEq(t, "ends with [DONE]", bytes.HasSuffix(got.body, []byte("data: [DONE]\n\n")), true)
		}},
		{FaultGzip, func(t *testing.T, got faultReply) {
			checkEq(t, "Content-Encoding", got.resp.Header.Get("Content-Encoding"), "gzip")
			zr, err := gzip.NewReader(bytes.NewReader(got.body))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			checkEq(t, "gunzip error", err, nil)
			checkEq(t, "ends with [DONE]", bytes.HasSuffix(plain, []byte("data: [DONE]\n\n")), true)
		}},
		{FaultStreamError, func(t *testing.T, got faultReply) {
			checkEq(t, "has error event", bytes.Contains(got.body, []byte(`data: {"error":{"code":500`)), true)
			checkEq(t, "has [DONE]", bytes.Contains(got.body, []byte("[DONE]")), false)
		}},
		{FaultCut, func(t *testing.T, got faultReply) {
			if got.readErr == nil {
				t.Errorf("body read whole (%d bytes), want the connection aborted", len(got.body))
			}
			checkEq(t, "ends inside an event", bytes.HasSuffix(got.body, []byte("\n\n")), false)
		}},
		{FaultBadJSON, func(t *testing.T, got faultReply) {
			checkEq(t, "has the broken line", bytes.Contains(got.body, []byte("data: {\"choices\": [{\"delta\": {\"content\": \" the\"\n\n")), true)
		}},
		{FaultBadUTF8, func(t *testing.T, got faultReply) {
			checkEq(t, "valid UTF-8", utf8.Valid(got.body), false)
		}},
		{FaultLongLine, func(t *testing.T, got faultReply) {
			i := bytes.LastIndex(got.body, []byte("data: x"))
			if i < 0 {
				t.Fatal("no long line")
			}
			checkEq(t, "long line bytes", len(got.body)-i-len("data: "), LongLineBytes)
		}},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			t.Parallel()
			got := sendFault(t, Faults{Kinds: []Fault{tc.fault}}, 6)
			if got.doErr != nil {
				t.Fatal(got.doErr)
			}
			checkEq(t, "status", got.resp.StatusCode, http.StatusOK)
			tc.check(t, got)
		})
	}
}

func TestFaultDelays(t *testing.T) {
	t.Parallel()
	const delay = 300 * time.Millisecond
	slow := sendFault(t, Faults{Kinds: []Fault{FaultSlowFirstByte}, Delay: delay}, 4)
	if slow.doErr != nil {
		t.Fatal(slow.doErr)
	}
	if slow.headers < delay {
		t.Errorf("slow_first_byte: headers after %v, want at least %v", slow.headers, delay)
	}

	stall := sendFault(t, Faults{Kinds: []Fault{FaultStall}, Delay: delay}, 4)
	if stall.doErr != nil {
		t.Fatal(stall.doErr)
	}
	if stall.headers >= delay || stall.total < delay {
		t.Errorf("stall: headers after %v and body after %v, want headers at once and the body after %v", stall.headers, stall.total, delay)
	}
	checkEq(t, "stalled stream ends with [DONE]", bytes.HasSuffix(stall.body, []byte("data: [DONE]\n\n")), true)
}

func TestFaultEndless(t *testing.T) {
	t.Parallel()
	l := startMock(t, Config{Faults: Faults{Kinds: []Fault{FaultEndless}}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(chatRequest(t, ctx, l.URL, 2, ""))
	if err != nil {
		t.Fatal(err)
	}
	// Two tokens were requested; the stream keeps going past 1 MiB.
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil || n != 1<<20 {
		t.Errorf("read %d bytes (%v), want 1 MiB of an endless stream", n, err)
	}
}

func TestQueueGrowsTTFT(t *testing.T) {
	t.Parallel()
	const ttft = 150 * time.Millisecond
	l := startMock(t, Config{TTFT: ttft, Faults: Faults{MaxConcurrent: 1}})
	var mu sync.Mutex
	var firsts []time.Duration
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ep := providers.Endpoint{BaseURL: l.URL, Model: "m"}
			got := generate(t, "openai-chat", ep, providers.Request{Prompt: "hi", MaxTokens: 1})
			mu.Lock()
			firsts = append(firsts, got.firstOutput)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(firsts)
	// One at a time: the k-th request waits for the k−1 before it.
	for k, first := range firsts {
		if want := time.Duration(k+1) * ttft; first < want {
			t.Errorf("request %d of 3: first token after %v, want at least %v", k+1, first, want)
		}
	}
}

// TestStreamErrorEveryProvider checks that each provider reads the
// mock's in-stream error as an error of the stream.
func TestStreamErrorEveryProvider(t *testing.T) {
	t.Parallel()
	l := startMock(t, Config{TTFT: time.Millisecond, ITL: time.Millisecond, Faults: Faults{Kinds: []Fault{FaultStreamError}}})
	cases := map[string]string{
		"openai-chat": l.URL, "openai-completions": l.URL, "openai-responses": l.URL, "anthropic": l.URL,
		"tgi": strings.TrimSuffix(l.URL, "/v1"), "gemini": l.URL, "sagemaker": l.URL,
	}
	for provider, base := range cases {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			got := generate(t, provider, providers.Endpoint{BaseURL: base, Model: "m"}, providers.Request{Prompt: "hi", MaxTokens: 4})
			if got.streamErr == nil {
				t.Errorf("no stream error; text %q, error %v", got.text, got.err)
			}
		})
	}
}
