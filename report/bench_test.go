package report

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

// BenchmarkDescribeMillion sorts and summarizes one million samples, the
// pooled inter-token gaps of a large cell.
func BenchmarkDescribeMillion(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]float64, 1_000_000)
	for i := range values {
		values[i] = rng.ExpFloat64() * 20
	}
	b.ReportAllocs()
	for b.Loop() {
		Describe(values)
	}
}

// BenchmarkSummarizeCell summarizes a cell of 10,000 requests of 64
// output events each: 630,000 pooled gaps.
func BenchmarkSummarizeCell(b *testing.B) {
	records := make([]runner.Record, 10_000)
	for i := range records {
		r := &records[i]
		r.Phase, r.Usage, r.ServerOutputTokens = runner.PhaseMeasured, true, 64
		for j := range 64 {
			r.OutputAt = append(r.OutputAt, 200*time.Millisecond+time.Duration(j)*20*time.Millisecond)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Summarize(CellInfo{}, records, time.Minute)
	}
}
