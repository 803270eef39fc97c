package runner

import "time"

// lagProbeInterval is how often the lag probe wakes during a measured
// phase. Each wake-up costs a thread switch, estimated at 0.1 ms of CPU
// time on the 2-vCPU machine of docs/benchmarks.md. So the probe wakes 20
// times a second, which still gives a p99 in a cell of a few seconds.
const lagProbeInterval = 50 * time.Millisecond

// lagProbe measures how late a timer fires in this process. When the
// machine is busy (other processes, garbage collection, too many streams)
// the client's own timestamps are late by about as much, so the report
// uses it to mark a cell's figures as untrustworthy.
type lagProbe struct {
	stop chan struct{}
	done chan []time.Duration
}

func startLagProbe() *lagProbe {
	p := &lagProbe{stop: make(chan struct{}), done: make(chan []time.Duration, 1)}
	go func() {
		var lags []time.Duration
		timer := time.NewTimer(lagProbeInterval)
		defer timer.Stop()
		due := time.Now().Add(lagProbeInterval)
		for {
			select {
			case <-p.stop:
				p.done <- lags
				return
			case now := <-timer.C:
				lags = append(lags, max(now.Sub(due), 0))
				due = time.Now().Add(lagProbeInterval)
				timer.Reset(lagProbeInterval)
			}
		}
	}()
	return p
}

// finish stops the probe and returns the lateness of every wake-up.
func (p *lagProbe) finish() []time.Duration {
	close(p.stop)
	return <-p.done
}
