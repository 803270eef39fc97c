package runner

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkOpenLoop5000 drives constant arrivals at 5,000 requests/s
// against a loopback server that answers at once, and reports the rate
// achieved and the 99th percentile of schedule lag. One iteration is one
// cell of 5,000 requests (about one second).
func BenchmarkOpenLoop5000(b *testing.B) {
	srv := newStreamServer(b, 0)
	cell := testCell(b, srv.URL)
	cell.Rate, cell.Arrival, cell.Requests = 5000, ArrivalConstant, 5000
	r := testRunner(256)

	var achieved, lagP99 float64
	for b.Loop() {
		res, err := r.RunCell(context.Background(), cell)
		if err != nil {
			b.Fatal(err)
		}
		var offsets, lags []time.Duration
		for _, rec := range res.Records {
			if !rec.OK() {
				b.Fatalf("request failed: %s", rec.Error)
			}
			offsets = append(offsets, rec.Offset)
			lags = append(lags, rec.ScheduleLag)
		}
		slices.Sort(offsets)
		slices.Sort(lags)
		achieved = float64(len(offsets)-1) / (offsets[len(offsets)-1] - offsets[0]).Seconds()
		lagP99 = float64(lags[len(lags)*99/100]) / float64(time.Millisecond)
	}
	b.ReportMetric(achieved, "req/s")
	b.ReportMetric(lagP99, "lag-p99-ms")
}

// BenchmarkClosedLoopRequest measures the client's cost of one streamed
// request at concurrency 16 against a loopback server that answers at once.
func BenchmarkClosedLoopRequest(b *testing.B) {
	srv := newStreamServer(b, 0)
	cell := testCell(b, srv.URL)
	cell.Concurrency, cell.Requests = 16, 1000
	r := testRunner(16)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.RunCell(context.Background(), cell); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cell.Requests), "ns/request")
}
