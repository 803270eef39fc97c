package runner

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/infermark/infermark/providers/tokens"
)

// instruction opens every synthetic prompt so that the model keeps writing
// instead of stopping early.
const instruction = "Continue this list of words with more random words, and keep writing for as long as you can:"

// vocabulary is the set of o200k_base tokens that are a space followed by
// 3 to 12 lowercase ASCII letters. The tokenizer splits text at spaces
// before merging, so a string of such words has exactly one token per word.
var (
	vocabOnce  sync.Once
	vocabulary []string
	vocabErr   error
	instrCount int
)

// vocabularyScan bounds the token ids searched for words; the most common
// words come first in the vocabulary.
const vocabularyScan = 60000

func loadVocabulary() ([]string, int, error) {
	vocabOnce.Do(func() {
		for id := uint(0); id < vocabularyScan; id++ {
			s, err := tokens.Decode([]uint{id})
			if err != nil {
				continue
			}
			if isPlainWord(s) {
				vocabulary = append(vocabulary, s)
			}
		}
		if len(vocabulary) < 1000 {
			vocabErr = fmt.Errorf("prompt vocabulary has only %d words", len(vocabulary))
			return
		}
		instrCount, vocabErr = tokens.Count(instruction)
	})
	return vocabulary, instrCount, vocabErr
}

func isPlainWord(s string) bool {
	if len(s) < 4 || len(s) > 13 || s[0] != ' ' {
		return false
	}
	for _, c := range s[1:] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Prompt is one generated prompt.
type Prompt struct {
	Text string
	// Tokens is the tokenizer's count of Text.
	Tokens int
	// MaxTokens is the output length to request.
	MaxTokens int
}

// SyntheticPrompt returns a prompt of exactly n o200k_base tokens: the
// instruction followed by random words drawn from r, so that prompts share
// no long prefix. With prefixTokens positive, the words after the
// instruction start with the same prefixTokens words for every prompt of
// prefixSeed. A prompt too short for the instruction has words only.
func SyntheticPrompt(r *rand.Rand, n int, prefixSeed uint64, prefixTokens int) (Prompt, error) {
	words, fixed, err := loadVocabulary()
	if err != nil {
		return Prompt{}, err
	}
	var b strings.Builder
	start := 0
	if n > fixed {
		b.WriteString(instruction)
		start = fixed
	}
	shared := min(prefixTokens, n-start)
	if shared > 0 {
		prefix := rand.New(rand.NewPCG(prefixSeed, 0x70726566))
		for range shared {
			b.WriteString(words[prefix.IntN(len(words))])
		}
	}
	for i := start + max(shared, 0); i < n; i++ {
		b.WriteString(words[r.IntN(len(words))])
	}
	text := b.String()
	count, err := tokens.Count(text)
	if err != nil {
		return Prompt{}, err
	}
	return Prompt{Text: text, Tokens: count}, nil
}
