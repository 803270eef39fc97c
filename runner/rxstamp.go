package runner

import (
	"context"
	"crypto/tls"
	"net"
	"sync/atomic"
	"time"
)

// Arrival times from the kernel.
//
// A client that is busy (many streams, garbage collection, a shared
// machine) reads an event some time after it arrived, and a timestamp
// taken when the event is decoded carries that delay. On Linux the runner
// turns on the kernel's stamp of every received segment (SO_TIMESTAMPNS)
// and reads the stamp of the latest segment with each read. That stamp is
// at or after the arrival of the bytes the decoder has just completed an
// event from, and at or before the moment the client got round to them.
// So it is never worse than the client's own clock, and usually within
// microseconds of the wire.
//
// The stamp is on the real-time clock. It is turned into an offset after
// the send with the wall reading of the send time. It is used only when it
// falls between the previous stamp used and the client's monotonic reading
// of now, so that a step of the system clock mid-stream makes the runner
// fall back to its own monotonic reading for that event.

// stampSource is a connection that keeps the kernel's receive time of the
// latest bytes it returned.
type stampSource interface {
	// lastStamp returns the kernel receive time of the latest read, in
	// Unix nanoseconds, or 0 when the kernel gave none.
	lastStamp() int64
	// lastWrite returns when the latest write started, or the zero time.
	lastWrite() time.Time
}

// stampedConn is a TCP connection that reads with the kernel's receive
// timestamps and notes when each write starts.
type stampedConn struct {
	net.Conn
	read  func(p []byte) (int, error)
	stamp atomic.Int64
	// wrote is the start of the latest write, as monotonic nanoseconds
	// after monoBase.
	wrote atomic.Int64
}

// monoBase anchors the monotonic write times that connections keep in
// integers.
var monoBase = time.Now()

func (c *stampedConn) Read(p []byte) (int, error) { return c.read(p) }

func (c *stampedConn) Write(p []byte) (int, error) {
	c.wrote.Store(int64(time.Since(monoBase)))
	return c.Conn.Write(p)
}

func (c *stampedConn) lastStamp() int64 { return c.stamp.Load() }

// lastWrite returns when the latest write started, or the zero time
// before the first one.
func (c *stampedConn) lastWrite() time.Time {
	d := c.wrote.Load()
	if d == 0 {
		return time.Time{}
	}
	return monoBase.Add(time.Duration(d))
}

// dialStamped returns a DialContext function that dials with d and, where
// the platform supports it, wraps TCP connections to read kernel receive
// timestamps.
func dialStamped(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			if stamped := newStampedConn(tcp); stamped != nil {
				return stamped, nil
			}
		}
		return conn, nil
	}
}

// stampOf returns the stamp source under conn, seeing through TLS.
func stampOf(conn net.Conn) stampSource {
	if t, ok := conn.(*tls.Conn); ok {
		conn = t.NetConn()
	}
	s, _ := conn.(stampSource)
	return s
}

// arrival returns the offset after the send at which the bytes just read
// arrived. That is the kernel's stamp when it lies between the previous
// stamp used and now, and now otherwise. The first segments a process
// receives may have no stamp, because the kernel starts stamping only once
// a socket has turned stamps on.
func (c *streamClock) arrival(now time.Duration) time.Duration {
	if c.stamps == nil {
		return now
	}
	at, ok := stampedArrival(c.stamps.lastStamp(), c.sendWall, c.lastStamped, now)
	if !ok {
		return now
	}
	c.lastStamped = at
	return at
}

// stampedArrival turns the kernel stamp ns into an offset after the send,
// whose wall-clock reading is sendWall. It reports false when there is no
// stamp, or when the offset lies before prev or after now, which a step of
// the system clock would cause.
func stampedArrival(ns int64, sendWall time.Time, prev, now time.Duration) (time.Duration, bool) {
	if ns == 0 {
		return 0, false
	}
	at := time.Unix(0, ns).Sub(sendWall)
	if at < prev || at > now {
		return 0, false
	}
	return at, true
}
