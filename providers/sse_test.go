package providers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeAll reads every event from r and returns them with the error that
// ended the stream.
func decodeAll(r io.Reader, maxLine int) ([]Event, error) {
	d := NewDecoder(r, maxLine)
	var events []Event
	for {
		ev, err := d.Next()
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
}

// chunkReader returns its pieces one per Read, the way a network
// connection hands over TCP segments. A piece larger than the caller's
// buffer takes several Reads.
type chunkReader struct {
	pieces  [][]byte
	started int // pieces of which at least one byte was returned
	off     int // bytes of pieces[started-1] already returned
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.started > 0 && r.off < len(r.pieces[r.started-1]) {
		n := copy(p, r.pieces[r.started-1][r.off:])
		r.off += n
		return n, nil
	}
	for r.started < len(r.pieces) && len(r.pieces[r.started]) == 0 {
		r.started++
	}
	if r.started == len(r.pieces) {
		return 0, io.EOF
	}
	r.started++
	r.off = copy(p, r.pieces[r.started-1])
	return r.off, nil
}

func splitAt(data []byte, cuts ...int) *chunkReader {
	r := &chunkReader{}
	prev := 0
	for _, c := range cuts {
		r.pieces = append(r.pieces, data[prev:c])
		prev = c
	}
	r.pieces = append(r.pieces, data[prev:])
	return r
}

var framingCases = []struct {
	name    string
	input   string
	want    []Event
	wantErr error
}{
	{"lf", "data: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"crlf", "data: a\r\n\r\n", []Event{{Data: "a"}}, io.EOF},
	{"cr", "data: a\r\r", []Event{{Data: "a"}}, io.EOF},
	{"mixed line ends", "data: a\r\ndata: b\rdata: c\n\n", []Event{{Data: "a\nb\nc"}}, io.EOF},
	{"crlf then lf", "data: a\r\n\ndata: b\n\r\n", []Event{{Data: "a"}, {Data: "b"}}, io.EOF},
	{"lf then cr", "data: a\n\r", []Event{{Data: "a"}}, io.EOF},
	{"bom", "\xEF\xBB\xBFdata: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"second bom kept", "\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n", []Event{{Data: "b"}}, io.EOF},
	{"bom later kept", "data: a\n\n\xEF\xBB\xBFdata: b\n\n", []Event{{Data: "a"}}, io.EOF},
	{"partial bom", "\xEF\xBBdata: a\n\n", nil, io.EOF},
	{"comment block", ": ping\n\ndata: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"bare colon", ":\n\ndata: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"comment inside event", "data: a\n: note\ndata: b\n\n", []Event{{Data: "a\nb"}}, io.EOF},
	{"no space", "data:a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"two spaces", "data:  a\n\n", []Event{{Data: " a"}}, io.EOF},
	{"tab kept", "data:\ta\n\n", []Event{{Data: "\ta"}}, io.EOF},
	{"trailing space kept", "data: a \n\n", []Event{{Data: "a "}}, io.EOF},
	{"colon in value", "data: a:b\n\n", []Event{{Data: "a:b"}}, io.EOF},
	{"multi-line data", "data: a\ndata: b\ndata: c\n\n", []Event{{Data: "a\nb\nc"}}, io.EOF},
	{"empty data", "data:\n\n", []Event{{Data: ""}}, io.EOF},
	{"data without colon", "data\n\n", []Event{{Data: ""}}, io.EOF},
	{"two empty data lines", "data\ndata\n\n", []Event{{Data: "\n"}}, io.EOF},
	{"event type", "event: delta\ndata: x\n\n", []Event{{Type: "delta", Data: "x"}}, io.EOF},
	{"event type reset", "event: a\ndata: 1\n\ndata: 2\n\n", []Event{{Type: "a", Data: "1"}, {Data: "2"}}, io.EOF},
	{"event type repeated", "event: a\ndata: 1\n\nevent: a\ndata: 2\n\n", []Event{{Type: "a", Data: "1"}, {Type: "a", Data: "2"}}, io.EOF},
	{"event without data", "event: ping\n\ndata: x\n\n", []Event{{Data: "x"}}, io.EOF},
	{"id persists", "id: 7\ndata: a\n\ndata: b\n\n", []Event{{ID: "7", Data: "a"}, {ID: "7", Data: "b"}}, io.EOF},
	{"id with nul ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []Event{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}}, io.EOF},
	{"empty id resets", "id: 1\ndata: a\n\nid\ndata: b\n\n", []Event{{ID: "1", Data: "a"}, {Data: "b"}}, io.EOF},
	{"id-only block", "id: 5\n\n", nil, io.EOF},
	{"retry ignored", "retry: 1000\ndata: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"unknown field", "foo: bar\ndata: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"field case sensitive", "Data: a\n\n", nil, io.EOF},
	{"space before colon", "data : a\n\n", nil, io.EOF},
	{"leading blank lines", "\n\n\r\ndata: a\n\n", []Event{{Data: "a"}}, io.EOF},
	{"nul in data", "data: a\x00b\n\n", []Event{{Data: "a\x00b"}}, io.EOF},
	{"invalid utf-8 kept", "data: \xff\xfe\n\n", []Event{{Data: "\xff\xfe"}}, io.EOF},
	{"empty input", "", nil, io.EOF},
	{"only bom", "\xEF\xBB\xBF", nil, io.EOF},
	{"unterminated event", "data: a\n", nil, io.ErrUnexpectedEOF},
	{"unterminated line", "data: a\n\ndata: b", []Event{{Data: "a"}}, io.ErrUnexpectedEOF},
	{"unterminated cr event", "data: a\r", nil, io.ErrUnexpectedEOF},
	{"unterminated comment", "data: a\n\n: ping", []Event{{Data: "a"}}, io.EOF},
	{"unterminated id", "data: a\n\nid: 3\n", []Event{{Data: "a"}}, io.EOF},
}

func TestDecoderFraming(t *testing.T) {
	t.Parallel()
	for _, tc := range framingCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeAll(strings.NewReader(tc.input), 0)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events = %#v, want %#v", got, tc.want)
			}
			if err != tc.wantErr {
				t.Errorf("final error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestDecoderSplitReads decodes every framing case through readers that
// cut the input at every position, and one byte at a time, because a
// network read may end anywhere, including between a CR and its LF.
func TestDecoderSplitReads(t *testing.T) {
	t.Parallel()
	for _, tc := range framingCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			input := []byte(tc.input)
			readers := map[string]func() io.Reader{
				"one byte":       func() io.Reader { return iotest.OneByteReader(bytes.NewReader(input)) },
				"eof with data":  func() io.Reader { return iotest.DataErrReader(bytes.NewReader(input)) },
				"half and empty": func() io.Reader { return splitAt(input, len(input)/2, len(input)/2) },
			}
			for cut := 1; cut < len(input); cut++ {
				readers[fmt.Sprintf("cut %d", cut)] = func() io.Reader { return splitAt(input, cut) }
			}

			for name, newReader := range readers {
				got, err := decodeAll(newReader(), 0)
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: events = %#v, want %#v", name, got, tc.want)
				}
				if err != tc.wantErr {
					t.Errorf("%s: final error = %v, want %v", name, err, tc.wantErr)
				}
			}
		})
	}
}

func TestDecoderLineLimit(t *testing.T) {
	t.Parallel()
	const maxLine = 64
	cases := []struct {
		name    string
		input   string
		want    int // events before the final error
		wantErr error
	}{
		{"at limit", "data: " + strings.Repeat("x", maxLine-6) + "\n\n", 1, io.EOF},
		{"over limit", "data: " + strings.Repeat("x", maxLine-5) + "\n\n", 0, ErrLineTooLong},
		{"comment over limit", ": " + strings.Repeat("x", maxLine) + "\n\n", 0, ErrLineTooLong},
		{"over limit after event", "data: a\n\ndata: " + strings.Repeat("x", 2*maxLine) + "\n\n", 1, ErrLineTooLong},
		{"unterminated over limit", "data: " + strings.Repeat("x", 2*maxLine), 0, ErrLineTooLong},
		{"data at limit", strings.Repeat("data: 1234567\n", 8) + "\n", 1, io.EOF},
		{"data over limit", strings.Repeat("data: 1234567\n", 9) + "\n", 0, ErrEventTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []string{"whole", "one byte"} {
				var r io.Reader = strings.NewReader(tc.input)
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				got, err := decodeAll(r, maxLine)
				if len(got) != tc.want {
					t.Errorf("%s: got %d events, want %d", mode, len(got), tc.want)
				}
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("%s: final error = %v, want %v", mode, err, tc.wantErr)
				}
			}
		})
	}
}

func TestDecoderLineLimitMessage(t *testing.T) {
	t.Parallel()
	_, err := decodeAll(strings.NewReader("data: "+strings.Repeat("x", 100)+"\n\n"), 50)
	if err == nil || !strings.Contains(err.Error(), "50 bytes") {
		t.Errorf("error = %v, want it to name the 50-byte limit", err)
	}
}

// endlessReader returns the same byte forever.
type endlessReader byte

func (r endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestDecoderEndlessLineBounded(t *testing.T) {
	t.Parallel()
	const maxLine = 1 << 20
	d := NewDecoder(endlessReader('x'), maxLine)
	_, err := d.Next()
	if !errors.Is(err, ErrLineTooLong) {
		t.Errorf("error = %v, want ErrLineTooLong", err)
	}
	if d.BytesRead() > maxLine+1 {
		t.Errorf("read %d bytes of an endless line, want at most %d", d.BytesRead(), maxLine+1)
	}
	if len(d.buf) > maxLine+1 {
		t.Errorf("buffer grew to %d bytes, want at most %d", len(d.buf), maxLine+1)
	}
}

func TestDecoderErrorIsSticky(t *testing.T) {
	t.Parallel()
	d := NewDecoder(strings.NewReader("data: "+strings.Repeat("x", 100)+"\n\ndata: b\n\n"), 50)
	_, first := d.Next()
	_, second := d.Next()
	if first == nil || first != second {
		t.Errorf("second error = %v, want the first error %v again", second, first)
	}
}

func TestDecoderReadError(t *testing.T) {
	t.Parallel()
	errReset := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(errReset))
	got, err := decodeAll(r, 0)
	if !reflect.DeepEqual(got, []Event{{Data: "a"}}) {
		t.Errorf("events = %#v, want the one complete event", got)
	}
	if !errors.Is(err, errReset) {
		t.Errorf("error = %v, want it to wrap %v", err, errReset)
	}
}

// stuckReader returns (0, nil) forever.
type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestDecoderNoProgress(t *testing.T) {
	t.Parallel()
	_, err := NewDecoder(stuckReader{}, 0).Next()
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("error = %v, want io.ErrNoProgress", err)
	}
}

func TestDecoderBytesRead(t *testing.T) {
	t.Parallel()
	input := "data: a\n\n: ping\n\ndata: b\n\n"
	d := NewDecoder(iotest.OneByteReader(strings.NewReader(input)), 0)
	if _, err := d.Next(); err != nil {
		t.Fatalf("first event: %v", err)
	}
	if got := d.BytesRead(); got != int64(len("data: a\n\n")) {
		t.Errorf("after the first event BytesRead = %d, want %d", got, len("data: a\n\n"))
	}
	for {
		if _, err := d.Next(); err != nil {
			break
		}
	}
	if got := d.BytesRead(); got != int64(len(input)) {
		t.Errorf("at the end BytesRead = %d, want %d", got, len(input))
	}
}

func FuzzDecoder(f *testing.F) {
	for _, tc := range framingCases {
		f.Add([]byte(tc.input), uint16(7), uint8(3))
	}
	f.Add([]byte("data: "+strings.Repeat("y", 80)+"\r\n\r\n"), uint16(64), uint8(1))
	f.Add([]byte("event: a\r\nid: 1\r\ndata: {}\r\n\r\ndata: [DONE]\r\n\r\n"), uint16(0), uint8(5))

	f.Fuzz(func(t *testing.T, input []byte, maxLine uint16, step uint8) {
		limit := int(maxLine%512) + 1
		whole, wholeErr := decodeAll(bytes.NewReader(input), limit)

		// Pieces of varying size, derived from step, so that line ends,
		// the BOM and CRLF pairs land on read boundaries.
		var cuts []int
		size := int(step%13) + 1
		for at := size; at < len(input); at += size {
			cuts = append(cuts, at)
			size = size%13 + 1
		}
		split, splitErr := decodeAll(splitAt(input, cuts...), limit)

		if !reflect.DeepEqual(whole, split) {
			t.Errorf("split reads changed the events: whole %#v, split %#v", whole, split)
		}
		if wholeErr != splitErr && wholeErr.Error() != splitErr.Error() {
			t.Errorf("split reads changed the final error: whole %v, split %v", wholeErr, splitErr)
		}
		for _, ev := range whole {
			if len(ev.Data) > limit {
				t.Errorf("event data of %d bytes exceeds the %d-byte limit", len(ev.Data), limit)
			}
		}
	})
}

// repeatReader returns data over and over without end.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// benchEvent is a chat chunk shaped like those vLLM sends.
const benchEvent = `data: {"id":"chatcmpl-0123456789abcdef","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n"

func BenchmarkDecoderEvent(b *testing.B) {
	d := NewDecoder(&repeatReader{data: []byte(benchEvent)}, 0)
	b.SetBytes(int64(len(benchEvent)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
