// Package runner drives load against endpoints and records, per request,
// raw monotonic timestamps of what arrived. It derives no metrics: the
// report package computes every figure from these records.
package runner

import "time"

// Phase marks whether a record counts towards statistics.
type Phase string

// Phases of a cell.
const (
	PhaseWarmup   Phase = "warmup"
	PhaseMeasured Phase = "measured"
)

// Failure kinds stored in Record.ErrorKind. An empty kind means success.
const (
	// FailConnect: the request never reached the server (refused, DNS, reset before headers).
	FailConnect = "connect"
	// FailHTTP4xx and FailHTTP5xx: the server responded with an error
	// status other than the ones below.
	FailHTTP4xx = "http_4xx"
	FailHTTP5xx = "http_5xx"
	// FailRedirect: the server responded with a redirect, which is not
	// followed, so that credentials never go to another host.
	FailRedirect = "redirect"
	// FailRateLimited: HTTP 429.
	FailRateLimited = "rate_limited"
	// FailUnavailable: HTTP 503.
	FailUnavailable = "unavailable"
	// FailOverloaded: HTTP 529, Anthropic's "overloaded".
	FailOverloaded = "overloaded"
	// FailTimeout: the per-request timeout expired.
	FailTimeout = "timeout"
	// FailStreamError: the server sent an error object inside the stream.
	FailStreamError = "stream_error"
	// FailTruncated: the body ended inside an event, or ended cleanly with
	// no finish reason, no usage and no end marker.
	FailTruncated = "incomplete_stream"
	// FailNoOutput: the stream ended normally without any output and the
	// server reported no output tokens.
	FailNoOutput = "no_output"
	// FailMalformed: an event could not be parsed.
	FailMalformed = "malformed_event"
	// FailNoUsage: the stream carried no usage although the target's
	// stream_usage is "on".
	FailNoUsage = "no_usage"
	// FailCanceled: the run was interrupted and the request was still in
	// flight after the grace period.
	FailCanceled = "canceled"
	// FailIncomplete: the request was still in flight when its
	// duration-bounded cell ended. It is not a failure of the server, so
	// it counts in no statistic.
	FailIncomplete = "incomplete"
	// FailRequest: the request could not be built.
	FailRequest = "request"
)

// Record is everything measured about one request. Offsets are durations
// after Send, read from Go's monotonic clock; a zero offset means "did not
// happen" except for OutputAt, whose length is the number of events that arrived.
type Record struct {
	CellID string `json:"cell_id"`
	Phase  Phase  `json:"phase"`
	// Index is the request's position in its cell, warmup first.
	Index int `json:"index"`
	// Session and Turn place a request of a multi-turn cell: the
	// worker's session number and the turn within it, both from 1; 0 in
	// single-turn cells.
	Session int `json:"session,omitempty"`
	Turn    int `json:"turn,omitempty"`
	// RequestID is the X-Request-Id header sent with the request.
	RequestID string `json:"request_id"`
	// Send is the wall-clock time the request entered the transport.
	Send time.Time `json:"send"`
	// Offset is when the request was sent, after the start of its phase.
	Offset time.Duration `json:"offset_ns"`
	// Scheduled is when an open loop meant to send the request, after the
	// start of its phase; -1 in a closed loop.
	Scheduled time.Duration `json:"scheduled_ns"`
	// ScheduleLag is Offset minus Scheduled: how late the request left,
	// because of a concurrency cap or a busy client; 0 in a closed loop.
	ScheduleLag time.Duration `json:"schedule_lag_ns"`

	// Connection phases from net/http/httptrace, as offsets after Send;
	// zero when the phase did not happen (a reused connection has none).
	DNSDone     time.Duration `json:"dns_done_ns"`
	ConnectDone time.Duration `json:"connect_done_ns"`
	TLSDone     time.Duration `json:"tls_done_ns"`
	// ConnReused is true when the request went out on a kept-alive
	// connection.
	ConnReused bool `json:"conn_reused"`

	// Written is when the request's last bytes went to the kernel: the
	// start of the final write on a connection the runner dialed itself,
	// otherwise when net/http reported the request written. The time
	// between Send and Written is connection setup plus the client's own
	// queueing, so latencies are counted from Written. Zero when unknown,
	// and for a retried request, whose latencies include its retries.
	Written time.Duration `json:"written_ns"`
	// Headers is when the response headers arrived.
	Headers time.Duration `json:"headers_ns"`
	// ReadDelay is the longest time an output event waited in the socket
	// before the client decoded it: the client's own lag, measured against
	// the kernel's receive stamps. Zero without kernel stamps.
	ReadDelay time.Duration `json:"read_delay_ns"`
	// OutputAt holds the arrival of every output-bearing event, in order.
	OutputAt []time.Duration `json:"output_at_ns"`
	// FirstAnswer is the arrival of the first event with answer text, as
	// opposed to reasoning or a tool call.
	FirstAnswer time.Duration `json:"first_answer_ns"`
	// StreamEnd is when the stream ended: the end marker, or end of body.
	StreamEnd time.Duration `json:"stream_end_ns"`
	// SawDone is true when the stream carried its end marker.
	SawDone bool `json:"saw_done"`
	// BytesRead counts response body bytes actually read.
	BytesRead int64 `json:"bytes_read"`

	// InputTokensTarget is the prompt length the workload asked for.
	InputTokensTarget int `json:"input_tokens_target"`
	// InputTokensClient is the prompt length counted by the tokenizer.
	InputTokensClient int `json:"input_tokens_client"`
	// MaxTokens is the output length requested.
	MaxTokens int `json:"max_tokens"`
	// Usage reports whether the server sent usage; the Server* fields are
	// meaningful only then.
	Usage                 bool `json:"usage_reported"`
	ServerInputTokens     int  `json:"server_input_tokens"`
	ServerOutputTokens    int  `json:"server_output_tokens"`
	ServerReasoningTokens int  `json:"server_reasoning_tokens"`
	// ClientOutputTokens is the tokenizer's count of the generated text.
	ClientOutputTokens int `json:"client_output_tokens"`
	// OutputChars is the length of the generated text, reasoning
	// included, in bytes.
	OutputChars int `json:"output_chars"`
	// Text is the generated answer text and Reasoning the generated
	// reasoning text, both kept only when the runner is asked to.
	Text      string `json:"text,omitempty"`
	Reasoning string `json:"reasoning,omitempty"`
	// ExpectedAnswer is the number a correctness request asked for, in
	// digits; empty for other requests. Text is kept for these requests
	// whether or not the runner keeps text.
	ExpectedAnswer string `json:"expected_answer,omitempty"`

	// Attempts is how many times the request was sent: 1 without retries.
	Attempts int `json:"attempts"`
	// RetriedStatuses holds the HTTP status of each attempt that was
	// retried, such as "429 Too Many Requests".
	RetriedStatuses []string `json:"retried_statuses,omitempty"`

	FinishReason string `json:"finish_reason"`
	HTTPStatus   int    `json:"http_status"`
	// ErrorKind is one of the Fail* constants, empty on success.
	ErrorKind string `json:"error_kind"`
	// Error is a human-readable description; never contains credentials.
	Error string `json:"error"`
}

// OK reports whether the request succeeded.
func (r *Record) OK() bool { return r.ErrorKind == "" }

// Counted reports whether the record belongs in statistics: requests cut
// by the end of a cell or by an interruption tell nothing about the server.
func (r *Record) Counted() bool {
	return r.ErrorKind != FailIncomplete && r.ErrorKind != FailCanceled
}
