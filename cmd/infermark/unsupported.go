package main

import (
	"fmt"

	"github.com/infermark/infermark/suite"
)

// unsupportedKeys lists the suite keys that load and validate but that
// this version cannot run yet, each as an error at the key. Rejecting them
// is better than running a different benchmark than the file describes.
//
// TODO: remove each check once the runner, report or run command
// implements the key.
func unsupportedKeys(s *suite.Suite) []*suite.Error {
	var errs []*suite.Error
	reject := func(name string, path ...any) {
		errs = append(errs, s.KeyError(name+" is not supported by this version yet", path...))
	}

	if len(s.Labels) > 0 {
		reject("labels", "labels")
	}
	errs = append(errs, unsupportedLoad(s)...)
	for i, e := range s.Endpoints {
		if e.TLS != (suite.TLS{}) {
			reject(fmt.Sprintf("endpoint %q: tls", e.Name), "endpoints", i, "tls")
		}
		if e.HTTP != (suite.HTTP{}) {
			reject(fmt.Sprintf("endpoint %q: http", e.Name), "endpoints", i, "http")
		}
		if e.StreamUsage != suite.DefaultStreamUsage {
			reject(fmt.Sprintf("endpoint %q: stream_usage %q", e.Name, e.StreamUsage), "endpoints", i, "stream_usage")
		}
	}
	for i, w := range s.Workloads {
		if w.Prompts.Source != suite.SourceSynthetic {
			reject(fmt.Sprintf("workload %q: prompts source %q", w.Name, w.Prompts.Source), "workloads", i, "prompts", "source")
		}
		if w.Prompts.SharedPrefixTokens > 0 {
			reject(fmt.Sprintf("workload %q: shared_prefix_tokens", w.Name), "workloads", i, "prompts", "shared_prefix_tokens")
		}
	}
	for i, a := range s.Assertions {
		if a.Where != "" {
			reject(fmt.Sprintf("assertion %q: where", a.Name), "assertions", i, "where")
		}
		if a.Severity != suite.SeverityFail {
			reject(fmt.Sprintf("assertion %q: severity %q", a.Name, a.Severity), "assertions", i, "severity")
		}
	}
	return errs
}

func unsupportedLoad(s *suite.Suite) []*suite.Error {
	var errs []*suite.Error
	reject := func(name string, path ...any) {
		errs = append(errs, s.KeyError(name+" is not supported by this version yet", path...))
	}

	l := s.Load
	if len(l.Rate) > 0 {
		reject("load.rate", "load", "rate")
	}
	for i, r := range s.Matrix.Include {
		if len(r.Rate) > 0 {
			reject("matrix.include rate", "matrix", "include", i, "rate")
		}
	}
	if l.Duration > 0 {
		reject("load.duration", "load", "duration")
	}
	if l.WarmupDuration > 0 {
		reject("a warmup duration", "load", "warmup")
	}
	if l.Ramp > 0 {
		reject("load.ramp", "load", "ramp")
	}
	if l.StopWhen != "" {
		reject("load.stop_when", "load", "stop_when")
	}
	return errs
}
