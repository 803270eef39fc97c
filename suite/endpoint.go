package suite

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

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

func (d *decoder) endpoints(n *yaml.Node, inherited []pair) []Endpoint {
	var out []Endpoint
	seen := names{}
	d.sequence(n, "endpoints", "a list of endpoints", func(i int, item *yaml.Node) {
		e := Endpoint{}
		d.endpoint(item, inherited, fmt.Sprintf("endpoints[%d]", i), seen, &e)
		out = append(out, e)
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "\"endpoints\" is empty; list at least one endpoint")
	}
	return out
}

// endpoint decodes one endpoint; with seen nil it decodes defaults.endpoint,
// where no key is required and "name" is rejected.
func (d *decoder) endpoint(n *yaml.Node, inherited []pair, where string, seen names, e *Endpoint) {
	e.StreamUsage, e.Tokenizer, e.Enabled = DefaultStreamUsage, DefaultTokenizer, true
	isItem := seen != nil
	var priceNode, keyNode, keyFileNode *yaml.Node
	fields := []field{
		{key: "name", required: isItem, decode: func(n *yaml.Node) { d.cellName(n, "endpoint", seen, &e.Name) }},
		{key: "provider", required: isItem, decode: func(n *yaml.Node) { d.provider(n, &e.Provider) }},
		{key: "base_url", required: isItem, decode: func(n *yaml.Node) { d.baseURL(n, &e.BaseURL) }},
		{key: "model", required: isItem, decode: func(n *yaml.Node) { d.requiredStr(n, "model", &e.Model) }},
		{key: "api_key", decode: func(n *yaml.Node) { keyNode = n; d.apiKey(n, &e.APIKey) }},
		{key: "api_key_file", decode: func(n *yaml.Node) { keyFileNode = n; d.apiKeyFile(n, e) }},
		{key: "headers", decode: func(n *yaml.Node) { e.Headers = d.headers(n) }},
		{key: "timeout", decode: func(n *yaml.Node) { d.duration(n, "timeout", &e.Timeout) }},
		{key: "timeouts", decode: func(n *yaml.Node) { d.timeouts(n, &e.Timeouts) }},
		{key: "limits", decode: func(n *yaml.Node) { d.limits(n, &e.Limits) }},
		{key: "tls", decode: func(n *yaml.Node) { d.tls(n, &e.TLS) }},
		{key: "http", decode: func(n *yaml.Node) { d.http(n, &e.HTTP) }},
		{key: "gpu", decode: func(n *yaml.Node) { d.gpu(n, &e.GPU) }},
		{key: "price", decode: func(n *yaml.Node) { priceNode = n; d.price(n, &e.Price) }},
		{key: "sampling", decode: func(n *yaml.Node) { e.Sampling = d.sampling(n) }},
		{key: "stream_usage", decode: func(n *yaml.Node) {
			d.oneOf(n, "stream_usage", []string{"auto", "on", "off"}, &e.StreamUsage)
		}},
		{key: "tokenizer", decode: func(n *yaml.Node) { d.tokenizer(n, &e.Tokenizer) }},
		{key: "enabled", decode: func(n *yaml.Node) { d.boolean(n, "enabled", &e.Enabled) }},
	}
	if !isItem {
		fields[0] = field{key: "name", reject: "\"name\" cannot have a default, because every endpoint needs its own"}
	}
	d.mappingInherit(n, inherited, where, "a mapping", fields)

	if keyNode != nil && keyFileNode != nil {
		d.errorf(keyFileNode, "endpoint sets both \"api_key\" and \"api_key_file\"; keep one")
	}
	if isItem && priceNode != nil && e.Price.PerGPUHourUSD > 0 && e.GPU.Count < 1 {
		d.errorf(priceNode, "endpoint %q sets \"per_gpu_hour_usd\" but no \"gpu.count\"; set gpu.count, or use per_hour_usd for the whole endpoint", e.Name)
	}
}

func (d *decoder) tokenizer(n *yaml.Node, out *string) {
	known := d.opts.Tokenizers
	if known == nil {
		known = []string{DefaultTokenizer}
	}
	d.oneOf(n, "tokenizer", known, out)
}

// oneOf decodes a string that must be one of allowed.
func (d *decoder) oneOf(n *yaml.Node, key string, allowed []string, out *string) {
	s, ok := d.text(n, key, "one of "+strings.Join(allowed, ", "))
	if !ok {
		return
	}
	if slices.Contains(allowed, s) {
		*out = s
		return
	}
	if hint := suggest(s, allowed); hint != "" {
		d.errorf(n, "invalid %q %q; did you mean %q?", key, s, hint)
		return
	}
	d.errorf(n, "invalid %q %q; use one of %s", key, s, strings.Join(allowed, ", "))
}

func (d *decoder) tls(n *yaml.Node, t *TLS) {
	d.mapping(n, "tls", "a mapping such as {ca_file: ca.pem}", []field{
		{key: "ca_file", decode: func(n *yaml.Node) {
			var rel string
			d.requiredStr(n, "ca_file", &rel)
			if rel == "" {
				return
			}
			if _, err := d.opts.ReadFile(d.resolvePath(n, rel)); err != nil {
				d.fileError(n, "ca_file", rel, err)
				return
			}
			t.CAFile = d.resolvePath(n, rel)
		}},
		{key: "insecure_skip_verify", decode: func(n *yaml.Node) {
			d.boolean(n, "insecure_skip_verify", &t.InsecureSkipVerify)
			if t.InsecureSkipVerify {
				d.warnf(n, "insecure_skip_verify is true, so the server's certificate is not checked; use ca_file for a private CA instead")
			}
		}},
	})
}

func (d *decoder) http(n *yaml.Node, h *HTTP) {
	d.mapping(n, "http", "a mapping such as {version: \"2\"}", []field{
		{key: "version", decode: func(n *yaml.Node) { d.oneOf(n, "version", []string{"1.1", "2"}, &h.Version) }},
		{key: "max_connections", decode: func(n *yaml.Node) { d.atLeast(n, "max_connections", 1, &h.MaxConnections) }},
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
		if d.mockQuery(n, s, rest) {
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
		{key: "notes", decode: func(n *yaml.Node) { d.str(n, "notes", &g.Notes) }},
	})
}

func (d *decoder) price(n *yaml.Node, p *Price) {
	var perHour, perGPU *yaml.Node
	d.mapping(n, "price", "a mapping such as {per_hour_usd: 2.50}", []field{
		{key: "per_hour_usd", decode: func(n *yaml.Node) { perHour = n; d.nonNegative(n, "per_hour_usd", &p.PerHourUSD) }},
		{key: "per_gpu_hour_usd", decode: func(n *yaml.Node) { perGPU = n; d.nonNegative(n, "per_gpu_hour_usd", &p.PerGPUHourUSD) }},
	})
	if perHour != nil && perGPU != nil {
		d.errorf(perGPU, "\"price\" sets both \"per_hour_usd\" and \"per_gpu_hour_usd\"; keep one: per_hour_usd for the whole endpoint, or per_gpu_hour_usd times gpu.count")
	}
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
