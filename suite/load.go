package suite

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Limits on the matrix size. maxLevels bounds the levels one list or range
// may expand to, maxRepeat bounds load.repeat, and maxConcurrency bounds
// one level. They make a typo such as 1..1000000000 an error instead of an
// out-of-memory crash.
const (
	maxLevels      = 1000
	maxRepeat      = 100
	maxConcurrency = 1 << 20
)

func (d *decoder) load(n *yaml.Node, inherited []pair, l *LoadProfile) {
	d.loadFields(n, inherited, "load", true, l)
}

// loadNodes are the value nodes of the load keys that rules between keys
// point at.
type loadNodes struct {
	concurrency, rate, arrival, burstiness, maxConcurrency, requests, duration *yaml.Node
}

// loadFields decodes a load block; isTop is false for defaults.load, where
// the rules between keys are checked on the load block that inherits.
func (d *decoder) loadFields(n *yaml.Node, inherited []pair, where string, isTop bool, l *LoadProfile) {
	*l = LoadProfile{Timeout: DefaultTimeout, Repeat: DefaultRepeat, Burstiness: 1}
	var nodes loadNodes
	present := d.mappingInherit(n, inherited, where, "a mapping such as {concurrency: [1, 2, 4]}", []field{
		{key: "concurrency", decode: func(n *yaml.Node) { nodes.concurrency = n; l.Concurrency = d.concurrency(n) }},
		{key: "rate", decode: func(n *yaml.Node) { nodes.rate = n; l.Rate = d.rates(n, "rate") }},
		{key: "arrival", decode: func(n *yaml.Node) {
			nodes.arrival = n
			d.oneOf(n, "arrival", []string{ArrivalPoisson, ArrivalConstant, ArrivalGamma}, &l.Arrival)
		}},
		{key: "burstiness", decode: func(n *yaml.Node) { nodes.burstiness = n; d.positive(n, "burstiness", &l.Burstiness) }},
		{key: "max_concurrency", decode: func(n *yaml.Node) {
			nodes.maxConcurrency = n
			d.atLeast(n, "max_concurrency", 1, &l.MaxConcurrency)
		}},
		{key: "requests", decode: func(n *yaml.Node) { nodes.requests = n; d.atLeast(n, "requests", 1, &l.Requests) }},
		{key: "duration", decode: func(n *yaml.Node) { nodes.duration = n; d.duration(n, "duration", &l.Duration) }},
		{key: "warmup", decode: func(n *yaml.Node) { d.warmup(n, l) }},
		{key: "timeout", decode: func(n *yaml.Node) { d.duration(n, "timeout", &l.Timeout) }},
		{key: "repeat", decode: func(n *yaml.Node) { d.repeat(n, &l.Repeat) }},
		{key: "ramp", decode: func(n *yaml.Node) { d.durationOrZero(n, "ramp", &l.Ramp) }},
		{key: "stop_when", decode: func(n *yaml.Node) { d.stopWhen(n, l) }},
		{key: "cooldown", decode: func(n *yaml.Node) { d.durationOrZero(n, "cooldown", &l.Cooldown) }},
		{key: "check_interval", decode: func(n *yaml.Node) { d.durationOrZero(n, "check_interval", &l.CheckInterval) }},
		{key: "parallel", decode: func(n *yaml.Node) { d.boolean(n, "parallel", &l.Parallel) }},
		{key: "retries", decode: func(n *yaml.Node) { d.atLeast(n, "retries", 0, &l.Retries) }},
	})
	if !isTop || n.Kind != yaml.MappingNode {
		return
	}

	d.checkLoad(n, where, l, nodes, present)
}

// checkLoad checks the rules between load keys and fills in defaults
// that depend on other keys.
func (d *decoder) checkLoad(n *yaml.Node, where string, l *LoadProfile, nodes loadNodes, present keySet) {
	switch {
	case !present["concurrency"] && !present["rate"]:
		d.errorf(n, "%s needs \"concurrency\" (closed loop) or \"rate\" (requests per second)", where)
	case nodes.concurrency == nil && nodes.rate == nil:
		d.nullKey(n, "concurrency")
		d.nullKey(n, "rate")
	case nodes.concurrency != nil && nodes.rate != nil:
		d.errorf(nodes.rate, "load sets both \"concurrency\" and \"rate\", so a cell's load is ambiguous; sweep one of them, and cap rate mode with \"max_concurrency\" if needed")
	}
	if nodes.rate == nil {
		for _, extra := range []struct {
			node *yaml.Node
			key  string
		}{{nodes.arrival, "arrival"}, {nodes.burstiness, "burstiness"}, {nodes.maxConcurrency, "max_concurrency"}} {
			if extra.node != nil {
				d.errorf(extra.node, "%q applies only to rate mode; set \"rate\" or remove it", extra.key)
			}
		}
	}
	if nodes.rate != nil && l.Arrival == "" {
		l.Arrival = ArrivalPoisson
	}
	if nodes.rate != nil && nodes.burstiness != nil && l.Arrival != ArrivalGamma {
		d.errorf(nodes.burstiness, "\"burstiness\" applies only to arrival \"gamma\", but arrival is %q", l.Arrival)
	}

	switch {
	case nodes.requests != nil && nodes.duration != nil:
		d.errorf(nodes.duration, "load sets both \"requests\" and \"duration\"; a cell ends after a count or after a time, so keep one")
	case nodes.requests == nil && nodes.duration == nil:
		l.Requests = DefaultRequests
	}
}

// repeat decodes load.repeat, from 1 to maxRepeat.
func (d *decoder) repeat(n *yaml.Node, out *int) {
	var v int
	before := len(d.errs)
	if d.atLeast(n, "repeat", 1, &v); len(d.errs) > before {
		return
	}
	if v > maxRepeat {
		d.errorf(n, "\"repeat\" must be at most %d, got %d", maxRepeat, v)
		return
	}
	*out = v
}

// positive decodes a number more than 0.
func (d *decoder) positive(n *yaml.Node, key string, out *float64) {
	v, ok := d.number(n, key)
	if !ok {
		return
	}
	if v <= 0 {
		d.errorf(n, "%q must be more than 0, got %s", key, formatNumber(v))
		return
	}
	*out = v
}

// durationOrZero decodes a Go duration of 0 or more; a bare 0 is allowed.
func (d *decoder) durationOrZero(n *yaml.Node, key string, out *time.Duration) {
	s, ok := d.text(n, key, "a duration")
	if !ok {
		return
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || v < 0 {
		d.errorf(n, "%q must be a duration of 0 or more, such as \"30s\", got %q", key, s)
		return
	}
	*out = v
}

// warmup decodes a count, a duration, or {requests: N} or {duration: D}.
func (d *decoder) warmup(n *yaml.Node, l *LoadProfile) {
	if n.Kind == yaml.ScalarNode {
		s, ok := d.text(n, "warmup", "a request count or a duration")
		if !ok {
			return
		}
		if _, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			d.atLeast(n, "warmup", 0, &l.Warmup)
			return
		}
		if _, err := time.ParseDuration(strings.TrimSpace(s)); err == nil {
			d.duration(n, "warmup", &l.WarmupDuration)
			return
		}
		d.errorf(n, "\"warmup\" must be a request count such as 8 or a duration such as \"30s\", got %q", s)
		return
	}

	var requests, duration *yaml.Node
	d.mapping(n, "warmup", "a request count, a duration, or {requests: N} or {duration: D}", []field{
		{key: "requests", decode: func(n *yaml.Node) { requests = n; d.atLeast(n, "requests", 0, &l.Warmup) }},
		{key: "duration", decode: func(n *yaml.Node) { duration = n; d.duration(n, "duration", &l.WarmupDuration) }},
	})
	if requests != nil && duration != nil {
		d.errorf(duration, "\"warmup\" sets both \"requests\" and \"duration\"; keep one")
	}
}

func (d *decoder) stopWhen(n *yaml.Node, l *LoadProfile) {
	d.requiredStr(n, "stop_when", &l.StopWhen)
	if l.StopWhen == "" {
		return
	}
	l.StopWhenPos = d.pos(n)
	d.checkExpr(n, l.StopWhen, "invalid expression in \"stop_when\"")
}

// rates decodes one rate or a list of rates, in requests per second.
func (d *decoder) rates(n *yaml.Node, key string) []float64 {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) == 0 {
			d.errorf(n, "%q is empty; list at least one rate, such as [1, 2, 5]", key)
			return nil
		}
		items = n.Content
	}

	var out []float64
	first := map[float64]*yaml.Node{}
	for _, item := range items {
		if item = d.resolve(item); item == nil {
			continue
		}
		var v float64
		before := len(d.errs)
		if item.Kind != yaml.ScalarNode {
			d.errorf(item, "%q must be a rate in requests per second or a list of rates, got %s", key, describe(item))
			continue
		}
		if d.positive(item, key, &v); len(d.errs) > before {
			continue
		}
		if prev := first[v]; prev != nil {
			d.errorf(item, "duplicate rate %s; it is already listed at line %d, column %d", formatNumber(v), prev.Line, prev.Column)
			continue
		}
		first[v] = item
		out = append(out, v)
	}
	if len(out) > maxLevels {
		d.errorf(n, "%q lists %d rates; the limit is %d", key, len(out), maxLevels)
		return nil
	}
	return out
}

// concurrency decodes the levels of "concurrency": a number, a list, a
// doubling range "1..64" or {from, to, step|factor}.
func (d *decoder) concurrency(n *yaml.Node) []int {
	const want = "a list of positive integers, a range such as \"1..64\", or {from, to, step}"
	switch n.Kind {
	case yaml.MappingNode:
		return d.levelRange(n)
	case yaml.ScalarNode:
		if s, ok := d.text(n, "concurrency", want); ok && strings.Contains(s, "..") {
			return d.doublingRange(n, s)
		}
		return d.levelList(n, []*yaml.Node{n}, want)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			d.errorf(n, "\"concurrency\" is empty; list at least one level, such as [1, 2, 4, 8]")
			return nil
		}
		return d.levelList(n, n.Content, "a list of positive integers")
	}
	d.errorf(n, "\"concurrency\" must be %s, got %s", want, describe(n))
	return nil
}

func (d *decoder) levelList(n *yaml.Node, items []*yaml.Node, want string) []int {
	var out []int
	first := map[int]*yaml.Node{}
	for _, item := range items {
		if item = d.resolve(item); item == nil {
			continue
		}
		if item.Kind != yaml.ScalarNode {
			d.errorf(item, "%q must be %s, got %s", "concurrency", want, describe(item))
			continue
		}
		v, ok := d.integer(item, "concurrency", want)
		switch {
		case !ok:
		case v < 1:
			d.errorf(item, "concurrency levels must be 1 or more, got %d", v)
		case v > maxConcurrency:
			d.errorf(item, "concurrency levels must be at most %d, got %d", maxConcurrency, v)
		case first[v] != nil:
			d.errorf(item, "duplicate concurrency level %d; it is already listed at line %d, column %d", v, first[v].Line, first[v].Column)
		default:
			first[v] = item
			out = append(out, v)
		}
	}
	if len(out) > maxLevels {
		d.errorf(n, "\"concurrency\" lists %d levels; the limit is %d", len(out), maxLevels)
		return nil
	}
	return out
}

// doublingRange expands "from..to" to from, 2·from, 4·from, ... to.
func (d *decoder) doublingRange(n *yaml.Node, s string) []int {
	lo, hi, ok := strings.Cut(s, "..")
	from, err1 := strconv.Atoi(strings.TrimSpace(lo))
	to, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if !ok || err1 != nil || err2 != nil {
		d.errorf(n, "invalid concurrency range %q; write it as FROM..TO with integers, such as \"1..64\"", s)
		return nil
	}
	return d.expandRange(n, s, from, to, 0, 2)
}

// levelRange expands {from, to, step} or {from, to, factor}.
func (d *decoder) levelRange(n *yaml.Node) []int {
	var from, to, step, factor int
	var stepNode, factorNode *yaml.Node
	before := len(d.errs)
	d.mapping(n, "concurrency", "a mapping such as {from: 8, to: 64, step: 8}", []field{
		{key: "from", required: true, decode: func(n *yaml.Node) { d.atLeast(n, "from", 1, &from) }},
		{key: "to", required: true, decode: func(n *yaml.Node) { d.atLeast(n, "to", 1, &to) }},
		{key: "step", decode: func(n *yaml.Node) { stepNode = n; d.atLeast(n, "step", 1, &step) }},
		{key: "factor", decode: func(n *yaml.Node) { factorNode = n; d.atLeast(n, "factor", 2, &factor) }},
	})
	switch {
	case stepNode != nil && factorNode != nil:
		d.errorf(factorNode, "a concurrency range takes \"step\" (linear) or \"factor\" (geometric), not both")
	case stepNode == nil && factorNode == nil && len(d.errs) == before:
		d.errorf(n, "a concurrency range needs \"step\" (linear, such as 8) or \"factor\" (geometric, such as 2)")
	}
	if len(d.errs) > before {
		return nil
	}
	text := fmt.Sprintf("{from: %d, to: %d, step: %d}", from, to, step)
	if factor > 0 {
		text = fmt.Sprintf("{from: %d, to: %d, factor: %d}", from, to, factor)
	}
	return d.expandRange(n, text, from, to, step, factor)
}

// expandRange lists from..to by step, or by factor when step is 0. The
// last level must be to exactly, because silently stopping short (or
// adding to) would run levels the user did not write.
func (d *decoder) expandRange(n *yaml.Node, text string, from, to, step, factor int) []int {
	switch {
	case from < 1 || to > maxConcurrency:
		d.errorf(n, "concurrency range %s must stay within 1..%d", text, maxConcurrency)
		return nil
	case from > to:
		d.errorf(n, "concurrency range %s starts above its end; write the smaller level first", text)
		return nil
	}

	var out []int
	for v := from; v <= to; {
		out = append(out, v)
		if len(out) > maxLevels {
			d.errorf(n, "concurrency range %s expands to more than %d levels", text, maxLevels)
			return nil
		}
		if step > 0 {
			v += step
		} else {
			v *= factor
		}
	}
	if last := out[len(out)-1]; last != to {
		d.errorf(n, "concurrency range %s ends at %d, not %d; change the end to %d, or list the levels", text, last, to, last)
		return nil
	}
	return out
}
