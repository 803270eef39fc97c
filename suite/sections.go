package suite

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) sinks(n *yaml.Node) []Sink {
	out := []Sink{}
	d.sequence(n, "sinks", "a list of sinks", func(i int, item *yaml.Node) {
		s := Sink{Dir: DefaultSinkDir}
		var layout *yaml.Node
		d.mapping(item, fmt.Sprintf("sinks[%d]", i), "a mapping such as {type: json, dir: results}", []field{
			{key: "type", required: true, decode: func(n *yaml.Node) { d.sinkType(n, &s.Type) }},
			{key: "dir", decode: func(n *yaml.Node) { d.requiredStr(n, "dir", &s.Dir) }},
			{key: "layout", decode: func(n *yaml.Node) { layout = n; d.oneOf(n, "layout", []string{"llmperf"}, &s.Layout) }},
		})
		if layout != nil && s.Type != "" && s.Type != DefaultSinkType {
			d.errorf(layout, "\"layout\" applies only to the json sink, not %q", s.Type)
		}
		out = append(out, s)
	})
	return out
}

func (d *decoder) sinkType(n *yaml.Node, out *string) {
	known := d.opts.SinkTypes
	if known == nil {
		known = []string{DefaultSinkType}
	}
	var s string
	d.requiredStr(n, "type", &s)
	switch {
	case s == "":
	case slices.Contains(known, s):
		*out = s
	case suggest(s, known) != "":
		d.errorf(n, "unsupported sink type %q; did you mean %q?", s, suggest(s, known))
	default:
		d.errorf(n, "unsupported sink type %q; use one of %s", s, strings.Join(known, ", "))
	}
}

func (d *decoder) report(n *yaml.Node, r *Report) {
	d.mapping(n, "report", "a mapping such as {format: text}", []field{
		{key: "format", decode: func(n *yaml.Node) { d.oneOf(n, "format", []string{"text", "json"}, &r.Format) }},
	})
}

func (d *decoder) goodput(n *yaml.Node, g *Goodput) {
	d.mapping(n, "goodput", "a mapping such as {ttft_ms: 500, tpot_ms: 50}", []field{
		{key: "ttft_ms", decode: func(n *yaml.Node) { d.positive(n, "ttft_ms", &g.TTFTMs) }},
		{key: "tpot_ms", decode: func(n *yaml.Node) { d.positive(n, "tpot_ms", &g.TPOTMs) }},
		{key: "e2e_ms", decode: func(n *yaml.Node) { d.positive(n, "e2e_ms", &g.E2EMs) }},
	})
}

func (d *decoder) assertions(n *yaml.Node) []Assertion {
	var out []Assertion
	seen := names{}
	d.sequence(n, "assertions", "a list of assertions", func(i int, item *yaml.Node) {
		a := Assertion{Severity: SeverityFail}
		var expr, where, abort *yaml.Node
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
			{key: "where", decode: func(n *yaml.Node) {
				d.requiredStr(n, "where", &a.Where)
				where = n
			}},
			{key: "severity", decode: func(n *yaml.Node) {
				d.oneOf(n, "severity", []string{SeverityFail, SeverityWarn}, &a.Severity)
			}},
			{key: "abort_on_fail", decode: func(n *yaml.Node) {
				abort = n
				d.boolean(n, "abort_on_fail", &a.AbortOnFail)
			}},
		})
		if a.AbortOnFail && a.Severity == SeverityWarn {
			d.errorf(abort, "assertion %q sets abort_on_fail with severity \"warn\"; a warning never stops a run, so drop one of them", a.Name)
		}
		if expr != nil && a.Expr != "" {
			a.Pos = d.pos(expr)
			d.checkExpr(expr, a.Expr, fmt.Sprintf("invalid expression in assertion %q", a.Name))
		}
		if where != nil && a.Where != "" {
			a.WherePos = d.pos(where)
			d.checkExpr(where, a.Where, fmt.Sprintf("invalid \"where\" in assertion %q", a.Name))
		}
		out = append(out, a)
	})
	return out
}

// checkExpr compiles an expression with LoadOptions.CheckExpr and reports
// its error after prefix. When the expression is written unchanged on one
// line, an *ExprError's column is moved onto the suite file's line.
// Otherwise the message gives the column within the expression.
func (d *decoder) checkExpr(n *yaml.Node, source, prefix string) {
	if d.opts.CheckExpr == nil {
		return
	}
	err := d.opts.CheckExpr(source)
	if err == nil {
		return
	}

	pos, msg := d.pos(n), err.Error()
	var exprErr *ExprError
	if errors.As(err, &exprErr) {
		msg = exprErr.Msg
		if start, ok := d.exprStart(n, source); ok && exprErr.Col >= 1 {
			pos.Col = start + exprErr.Col - 1
		} else {
			msg = fmt.Sprintf("%s (column %d of the expression)", msg, exprErr.Col)
		}
	}
	d.errorAt(pos, prefix+": "+msg)
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

	line := []rune(d.line(d.fileOf(n), n.Line))
	want := []rune(expr)
	if start < 1 || start-1+len(want) > len(line) {
		return 0, false
	}
	if string(line[start-1:start-1+len(want)]) != expr {
		return 0, false
	}
	return start, true
}
