package report

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/infermark/infermark/runner"
	"github.com/infermark/infermark/suite"
)

func TestAnswerMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, answer, want string
		ok                 bool
	}{
		{"bare", "123", "123", true},
		{"trailing period", "123.", "123", true},
		{"sentence", "The number is 123", "123", true},
		{"sentence with period", "The number is 123.", "123", true},
		{"markdown", "**123**", "123", true},
		{"newline", "123\n\nThe words say one hundred and twenty-three.", "123", true},
		{"thousands group", "123,000", "123000", true},
		{"thousands group for 123", "123,000", "123", false},
		{"groups", "10,000", "10000", true},
		{"zero decimals", "123.0", "123", true},
		{"leading zero", "0123", "123", true},
		{"zero", "The answer is 0.", "0", true},
		{"after words", "One hundred and twenty-three is 123", "123", true},
		{"longer number", "1234", "123", false},
		{"shorter number", "12", "123", false},
		{"fraction", "123.5", "123", false},
		{"bad grouping", "12,3", "123", false},
		{"bad grouping parts", "1,23", "23", true},
		{"negative", "-123", "123", false},
		{"minus sign", "−123", "123", false},
		{"hyphen after word", "twenty-three-23", "23", true},
		{"words only", "one hundred and twenty-three", "123", false},
		{"suffix", "123k", "123", false},
		{"in a word", "gpt4", "4", false},
		{"space grouping", "123 000", "123000", false},
		{"empty", "", "123", false},
		{"other number", "The number is 321", "123", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := AnswerMatches(tc.answer, tc.want); got != tc.ok {
				t.Errorf("AnswerMatches(%q, %q) = %v, want %v (numbers %q)", tc.answer, tc.want, got, tc.ok, AnswerNumbers(tc.answer))
			}
		})
	}
}

func TestAnswerNumbers(t *testing.T) {
	t.Parallel()
	got := AnswerNumbers("From 1,234.50 to -7, then 0042 and 12,34.5; skip v2 and 3rd.")
	want := []string{"1234.5", "-7", "42", "12", "34.5"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AnswerNumbers = %q, want %q", got, want)
	}
}

func correctnessRecords() []runner.Record {
	rec := func(id, want, text string, phase runner.Phase, kind string) runner.Record {
		return runner.Record{RequestID: id, ExpectedAnswer: want, Text: text, Phase: phase, ErrorKind: kind}
	}
	return []runner.Record{
		rec("w1", "5", "nope", runner.PhaseWarmup, ""),
		rec("r1", "123", "123", runner.PhaseMeasured, ""),
		rec("r2", "4567", "The number is 4,567.", runner.PhaseMeasured, ""),
		rec("r3", "890", "The number is 809.", runner.PhaseMeasured, ""),
		rec("r4", "12", "", runner.PhaseMeasured, runner.FailTimeout),
		rec("r5", "10000", "one thousand", runner.PhaseMeasured, ""),
	}
}

// TestSummarizeCorrectness counts by hand: four successful measured
// answers (the warmup and the timed-out request are left out), two of them
// wrong.
func TestSummarizeCorrectness(t *testing.T) {
	t.Parallel()
	got := SummarizeCorrectness(correctnessRecords())
	want := &Correctness{Checked: 4, Mismatches: 2, MismatchRate: 0.5, Mismatched: []Mismatch{
		{RequestID: "r3", Expected: "890", Answer: "The number is 809."},
		{RequestID: "r5", Expected: "10000", Answer: "one thousand"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SummarizeCorrectness = %+v, want %+v", got, want)
	}
	if SummarizeCorrectness([]runner.Record{{Phase: runner.PhaseMeasured, Text: "x"}}) != nil {
		t.Error("records without expected answers gave a correctness summary")
	}
}

func TestSummarizeCorrectnessListsAtMost20(t *testing.T) {
	t.Parallel()
	var records []runner.Record
	for range 25 {
		records = append(records, runner.Record{Phase: runner.PhaseMeasured, ExpectedAnswer: "1", Text: strings.Repeat("no ", 100)})
	}
	got := SummarizeCorrectness(records)
	if got.Mismatches != 25 || len(got.Mismatched) != MaxMismatchesListed {
		t.Errorf("mismatches %d, listed %d; want 25 and %d", got.Mismatches, len(got.Mismatched), MaxMismatchesListed)
	}
	if n := len(got.Mismatched[0].Answer); n > maxAnswerBytes+3 {
		t.Errorf("a listed answer is %d bytes", n)
	}
}

func TestCorrectnessInSummaryAndAssertions(t *testing.T) {
	t.Parallel()
	s := Summarize(CellInfo{ID: "ep/numbers/c1"}, correctnessRecords(), 0)
	if s.Correctness == nil || s.Correctness.Mismatches != 2 {
		t.Fatalf("summary correctness = %+v", s.Correctness)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Correctness map[string]any `json:"correctness"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"checked": 4.0, "mismatches": 2.0, "mismatch_rate": 0.5} {
		if doc.Correctness[key] != want {
			t.Errorf("JSON correctness.%s = %v, want %v", key, doc.Correctness[key], want)
		}
	}
	plain := Summarize(CellInfo{ID: "ep/chat/c1"}, []runner.Record{{Phase: runner.PhaseMeasured}}, 0)
	if b, _ := json.Marshal(plain); bytes.Contains(b, []byte("correctness")) {
		t.Errorf("a cell without correctness requests has correctness in its JSON")
	}

	for _, tc := range []struct {
		expr string
		pass bool
	}{
		{"correctness.mismatch_rate <= 0.5", true},
		{"correctness.mismatch_rate < 0.1", false},
		{"correctness.mismatches == 2", true},
	} {
		a, err := CompileAssertion(suite.Assertion{Name: "correct", Expr: tc.expr})
		if err != nil {
			t.Errorf("CompileAssertion(%q): %v", tc.expr, err)
			continue
		}
		if o := a.Evaluate(s); o.Passed != tc.pass {
			t.Errorf("%s on the correctness cell: passed = %v (%v, %s), want %v", tc.expr, o.Passed, o.Values, o.Error, tc.pass)
		}
		if o := a.Evaluate(plain); o.Passed {
			t.Errorf("%s passed on a cell without correctness requests", tc.expr)
		}
	}
}

func TestCorrectnessNaNIsNull(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Correctness{MismatchRate: math.NaN()})
	if err != nil || !bytes.Contains(b, []byte(`"mismatch_rate":null`)) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

func TestWriteCorrectness(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	cells := []CellSummary{
		{CellInfo: CellInfo{ID: "a/chat/c1"}},
		{CellInfo: CellInfo{ID: "a/numbers/c1"}, Correctness: SummarizeCorrectness(correctnessRecords())},
	}
	if err := WriteCorrectness(&buf, cells); err != nil {
		t.Fatal(err)
	}
	want := "\ncorrectness (numbers written in words, answered in digits):\n" +
		"  a/numbers/c1: 4 checked, 2 mismatched (50.0%)\n" +
		"    r3: expected 890, answered \"The number is 809.\"\n" +
		"    r5: expected 10000, answered \"one thousand\"\n"
	if buf.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", buf.String(), want)
	}

	buf.Reset()
	WriteCorrectness(&buf, cells[:1])
	if buf.Len() != 0 {
		t.Errorf("wrote %q for cells without correctness requests", buf.String())
	}
}
