package main

import (
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
	return errs
}
