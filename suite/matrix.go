package suite

import "fmt"

// Cells expands the run matrix: every endpoint × every workload × every
// concurrency level, nested in that order, so the last concurrency level
// changes fastest. Index counts from 0 in that order. ID is
// "endpoint/workload/c<concurrency>", which stays the same while the names
// and the level do, wherever the cell sits in the matrix.
func (s *Suite) Cells() []Cell {
	cells := make([]Cell, 0, len(s.Endpoints)*len(s.Workloads)*len(s.Load.Concurrency))
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		for j := range s.Workloads {
			w := &s.Workloads[j]
			for _, c := range s.Load.Concurrency {
				cells = append(cells, Cell{
					ID:          fmt.Sprintf("%s/%s/c%d", e.Name, w.Name, c),
					Index:       len(cells),
					Endpoint:    e,
					Workload:    w,
					Concurrency: c,
				})
			}
		}
	}
	return cells
}
