package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/infermark/infermark/runner"
)

// MaxMismatchesListed bounds the mismatched answers a summary lists; the
// counts cover all of them.
const MaxMismatchesListed = 20

// maxAnswerBytes bounds a listed answer.
const maxAnswerBytes = 200

// Correctness is the outcome of a cell's correctness requests (a workload
// of kind correctness): how many answers were checked and how many did not
// state the number asked for. Only successful measured requests are
// checked; failed ones count in the error rate instead.
type Correctness struct {
	// Checked is the number of answers checked.
	Checked int `json:"checked" expr:"checked"`
	// Mismatches is the number of answers without the expected number.
	Mismatches int `json:"mismatches" expr:"mismatches"`
	// MismatchRate is Mismatches / Checked; NaN (null in JSON) when
	// nothing was checked.
	MismatchRate float64 `json:"mismatch_rate" expr:"mismatch_rate"`
	// Mismatched lists the first MaxMismatchesListed mismatched answers,
	// in request order.
	Mismatched []Mismatch `json:"mismatched" expr:"mismatched"`
}

// Mismatch is one answer that did not state the expected number.
type Mismatch struct {
	RequestID string `json:"request_id" expr:"request_id"`
	Expected  string `json:"expected" expr:"expected"`
	// Answer is the answer text, at most 200 bytes.
	Answer string `json:"answer" expr:"answer"`
}

// SummarizeCorrectness checks the answers of the measured, successful
// records that carry an expected answer. It returns nil when there are
// none, as in a cell of any other workload.
func SummarizeCorrectness(records []runner.Record) *Correctness {
	var c Correctness
	for i := range records {
		rec := &records[i]
		if rec.Phase != runner.PhaseMeasured || !rec.Counted() || !rec.OK() || rec.ExpectedAnswer == "" {
			continue
		}
		c.Checked++
		if AnswerMatches(rec.Text, rec.ExpectedAnswer) {
			continue
		}
		c.Mismatches++
		if len(c.Mismatched) < MaxMismatchesListed {
			c.Mismatched = append(c.Mismatched, Mismatch{
				RequestID: rec.RequestID, Expected: rec.ExpectedAnswer, Answer: shortAnswer(rec.Text),
			})
		}
	}
	if c.Checked == 0 {
		return nil
	}
	c.MismatchRate = float64(c.Mismatches) / float64(c.Checked)
	return &c
}

// MarshalJSON writes a NaN mismatch rate as null.
func (c Correctness) MarshalJSON() ([]byte, error) {
	type plain Correctness
	return json.Marshal(struct {
		plain
		MismatchRate *float64 `json:"mismatch_rate"`
	}{plain(c), num(c.MismatchRate)})
}

// numberPattern finds runs of digits with optional comma groups and an
// optional decimal fraction: "123", "1,234", "123.0".
var numberPattern = regexp.MustCompile(`\d+(?:,\d+)*(?:\.\d+)?`)

// thousandsGroups matches digits grouped by thousands with commas.
var thousandsGroups = regexp.MustCompile(`^\d{1,3}(?:,\d{3})+$`)

// AnswerMatches reports whether answer states the number want (digits,
// such as "123"). Like llmperf, it accepts an answer when any number in it
// is the expected one, so "123", "123.", "The number is 123" and
// "**123**" match 123. Unlike llmperf, it reads numbers whole. Commas
// join digits only in thousands groups, so "123,000" is 123000 and never
// 123, and "12,3" is two numbers. "123.0" is 123 but "123.5" is not. A
// minus sign makes a number negative. Digits run into letters ("123k",
// "gpt4") are not a number. Reasoning text is not part of the answer.
func AnswerMatches(answer, want string) bool {
	target, ok := canonicalNumber(want, false)
	if !ok {
		return false
	}
	for _, n := range AnswerNumbers(answer) {
		if n == target {
			return true
		}
	}
	return false
}

// AnswerNumbers returns the numbers stated in answer, in order, each in a
// canonical form: no grouping commas, no leading zeros, no trailing zero
// decimals, and "-" for negative numbers ("1,234.50" is "1234.5").
func AnswerNumbers(answer string) []string {
	var out []string
	for _, loc := range numberPattern.FindAllStringIndex(answer, -1) {
		start, end := loc[0], loc[1]
		before, size := utf8.DecodeLastRuneInString(answer[:start])
		after, _ := utf8.DecodeRuneInString(answer[end:])
		if unicode.IsLetter(before) || unicode.IsLetter(after) {
			continue
		}
		negative := false
		if before == '-' || before == '−' {
			prev, _ := utf8.DecodeLastRuneInString(answer[:start-size])
			negative = !unicode.IsLetter(prev) && !unicode.IsDigit(prev)
		}
		out = append(out, splitNumber(answer[start:end], negative)...)
	}
	return out
}

// splitNumber reads one match: a single number when its commas group
// thousands, else one number per comma-separated part.
func splitNumber(s string, negative bool) []string {
	whole, frac, _ := strings.Cut(s, ".")
	parts := []string{whole}
	if strings.Contains(whole, ",") {
		if thousandsGroups.MatchString(whole) {
			parts = []string{strings.ReplaceAll(whole, ",", "")}
		} else {
			parts = strings.Split(whole, ",")
		}
	}
	out := make([]string, 0, len(parts))
	for i, p := range parts {
		if i == len(parts)-1 && frac != "" {
			p += "." + frac
		}
		if n, ok := canonicalNumber(p, negative && i == 0); ok {
			out = append(out, n)
		}
	}
	return out
}

// canonicalNumber writes a plain decimal number ("0123.40") canonically
// ("123.4"); ok is false when s is not one.
func canonicalNumber(s string, negative bool) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		s, negative = s[1:], true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return "", false
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	n := whole
	if frac != "" {
		n += "." + frac
	}
	if negative && n != "0" {
		n = "-" + n
	}
	return n, true
}

func shortAnswer(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxAnswerBytes {
		return s
	}
	cut := maxAnswerBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// WriteCorrectness writes, for every cell with correctness requests, the
// answers checked, the mismatches and the mismatched answers. It writes
// nothing when no cell has any.
func WriteCorrectness(w io.Writer, cells []CellSummary) error {
	printed := false
	for _, c := range cells {
		k := c.Correctness
		if k == nil {
			continue
		}
		if !printed {
			fmt.Fprintln(w, "\ncorrectness (numbers written in words, answered in digits):")
			printed = true
		}
		fmt.Fprintf(w, "  %s: %d checked, %d mismatched (%s)\n", c.ID, k.Checked, k.Mismatches, percent(k.MismatchRate))
		for _, m := range k.Mismatched {
			fmt.Fprintf(w, "    %s: expected %s, answered %q\n", m.RequestID, m.Expected, m.Answer)
		}
		if more := k.Mismatches - len(k.Mismatched); more > 0 {
			fmt.Fprintf(w, "    ... and %d more in the results\n", more)
		}
	}
	return nil
}

func percent(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}
