package runner

import (
	"context"
	"slices"
	"sync"
	"time"
)

// phaseSpec is one phase of a cell: a number of requests, a duration, or
// both (whichever ends first).
type phaseSpec struct {
	phase Phase
	// first is the index of the phase's first request within the cell.
	first    int
	requests int
	duration time.Duration
	ramp     time.Duration
}

// phaseTiming is what a phase measured about itself.
type phaseTiming struct {
	window               time.Duration
	steadyFrom, steadyTo time.Duration
}

// phaseRun is the state shared by the goroutines of one phase.
type phaseRun struct {
	r     *Runner
	cell  Cell
	spec  phaseSpec
	plans *planSource
	// stop ends dispatching: the caller's context, or the phase's duration.
	stop context.Context
	// requests is the parent context of every request; it outlives stop by
	// the grace period on interruption.
	requests context.Context
	start    time.Time

	mu       sync.Mutex
	records  []Record
	lastDone time.Duration
	lastSent time.Duration
	wg       sync.WaitGroup
}

// runPhase sends the phase's requests and returns their records by index.
func (r *Runner) runPhase(ctx context.Context, cell Cell, spec phaseSpec) ([]Record, phaseTiming) {
	stop, stopCancel := context.WithCancel(ctx)
	defer stopCancel()
	requests, cancelRequests := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelRequests(nil)

	// The plans are built before the phase's clock starts, so that the
	// first arrivals are not late by the time it takes.
	p := &phaseRun{r: r, cell: cell, spec: spec, stop: stop, requests: requests}
	p.plans = newPlanSource(cell, spec.first, spec.requests)
	defer p.plans.close()
	p.start = r.Clock.Now()
	watchDone := p.watch(ctx, stopCancel, cancelRequests)

	switch {
	case cell.Rate > 0:
		p.openLoop()
	case len(cell.Workload.Conversations) > 0:
		p.sessionLoop()
	default:
		p.closedLoop()
	}
	p.wg.Wait()
	close(watchDone)

	timing := phaseTiming{window: p.lastDone, steadyFrom: spec.ramp, steadyTo: p.lastSent}
	if spec.duration > 0 {
		timing.window = min(p.lastDone, spec.duration)
	}
	slices.SortFunc(p.records, func(a, b Record) int { return a.Index - b.Index })
	return p.records, timing
}

// watch ends the phase at its duration, and cancels requests in flight
// once the grace period after an interruption has passed. Closing the
// returned channel stops it.
func (p *phaseRun) watch(ctx context.Context, stopDispatch context.CancelFunc, cancelRequests context.CancelCauseFunc) chan struct{} {
	done := make(chan struct{})
	grace := p.r.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	go func() {
		var deadline <-chan time.Time
		if p.spec.duration > 0 {
			timer := time.NewTimer(p.spec.duration)
			defer timer.Stop()
			deadline = timer.C
		}
		select {
		case <-done:
			return
		case <-deadline:
			stopDispatch()
			cancelRequests(errPhaseEnded)
			return
		case <-ctx.Done():
		}
		graceTimer := time.NewTimer(grace)
		defer graceTimer.Stop()
		select {
		case <-done:
		case <-graceTimer.C:
			cancelRequests(errInterrupted)
		}
	}()
	return done
}

// closedLoop keeps Concurrency requests in flight: a worker takes the next
// plan the moment its previous request ends. With a ramp, worker k starts
// k/Concurrency of the way through it.
func (p *phaseRun) closedLoop() {
	for k := range p.cell.Concurrency {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if p.spec.ramp > 0 && !p.sleepUntil(rampOffset(p.spec.ramp, k, p.cell.Concurrency)) {
				return
			}
			for p.stop.Err() == nil {
				plan, ok := p.plans.next(p.stop)
				if !ok {
					return
				}
				p.send(plan, -1)
			}
		}()
	}
}

// openLoop sends a request at each arrival time, whatever is in flight,
// except that MaxConcurrency holds arrivals back while the cap is reached.
func (p *phaseRun) openLoop() {
	arrivals := newArrivals(p.cell, p.spec.ramp)
	var slots chan struct{}
	if p.cell.MaxConcurrency > 0 {
		slots = make(chan struct{}, p.cell.MaxConcurrency)
	}
	for p.stop.Err() == nil {
		at := arrivals.next()
		if p.spec.duration > 0 && at >= p.spec.duration {
			return
		}
		plan, ok := p.plans.next(p.stop)
		if !ok || !p.sleepUntil(at) {
			return
		}
		if slots != nil {
			select {
			case slots <- struct{}{}:
			case <-p.stop.Done():
				return
			}
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.send(plan, at)
			if slots != nil {
				<-slots
			}
		}()
	}
}

// sleepUntil waits until offset after the phase start; it returns false
// when dispatching stopped first.
func (p *phaseRun) sleepUntil(offset time.Duration) bool {
	wait := offset - p.r.Clock.Now().Sub(p.start)
	if wait <= 0 {
		return p.stop.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-p.stop.Done():
		return false
	}
}

// send runs one request; scheduled is its arrival offset, or negative in
// a closed loop, where a request is due the moment it can be sent.
func (p *phaseRun) send(plan plannedRequest, scheduled time.Duration) Record {
	rec := p.r.do(p.requests, p.cell, plan, p.spec.phase, p.start, scheduled)
	done := p.r.Clock.Now().Sub(p.start)

	p.mu.Lock()
	p.records = append(p.records, rec)
	p.lastDone = max(p.lastDone, done)
	p.lastSent = max(p.lastSent, rec.Offset)
	p.mu.Unlock()

	p.r.mu.Lock()
	defer p.r.mu.Unlock()
	if p.r.OnRecord != nil {
		p.r.OnRecord(rec)
	}
	return rec
}

// rampOffset is when worker k of n starts during a ramp.
func rampOffset(ramp time.Duration, k, n int) time.Duration {
	return time.Duration(int64(ramp) * int64(k) / int64(n))
}
