package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/infermark/infermark/providers"
)

// slowDecoder is openai-chat with a decoder that stalls on one event, as
// a client busy with other streams would.
type slowDecoder struct {
	providers.Provider
	stall time.Duration
}

func (s slowDecoder) Decode(ev providers.Event) (providers.Chunk, error) {
	if ev.Data == `{"stall":true}` {
		time.Sleep(s.stall)
		return providers.Chunk{}, nil
	}
	return s.Provider.Decode(ev)
}

// TestKernelStampsSurviveAStalledClient checks that an event's arrival is
// the time it reached the socket, not the time a stalled client got to
// it. The server sends a stalling event at once and the first token 50 ms
// later. The client's decoder stalls for 150 ms on the first event, so the
// token waits 100 ms in the socket before the client reads it.
func TestKernelStampsSurviveAStalledClient(t *testing.T) {
	const tokenAfter, stall = 50 * time.Millisecond, 150 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"stall\":true}\n\n")
		w.(http.Flusher).Flush()
		time.Sleep(tokenAfter)
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n")
		w.(http.Flusher).Flush()
		time.Sleep(stall)
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" b\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()

	cell := testCell(t, srv.URL)
	cell.Target.Provider = slowDecoder{Provider: cell.Target.Provider, stall: stall}
	cell.Concurrency, cell.Requests = 1, 1

	for _, tc := range []struct {
		name   string
		client *http.Client
		stamps bool
	}{
		{"kernel stamps", NewClient(1), true},
		{"client clock", &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRunner(1)
			r.Client = tc.client
			res, err := r.RunCell(context.Background(), cell)
			if err != nil {
				t.Fatal(err)
			}
			recs := measured(res.Records)
			if len(recs) != 1 || !recs[0].OK() || len(recs[0].OutputAt) != 2 {
				t.Fatalf("want one successful record with two outputs, got %+v", recs)
			}
			first := recs[0].OutputAt[0] - recs[0].Headers
			t.Logf("first token %v after the headers (true %v, client read it after %v)", first, tokenAfter, stall)
			if tc.stamps {
				if first < tokenAfter-5*time.Millisecond || first > tokenAfter+40*time.Millisecond {
					t.Errorf("first token stamped %v after the headers, want about %v", first, tokenAfter)
				}
			} else if first < stall {
				t.Errorf("without kernel stamps the first token cannot be seen before the stall ends (%v), got %v", stall, first)
			}
		})
	}
}

// cmsg builds one control message as the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	size := cmsgHeader + len(data)
	buf := make([]byte, (size+cmsgAlign-1)&^(cmsgAlign-1))
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&buf[0]))
	h.Level, h.Type = level, typ
	h.SetLen(size)
	copy(buf[cmsgHeader:], data)
	return buf
}

func TestParseStamp(t *testing.T) {
	ts := syscall.NsecToTimespec(1_733_000_000_123_456_789)
	stamp := unsafe.Slice((*byte)(unsafe.Pointer(&ts)), timespecSize)
	other := cmsg(syscall.SOL_SOCKET, syscall.SCM_RIGHTS, []byte{1, 2, 3, 4})
	valid := cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, stamp)
	for _, tc := range []struct {
		name string
		oob  []byte
		want int64
	}{
		{"stamp", valid, 1_733_000_000_123_456_789},
		{"after another message", append(append([]byte{}, other...), valid...), 1_733_000_000_123_456_789},
		{"no control data", nil, 0},
		{"another message only", other, 0},
		{"cut short", valid[:cmsgHeader+4], 0},
		{"header only", valid[:cmsgHeader-1], 0},
		{"other level", cmsg(syscall.IPPROTO_TCP, syscall.SCM_TIMESTAMPNS, stamp), 0},
	} {
		if got := parseStamp(tc.oob); got != tc.want {
			t.Errorf("%s: parseStamp = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestArrivalFallsBackOutsideWindow(t *testing.T) {
	send := time.Now()
	at := func(d time.Duration) int64 { return send.Add(d).UnixNano() }
	for _, tc := range []struct {
		name      string
		ns        int64
		prev, now time.Duration
		want      time.Duration
		ok        bool
	}{
		{"inside", at(30 * time.Millisecond), 10 * time.Millisecond, 40 * time.Millisecond, 30 * time.Millisecond, true},
		{"after now: clock stepped forward", at(90 * time.Millisecond), 10 * time.Millisecond, 40 * time.Millisecond, 0, false},
		{"before the previous stamp: clock stepped back", at(5 * time.Millisecond), 10 * time.Millisecond, 40 * time.Millisecond, 0, false},
		{"no stamp", 0, 0, 40 * time.Millisecond, 0, false},
	} {
		got, ok := stampedArrival(tc.ns, send, tc.prev, tc.now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: stampedArrival = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// slowBody delays its first read, as a client that is slow to write its
// request would.
type slowBody struct {
	data  []byte
	delay time.Duration
	slept bool
}

func (b *slowBody) Read(p []byte) (int, error) {
	if !b.slept {
		b.slept = true
		time.Sleep(b.delay)
	}
	if len(b.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

// slowWriter is openai-chat with a request body that takes its time.
type slowWriter struct {
	providers.Provider
	delay time.Duration
}

func (s slowWriter) NewRequest(ctx context.Context, ep providers.Endpoint, req providers.Request) (*http.Request, error) {
	r, err := s.Provider.NewRequest(ctx, ep, req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(&slowBody{data: body, delay: s.delay})
	r.ContentLength = -1
	r.GetBody = nil
	return r, nil
}

// TestWrittenExcludesClientDelay checks that the record notes when the
// request's bytes went out, so that a client slow to write its request
// (here 60 ms) does not lengthen the server's TTFT of about 10 ms.
func TestWrittenExcludesClientDelay(t *testing.T) {
	const delay, ttft = 60 * time.Millisecond, 10 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		time.Sleep(ttft)
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()

	cell := testCell(t, srv.URL)
	cell.Target.Provider = slowWriter{Provider: cell.Target.Provider, delay: delay}
	cell.Concurrency, cell.Requests = 1, 1
	res, err := testRunner(1).RunCell(context.Background(), cell)
	if err != nil {
		t.Fatal(err)
	}
	recs := measured(res.Records)
	if len(recs) != 1 || !recs[0].OK() || len(recs[0].OutputAt) != 1 {
		t.Fatalf("want one successful record with one output, got %+v", recs)
	}
	rec := recs[0]
	t.Logf("written %v, first output %v after send", rec.Written, rec.OutputAt[0])
	if rec.Written < delay {
		t.Errorf("written %v after send, want at least the body's delay of %v", rec.Written, delay)
	}
	if rec.Written > rec.Headers {
		t.Errorf("written %v after the headers arrived at %v", rec.Written, rec.Headers)
	}
	if fromWritten := rec.OutputAt[0] - rec.Written; fromWritten < ttft || fromWritten > ttft+40*time.Millisecond {
		t.Errorf("first output %v after the request was written, want about %v", fromWritten, ttft)
	}
}
