package runner

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestNumberWords checks the wording against Python's num2words, which
// llmperf's correctness test uses (num2words.num2words(n) for each n).
func TestNumberWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n    int64
		want string
	}{
		{0, "zero"},
		{7, "seven"},
		{13, "thirteen"},
		{20, "twenty"},
		{42, "forty-two"},
		{100, "one hundred"},
		{101, "one hundred and one"},
		{123, "one hundred and twenty-three"},
		{999, "nine hundred and ninety-nine"},
		{1000, "one thousand"},
		{1005, "one thousand and five"},
		{1234, "one thousand, two hundred and thirty-four"},
		{2100, "two thousand, one hundred"},
		{10000, "ten thousand"},
		{123000, "one hundred and twenty-three thousand"},
		{1000001, "one million and one"},
		{2_500_000_317, "two billion, five hundred million, three hundred and seventeen"},
		{-4, "-4"},
	}
	for _, tc := range cases {
		if got := NumberWords(tc.n); got != tc.want {
			t.Errorf("NumberWords(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestCorrectnessPrompt(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 200 {
		p, want, err := CorrectnessPrompt(r)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(want)
		if err != nil || n < 0 || n > MaxCorrectnessNumber {
			t.Fatalf("expected answer %q is not a number from 0 to %d", want, MaxCorrectnessNumber)
		}
		if !strings.Contains(p.Text, ": "+NumberWords(int64(n))+".") {
			t.Errorf("prompt %q does not write %d in words", p.Text, n)
		}
		if strings.ContainsAny(p.Text, "0123456789") {
			t.Errorf("prompt %q gives the digits away", p.Text)
		}
		if p.Tokens < 10 {
			t.Errorf("prompt %q counted as %d tokens", p.Text, p.Tokens)
		}
		seen[want] = true
	}
	if len(seen) < 150 {
		t.Errorf("200 prompts asked for only %d different numbers", len(seen))
	}

	// The same seed asks for the same numbers.
	a, wantA, _ := CorrectnessPrompt(rand.New(rand.NewPCG(9, 9)))
	b, wantB, _ := CorrectnessPrompt(rand.New(rand.NewPCG(9, 9)))
	if a != b || wantA != wantB {
		t.Error("the same seed built different prompts")
	}
}
