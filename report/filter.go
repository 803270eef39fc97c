package report

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/infermark/infermark/runner"
)

var (
	errNoRuns      = errors.New("no runs to report")
	errAllExcluded = errors.New("every run was excluded; nothing is left to report")
)

// Options select what a report leaves out.
type Options struct {
	// Exclude lists run ids and cell ids to leave out. A cell id applies
	// to every run; an entry that matches nothing is an error.
	Exclude []string
	// Outliers removes requests outside Tukey's fences; nil keeps all.
	Outliers *OutlierRule
}

// OutlierRule removes, per cell, the successful measured requests whose
// Metric is below Q1 - K×IQR or above Q3 + K×IQR (Tukey's fences, with the
// quartiles interpolated like every percentile). Failed requests stay.
type OutlierRule struct {
	// Metric is one of ttft, ttfo, tpot or e2e.
	Metric string
	// K scales the interquartile range; 1.5 by default.
	K float64
}

// outlierMetrics maps the names an outlier rule accepts to their figure.
var outlierMetrics = map[string]func(Request) float64{
	"ttft": func(r Request) float64 { return r.TTFT },
	"ttfo": func(r Request) float64 { return r.TTFO },
	"tpot": func(r Request) float64 { return r.TPOT },
	"e2e":  func(r Request) float64 { return r.E2E },
}

// ParseOutlierRule parses "METRIC" or "METRIC:K", such as "e2e" or
// "ttft:3".
func ParseOutlierRule(text string) (*OutlierRule, error) {
	name, k, hasK := strings.Cut(text, ":")
	if _, ok := outlierMetrics[name]; !ok {
		return nil, fmt.Errorf("invalid outlier rule %q: metric must be ttft, ttfo, tpot or e2e, as in \"e2e\" or \"e2e:3\"", text)
	}
	rule := &OutlierRule{Metric: name, K: 1.5}
	if hasK {
		v, err := strconv.ParseFloat(k, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("invalid outlier rule %q: the IQR factor must be a positive number, as in \"e2e:3\"", text)
		}
		rule.K = v
	}
	return rule, nil
}

// String returns the rule in the syntax ParseOutlierRule reads.
func (r OutlierRule) String() string {
	return r.Metric + ":" + strconv.FormatFloat(r.K, 'g', -1, 64)
}

// FilterNote reports what one option removed, so that a filtered report
// always says it was filtered.
type FilterNote struct {
	// Filter is the option as given, such as "--exclude mock/chat/c64".
	Filter string `json:"filter"`
	// Removed counts the runs, cells or requests left out.
	Removed int `json:"removed"`
	// Detail says what was removed and what that changes.
	Detail string `json:"detail"`
}

func applyFilters(runs []Run, opts Options) ([]Run, []FilterNote, error) {
	var notes []FilterNote
	for _, id := range opts.Exclude {
		var note FilterNote
		runs, note = exclude(runs, id)
		if note.Removed == 0 {
			return nil, nil, fmt.Errorf("--exclude %q matches no run id and no cell id", id)
		}
		notes = append(notes, note)
	}
	if opts.Outliers != nil {
		var note FilterNote
		runs, note = removeOutliers(runs, *opts.Outliers)
		notes = append(notes, note)
	}
	return runs, notes, nil
}

func exclude(runs []Run, id string) ([]Run, FilterNote) {
	note := FilterNote{Filter: "--exclude " + id}
	kept := make([]Run, 0, len(runs))
	for _, r := range runs {
		if r.Info.ID == id {
			note.Removed++
			note.Detail = "run " + id + " left out"
			continue
		}
		before := len(r.Cells)
		r.Cells = slices.DeleteFunc(slices.Clone(r.Cells), func(c Cell) bool { return c.Info.ID == id })
		note.Removed += before - len(r.Cells)
		kept = append(kept, r)
	}
	if note.Detail == "" {
		note.Detail = fmt.Sprintf("cell %s left out of %d run(s)", id, note.Removed)
	}
	return kept, note
}

func removeOutliers(runs []Run, rule OutlierRule) ([]Run, FilterNote) {
	note := FilterNote{Filter: "--outliers " + rule.String()}
	var perCell []string
	out := make([]Run, len(runs))
	for i, r := range runs {
		r.Cells = slices.Clone(r.Cells)
		for j, c := range r.Cells {
			kept, removed := dropOutliers(c.Records, rule)
			r.Cells[j].Records = kept
			if removed > 0 {
				note.Removed += removed
				perCell = append(perCell, fmt.Sprintf("%s %d", c.Info.ID, removed))
			}
		}
		out[i] = r
	}
	note.Detail = fmt.Sprintf("removed %d request(s) whose %s is outside Q1 − %s×IQR … Q3 + %s×IQR of their cell",
		note.Removed, rule.Metric, strconv.FormatFloat(rule.K, 'g', -1, 64), strconv.FormatFloat(rule.K, 'g', -1, 64))
	if len(perCell) > 0 {
		note.Detail += " (" + strings.Join(perCell, ", ") + ")"
	}
	note.Detail += "; throughput still divides by each cell's full measured window"
	return out, note
}

// dropOutliers returns the records without the outliers of rule and how
// many it removed. It needs 4 values to compute quartiles.
func dropOutliers(records []runner.Record, rule OutlierRule) ([]runner.Record, int) {
	metric := outlierMetrics[rule.Metric]
	var values []float64
	for i := range records {
		if isMeasuredOK(&records[i]) {
			values = appendNumber(values, metric(RequestFigures(&records[i])))
		}
	}
	if len(values) < 4 {
		return records, 0
	}
	slices.Sort(values)
	q1, q3 := Percentile(values, 25), Percentile(values, 75)
	lo, hi := q1-rule.K*(q3-q1), q3+rule.K*(q3-q1)

	kept := make([]runner.Record, 0, len(records))
	for i := range records {
		v := math.NaN()
		if isMeasuredOK(&records[i]) {
			v = metric(RequestFigures(&records[i]))
		}
		if v < lo || v > hi {
			continue
		}
		kept = append(kept, records[i])
	}
	return kept, len(records) - len(kept)
}

func isMeasuredOK(rec *runner.Record) bool {
	return rec.Phase == runner.PhaseMeasured && rec.OK()
}
