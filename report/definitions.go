package report

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/infermark/infermark/runner"
)

// Definition sets a compatibility view can use, so that numbers can be
// reconciled with another tool's on the same records.
var Definitions = []string{"vllm", "llmperf", "aiperf"}

// definitionFigures lists, per definition set, the figures of one request
// under that tool's definitions, in milliseconds unless the name says
// otherwise. Each follows the tool's source or documentation:
//   - vllm (benchmarks' backend_request_func.py): latency ends at the last
//     data chunk, here the stream end; TPOT = (latency - TTFT) / (N - 1);
//     ITL is every gap between content chunks, as infermark's.
//   - llmperf (ray_clients/openai_chat_completions_client.py): its
//     inter-token latency sums TTFT and every later gap between content
//     chunks and divides by the output tokens, so it is the last content
//     time / N; E2E and output throughput end at the stream end.
//   - aiperf (metrics reference): request latency ends at the last
//     response; inter-token latency = (request latency - TTFT) / (N - 1).
var definitionFigures = map[string][]compatFigure{
	"vllm": {
		{"ttft_ms", func(f Request) float64 { return f.TTFT }},
		{"tpot_ms", func(f Request) float64 { return perTokenAfterFirst(f.StreamEnd-f.TTFT, f.OutputTokens) }},
		{"e2el_ms", func(f Request) float64 { return f.StreamEnd }},
	},
	"llmperf": {
		{"ttft_ms", func(f Request) float64 { return f.TTFT }},
		{"inter_token_latency_ms", func(f Request) float64 { return ratio(f.E2E, float64(f.OutputTokens)) }},
		{"e2e_latency_ms", func(f Request) float64 { return f.StreamEnd }},
		{"request_output_throughput_tok_s", func(f Request) float64 { return ratio(float64(f.OutputTokens), f.StreamEnd/1000) }},
	},
	"aiperf": {
		{"time_to_first_token_ms", func(f Request) float64 { return f.TTFT }},
		{"inter_token_latency_ms", func(f Request) float64 { return perTokenAfterFirst(f.StreamEnd-f.TTFT, f.OutputTokens) }},
		{"request_latency_ms", func(f Request) float64 { return f.StreamEnd }},
	},
}

type compatFigure struct {
	name string
	of   func(Request) float64
}

// perTokenAfterFirst returns d / (n - 1), NaN for fewer than 2 tokens.
func perTokenAfterFirst(d float64, n int) float64 {
	if n < 2 {
		return math.NaN()
	}
	return d / float64(n-1)
}

// CompatRow is one cell's figures under another tool's definitions.
type CompatRow struct {
	CellID  string
	Figures []CompatValue
}

// CompatValue is one figure of a CompatRow.
type CompatValue struct {
	Name string
	Dist Dist
}

// CompatibilityView computes, for each cell, the figures of definition
// set defs over the cell's successful measured requests. It returns an
// error for an unknown set.
func CompatibilityView(defs string, cells []Cell) ([]CompatRow, error) {
	figures, ok := definitionFigures[defs]
	if !ok {
		return nil, fmt.Errorf("unknown definitions %q; use vllm, llmperf or aiperf", defs)
	}
	var rows []CompatRow
	for _, c := range cells {
		values := make([][]float64, len(figures))
		for i := range c.Records {
			rec := &c.Records[i]
			if rec.Phase != runner.PhaseMeasured || !rec.OK() {
				continue
			}
			f := RequestFigures(rec)
			for j, fig := range figures {
				values[j] = appendNumber(values[j], fig.of(f))
			}
		}
		row := CompatRow{CellID: c.Info.ID}
		for j, fig := range figures {
			row.Figures = append(row.Figures, CompatValue{Name: fig.name, Dist: Describe(values[j])})
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// WriteCompatibility writes the mean, p50 and p99 of each figure per cell.
func WriteCompatibility(w io.Writer, defs string, rows []CompatRow) error {
	fmt.Fprintf(w, "\nfigures under %s's definitions (successful measured requests):\n", defs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cell\tfigure\tmean\tp50\tp99\t")
	for _, r := range rows {
		for _, v := range r.Figures {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.CellID, v.Name, fixed(v.Dist.Mean, 2), fixed(v.Dist.P50, 2), fixed(v.Dist.P99, 2))
		}
	}
	return tw.Flush()
}

// CompatibilityView returns the newest run's cells under definition set
// defs, after the document's filters.
func (d *Document) CompatibilityView(defs string) ([]CompatRow, error) {
	return CompatibilityView(defs, d.cells)
}
