// Package mock is an in-process LLM server that streams OpenAI-compatible
// chat and completions responses at a configured pace, the way vLLM does.
// It is the quickstart target and the test double for the rest of infermark.
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
	"sync/atomic"
	"time"
)

// Config sets the mock's pacing.
type Config struct {
	// TTFT is the delay from receiving a request to its first token.
	TTFT time.Duration
	// ITL is the delay between consecutive tokens.
	ITL time.Duration
	// DefaultMaxTokens is generated when a request sets no max_tokens; default 16.
	DefaultMaxTokens int
	// MaxBodyBytes bounds a request body; default 4 MiB.
	MaxBodyBytes int64
}

// Server is the mock's HTTP handler.
type Server struct {
	cfg     Config
	nextID  atomic.Int64
	mux     *http.ServeMux
	clock   func() time.Time
	handled atomic.Int64
}

// New returns a mock server with cfg's pacing.
func New(cfg Config) *Server {
	if cfg.DefaultMaxTokens <= 0 {
		cfg.DefaultMaxTokens = 16
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), clock: time.Now}
	s.mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { s.serveGenerate(w, r, true) })
	s.mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) { s.serveGenerate(w, r, false) })
	s.mux.HandleFunc("GET /v1/models", s.serveModels)
	return s
}

// Handled returns the number of generation requests the server has answered.
func (s *Server) Handled() int64 { return s.handled.Load() }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id := r.Header.Get("X-Request-Id"); id != "" {
		w.Header().Set("X-Request-Id", id)
	}
	s.mux.ServeHTTP(w, r)
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mock: listen on %q: %w", addr, err)
	}
	s := New(cfg)
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

func (s *Server) serveModels(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"object":"list","data":[{"id":"mock-model","object":"model","owned_by":"infermark"}]}`)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"object": "error", "message": msg, "type": "BadRequestError", "code": status})
	w.Write(body)
}

// generateRequest is the part of an OpenAI request body the mock reads.
type generateRequest struct {
	Model     string `json:"model"`
	MaxTokens *int   `json:"max_tokens"`
	Stream    bool   `json:"stream"`
	Options   *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Messages []struct {
		Content string `json:"content"`
	} `json:"messages"`
	Prompt string `json:"prompt"`
}

func (s *Server) serveGenerate(w http.ResponseWriter, r *http.Request, chat bool) {
	start := s.clock()
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "reading request body: "+err.Error())
		return
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "request body over "+strconv.FormatInt(s.cfg.MaxBodyBytes, 10)+" bytes")
		return
	}
	var req generateRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	maxTokens := s.cfg.DefaultMaxTokens
	if req.MaxTokens != nil {
		if *req.MaxTokens < 1 {
			writeError(w, http.StatusBadRequest, "max_tokens must be at least 1")
			return
		}
		maxTokens = *req.MaxTokens
	}
	promptWords := countPromptWords(req, chat)
	s.handled.Add(1)
	g := generation{
		id: "mock-" + strconv.FormatInt(s.nextID.Add(1), 10), model: req.Model, chat: chat,
		promptTokens: promptWords, maxTokens: maxTokens, created: start.Unix(),
	}
	if !req.Stream {
		s.sleepUntil(r, start.Add(s.cfg.TTFT+time.Duration(maxTokens-1)*s.cfg.ITL))
		w.Header().Set("Content-Type", "application/json")
		w.Write(g.nonStreamBody())
		return
	}
	g.includeUsage = req.Options != nil && req.Options.IncludeUsage
	s.stream(w, r, g, start)
}

// Default pacing of "infermark mock" and of "builtin:mock".
const (
	DefaultTTFT = 200 * time.Millisecond
	DefaultITL  = 20 * time.Millisecond
)
