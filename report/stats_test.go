package report

import (
	"math"
	"testing"
)

func TestPercentileInterpolates(t *testing.T) {
	t.Parallel()
	// Ranks are (n-1)*p/100: for 1..10, p90 is rank 8.1, between 9 and 10.
	sorted := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cases := []struct {
		p, want float64
	}{
		{0, 1}, {50, 5.5}, {90, 9.1}, {95, 9.55}, {99, 9.91}, {100, 10},
	}
	for _, c := range cases {
		if got := Percentile(sorted, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Percentile(1..10, %v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestPercentileSingleValue(t *testing.T) {
	t.Parallel()
	if got := Percentile([]float64{42}, 99); got != 42 {
		t.Errorf("Percentile([42], 99) = %v, want 42", got)
	}
}

func TestDescribeHandComputed(t *testing.T) {
	t.Parallel()
	// Mean of 2,4,4,4,5,5,7,9 is 5; squared deviations sum to 32, so the
	// sample stddev is sqrt(32/7).
	d := Describe([]float64{9, 2, 4, 4, 5, 4, 7, 5})
	checks := []struct {
		name      string
		got, want float64
	}{
		{"mean", d.Mean, 5},
		{"stddev", d.Stddev, math.Sqrt(32.0 / 7)},
		{"min", d.Min, 2},
		{"max", d.Max, 9},
		{"p50", d.P50, 4.5},
		{"p90", d.P90, 7.6},
		{"p99", d.P99, 8.86},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if d.Count != 8 {
		t.Errorf("count = %d, want 8", d.Count)
	}
}

func TestDescribeEmptyIsNaN(t *testing.T) {
	t.Parallel()
	d := Describe(nil)
	if d.Count != 0 || !math.IsNaN(d.P95) || !math.IsNaN(d.Mean) {
		t.Errorf("Describe(nil) = %+v, want count 0 and NaN figures", d)
	}
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	if want := `{"count":0,"mean":null,"stddev":null,"min":null,"max":null,"p50":null,"p90":null,"p95":null,"p99":null}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestDescribeKeepsInput(t *testing.T) {
	t.Parallel()
	in := []float64{3, 1, 2}
	Describe(in)
	if in[0] != 3 || in[1] != 1 || in[2] != 2 {
		t.Errorf("Describe reordered its input: %v", in)
	}
}
