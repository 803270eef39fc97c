package runner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Arrival is how an open loop spaces its requests.
type Arrival string

// Arrival processes.
const (
	// ArrivalPoisson draws exponential gaps: a Poisson process.
	ArrivalPoisson Arrival = "poisson"
	// ArrivalConstant spaces requests exactly 1/rate apart.
	ArrivalConstant Arrival = "constant"
	// ArrivalGamma draws gamma gaps with shape Burstiness and mean 1/rate.
	ArrivalGamma Arrival = "gamma"
)

// ParseArrival returns the arrival process named s; "" is Poisson.
func ParseArrival(s string) (Arrival, error) {
	switch a := Arrival(s); a {
	case "":
		return ArrivalPoisson, nil
	case ArrivalPoisson, ArrivalConstant, ArrivalGamma:
		return a, nil
	}
	return "", fmt.Errorf("invalid arrival %q; use poisson, constant or gamma", s)
}

// arrivals generates the offsets of an open loop's requests from the start
// of its phase. It draws a unit-rate process (mean gap 1) and maps it
// through the inverse of the cumulative rate, so a linear ramp bends the
// same process instead of drawing a different one. The stream depends only
// on the cell's seed, so every endpoint sees the same arrival times.
type arrivals struct {
	rng   *rand.Rand
	kind  Arrival
	shape float64
	rate  float64 // requests per second after the ramp
	ramp  float64 // seconds
	unit  float64 // position in the unit-rate process
}

func newArrivals(cell Cell, ramp time.Duration) *arrivals {
	kind := cell.Arrival
	if kind == "" {
		kind = ArrivalPoisson
	}
	return &arrivals{
		rng:  rand.New(rand.NewPCG(cell.Seed, 0x61727269)),
		kind: kind, shape: cell.Burstiness, rate: cell.Rate, ramp: ramp.Seconds(),
	}
}

// next returns the offset of the next arrival.
func (a *arrivals) next() time.Duration {
	a.unit += a.gap()
	return time.Duration(a.invert(a.unit) * float64(time.Second))
}

// gap draws one gap of the unit-rate process.
func (a *arrivals) gap() float64 {
	switch a.kind {
	case ArrivalConstant:
		return 1
	case ArrivalGamma:
		return gammaDraw(a.rng, a.shape) / a.shape
	}
	return a.rng.ExpFloat64()
}

// invert returns the time t at which the cumulative rate reaches u. During
// a ramp of length T the rate is rate*t/T, so the cumulative rate is
// rate*t²/(2T); after it, it grows by rate per second.
func (a *arrivals) invert(u float64) float64 {
	if a.ramp <= 0 {
		return u / a.rate
	}
	rampArrivals := a.rate * a.ramp / 2
	if u <= rampArrivals {
		return math.Sqrt(2 * a.ramp * u / a.rate)
	}
	return a.ramp + (u-rampArrivals)/a.rate
}

// gammaDraw samples Gamma(shape, 1) by Marsaglia and Tsang's method; for
// shape below 1 it uses the boost Gamma(shape+1) * U^(1/shape).
func gammaDraw(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaDraw(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}
