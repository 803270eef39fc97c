package providers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Event is one Server-Sent Event as the HTML Living Standard defines it.
type Event struct {
	// Type is the "event:" field; empty means the default type "message".
	Type string
	// Data is the concatenated "data:" lines, joined by "\n".
	Data string
	// ID is the last event ID: the value of the latest "id:" field seen in
	// this or an earlier event, as the standard keeps it across events.
	ID string
}

// DefaultMaxLine is the line and event size limit, in bytes, that NewDecoder
// applies when it is given a limit of zero or less. Servers put a whole
// generated reply, or a base64 image, into a single line, so it is generous.
const DefaultMaxLine = 16 << 20

var (
	// ErrLineTooLong is returned when one line exceeds the decoder's limit.
	ErrLineTooLong = errors.New("sse: line longer than the limit")
	// ErrEventTooLarge is returned when the joined data lines of one event
	// exceed the decoder's limit.
	ErrEventTooLarge = errors.New("sse: event data larger than the limit")
)

const (
	initialBufSize = 1 << 10
	// maxEmptyReads bounds the (0, nil) reads tolerated in a row, so that a
	// broken reader cannot make Next spin forever.
	maxEmptyReads = 100
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decoder reads Server-Sent Events from a stream, following the
// event-stream interpretation rules of the HTML Living Standard. It accepts
// LF, CR and CRLF line ends, skips one leading UTF-8 BOM and comment lines,
// removes one optional space after the colon, and reads the "data",
// "event" and "id" fields. Events may be split across reads at any byte.
//
// NOTE: bytes are passed through without replacing invalid UTF-8 with
// U+FFFD as the standard's decoding step would; encoding/json performs that
// replacement inside JSON strings.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	r       io.Reader
	maxLine int

	buf        []byte // bytes read but not yet consumed are buf[start:end]
	start, end int
	scanned    int // buf[start:scanned] is known to hold no line end
	skipLF     bool
	bomChecked bool
	eof        bool
	err        error // sticky error returned by every later call
	bytesRead  int64

	data      []byte
	hasData   bool
	eventType []byte
	lastType  string
	lastID    string
}

// NewDecoder returns a decoder reading r. maxLine bounds one line, and also
// the joined data of one event, in bytes. Zero or less selects
// DefaultMaxLine. The decoder allocates at most about maxLine bytes for each
// of its two buffers.
func NewDecoder(r io.Reader, maxLine int) *Decoder {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &Decoder{r: r, maxLine: maxLine}
}

// Next returns the next event. Blocks without data lines, such as comments
// and keep-alives, yield no event. It returns io.EOF after the last complete
// event, and io.ErrUnexpectedEOF when the stream ends inside an event that
// has data but was never terminated by a blank line. A line or event over
// the limit returns an error wrapping ErrLineTooLong or ErrEventTooLarge,
// and a failed read returns the reader's error wrapped. Once Next has
// returned an error, it returns the same error on every later call.
func (d *Decoder) Next() (Event, error) {
	if d.err != nil {
		return Event{}, d.err
	}
	for {
		line, err := d.readLine()
		if err == io.EOF {
			d.err = d.endOfStream()
			return Event{}, d.err
		}
		if err != nil {
			d.err = err
			return Event{}, err
		}

		if len(line) == 0 {
			if d.hasData {
				return d.dispatch(), nil
			}
			d.eventType = d.eventType[:0]
			continue
		}
		if err := d.processLine(line); err != nil {
			d.err = err
			return Event{}, err
		}
	}
}

// BytesRead returns the number of bytes read from the stream so far,
// including bytes of lines and events not yet returned.
func (d *Decoder) BytesRead() int64 { return d.bytesRead }

// endOfStream processes an unterminated last line, which the standard
// discards, only to learn whether an event with data was cut off.
func (d *Decoder) endOfStream() error {
	if d.start < d.end {
		line := d.buf[d.start:d.end]
		d.start = d.end
		if len(line) > d.maxLine {
			return lineTooLong(d.maxLine)
		}
		if err := d.processLine(line); err != nil {
			return err
		}
	}
	if d.hasData {
		return io.ErrUnexpectedEOF
	}
	return io.EOF
}

// dispatch builds the pending event and clears the per-event buffers.
func (d *Decoder) dispatch() Event {
	ev := Event{Data: string(d.data), ID: d.lastID}
	if len(d.eventType) > 0 {
		// Reusing the previous type string saves an allocation per event
		// on streams that name every event, such as Anthropic's.
		if string(d.eventType) != d.lastType {
			d.lastType = string(d.eventType)
		}
		ev.Type = d.lastType
	}

	d.data = d.data[:0]
	d.hasData = false
	d.eventType = d.eventType[:0]
	return ev
}

// processLine applies one non-empty line to the pending event.
func (d *Decoder) processLine(line []byte) error {
	if line[0] == ':' {
		return nil
	}

	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}

	switch string(field) {
	case "data":
		size := len(d.data) + len(value)
		if d.hasData {
			size++
		}
		if size > d.maxLine {
			return fmt.Errorf("%w: more than %d bytes of data in one event", ErrEventTooLarge, d.maxLine)
		}
		if d.hasData {
			d.data = append(d.data, '\n')
		}
		d.data = append(d.data, value...)
		d.hasData = true
	case "event":
		d.eventType = append(d.eventType[:0], value...)
	case "id":
		if bytes.IndexByte(value, 0) < 0 && string(value) != d.lastID {
			d.lastID = string(value)
		}
	}
	// "retry" only matters to a client that reconnects, and the standard
	// says to ignore unknown fields.
	return nil
}

func lineTooLong(maxLine int) error {
	return fmt.Errorf("%w: more than %d bytes without a line end", ErrLineTooLong, maxLine)
}

// readLine returns the next line without its line end. The slice is valid
// until the next call. It returns io.EOF when the stream ends, leaving any
// unterminated last line in buf[start:end].
func (d *Decoder) readLine() ([]byte, error) {
	for {
		if !d.bomChecked {
			d.checkBOM()
		}
		if d.bomChecked {
			if d.skipLF && d.start < d.end {
				// When a CR ended the previous line, an LF right after
				// it belongs to the same line end, even across reads.
				if d.buf[d.start] == '\n' {
					d.start++
					d.scanned = max(d.scanned, d.start)
				}
				d.skipLF = false
			}
			if line, ok := d.scanLine(); ok {
				if len(line) > d.maxLine {
					return nil, lineTooLong(d.maxLine)
				}
				return line, nil
			}
			if d.end-d.start > d.maxLine {
				return nil, lineTooLong(d.maxLine)
			}
		}

		if d.eof {
			return nil, io.EOF
		}
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
}

// checkBOM skips a UTF-8 byte order mark at the start of the stream once
// enough bytes have arrived to tell.
func (d *Decoder) checkBOM() {
	head := d.buf[d.start:d.end]
	if len(head) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, head) && !d.eof {
		return
	}
	if bytes.HasPrefix(head, utf8BOM) {
		d.start += len(utf8BOM)
		d.scanned = d.start
	}
	d.bomChecked = true
}

// scanLine finds the next CR or LF after the bytes already scanned and
// consumes the line before it.
func (d *Decoder) scanLine() ([]byte, bool) {
	seg := d.buf[d.scanned:d.end]
	i := bytes.IndexByte(seg, '\n')
	cr := -1
	if i < 0 {
		cr = bytes.IndexByte(seg, '\r')
	} else {
		cr = bytes.IndexByte(seg[:i], '\r')
	}
	if cr >= 0 {
		i = cr
	}
	if i < 0 {
		d.scanned = d.end
		return nil, false
	}

	lineEnd := d.scanned + i
	line := d.buf[d.start:lineEnd]
	d.start = lineEnd + 1
	d.scanned = d.start
	d.skipLF = cr >= 0
	return line, true
}

// fill reads more bytes into buf, first making room by moving unconsumed
// bytes to the front or by growing buf up to maxLine+1 bytes. At the end of
// the stream it sets eof and returns nil.
func (d *Decoder) fill() error {
	if d.buf == nil {
		d.buf = make([]byte, min(initialBufSize, d.maxLine+1))
	}
	if d.start == d.end {
		d.start, d.end, d.scanned = 0, 0, 0
	}
	if d.end == len(d.buf) && d.start > 0 {
		n := copy(d.buf, d.buf[d.start:d.end])
		d.scanned -= d.start
		d.start, d.end = 0, n
	}
	if d.end == len(d.buf) {
		size := min(2*len(d.buf), d.maxLine+1)
		grown := make([]byte, size)
		copy(grown, d.buf[:d.end])
		d.buf = grown
	}

	for range maxEmptyReads {
		n, err := d.r.Read(d.buf[d.end:])
		d.end += n
		d.bytesRead += int64(n)
		if err == io.EOF {
			d.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("sse: read failed after %d bytes: %w", d.bytesRead, err)
		}
		if n > 0 {
			return nil
		}
	}
	return fmt.Errorf("sse: read failed after %d bytes: %w", d.bytesRead, io.ErrNoProgress)
}
