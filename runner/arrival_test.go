package runner

import (
	"math"
	"testing"
	"time"
)

// gapStats draws n arrivals and returns the mean gap in seconds and the
// squared coefficient of variation of the gaps.
func gapStats(cell Cell, n int) (mean, cv2 float64) {
	a := newArrivals(cell, 0)
	prev := time.Duration(0)
	gaps := make([]float64, n)
	for i := range gaps {
		at := a.next()
		gaps[i] = (at - prev).Seconds()
		prev = at
	}
	var sum, sq float64
	for _, g := range gaps {
		sum += g
	}
	mean = sum / float64(n)
	for _, g := range gaps {
		sq += (g - mean) * (g - mean)
	}
	return mean, sq / float64(n) / (mean * mean)
}

func TestArrivalProcesses(t *testing.T) {
	t.Parallel()
	// Gamma gaps with shape k have a squared coefficient of variation of
	// 1/k; Poisson is k = 1 and constant arrivals have none.
	cases := []struct {
		name    string
		arrival Arrival
		shape   float64
		wantCV2 float64
	}{
		{"constant", ArrivalConstant, 0, 0},
		{"poisson", ArrivalPoisson, 0, 1},
		{"gamma bursty", ArrivalGamma, 0.25, 4},
		{"gamma regular", ArrivalGamma, 4, 0.25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mean, cv2 := gapStats(Cell{Seed: 1, Rate: 50, Arrival: c.arrival, Burstiness: c.shape}, 200000)
			if math.Abs(mean-0.02)/0.02 > 0.02 {
				t.Errorf("mean gap = %.5f s, want 0.02 s", mean)
			}
			if math.Abs(cv2-c.wantCV2) > 0.1*math.Max(c.wantCV2, 0.1) {
				t.Errorf("squared CV = %.3f, want %.3f", cv2, c.wantCV2)
			}
		})
	}
}

func TestArrivalRampHalvesEarlyArrivals(t *testing.T) {
	t.Parallel()
	// A linear ramp from 0 to 100/s over 2 s brings 100 arrivals, half of
	// the 200 a flat rate would; the rest follow at 100/s.
	a := newArrivals(Cell{Seed: 1, Rate: 100, Arrival: ArrivalConstant}, 2*time.Second)
	inRamp := 0
	for at := a.next(); at < 3*time.Second; at = a.next() {
		if at < 2*time.Second {
			inRamp++
		}
	}
	if inRamp < 99 || inRamp > 101 {
		t.Errorf("%d arrivals during the ramp, want 100", inRamp)
	}
}

func TestArrivalsDependOnSeedOnly(t *testing.T) {
	t.Parallel()
	a := newArrivals(Cell{Seed: 9, Rate: 10, ID: "x"}, 0)
	b := newArrivals(Cell{Seed: 9, Rate: 10, ID: "y", Concurrency: 3}, 0)
	for i := range 100 {
		if x, y := a.next(), b.next(); x != y {
			t.Fatalf("arrival %d differs: %v and %v", i, x, y)
		}
	}
}

func TestParseArrival(t *testing.T) {
	t.Parallel()
	if a, err := ParseArrival(""); err != nil || a != ArrivalPoisson {
		t.Errorf(`ParseArrival("") = %q, %v; want poisson`, a, err)
	}
	if _, err := ParseArrival("uniform"); err == nil || err.Error() != `invalid arrival "uniform"; use poisson, constant or gamma` {
		t.Errorf("ParseArrival(uniform) error = %v", err)
	}
}
