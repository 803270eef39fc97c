package runner

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/tokens"
)

type plannedRequest struct {
	index  int
	prompt Prompt
	// history is the session so far, for a turn of a multi-turn cell.
	history []providers.Message
	// session and turn place such a turn; 0 otherwise.
	session, turn int
	// expected is the answer a correctness request asks for.
	expected string
	// target is the prompt length the workload sampled.
	target int
	// err is set when the prompt could not be built.
	err error
}

// planFor builds request index of cell. Each index has its own random
// stream, so a plan depends only on the seed and the index, never on the
// order plans are built in.
func planFor(cell Cell, index int) plannedRequest {
	rng := rand.New(rand.NewPCG(cell.Seed, uint64(index)))
	if cell.Workload.Correctness {
		return correctnessPlan(cell, index, rng)
	}
	if texts := cell.Workload.Prompts; len(texts) > 0 {
		return givenPrompt(cell, index, texts[rng.IntN(len(texts))], rng)
	}
	in := cell.Workload.InputTokens(rng)
	out := cell.Workload.OutputTokens(rng)
	p, err := SyntheticPrompt(rng, in, cell.Seed, cell.Workload.SharedPrefixTokens)
	if err != nil {
		err = fmt.Errorf("building prompt %d: %w", index, err)
	}
	p.MaxTokens = out
	return plannedRequest{index: index, prompt: p, target: in, err: err}
}

// givenPrompt plans a request with a prompt from the workload's file; its
// target length is its own tokenizer count.
func givenPrompt(cell Cell, index int, text string, rng *rand.Rand) plannedRequest {
	n, err := tokens.Count(text)
	if err != nil {
		err = fmt.Errorf("counting prompt %d: %w", index, err)
	}
	p := Prompt{Text: text, Tokens: n, MaxTokens: cell.Workload.OutputTokens(rng)}
	return plannedRequest{index: index, prompt: p, target: n, err: err}
}

// planSource hands out plans in index order. A phase with a known count
// builds them all before it starts, so that building prompts is never on
// the timed path; an open-ended phase builds them ahead in the background.
type planSource struct {
	built []plannedRequest
	ahead chan plannedRequest
	stop  chan struct{}
	once  sync.Once

	mu   sync.Mutex
	used int
}

// planAhead is how many plans an open-ended phase keeps ready.
const planAhead = 512

func newPlanSource(cell Cell, first, count int) *planSource {
	s := &planSource{stop: make(chan struct{})}
	if count > 0 {
		s.built = make([]plannedRequest, count)
		for i := range s.built {
			s.built[i] = planFor(cell, first+i)
		}
		return s
	}
	s.ahead = make(chan plannedRequest, planAhead)
	go func() {
		defer close(s.ahead)
		for i := first; ; i++ {
			select {
			case s.ahead <- planFor(cell, i):
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

// next returns the next plan; false when the phase has no more, or when
// ctx ended while waiting for one.
func (s *planSource) next(ctx context.Context) (plannedRequest, bool) {
	if s.ahead == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.used >= len(s.built) {
			return plannedRequest{}, false
		}
		s.used++
		return s.built[s.used-1], true
	}
	select {
	case p, ok := <-s.ahead:
		return p, ok
	case <-ctx.Done():
		return plannedRequest{}, false
	}
}

func (s *planSource) close() { s.once.Do(func() { close(s.stop) }) }

// correctnessPlan plans a correctness request: a number written in words
// to be answered in digits, with the workload's output length.
func correctnessPlan(cell Cell, index int, rng *rand.Rand) plannedRequest {
	p, want, err := CorrectnessPrompt(rng)
	if err != nil {
		err = fmt.Errorf("building prompt %d: %w", index, err)
	}
	p.MaxTokens = cell.Workload.OutputTokens(rng)
	return plannedRequest{index: index, prompt: p, target: p.Tokens, err: err, expected: want}
}
