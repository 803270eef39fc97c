package report

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/infermark/infermark/suite"
)

// ExprEnv is the environment of assertion, where, stop_when and SLO
// expressions: every figure of one cell under the names of CellSummary's
// expr tags, and the same cell of a baseline run under "baseline", such as
// baseline.output_tokens_per_s. Without a matching baseline cell, an
// expression that reads baseline fails with "no data".
type ExprEnv struct {
	CellSummary
	Baseline CellSummary `expr:"baseline"`
	// Run holds figures over every cell of the run, such as
	// run.error_rate.
	Run RunAggregates `expr:"run"`
}

// Assertion is a compiled threshold expression over a cell.
type Assertion struct {
	Name string
	Expr string
	// Where selects the cells the assertion applies to; empty selects all.
	Where string
	// Severity is suite.SeverityFail or suite.SeverityWarn.
	Severity string
	// AbortOnFail stops the run once the assertion fails.
	AbortOnFail bool
	// Pos is the position of the expression in the suite file.
	Pos     suite.Pos
	program *vm.Program
	where   *vm.Program
	// operands are the figures the expression reads, such as "ttft_ms.p95",
	// each compiled so an outcome can show its value.
	operands []operand
}

type operand struct {
	text    string
	program *vm.Program
}

// CheckExpr compiles source against ExprEnv and returns a
// *suite.ExprError locating the first problem, or nil.
func CheckExpr(source string) error {
	_, err := compileBool(source)
	return err
}

func compileBool(source string) (*vm.Program, error) {
	program, err := expr.Compile(source, expr.Env(ExprEnv{}), expr.AsBool())
	if err == nil {
		return program, nil
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		return nil, &suite.ExprError{Col: fe.Column + 1, Msg: fe.Message}
	}
	return nil, &suite.ExprError{Col: 1, Msg: err.Error()}
}

// CompileAssertion compiles a suite assertion and its where filter. An
// empty severity is taken as suite.SeverityFail.
func CompileAssertion(a suite.Assertion) (*Assertion, error) {
	program, err := compileBool(a.Expr)
	if err != nil {
		return nil, err
	}
	out := &Assertion{
		Name: a.Name, Expr: a.Expr, Where: a.Where, Severity: a.Severity,
		AbortOnFail: a.AbortOnFail, Pos: a.Pos, program: program,
	}
	if out.Severity == "" {
		out.Severity = suite.SeverityFail
	}
	if a.Where != "" {
		if out.where, err = compileBool(a.Where); err != nil {
			return nil, fmt.Errorf("where: %w", err)
		}
	}
	for _, text := range operandsOf(a.Expr) {
		p, err := expr.Compile(text, expr.Env(ExprEnv{}))
		if err != nil {
			continue
		}
		out.operands = append(out.operands, operand{text: text, program: p})
	}
	return out, nil
}

// ReadsBaseline reports whether the expression reads a baseline figure.
func (a *Assertion) ReadsBaseline() bool {
	return slices.ContainsFunc(a.operands, func(op operand) bool { return isBaselineOperand(op.text) })
}

func isBaselineOperand(text string) bool {
	return text == "baseline" || strings.HasPrefix(text, "baseline.")
}

// operandsOf lists the longest identifier and member chains of source,
// such as "ttft_ms.p95", in order of first appearance.
func operandsOf(source string) []string {
	tree, err := parser.Parse(source)
	if err != nil {
		return nil
	}
	var found []string
	ast.Walk(&tree.Node, visitFunc(func(node *ast.Node) {
		switch n := (*node).(type) {
		case *ast.MemberNode, *ast.IdentifierNode:
			found = append(found, n.String())
		}
	}))
	var chains []string
	for _, f := range found {
		covered := slices.ContainsFunc(found, func(other string) bool {
			return other != f && strings.HasPrefix(other, f+".")
		})
		if !covered && !slices.Contains(chains, f) {
			chains = append(chains, f)
		}
	}
	return chains
}

type visitFunc func(*ast.Node)

func (f visitFunc) Visit(node *ast.Node) { f(node) }

// Applies reports whether the where filter selects the cell s. A filter
// that cannot be evaluated returns its error.
func (a *Assertion) Applies(s CellSummary) (bool, error) {
	if a.where == nil {
		return true, nil
	}
	result, err := expr.Run(a.where, ExprEnv{CellSummary: s})
	if err != nil {
		return false, err
	}
	selected, _ := result.(bool)
	return selected, nil
}

// Evaluate runs the assertion on one cell without a baseline. It ignores
// the where filter; EvaluateAll applies it.
func (a *Assertion) Evaluate(s CellSummary) Outcome {
	return a.EvaluateWith(s, nil)
}

// EvaluateWith runs the assertion on one cell, with base as the baseline
// cell (nil when there is none). A figure the expression reads that has no
// samples (NaN, or a missing optional section) makes the outcome fail with
// "no data", whatever the comparison would return, so missing data never
// passes a gate.
func (a *Assertion) EvaluateWith(s CellSummary, base *CellSummary) Outcome {
	return a.evaluate(ExprEnv{CellSummary: s}, base)
}

// evaluate runs the assertion in env, with base as the baseline cell.
func (a *Assertion) evaluate(env ExprEnv, base *CellSummary) Outcome {
	s := env.CellSummary
	o := Outcome{Name: a.Name, Expr: a.Expr, CellID: s.ID, Severity: a.Severity}
	if base != nil {
		env.Baseline = *base
	}

	var missing []string
	for _, op := range a.operands {
		if base == nil && isBaselineOperand(op.text) {
			missing = append(missing, op.text)
			o.Values = append(o.Values, op.text+" = no data")
			continue
		}
		v, err := expr.Run(op.program, env)
		if err != nil {
			if hasNilParent(op.text, env) {
				missing = append(missing, op.text)
				o.Values = append(o.Values, op.text+" = no data")
			}
			continue
		}
		if isNoData(v) {
			missing = append(missing, op.text)
		}
		o.Values = append(o.Values, op.text+" = "+formatValue(v))
	}
	if len(missing) > 0 {
		o.NoData = true
		o.Error = noDataMessage(missing, base == nil)
		return o
	}

	result, err := expr.Run(a.program, env)
	if err != nil {
		o.Error = err.Error()
		return o
	}
	o.Passed, _ = result.(bool)
	return o
}

// hasNilParent reports whether a parent of the member chain text, such as
// "correctness" of "correctness.mismatch_rate", is a nil section of env.
// Reading through a nil pointer is a runtime error in expr, not nil.
func hasNilParent(text string, env ExprEnv) bool {
	parts := strings.Split(text, ".")
	for i := 1; i < len(parts); i++ {
		v, err := expr.Eval(strings.Join(parts[:i], "."), env)
		if err == nil && isNoData(v) {
			return true
		}
	}
	return false
}

// noDataMessage names the figures without samples.
func noDataMessage(missing []string, noBaseline bool) string {
	msg := "no data: " + strings.Join(missing, ", ") + " has no samples"
	if len(missing) > 1 {
		msg = "no data: " + strings.Join(missing, ", ") + " have no samples"
	}
	if noBaseline && slices.ContainsFunc(missing, isBaselineOperand) {
		msg += "; the baseline has no cell with this endpoint, workload and load level"
	}
	return msg
}

// isNoData reports whether an operand's value stands for a figure without
// samples: NaN, or nil from a missing optional section such as
// correctness.
func isNoData(v any) bool {
	if v == nil {
		return true
	}
	if f, ok := v.(float64); ok {
		return math.IsNaN(f)
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// EvaluateAll checks every assertion against every cell its where filter
// selects, in assertion order. When base is not nil, each cell is paired
// with the baseline cell of the same endpoint, workload, load level and
// repeat (or the first repeat when the baseline has fewer).
func EvaluateAll(assertions []*Assertion, cells []CellSummary, base *Baseline) []Outcome {
	var out []Outcome
	run := AggregateRun(cells)
	for _, a := range assertions {
		for _, s := range cells {
			selected, err := a.Applies(s)
			if err != nil {
				out = append(out, Outcome{Name: a.Name, Expr: a.Expr, CellID: s.ID, Severity: a.Severity,
					Error: "where: " + err.Error()})
				continue
			}
			if !selected {
				continue
			}
			out = append(out, a.evaluate(ExprEnv{CellSummary: s, Run: run}, base.Match(s.CellInfo)))
		}
	}
	return out
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) {
			return "no data"
		}
		return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
	case string:
		return strconv.Quote(x)
	case nil:
		return "no data"
	default:
		if isNoData(v) {
			return "no data"
		}
		return fmt.Sprint(x)
	}
}
