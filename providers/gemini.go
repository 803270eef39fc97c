package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// gemini implements Google's streamGenerateContent with alt=sse, both on
// the Gemini API (generativelanguage.googleapis.com, a key in the
// x-goog-api-key header) and on Vertex AI ({region}-aiplatform.googleapis.com,
// an OAuth access token as a bearer token). The form of the base URL
// distinguishes them: a path with /projects/{project}/locations/{region}
// is Vertex AI.
//
// Each event is a GenerateContentResponse: {"candidates": [{"content":
// {"parts": [{"text"}, {"text", "thought": true}, {"functionCall"}]},
// "finishReason"}], "usageMetadata": {...}}. The stream has no end marker;
// it ends after the event with a finishReason. Google frames events with
// CRLF line ends.
type gemini struct{}

var geminiKeyAuth = auth{header: "X-Goog-Api-Key"}

// geminiTopLevel lists the sampling keys that belong at the top of the
// request body; every other sampling key goes into generationConfig.
// contents is listed so that it is rejected as a conflict.
var geminiTopLevel = map[string]bool{
	"safetySettings": true, "tools": true, "toolConfig": true, "cachedContent": true, "labels": true,
	"contents": true, "systemInstruction": true,
}

func init() { register(gemini{}) }

func (gemini) Name() string { return "gemini" }

// NewRequest builds a POST to {BaseURL}/{resource}:streamGenerateContent?alt=sse.
// The resource is the model as given when it contains a "/" (such as
// "endpoints/1234" for a Vertex AI endpoint, or "models/gemini-2.5-flash"),
// and otherwise "models/{model}", or on Vertex AI
// "publishers/google/models/{model}" unless the base URL already names a
// publisher. The key never goes in the URL. Sampling keys go into
// generationConfig (temperature, topP, thinkingConfig, ...), except
// safetySettings, tools, toolConfig, cachedContent and labels. The API has
// no ignore_eos, so IgnoreEOS is not sent.
func (p gemini) NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error) {
	const name = "gemini"
	target, a, err := p.target(ep)
	if err != nil {
		return nil, err
	}
	if err := requireCredential(name, ep, a); err != nil {
		return nil, err
	}
	body, err := p.body(req)
	if err != nil {
		return nil, err
	}
	return newPost(ctx, name, target, body, ep, a)
}

// target returns the request URL and how the credential is sent.
func (p gemini) target(ep Endpoint) (string, auth, error) {
	const name = "gemini"
	u, err := parseBase(name, ep.BaseURL, "https://generativelanguage.googleapis.com/v1beta")
	if err != nil {
		return "", auth{}, err
	}
	q := u.Query()
	if q.Has("key") {
		return "", auth{}, errors.New("gemini: base_url carries a key in its query; remove it and set api_key, which is sent in the x-goog-api-key header and never in the URL")
	}
	model := strings.Trim(ep.Model, "/")
	if model == "" {
		return "", auth{}, errors.New("gemini: missing model; set it to a model such as \"gemini-2.5-flash\" or a resource such as \"endpoints/1234\"")
	}

	vertex := strings.Contains(u.Path, "/projects/") && strings.Contains(u.Path, "/locations/")
	resource := "models/" + model
	switch {
	case strings.Contains(model, "/"):
		resource = model
	case vertex && !strings.Contains(u.Path, "/publishers/"):
		resource = "publishers/google/models/" + model
	}

	u = u.JoinPath(resource + ":streamGenerateContent")
	q.Set("alt", "sse")
	u.RawQuery = q.Encode()
	if vertex {
		return u.String(), bearerAuth, nil
	}
	return u.String(), geminiKeyAuth, nil
}

type geminiText struct {
	Text string `json:"text"`
}

type geminiContent struct {
	Role  string       `json:"role,omitempty"`
	Parts []geminiText `json:"parts"`
}

func (p gemini) body(req Request) ([]byte, error) {
	const name = "gemini"
	if _, ok := req.Sampling["generationConfig"]; ok {
		return nil, errors.New("gemini: write generationConfig's fields, such as temperature and topP, directly in sampling; infermark puts them in generationConfig")
	}
	top := map[string]any{"contents": geminiContents(req)}
	if req.SystemPrompt != "" {
		top["systemInstruction"] = geminiContent{Parts: []geminiText{{Text: req.SystemPrompt}}}
	}
	gen := map[string]any{}
	if req.MaxTokens > 0 {
		gen["maxOutputTokens"] = req.MaxTokens
	}

	topSampling, genSampling := map[string]any{}, map[string]any{}
	for k, v := range req.Sampling {
		if geminiTopLevel[k] {
			topSampling[k] = v
		} else {
			genSampling[k] = v
		}
	}
	if err := mergeSampling(name, top, topSampling); err != nil {
		return nil, err
	}
	if err := mergeSampling(name, gen, genSampling); err != nil {
		return nil, err
	}
	if len(gen) > 0 {
		top["generationConfig"] = gen
	}
	return encodeBody(name, top)
}

type geminiEvent struct {
	Candidates []struct {
		Content struct {
			Parts []struct {
				Text         *string         `json:"text"`
				Thought      bool            `json:"thought"`
				FunctionCall *geminiFunction `json:"functionCall"`
			} `json:"parts"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
		Index        int    `json:"index"`
	} `json:"candidates"`
	Usage *struct {
		Prompt     int `json:"promptTokenCount"`
		ToolPrompt int `json:"toolUsePromptTokenCount"`
		Candidates int `json:"candidatesTokenCount"`
		Thoughts   int `json:"thoughtsTokenCount"`
	} `json:"usageMetadata"`
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	Error *struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
		Status  string          `json:"status"`
	} `json:"error"`
}

type geminiFunction struct {
	ID   string          `json:"id"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

// Decode interprets one event. Text parts marked "thought" are reasoning.
// A function call arrives whole, so its fragment carries name and
// arguments at once; Index is its place among the event's parts. Usage is
// reported from the event with a finishReason, or from an event without
// candidates, because earlier events carry running counts that would make
// a cut-off stream look complete.
func (p gemini) Decode(ev Event) (Chunk, error) {
	data := strings.TrimSpace(ev.Data)
	if data == "" {
		return Chunk{}, nil
	}
	var e geminiEvent
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		return Chunk{}, fmt.Errorf("gemini: invalid JSON in stream event %q: %w; the server did not send a GenerateContentResponse", quoteData(data), err)
	}
	if e.Error != nil {
		return Chunk{Err: &StreamError{Type: e.Error.Status, Code: codeString(e.Error.Code), Message: e.Error.Message}}, nil
	}
	if f := e.PromptFeedback; f != nil && f.BlockReason != "" && len(e.Candidates) == 0 {
		return Chunk{Err: &StreamError{Type: "prompt_blocked", Message: "the prompt was blocked: " + f.BlockReason}}, nil
	}

	var c Chunk
	final := len(e.Candidates) == 0
	for i := range e.Candidates {
		cand := &e.Candidates[i]
		if cand.Index != 0 {
			continue
		}
		for j, part := range cand.Content.Parts {
			switch {
			case part.FunctionCall != nil:
				fc := part.FunctionCall
				c.ToolCall = true
				c.ToolCalls = append(c.ToolCalls, ToolCallDelta{Index: j, ID: fc.ID, Type: "function", Name: fc.Name, Arguments: string(fc.Args)})
			case part.Text != nil && part.Thought:
				c.Reasoning += *part.Text
			case part.Text != nil:
				c.Content += *part.Text
			}
		}
		c.FinishReason = cand.FinishReason
		final = cand.FinishReason != ""
	}
	if u := e.Usage; u != nil && final {
		c.Usage = &Usage{PromptTokens: u.Prompt + u.ToolPrompt, CompletionTokens: u.Candidates + u.Thoughts, ReasoningTokens: u.Thoughts}
	}
	return c, nil
}
