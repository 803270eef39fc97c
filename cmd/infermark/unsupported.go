package main

import (
	"fmt"

	"github.com/infermark/infermark/suite"
)

// unsupportedKeys lists the settings that load and validate one by one
// but cannot run together, each as an error at the key, so that the run
// stops before the first request.
func unsupportedKeys(s *suite.Suite) []*suite.Error {
	var errs []*suite.Error
	if len(s.Load.Rate) == 0 {
		return nil
	}
	for i, w := range s.Workloads {
		if w.Prompts.Source == suite.SourceConversations {
			msg := fmt.Sprintf("workload %q: multi-turn conversations run in closed-loop cells only; sweep load.concurrency instead of load.rate", w.Name)
			errs = append(errs, s.KeyError(msg, "workloads", i, "prompts", "source"))
		}
	}
	return errs
}
