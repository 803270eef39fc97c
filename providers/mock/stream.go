package mock

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/infermark/infermark/providers/tokens"
)

// words are the mock's output tokens; each is one o200k_base token.
var words = []string{" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", " and", " runs", " far"}

// wire is one response format. The pacing is the same for every format;
// only the bytes differ.
type wire interface {
	// parse reads what the mock needs from a request.
	parse(r *http.Request, body []byte) (genRequest, error)
	// open returns what is written as soon as the headers are out, before
	// the first token is due; nil for formats that send nothing early.
	open(g *generation) []byte
	// token returns the bytes written when token i is due, including
	// whatever the format sends with the first token and after the last.
	token(g *generation, i int) []byte
	// errorBody renders an error response body.
	errorBody(status int, msg string) []byte
}

// genRequest is the generation a request specifies, in any format.
type genRequest struct {
	model string
	// maxTokens is nil when the request sets no output length.
	maxTokens    *int
	stream       bool
	includeUsage bool
	// prompt is the request's text, for counting input tokens.
	prompt string
}

// generation is one response being produced.
type generation struct {
	id, model    string
	includeUsage bool
	promptTokens int
	// maxTokens is the number of tokens generated.
	maxTokens int
	created   int64
	// answer, when set, replaces the filler words.
	answer []string
	// stopped is true when the response ends because the answer is
	// complete rather than because maxTokens ran out.
	stopped bool
}

func (g *generation) word(i int) string {
	if g.answer != nil {
		return g.answer[i]
	}
	return words[i%len(words)]
}

func (g *generation) last(i int) bool { return i == g.maxTokens-1 }

// text returns the first n generated words.
func (g *generation) text(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(g.word(i))
	}
	return b.String()
}

func countTokens(text string) int {
	n, err := tokens.Count(text)
	if err != nil {
		return len(strings.Fields(text))
	}
	return n
}

// sse frames one event: an optional "event:" line, then data, then a
// blank line; crlf selects CRLF line ends, as Google's servers use.
func sse(event string, data []byte, crlf bool) []byte {
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	var out []byte
	if event != "" {
		out = append(out, "event: "+event+eol...)
	}
	out = append(out, "data: "...)
	out = append(out, data...)
	return append(out, eol+eol...)
}

// textOf reads a JSON value that is either a string or a list of content
// parts with "text" members, as chat formats allow, and returns its text.
func textOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text    string          `json:"text"`
		Content json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Text != "" {
			texts = append(texts, p.Text)
		} else if len(p.Content) > 0 {
			texts = append(texts, textOf(p.Content))
		}
	}
	return strings.Join(texts, "\n")
}

// joinText joins the non-empty texts of a request with newlines.
func joinText(texts ...string) string {
	kept := texts[:0:0]
	for _, t := range texts {
		if t != "" {
			kept = append(kept, t)
		}
	}
	return strings.Join(kept, "\n")
}

// stream writes the response: the format's opening bytes at once, then
// token i at start + TTFT + i*ITL, so that pacing does not drift with
// write times.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, f wire, g *generation, start time.Time) {
	flusher, _ := w.(http.Flusher)
	contentType := "text/event-stream"
	if ct, ok := f.(interface{ contentType() string }); ok {
		contentType = ct.contentType()
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if open := f.open(g); len(open) > 0 {
		w.Write(open)
	}
	if flusher != nil {
		flusher.Flush()
	}

	for i := 0; i < g.maxTokens; i++ {
		if !s.sleepUntil(r, start.Add(s.cfg.TTFT+time.Duration(i)*s.cfg.ITL)) {
			return
		}
		if _, err := w.Write(f.token(g, i)); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// sleepUntil waits until t; it returns false when the client went away.
func (s *Server) sleepUntil(r *http.Request, t time.Time) bool {
	d := t.Sub(s.clock())
	if d <= 0 {
		return r.Context().Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
