package suite

import (
	"gopkg.in/yaml.v3"
)

// inheritance holds the pairs of the defaults block that endpoints,
// workloads and the load block inherit.
type inheritance struct {
	endpoint, workload, load []pair
}

// defaultsNodes finds the defaults block in root without reporting
// anything; d.defaults reports its problems once.
func (d *decoder) defaultsNodes(root *yaml.Node) inheritance {
	var out inheritance
	block := d.lookup(root, "defaults")
	if block == nil || block.Kind != yaml.MappingNode {
		return out
	}
	for _, p := range d.pairs(block) {
		v := d.resolve(p.value)
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		inner := d.pairs(v)
		switch p.key.Value {
		case "endpoint":
			out.endpoint = inner
		case "workload":
			out.workload = inner
		case "load":
			out.load = inner
		}
	}
	return out
}

// lookup returns the value of key in mapping n, or nil.
func (d *decoder) lookup(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for _, p := range d.pairs(n) {
		if p.key.Value == key {
			return d.resolve(p.value)
		}
	}
	return nil
}

// defaults decodes the defaults block itself, so that its problems are
// reported even when nothing inherits from it.
func (d *decoder) defaults(n *yaml.Node, out *Defaults) {
	d.mapping(n, "defaults", "a mapping with endpoint, workload or load", []field{
		{key: "endpoint", decode: func(n *yaml.Node) { d.endpoint(n, nil, "defaults.endpoint", nil, &out.Endpoint) }},
		{key: "workload", decode: func(n *yaml.Node) { d.workload(n, nil, "defaults.workload", nil, &out.Workload) }},
		{key: "load", decode: func(n *yaml.Node) { d.loadFields(n, nil, "defaults.load", false, &out.Load) }},
	})
}

// labels decodes a mapping of label names to string values.
func (d *decoder) labels(n *yaml.Node) map[string]string {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "\"labels\" must be a mapping of names to values, such as {team: infra}, got %s", describe(n))
		return nil
	}
	out := map[string]string{}
	for _, p := range d.pairs(n) {
		v := d.resolve(p.value)
		if v == nil {
			continue
		}
		if v.Kind != yaml.ScalarNode || isNull(v) {
			d.errorf(v, "label %q must be a string, got %s", p.key.Value, describe(v))
			continue
		}
		if s, ok := d.text(v, p.key.Value, "a string"); ok {
			out[p.key.Value] = s
		}
	}
	return out
}

// stringList decodes a list of non-empty strings.
func (d *decoder) stringList(n *yaml.Node, key string) []string {
	var out []string
	d.sequence(n, key, "a list of strings", func(_ int, item *yaml.Node) {
		var s string
		d.requiredStr(item, key, &s)
		if s != "" {
			out = append(out, s)
		}
	})
	return out
}

// nullKey reports key when mapping n writes it with no value.
func (d *decoder) nullKey(n *yaml.Node, key string) {
	for _, p := range d.pairs(n) {
		if v := d.resolve(p.value); p.key.Value == key && v != nil && isNull(v) {
			d.errorf(p.key, "missing value for required key %q", key)
		}
	}
}
