package runner

import (
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"
)

// connTrace collects connection phase times through httptrace. The
// transport may call the hooks from its own goroutines, hence the lock.
type connTrace struct {
	send time.Time

	mu                         sync.Mutex
	dns, connect, tlsHandshake time.Time
	reused                     bool
	stamps                     stampSource
	wroteRequest               time.Time
}

func (c *connTrace) clientTrace() *httptrace.ClientTrace {
	stamp := func(t *time.Time) {
		c.mu.Lock()
		*t = time.Now()
		c.mu.Unlock()
	}
	return &httptrace.ClientTrace{
		DNSDone:          func(httptrace.DNSDoneInfo) { stamp(&c.dns) },
		ConnectDone:      func(_, _ string, _ error) { stamp(&c.connect) },
		TLSHandshakeDone: func(tls.ConnectionState, error) { stamp(&c.tlsHandshake) },
		WroteRequest:     func(httptrace.WroteRequestInfo) { stamp(&c.wroteRequest) },
		GotConn: func(info httptrace.GotConnInfo) {
			c.mu.Lock()
			c.reused = info.Reused
			c.stamps = stampOf(info.Conn)
			c.mu.Unlock()
		},
	}
}

// fill copies the phases into rec as offsets after the send.
func (c *connTrace) fill(rec *Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	offset := func(t time.Time) time.Duration {
		if t.IsZero() {
			return 0
		}
		return t.Sub(c.send)
	}
	rec.DNSDone, rec.ConnectDone, rec.TLSDone = offset(c.dns), offset(c.connect), offset(c.tlsHandshake)
	rec.ConnReused = c.reused
}

// stampSource returns the kernel receive stamps of the request's
// connection, or nil when the connection has none.
func (c *connTrace) stampSource() stampSource {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stamps
}

// written returns when the request's last bytes went out, as an offset
// after the send. That is the start of the connection's final write when
// the runner dialed the connection and ownWrites is true (the connection
// carried only this request), else the WroteRequest hook's time, else 0.
func (c *connTrace) written(ownWrites bool) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := c.wroteRequest
	if c.stamps != nil && ownWrites {
		if w := c.stamps.lastWrite(); !w.IsZero() {
			at = w
		}
	}
	if at.IsZero() || at.Before(c.send) {
		return 0
	}
	return at.Sub(c.send)
}
