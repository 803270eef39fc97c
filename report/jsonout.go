package report

import (
	"encoding/json"
	"io"
	"time"
)

// jsonDocument is the JSON rendering of a Document.
type jsonDocument struct {
	Generated   time.Time     `json:"generated"`
	Run         RunInfo       `json:"run"`
	Filters     []FilterNote  `json:"filters"`
	Cells       []CellSummary `json:"cells"`
	Comparisons []Comparison  `json:"comparisons"`
	Assertions  []Outcome     `json:"assertions"`
	// History lists the earlier runs given, oldest first, when there are
	// any; the newest run is Run and Cells.
	History []RunSummary `json:"history,omitempty"`
	Method  string       `json:"method"`
}

// MarshalJSON writes a run summary as {"run": ..., "cells": [...]}.
func (r RunSummary) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Run   RunInfo       `json:"run"`
		Cells []CellSummary `json:"cells"`
	}{r.Info, r.Cells})
}

// WriteJSON writes the report as one indented JSON object; figures
// without a value are null.
func WriteJSON(w io.Writer, d *Document) error {
	out := jsonDocument{
		Generated: d.Generated, Run: d.Run, Filters: d.Filters, Cells: d.Cells,
		Comparisons: d.Comparisons, Assertions: d.Assertions, Method: methodNote,
	}
	if len(d.History) > 1 {
		out.History = d.History[:len(d.History)-1]
	}
	// Empty lists encode as [] rather than null, so readers need no check.
	if out.Filters == nil {
		out.Filters = []FilterNote{}
	}
	if out.Comparisons == nil {
		out.Comparisons = []Comparison{}
	}
	if out.Assertions == nil {
		out.Assertions = []Outcome{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
