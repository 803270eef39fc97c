// Package suite loads, validates and expands benchmark suite files.
//
// A suite file is YAML. Load and Parse walk the yaml.Node tree themselves,
// so every problem carries the line and column it was found at, and they
// collect all problems in one pass. Any scalar value may contain ${VAR} or
// ${VAR:-default}, which are expanded through LoadOptions.LookupEnv before
// the value is converted to its type; "$$" is a literal "$".
package suite

import "time"

// Suite is a loaded and validated suite file.
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
	// Seed makes prompts and sampled lengths reproducible; default 1
	// (DefaultSeed).
	Seed int64 `yaml:"seed"`
	// Endpoints are the servers under test; required, at least one.
	Endpoints []Endpoint `yaml:"endpoints"`
	// Workloads are the prompt and output length shapes; required, at
	// least one.
	Workloads []Workload `yaml:"workloads"`
	// Load is the load profile every cell applies; required.
	Load LoadProfile `yaml:"load"`
	// Sinks are the result writers. Left out, it is one json sink
	// writing to "results"; an explicit empty list writes no files.
	Sinks []Sink `yaml:"sinks"`
	// Assertions are checked against every cell's summary.
	Assertions []Assertion `yaml:"assertions"`
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
	// in-process mock server, optionally paced with a query such as
	// "builtin:mock?ttft=50ms&itl=5ms"; required.
	BaseURL string `yaml:"base_url"`
	// Model is the model name sent in each request; required.
	Model string `yaml:"model"`
	// APIKey is the credential, normally "${SOME_ENV_VAR}". A key written
	// literally in the file loads with a warning.
	APIKey string `yaml:"api_key"`
	// Headers are extra request headers; values may use ${VAR}.
	Headers map[string]string `yaml:"headers"`
	// GPU describes the hardware behind the endpoint, for reports.
	GPU GPU `yaml:"gpu"`
	// Price is the endpoint's running cost, for cost figures.
	Price Price `yaml:"price"`
	// Sampling contains extra body parameters passed through untouched,
	// decoded as yaml.v3 decodes into map[string]any.
	Sampling map[string]any `yaml:"sampling"`
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
}

// Price is the cost of running an endpoint.
type Price struct {
	// PerHourUSD is the cost of the whole endpoint per hour, in US
	// dollars; 0 or more.
	PerHourUSD float64 `yaml:"per_hour_usd"`
}

// Workload is a shape of requests.
type Workload struct {
	// Name is unique within the suite and used in cell ids, so it may
	// contain only letters, digits, ".", "-" and "_"; required.
	Name string `yaml:"name"`
	// SystemPrompt, when set, is sent as a system message.
	SystemPrompt string `yaml:"system_prompt"`
	// InputTokens is the distribution of prompt lengths, in tokens;
	// required.
	InputTokens Distribution `yaml:"input_tokens"`
	// OutputTokens is the distribution of requested output lengths
	// (max_tokens), in tokens; required.
	OutputTokens Distribution `yaml:"output_tokens"`
	// IgnoreEOS asks the server to generate exactly the requested tokens.
	IgnoreEOS bool `yaml:"ignore_eos"`
}

// Distribution is a distribution of token counts. In YAML it is either a
// plain integer (fixed) or a mapping with a "dist" key:
//
//	128
//	{dist: fixed, value: 128}
//	{dist: normal, mean: 550, stddev: 150, min: 100, max: 1000}
//	{dist: uniform, min: 100, max: 200}
//
// Every count is 1 or more, min is at most max, and a normal mean lies
// within [min, max].
type Distribution struct {
	// Kind is DistFixed, DistNormal or DistUniform.
	Kind string
	// Value is the fixed count.
	Value int
	// Mean and Stddev parameterize "normal"; Stddev is 0 or more.
	Mean, Stddev float64
	// Min and Max bound "normal" and "uniform", inclusive. For "normal"
	// both are optional: a Min of 0 means 1 and a Max of 0 means no bound.
	Min, Max int
}

// LoadProfile is the load each cell applies to its endpoint. It is not
// named Load because the package's Load function reads a suite file.
type LoadProfile struct {
	// Concurrency lists the closed-loop concurrency levels to sweep, in
	// the order given; required, each 1 or more and none repeated.
	Concurrency []int `yaml:"concurrency"`
	// Requests is the number of measured requests per cell; 1 or more,
	// default 20 (DefaultRequests).
	Requests int `yaml:"requests"`
	// Warmup is the number of requests sent before measuring, per cell;
	// 0 or more, default 0.
	Warmup int `yaml:"warmup"`
	// Timeout bounds one request from send to stream end. In YAML it is
	// a Go duration such as "30s"; more than 0, default 60s
	// (DefaultTimeout).
	Timeout time.Duration `yaml:"timeout"`
}

// Sink is one result writer.
type Sink struct {
	// Type is the writer; only "json" exists. Required.
	Type string `yaml:"type"`
	// Dir is the output folder, relative to the working directory;
	// default "results".
	Dir string `yaml:"dir"`
}

// Assertion is a threshold checked per cell.
type Assertion struct {
	// Name identifies the assertion in messages; required and unique.
	Name string `yaml:"name"`
	// Expr is an expr-lang expression over the cell summary; required.
	Expr string `yaml:"expr"`
	// Pos is where Expr is in the suite file.
	Pos Pos `yaml:"-"`
}

// Pos is a position in a suite file.
type Pos struct {
	// File is the path given to Load or Parse.
	File string
	// Line and Col are 1-based, with Col counted in runes as yaml.v3
	// counts it; 0 means unknown.
	Line, Col int
}

// Cell is one point of the run matrix.
type Cell struct {
	// ID is stable across runs of the same suite: "endpoint/workload/c8".
	ID string
	// Index is the cell's place in Suite.Cells, from 0.
	Index int
	// Endpoint and Workload point into the Suite.
	Endpoint *Endpoint
	Workload *Workload
	// Concurrency is the number of requests kept in flight.
	Concurrency int
}

// LoadOptions adjusts loading.
type LoadOptions struct {
	// LookupEnv resolves ${VAR} references, as os.LookupEnv does; nil
	// means no variable is set.
	LookupEnv func(string) (string, bool)
	// CheckExpr compiles an assertion expression and returns its error.
	// The error may be an *ExprError carrying a column inside the
	// expression. Nil skips the check.
	CheckExpr func(expr string) error
	// Providers lists the accepted "provider" values; nil skips the check.
	Providers []string
}
