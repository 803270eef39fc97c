package suite

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxAliasHops bounds how many times one file may follow YAML aliases, so
// that nested aliases (a "billion laughs" file) cannot make loading take
// exponential time. A hand-written suite follows far fewer.
const maxAliasHops = 10000

// decoder walks a yaml.Node tree and collects every problem it finds
// instead of stopping at the first.
type decoder struct {
	// file is the path given to Parse; nodes not in nodeFile come from it.
	file  string
	opts  LoadOptions
	errs  ErrorList
	warns []Warning

	// sources holds each loaded file's lines by path, for snippets.
	sources map[string]*source
	// nodeFile maps the nodes of included files to their file's path.
	nodeFile map[*yaml.Node]string

	aliasHops     int
	aliasReported bool

	// matrixRules holds the matrix rule nodes for checkMatrix.
	matrixRules *matrixNodes
}

// source is one loaded suite file.
type source struct {
	lines []string
	// secretCols maps a line number to the column where a literal
	// api_key value starts, so that snippets never print the key.
	secretCols map[int]int
}

func newDecoder(file string, opts LoadOptions) *decoder {
	return &decoder{file: file, opts: opts, sources: map[string]*source{}, nodeFile: map[*yaml.Node]string{}}
}

// field is one key a mapping accepts. decode is called with the value
// node (aliases already followed) only when the key is present and its
// value is not null.
type field struct {
	key      string
	required bool
	decode   func(n *yaml.Node)
	// reject, when set, marks a key that is known but not accepted here,
	// and is the message reported for it.
	reject string
}

type pair struct{ key, value *yaml.Node }

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.fileOf(n), Line: n.Line, Col: n.Column}
}

// fileOf returns the path of the file a node was read from.
func (d *decoder) fileOf(n *yaml.Node) string {
	if f, ok := d.nodeFile[n]; ok {
		return f
	}
	return d.file
}

// line returns line n of file for a snippet, cut where a literal api_key
// value starts and ended with "<redacted>" in its place.
func (d *decoder) line(file string, n int) string {
	src := d.sources[file]
	if src == nil || n < 1 || n > len(src.lines) {
		return ""
	}
	line := src.lines[n-1]
	col, ok := src.secretCols[n]
	if !ok {
		return line
	}
	runes := []rune(line)
	if col > len(runes)+1 {
		return line
	}
	return string(runes[:col-1]) + "<redacted>"
}

// findSecrets records the position of every literal api_key value in the
// tree, wherever it appears. Values with a "$", such as ${VAR}, are left
// visible because they name a variable, which helps to fix a missing one.
func (src *source) findSecrets(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "api_key" && v.Kind == yaml.ScalarNode && !strings.Contains(v.Value, "$") {
				if prev, ok := src.secretCols[v.Line]; !ok || v.Column < prev {
					src.secretCols[v.Line] = v.Column
				}
			}
		}
	}
	for _, c := range n.Content {
		src.findSecrets(c)
	}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errorAt(d.pos(n), fmt.Sprintf(format, args...))
}

func (d *decoder) errorAt(p Pos, msg string) {
	d.errs = append(d.errs, &Error{Pos: p, Msg: msg, Snippet: d.line(p.File, p.Line)})
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	p := d.pos(n)
	d.warns = append(d.warns, Warning{Pos: p, Msg: fmt.Sprintf(format, args...), Snippet: d.line(p.File, p.Line)})
}

// resolve follows aliases to the node they name. It returns nil once the
// file has used up maxAliasHops.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliasHops++
		if d.aliasHops > maxAliasHops {
			if !d.aliasReported {
				d.errorf(n, "the file follows aliases more than %d times; expand the aliases by hand", maxAliasHops)
				d.aliasReported = true
			}
			return nil
		}
		n = n.Alias
	}
	return n
}

// mapping decodes n as a mapping that accepts fields. It reports keys that
// are not fields, duplicate keys and missing required keys, and names the
// mapping as where ("endpoints[0]") in messages.
func (d *decoder) mapping(n *yaml.Node, where, want string, fields []field) {
	d.mappingInherit(n, nil, where, want, fields)
}

// keySet holds the keys a mapping sets, plus those suggested for its
// typos, so that rules between keys do not report a typo twice.
type keySet map[string]bool

// mappingInherit decodes n as mapping does, with the inherited pairs (from
// a defaults block) added for every key that n does not set itself. It
// returns the keys found.
func (d *decoder) mappingInherit(n *yaml.Node, inherited []pair, where, want string, fields []field) keySet {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be %s, got %s", quoteKey(where), want, describe(n))
		return nil
	}

	own := d.pairs(n)
	all := own
	for _, p := range inherited {
		if !slices.ContainsFunc(own, func(o pair) bool { return o.key.Value == p.key.Value }) {
			all = append(all, p)
		}
	}

	// present also holds the keys suggested for a typo, so that the typo
	// is not reported a second time as a missing key.
	present := keySet{}
	for _, p := range all {
		key := p.key.Value
		f := findField(fields, key)
		if f == nil || f.reject != "" {
			present[d.unknownKey(p.key, f, fields)] = true
			continue
		}
		present[key] = true

		v := d.resolve(p.value)
		if v == nil {
			continue
		}
		if isNull(v) {
			if f.required {
				d.errorf(p.key, "missing value for required key %q", key)
			}
			continue
		}
		f.decode(v)
	}

	for _, f := range fields {
		if f.required && !present[f.key] {
			d.errorf(n, "%s is missing required key %q", quoteKey(where), f.key)
		}
	}
	return present
}

// pairs lists the key/value pairs of a mapping, with YAML merge keys
// ("<<: *base") replaced by the pairs they merge in. Keys written in the
// mapping take precedence over merged ones, and among merged mappings the
// first listed wins, as the YAML merge key specification defines. Duplicate
// keys written in the mapping are reported here.
func (d *decoder) pairs(n *yaml.Node) []pair {
	var own, merged []pair
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "mapping keys must be plain strings, got %s", describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, d.mergePairs(v)...)
			continue
		}
		if prev, ok := first[k.Value]; ok {
			d.errorf(k, "duplicate key %q; the first is at line %d", k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		own = append(own, pair{k, v})
	}

	for _, p := range merged {
		if first[p.key.Value] == nil {
			first[p.key.Value] = p.key
			own = append(own, p)
		}
	}
	return own
}

func (d *decoder) mergePairs(v *yaml.Node) []pair {
	v = d.resolve(v)
	if v == nil {
		return nil
	}

	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v)
	case yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			out = append(out, d.mergePairs(item)...)
		}
		return out
	default:
		d.errorf(v, "a merge key \"<<\" must name a mapping or a list of mappings, got %s", describe(v))
		return nil
	}
}

// findField returns the field for key, or nil when there is none.
func findField(fields []field, key string) *field {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

// unknownKey reports a key that the mapping does not accept, where f is
// its rejected field or nil. It returns the key it suggests instead, or "".
func (d *decoder) unknownKey(k *yaml.Node, f *field, fields []field) string {
	if f != nil {
		d.errorf(k, "%s", f.reject)
		return ""
	}

	var keys []string
	for _, f := range fields {
		if f.reject == "" {
			keys = append(keys, f.key)
		}
	}
	if s := suggest(k.Value, keys); s != "" {
		d.errorf(k, "unknown key %q; did you mean %q?", k.Value, s)
		return s
	}
	d.errorf(k, "unknown key %q; valid keys here are %s", k.Value, strings.Join(keys, ", "))
	return ""
}

// sequence calls each for every item of n, which must be a list.
func (d *decoder) sequence(n *yaml.Node, key, want string, each func(i int, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%q must be %s, got %s", key, want, describe(n))
		return
	}
	for i, item := range n.Content {
		if item = d.resolve(item); item != nil {
			each(i, item)
		}
	}
}

// sortErrors orders the problems by position and drops exact repeats,
// which appear when an alias makes the loader read one node twice.
func (d *decoder) sortErrors() {
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i].Pos, d.errs[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})

	out := d.errs[:0]
	for i, e := range d.errs {
		if i > 0 && e.Pos == d.errs[i-1].Pos && e.Msg == d.errs[i-1].Msg {
			continue
		}
		out = append(out, e)
	}
	d.errs = out
}
