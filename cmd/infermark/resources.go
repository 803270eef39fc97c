package main

import (
	"errors"
	"fmt"

	"github.com/infermark/infermark/providers/mock"
	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/sinks"
	"github.com/infermark/infermark/suite"
)

// startMocks starts one in-process mock server per builtin:mock endpoint.
func (e *execution) startMocks() error {
	e.mocks = map[string]*mock.Listener{}
	e.mockPacing = map[string]mock.Config{}
	for _, ep := range e.suite.Endpoints {
		cfg, ok, err := mockConfig(ep.BaseURL)
		if err != nil {
			return fmt.Errorf("endpoint %q: %w", ep.Name, err)
		}
		if !ok {
			continue
		}
		l, err := mock.Start("127.0.0.1:0", cfg, e.logger)
		if err != nil {
			return fmt.Errorf("endpoint %q: %w", ep.Name, err)
		}
		e.logger.Info("built-in mock started", "endpoint", ep.Name, "url", l.URL, "ttft", cfg.TTFT, "itl", cfg.ITL,
			"faults", fmt.Sprint(cfg.Faults.Kinds), "fault_rate", cfg.Faults.Rate, "max_concurrent", cfg.Faults.MaxConcurrent)
		e.mocks[ep.Name] = l
		// A mock with faults or a queue is late on purpose, so only a
		// plain one is checked against its pacing.
		if len(cfg.Faults.Kinds) == 0 && cfg.Faults.MaxConcurrent == 0 {
			e.mockPacing[ep.Name] = cfg
		}
	}
	return nil
}

func (e *execution) stopMocks() {
	for name, l := range e.mocks {
		if err := l.Close(); err != nil {
			e.logger.Warn("stopping built-in mock failed", "endpoint", name, "error", err)
		}
	}
}

func (e *execution) baseURL(ep *suite.Endpoint) string {
	if l, ok := e.mocks[ep.Name]; ok {
		return l.URL
	}
	return ep.BaseURL
}

func (e *execution) openSinks(cells []suite.Cell) error {
	e.info = sinks.Run{Suite: e.suite.Name, Version: version, Start: e.app.Clock.Now(),
		Host: hostName(), CommandLine: e.opts.commandLine}
	e.info.ID = newRunID(e)
	for _, c := range cells {
		e.info.Cells = append(e.info.Cells, cellInfo(e.suite, c))
	}
	for _, cfg := range e.suite.Sinks {
		dir := cfg.Dir
		if e.opts.outputDir != "" {
			dir = e.opts.outputDir
		}
		s, err := sinks.New(sinks.Config{Type: cfg.Type, Dir: dir, Layout: cfg.Layout})
		if err != nil {
			return err
		}
		e.sinks = append(e.sinks, s)
	}
	for i, s := range e.sinks {
		if err := s.Open(e.info); err != nil {
			// Close the sinks already open, so none is left half written.
			e.info.End = e.app.Clock.Now()
			for _, open := range e.sinks[:i] {
				open.Close(e.info, nil)
			}
			e.sinks = nil
			return err
		}
		if l, ok := s.(sinks.Locator); ok {
			e.logger.Info("writing results", "location", l.Location())
		}
	}
	return nil
}

func (e *execution) forEachSink(fn func(sinks.Sink) error) error {
	var errs []error
	for _, s := range e.sinks {
		if err := fn(s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e *execution) closeSinks(outcomes []report.Outcome) error {
	return e.forEachSink(func(s sinks.Sink) error { return s.Close(e.info, outcomes) })
}
