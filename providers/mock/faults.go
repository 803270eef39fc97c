package mock

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one way the mock misbehaves on a request it selects.
type Fault string

// Faults the mock can inject. Those that act on the stream strike when
// its middle token is due, after some output has arrived. A request that
// does not stream is served normally when the schedule gives it one of
// them.
const (
	// FaultRateLimit responds with HTTP 429 with Retry-After.
	FaultRateLimit Fault = "429"
	// FaultUnavailable responds with HTTP 503 with Retry-After.
	FaultUnavailable Fault = "503"
	// FaultServerError responds with HTTP 500 with an error body.
	FaultServerError Fault = "500"
	// FaultEchoHeaders responds with HTTP 401 with a body that quotes every
	// request header, credentials included, as some proxies do.
	FaultEchoHeaders Fault = "echo_headers"
	// FaultRefuse closes a new connection as soon as it is accepted,
	// before reading a byte. It acts on connections, not requests, so it
	// cannot be combined with other faults. While it is set, every
	// response carries "Connection: close", so that each request dials.
	FaultRefuse Fault = "refuse"
	// FaultReset resets the connection (TCP RST) after reading the request.
	FaultReset Fault = "reset"
	// FaultSlowFirstByte holds the response headers back for Faults.Delay.
	FaultSlowFirstByte Fault = "slow_first_byte"
	// FaultStreamError sends the wire format's error event inside the 200
	// stream and ends it.
	FaultStreamError Fault = "stream_error"
	// FaultCut sends half of an event and aborts the connection.
	FaultCut Fault = "cut"
	// FaultStall sends nothing for Faults.Delay, then resumes the stream.
	FaultStall Fault = "stall"
	// FaultEndless streams tokens until the client goes away.
	FaultEndless Fault = "endless"
	// FaultLongLine sends one line of LongLineBytes without a line end.
	FaultLongLine Fault = "long_line"
	// FaultBadUTF8 sends one token whose text is not valid UTF-8.
	FaultBadUTF8 Fault = "bad_utf8"
	// FaultBadJSON sends one data line that is not valid JSON.
	FaultBadJSON Fault = "bad_json"
	// FaultContentType labels a normal stream "text/plain".
	FaultContentType Fault = "content_type"
	// FaultHTML responds with 200 and an HTML page instead of a stream, as a
	// proxy's sign-in page does.
	FaultHTML Fault = "html"
	// FaultGzip compresses the stream although the client asked for
	// identity encoding.
	FaultGzip Fault = "gzip"
)

// FaultNames lists every fault, in the order of the constants.
func FaultNames() []string {
	return []string{
		string(FaultRateLimit), string(FaultUnavailable), string(FaultServerError), string(FaultEchoHeaders),
		string(FaultRefuse), string(FaultReset), string(FaultSlowFirstByte), string(FaultStreamError),
		string(FaultCut), string(FaultStall), string(FaultEndless), string(FaultLongLine), string(FaultBadUTF8),
		string(FaultBadJSON), string(FaultContentType), string(FaultHTML), string(FaultGzip),
	}
}

// LongLineBytes is the length of FaultLongLine's line: 16 MiB, four times
// the runner's default limit on one event.
const LongLineBytes = 16 << 20

// Defaults of Faults.
const (
	DefaultFaultDelay = 10 * time.Second
	DefaultRetryAfter = time.Second
)

// Faults are the mock's injected failures and its queueing.
type Faults struct {
	// Kinds are the faults injected, in turn, into the requests the
	// schedule selects; empty injects none.
	Kinds []Fault
	// Rate is the share of requests that get a fault, above 0 and at most
	// 1; 0 means 1. The selection is deterministic: request n after the
	// first After gets one when floor(n×Rate) > floor((n−1)×Rate), so 0.25
	// selects every fourth request.
	Rate float64
	// After is the number of requests served normally before the first
	// fault (connections, for FaultRefuse).
	After int
	// Delay is how long FaultStall and FaultSlowFirstByte hold back the
	// response; 0 means DefaultFaultDelay.
	Delay time.Duration
	// RetryAfter is the wait that 429 and 503 responses name, sent in whole
	// seconds, rounded up; 0 means DefaultRetryAfter.
	RetryAfter time.Duration
	// MaxConcurrent is how many generation requests the mock serves at a
	// time, 0 for no limit. Later requests wait in line, and the wait adds
	// to their time to first token.
	MaxConcurrent int
}

// Check returns an error for the first invalid setting of f, or nil.
func (f Faults) Check() error {
	for _, k := range f.Kinds {
		if !slices.Contains(FaultNames(), string(k)) {
			return fmt.Errorf("unknown fault %q; use one of %s", k, strings.Join(FaultNames(), ", "))
		}
	}
	switch {
	case slices.Contains(f.Kinds, FaultRefuse) && len(f.Kinds) > 1:
		return fmt.Errorf("fault %q acts on connections and cannot be combined with other faults", FaultRefuse)
	case f.Rate < 0 || f.Rate > 1 || math.IsNaN(f.Rate):
		return fmt.Errorf("fault rate must be from 0 to 1 (0 means 1), got %v", f.Rate)
	case f.After < 0:
		return fmt.Errorf("fault_after must not be negative, got %d", f.After)
	case f.Delay < 0 || f.RetryAfter < 0:
		return fmt.Errorf("fault_delay and retry_after must not be negative")
	case f.MaxConcurrent < 0:
		return fmt.Errorf("max_concurrent must not be negative, got %d", f.MaxConcurrent)
	}
	return nil
}

// ParseFaults reads a comma-separated list of fault names, such as
// "429,stall".
func ParseFaults(list string) ([]Fault, error) {
	var out []Fault
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(FaultNames(), name) {
			return nil, fmt.Errorf("unknown fault %q; use one of %s", name, strings.Join(FaultNames(), ", "))
		}
		out = append(out, Fault(name))
	}
	return out, nil
}

// QueryParams lists the parameters ConfigFromQuery reads.
var QueryParams = []string{"ttft", "itl", "fault", "fault_rate", "fault_after", "fault_delay", "retry_after", "max_concurrent"}

// ConfigFromQuery reads the query of a "builtin:mock?..." base URL, such
// as "ttft=50ms&itl=5ms&fault=429,stall&fault_rate=0.2". Unset pacing is
// DefaultTTFT and DefaultITL.
func ConfigFromQuery(query string) (Config, error) {
	cfg := Config{TTFT: DefaultTTFT, ITL: DefaultITL}
	values, err := url.ParseQuery(query)
	if err != nil {
		return cfg, err
	}
	for key, all := range values {
		if len(all) > 1 {
			return cfg, fmt.Errorf("parameter %q is given %d times; give it once", key, len(all))
		}
		if err := cfg.setParam(key, all[0]); err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Faults.Check()
}

func (c *Config) setParam(key, value string) error {
	switch key {
	case "ttft":
		return parseDuration(key, value, &c.TTFT)
	case "itl":
		return parseDuration(key, value, &c.ITL)
	case "fault_delay":
		return parseDuration(key, value, &c.Faults.Delay)
	case "retry_after":
		return parseDuration(key, value, &c.Faults.RetryAfter)
	case "fault_after":
		return parseCount(key, value, &c.Faults.After)
	case "max_concurrent":
		return parseCount(key, value, &c.Faults.MaxConcurrent)
	case "fault":
		kinds, err := ParseFaults(value)
		c.Faults.Kinds = kinds
		return err
	case "fault_rate":
		rate, err := strconv.ParseFloat(value, 64)
		if err != nil || !(rate > 0 && rate <= 1) {
			return fmt.Errorf("fault_rate must be a number above 0 and at most 1, such as 0.2, got %q", value)
		}
		c.Faults.Rate = rate
		return nil
	}
	return fmt.Errorf("unknown parameter %q; use %s", key, strings.Join(QueryParams, ", "))
}

func parseDuration(key, value string, out *time.Duration) error {
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return fmt.Errorf("%s must be a duration of 0 or more such as \"20ms\", got %q", key, value)
	}
	*out = d
	return nil
}

func parseCount(key, value string, out *int) error {
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return fmt.Errorf("%s must be an integer of 0 or more, got %q", key, value)
	}
	*out = n
	return nil
}

// injector applies Faults to the requests and connections of one server.
type injector struct {
	cfg   Faults
	queue chan struct{}

	mu       sync.Mutex
	arrivals int
	injected int
}

func newInjector(cfg Faults) *injector {
	if cfg.Rate == 0 {
		cfg.Rate = 1
	}
	if cfg.Delay == 0 {
		cfg.Delay = DefaultFaultDelay
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	in := &injector{cfg: cfg}
	if cfg.MaxConcurrent > 0 {
		in.queue = make(chan struct{}, cfg.MaxConcurrent)
	}
	return in
}

// refuses reports whether the injector acts on connections.
func (in *injector) refuses() bool {
	return slices.Contains(in.cfg.Kinds, FaultRefuse)
}

// next counts one arrival and returns the fault it gets, or "".
func (in *injector) next() Fault {
	if len(in.cfg.Kinds) == 0 {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.arrivals++
	n := float64(in.arrivals - in.cfg.After)
	if n < 1 || math.Floor(n*in.cfg.Rate) == math.Floor((n-1)*in.cfg.Rate) {
		return ""
	}
	in.injected++
	return in.cfg.Kinds[(in.injected-1)%len(in.cfg.Kinds)]
}

// admit waits for a place in the queue and returns the function that
// gives it back; ok is false when the client went away first.
func (in *injector) admit(r *http.Request) (release func(), ok bool) {
	if in.queue == nil {
		return func() {}, true
	}
	select {
	case in.queue <- struct{}{}:
		return func() { <-in.queue }, true
	case <-r.Context().Done():
		return nil, false
	}
}

// WrapListener returns ln, wrapped to close the new connections that
// FaultRefuse selects when the server's faults include it. Start applies
// it; a test that serves the mock on its own listener (httptest) applies
// it there.
func (s *Server) WrapListener(ln net.Listener) net.Listener {
	if !s.faults.refuses() {
		return ln
	}
	return &refusingListener{Listener: ln, in: s.faults}
}

// refusingListener closes the connections the schedule selects as soon as
// they are accepted.
type refusingListener struct {
	net.Listener
	in *injector
}

func (l *refusingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || l.in.next() == "" {
			return c, err
		}
		c.Close()
	}
}
