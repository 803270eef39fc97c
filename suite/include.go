package suite

import (
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// listKeys are the top-level keys whose lists are concatenated across
// included files.
var listKeys = []string{"endpoints", "workloads", "sinks", "assertions"}

// mergeDepth is how many mapping levels of a top-level key are merged key
// by key across included files. Below that depth the winning value
// replaces the others whole. "defaults" merges two levels, so an including
// file can change one endpoint default without repeating the rest.
var mergeDepth = map[string]int{"labels": 1, "load": 1, "report": 1, "matrix": 1, "defaults": 2}

// canonicalPath returns an absolute, cleaned path for cycle detection.
func canonicalPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// resolvePath returns rel relative to the directory of the file that
// contains n, unless rel is absolute.
func (d *decoder) resolvePath(n *yaml.Node, rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(filepath.Dir(d.fileOf(n)), rel)
}

// withIncludes returns root with the files its "include" key lists merged
// in, recursively. stack holds the canonical paths of the files being
// included, from the top suite down, to find cycles.
func (d *decoder) withIncludes(root *yaml.Node, path string, stack []string) *yaml.Node {
	var list *yaml.Node
	for _, p := range d.pairs(root) {
		if p.key.Value == "include" {
			list = d.resolve(p.value)
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return root
	}

	var parts []*yaml.Node
	for _, item := range list.Content {
		if sub := d.includeOne(item, stack); sub != nil {
			parts = append(parts, sub)
		}
	}
	return d.mergeRoots(append(parts, root))
}

// includeOne loads one item of an include list and its own includes.
func (d *decoder) includeOne(item *yaml.Node, stack []string) *yaml.Node {
	item = d.resolve(item)
	if item == nil || item.Kind != yaml.ScalarNode {
		return nil // stringList reports the wrong type when "include" is decoded
	}
	rel, ok := d.text(item, "include", "a file path")
	if !ok || strings.TrimSpace(rel) == "" {
		return nil
	}
	path := d.resolvePath(item, rel)

	canon := canonicalPath(path)
	if i := slices.Index(stack, canon); i >= 0 {
		chain := make([]string, 0, len(stack)-i+1)
		for _, p := range stack[i:] {
			chain = append(chain, filepath.Base(p))
		}
		d.errorf(item, "include cycle: %s -> %s; remove one of the includes", strings.Join(chain, " -> "), filepath.Base(canon))
		return nil
	}
	data, err := d.opts.ReadFile(path)
	if err != nil {
		d.errorf(item, "cannot read included file %q: %s", rel, unwrapPathError(err))
		return nil
	}

	sub := d.document(data, path)
	if sub == nil {
		return nil
	}
	return d.withIncludes(sub, path, append(slices.Clip(stack), canon))
}

// mergeRoots merges top-level mappings, from lowest to highest precedence.
func (d *decoder) mergeRoots(roots []*yaml.Node) *yaml.Node {
	own := roots[len(roots)-1]
	occurrences := map[string][]pair{}
	var order []string
	for _, root := range roots {
		for _, p := range d.pairs(root) {
			key := p.key.Value
			if _, seen := occurrences[key]; !seen {
				order = append(order, key)
			}
			occurrences[key] = append(occurrences[key], p)
		}
	}

	merged := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: own.Line, Column: own.Column}
	for _, key := range order {
		ps := occurrences[key]
		last := ps[len(ps)-1]
		value := last.value
		switch {
		case key == "include":
			// Only the top file's own list is kept, as written.
			if d.fileOf(last.key) != d.file {
				continue
			}
		case slices.Contains(listKeys, key):
			value = d.concatLists(ps)
		case mergeDepth[key] > 0:
			value = d.mergeMappings(ps, mergeDepth[key])
		}
		merged.Content = append(merged.Content, last.key, value)
	}
	return merged
}

// concatLists joins the list values of ps in order. When one of them is
// not a list it is returned alone, so that decoding reports it.
func (d *decoder) concatLists(ps []pair) *yaml.Node {
	first := d.resolve(ps[0].value)
	if len(ps) == 1 || first == nil {
		return ps[0].value
	}
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.Line, Column: first.Column}
	d.nodeFile[out] = d.fileOf(first)
	for _, p := range ps {
		v := d.resolve(p.value)
		if v == nil {
			continue
		}
		if v.Kind != yaml.SequenceNode {
			return v
		}
		out.Content = append(out.Content, v.Content...)
	}
	return out
}

// mergeMappings merges the mapping values of ps key by key, later pairs
// winning, down to depth levels. When one of them is not a mapping, the
// last value wins whole.
func (d *decoder) mergeMappings(ps []pair, depth int) *yaml.Node {
	last := d.resolve(ps[len(ps)-1].value)
	if len(ps) == 1 || last == nil || last.Kind != yaml.MappingNode {
		return ps[len(ps)-1].value
	}

	occurrences := map[string][]pair{}
	var order []string
	for _, p := range ps {
		v := d.resolve(p.value)
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		for _, inner := range d.pairs(v) {
			if _, seen := occurrences[inner.key.Value]; !seen {
				order = append(order, inner.key.Value)
			}
			occurrences[inner.key.Value] = append(occurrences[inner.key.Value], inner)
		}
	}

	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: last.Line, Column: last.Column}
	d.nodeFile[out] = d.fileOf(last)
	for _, key := range order {
		inner := occurrences[key]
		value := inner[len(inner)-1].value
		if depth > 1 {
			value = d.mergeMappings(inner, depth-1)
		}
		out.Content = append(out.Content, inner[len(inner)-1].key, value)
	}
	return out
}

// unwrapPathError drops the path that os errors repeat, since messages
// already quote it.
func unwrapPathError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// fileError reports that a file named by key could not be used.
func (d *decoder) fileError(n *yaml.Node, key, rel string, err error) {
	d.errorf(n, "cannot read %s %q: %s", key, rel, unwrapPathError(err))
}
