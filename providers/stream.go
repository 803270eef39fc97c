package providers

import (
	"io"
)

// Stream yields the chunks of one response body, in arrival order. A
// Stream is used by one goroutine.
type Stream interface {
	// Next blocks until the next event has arrived and returns its chunk.
	// It returns io.EOF after the last event of a body that ended cleanly,
	// io.ErrUnexpectedEOF when the body ended inside an event, an error
	// wrapping *DecodeError for an event the provider cannot interpret,
	// and any other error for a read or framing failure. Once it has
	// returned an error it returns an error on every later call.
	Next() (Chunk, error)
	// BytesRead returns the number of body bytes read so far.
	BytesRead() int64
}

// StreamProvider is a Provider that reads its response bodies itself,
// either because they are not Server-Sent Events (an AWS event stream) or
// because one event is complete only with what earlier events reported
// (Anthropic reports input tokens in its first event and output tokens in
// its last). Its Decode still interprets a single event as well as it can
// without that context.
type StreamProvider interface {
	Provider
	// NewStream returns a Stream reading body. maxEvent bounds one event
	// in bytes; zero or less selects DefaultMaxLine.
	NewStream(body io.Reader, maxEvent int) Stream
}

// OpenStream returns the chunks of body as p encodes them: p's own Stream
// when p is a StreamProvider, and otherwise the body's Server-Sent Events,
// each passed to p.Decode. A runner calls it for every response, so that
// every provider, built-in or registered, is read the same way.
func OpenStream(p Provider, body io.Reader, maxEvent int) Stream {
	if sp, ok := p.(StreamProvider); ok {
		return sp.NewStream(body, maxEvent)
	}
	return NewSSEStream(body, maxEvent, p.Decode)
}

// NewSSEStream returns a Stream that reads Server-Sent Events from body and
// interprets each with decode. A provider that keeps state across the
// events of one response builds it in NewStream with a decode function
// that closes over that state.
func NewSSEStream(body io.Reader, maxEvent int, decode func(Event) (Chunk, error)) Stream {
	return &sseStream{dec: NewDecoder(body, maxEvent), decode: decode}
}

type sseStream struct {
	dec    *Decoder
	decode func(Event) (Chunk, error)
	err    error
}

func (s *sseStream) Next() (Chunk, error) {
	if s.err != nil {
		return Chunk{}, s.err
	}
	ev, err := s.dec.Next()
	if err != nil {
		s.err = err
		return Chunk{}, err
	}
	c, err := s.decode(ev)
	if err != nil {
		s.err = &DecodeError{Err: err}
		return Chunk{}, s.err
	}
	return c, nil
}

func (s *sseStream) BytesRead() int64 { return s.dec.BytesRead() }

// DecodeError reports an event that arrived whole but that the provider
// could not interpret, as opposed to a stream that broke off.
type DecodeError struct {
	// Err is the provider's description, which names the provider and
	// quotes at most the first 100 bytes of the event.
	Err error
}

func (e *DecodeError) Error() string { return e.Err.Error() }

// Unwrap returns the provider's error.
func (e *DecodeError) Unwrap() error { return e.Err }
