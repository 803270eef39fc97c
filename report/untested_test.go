package report

import "testing"

func TestUntestedReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		metric compareMetric
		want   string
	}{
		// A p95 test needs 10 samples above the percentile: 10 / 0.05.
		{compareMetric{name: "ttft_ms.p95", sample: "ttft", percentile: 95}, "40 < 200 requests for p95"},
		{compareMetric{name: "ttft_ms.p99", sample: "ttft", percentile: 99}, "40 < 1000 requests for p99"},
		{compareMetric{name: "output_tokens_per_s"}, "1 < 3 repeats"},
	}
	for _, c := range cases {
		if got := untestedReason(c.metric, 40, 60, 1, 2); got != c.want {
			t.Errorf("%s: %q, want %q", c.metric.name, got, c.want)
		}
	}
}
