package mock

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// admit holds a generation request until the queue has room, then moves
// *start to that moment, so that the request's time to first token
// includes the wait. ok is false when the client went away first.
func (s *Server) admit(r *http.Request, start *time.Time) (release func(), ok bool) {
	release, ok = s.faults.admit(r)
	if ok && s.faults.queue != nil {
		*start = s.clock()
	}
	return release, ok
}

// injectFault applies the fault the schedule selects for this request, if
// any, and reports whether the fault completed the response.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, f wire, g *generation, start time.Time, stream bool) bool {
	if s.faults.refuses() {
		w.Header().Set("Connection", "close")
		return false
	}
	kind := s.faults.next()
	switch kind {
	case "":
		return false
	case FaultRateLimit, FaultUnavailable:
		w.Header().Set("Retry-After", strconv.FormatInt(int64((s.faults.cfg.RetryAfter+time.Second-1)/time.Second), 10))
		status, _ := strconv.Atoi(string(kind))
		writeError(w, f, status, "fault injected by the mock: "+http.StatusText(status))
	case FaultServerError:
		writeError(w, f, http.StatusInternalServerError, "fault injected by the mock: internal server error")
	case FaultEchoHeaders:
		writeError(w, f, http.StatusUnauthorized, "fault injected by the mock: invalid credentials; the request headers were "+quoteHeaders(r.Header))
	case FaultReset:
		resetConnection(w)
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><p>Please sign in to continue.</p></body></html>\n")
	case FaultSlowFirstByte:
		// After the delay the request is served as usual, unless the
		// client went away.
		return !s.sleepUntil(r, s.clock().Add(s.faults.cfg.Delay))
	default:
		if !stream {
			return false
		}
		s.streamFault(w, r, f, g, start, kind)
	}
	return true
}

// quoteHeaders renders every header as "Name: value", sorted by name.
func quoteHeaders(h http.Header) string {
	lines := make([]string, 0, len(h))
	for name, values := range h {
		lines = append(lines, name+": "+strings.Join(values, ", "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "; ")
}

// resetConnection takes the connection over from net/http and closes it
// with SO_LINGER 0, which sends a TCP RST instead of an orderly FIN.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}

// faultWriter writes a response body, gzip-compressed or not, flushing
// after every write so that each event leaves at once.
type faultWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	gz  *gzip.Writer
	err error
}

func (fw *faultWriter) write(b []byte) bool {
	if fw.err != nil {
		return false
	}
	if fw.gz != nil {
		_, fw.err = fw.gz.Write(b)
		if fw.err == nil {
			fw.err = fw.gz.Flush()
		}
	} else {
		_, fw.err = fw.w.Write(b)
	}
	if fw.err == nil {
		fw.err = fw.rc.Flush()
	}
	return fw.err == nil
}

func (fw *faultWriter) close() {
	if fw.gz != nil && fw.err == nil {
		fw.gz.Close()
	}
}

// streamFault streams g as stream does, with kind injected when the
// middle token is due.
func (s *Server) streamFault(w http.ResponseWriter, r *http.Request, f wire, g *generation, start time.Time, kind Fault) {
	if kind == FaultEndless {
		g.maxTokens, g.answer, g.stopped = math.MaxInt32, nil, false
	}
	contentType := "text/event-stream"
	if ct, ok := f.(interface{ contentType() string }); ok {
		contentType = ct.contentType()
	}
	if kind == FaultContentType {
		contentType = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	out := &faultWriter{w: w, rc: http.NewResponseController(w)}
	if kind == FaultGzip {
		w.Header().Set("Content-Encoding", "gzip")
		out.gz = gzip.NewWriter(w)
	}
	w.WriteHeader(http.StatusOK)
	defer out.close()
	if open := f.open(g); !out.write(open) {
		return
	}

	at := g.maxTokens / 2
	for i := 0; i < g.maxTokens; i++ {
		if !s.sleepUntil(r, start.Add(s.cfg.TTFT+time.Duration(i)*s.cfg.ITL)) {
			return
		}
		token := f.token(g, i)
		if i == at {
			var stop bool
			token, start, stop = s.strike(r, f, g, i, out, token, start, kind)
			if stop {
				return
			}
		}
		if !out.write(token) {
			return
		}
	}
}

// strike applies a stream fault when token is due. It returns the bytes
// to send in token's place, the stream's start shifted by any stall, and
// whether the stream ends here.
func (s *Server) strike(r *http.Request, f wire, g *generation, i int, out *faultWriter, token []byte, start time.Time, kind Fault) ([]byte, time.Time, bool) {
	switch kind {
	case FaultStreamError:
		out.write(frameFor(f, streamErrorEvent(f, "fault injected by the mock: the model server failed during generation")))
		return nil, start, true
	case FaultCut:
		out.write(token[:len(token)/2])
		panic(http.ErrAbortHandler)
	case FaultStall:
		delay := s.faults.cfg.Delay
		if !s.sleepUntil(r, s.clock().Add(delay)) {
			return nil, start, true
		}
		return token, start.Add(delay), false
	case FaultLongLine:
		writeLongLine(f, out)
		return nil, start, true
	case FaultBadJSON:
		return append(frameFor(f, []byte("data: {\"choices\": [{\"delta\": {\"content\": \" the\"\n\n")), token...), start, false
	case FaultBadUTF8:
		return frameFor(f, invalidUTF8(f, g, i)), start, false
	}
	return token, start, false
}

// invalidUTF8 returns token i in SSE framing with the last byte of its
// word replaced by 0xff 0xfe, which no UTF-8 text contains. The JSON
// encoder would escape invalid bytes, so they are put in afterwards.
func invalidUTF8(f wire, g *generation, i int) []byte {
	var token []byte
	if sm, ok := f.(sagemakerWire); ok {
		token = sm.tgi.token(g, i)
	} else {
		token = f.token(g, i)
	}
	word := []byte(g.word(i))
	broken := append(word[:len(word)-1:len(word)-1], 0xff, 0xfe)
	return bytes.Replace(token, word, broken, 1)
}

// payloadPart encodes raw as one PayloadPart message of an AWS event
// stream.
func payloadPart(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := eventstream.NewEncoder().Encode(&buf, eventstream.Message{Headers: eventstream.Headers{
		{Name: ":event-type", Value: eventstream.StringValue("PayloadPart")},
		{Name: ":message-type", Value: eventstream.StringValue("event")},
	}, Payload: raw})
	return buf.Bytes(), err
}

// writeLongLine sends "data: " and LongLineBytes of "x" with no line end,
// in 64 KiB writes, stopping when the client goes away.
func writeLongLine(f wire, out *faultWriter) {
	piece := bytes.Repeat([]byte("x"), 64<<10)
	if !out.write(frameFor(f, []byte("data: "))) {
		return
	}
	for sent := 0; sent < LongLineBytes; sent += len(piece) {
		if !out.write(frameFor(f, piece)) {
			return
		}
	}
}

// streamErrorEvent renders an error inside a stream the way f's servers
// send one.
func streamErrorEvent(f wire, msg string) []byte {
	switch f.(type) {
	case anthropicWire:
		return sse("error", jsonLine(map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": msg}}), false)
	case responsesWire:
		return sse("error", jsonLine(map[string]any{"type": "error", "code": "server_error", "message": msg}), false)
	case tgiWire, sagemakerWire:
		return sse("", jsonLine(map[string]any{"error": msg, "error_type": "generation"}), false)
	case geminiWire:
		return sse("", jsonLine(map[string]any{"error": map[string]any{"code": 500, "message": msg, "status": "INTERNAL"}}), true)
	}
	return sse("", jsonLine(map[string]any{"error": map[string]any{"message": msg, "type": "server_error", "code": 500}}), false)
}

// frameFor wraps raw stream bytes in an event stream message for
// SageMaker, whose body is AWS's binary event stream around the
// container's bytes, and returns them unchanged for every other format.
func frameFor(f wire, raw []byte) []byte {
	if _, ok := f.(sagemakerWire); !ok {
		return raw
	}
	frame, err := payloadPart(raw)
	if err != nil {
		panic(fmt.Sprintf("mock: %v", err))
	}
	return frame
}
