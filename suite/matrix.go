package suite

import (
	"fmt"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Cell is one point of the run matrix.
type Cell struct {
	// ID is stable across runs of the same suite:
	// "endpoint/workload/c8" for concurrency 8, "endpoint/workload/r2.5"
	// for 2.5 requests per second, with "/run2" and so on appended for
	// repetitions after the first when load.repeat is more than 1.
	ID string
	// Index is the cell's place in Suite.Cells, from 0.
	Index int
	// Endpoint and Workload point into the Suite.
	Endpoint *Endpoint
	Workload *Workload
	// Concurrency is the number of requests kept in flight, or 0 in rate
	// mode.
	Concurrency int
	// Rate is the open-loop request rate in requests per second, or 0 in
	// closed-loop mode.
	Rate float64
	// Repetition counts the runs of the same cell from 1 to load.repeat.
	Repetition int
}

// level is one load level: a concurrency or a rate.
type level struct {
	concurrency int
	rate        float64
}

func (l level) String() string {
	if l.rate > 0 {
		return "r" + strconv.FormatFloat(l.rate, 'f', -1, 64)
	}
	return "c" + strconv.Itoa(l.concurrency)
}

// Cells expands the run matrix. It lists every enabled endpoint × every
// workload × every load level, nested in that order so the last level
// changes fastest, and leaves out the cells an exclude rule matches. The
// cells that include rules add follow. The whole list then repeats
// load.repeat times, and Index counts from 0 in that order.
func (s *Suite) Cells() []Cell {
	var base []Cell
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if !e.Enabled {
			continue
		}
		for j := range s.Workloads {
			w := &s.Workloads[j]
			for _, lv := range s.Load.levels() {
				c := Cell{Endpoint: e, Workload: w, Concurrency: lv.concurrency, Rate: lv.rate}
				if !slices.ContainsFunc(s.Matrix.Exclude, func(r MatrixRule) bool { return r.matches(c) }) {
					base = append(base, c)
				}
			}
		}
	}
	for _, r := range s.Matrix.Include {
		base = append(base, s.ruleCells(r)...)
	}

	repeat := max(s.Load.Repeat, 1)
	cells := make([]Cell, 0, len(base)*repeat)
	for run := 1; run <= repeat; run++ {
		for _, c := range base {
			c.Repetition, c.Index = run, len(cells)
			c.ID = cellID(c, repeat)
			cells = append(cells, c)
		}
	}
	return cells
}

func cellID(c Cell, repeat int) string {
	id := fmt.Sprintf("%s/%s/%s", c.Endpoint.Name, c.Workload.Name, level{c.Concurrency, c.Rate})
	if repeat > 1 && c.Repetition > 1 {
		id += fmt.Sprintf("/run%d", c.Repetition)
	}
	return id
}

// levels lists the load levels: the concurrency levels, else the rates.
func (l *LoadProfile) levels() []level {
	var out []level
	for _, c := range l.Concurrency {
		out = append(out, level{concurrency: c})
	}
	for _, r := range l.Rate {
		out = append(out, level{rate: r})
	}
	return out
}

// matches reports whether c has, for every key r sets, a listed value.
func (r MatrixRule) matches(c Cell) bool {
	return (len(r.Endpoint) == 0 || slices.Contains(r.Endpoint, c.Endpoint.Name)) &&
		(len(r.Workload) == 0 || slices.Contains(r.Workload, c.Workload.Name)) &&
		(len(r.Concurrency) == 0 || slices.Contains(r.Concurrency, c.Concurrency)) &&
		(len(r.Rate) == 0 || slices.Contains(r.Rate, c.Rate))
}

// ruleCells lists the cells an include rule adds: its endpoints (default
// every enabled one) × its workloads (default all) × its levels.
func (s *Suite) ruleCells(r MatrixRule) []Cell {
	var out []Cell
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if !e.Enabled || (len(r.Endpoint) > 0 && !slices.Contains(r.Endpoint, e.Name)) {
			continue
		}
		for j := range s.Workloads {
			w := &s.Workloads[j]
			if len(r.Workload) > 0 && !slices.Contains(r.Workload, w.Name) {
				continue
			}
			for _, c := range r.Concurrency {
				out = append(out, Cell{Endpoint: e, Workload: w, Concurrency: c})
			}
			for _, rate := range r.Rate {
				out = append(out, Cell{Endpoint: e, Workload: w, Rate: rate})
			}
		}
	}
	return out
}

// ruleNodes are the value nodes of one matrix rule, for messages.
type ruleNodes struct {
	rule               *yaml.Node
	endpoint, workload *yaml.Node
	concurrency, rate  *yaml.Node
}

// matrixNodes keeps the rule nodes that checkMatrix points at.
type matrixNodes struct {
	exclude, include []ruleNodes
}

func (d *decoder) matrix(n *yaml.Node, m *Matrix) {
	d.matrixRules = &matrixNodes{}
	d.mapping(n, "matrix", "a mapping with exclude or include", []field{
		{key: "exclude", decode: func(n *yaml.Node) { m.Exclude = d.rules(n, "exclude", &d.matrixRules.exclude) }},
		{key: "include", decode: func(n *yaml.Node) { m.Include = d.rules(n, "include", &d.matrixRules.include) }},
	})
}

func (d *decoder) rules(n *yaml.Node, key string, nodes *[]ruleNodes) []MatrixRule {
	var out []MatrixRule
	d.sequence(n, key, "a list of rules such as {endpoint: a, concurrency: 64}", func(i int, item *yaml.Node) {
		r, rn := MatrixRule{Pos: d.pos(item)}, ruleNodes{rule: item}
		d.mapping(item, fmt.Sprintf("matrix.%s[%d]", key, i), "a mapping such as {endpoint: a, concurrency: 64}", []field{
			{key: "endpoint", decode: func(n *yaml.Node) { rn.endpoint = n; r.Endpoint = d.oneOrMany(n, "endpoint") }},
			{key: "workload", decode: func(n *yaml.Node) { rn.workload = n; r.Workload = d.oneOrMany(n, "workload") }},
			{key: "concurrency", decode: func(n *yaml.Node) { rn.concurrency = n; r.Concurrency = d.concurrency(n) }},
			{key: "rate", decode: func(n *yaml.Node) { rn.rate = n; r.Rate = d.rates(n, "rate") }},
		})
		if item.Kind == yaml.MappingNode && len(item.Content) == 0 {
			d.errorf(item, "matrix.%s[%d] is empty, so it would match every cell; set endpoint, workload, concurrency or rate", key, i)
		}
		out = append(out, r)
		*nodes = append(*nodes, rn)
	})
	return out
}

// oneOrMany decodes one string or a list of strings.
func (d *decoder) oneOrMany(n *yaml.Node, key string) []string {
	if n.Kind == yaml.SequenceNode {
		return d.stringList(n, key)
	}
	var s string
	d.requiredStr(n, key, &s)
	if s == "" {
		return nil
	}
	return []string{s}
}
