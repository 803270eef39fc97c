package suite

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

func (d *decoder) workloads(n *yaml.Node) []Workload {
	var out []Workload
	seen := names{}
	d.sequence(n, "workloads", "a list of workloads", func(i int, item *yaml.Node) {
		w := Workload{}
		d.workload(item, fmt.Sprintf("workloads[%d]", i), seen, &w)
		out = append(out, w)
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "\"workloads\" is empty; list at least one workload")
	}
	return out
}

func (d *decoder) workload(n *yaml.Node, where string, seen names, w *Workload) {
	d.mapping(n, where, "a mapping", []field{
		{key: "name", required: true, decode: func(n *yaml.Node) { d.cellName(n, "workload", seen, &w.Name) }},
		{key: "system_prompt", decode: func(n *yaml.Node) { d.str(n, "system_prompt", &w.SystemPrompt) }},
		{key: "input_tokens", required: true, decode: func(n *yaml.Node) { d.distribution(n, "input_tokens", &w.InputTokens) }},
		{key: "output_tokens", required: true, decode: func(n *yaml.Node) { d.distribution(n, "output_tokens", &w.OutputTokens) }},
		{key: "ignore_eos", decode: func(n *yaml.Node) { d.boolean(n, "ignore_eos", &w.IgnoreEOS) }},
	})
}

func (d *decoder) load(n *yaml.Node, l *LoadProfile) {
	d.mapping(n, "load", "a mapping such as {concurrency: [1, 2, 4]}", []field{
		{key: "concurrency", required: true, decode: func(n *yaml.Node) { l.Concurrency = d.concurrency(n) }},
		{key: "requests", decode: func(n *yaml.Node) { d.atLeast(n, "requests", 1, &l.Requests) }},
		{key: "warmup", decode: func(n *yaml.Node) { d.atLeast(n, "warmup", 0, &l.Warmup) }},
		{key: "timeout", decode: func(n *yaml.Node) { d.duration(n, "timeout", &l.Timeout) }},
	})
}

func (d *decoder) concurrency(n *yaml.Node) []int {
	const want = "a list of positive integers"
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "\"concurrency\" is empty; list at least one level, such as [1, 2, 4, 8]")
		return nil
	}

	var out []int
	first := map[int]*yaml.Node{}
	d.sequence(n, "concurrency", want, func(_ int, item *yaml.Node) {
		v, ok := d.integer(item, "concurrency", want)
		switch {
		case !ok:
		case v < 1:
			d.errorf(item, "concurrency levels must be 1 or more, got %d", v)
		case first[v] != nil:
			d.errorf(item, "duplicate concurrency level %d; it is already listed at line %d, column %d", v, first[v].Line, first[v].Column)
		default:
			first[v] = item
			out = append(out, v)
		}
	})
	return out
}

func (d *decoder) sinks(n *yaml.Node) []Sink {
	out := []Sink{}
	d.sequence(n, "sinks", "a list of sinks", func(i int, item *yaml.Node) {
		s := Sink{Dir: DefaultSinkDir}
		d.mapping(item, fmt.Sprintf("sinks[%d]", i), "a mapping such as {type: json, dir: results}", []field{
			{key: "type", required: true, decode: func(n *yaml.Node) { d.sinkType(n, &s.Type) }},
			{key: "dir", decode: func(n *yaml.Node) { d.requiredStr(n, "dir", &s.Dir) }},
		})
		out = append(out, s)
	})
	return out
}

func (d *decoder) sinkType(n *yaml.Node, out *string) {
	var s string
	d.requiredStr(n, "type", &s)
	if s == "" {
		return
	}
	if s != DefaultSinkType {
		d.errorf(n, "unsupported sink type %q; use %q", s, DefaultSinkType)
		return
	}
	*out = s
}

func (d *decoder) assertions(n *yaml.Node) []Assertion {
	var out []Assertion
	seen := names{}
	d.sequence(n, "assertions", "a list of assertions", func(i int, item *yaml.Node) {
		a := Assertion{}
		var expr *yaml.Node
		d.mapping(item, fmt.Sprintf("assertions[%d]", i), "a mapping such as {name: fast, expr: ttft_ms.p95 < 1000}", []field{
			{key: "name", required: true, decode: func(n *yaml.Node) {
				d.requiredStr(n, "name", &a.Name)
				if a.Name != "" {
					d.addName(seen, n, "assertion", a.Name)
				}
			}},
			{key: "expr", required: true, decode: func(n *yaml.Node) {
				d.requiredStr(n, "expr", &a.Expr)
				expr = n
			}},
		})
		if expr != nil && a.Expr != "" {
			a.Pos = d.pos(expr)
			d.checkExpr(expr, a)
		}
		out = append(out, a)
	})
	return out
}

// checkExpr compiles an assertion's expression with LoadOptions.CheckExpr.
// When the expression is written unchanged on one line, an *ExprError's
// column is moved onto the suite file's line. Otherwise the message gives
// the column within the expression.
func (d *decoder) checkExpr(n *yaml.Node, a Assertion) {
	if d.opts.CheckExpr == nil {
		return
	}
	err := d.opts.CheckExpr(a.Expr)
	if err == nil {
		return
	}

	pos, msg := a.Pos, err.Error()
	var exprErr *ExprError
	if errors.As(err, &exprErr) {
		msg = exprErr.Msg
		if start, ok := d.exprStart(n, a.Expr); ok && exprErr.Col >= 1 {
			pos.Col = start + exprErr.Col - 1
		} else {
			msg = fmt.Sprintf("%s (column %d of the expression)", msg, exprErr.Col)
		}
	}
	d.errorAt(pos, fmt.Sprintf("invalid expression in assertion %q: %s", a.Name, msg))
}

// exprStart returns the file column of the expression's first character
// when the source line, read from the scalar's own position, contains the
// expression exactly. That holds for a one-line plain scalar, and for a
// quoted one without escapes, but not when ${VAR} expansion, folding or
// escapes changed the text.
func (d *decoder) exprStart(n *yaml.Node, expr string) (int, bool) {
	start := n.Column
	switch n.Style {
	case 0:
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		start++
	default:
		return 0, false
	}

	line := []rune(d.line(n.Line))
	want := []rune(expr)
	if start < 1 || start-1+len(want) > len(line) {
		return 0, false
	}
	if string(line[start-1:start-1+len(want)]) != expr {
		return 0, false
	}
	return start, true
}
