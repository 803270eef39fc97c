package providers

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// doneMarker is the data of the event that ends an OpenAI-style stream.
const doneMarker = "[DONE]"

// maxQuotedData bounds how much of an unparsable event an error quotes.
const maxQuotedData = 100

// wireChunk is the subset of a streamed chunk that infermark reads. The
// top-level Object, Message, Type and Code fields only appear on the vLLM
// and SGLang error form {"object":"error","message":...}.
type wireChunk struct {
	Object  string          `json:"object"`
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
	Error   json.RawMessage `json:"error"`
	Choices []wireChoice    `json:"choices"`
	Usage   *wireUsage      `json:"usage"`
}

type wireChoice struct {
	Index        int       `json:"index"`
	Text         string    `json:"text"`
	Delta        wireDelta `json:"delta"`
	FinishReason string    `json:"finish_reason"`
}

type wireDelta struct {
	Content          string         `json:"content"`
	ReasoningContent string         `json:"reasoning_content"`
	Reasoning        string         `json:"reasoning"`
	ToolCalls        []wireToolCall `json:"tool_calls"`
}

type wireToolCall struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireUsage struct {
	PromptTokens            int `json:"prompt_tokens"`
	CompletionTokens        int `json:"completion_tokens"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

type wireError struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
}

// Decode interprets one event of an OpenAI-style stream. "[DONE]" sets
// Done, and empty data (a keep-alive) yields an empty Chunk. Only the choice
// with index 0 is read, because infermark requests a single completion.
// A chunk with no choices, such as the final usage chunk or llama.cpp's
// prompt_progress chunk, is read for usage alone.
func (p openAI) Decode(ev Event) (Chunk, error) {
	data := strings.TrimSpace(ev.Data)
	if data == doneMarker {
		return Chunk{Done: true}, nil
	}
	if data == "" {
		return Chunk{}, nil
	}
	if ev.Type == "" || ev.Type == "message" {
		var c Chunk
		if fastChunk(data, p.chat, &c) {
			return c, nil
		}
	}
	return p.decodeJSON(ev, data)
}

// decodeJSON is Decode through encoding/json: the reference that the fast
// path must agree with, and the one that explains an invalid event.
func (p openAI) decodeJSON(ev Event, data string) (Chunk, error) {
	var wc wireChunk
	if err := json.Unmarshal([]byte(data), &wc); err != nil {
		return Chunk{}, fmt.Errorf("%s: invalid JSON in stream event %q: %w; the server did not send an OpenAI-style chunk",
			p.name, quoteData(data), err)
	}

	c := Chunk{Usage: wc.usage(), Err: wc.streamError()}
	if c.Err == nil && ev.Type == "error" {
		c.Err = &StreamError{Type: "error event", Message: quoteData(data)}
	}
	if choice := firstChoice(wc.Choices); choice != nil {
		p.readChoice(&c, choice)
	}
	return c, nil
}

func (p openAI) readChoice(c *Chunk, choice *wireChoice) {
	c.FinishReason = choice.FinishReason
	if !p.chat {
		c.Content = choice.Text
		return
	}

	c.Content = choice.Delta.Content
	// Servers name the field either way; one that sends both sends the same
	// text twice, so only one of them is read.
	c.Reasoning = choice.Delta.ReasoningContent
	if c.Reasoning == "" {
		c.Reasoning = choice.Delta.Reasoning
	}
	if len(choice.Delta.ToolCalls) > 0 {
		c.ToolCall = true
		c.ToolCalls = make([]ToolCallDelta, len(choice.Delta.ToolCalls))
		for i, tc := range choice.Delta.ToolCalls {
			c.ToolCalls[i] = ToolCallDelta{
				Index:     tc.Index,
				ID:        tc.ID,
				Type:      tc.Type,
				Name:      tc.Function.Name,
				Arguments: tc.Function.Arguments,
			}
		}
	}
}

func firstChoice(choices []wireChoice) *wireChoice {
	for i := range choices {
		if choices[i].Index == 0 {
			return &choices[i]
		}
	}
	return nil
}

func (wc *wireChunk) usage() *Usage {
	if wc.Usage == nil {
		return nil
	}
	u := &Usage{
		PromptTokens:     wc.Usage.PromptTokens,
		CompletionTokens: wc.Usage.CompletionTokens,
	}
	if d := wc.Usage.CompletionTokensDetails; d != nil {
		u.ReasoningTokens = d.ReasoningTokens
	}
	return u
}

// streamError recognizes both error forms sent inside a stream: an "error"
// member, holding an object or a bare message string, and a top-level
// object whose "object" is "error".
func (wc *wireChunk) streamError() *StreamError {
	raw := strings.TrimSpace(string(wc.Error))
	switch {
	case raw == "" || raw == "null" || raw == "false":
	case raw[0] == '{':
		var we wireError
		if err := json.Unmarshal(wc.Error, &we); err != nil {
			return &StreamError{Message: quoteData(raw)}
		}
		return &StreamError{Type: we.Type, Code: codeString(we.Code), Message: we.Message}
	case raw[0] == '"':
		var msg string
		if err := json.Unmarshal(wc.Error, &msg); err == nil {
			return &StreamError{Message: msg}
		}
		return &StreamError{Message: quoteData(raw)}
	default:
		return &StreamError{Message: quoteData(raw)}
	}

	if wc.Object == "error" {
		return &StreamError{Type: wc.Type, Code: codeString(wc.Code), Message: wc.Message}
	}
	return nil
}

// codeString renders an error code that servers send as a number or a
// string.
func codeString(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	code := strings.TrimSpace(string(raw))
	if code == "null" {
		return ""
	}
	return code
}

// quoteData returns at most maxQuotedData bytes of data, cut at a rune
// boundary, with "..." appended when it was cut.
func quoteData(data string) string {
	if len(data) <= maxQuotedData {
		return data
	}
	cut := maxQuotedData
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	return data[:cut] + "..."
}
