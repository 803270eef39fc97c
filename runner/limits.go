package runner

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Failure kinds of the limits below.
const (
	// FailConnectTimeout: no connection within Limits.ConnectTimeout.
	FailConnectTimeout = "connect_timeout"
	// FailFirstByteTimeout: no response headers within
	// Limits.FirstByteTimeout.
	FailFirstByteTimeout = "first_byte_timeout"
	// FailIdleTimeout: no body bytes for Limits.IdleTimeout.
	FailIdleTimeout = "idle_timeout"
	// FailEventTooLarge: one event or line was over Limits.MaxEventBytes.
	FailEventTooLarge = "event_too_large"
	// FailResponseTooLarge: the body was over Limits.MaxResponseBytes.
	FailResponseTooLarge = "response_too_large"
)

// Limits bound each request. Zero values select the defaults below; the
// cell's Timeout bounds the whole request in any case.
type Limits struct {
	// ConnectTimeout bounds dialing, TLS included; default 10 s.
	ConnectTimeout time.Duration
	// FirstByteTimeout bounds the wait from send to the response headers;
	// 0 leaves it to the request timeout.
	FirstByteTimeout time.Duration
	// IdleTimeout bounds a silence between reads of the body, such as a
	// stalled stream; 0 leaves it to the request timeout.
	IdleTimeout time.Duration
	// MaxEventBytes bounds one line or event of the stream; default 4 MiB.
	MaxEventBytes int
	// MaxResponseBytes bounds a whole response body; default 256 MiB.
	MaxResponseBytes int64
}

// Defaults of Limits.
const (
	DefaultConnectTimeout   = 10 * time.Second
	DefaultMaxEventBytes    = 4 << 20
	DefaultMaxResponseBytes = 256 << 20
)

func (l Limits) eventBytes() int {
	if l.MaxEventBytes > 0 {
		return l.MaxEventBytes
	}
	return DefaultMaxEventBytes
}

func (l Limits) responseBytes() int64 {
	if l.MaxResponseBytes > 0 {
		return l.MaxResponseBytes
	}
	return DefaultMaxResponseBytes
}

var (
	errIdleTimeout      = errors.New("no data within the idle timeout")
	errResponseTooLarge = errors.New("response body larger than the limit")
)

// clientKey identifies the clients a runner derives from its base client.
type clientKey struct {
	limits    Limits
	transport Transport
}

// clientFor returns Client, or a client with the same transport settings
// plus the connect and first-byte timeouts of limits and the settings of
// transport, made once per combination.
func (r *Runner) clientFor(limits Limits, transport Transport) (*http.Client, error) {
	base, ok := r.Client.Transport.(*http.Transport)
	if !ok || (limits.ConnectTimeout == 0 && limits.FirstByteTimeout == 0 && transport == Transport{}) {
		return r.Client, nil
	}
	key := clientKey{limits, transport}
	r.clientsMu.Lock()
	defer r.clientsMu.Unlock()
	if c, ok := r.clients[key]; ok {
		return c, nil
	}
	t := base.Clone()
	connect := limits.ConnectTimeout
	if connect <= 0 {
		connect = DefaultConnectTimeout
	}
	t.DialContext = dialStamped(&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second})
	t.TLSHandshakeTimeout = connect
	t.ResponseHeaderTimeout = limits.FirstByteTimeout
	if err := transport.apply(t); err != nil {
		return nil, err
	}
	c := &http.Client{Transport: t, CheckRedirect: noRedirects}
	if r.clients == nil {
		r.clients = map[clientKey]*http.Client{}
	}
	r.clients[key] = c
	return c, nil
}

// isHeaderTimeout reports whether err is net/http's ResponseHeaderTimeout.
func isHeaderTimeout(err error) bool {
	return err != nil && strings.Contains(err.Error(), "timeout awaiting response headers")
}

// isDial reports whether err happened while dialing.
func isDial(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// guardedBody bounds a response body's size and calls onIdle when no read
// returns data for the idle timeout.
type guardedBody struct {
	r      io.Reader
	closer io.Closer
	limit  int64
	left   int64
	idle   time.Duration
	timer  *time.Timer
	once   sync.Once
}

func newGuardedBody(body io.ReadCloser, limits Limits, onIdle func()) *guardedBody {
	g := &guardedBody{r: body, closer: body, limit: limits.responseBytes(), left: limits.responseBytes(), idle: limits.IdleTimeout}
	if g.idle > 0 {
		g.timer = time.AfterFunc(g.idle, onIdle)
	}
	return g
}

func (g *guardedBody) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, fmt.Errorf("%w of %d bytes", errResponseTooLarge, g.limit)
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.r.Read(p)
	g.left -= int64(n)
	if n > 0 && g.timer != nil {
		g.timer.Reset(g.idle)
	}
	if g.left <= 0 && err == nil {
		err = fmt.Errorf("%w of %d bytes", errResponseTooLarge, g.limit)
	}
	return n, err
}

func (g *guardedBody) Close() error {
	if g.timer != nil {
		g.timer.Stop()
	}
	var err error
	g.once.Do(func() { err = g.closer.Close() })
	return err
}

// decodedBody returns the response body, gunzipped when the server
// compressed it although identity was requested.
func decodedBody(resp *http.Response) (io.ReadCloser, error) {
	if !strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		return resp.Body, nil
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invalid gzip response body: %w", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, resp.Body}, nil
}

// CloseIdleConnections closes the idle connections of Client and of every
// client made for an endpoint's limits or transport settings.
func (r *Runner) CloseIdleConnections() {
	r.Client.CloseIdleConnections()
	r.clientsMu.Lock()
	defer r.clientsMu.Unlock()
	for _, c := range r.clients {
		c.CloseIdleConnections()
	}
}
