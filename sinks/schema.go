package sinks

import (
	"encoding/json"
	"math"
	"time"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// SchemaVersion is the version of the row layout of RequestRow, CellRow and
// RunRow. Every columnar file and the SQLite database store it; it goes up
// by one whenever a column is renamed, removed, or changes type or unit.
// Adding a column at the end keeps the version.
const SchemaVersion = 1

// schemaVersionKey names the schema version in Parquet key-value metadata
// and Arrow schema metadata.
const schemaVersionKey = "infermark.schema_version"

// The row types below are the one definition of the result tables. The
// "parquet" tag gives each column's name, which the Arrow and SQLite sinks
// read too. Pointer fields are "optional" columns, null where the value is
// missing or NaN. Durations are float64 milliseconds named "_ms", and
// timestamps are UTC with microsecond precision. docs/results.md documents every column.

// RequestRow is one row of the requests table: one request, with its
// cell's identity and the figures report.RequestFigures derives from it.
type RequestRow struct {
	RunID           string  `parquet:"run_id,dict"`
	Suite           string  `parquet:"suite,dict"`
	CellID          string  `parquet:"cell_id,dict"`
	Endpoint        string  `parquet:"endpoint,dict"`
	Provider        string  `parquet:"provider,dict"`
	Model           string  `parquet:"model,dict"`
	GPU             string  `parquet:"gpu,dict"`
	GPUCount        int64   `parquet:"gpu_count"`
	PricePerHourUSD float64 `parquet:"price_per_hour_usd"`
	Workload        string  `parquet:"workload,dict"`
	Concurrency     int64   `parquet:"concurrency"`
	Rate            float64 `parquet:"rate"`
	Labels          string  `parquet:"labels"`

	Phase        string     `parquet:"phase,dict"`
	RequestIndex int64      `parquet:"request_index"`
	RequestID    string     `parquet:"request_id"`
	SendTime     *time.Time `parquet:"send_time,optional,timestamp(microsecond:utc)"`
	SendOffsetMs float64    `parquet:"send_offset_ms"`
	ScheduledMs  *float64   `parquet:"scheduled_ms,optional"`
	ScheduleLag  float64    `parquet:"schedule_lag_ms"`

	DNSDoneMs     *float64 `parquet:"dns_done_ms,optional"`
	ConnectDoneMs *float64 `parquet:"connect_done_ms,optional"`
	TLSDoneMs     *float64 `parquet:"tls_done_ms,optional"`
	ConnReused    bool     `parquet:"conn_reused"`

	WrittenMs    *float64  `parquet:"written_ms,optional"`
	HeadersMs    *float64  `parquet:"headers_ms,optional"`
	TTFTMs       *float64  `parquet:"ttft_ms,optional"`
	TTFOMs       *float64  `parquet:"ttfo_ms,optional"`
	E2EMs        *float64  `parquet:"e2e_ms,optional"`
	StreamEndMs  *float64  `parquet:"stream_end_ms,optional"`
	TPOTMs       *float64  `parquet:"tpot_ms,optional"`
	ITLMs        []float64 `parquet:"itl_ms,list"`
	OutputEvents int64     `parquet:"output_events"`

	InputTokensTarget     int64  `parquet:"input_tokens_target"`
	InputTokensClient     int64  `parquet:"input_tokens_client"`
	InputTokensServer     *int64 `parquet:"input_tokens_server,optional"`
	InputTokens           int64  `parquet:"input_tokens"`
	OutputTokensRequested int64  `parquet:"output_tokens_requested"`
	OutputTokensClient    int64  `parquet:"output_tokens_client"`
	OutputTokensServer    *int64 `parquet:"output_tokens_server,optional"`
	ReasoningTokensServer *int64 `parquet:"reasoning_tokens_server,optional"`
	OutputTokens          int64  `parquet:"output_tokens"`
	TokenSource           string `parquet:"token_source,dict"`
	OutputBytes           int64  `parquet:"output_bytes"`

	FinishReason string `parquet:"finish_reason,dict"`
	SawDone      bool   `parquet:"saw_done"`
	HTTPStatus   *int64 `parquet:"http_status,optional"`
	OK           bool   `parquet:"ok"`
	Counted      bool   `parquet:"counted"`
	ErrorKind    string `parquet:"error_kind,dict"`
	ErrorMessage string `parquet:"error_message"`
	BytesRead    int64  `parquet:"bytes_read"`

	Repeat         int64   `parquet:"repeat"`
	GPUMemoryGiB   float64 `parquet:"gpu_memory_gib"`
	Attempts       int64   `parquet:"attempts"`
	Session        int64   `parquet:"session"`
	Turn           int64   `parquet:"turn"`
	ExpectedAnswer string  `parquet:"expected_answer"`
	Correct        *bool   `parquet:"correct,optional"`
}

// CellRow is one row of the cells table: a report.CellSummary flattened,
// one column per figure.
type CellRow struct {
	RunID           string  `parquet:"run_id,dict"`
	Suite           string  `parquet:"suite,dict"`
	CellID          string  `parquet:"cell_id"`
	Endpoint        string  `parquet:"endpoint,dict"`
	Provider        string  `parquet:"provider,dict"`
	Model           string  `parquet:"model,dict"`
	GPU             string  `parquet:"gpu,dict"`
	GPUCount        int64   `parquet:"gpu_count"`
	PricePerHourUSD float64 `parquet:"price_per_hour_usd"`
	Workload        string  `parquet:"workload,dict"`
	Concurrency     int64   `parquet:"concurrency"`
	Rate            float64 `parquet:"rate"`
	Labels          string  `parquet:"labels"`

	Requests  int64    `parquet:"requests"`
	Succeeded int64    `parquet:"succeeded"`
	Failed    int64    `parquet:"failed"`
	ErrorRate *float64 `parquet:"error_rate,optional"`
	// FailuresByKind is a JSON object from error kind to count.
	FailuresByKind string   `parquet:"failures_by_kind"`
	DurationS      *float64 `parquet:"duration_s,optional"`

	TTFTCount  int64    `parquet:"ttft_count"`
	TTFTMean   *float64 `parquet:"ttft_ms_mean,optional"`
	TTFTStddev *float64 `parquet:"ttft_ms_stddev,optional"`
	TTFTMin    *float64 `parquet:"ttft_ms_min,optional"`
	TTFTMax    *float64 `parquet:"ttft_ms_max,optional"`
	TTFTP50    *float64 `parquet:"ttft_ms_p50,optional"`
	TTFTP90    *float64 `parquet:"ttft_ms_p90,optional"`
	TTFTP95    *float64 `parquet:"ttft_ms_p95,optional"`
	TTFTP99    *float64 `parquet:"ttft_ms_p99,optional"`

	TTFOCount  int64    `parquet:"ttfo_count"`
	TTFOMean   *float64 `parquet:"ttfo_ms_mean,optional"`
	TTFOStddev *float64 `parquet:"ttfo_ms_stddev,optional"`
	TTFOMin    *float64 `parquet:"ttfo_ms_min,optional"`
	TTFOMax    *float64 `parquet:"ttfo_ms_max,optional"`
	TTFOP50    *float64 `parquet:"ttfo_ms_p50,optional"`
	TTFOP90    *float64 `parquet:"ttfo_ms_p90,optional"`
	TTFOP95    *float64 `parquet:"ttfo_ms_p95,optional"`
	TTFOP99    *float64 `parquet:"ttfo_ms_p99,optional"`

	TPOTCount  int64    `parquet:"tpot_count"`
	TPOTMean   *float64 `parquet:"tpot_ms_mean,optional"`
	TPOTStddev *float64 `parquet:"tpot_ms_stddev,optional"`
	TPOTMin    *float64 `parquet:"tpot_ms_min,optional"`
	TPOTMax    *float64 `parquet:"tpot_ms_max,optional"`
	TPOTP50    *float64 `parquet:"tpot_ms_p50,optional"`
	TPOTP90    *float64 `parquet:"tpot_ms_p90,optional"`
	TPOTP95    *float64 `parquet:"tpot_ms_p95,optional"`
	TPOTP99    *float64 `parquet:"tpot_ms_p99,optional"`

	ITLCount  int64    `parquet:"itl_count"`
	ITLMean   *float64 `parquet:"itl_ms_mean,optional"`
	ITLStddev *float64 `parquet:"itl_ms_stddev,optional"`
	ITLMin    *float64 `parquet:"itl_ms_min,optional"`
	ITLMax    *float64 `parquet:"itl_ms_max,optional"`
	ITLP50    *float64 `parquet:"itl_ms_p50,optional"`
	ITLP90    *float64 `parquet:"itl_ms_p90,optional"`
	ITLP95    *float64 `parquet:"itl_ms_p95,optional"`
	ITLP99    *float64 `parquet:"itl_ms_p99,optional"`

	E2ECount  int64    `parquet:"e2e_count"`
	E2EMean   *float64 `parquet:"e2e_ms_mean,optional"`
	E2EStddev *float64 `parquet:"e2e_ms_stddev,optional"`
	E2EMin    *float64 `parquet:"e2e_ms_min,optional"`
	E2EMax    *float64 `parquet:"e2e_ms_max,optional"`
	E2EP50    *float64 `parquet:"e2e_ms_p50,optional"`
	E2EP90    *float64 `parquet:"e2e_ms_p90,optional"`
	E2EP95    *float64 `parquet:"e2e_ms_p95,optional"`
	E2EP99    *float64 `parquet:"e2e_ms_p99,optional"`

	InputTokens         int64 `parquet:"input_tokens"`
	OutputTokens        int64 `parquet:"output_tokens"`
	TokensFromTokenizer int64 `parquet:"tokens_from_tokenizer"`

	RequestsPerS              *float64 `parquet:"requests_per_s,optional"`
	OutputTokensPerS          *float64 `parquet:"output_tokens_per_s,optional"`
	TotalTokensPerS           *float64 `parquet:"total_tokens_per_s,optional"`
	USDPerMillionOutputTokens *float64 `parquet:"usd_per_million_output_tokens,optional"`
	USDPerMillionTotalTokens  *float64 `parquet:"usd_per_million_total_tokens,optional"`
	USDPerThousandRequests    *float64 `parquet:"usd_per_thousand_requests,optional"`

	RequestOutputTokensPerSCount  int64    `parquet:"request_output_tokens_per_s_count"`
	RequestOutputTokensPerSMean   *float64 `parquet:"request_output_tokens_per_s_mean,optional"`
	RequestOutputTokensPerSStddev *float64 `parquet:"request_output_tokens_per_s_stddev,optional"`
	RequestOutputTokensPerSMin    *float64 `parquet:"request_output_tokens_per_s_min,optional"`
	RequestOutputTokensPerSMax    *float64 `parquet:"request_output_tokens_per_s_max,optional"`
	RequestOutputTokensPerSP50    *float64 `parquet:"request_output_tokens_per_s_p50,optional"`
	RequestOutputTokensPerSP90    *float64 `parquet:"request_output_tokens_per_s_p90,optional"`
	RequestOutputTokensPerSP95    *float64 `parquet:"request_output_tokens_per_s_p95,optional"`
	RequestOutputTokensPerSP99    *float64 `parquet:"request_output_tokens_per_s_p99,optional"`

	OutputTokenMismatch *float64 `parquet:"output_token_mismatch,optional"`

	Repeat                  int64    `parquet:"repeat"`
	GoodputPerS             *float64 `parquet:"goodput_per_s,optional"`
	GoodputFraction         *float64 `parquet:"goodput_fraction,optional"`
	PeakOutputTokensPerS    float64  `parquet:"peak_output_tokens_per_s"`
	AchievedRate            *float64 `parquet:"achieved_rate,optional"`
	ScheduleLagP99          *float64 `parquet:"schedule_lag_ms_p99,optional"`
	TimerLagP99             *float64 `parquet:"timer_lag_ms_p99,optional"`
	ReadDelayP99            *float64 `parquet:"read_delay_ms_p99,optional"`
	ClientCPUFraction       *float64 `parquet:"client_cpu_fraction,optional"`
	ClientSaturated         bool     `parquet:"client_saturated"`
	Incomplete              int64    `parquet:"incomplete"`
	Interrupted             bool     `parquet:"interrupted"`
	CorrectnessMismatchRate *float64 `parquet:"correctness_mismatch_rate,optional"`
}

// RunRow is one row of the runs table: one invocation of a suite.
type RunRow struct {
	RunID         string     `parquet:"run_id"`
	Suite         string     `parquet:"suite"`
	Version       string     `parquet:"infermark_version"`
	SchemaVersion int64      `parquet:"schema_version"`
	StartTime     *time.Time `parquet:"start_time,optional,timestamp(microsecond:utc)"`
	EndTime       *time.Time `parquet:"end_time,optional,timestamp(microsecond:utc)"`
	Interrupted   bool       `parquet:"interrupted"`
	CellsPlanned  int64      `parquet:"cells_planned"`
	Host          string     `parquet:"host"`
	CommandLine   string     `parquet:"command_line"`
}

// newRequestRow flattens rec. Every figure comes from report.RequestFigures.
func newRequestRow(run *Run, cell report.CellInfo, rec *runner.Record) RequestRow {
	f := report.RequestFigures(rec)
	row := RequestRow{
		RunID: run.ID, Suite: run.Suite, CellID: rec.CellID,
		Endpoint: cell.Endpoint, Provider: cell.Provider, Model: cell.Model,
		GPU: cell.GPU, GPUCount: int64(cell.GPUCount), PricePerHourUSD: cell.PricePerHourUSD,
		Workload: cell.Workload, Concurrency: int64(cell.Concurrency),
		Rate: cell.Rate, Labels: labelsJSON(cell.Labels),
		Repeat: int64(cell.Repeat), GPUMemoryGiB: cell.GPUMemoryGiB,
		Attempts: int64(rec.Attempts), Session: int64(rec.Session), Turn: int64(rec.Turn),
		ExpectedAnswer: rec.ExpectedAnswer, Correct: correctness(rec),

		Phase: string(rec.Phase), RequestIndex: int64(rec.Index), RequestID: rec.RequestID,
		SendTime: nullableTime(rec.Send), SendOffsetMs: durationMs(rec.Offset),
		ScheduleLag: durationMs(rec.ScheduleLag),

		DNSDoneMs: nullable(offsetMs(rec.DNSDone)), ConnectDoneMs: nullable(offsetMs(rec.ConnectDone)),
		TLSDoneMs: nullable(offsetMs(rec.TLSDone)), ConnReused: rec.ConnReused,

		WrittenMs: nullable(offsetMs(rec.Written)),
		HeadersMs: nullable(offsetMs(rec.Headers)), TTFTMs: nullable(f.TTFT), TTFOMs: nullable(f.TTFO),
		E2EMs: nullable(f.E2E), StreamEndMs: nullable(f.StreamEnd), TPOTMs: nullable(f.TPOT),
		ITLMs: f.ITL, OutputEvents: int64(len(rec.OutputAt)),

		InputTokensTarget: int64(rec.InputTokensTarget), InputTokensClient: int64(rec.InputTokensClient),
		InputTokens: int64(f.InputTokens), OutputTokensRequested: int64(rec.MaxTokens),
		OutputTokensClient: int64(rec.ClientOutputTokens), OutputTokens: int64(f.OutputTokens),
		TokenSource: f.TokenSource, OutputBytes: int64(rec.OutputChars),

		FinishReason: rec.FinishReason, SawDone: rec.SawDone, OK: f.OK, Counted: rec.Counted(),
		ErrorKind: rec.ErrorKind, ErrorMessage: rec.Error, BytesRead: rec.BytesRead,
	}
	if rec.Usage {
		row.InputTokensServer = nullableInt(rec.ServerInputTokens)
		row.OutputTokensServer = nullableInt(rec.ServerOutputTokens)
		row.ReasoningTokensServer = nullableInt(rec.ServerReasoningTokens)
	}
	if rec.HTTPStatus != 0 {
		row.HTTPStatus = nullableInt(rec.HTTPStatus)
	}
	if rec.Scheduled >= 0 {
		row.ScheduledMs = nullable(durationMs(rec.Scheduled))
	}
	return row
}

// offsetMs converts a runner offset after Send to milliseconds, NaN when
// the event did not happen (a zero offset).
//
// TODO: take the headers and connection-phase figures from
// report.RequestFigures once it derives them, so that every figure comes
// from the report package.
func offsetMs(d time.Duration) float64 {
	if d <= 0 {
		return math.NaN()
	}
	return durationMs(d)
}

func durationMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// newCellRow flattens a cell summary.
func newCellRow(run *Run, s *report.CellSummary) CellRow {
	failures, _ := json.Marshal(s.Failures) // a map[string]int always encodes
	row := CellRow{
		RunID: run.ID, Suite: run.Suite, CellID: s.ID,
		Endpoint: s.Endpoint, Provider: s.Provider, Model: s.Model,
		GPU: s.GPU, GPUCount: int64(s.GPUCount), PricePerHourUSD: s.PricePerHourUSD,
		Workload: s.Workload, Concurrency: int64(s.Concurrency),
		Rate: s.Rate, Labels: labelsJSON(s.Labels),

		Requests: int64(s.Requests), Succeeded: int64(s.Succeeded), Failed: int64(s.Failed),
		ErrorRate: nullable(s.ErrorRate), FailuresByKind: string(failures), DurationS: nullable(s.DurationS),

		InputTokens: int64(s.InputTokens), OutputTokens: int64(s.OutputTokens),
		TokensFromTokenizer: int64(s.TokensFromTokenizer),

		RequestsPerS: nullable(s.RequestsPerS), OutputTokensPerS: nullable(s.OutputTokensPerS),
		TotalTokensPerS:           nullable(s.TotalTokensPerS),
		USDPerMillionOutputTokens: nullable(s.USDPerMillionOutputTokens),
		USDPerMillionTotalTokens:  nullable(s.USDPerMillionTotalTokens),
		USDPerThousandRequests:    nullable(s.USDPerThousandRequests),
		OutputTokenMismatch:       nullable(s.OutputTokenMismatch),
	}
	d := s.TTFT
	row.TTFTCount, row.TTFTMean, row.TTFTStddev, row.TTFTMin, row.TTFTMax = int64(d.Count), nullable(d.Mean), nullable(d.Stddev), nullable(d.Min), nullable(d.Max)
	row.TTFTP50, row.TTFTP90, row.TTFTP95, row.TTFTP99 = nullable(d.P50), nullable(d.P90), nullable(d.P95), nullable(d.P99)
	d = s.TTFO
	row.TTFOCount, row.TTFOMean, row.TTFOStddev, row.TTFOMin, row.TTFOMax = int64(d.Count), nullable(d.Mean), nullable(d.Stddev), nullable(d.Min), nullable(d.Max)
	row.TTFOP50, row.TTFOP90, row.TTFOP95, row.TTFOP99 = nullable(d.P50), nullable(d.P90), nullable(d.P95), nullable(d.P99)
	d = s.TPOT
	row.TPOTCount, row.TPOTMean, row.TPOTStddev, row.TPOTMin, row.TPOTMax = int64(d.Count), nullable(d.Mean), nullable(d.Stddev), nullable(d.Min), nullable(d.Max)
	row.TPOTP50, row.TPOTP90, row.TPOTP95, row.TPOTP99 = nullable(d.P50), nullable(d.P90), nullable(d.P95), nullable(d.P99)
	d = s.ITL
	row.ITLCount, row.ITLMean, row.ITLStddev, row.ITLMin, row.ITLMax = int64(d.Count), nullable(d.Mean), nullable(d.Stddev), nullable(d.Min), nullable(d.Max)
	row.ITLP50, row.ITLP90, row.ITLP95, row.ITLP99 = nullable(d.P50), nullable(d.P90), nullable(d.P95), nullable(d.P99)
	d = s.E2E
	row.E2ECount, row.E2EMean, row.E2EStddev, row.E2EMin, row.E2EMax = int64(d.Count), nullable(d.Mean), nullable(d.Stddev), nullable(d.Min), nullable(d.Max)
	row.E2EP50, row.E2EP90, row.E2EP95, row.E2EP99 = nullable(d.P50), nullable(d.P90), nullable(d.P95), nullable(d.P99)
	d = s.RequestOutputTokensPerS
	row.RequestOutputTokensPerSCount, row.RequestOutputTokensPerSMean, row.RequestOutputTokensPerSStddev = int64(d.Count), nullable(d.Mean), nullable(d.Stddev)
	row.RequestOutputTokensPerSMin, row.RequestOutputTokensPerSMax = nullable(d.Min), nullable(d.Max)
	row.RequestOutputTokensPerSP50, row.RequestOutputTokensPerSP90 = nullable(d.P50), nullable(d.P90)
	row.RequestOutputTokensPerSP95, row.RequestOutputTokensPerSP99 = nullable(d.P95), nullable(d.P99)
	addLoadColumns(&row, s)
	return row
}

// addLoadColumns fills the cell row's goodput, load and correctness
// columns.
func addLoadColumns(row *CellRow, s *report.CellSummary) {
	row.Repeat = int64(s.Repeat)
	row.GoodputPerS, row.GoodputFraction = nullable(s.GoodputPerS), nullable(s.GoodputFraction)
	row.PeakOutputTokensPerS = s.PeakOutputTokensPerS
	row.AchievedRate = nullable(s.Load.AchievedRate)
	row.ScheduleLagP99, row.TimerLagP99 = nullable(s.Load.ScheduleLag.P99), nullable(s.Load.TimerLag.P99)
	row.ReadDelayP99 = nullable(s.Load.ReadDelay.P99)
	row.ClientCPUFraction, row.ClientSaturated = nullable(s.Load.ClientCPUFraction), s.Load.ClientSaturated
	row.Incomplete, row.Interrupted = int64(s.Load.Incomplete), s.Interrupted
	if s.Correctness != nil {
		row.CorrectnessMismatchRate = nullable(s.Correctness.MismatchRate)
	}
}

// newRunRow describes run; EndTime is null until the run has ended.
func newRunRow(run *Run) RunRow {
	return RunRow{
		RunID: run.ID, Suite: run.Suite, Version: run.Version, SchemaVersion: SchemaVersion,
		StartTime: nullableTime(run.Start), EndTime: nullableTime(run.End),
		Interrupted: run.Interrupted, CellsPlanned: int64(len(run.Cells)),
		Host: run.Host, CommandLine: run.CommandLine,
	}
}

// nullable returns nil for NaN and infinities, which the tables store as null.
func nullable(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func nullableInt(v int) *int64 {
	n := int64(v)
	return &n
}

// nullableTime returns nil for the zero time, else t in UTC truncated to
// the microseconds that every format stores.
func nullableTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

// cellIndex maps each cell id of run to its identity.
func cellIndex(run Run) map[string]report.CellInfo {
	cells := make(map[string]report.CellInfo, len(run.Cells))
	for _, c := range run.Cells {
		cells[c.ID] = c
	}
	return cells
}

// labelsJSON encodes a cell's labels as a JSON object; "{}" without any.
func labelsJSON(labels map[string]string) string {
	if len(labels) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(labels) // a map[string]string always encodes
	return string(b)
}

// correctness returns whether a correctness request's answer matched;
// nil for other requests and for failed ones.
func correctness(rec *runner.Record) *bool {
	if rec.ExpectedAnswer == "" || !rec.OK() {
		return nil
	}
	ok := report.AnswerMatches(rec.Text, rec.ExpectedAnswer)
	return &ok
}
