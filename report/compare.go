package report

import (
	"cmp"
	"slices"
)

// Comparison puts the endpoints side by side at one load level of one
// workload: the "which GPU" question.
type Comparison struct {
	Workload    string        `json:"workload"`
	Concurrency int           `json:"concurrency"`
	Cells       []CellSummary `json:"-"`
	// CellIDs lists Cells by id, in the JSON rendering.
	CellIDs []string `json:"cells"`
	// Best maps a column key, such as "ttft_ms.p99", to the ids of the
	// cells with the best value (several on a tie). A column is absent
	// when it has no best, fewer than two values, or all values tie.
	Best map[string][]string `json:"best"`
}

// comparisonColumns are the sweep's columns without the load level,
// which a comparison fixes.
var comparisonColumns = sweepColumns[1:]

// CompareEndpoints groups cells by workload and concurrency, keeping the
// groups where more than one endpoint ran, in order of workload then
// concurrency.
func CompareEndpoints(cells []CellSummary) []Comparison {
	type key struct {
		workload    string
		concurrency int
	}
	var keys []key
	groups := map[key][]CellSummary{}
	for _, c := range cells {
		k := key{c.Workload, c.Concurrency}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.workload, b.workload), cmp.Compare(a.concurrency, b.concurrency))
	})

	var out []Comparison
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		c := Comparison{Workload: k.workload, Concurrency: k.concurrency, Cells: g, Best: map[string][]string{}}
		for _, s := range g {
			c.CellIDs = append(c.CellIDs, s.ID)
		}
		columns := visibleColumns(comparisonColumns, g)
		for i, rows := range bestRows(columns, g) {
			for j, best := range rows {
				if best {
					c.Best[columns[i].Key] = append(c.Best[columns[i].Key], g[j].ID)
				}
			}
		}
		out = append(out, c)
	}
	return out
}
