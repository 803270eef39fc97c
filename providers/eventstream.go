package providers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream/eventstreamapi"
)

// eventStream reads a SageMaker response: AWS event-stream messages whose
// PayloadPart payloads, joined, are the container's own token stream.
type eventStream struct {
	parts    *payloadParts
	body     *bufio.Reader
	maxEvent int
	inner    func() (Chunk, error)
	err      error
}

func newEventStream(body io.Reader, maxEvent int) *eventStream {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxLine
	}
	parts := &payloadParts{body: &countingReader{r: body}, dec: eventstream.NewDecoder()}
	return &eventStream{parts: parts, body: bufio.NewReaderSize(parts, 64<<10), maxEvent: maxEvent}
}

func (s *eventStream) BytesRead() int64 { return s.parts.body.(*countingReader).n }

func (s *eventStream) Next() (Chunk, error) {
	if s.err != nil {
		return Chunk{}, s.err
	}
	if s.inner == nil {
		s.inner = s.sniff()
	}
	c, err := s.inner()
	if err == nil {
		return c, nil
	}
	// The container's stream ends where an exception arrived; report the
	// exception rather than the cut.
	if exc := s.parts.exception; exc != nil && !isDecodeError(err) {
		s.err = io.EOF
		return Chunk{Err: exc}, nil
	}
	s.err = err
	return Chunk{}, err
}

func isDecodeError(err error) bool {
	var de *DecodeError
	return errors.As(err, &de)
}

// sniff picks the container's format from its first byte: "{" starts LMI's
// JSON lines, anything else TGI's (or LMI's) Server-Sent Events.
func (s *eventStream) sniff() func() (Chunk, error) {
	first, err := s.body.Peek(1)
	if err == nil && first[0] == '{' {
		return s.nextLine
	}
	sse := NewSSEStream(s.body, s.maxEvent, func(ev Event) (Chunk, error) { return decodeTokenEvent("sagemaker", ev.Data) })
	return sse.Next
}

// nextLine decodes the next non-empty JSON line.
func (s *eventStream) nextLine() (Chunk, error) {
	for {
		line, err := s.readLine()
		if len(bytes.TrimSpace(line)) > 0 {
			c, derr := decodeTokenEvent("sagemaker", string(line))
			if derr != nil {
				return Chunk{}, &DecodeError{Err: derr}
			}
			return c, nil
		}
		if err != nil {
			return Chunk{}, err
		}
	}
}

// readLine returns the next line without its line end; at the end of the
// stream it returns the unterminated rest with io.EOF.
func (s *eventStream) readLine() ([]byte, error) {
	var line []byte
	for {
		frag, err := s.body.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > s.maxEvent {
			return nil, fmt.Errorf("%w: more than %d bytes without a line end", ErrLineTooLong, s.maxEvent)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(line) > 0 {
			return line, nil
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

// payloadParts is an io.Reader over the payloads of PayloadPart events.
// It stops at an exception or error message, which it keeps.
type payloadParts struct {
	body      io.Reader
	dec       *eventstream.Decoder
	buf       []byte
	pending   []byte
	err       error
	exception *StreamError
}

func (p *payloadParts) Read(b []byte) (int, error) {
	for len(p.pending) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		p.next()
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	return n, nil
}

// next decodes one message: a payload part becomes pending bytes, an
// exception or error ends the payloads.
func (p *payloadParts) next() {
	msg, err := p.dec.Decode(p.body, p.buf)
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("invalid AWS event stream message: %w", err)
		}
		p.err = err
		return
	}
	p.buf = msg.Payload[:0]

	switch header(msg, eventstreamapi.MessageTypeHeader) {
	case eventstreamapi.EventMessageType:
		if header(msg, eventstreamapi.EventTypeHeader) == "PayloadPart" {
			p.pending = msg.Payload
		}
	case eventstreamapi.ExceptionMessageType:
		var body struct {
			Message   string `json:"Message"`
			ErrorCode string `json:"ErrorCode"`
		}
		if json.Unmarshal(msg.Payload, &body) != nil || body.Message == "" {
			body.Message = quoteData(string(msg.Payload))
		}
		p.exception = &StreamError{Type: header(msg, eventstreamapi.ExceptionTypeHeader), Code: body.ErrorCode, Message: body.Message}
		p.err = io.EOF
	case eventstreamapi.ErrorMessageType:
		p.exception = &StreamError{Type: header(msg, eventstreamapi.ErrorCodeHeader), Message: header(msg, eventstreamapi.ErrorMessageHeader)}
		p.err = io.EOF
	}
}

func header(msg eventstream.Message, name string) string {
	if v := msg.Headers.Get(name); v != nil {
		return v.String()
	}
	return ""
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
