package suite

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Override replaces one value of the suite file before it is validated,
// as "--set load.concurrency=1,2,4" does. Path is dotted: mapping keys,
// with a list item of endpoints or workloads chosen by its name, as in
// "endpoints.h200.base_url". Value is YAML, so "[1, 2]" is a list and
// "{dist: fixed, value: 64}" a mapping. A value with a comma outside
// brackets and quotes, such as "1,2,4", is read as a list.
type Override struct {
	Path  string
	Value string
}

// ParseOverride splits "path=value".
func ParseOverride(s string) (Override, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(path) == "" {
		return Override{}, fmt.Errorf("invalid --set %q; write it as KEY=VALUE, such as load.concurrency=1,2,4", s)
	}
	return Override{Path: strings.TrimSpace(path), Value: value}, nil
}

// source name of an override, used as the file in its error positions.
func (o Override) source() string {
	return "--set " + o.Path
}

// applyOverrides sets each override's value in root, reporting paths that
// do not name a value the suite can hold.
func (d *decoder) applyOverrides(root *yaml.Node, overrides []Override) {
	for _, o := range overrides {
		value := d.overrideValue(o)
		if value == nil {
			continue
		}
		if err := d.setPath(root, strings.Split(o.Path, "."), value); err != nil {
			d.errorAt(Pos{File: o.source()}, err.Error())
		}
	}
}

func (d *decoder) overrideValue(o Override) *yaml.Node {
	text := o.Value
	trimmed := strings.TrimSpace(text)
	if strings.Contains(trimmed, ",") && !strings.ContainsAny(trimmed[:1], "[{\"'") {
		text = "[" + trimmed + "]"
	}
	file := o.source()
	d.sources[file] = &source{lines: []string{text}, secretCols: map[int]int{}}

	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		d.errorAt(Pos{File: file}, fmt.Sprintf("invalid value %q: %s", o.Value, strings.TrimPrefix(err.Error(), "yaml: ")))
		return nil
	}
	if len(doc.Content) == 0 {
		doc.Content = []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!null", Line: 1, Column: 1}}
	}
	d.markOverride(doc.Content[0], file)
	return doc.Content[0]
}

func (d *decoder) markOverride(n *yaml.Node, file string) {
	d.nodeFile[n] = file
	for _, c := range n.Content {
		d.markOverride(c, file)
	}
}

// setPath puts value at path under n, adding mapping keys that are
// missing. Items of endpoints and workloads are chosen by name.
func (d *decoder) setPath(n *yaml.Node, path []string, value *yaml.Node) error {
	for i, step := range path {
		n = d.resolve(n)
		if n == nil || step == "" {
			return fmt.Errorf("invalid --set path %q", strings.Join(path, "."))
		}
		if n.Kind == yaml.SequenceNode {
			item := d.itemByName(n, step)
			if item == nil {
				return fmt.Errorf("no item named %q in %q", step, path[i-1])
			}
			n = item
			if i == len(path)-1 {
				return fmt.Errorf("set a key of %q, such as %s.model", step, strings.Join(path, "."))
			}
			continue
		}
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%q is not a mapping", strings.Join(path[:i], "."))
		}

		key, current := d.ownPair(n, step)
		switch {
		case i == len(path)-1 && key != nil:
			*current = *value
			d.nodeFile[current] = d.nodeFile[value]
			return nil
		case i == len(path)-1:
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: step, Line: value.Line, Column: value.Column}
			d.nodeFile[k] = d.nodeFile[value]
			n.Content = append(n.Content, k, value)
			return nil
		case key == nil:
			current = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: step}, current)
		}
		n = current
	}
	return nil
}

// ownPair returns the key and value nodes of key written in n itself.
func (d *decoder) ownPair(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

func (d *decoder) itemByName(list *yaml.Node, name string) *yaml.Node {
	for _, item := range list.Content {
		item = d.resolve(item)
		if item == nil || item.Kind != yaml.MappingNode {
			continue
		}
		if _, v := d.ownPair(item, "name"); v != nil && v.Value == name {
			return item
		}
	}
	return nil
}

// Select keeps only the named endpoints and workloads; an empty list keeps
// them all. It returns an error naming an unknown name, or when the
// matrix has no cell left.
func (s *Suite) Select(endpoints, workloads []string) error {
	var err error
	s.Endpoints, err = selectNamed(s.Endpoints, endpoints, "endpoint", func(e Endpoint) string { return e.Name })
	if err != nil {
		return err
	}
	s.Workloads, err = selectNamed(s.Workloads, workloads, "workload", func(w Workload) string { return w.Name })
	if err != nil {
		return err
	}
	if len(s.Cells()) == 0 {
		return fmt.Errorf("the selected endpoints and workloads leave no cell to run")
	}
	return nil
}

func selectNamed[T any](items []T, want []string, kind string, name func(T) string) ([]T, error) {
	if len(want) == 0 {
		return items, nil
	}
	all := make([]string, len(items))
	for i, item := range items {
		all[i] = name(item)
	}
	for _, w := range want {
		if slices.Contains(all, w) {
			continue
		}
		if hint := suggest(w, all); hint != "" {
			return nil, fmt.Errorf("unknown %s %q; did you mean %q?", kind, w, hint)
		}
		return nil, fmt.Errorf("unknown %s %q; the suite has %s", kind, w, strings.Join(all, ", "))
	}
	var out []T
	for _, item := range items {
		if slices.Contains(want, name(item)) {
			out = append(out, item)
		}
	}
	return out, nil
}
