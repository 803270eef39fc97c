// Package providers implements the wire formats of LLM inference APIs:
// it builds streaming HTTP requests and turns the events of a response
// (Server-Sent Events, or an AWS event stream for SageMaker) into Chunks.
// It measures nothing; the runner stamps arrival times.
//
// A Go program can add a wire format of its own: implement Provider (and
// StreamProvider when a response needs state or is not SSE) and call
// Register before loading a suite that names it. docs/library.md shows
// how.
package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Endpoint is the address, model and credentials of one server.
type Endpoint struct {
	// BaseURL is the server's root, such as "http://127.0.0.1:8000/v1".
	BaseURL string
	// Model is the model name sent in the request body.
	Model string
	// APIKey is sent as the provider's credential header; empty sends none.
	APIKey string
	// Headers are extra request headers, sent as given.
	Headers map[string]string
}

// Request is one generation request, independent of the wire format.
type Request struct {
	// Prompt is the user message (chat) or the prompt text (completions).
	Prompt string
	// SystemPrompt, when not empty, is sent as a system message.
	SystemPrompt string
	// MaxTokens caps the generated tokens; 0 leaves the server's default.
	MaxTokens int
	// IgnoreEOS asks servers that support it (vLLM, SGLang) to generate
	// exactly MaxTokens by also sending min_tokens and ignore_eos.
	IgnoreEOS bool
	// StreamUsage asks for a final usage chunk (stream_options.include_usage).
	StreamUsage bool
	// Sampling holds extra body parameters (temperature, top_p, ...),
	// merged into the body untouched.
	Sampling map[string]any
	// History holds the earlier turns of a multi-turn session, oldest
	// first; Prompt is the new user turn. Chat formats send them as
	// messages; text formats put them before Prompt (see Transcript).
	History []Message
}

// Message is one turn of a conversation.
type Message struct {
	// Role is "user" or "assistant".
	Role    string
	Content string
}

// Transcript returns the history and the prompt as one text, for wire
// formats that take a single prompt: each turn on its own paragraph, led
// by its role. Without history it returns Prompt unchanged.
func (r Request) Transcript() string {
	if len(r.History) == 0 {
		return r.Prompt
	}
	var b strings.Builder
	for _, m := range r.History {
		b.WriteString(m.Role)
		b.WriteString(": ")
		b.WriteString(m.Content)
		b.WriteString("\n\n")
	}
	b.WriteString("user: ")
	b.WriteString(r.Prompt)
	b.WriteString("\n\nassistant:")
	return b.String()
}

// Usage is the token accounting a server reports.
type Usage struct {
	// PromptTokens is 0 when the server does not state it (TGI versions
	// without details.input_length, LMI containers).
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// ReasoningTokens is the part of CompletionTokens spent on reasoning,
	// where the server reports it.
	ReasoningTokens int `json:"reasoning_tokens,omitempty"`
}

// Chunk is the meaning of one stream event.
type Chunk struct {
	// Content is generated answer text; empty when the event carries none.
	Content string
	// Reasoning is generated reasoning text (reasoning_content, reasoning).
	Reasoning string
	// ToolCall is true when the event carries a tool-call delta.
	ToolCall bool
	// HiddenToken is true when the event carries a generated token with no
	// text of its own: a special token such as the end-of-sequence token
	// that TGI streams last, or a token whose bytes only complete a
	// character together with a later one. It counts as output, because
	// the model spent a decoding step on it, but adds no text.
	HiddenToken bool
	// ToolCalls are the tool-call fragments of the event. A caller that
	// needs whole calls joins Arguments of fragments with the same Index.
	ToolCalls []ToolCallDelta
	// Usage is set when the event reports token usage. Later usage replaces
	// earlier usage, because some servers send zeros until the last chunk.
	Usage *Usage
	// FinishReason is the server's reason for stopping, when the event has one.
	FinishReason string
	// Done is true for the end-of-stream marker ("[DONE]" or its equivalent).
	Done bool
	// Err is an error object that the server sent inside the stream.
	Err *StreamError
}

// ToolCallDelta is one fragment of a streamed tool call. The first
// fragment of a call usually carries ID, Type and Name; later ones carry
// only more Arguments text.
type ToolCallDelta struct {
	Index     int
	ID        string
	Type      string
	Name      string
	Arguments string
}

// HasOutput reports whether the chunk carries generated output: text,
// reasoning, a tool call or a hidden token. Role-only, usage-only and
// empty chunks do not.
func (c Chunk) HasOutput() bool {
	return c.Content != "" || c.Reasoning != "" || c.ToolCall || c.HiddenToken
}

// StreamError is an error object received inside a stream.
type StreamError struct {
	Type    string
	Code    string
	Message string
}

func (e *StreamError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("server error in stream (%s, code %s): %s", e.Type, e.Code, e.Message)
	}
	return fmt.Sprintf("server error in stream (%s): %s", e.Type, e.Message)
}

// Provider is one wire format. Its methods must be safe for concurrent
// use, because the runner calls them from every worker. A provider whose
// decoding needs state keeps it in the Stream it returns from NewStream
// (see StreamProvider).
type Provider interface {
	// Name is the value of an endpoint's "provider" key, such as "openai-chat".
	Name() string
	// NewRequest builds the streaming HTTP request for req.
	NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error)
	// Decode interprets one stream event. It returns an error only for an
	// event that cannot be parsed; a server error object goes in Chunk.Err.
	Decode(ev Event) (Chunk, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Provider{}
)

// register adds a built-in provider; it panics on a duplicate name because
// that is a programming error.
func register(p Provider) {
	if err := Register(p); err != nil {
		panic(err)
	}
}

// Register adds p to the registry under p.Name(), so that suites can name
// it in an endpoint's "provider" key and Lookup finds it. Call it before
// loading suites, for example from an init function. It returns an error
// for an empty name, a name with spaces, or a name already registered,
// built-in names included.
func Register(p Provider) error {
	if p == nil {
		return errors.New("providers: Register(nil)")
	}
	name := p.Name()
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return fmt.Errorf("providers: invalid provider name %q; use letters, digits and \"-\"", name)
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		return fmt.Errorf("providers: provider %q is already registered", name)
	}
	registry[name] = p
	return nil
}

// Lookup returns the provider registered under name.
func Lookup(name string) (Provider, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	p, ok := registry[name]
	return p, ok
}

// Names returns the registered provider names, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
