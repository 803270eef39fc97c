package mock

import (
	"regexp"
	"strconv"
	"strings"
)

// The mock answers the correctness test's question (a number written in
// words, to be written in digits) correctly, so that a correctness suite
// against it reports no mismatches; every other prompt gets the usual
// filler words.

// numberQuestion finds the number words of a correctness prompt.
var numberQuestion = regexp.MustCompile(`in digits: ([a-z ,\-]+)\.`)

var wordValues = map[string]int64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

var scaleValues = map[string]int64{"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

// answerFor returns the answer's words when prompt asks for a number in
// digits, or nil.
func answerFor(prompt string) []string {
	m := numberQuestion.FindStringSubmatch(prompt)
	if m == nil {
		return nil
	}
	n, ok := parseNumberWords(m[1])
	if !ok {
		return nil
	}
	return []string{"The", " number", " is", " " + strconv.FormatInt(n, 10), "."}
}

// parseNumberWords reads English number words such as "one thousand, two
// hundred and thirty-four".
func parseNumberWords(s string) (int64, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' })
	var total, group int64
	seen := false
	for _, w := range fields {
		switch {
		case w == "and":
		case w == "hundred":
			group *= 100
		case scaleValues[w] > 0:
			total += group * scaleValues[w]
			group = 0
		default:
			v, ok := wordValues[w]
			if !ok {
				return 0, false
			}
			group += v
			seen = true
		}
	}
	return total + group, seen
}
