package sinks

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/infermark/infermark/runner"
)

// benchRecords returns n distinct successful records of 32 output events
// each, with jittered timings so that columns do not compress to nothing.
func benchRecords(n int) []runner.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	send := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	records := make([]runner.Record, n)
	for i := range records {
		at := make([]time.Duration, 32)
		t := time.Duration(40+rng.IntN(20)) * time.Millisecond
		for j := range at {
			at[j] = t
			t += time.Duration(4000+rng.IntN(2000)) * time.Microsecond
		}
		records[i] = runner.Record{
			CellID: "vllm/chat/c2", Phase: runner.PhaseMeasured, RequestID: fmt.Sprintf("req-%06d", i),
			Send: send.Add(time.Duration(i) * time.Millisecond), Offset: time.Duration(i) * time.Millisecond,
			Scheduled: -1, Headers: at[0] - 5*time.Millisecond, OutputAt: at, FirstAnswer: at[0],
			StreamEnd: at[31] + time.Millisecond, SawDone: true, BytesRead: 4096,
			InputTokensTarget: 128, InputTokensClient: 127 + rng.IntN(3), MaxTokens: 32, Usage: true,
			ServerInputTokens: 130, ServerOutputTokens: 32, ClientOutputTokens: 32, OutputChars: 140,
			FinishReason: "length", HTTPStatus: 200,
		}
	}
	return records
}

// BenchmarkParquetMillionRequests writes one million request records to
// requests.parquet through the Parquet sink: one op is the whole run, from
// Open to Close. peak-heap-MB is the largest live heap sampled after each
// row group, which the row group size bounds, not the run size.
func BenchmarkParquetMillionRequests(b *testing.B) {
	const total = 1_000_000
	pool := benchRecords(1024)
	for _, rows := range []int{DefaultRowGroupRows, 65536} {
		b.Run(fmt.Sprintf("rowgroup=%d", rows), func(b *testing.B) {
			var peak uint64
			var size int64
			var stats runtime.MemStats
			b.ReportAllocs()
			for b.Loop() {
				run := testRun()
				sink := &Parquet{Dir: b.TempDir(), RowGroupRows: rows}
				if err := sink.Open(run); err != nil {
					b.Fatal(err)
				}
				for i := range total {
					rec := pool[i%len(pool)]
					rec.Index = i
					if err := sink.Record(rec); err != nil {
						b.Fatal(err)
					}
					if i%rows == rows-1 {
						runtime.ReadMemStats(&stats)
						peak = max(peak, stats.HeapAlloc)
					}
				}
				if err := sink.Close(run, nil); err != nil {
					b.Fatal(err)
				}
				info, err := os.Stat(filepath.Join(sink.Folder(), "requests.parquet"))
				if err != nil {
					b.Fatal(err)
				}
				size = info.Size()
			}
			b.ReportMetric(float64(size)/1e6, "file-MB")
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
			b.ReportMetric(float64(total), "records/op")
		})
	}
}
