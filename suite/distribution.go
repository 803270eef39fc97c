package suite

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gopkg.in/yaml.v3"
)

// Distribution kinds, the values of the "dist" key.
const (
	DistFixed   = "fixed"
	DistNormal  = "normal"
	DistUniform = "uniform"
)

var distKinds = []string{DistFixed, DistNormal, DistUniform}

// maxUnboundedSample caps a normal sample that has no max, so that the
// conversion to int cannot overflow. It is far above any context window.
const maxUnboundedSample = 1 << 40

const distWant = "a token count of 1 or more, or a mapping such as {dist: normal, mean: 128, stddev: 32}"

// Sample draws one token count from r. A normal sample is rounded to the
// nearest integer and clamped to [Min, Max], where a Min of 0 means 1 and
// a Max of 0 means no upper bound. A Distribution with no Kind returns
// Value, as "fixed" does.
func (d Distribution) Sample(r *rand.Rand) int {
	switch d.Kind {
	case DistNormal:
		lo, hi := float64(max(d.Min, 1)), float64(maxUnboundedSample)
		if d.Max > 0 {
			hi = float64(d.Max)
		}
		v := math.Round(d.Mean + d.Stddev*r.NormFloat64())
		return int(math.Min(math.Max(v, lo), hi))
	case DistUniform:
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + r.IntN(d.Max-d.Min+1)
	default:
		return d.Value
	}
}

// String describes the distribution for plans and reports, such as
// "fixed 128", "normal(550±150, 100..1000)" or "uniform(100..200)".
func (d Distribution) String() string {
	switch d.Kind {
	case DistNormal:
		s := formatNumber(d.Mean) + "±" + formatNumber(d.Stddev)
		switch {
		case d.Max > 0:
			s += fmt.Sprintf(", %d..%d", max(d.Min, 1), d.Max)
		case d.Min > 0:
			s += fmt.Sprintf(", %d..", d.Min)
		}
		return "normal(" + s + ")"
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
			d.errorf(p.key, "missing value for \"dist\"; use fixed, normal or uniform")
			return ""
		}
		s, ok := d.text(v, "dist", "one of fixed, normal, uniform")
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
			d.errorf(v, "unknown distribution %q; use fixed, normal or uniform", s)
		}
		return ""
	}
	d.errorf(n, "%q is missing required key \"dist\"; use fixed, normal or uniform", key)
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

	switch kind {
	case DistFixed:
		fields = append(fields, intField("value", true, &dist.Value),
			misplaced("mean", DistNormal), misplaced("stddev", DistNormal),
			misplaced("min", DistNormal+" and "+DistUniform), misplaced("max", DistNormal+" and "+DistUniform))
	case DistNormal:
		fields = append(fields,
			field{key: "mean", required: true, decode: func(n *yaml.Node) {
				nodes["mean"] = n
				dist.Mean, _ = d.number(n, "mean")
			}},
			field{key: "stddev", required: true, decode: func(n *yaml.Node) {
				d.nonNegative(n, "stddev", &dist.Stddev)
			}},
			intField("min", false, &dist.Min),
			intField("max", false, &dist.Max),
			misplaced("value", DistFixed))
	case DistUniform:
		fields = append(fields, intField("min", true, &dist.Min), intField("max", true, &dist.Max),
			misplaced("value", DistFixed), misplaced("mean", DistNormal), misplaced("stddev", DistNormal))
	}
	return fields
}

// checkBounds reports min > max and a normal mean outside [min, max].
func (d *decoder) checkBounds(dist Distribution, nodes map[string]*yaml.Node) bool {
	if dist.Max > 0 && dist.Min > dist.Max {
		d.errorf(nodes["min"], "\"min\" must not be more than \"max\", got min %d and max %d", dist.Min, dist.Max)
		return false
	}
	if dist.Kind != DistNormal {
		return true
	}

	mean := nodes["mean"]
	switch {
	case dist.Min > 0 && dist.Mean < float64(dist.Min):
		d.errorf(mean, "\"mean\" must not be less than \"min\", got mean %s and min %d", formatNumber(dist.Mean), dist.Min)
	case dist.Mean < 1:
		d.errorf(mean, "\"mean\" must be 1 or more, got %s", formatNumber(dist.Mean))
	case dist.Max > 0 && dist.Mean > float64(dist.Max):
		d.errorf(mean, "\"mean\" must not be more than \"max\", got mean %s and max %d", formatNumber(dist.Mean), dist.Max)
	default:
		return true
	}
	return false
}
