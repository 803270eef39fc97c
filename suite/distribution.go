package suite

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Distribution kinds, the values of the "dist" key.
const (
	DistFixed     = "fixed"
	DistNormal    = "normal"
	DistUniform   = "uniform"
	DistLognormal = "lognormal"
	DistEmpirical = "empirical"
)

const distKindList = "fixed, normal, uniform, lognormal or empirical"

var distKinds = []string{DistFixed, DistNormal, DistUniform, DistLognormal, DistEmpirical}

// maxEmpiricalValues bounds the counts an empirical distribution may hold.
const maxEmpiricalValues = 1 << 20

// maxUnboundedSample caps a normal sample that has no max, so that the
// conversion to int cannot overflow. It is far above any context window.
const maxUnboundedSample = 1 << 40

const distWant = "a token count of 1 or more, or a mapping such as {dist: normal, mean: 128, stddev: 32}"

// Sample draws one token count from r. A normal or lognormal sample is
// rounded to the nearest integer and clamped to [Min, Max], where a Min of
// 0 means 1 and a Max of 0 means no upper bound. An empirical sample is one
// of Values, each equally likely. A Distribution with no Kind returns
// Value, as "fixed" does.
func (d Distribution) Sample(r *rand.Rand) int {
	switch d.Kind {
	case DistNormal:
		return d.clamp(d.Mean + d.Stddev*r.NormFloat64())
	case DistLognormal:
		mu, sigma := lognormalParams(d.Mean, d.Stddev)
		return d.clamp(math.Exp(mu + sigma*r.NormFloat64()))
	case DistEmpirical:
		if len(d.Values) == 0 {
			return d.Value
		}
		return d.Values[r.IntN(len(d.Values))]
	case DistUniform:
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + r.IntN(d.Max-d.Min+1)
	default:
		return d.Value
	}
}

// clamp rounds v and bounds it to [max(Min, 1), Max], where a Max of 0
// means no upper bound.
func (d Distribution) clamp(v float64) int {
	lo, hi := float64(max(d.Min, 1)), float64(maxUnboundedSample)
	if d.Max > 0 {
		hi = float64(d.Max)
	}
	return int(math.Min(math.Max(math.Round(v), lo), hi))
}

// lognormalParams converts the mean and standard deviation of a lognormal
// variable to the mu and sigma of the normal variable under it:
// sigma² = ln(1 + stddev²/mean²) and mu = ln(mean) - sigma²/2.
func lognormalParams(mean, stddev float64) (mu, sigma float64) {
	s2 := math.Log1p(stddev * stddev / (mean * mean))
	return math.Log(mean) - s2/2, math.Sqrt(s2)
}

// minimum returns the smallest count Sample can return.
func (d Distribution) minimum() int {
	switch d.Kind {
	case DistNormal, DistLognormal:
		return max(d.Min, 1)
	case DistUniform:
		return d.Min
	case DistEmpirical:
		if len(d.Values) == 0 {
			return 0
		}
		return slices.Min(d.Values)
	default:
		return d.Value
	}
}

// String describes the distribution for plans and reports, such as
// "fixed 128", "normal(550±150, 100..1000)" or "uniform(100..200)".
func (d Distribution) String() string {
	switch d.Kind {
	case DistNormal, DistLognormal:
		s := formatNumber(d.Mean) + "±" + formatNumber(d.Stddev)
		switch {
		case d.Max > 0:
			s += fmt.Sprintf(", %d..%d", max(d.Min, 1), d.Max)
		case d.Min > 0:
			s += fmt.Sprintf(", %d..", d.Min)
		}
		return d.Kind + "(" + s + ")"
	case DistEmpirical:
		if d.Path != "" {
			return fmt.Sprintf("empirical(%d values from %s)", len(d.Values), d.Path)
		}
		return fmt.Sprintf("empirical(%d values)", len(d.Values))
	case DistUniform:
		return fmt.Sprintf("uniform(%d..%d)", d.Min, d.Max)
	default:
		return fmt.Sprintf("fixed %d", d.Value)
	}
}

// distribution decodes a plain token count or a {dist: ...} mapping.
func (d *decoder) distribution(n *yaml.Node, key string, out *Distribution) {
	switch n.Kind {
	case yaml.ScalarNode:
		if v, ok := d.integer(n, key, distWant); ok {
			if v < 1 {
				d.errorf(n, "%q must be %s, got %d", key, distWant, v)
				return
			}
			*out = Distribution{Kind: DistFixed, Value: v}
		}
		return
	case yaml.MappingNode:
	default:
		d.errorf(n, "%q must be %s, got %s", key, distWant, describe(n))
		return
	}

	kind := d.distKind(n, key)
	if kind == "" {
		return
	}

	before := len(d.errs)
	dist, nodes := Distribution{Kind: kind}, map[string]*yaml.Node{}
	d.mapping(n, key, "a mapping", distFields(d, kind, &dist, nodes))
	if len(d.errs) > before {
		return
	}
	if kind == DistEmpirical {
		if d.empiricalValues(n, &dist, nodes) {
			*out = dist
		}
		return
	}
	if d.checkBounds(dist, nodes) {
		*out = dist
	}
}

// distKind returns the value of the "dist" key, or "" after reporting a
// missing or unknown kind.
func (d *decoder) distKind(n *yaml.Node, key string) string {
	for _, p := range d.pairs(n) {
		if p.key.Value != "dist" {
			continue
		}
		v := d.resolve(p.value)
		if v == nil {
			return ""
		}
		if isNull(v) {
			d.errorf(p.key, "missing value for \"dist\"; use %s", distKindList)
			return ""
		}
		s, ok := d.text(v, "dist", "one of "+distKindList)
		if !ok {
			return ""
		}
		for _, k := range distKinds {
			if s == k {
				return k
			}
		}
		if hint := suggest(s, distKinds); hint != "" {
			d.errorf(v, "unknown distribution %q; did you mean %q?", s, hint)
		} else {
			d.errorf(v, "unknown distribution %q; use %s", s, distKindList)
		}
		return ""
	}
	d.errorf(n, "%q is missing required key \"dist\"; use %s", key, distKindList)
	return ""
}

// distFields lists the keys each kind accepts. The value nodes are stored
// in nodes so that checkBounds can point at them.
func distFields(d *decoder, kind string, dist *Distribution, nodes map[string]*yaml.Node) []field {
	intField := func(key string, required bool, out *int) field {
		return field{key: key, required: required, decode: func(n *yaml.Node) {
			nodes[key] = n
			d.atLeast(n, key, 1, out)
		}}
	}
	fields := []field{{key: "dist", required: true, decode: func(*yaml.Node) {}}}
	misplaced := func(key, kinds string) field {
		return field{key: key, reject: fmt.Sprintf("%q does not apply to a %s distribution, only to %s", key, kind, kinds)}
	}

	meanField := field{key: "mean", required: true, decode: func(n *yaml.Node) {
		nodes["mean"] = n
		dist.Mean, _ = d.number(n, "mean")
	}}
	stddevField := field{key: "stddev", required: true, decode: func(n *yaml.Node) {
		d.nonNegative(n, "stddev", &dist.Stddev)
	}}
	switch kind {
	case DistFixed:
		fields = append(fields, intField("value", true, &dist.Value),
			misplaced("mean", "normal and lognormal"), misplaced("stddev", "normal and lognormal"),
			misplaced("min", "normal, lognormal and uniform"), misplaced("max", "normal, lognormal and uniform"),
			misplaced("values", DistEmpirical), misplaced("path", DistEmpirical))
	case DistNormal, DistLognormal:
		fields = append(fields, meanField, stddevField,
			intField("min", false, &dist.Min),
			intField("max", false, &dist.Max),
			misplaced("value", DistFixed), misplaced("values", DistEmpirical), misplaced("path", DistEmpirical))
	case DistUniform:
		fields = append(fields, intField("min", true, &dist.Min), intField("max", true, &dist.Max),
			misplaced("value", DistFixed), misplaced("mean", "normal and lognormal"), misplaced("stddev", "normal and lognormal"),
			misplaced("values", DistEmpirical), misplaced("path", DistEmpirical))
	case DistEmpirical:
		fields = append(fields,
			field{key: "values", decode: func(n *yaml.Node) { nodes["values"] = n; dist.Values = d.counts(n, "values") }},
			field{key: "path", decode: func(n *yaml.Node) { nodes["path"] = n; d.requiredStr(n, "path", &dist.Path) }},
			misplaced("value", DistFixed), misplaced("mean", "normal and lognormal"), misplaced("stddev", "normal and lognormal"),
			misplaced("min", "normal, lognormal and uniform"), misplaced("max", "normal, lognormal and uniform"))
	}
	return fields
}

// checkBounds reports min > max and a normal mean outside [min, max].
func (d *decoder) checkBounds(dist Distribution, nodes map[string]*yaml.Node) bool {
	if dist.Max > 0 && dist.Min > dist.Max {
		d.errorf(nodes["min"], "\"min\" must not be more than \"max\", got min %d and max %d", dist.Min, dist.Max)
		return false
	}
	if dist.Kind != DistNormal && dist.Kind != DistLognormal {
		return true
	}

	mean := nodes["mean"]
	switch {
	case dist.Min > 0 && dist.Mean < float64(dist.Min):
		d.errorf(mean, "\"mean\" must not be less than \"min\", got mean %s and min %d", formatNumber(dist.Mean), dist.Min)
	case dist.Mean < 1:
		d.errorf(mean, "\"mean\" must be 1 or more, got %s", formatNumber(dist.Mean))
	case dist.Kind == DistLognormal && dist.Stddev == 0:
		d.errorf(mean, "a lognormal distribution needs \"stddev\" more than 0; use {dist: fixed, value: %s} for a constant", formatNumber(dist.Mean))
	case dist.Max > 0 && dist.Mean > float64(dist.Max):
		d.errorf(mean, "\"mean\" must not be more than \"max\", got mean %s and max %d", formatNumber(dist.Mean), dist.Max)
	default:
		return true
	}
	return false
}

// empiricalValues checks that exactly one of "values" and "path" is set
// and reads the path's file. It reports whether dist is usable.
func (d *decoder) empiricalValues(n *yaml.Node, dist *Distribution, nodes map[string]*yaml.Node) bool {
	values, path := nodes["values"], nodes["path"]
	switch {
	case values != nil && path != nil:
		d.errorf(path, "an empirical distribution takes \"values\" or \"path\", not both")
		return false
	case values == nil && path == nil:
		d.errorf(n, "an empirical distribution needs \"values\", a list of token counts, or \"path\", a file of them")
		return false
	case values != nil:
		return len(dist.Values) > 0
	}

	data, err := d.opts.ReadFile(d.resolvePath(path, dist.Path))
	if err != nil {
		d.fileError(path, "lengths file", dist.Path, err)
		return false
	}
	dist.Values, err = parseCounts(data)
	if err != nil {
		d.errorf(path, "invalid lengths file %q: %s", dist.Path, err)
		return false
	}
	return true
}

// parseCounts reads one token count of 1 or more per non-blank line.
func parseCounts(data []byte) ([]int, error) {
	var out []int
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := string(bytes.TrimSpace(sc.Bytes()))
		if s == "" || s[0] == '#' {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("line %d: want a token count of 1 or more, got %q", line, s)
		}
		if len(out) == maxEmpiricalValues {
			return nil, fmt.Errorf("more than %d values", maxEmpiricalValues)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no values; write one token count per line")
	}
	return out, nil
}

// counts decodes a non-empty list of token counts of 1 or more.
func (d *decoder) counts(n *yaml.Node, key string) []int {
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "%q is empty; list at least one token count", key)
		return nil
	}
	var out []int
	d.sequence(n, key, "a list of token counts", func(_ int, item *yaml.Node) {
		var v int
		before := len(d.errs)
		d.atLeast(item, key, 1, &v)
		if len(d.errs) == before {
			out = append(out, v)
		}
	})
	return out
}

// Average returns the distribution's mean before any clamping to [Min, Max],
// in tokens; plans use it for estimates.
func (d Distribution) Average() float64 {
	switch d.Kind {
	case DistNormal, DistLognormal:
		return d.Mean
	case DistUniform:
		return float64(d.Min+d.Max) / 2
	case DistEmpirical:
		sum := 0
		for _, v := range d.Values {
			sum += v
		}
		return float64(sum) / float64(max(len(d.Values), 1))
	default:
		return float64(d.Value)
	}
}
