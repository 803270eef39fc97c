package suite

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// names tracks the names used in one list so that a repeat can point at
// the first use.
type names map[string]*yaml.Node

// addName records name, or reports it when the list already has it. kind
// is "endpoint", "workload" or "assertion".
func (d *decoder) addName(seen names, n *yaml.Node, kind, name string) {
	if prev, ok := seen[name]; ok {
		d.errorf(n, "duplicate %s name %q; the first is at line %d", kind, name, prev.Line)
		return
	}
	seen[name] = n
}

// cellName decodes an endpoint or workload name, which becomes part of
// cell ids and result file names.
func (d *decoder) cellName(n *yaml.Node, kind string, seen names, out *string) {
	var s string
	d.requiredStr(n, "name", &s)
	if s == "" {
		return
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r > 0x7f || !isIDByte(byte(r)) }); i >= 0 {
		d.errorf(n, "%s name %q may contain only letters, digits, \".\", \"-\" and \"_\", because it is part of cell ids and file names", kind, s)
		return
	}
	d.addName(seen, n, kind, s)
	*out = s
}

func isIDByte(c byte) bool {
	return isNameByte(c) || c == '-' || c == '.'
}

func (d *decoder) endpoints(n *yaml.Node) []Endpoint {
	var out []Endpoint
	seen := names{}
	d.sequence(n, "endpoints", "a list of endpoints", func(i int, item *yaml.Node) {
		e := Endpoint{}
		d.endpoint(item, fmt.Sprintf("endpoints[%d]", i), seen, &e)
		out = append(out, e)
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "\"endpoints\" is empty; list at least one endpoint")
	}
	return out
}

func (d *decoder) endpoint(n *yaml.Node, where string, seen names, e *Endpoint) {
	d.mapping(n, where, "a mapping", []field{
		{key: "name", required: true, decode: func(n *yaml.Node) { d.cellName(n, "endpoint", seen, &e.Name) }},
		{key: "provider", required: true, decode: func(n *yaml.Node) { d.provider(n, &e.Provider) }},
		{key: "base_url", required: true, decode: func(n *yaml.Node) { d.baseURL(n, &e.BaseURL) }},
		{key: "model", required: true, decode: func(n *yaml.Node) { d.requiredStr(n, "model", &e.Model) }},
		{key: "api_key", decode: func(n *yaml.Node) { d.apiKey(n, &e.APIKey) }},
		{key: "headers", decode: func(n *yaml.Node) { e.Headers = d.headers(n) }},
		{key: "gpu", decode: func(n *yaml.Node) { d.gpu(n, &e.GPU) }},
		{key: "price", decode: func(n *yaml.Node) { d.price(n, &e.Price) }},
		{key: "sampling", decode: func(n *yaml.Node) { e.Sampling = d.sampling(n) }},
	})
}

func (d *decoder) provider(n *yaml.Node, out *string) {
	var s string
	d.requiredStr(n, "provider", &s)
	if s == "" {
		return
	}
	known := d.opts.Providers
	if known != nil && !slices.Contains(known, s) {
		if hint := suggest(s, known); hint != "" {
			d.errorf(n, "unknown provider %q; did you mean %q?", s, hint)
		} else {
			d.errorf(n, "unknown provider %q; use one of %s", s, strings.Join(known, ", "))
		}
		return
	}
	*out = s
}

func (d *decoder) baseURL(n *yaml.Node, out *string) {
	var s string
	d.requiredStr(n, "base_url", &s)
	if s == "" {
		return
	}
	if rest, ok := strings.CutPrefix(s, MockBaseURL); ok && (rest == "" || rest[0] == '?') {
		if d.mockPacing(n, s, rest) {
			*out = s
		}
		return
	}

	u, err := url.Parse(s)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		*out = s
		return
	}
	display := s
	if err == nil {
		display = u.Redacted()
	}
	d.errorf(n, "invalid \"base_url\" %q; use an http:// or https:// URL such as \"http://127.0.0.1:8000/v1\", or %q for the built-in mock server", display, MockBaseURL)
}

// mockPacing checks the optional query of a "builtin:mock" base_url,
// "?ttft=50ms&itl=5ms", which sets the mock server's time to first token
// and inter-token latency.
func (d *decoder) mockPacing(n *yaml.Node, baseURL, query string) bool {
	values, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		d.errorf(n, "invalid \"base_url\" %q: %s; write the pacing as %q", baseURL, err, MockBaseURL+"?ttft=50ms&itl=5ms")
		return false
	}

	ok := true
	for _, key := range slices.Sorted(maps.Keys(values)) {
		value := values[key][len(values[key])-1]
		switch {
		case !slices.Contains(mockParams, key):
			hint := "use ttft and itl"
			if s := suggest(key, mockParams); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			d.errorf(n, "invalid \"base_url\" %q: unknown parameter %q; %s", baseURL, key, hint)
			ok = false
		case len(values[key]) > 1:
			d.errorf(n, "invalid \"base_url\" %q: parameter %q is given %d times; give it once", baseURL, key, len(values[key]))
			ok = false
		default:
			if v, err := time.ParseDuration(value); err != nil || v < 0 {
				d.errorf(n, "invalid \"base_url\" %q: %s must be a duration of 0 or more such as \"20ms\", got %q", baseURL, key, value)
				ok = false
			}
		}
	}
	return ok
}

// mockParams are the query parameters of a "builtin:mock" base_url.
var mockParams = []string{"ttft", "itl"}

// apiKey decodes the key and warns when it is written in the file instead
// of read from the environment. Messages never include the key's value.
func (d *decoder) apiKey(n *yaml.Node, out *string) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "\"api_key\" must be a string such as \"${OPENAI_API_KEY}\", got %s", describe(n))
		return
	}
	s, fromEnv, err := expandEnv(n.Value, d.opts.LookupEnv)
	if err != nil {
		d.errorf(n, "%s", err)
		return
	}
	if !fromEnv && s != "" {
		d.warnf(n, "api_key is written in the suite file; use ${ENV_VAR} so the key stays out of the repository")
	}
	*out = s
}

func (d *decoder) headers(n *yaml.Node) map[string]string {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "\"headers\" must be a mapping of header names to values, got %s", describe(n))
		return nil
	}
	out := map[string]string{}
	for _, p := range d.pairs(n) {
		v := d.resolve(p.value)
		if v == nil {
			continue
		}
		// The value is not quoted in messages because headers often
		// carry credentials.
		if v.Kind != yaml.ScalarNode || isNull(v) {
			d.errorf(v, "header %q must be a string, got %s", p.key.Value, kindName(v))
			continue
		}
		s, _, err := expandEnv(v.Value, d.opts.LookupEnv)
		if err != nil {
			d.errorf(v, "%s", err)
			continue
		}
		out[p.key.Value] = s
	}
	return out
}

func kindName(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return "nothing"
	}
	return describe(n)
}

func (d *decoder) gpu(n *yaml.Node, g *GPU) {
	d.mapping(n, "gpu", "a mapping such as {model: H200, count: 1}", []field{
		{key: "model", decode: func(n *yaml.Node) { d.str(n, "model", &g.Model) }},
		{key: "count", decode: func(n *yaml.Node) { d.atLeast(n, "count", 0, &g.Count) }},
		{key: "memory_gib", decode: func(n *yaml.Node) { d.nonNegative(n, "memory_gib", &g.MemoryGiB) }},
		{key: "vendor", decode: func(n *yaml.Node) { d.str(n, "vendor", &g.Vendor) }},
	})
}

func (d *decoder) price(n *yaml.Node, p *Price) {
	d.mapping(n, "price", "a mapping such as {per_hour_usd: 2.50}", []field{
		{key: "per_hour_usd", decode: func(n *yaml.Node) { d.nonNegative(n, "per_hour_usd", &p.PerHourUSD) }},
	})
}

func (d *decoder) sampling(n *yaml.Node) map[string]any {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "\"sampling\" must be a mapping of request body fields, such as {temperature: 0}, got %s", describe(n))
		return nil
	}
	v, _ := d.anyValue(n).(map[string]any)
	return v
}

// anyValue converts a node to the Go value yaml.v3 would decode it to,
// after expanding environment references in scalars. A plain scalar that
// an expansion changed is resolved again, so "${TEMP:-0.7}" becomes the
// number 0.7.
func (d *decoder) anyValue(n *yaml.Node) any {
	n = d.resolve(n)
	if n == nil {
		return nil
	}

	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for _, p := range d.pairs(n) {
			m[p.key.Value] = d.anyValue(p.value)
		}
		return m
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			list = append(list, d.anyValue(item))
		}
		return list
	}

	s, _, err := expandEnv(n.Value, d.opts.LookupEnv)
	if err != nil {
		d.errorf(n, "%s", err)
		return nil
	}
	scalar := yaml.Node{Kind: yaml.ScalarNode, Style: n.Style, Tag: n.Tag, Value: s}
	if s != n.Value && n.Style == 0 {
		scalar.Tag = ""
	}
	var v any
	if err := scalar.Decode(&v); err != nil {
		d.errorf(n, "invalid value %q: %s", s, strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	return v
}
