package runner

import (
	"math/rand/v2"
	"strings"
	"sync/atomic"

	"github.com/infermark/infermark/providers"
	"github.com/infermark/infermark/providers/tokens"
)

// sessionSalt separates the random streams that pick conversations from
// those of single requests.
const sessionSalt = 1 << 62

// sessionLoop keeps Concurrency sessions in flight. A worker picks a
// conversation with the session's own random stream, sends its turns one
// after another, each with the history so far, and starts the next
// session when the conversation ends or a turn fails. The phase's request
// count bounds the turns sent in all.
func (p *phaseRun) sessionLoop() {
	var sessions, sent atomic.Int64
	conversations := p.cell.Workload.Conversations
	for k := range p.cell.Concurrency {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if p.spec.ramp > 0 && !p.sleepUntil(rampOffset(p.spec.ramp, k, p.cell.Concurrency)) {
				return
			}
			for p.stop.Err() == nil {
				session := int(sessions.Add(1))
				rng := rand.New(rand.NewPCG(p.cell.Seed, uint64(session)|sessionSalt))
				if !p.runSession(session, conversations[rng.IntN(len(conversations))], rng, &sent) {
					return
				}
			}
		}()
	}
}

// runSession sends the turns of one session; it returns false when the
// phase has no requests left.
func (p *phaseRun) runSession(session int, turns []string, rng *rand.Rand, sent *atomic.Int64) bool {
	var history []providers.Message
	for t, text := range turns {
		n := int(sent.Add(1))
		if (p.spec.requests > 0 && n > p.spec.requests) || p.stop.Err() != nil {
			return false
		}
		plan := sessionTurn(p.cell, p.spec.first+n-1, text, history, rng)
		plan.session, plan.turn = session, t+1
		rec := p.send(plan, -1)
		if !rec.OK() {
			return true
		}
		history = append(history,
			providers.Message{Role: "user", Content: text},
			providers.Message{Role: "assistant", Content: rec.Text})
	}
	return true
}

// sessionTurn plans one turn: its input length is the client's count of
// the whole history plus the new turn.
func sessionTurn(cell Cell, index int, text string, history []providers.Message, rng *rand.Rand) plannedRequest {
	var all strings.Builder
	for _, m := range history {
		all.WriteString(m.Content)
		all.WriteByte('\n')
	}
	all.WriteString(text)
	n, err := tokens.Count(all.String())
	p := Prompt{Text: text, Tokens: n, MaxTokens: cell.Workload.OutputTokens(rng)}
	return plannedRequest{index: index, prompt: p, target: n, history: history, err: err}
}
