package providers

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The fast path for OpenAI-style chunks.
//
// Almost every event of a stream is a small chunk with one choice whose
// delta holds a few characters. Decoding it with encoding/json costs
// reflection and a dozen allocations per event, which at hundreds of
// streams is a visible share of the client's CPU time. fastChunk walks the
// JSON text once, reads the fields Decode needs and skips the rest,
// validating as it goes.
//
// It returns a chunk only when it is sure to agree with encoding/json: any event
// it does not fully understand (an error object, a tool call, a key that
// differs from a known one only in case, a repeated key, a number where a
// string belongs, invalid UTF-8, deep nesting, invalid JSON) makes it
// return ok == false, and Decode falls back to encoding/json, which also
// writes the error message. FuzzFastChunk checks that agreement.

// maxFastDepth bounds the nesting the fast path skips through.
const maxFastDepth = 64

// The keys each object of a chunk is read for. Top-level "error",
// "message", "type" and "code" belong to error forms, which only
// encoding/json reads.
var (
	chunkKeys   = []string{"choices", "usage", "object", "error", "message", "type", "code"}
	choiceKeys  = []string{"index", "text", "finish_reason", "delta"}
	deltaKeys   = []string{"content", "reasoning_content", "reasoning", "tool_calls"}
	usageKeys   = []string{"prompt_tokens", "completion_tokens", "completion_tokens_details"}
	detailsKeys = []string{"reasoning_tokens"}
)

// fastChunk decodes data, an OpenAI-style chunk, into c. chat selects the
// chat form (delta) over the completions form (text).
func fastChunk(data string, chat bool, c *Chunk) (ok bool) {
	s := scanner{data: data}
	var choice fastChoice
	var usage *Usage
	found := false
	read := s.members(chunkKeys, func(key string) bool {
		switch key {
		case "choices":
			return s.choices(chat, &choice, &found)
		case "usage":
			return s.usage(&usage)
		case "object":
			// {"object":"error",...} is vLLM's error form.
			v, null, ok := s.str()
			return ok && (null || v != "error")
		}
		return false
	})
	if !read {
		return false
	}
	s.space()
	if s.pos != len(s.data) {
		return false
	}

	*c = Chunk{Usage: usage}
	if found {
		c.FinishReason = choice.finish
		if chat {
			c.Content = choice.content
			c.Reasoning = choice.reasoningContent
			if c.Reasoning == "" {
				c.Reasoning = choice.reasoning
			}
		} else {
			c.Content = choice.text
		}
	}
	return true
}

// fastChoice is the part of one choice that Decode reads.
type fastChoice struct {
	index                                              int
	text, content, reasoningContent, reasoning, finish string
}

// choices reads the "choices" array and keeps the first element whose
// index is 0 in first, setting found.
func (s *scanner) choices(chat bool, first *fastChoice, found *bool) bool {
	s.space()
	if s.literal("null") {
		return true
	}
	return s.array(func() bool {
		var ch fastChoice
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != '{' {
			// A null element decodes to a zero choice; leave it to
			// encoding/json.
			return false
		}
		if !s.choice(chat, &ch) {
			return false
		}
		if !*found && ch.index == 0 {
			*first, *found = ch, true
		}
		return true
	})
}

func (s *scanner) choice(chat bool, ch *fastChoice) bool {
	return s.members(choiceKeys, func(key string) bool {
		switch key {
		case "index":
			return s.integer(&ch.index)
		case "text":
			return s.into(&ch.text)
		case "finish_reason":
			return s.into(&ch.finish)
		}
		// "delta"
		s.space()
		return s.literal("null") || s.delta(ch)
	})
}

func (s *scanner) delta(ch *fastChoice) bool {
	return s.members(deltaKeys, func(key string) bool {
		switch key {
		case "content":
			return s.into(&ch.content)
		case "reasoning_content":
			return s.into(&ch.reasoningContent)
		case "reasoning":
			return s.into(&ch.reasoning)
		}
		// "tool_calls": only an absent tool call stays on the fast path.
		s.space()
		return s.literal("null") || s.literal("[]")
	})
}

func (s *scanner) usage(out **Usage) bool {
	s.space()
	if s.literal("null") {
		*out = nil
		return true
	}
	u := &Usage{}
	read := s.members(usageKeys, func(key string) bool {
		switch key {
		case "prompt_tokens":
			return s.integer(&u.PromptTokens)
		case "completion_tokens":
			return s.integer(&u.CompletionTokens)
		}
		// "completion_tokens_details"
		s.space()
		if s.literal("null") {
			return true
		}
		return s.members(detailsKeys, func(string) bool { return s.integer(&u.ReasoningTokens) })
	})
	if !read {
		return false
	}
	*out = u
	return true
}

// members reads an object, calling member for each key in known and
// skipping the values of other keys. A known key that comes twice, or a key
// that differs from a known one only in case, makes it return false,
// because encoding/json reads those in ways the fast path does not copy.
func (s *scanner) members(known []string, member func(key string) bool) bool {
	var seen uint64
	return s.object(func(key string) bool {
		for i, k := range known {
			if key != k {
				continue
			}
			if seen&(1<<i) != 0 {
				return false
			}
			seen |= 1 << i
			return member(key)
		}
		return !foldsToKnown(key, known...) && s.skip(0)
	})
}

// foldsToKnown reports whether key matches one of known when case is
// ignored, as encoding/json matches keys. The fast path reads only exact
// keys and leaves the other spellings to encoding/json.
func foldsToKnown(key string, known ...string) bool {
	for _, k := range known {
		if len(k) == len(key) && equalFoldASCII(k, key) {
			return true
		}
	}
	// encoding/json also folds a few non-ASCII letters onto ASCII ones
	// (the Kelvin sign onto k, the long s onto s); such keys go to it.
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// scanner walks JSON text. Every method returns false when the text is not
// what it expects, and the caller then gives up.
type scanner struct {
	data string
	pos  int
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// literal consumes word when it comes next.
func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos >= len(word) && s.data[s.pos:s.pos+len(word)] == word {
		s.pos += len(word)
		return true
	}
	return false
}

// object reads an object, calling member with each key once the scanner
// is at the key's value, which member must consume.
func (s *scanner) object(member func(key string) bool) bool {
	s.space()
	if !s.literal("{") {
		return false
	}
	s.space()
	if s.literal("}") {
		return true
	}
	for {
		s.space()
		key, null, ok := s.str()
		if !ok || null {
			return false
		}
		s.space()
		if !s.literal(":") || !member(key) {
			return false
		}
		s.space()
		if s.literal("}") {
			return true
		}
		if !s.literal(",") {
			return false
		}
	}
}

// array reads an array, calling elem for each element.
func (s *scanner) array(elem func() bool) bool {
	s.space()
	if !s.literal("[") {
		return false
	}
	s.space()
	if s.literal("]") {
		return true
	}
	for {
		if !elem() {
			return false
		}
		s.space()
		if s.literal("]") {
			return true
		}
		if !s.literal(",") {
			return false
		}
	}
}

// into reads a string or null into out; null leaves out as it is, as
// encoding/json does.
func (s *scanner) into(out *string) bool {
	s.space()
	v, null, ok := s.str()
	if ok && !null {
		*out = v
	}
	return ok
}

// str reads a string, or null when null is true. Escapes are decoded by
// encoding/json, because they are rare in short chunks and easy to get
// subtly wrong.
func (s *scanner) str() (v string, null, ok bool) {
	if s.literal("null") {
		return "", true, true
	}
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return "", false, false
	}
	start := s.pos
	escaped := false
	for i := start + 1; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			raw := s.data[start+1 : i]
			if !escaped {
				if !utf8.ValidString(raw) {
					return "", false, false
				}
				return raw, false, true
			}
			var out string
			if json.Unmarshal([]byte(s.data[start:s.pos]), &out) != nil || !utf8.ValidString(raw) {
				return "", false, false
			}
			return out, false, true
		case c == '\\':
			escaped = true
			i++ // the escaped byte cannot end the string
		case c < 0x20:
			return "", false, false
		}
	}
	return "", false, false
}

// integer reads a JSON integer that fits an int, or null, which leaves
// out as it is.
func (s *scanner) integer(out *int) bool {
	s.space()
	if s.literal("null") {
		return true
	}
	start := s.pos
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		s.pos++
	}
	digits := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	if s.pos == digits || (s.data[digits] == '0' && s.pos-digits > 1) {
		return false
	}
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '.', 'e', 'E':
			return false
		}
	}
	n, err := strconv.Atoi(s.data[start:s.pos])
	if err != nil {
		return false
	}
	*out = n
	return true
}

// skip consumes one value of any kind, checking that it is valid JSON.
func (s *scanner) skip(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	s.space()
	if s.pos >= len(s.data) {
		return false
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(func(string) bool { return s.skip(depth + 1) })
	case c == '[':
		return s.array(func() bool { return s.skip(depth + 1) })
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	}
	return false
}

// number consumes a number in JSON's grammar.
func (s *scanner) number() bool {
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.data[s.pos] == '-' {
		s.pos++
	}
	if s.pos < len(s.data) && s.data[s.pos] == '0' {
		s.pos++
	} else if digits() == 0 {
		return false
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return false
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
