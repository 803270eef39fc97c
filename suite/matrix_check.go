package suite

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkMatrix checks what needs the whole suite: rule names that match no
// endpoint or workload, rules that match no cell, include rules that add
// cells twice, and an empty matrix. It runs only on an otherwise valid
// suite.
func (d *decoder) checkMatrix(s *Suite, root, loadNode, matrixNode *yaml.Node) {
	if !slices.ContainsFunc(s.Endpoints, func(e Endpoint) bool { return e.Enabled }) {
		d.errorf(d.lookup(root, "endpoints"), "every endpoint has \"enabled: false\"; enable at least one")
		return
	}

	if d.matrixRules != nil {
		d.checkRules(s, s.Matrix.Exclude, d.matrixRules.exclude, "exclude")
		d.checkRules(s, s.Matrix.Include, d.matrixRules.include, "include")
	}
	if len(d.errs) > 0 {
		return
	}

	cells := s.Cells()
	seen := map[string]bool{}
	for _, c := range cells {
		if seen[c.ID] {
			d.errorf(matrixNode, "matrix.include adds cell %q, which the matrix already has; remove it from the include rule", c.ID)
			return
		}
		seen[c.ID] = true
	}
	if len(cells) == 0 {
		at := matrixNode
		if at == nil {
			at = loadNode
		}
		d.errorf(at, "the matrix is empty after the exclude rules; remove a rule or add a cell")
	}
}

func (d *decoder) checkRules(s *Suite, rules []MatrixRule, nodes []ruleNodes, kind string) {
	endpoints := make([]string, 0, len(s.Endpoints))
	for _, e := range s.Endpoints {
		endpoints = append(endpoints, e.Name)
	}
	workloads := make([]string, 0, len(s.Workloads))
	for _, w := range s.Workloads {
		workloads = append(workloads, w.Name)
	}

	for i, r := range rules {
		rn := nodes[i]
		before := len(d.errs)
		d.knownNames(rn.endpoint, "endpoint", r.Endpoint, endpoints)
		d.knownNames(rn.workload, "workload", r.Workload, workloads)
		if len(d.errs) > before {
			continue
		}

		if kind == "include" {
			d.checkIncludeRule(rn, r, i)
			continue
		}
		if !d.ruleMatchesAny(s, r) {
			d.errorf(rn.rule, "matrix.exclude[%d] matches no cell of the matrix; fix its values or remove it", i)
		}
	}
}

func (d *decoder) checkIncludeRule(rn ruleNodes, r MatrixRule, i int) {
	switch {
	case rn.concurrency == nil && rn.rate == nil:
		d.errorf(rn.rule, "matrix.include[%d] needs \"concurrency\" or \"rate\", the load of the cells it adds", i)
	case rn.concurrency != nil && rn.rate != nil:
		d.errorf(rn.rate, "matrix.include[%d] sets both \"concurrency\" and \"rate\"; a cell is closed-loop or open-loop, so use two rules", i)
	}
}

// ruleMatchesAny reports whether an exclude rule matches a cell of the
// product before any rule is applied.
func (d *decoder) ruleMatchesAny(s *Suite, r MatrixRule) bool {
	for i := range s.Endpoints {
		for j := range s.Workloads {
			for _, lv := range s.Load.levels() {
				c := Cell{Endpoint: &s.Endpoints[i], Workload: &s.Workloads[j], Concurrency: lv.concurrency, Rate: lv.rate}
				if s.Endpoints[i].Enabled && r.matches(c) {
					return true
				}
			}
		}
	}
	return false
}

// knownNames reports names that are not in known, with a suggestion.
func (d *decoder) knownNames(n *yaml.Node, kind string, names, known []string) {
	for _, name := range names {
		if slices.Contains(known, name) {
			continue
		}
		if hint := suggest(name, known); hint != "" {
			d.errorf(n, "matrix rule names unknown %s %q; did you mean %q?", kind, name, hint)
		} else {
			d.errorf(n, "matrix rule names unknown %s %q; the %ss are %s", kind, name, kind, strings.Join(known, ", "))
		}
	}
}
