// Package sinks writes results: per-request records as they complete and
// per-cell summaries as each cell ends, so that an interrupted run keeps
// everything already measured.
package sinks

import (
	"time"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// Run describes one invocation of a suite.
type Run struct {
	ID      string    `json:"run_id"`
	Suite   string    `json:"suite"`
	Version string    `json:"infermark_version"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	// Interrupted is true when the run ended before every cell finished.
	Interrupted bool `json:"interrupted"`
	// Host is the name of the machine that ran the client.
	Host string `json:"host"`
	// CommandLine is the invocation, with values of flags that may carry
	// secrets replaced.
	CommandLine string `json:"command_line"`
	// Cells lists every cell of the matrix, run or not.
	Cells []report.CellInfo `json:"-"`
}

// Sink is one result writer. The runner calls Open once, then Record for
// every request and Cell after every cell, then Close once; calls are not
// concurrent.
type Sink interface {
	Open(run Run) error
	// Declare adds a cell that Run.Cells did not list, such as a probe of
	// an SLO search, before its first record.
	Declare(info report.CellInfo)
	Record(rec runner.Record) error
	Cell(s report.CellSummary) error
	// Close writes what is left; outcomes are the assertion results.
	Close(run Run, outcomes []report.Outcome) error
}

// Locator is implemented by every sink of this package. Location returns
// the folder or file the run's results are written to, for the log.
type Locator interface {
	Location() string
}
