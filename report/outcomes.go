package report

import (
	"io"
	"slices"
	"strings"

	"github.com/infermark/infermark/suite"
)

// Outcome is the result of one assertion on one cell.
type Outcome struct {
	Name   string `json:"name"`
	Expr   string `json:"expr"`
	CellID string `json:"cell"`
	Passed bool   `json:"passed"`
	// Severity is "fail" or "warn"; a failed "warn" outcome never changes
	// the exit code. Outcomes stored before severities existed have "",
	// which counts as "fail".
	Severity string `json:"severity,omitempty"`
	// Values shows each figure the expression read, such as
	// "ttft_ms.p95 = 1234.5".
	Values []string `json:"values"`
	// NoData is true when a figure the expression read had no samples. The
	// outcome then failed whatever the comparison would have returned.
	NoData bool `json:"no_data,omitempty"`
	// Aborted is true when this failure stopped the run early.
	Aborted bool `json:"aborted,omitempty"`
	// Error is set when the expression could not be evaluated, and
	// starts with "no data:" when NoData is set.
	Error string `json:"error,omitempty"`
}

// Failing reports whether the outcome failed with severity "fail", the
// kind of failure that makes a run exit with code 1.
func (o Outcome) Failing() bool {
	return !o.Passed && o.Severity != suite.SeverityWarn
}

// Warning reports whether the outcome failed with severity "warn".
func (o Outcome) Warning() bool {
	return !o.Passed && o.Severity == suite.SeverityWarn
}

// AnyFailing reports whether any outcome is Failing.
func AnyFailing(outcomes []Outcome) bool {
	return slices.ContainsFunc(outcomes, Outcome.Failing)
}

// Status returns "pass", "FAIL" or "WARN".
func (o Outcome) Status() string {
	switch {
	case o.Passed:
		return "pass"
	case o.Warning():
		return "WARN"
	default:
		return "FAIL"
	}
}

// Detail returns the values the expression read, or its error.
func (o Outcome) Detail() string {
	detail := strings.Join(o.Values, ", ")
	if o.Error != "" {
		if detail != "" {
			return o.Error + "; " + detail
		}
		return o.Error
	}
	return detail
}

// OutcomeCounts returns how many outcomes passed, failed and only warned.
func OutcomeCounts(outcomes []Outcome) (passed, failed, warned int) {
	for _, o := range outcomes {
		switch {
		case o.Passed:
			passed++
		case o.Warning():
			warned++
		default:
			failed++
		}
	}
	return passed, failed, warned
}

// WriteAssertionResults writes one line per outcome, failures and
// warnings first, each with the values the expression read, then the
// counts.
func WriteAssertionResults(w io.Writer, outcomes []Outcome, color bool) error {
	if len(outcomes) == 0 {
		return nil
	}
	ew := &errWriter{w: w}
	ew.printf("\n")
	for _, status := range []string{"FAIL", "WARN", "pass"} {
		for _, o := range outcomes {
			if o.Status() != status {
				continue
			}
			note := ""
			if o.Aborted {
				note = "  [stopped the run]"
			}
			ew.printf("%s  %s  cell %s: %s  (%s)%s\n", paint(status, color), o.Name, o.CellID, o.Expr, o.Detail(), note)
		}
	}
	passed, failed, warned := OutcomeCounts(outcomes)
	ew.printf("assertions: %d passed, %d failed, %d warned\n", passed, failed, warned)
	return ew.err
}

// ANSI colours of the outcome labels: red, yellow and green.
var statusColors = map[string]string{"FAIL": "\x1b[31m", "WARN": "\x1b[33m", "pass": "\x1b[32m"}

// paint wraps an outcome label in its colour when color is set; the
// caller sets it only for a terminal without NO_COLOR.
func paint(status string, color bool) string {
	if !color {
		return status
	}
	return statusColors[status] + status + "\x1b[0m"
}
