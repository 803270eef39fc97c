// Package suite loads, validates and expands benchmark suite files.
//
// A suite file is YAML. Load and Parse walk the yaml.Node tree themselves,
// so every problem carries the file, line and column it was found at, and
// they collect all problems in one pass. Any scalar value may contain
// ${VAR} or ${VAR:-default}, which are expanded through
// LoadOptions.LookupEnv before the value is converted to its type; "$$" is
// a literal "$".
//
// Every exported field below documents its YAML key; docs/suite.md shows
// each key with an example, and suite.schema.json is generated from these
// types (see schema_test.go).
package suite

import "time"

// Suite is a loaded and validated suite file, with its included files
// merged in and its defaults applied.
type Suite struct {
	// Path is the file the suite was loaded from.
	Path string `yaml:"-"`
	// Version is the schema version; only 1 exists, and 0 means the file
	// left the key out.
	Version int `yaml:"version"`
	// Name identifies the suite in reports and result files.
	Name string `yaml:"name"`
	// Description is free text shown in reports.
	Description string `yaml:"description"`
	// Labels are free key/value pairs copied into every result row, such
	// as {team: infra, commit: "${GIT_SHA}"}.
	Labels map[string]string `yaml:"labels"`
	// Seed makes prompts and sampled lengths reproducible; default 1
	// (DefaultSeed).
	Seed int64 `yaml:"seed"`
	// Include lists other suite files merged into this one, as written,
	// with paths relative to the including file. Lists (endpoints,
	// workloads, sinks, assertions, matrix rules) are concatenated, the
	// included files' items first. In mappings (labels, load, defaults,
	// report) and single values, a key in the including file wins over an
	// included file, and a later include wins over an earlier one. An
	// include cycle is an error.
	Include []string `yaml:"include"`
	// Defaults are values every endpoint, workload and the load block
	// inherit. A key written in an endpoint, workload or load replaces the
	// default's whole value. Loading has already applied them, so
	// consumers read Endpoints, Workloads and Load instead.
	Defaults Defaults `yaml:"defaults"`
	// Endpoints are the servers under test; required, at least one.
	Endpoints []Endpoint `yaml:"endpoints"`
	// Workloads are the prompt and output length shapes; required, at
	// least one.
	Workloads []Workload `yaml:"workloads"`
	// Load is the load profile every cell applies; required.
	Load LoadProfile `yaml:"load"`
	// Matrix prunes cells from, or adds cells to, the product of
	// endpoints, workloads and load levels.
	Matrix Matrix `yaml:"matrix"`
	// Sinks are the result writers. Left out, it is one json sink
	// writing to "results"; an explicit empty list writes no files.
	Sinks []Sink `yaml:"sinks"`
	// Report sets how results are printed.
	Report Report `yaml:"report"`
	// Goodput sets the per-request objective of the goodput figures.
	Goodput Goodput `yaml:"goodput"`
	// Assertions are checked against every cell's summary.
	Assertions []Assertion `yaml:"assertions"`

	// loc finds keys for KeyError; nil for a Suite built in code.
	loc *locator
}

// Defaults are the inherited values of the "defaults" key. Keys that
// identify one item ("name") are not accepted here.
type Defaults struct {
	// Endpoint holds endpoint keys every endpoint inherits, such as
	// {provider: openai-chat, timeout: 2m}.
	Endpoint Endpoint `yaml:"endpoint"`
	// Workload holds workload keys every workload inherits.
	Workload Workload `yaml:"workload"`
	// Load holds load keys the load block inherits, useful in a shared
	// file that other suites include.
	Load LoadProfile `yaml:"load"`
}

// Endpoint is one server under test.
type Endpoint struct {
	// Name is unique within the suite and used in cell ids, so it may
	// contain only letters, digits, ".", "-" and "_"; required.
	Name string `yaml:"name"`
	// Provider is the wire format, such as "openai-chat"; required.
	Provider string `yaml:"provider"`
	// BaseURL is the server's root http:// or https:// URL, such as
	// "http://127.0.0.1:8000/v1", or "builtin:mock" (MockBaseURL) for the
	// in-process mock server. The mock's query sets its pacing and the
	// faults it injects, such as "builtin:mock?ttft=50ms&itl=5ms&fault=429";
	// required.
	BaseURL string `yaml:"base_url"`
	// Model is the model name sent in each request; required.
	Model string `yaml:"model"`
	// APIKey is the credential, normally "${SOME_ENV_VAR}". A key written
	// literally in the file loads with a warning that names its line.
	APIKey string `yaml:"api_key"`
	// APIKeyFile is the path, relative to the suite file, of a file whose
	// content without surrounding white space is the credential. It
	// replaces api_key, so the two cannot both be set. After loading,
	// APIKey contains the key read from it.
	APIKeyFile string `yaml:"api_key_file"`
	// Headers are extra request headers; values may use ${VAR}.
	Headers map[string]string `yaml:"headers"`
	// Timeout bounds one request to this endpoint from send to stream
	// end, replacing load.timeout; 0 means load.timeout.
	Timeout time.Duration `yaml:"timeout"`
	// Timeouts bound the phases of one request; each expiry is its own
	// failure kind.
	Timeouts Timeouts `yaml:"timeouts"`
	// Limits bound the size of what a response may send.
	Limits Limits `yaml:"limits"`
	// TLS configures certificate checks for https:// endpoints.
	TLS TLS `yaml:"tls"`
	// HTTP configures the client's connections.
	HTTP HTTP `yaml:"http"`
	// GPU describes the hardware behind the endpoint, for reports.
	GPU GPU `yaml:"gpu"`
	// Price is the endpoint's running cost, for cost figures.
	Price Price `yaml:"price"`
	// Sampling contains extra body parameters passed through untouched,
	// decoded as yaml.v3 decodes into map[string]any.
	Sampling map[string]any `yaml:"sampling"`
	// StreamUsage controls the request for a usage chunk at the end of a
	// stream. "auto" (default) requests it and counts tokens with the
	// tokenizer when the server sends none. "on" treats a missing usage
	// chunk as a failed request. "off" never requests it, for servers
	// that reject stream_options.
	StreamUsage string `yaml:"stream_usage"`
	// Tokenizer names the tokenizer that counts tokens when the server
	// reports no usage; default "o200k_base" (DefaultTokenizer).
	Tokenizer string `yaml:"tokenizer"`
	// Enabled is false to leave the endpoint out of the matrix without
	// deleting it; default true.
	Enabled bool `yaml:"enabled"`
}

// TLS is the certificate configuration of an endpoint.
type TLS struct {
	// CAFile is a PEM file of extra root certificates, relative to the
	// suite file; it must exist and be readable.
	CAFile string `yaml:"ca_file"`
	// InsecureSkipVerify turns certificate verification off; default
	// false. Loading warns when it is true.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// Timeouts are the per-phase timeouts of an endpoint's requests. Each is
// a positive duration; left out, connect is 10s and the others are bounded
// only by the request timeout.
type Timeouts struct {
	// Connect bounds dialing, TLS handshake included; default 10s. Expiry
	// is the failure kind connect_timeout.
	Connect time.Duration `yaml:"connect"`
	// FirstByte bounds the wait from sending to the response headers.
	// Expiry is first_byte_timeout.
	FirstByte time.Duration `yaml:"first_byte"`
	// Idle bounds a silence between reads of the response body, such as
	// a stalled stream. Expiry is idle_timeout.
	Idle time.Duration `yaml:"idle"`
}

// Limits are the size limits of an endpoint's responses, in bytes.
type Limits struct {
	// MaxEventBytes bounds one line or event of the stream; default
	// 4194304 (4 MiB). Exceeding it is the failure kind event_too_large.
	MaxEventBytes int `yaml:"max_event_bytes"`
	// MaxResponseBytes bounds a whole response body; default 268435456
	// (256 MiB). Exceeding it is response_too_large.
	MaxResponseBytes int64 `yaml:"max_response_bytes"`
}

// HTTP is the connection configuration of an endpoint.
type HTTP struct {
	// Version is the HTTP version: "1.1" or "2"; empty means the client
	// negotiates (HTTP/2 over TLS when the server offers it).
	Version string `yaml:"version"`
	// MaxConnections caps the open connections to the endpoint; 0 means
	// no cap.
	MaxConnections int `yaml:"max_connections"`
}

// GPU is hardware metadata copied into reports and results.
type GPU struct {
	// Model is the GPU model, such as "H200".
	Model string `yaml:"model"`
	// Count is the number of GPUs serving the endpoint; 0 or more.
	Count int `yaml:"count"`
	// MemoryGiB is the memory of one GPU, in GiB; 0 or more.
	MemoryGiB float64 `yaml:"memory_gib"`
	// Vendor is the GPU maker, such as "nvidia".
	Vendor string `yaml:"vendor"`
	// Notes is free text, such as the driver or the serving flags.
	Notes string `yaml:"notes"`
}

// Price is the cost of running an endpoint. At most one of the two keys
// is set.
type Price struct {
	// PerHourUSD is the cost of the whole endpoint per hour, in US
	// dollars; 0 or more.
	PerHourUSD float64 `yaml:"per_hour_usd"`
	// PerGPUHourUSD is the cost of one GPU per hour, in US dollars; 0 or
	// more. It needs gpu.count of 1 or more.
	PerGPUHourUSD float64 `yaml:"per_gpu_hour_usd"`
}

// HourlyUSD returns the endpoint's cost per hour in US dollars: PerHourUSD,
// or PerGPUHourUSD times the GPU count; 0 when no price is set.
func (e *Endpoint) HourlyUSD() float64 {
	if e.Price.PerGPUHourUSD > 0 {
		return e.Price.PerGPUHourUSD * float64(e.GPU.Count)
	}
	return e.Price.PerHourUSD
}

// Workload is a shape of requests.
type Workload struct {
	// Name is unique within the suite and used in cell ids, so it may
	// contain only letters, digits, ".", "-" and "_"; required.
	Name string `yaml:"name"`
	// Prompts is the source of prompt text; default synthetic.
	Prompts Prompts `yaml:"prompts"`
	// SystemPrompt, when set, is sent as a system message. It is a
	// shorthand for prompts.system_prompt; setting both is an error, and
	// after loading it holds whichever was set.
	SystemPrompt string `yaml:"system_prompt"`
	// InputTokens is the distribution of prompt lengths, in tokens;
	// required for synthetic prompts and rejected for the other sources,
	// whose prompts have their own length.
	InputTokens Distribution `yaml:"input_tokens"`
	// OutputTokens is the distribution of requested output lengths
	// (max_tokens), in tokens; required.
	OutputTokens Distribution `yaml:"output_tokens"`
	// IgnoreEOS asks the server to generate exactly the requested tokens.
	IgnoreEOS bool `yaml:"ignore_eos"`
	// Kind is "latency" (default: prompts as Prompts says) or
	// "correctness": each prompt asks the model to write a random number,
	// given in words, in digits, and the report gives the share of wrong
	// answers (correctness.mismatch_rate).
	Kind string `yaml:"kind"`
}

// Workload kinds, the values of workloads[].kind.
const (
	WorkloadLatency     = "latency"
	WorkloadCorrectness = "correctness"
)

// Prompt sources, the values of prompts.source.
const (
	SourceSynthetic = "synthetic"
	SourceFile      = "file"
	SourceFixed     = "fixed"
	// SourceConversations sends the human turns of each conversation of a
	// ShareGPT-style file as a multi-turn session: every turn carries the
	// history so far, the server's own replies included.
	SourceConversations = "conversations"
)

// Prompt file formats, the values of prompts.format.
const (
	FormatJSONL    = "jsonl"
	FormatShareGPT = "sharegpt"
)

// Prompts is the source of a workload's prompt text.
type Prompts struct {
	// Source is "synthetic" (default: random words of the sampled
	// length), "file" (prompts read from Path), "fixed" (Text, sent as it
	// is in every request) or "conversations" (multi-turn sessions from
	// the conversations of Path; closed-loop cells only).
	Source string `yaml:"source"`
	// Path is the prompt file for source "file" or "conversations",
	// relative to the suite file. It must exist and hold at least one
	// prompt.
	Path string `yaml:"path"`
	// Format is the prompt file's format: "jsonl" (one JSON string, or an
	// object with a "prompt", "text" or ShareGPT "conversations" key, per
	// line) or "sharegpt" (a JSON array of objects with "conversations",
	// whose first human turn is the prompt). Default: "sharegpt" when the
	// file starts with "[", else "jsonl".
	Format string `yaml:"format"`
	// Text is the prompt for source "fixed"; required there.
	Text string `yaml:"text"`
	// SystemPrompt, when set, is sent as a system message with every
	// prompt.
	SystemPrompt string `yaml:"system_prompt"`
	// SharedPrefixTokens is the length, in tokens, of a prefix that every
	// prompt of the workload starts with, for prefix-cache studies; 0 (the
	// default) means none. It must be less than every input length.
	SharedPrefixTokens int `yaml:"shared_prefix_tokens"`
	// Texts are the loaded prompts: those of the file for source "file",
	// Text alone for "fixed", none for "synthetic".
	Texts []string `yaml:"-"`
	// Conversations are the human turns of each conversation of the file
	// for source "conversations", in order.
	Conversations [][]string `yaml:"-"`
}

// Distribution is a distribution of token counts. In YAML it is either a
// plain integer (fixed) or a mapping with a "dist" key:
//
//	128
//	{dist: fixed, value: 128}
//	{dist: normal, mean: 550, stddev: 150, min: 100, max: 1000}
//	{dist: uniform, min: 100, max: 200}
//	{dist: lognormal, mean: 550, stddev: 300, max: 4000}
//	{dist: empirical, values: [120, 480, 480, 2000]}
//	{dist: empirical, path: lengths.txt}
//
// Every count is 1 or more, min is at most max, and a normal or lognormal
// mean lies within [min, max].
type Distribution struct {
	// Kind is DistFixed, DistNormal, DistUniform, DistLognormal or
	// DistEmpirical.
	Kind string `yaml:"dist"`
	// Value is the fixed count.
	Value int `yaml:"value"`
	// Mean and Stddev are the mean and standard deviation of the token
	// counts for "normal" and "lognormal"; Stddev is 0 or more.
	Mean   float64 `yaml:"mean"`
	Stddev float64 `yaml:"stddev"`
	// Min and Max bound "normal", "lognormal" and "uniform", inclusive.
	// For "normal" and "lognormal" both are optional: a Min of 0 means 1
	// and a Max of 0 means no bound.
	Min int `yaml:"min"`
	Max int `yaml:"max"`
	// Values are the counts "empirical" draws from, each equally likely.
	// In YAML they are given as "values" or read from "path", a file
	// relative to the suite with one integer per line.
	Values []int `yaml:"values"`
	// Path is the file Values were read from, as written; "" when they
	// were listed inline.
	Path string `yaml:"path"`
}

// Arrival processes of rate mode, the values of load.arrival.
const (
	ArrivalPoisson  = "poisson"
	ArrivalConstant = "constant"
	ArrivalGamma    = "gamma"
)

// LoadProfile is the load each cell applies to its endpoint. It is not
// named Load because the package's Load function reads a suite file.
//
// A cell is either closed-loop (Concurrency: that many requests kept in
// flight) or open-loop (Rate: requests sent at that rate whatever the
// server's speed). One of the two is required and they do not mix.
type LoadProfile struct {
	// Concurrency lists the closed-loop concurrency levels to sweep, in
	// the order given, each 1 or more and none repeated. In YAML it is a
	// number, a list, a doubling range "1..64", or a mapping
	// {from: 8, to: 64, step: 8} (linear) or {from: 1, to: 81, factor: 3}
	// (geometric); a range must land on its end exactly.
	Concurrency []int `yaml:"concurrency"`
	// Rate lists the open-loop request rates to sweep, in requests per
	// second, each more than 0 and none repeated. In YAML it is a number
	// or a list.
	Rate []float64 `yaml:"rate"`
	// Arrival is the spacing of send times in rate mode: "poisson"
	// (default, exponential gaps), "constant" (equal gaps) or "gamma"
	// (gaps shaped by Burstiness).
	Arrival string `yaml:"arrival"`
	// Burstiness is the gamma distribution's shape for arrival "gamma",
	// more than 0 and default 1. A shape of 1 is Poisson, less than 1 is
	// burstier and more than 1 is steadier.
	Burstiness float64 `yaml:"burstiness"`
	// MaxConcurrency caps the requests in flight in rate mode; when the
	// cap is reached a send waits. 0 (default) means no cap.
	MaxConcurrency int `yaml:"max_concurrency"`
	// Requests is the number of measured requests per cell; 1 or more,
	// default 20 (DefaultRequests) unless Duration is set. At most one of
	// Requests and Duration is set.
	Requests int `yaml:"requests"`
	// Duration is how long each cell measures, as a Go duration such as
	// "2m"; 0 means the cell runs Requests requests.
	Duration time.Duration `yaml:"duration"`
	// Warmup is the number of requests sent before measuring, per cell;
	// 0 or more, default 0. In YAML "warmup" is a count, a duration such
	// as "30s" (which sets WarmupDuration), or {requests: N} or
	// {duration: D}.
	Warmup int `yaml:"warmup"`
	// WarmupDuration is how long each cell warms up before measuring;
	// 0 means Warmup requests are sent instead.
	WarmupDuration time.Duration `yaml:"-"`
	// Timeout bounds one request from send to stream end. In YAML it is
	// a Go duration such as "30s"; more than 0, default 60s
	// (DefaultTimeout). An endpoint's own timeout replaces it.
	Timeout time.Duration `yaml:"timeout"`
	// Repeat is how many times each cell runs; 1 or more, default 1.
	Repeat int `yaml:"repeat"`
	// Ramp is how long a cell takes to reach its full load: workers start
	// evenly over it in closed-loop mode, and the rate rises linearly from
	// 0 in rate mode; 0 (default) starts at full load. Requests sent
	// during the ramp are measured.
	Ramp time.Duration `yaml:"ramp"`
	// StopWhen is an expression over a cell's summary, written as
	// assertions are. Once it holds for a cell, the remaining load levels
	// of the same endpoint, workload and repetition are skipped, such as
	// "ttft_ms.p95 > 2000" to stop a sweep once it saturates.
	StopWhen string `yaml:"stop_when"`
	// StopWhenPos is the position of StopWhen in the suite file.
	StopWhenPos Pos `yaml:"-"`
	// Cooldown is a pause between consecutive cells of a sweep, so that a
	// server's queues drain; default 0.
	Cooldown time.Duration `yaml:"cooldown"`
	// CheckInterval is how often the abort_on_fail assertions are checked
	// on the requests a running cell has completed so far, such as "5s";
	// default 0, which checks them only after each cell.
	CheckInterval time.Duration `yaml:"check_interval"`
	// Parallel drives the endpoints at the same time, each through its own
	// sweep, as one load generator per GPU of a multi-GPU box would;
	// default false (one cell at a time).
	Parallel bool `yaml:"parallel"`
	// Retries is how often a request that failed before its first response
	// byte (connection error, HTTP 429, 503 or 529) is sent again, waiting
	// as Retry-After asks; default 0, because retries change the load.
	Retries int `yaml:"retries"`
}

// Matrix holds the rules that prune cells from, or add cells to, the
// product of endpoints, workloads and load levels.
type Matrix struct {
	// Exclude rules remove every cell they match. Each rule must match at
	// least one cell, and the matrix must keep at least one.
	Exclude []MatrixRule `yaml:"exclude"`
	// Include rules add cells: every combination of the rule's endpoints
	// (default all enabled), workloads (default all) and its concurrency
	// or rate levels, one of which is required. A cell the matrix already
	// has is an error.
	Include []MatrixRule `yaml:"include"`
}

// MatrixRule selects cells. A cell matches when, for every key the rule
// sets, the cell's value is among the listed ones. In YAML each key takes
// one value or a list.
type MatrixRule struct {
	// Endpoint lists endpoint names.
	Endpoint []string `yaml:"endpoint"`
	// Workload lists workload names.
	Workload []string `yaml:"workload"`
	// Concurrency lists closed-loop concurrency levels.
	Concurrency []int `yaml:"concurrency"`
	// Rate lists open-loop rates, in requests per second.
	Rate []float64 `yaml:"rate"`
	// Pos is the position of the rule in the suite file.
	Pos Pos `yaml:"-"`
}

// Sink is one result writer.
type Sink struct {
	// Type is the writer, such as "json"; required. The accepted types
	// are LoadOptions.SinkTypes.
	Type string `yaml:"type"`
	// Dir is the output folder, relative to the working directory;
	// default "results".
	Dir string `yaml:"dir"`
	// Layout is the json sink's file layout: "" (infermark's own) or
	// "llmperf" (llmperf-compatible files); other types take none.
	Layout string `yaml:"layout"`
}

// Goodput is the per-request objective behind the goodput figures: a
// request counts when it succeeded and met every threshold set, in
// milliseconds. Without any threshold, goodput is not computed.
type Goodput struct {
	// TTFTMs bounds the time to first token.
	TTFTMs float64 `yaml:"ttft_ms"`
	// TPOTMs bounds the time per output token after the first.
	TPOTMs float64 `yaml:"tpot_ms"`
	// E2EMs bounds the time to the last output token.
	E2EMs float64 `yaml:"e2e_ms"`
}

// Report sets how results are printed on stdout.
type Report struct {
	// Format is "text" (default, a table) or "json"; the --format flag
	// replaces it.
	Format string `yaml:"format"`
}

// Assertion severities, the values of assertions[].severity.
const (
	SeverityFail = "fail"
	SeverityWarn = "warn"
)

// Assertion is a threshold checked per cell.
type Assertion struct {
	// Name identifies the assertion in messages; required and unique.
	Name string `yaml:"name"`
	// Expr is an expr-lang expression over the cell summary that must be
	// true; required.
	Expr string `yaml:"expr"`
	// Where is an expression over the cell summary that selects the cells
	// the assertion applies to, such as `endpoint == "h200"`; empty means
	// every cell.
	Where string `yaml:"where"`
	// Severity is "fail" (default: a failed check makes the run exit 1)
	// or "warn" (a failed check is reported but the exit code stays 0).
	Severity string `yaml:"severity"`
	// AbortOnFail stops the run as soon as the assertion fails on a
	// finished cell or, with load.check_interval set, on the requests a
	// running cell has completed so far; default false. It needs
	// severity "fail".
	AbortOnFail bool `yaml:"abort_on_fail"`
	// Pos is the position of Expr in the suite file.
	Pos Pos `yaml:"-"`
	// WherePos is the position of Where in the suite file.
	WherePos Pos `yaml:"-"`
}

// Pos is a position in a suite file.
type Pos struct {
	// File is the path given to Load or Parse, or the included file's
	// path as the include list resolved it.
	File string
	// Line and Col are 1-based, with Col counted in runes as yaml.v3
	// counts it; 0 means unknown.
	Line, Col int
}

// LoadOptions adjusts loading.
type LoadOptions struct {
	// LookupEnv resolves ${VAR} references, as os.LookupEnv does; nil
	// means no variable is set.
	LookupEnv func(string) (string, bool)
	// CheckExpr compiles an assertion, where or stop_when expression and
	// returns its error. The error may be an *ExprError carrying a column
	// inside the expression. Nil skips the check.
	CheckExpr func(expr string) error
	// Providers lists the accepted "provider" values; nil skips the check.
	Providers []string
	// SinkTypes lists the accepted sink "type" values; nil means only
	// "json".
	SinkTypes []string
	// Tokenizers lists the accepted "tokenizer" values; nil means only
	// DefaultTokenizer.
	Tokenizers []string
	// ReadFile reads included suites, prompt files, length files and CA
	// files; nil means os.ReadFile. Parse resolves their paths against
	// the directory of its path argument.
	ReadFile func(path string) ([]byte, error)
	// Overrides replace values of the file before it is validated, in
	// order; errors in them are positioned at "--set PATH".
	Overrides []Override
}
