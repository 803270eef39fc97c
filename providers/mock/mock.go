// Package mock is an in-process LLM server that streams at a configured
// pace, the way vLLM does. One server speaks every wire format infermark
// has a provider for, each on its own path, so that one mock can stand
// in for an OpenAI, Anthropic, TGI, Gemini or SageMaker endpoint. It
// answers the correctness test's question (a number written in words)
// correctly and every other prompt with filler words. It is the
// quickstart target and the test double for the rest of infermark.
//
// Routes are matched by the end of the path, so any prefix works (the
// suite's builtin:mock base URL ends in /v1, Vertex AI paths are long):
//
//	POST .../chat/completions            OpenAI chat completions (openai-chat, azure-openai)
//	POST .../completions                 OpenAI completions (openai-completions)
//	POST .../responses                   OpenAI Responses (openai-responses)
//	POST .../messages                    Anthropic Messages (anthropic)
//	POST .../generate_stream             TGI native (tgi)
//	POST .../{model}:streamGenerateContent?alt=sse   Gemini and Vertex AI (gemini)
//	POST .../endpoints/{name}/invocations-response-stream   SageMaker with a TGI container (sagemaker)
//	GET  .../models                      the model list
package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Config sets the mock's pacing.
type Config struct {
	// TTFT is the delay from receiving a request to its first token.
	TTFT time.Duration
	// ITL is the delay between consecutive tokens.
	ITL time.Duration
	// DefaultMaxTokens is generated when a request sets no output length; default 16.
	DefaultMaxTokens int
	// MaxBodyBytes bounds a request body; default 4 MiB.
	MaxBodyBytes int64
	// Faults are the failures injected and the queue; none by default.
	Faults Faults
}

// Server is the mock's HTTP handler.
type Server struct {
	cfg     Config
	nextID  atomic.Int64
	clock   func() time.Time
	handled atomic.Int64
	faults  *injector
}

// New returns a mock server with cfg's pacing.
func New(cfg Config) *Server {
	if cfg.DefaultMaxTokens <= 0 {
		cfg.DefaultMaxTokens = 16
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	return &Server{cfg: cfg, clock: time.Now, faults: newInjector(cfg.Faults)}
}

// Handled returns the number of generation requests the server has served.
func (s *Server) Handled() int64 { return s.handled.Load() }

// routes maps the end of a request path to the wire format served there.
// Longer suffixes come first: "/chat/completions" before "/completions".
var routes = []struct {
	suffix string
	wire   wire
}{
	{"/chat/completions", openaiWire{chat: true}},
	{"/completions", openaiWire{}},
	{"/responses", responsesWire{}},
	{"/messages", anthropicWire{}},
	{"/generate_stream", tgiWire{}},
	{":streamGenerateContent", geminiWire{}},
	{"/invocations-response-stream", sagemakerWire{}},
}

// Paths lists the path endings the mock serves, for messages.
func Paths() []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.suffix
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id := r.Header.Get("X-Request-Id"); id != "" {
		w.Header().Set("X-Request-Id", id)
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	if r.Method == http.MethodGet && strings.HasSuffix(path, "/models") {
		s.serveModels(w)
		return
	}
	for _, route := range routes {
		if !strings.HasSuffix(path, route.suffix) {
			continue
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, route.wire, http.StatusMethodNotAllowed, r.Method+" is not allowed; use POST")
			return
		}
		s.serveGenerate(w, r, route.wire)
		return
	}
	writeError(w, openaiWire{}, http.StatusNotFound, fmt.Sprintf("no route for %s %s; the mock serves paths ending in %s",
		r.Method, r.URL.Path, strings.Join(Paths(), ", ")))
}

// Listener is a running mock server.
type Listener struct {
	// URL is the base URL to put in a suite, such as "http://127.0.0.1:41234/v1".
	URL    string
	Server *Server
	http   *http.Server
	done   chan error
}

// Start serves a new mock on addr, which must be a loopback address such as
// "127.0.0.1:0" (port 0 picks a free port).
func Start(addr string, cfg Config, logger *slog.Logger) (*Listener, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	if err := cfg.Faults.Check(); err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mock: listen on %q: %w", addr, err)
	}
	s := New(cfg)
	ln = s.WrapListener(ln)
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	if logger != nil {
		hs.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}
	l := &Listener{URL: "http://" + ln.Addr().String() + "/v1", Server: s, http: hs, done: make(chan error, 1)}
	go func() { l.done <- hs.Serve(ln) }()
	return l, nil
}

// Close stops the server and ends open streams.
func (l *Listener) Close() error {
	err := l.http.Close()
	if serveErr := <-l.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

// Wait blocks until the server stops.
func (l *Listener) Wait() error {
	err := <-l.done
	l.done <- err
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("mock: invalid address %q: %w; use host:port such as 127.0.0.1:8000", addr, err)
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("mock: address %q is not a loopback address; use 127.0.0.1:PORT", addr)
}

func (s *Server) serveModels(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"object":"list","data":[{"id":"mock-model","object":"model","owned_by":"infermark"}]}`)
}

// writeError answers with status and an error body in f's shape.
func writeError(w http.ResponseWriter, f wire, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(f.errorBody(status, msg))
}

// serveGenerate reads a generation request in f's format and answers it.
func (s *Server) serveGenerate(w http.ResponseWriter, r *http.Request, f wire) {
	start := s.clock()
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		writeError(w, f, http.StatusBadRequest, "reading request body: "+err.Error())
		return
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		writeError(w, f, http.StatusRequestEntityTooLarge, "request body over "+strconv.FormatInt(s.cfg.MaxBodyBytes, 10)+" bytes")
		return
	}
	req, err := f.parse(r, body)
	if err != nil {
		writeError(w, f, http.StatusBadRequest, err.Error())
		return
	}
	maxTokens := s.cfg.DefaultMaxTokens
	if req.maxTokens != nil {
		if *req.maxTokens < 1 {
			writeError(w, f, http.StatusBadRequest, "the output length must be at least 1")
			return
		}
		maxTokens = *req.maxTokens
	}

	s.handled.Add(1)
	g := &generation{
		id: "mock-" + strconv.FormatInt(s.nextID.Add(1), 10), model: req.model,
		promptTokens: countTokens(req.prompt), maxTokens: maxTokens, created: start.Unix(),
		includeUsage: req.includeUsage,
	}
	if answer := answerFor(req.prompt); answer != nil {
		g.answer = answer
		if len(answer) <= maxTokens {
			g.maxTokens, g.stopped = len(answer), true
		}
	}
	release, ok := s.admit(r, &start)
	if !ok {
		return
	}
	defer release()
	if s.injectFault(w, r, f, g, start, req.stream) {
		return
	}
	if ns, ok := f.(openaiWire); ok && !req.stream {
		s.sleepUntil(r, start.Add(s.cfg.TTFT+time.Duration(maxTokens-1)*s.cfg.ITL))
		w.Header().Set("Content-Type", "application/json")
		w.Write(ns.nonStreamBody(g))
		return
	}
	s.stream(w, r, f, g, start)
}

// Default pacing of "infermark mock" and of "builtin:mock".
const (
	DefaultTTFT = 200 * time.Millisecond
	DefaultITL  = 20 * time.Millisecond
)

// jsonLine marshals v, which the wire formats build from maps and
// structs that always encode.
func jsonLine(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("mock: " + err.Error())
	}
	return b
}
