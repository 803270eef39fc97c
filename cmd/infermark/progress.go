package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// progressInterval is how often a plain progress line is written when
// stderr is not a terminal.
const progressInterval = 5 * time.Second

// progress reports each running cell on stderr: a bar on a terminal, a
// line every progressInterval otherwise. It never writes to stdout.
type progress struct {
	out   io.Writer
	tty   bool
	quiet bool

	mu    sync.Mutex
	cells map[string]*cellProgress
}

type cellProgress struct {
	id       string
	total    int
	duration time.Duration
	start    time.Time
	bar      *progressbar.ProgressBar

	done, failed, tokens int
}

func newProgress(out io.Writer, quiet bool) *progress {
	f, ok := out.(*os.File)
	return &progress{out: out, quiet: quiet, tty: ok && term.IsTerminal(int(f.Fd())), cells: map[string]*cellProgress{}}
}

// start begins reporting rc; the returned function ends it.
func (p *progress) start(rc runner.Cell) func() {
	if p == nil || p.quiet {
		return func() {}
	}
	c := &cellProgress{id: rc.ID, total: rc.Warmup + rc.Requests, duration: rc.Duration + rc.WarmupDuration, start: time.Now()}
	if rc.Requests == 0 {
		c.total = -1
	}
	if p.tty {
		c.bar = progressbar.NewOptions64(int64(c.total), progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(rc.ID), progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	p.mu.Lock()
	p.cells[rc.ID] = c
	p.mu.Unlock()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	if !p.tty {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.tick(c, stop)
		}()
	}
	return func() {
		close(stop)
		wg.Wait()
		p.mu.Lock()
		delete(p.cells, rc.ID)
		p.mu.Unlock()
		if c.bar != nil {
			c.bar.Finish()
		}
	}
}

func (p *progress) tick(c *cellProgress, stop chan struct{}) {
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			fmt.Fprintln(p.out, c.line())
			p.mu.Unlock()
		}
	}
}

// line describes a cell's progress: requests done, tokens/s, errors,
// elapsed and remaining time.
func (c *cellProgress) line() string {
	elapsed := time.Since(c.start)
	rate := float64(c.tokens) / elapsed.Seconds()
	remaining := "?"
	switch {
	case c.duration > 0:
		remaining = max(c.duration-elapsed, 0).Round(time.Second).String()
	case c.total > 0 && c.done > 0:
		remaining = (time.Duration(float64(elapsed) / float64(c.done) * float64(c.total-c.done))).Round(time.Second).String()
	}
	total := "?"
	if c.total > 0 {
		total = fmt.Sprint(c.total)
	}
	return fmt.Sprintf("progress: %s %d/%s requests, %.0f output tokens/s, %d errors, %s elapsed, %s left",
		c.id, c.done, total, rate, c.failed, elapsed.Round(time.Second), remaining)
}

// record counts a finished request towards its cell.
func (p *progress) record(rec runner.Record) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.cells[rec.CellID]
	if !ok {
		return
	}
	c.done++
	if !rec.OK() {
		c.failed++
	}
	c.tokens += report.RequestFigures(&rec).OutputTokens
	if c.bar != nil {
		c.bar.Add(1)
	}
}

// colorOutput reports whether stdout may carry colour: a terminal, and no
// NO_COLOR variable in the environment, whatever its value.
func (a *App) colorOutput() bool {
	if _, set := a.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := a.Stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
