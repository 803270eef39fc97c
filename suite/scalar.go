package suite

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

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
