package report

import (
	"errors"
	"math"
	"testing"

	"github.com/infermark/infermark/suite"
)

// FuzzCompileAssertion compiles arbitrary assertion and where expressions:
// compiling must not panic, a rejected expression must come back as a
// positioned *suite.ExprError, and a compiled one must evaluate on cells
// with and without samples without panicking.
func FuzzCompileAssertion(f *testing.F) {
	for _, seed := range [][2]string{
		{"ttft_ms.p95 < 1000", ""},
		{"error_rate <= 0.01 && requests_per_s > 2", "concurrency >= 8"},
		{"ttft_ms.p95 < baseline.ttft_ms.p95 * 1.1", "endpoint == 'vllm'"},
		{"failures['timeout'] == 0", "labels.gpu in ['H100', 'H200']"},
		{"correctness.mismatch_rate < 0.02", ""},
		{"load.client_saturated == false", "workload matches '^chat'"},
		{"!(e2e_ms.max > 60000) || usd_per_million_output_tokens < 1.5", ""},
		{"ttft_ms.p95 <", "concurrency >"},
		{"nope.p95 < 1", ""},
		{"len(endpoint) > 0 ? ttft_ms.p50 : 0", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	cells := []CellSummary{gateCell("c1", 4, 80), gateCell("c2", 1, math.NaN())}

	f.Fuzz(func(t *testing.T, expr, where string) {
		a, err := CompileAssertion(suite.Assertion{Name: "fuzz", Expr: expr, Where: where})
		if err != nil {
			var exprErr *suite.ExprError
			if !errors.As(err, &exprErr) {
				t.Fatalf("error %T %v is not a *suite.ExprError", err, err)
			}
			if exprErr.Col < 1 {
				t.Errorf("error column %d, want 1 or more", exprErr.Col)
			}
			return
		}
		if CheckExpr(expr) != nil {
			t.Errorf("CheckExpr rejects %q, which CompileAssertion accepted", expr)
		}
		for _, c := range cells {
			o := a.EvaluateWith(c, &c)
			if o.Name != "fuzz" || o.CellID != c.ID {
				t.Errorf("outcome names %q on %q, want fuzz on %q", o.Name, o.CellID, c.ID)
			}
			a.Evaluate(c)
		}
	})
}
