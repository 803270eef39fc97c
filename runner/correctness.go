package runner

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/infermark/infermark/providers/tokens"
)

// The correctness test is llmperf's: a random number is written out in
// English words and the model is asked to write it in digits. A server
// that corrupts output under load (a broken batch, a bad quantization, a
// cache mix-up between requests) answers with the wrong number. The
// runner only builds the prompt and keeps the answer with the number it
// expects; report decides whether the answer matches.

// MaxCorrectnessNumber is the largest number a correctness prompt asks
// for. Numbers are drawn uniformly from 0 to it, both included, as
// llmperf draws them.
const MaxCorrectnessNumber = 10000

// CorrectnessPrompt returns the prompt of one correctness request, drawn
// from r, and the answer it expects in digits, such as "1234".
func CorrectnessPrompt(r *rand.Rand) (Prompt, string, error) {
	n := r.Int64N(MaxCorrectnessNumber + 1)
	text := fmt.Sprintf("Write the following number in digits: %s.\nAnswer with the number first.", NumberWords(n))
	count, err := tokens.Count(text)
	if err != nil {
		return Prompt{}, "", err
	}
	return Prompt{Text: text, Tokens: count}, strconv.FormatInt(n, 10), nil
}

var (
	smallNumbers = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tensWords = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	// scales are the short-scale names of powers of 1000, from the largest.
	scales = []struct {
		value int64
		name  string
	}{{1_000_000_000, "billion"}, {1_000_000, "million"}, {1_000, "thousand"}}
)

// NumberWords writes n, from 0 to 999,999,999,999, in English words with
// British "and", as Python's num2words, which llmperf uses, writes the
// numbers the test draws: "one thousand, two hundred and thirty-four",
// "ten thousand", "one thousand and five". Negative or larger numbers are
// written in digits.
func NumberWords(n int64) string {
	if n < 0 || n >= 1_000_000_000_000 {
		return strconv.FormatInt(n, 10)
	}
	if n < 1000 {
		return belowThousand(n)
	}
	var parts []string
	rest := n
	for _, s := range scales {
		if rest >= s.value {
			parts = append(parts, belowThousand(rest/s.value)+" "+s.name)
			rest %= s.value
		}
	}
	out := strings.Join(parts, ", ")
	switch {
	case rest == 0:
		return out
	case rest < 100:
		return out + " and " + belowThousand(rest)
	default:
		return out + ", " + belowThousand(rest)
	}
}

// belowThousand writes 0 ≤ n < 1000.
func belowThousand(n int64) string {
	switch {
	case n < 20:
		return smallNumbers[n]
	case n < 100:
		if n%10 == 0 {
			return tensWords[n/10]
		}
		return tensWords[n/10] + "-" + smallNumbers[n%10]
	case n%100 == 0:
		return smallNumbers[n/100] + " hundred"
	default:
		return smallNumbers[n/100] + " hundred and " + belowThousand(n%100)
	}
}
