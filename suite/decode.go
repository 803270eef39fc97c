package suite

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxAliasHops bounds how many times one file may follow YAML aliases, so
// that nested aliases (a "billion laughs" file) cannot make loading take
// exponential time. Real suites use a handful.
const maxAliasHops = 10000

// decoder walks a yaml.Node tree and collects every problem it finds
// instead of stopping at the first.
type decoder struct {
	file  string
	lines []string
	opts  LoadOptions
	errs  ErrorList
	warns []Warning

	aliasHops     int
	aliasReported bool
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
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) line(n int) string {
	if n < 1 || n > len(d.lines) {
		return ""
	}
	return strings.TrimRight(d.lines[n-1], "\r")
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errorAt(d.pos(n), fmt.Sprintf(format, args...))
}

func (d *decoder) errorAt(p Pos, msg string) {
	d.errs = append(d.errs, &Error{Pos: p, Msg: msg, Snippet: d.line(p.Line)})
}

func (d *decoder) warnf(n *yaml.Node, snippet, format string, args ...any) {
	d.warns = append(d.warns, Warning{Pos: d.pos(n), Msg: fmt.Sprintf(format, args...), Snippet: snippet})
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
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be %s, got %s", quoteKey(where), want, describe(n))
		return
	}

	// present also holds the keys suggested for a typo, so that the typo
	// is not reported a second time as a missing key.
	present := map[string]bool{}
	for _, p := range d.pairs(n) {
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
}

// pairs lists the key/value pairs of a mapping, with YAML merge keys
// ("<<: *base") replaced by the pairs they merge in. Keys written in the
// mapping take precedence over merged ones, and among merged mappings the
// first listed wins, as the YAML merge key specification says. Duplicate
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

// text returns a scalar's value with environment references expanded.
// It reports non-scalars and failed expansions and then returns ok false.
func (d *decoder) text(n *yaml.Node, key, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%q must be %s, got %s", key, want, describe(n))
		return "", false
	}
	s, _, err := expandEnv(n.Value, d.opts.LookupEnv)
	if err != nil {
		d.errorf(n, "%s", err)
		return "", false
	}
	return s, true
}

func (d *decoder) str(n *yaml.Node, key string, out *string) {
	if s, ok := d.text(n, key, "a string"); ok {
		*out = s
	}
}

// requiredStr decodes a string that may not be empty.
func (d *decoder) requiredStr(n *yaml.Node, key string, out *string) {
	s, ok := d.text(n, key, "a string")
	if !ok {
		return
	}
	if strings.TrimSpace(s) == "" {
		d.errorf(n, "%q must not be empty", key)
		return
	}
	*out = s
}

// integer decodes a decimal integer; want describes the accepted values
// in the message, such as "an integer of 1 or more".
func (d *decoder) integer(n *yaml.Node, key, want string) (int, bool) {
	s, ok := d.text(n, key, want)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		d.errorf(n, "%q must be %s, got %q", key, want, s)
		return 0, false
	}
	return v, true
}

// atLeast decodes an integer of min or more into out.
func (d *decoder) atLeast(n *yaml.Node, key string, min int, out *int) {
	want := fmt.Sprintf("an integer of %d or more", min)
	v, ok := d.integer(n, key, want)
	if !ok {
		return
	}
	if v < min {
		d.errorf(n, "%q must be %s, got %d", key, want, v)
		return
	}
	*out = v
}

// number decodes a finite floating-point number.
func (d *decoder) number(n *yaml.Node, key string) (float64, bool) {
	const want = "a number"
	s, ok := d.text(n, key, want)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		d.errorf(n, "%q must be %s, got %q", key, want, s)
		return 0, false
	}
	return v, true
}

// nonNegative decodes a number of 0 or more into out.
func (d *decoder) nonNegative(n *yaml.Node, key string, out *float64) {
	v, ok := d.number(n, key)
	if !ok {
		return
	}
	if v < 0 {
		d.errorf(n, "%q must be 0 or more, got %s", key, formatNumber(v))
		return
	}
	*out = v
}

func (d *decoder) boolean(n *yaml.Node, key string, out *bool) {
	const want = "true or false"
	s, ok := d.text(n, key, want)
	if !ok {
		return
	}
	switch strings.TrimSpace(s) {
	case "true", "True", "TRUE":
		*out = true
	case "false", "False", "FALSE":
		*out = false
	default:
		d.errorf(n, "%q must be %s, got %q", key, want, s)
	}
}

// duration decodes a positive Go duration such as "30s".
func (d *decoder) duration(n *yaml.Node, key string, out *time.Duration) {
	const hint = `a duration with a unit, such as "30s" or "1m30s"`
	s, ok := d.text(n, key, hint)
	if !ok {
		return
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		d.errorf(n, "%q must be %s, got %q", key, hint, s)
		return
	}
	if v <= 0 {
		d.errorf(n, "%q must be more than 0, got %q; use a duration such as \"30s\"", key, s)
		return
	}
	*out = v
}

// sortErrors orders the problems by position and drops exact repeats,
// which appear when an alias makes the loader read one node twice.
func (d *decoder) sortErrors() {
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i].Pos, d.errs[j].Pos
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

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node is, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if isNull(n) {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

// quoteKey quotes a plain key name but leaves a path such as
// "endpoints[0]" or "the suite" readable as it is.
func quoteKey(where string) string {
	if strings.ContainsAny(where, "[ ") {
		return where
	}
	return strconv.Quote(where)
}

func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}
