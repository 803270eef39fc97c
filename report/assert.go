package report

import (
	"errors"
	"fmt"
	"math"
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

// Assertion is a compiled threshold expression over a CellSummary.
type Assertion struct {
	Name string
	Expr string
	// Pos is where the expression is in the suite file.
	Pos     suite.Pos
	program *vm.Program
	// operands are the figures the expression reads, such as "ttft_ms.p95",
	// each compiled so a failure can show its value.
	operands []operand
}

type operand struct {
	text    string
	program *vm.Program
}

// CheckExpr compiles source against the cell environment and returns a
// *suite.ExprError locating the first problem, or nil.
func CheckExpr(source string) error {
	_, err := compileBool(source)
	return err
}

func compileBool(source string) (*vm.Program, error) {
	program, err := expr.Compile(source, expr.Env(CellSummary{}), expr.AsBool())
	if err == nil {
		return program, nil
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		return nil, &suite.ExprError{Col: fe.Column + 1, Msg: fe.Message}
	}
	return nil, &suite.ExprError{Col: 1, Msg: err.Error()}
}

// CompileAssertion compiles a suite assertion.
func CompileAssertion(a suite.Assertion) (*Assertion, error) {
	program, err := compileBool(a.Expr)
	if err != nil {
		return nil, err
	}
	out := &Assertion{Name: a.Name, Expr: a.Expr, Pos: a.Pos, program: program}
	for _, text := range operandsOf(a.Expr) {
		p, err := expr.Compile(text, expr.Env(CellSummary{}))
		if err != nil {
			continue
		}
		out.operands = append(out.operands, operand{text: text, program: p})
	}
	return out, nil
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

// Outcome is the result of one assertion on one cell.
type Outcome struct {
	Name   string `json:"name"`
	Expr   string `json:"expr"`
	CellID string `json:"cell"`
	Passed bool   `json:"passed"`
	// Values shows each figure the expression read, such as
	// "ttft_ms.p95 = 1234.5".
	Values []string `json:"values"`
	// Error is set when the expression could not be evaluated.
	Error string `json:"error,omitempty"`
}

// Evaluate runs the assertion on one cell's summary. A figure with no
// samples is NaN, and every comparison with NaN is false, so an assertion
// over missing data fails.
func (a *Assertion) Evaluate(s CellSummary) Outcome {
	o := Outcome{Name: a.Name, Expr: a.Expr, CellID: s.ID}
	for _, op := range a.operands {
		v, err := expr.Run(op.program, s)
		if err != nil {
			continue
		}
		o.Values = append(o.Values, op.text+" = "+formatValue(v))
	}
	result, err := expr.Run(a.program, s)
	if err != nil {
		o.Error = err.Error()
		return o
	}
	o.Passed, _ = result.(bool)
	return o
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
	default:
		return fmt.Sprint(x)
	}
}
