package providers

// turns returns the history and the new prompt as chat messages.
func turns(req Request) []chatMessage {
	out := make([]chatMessage, 0, len(req.History)+1)
	for _, m := range req.History {
		out = append(out, chatMessage{Role: m.Role, Content: m.Content})
	}
	return append(out, chatMessage{Role: "user", Content: req.Prompt})
}

// responsesInput returns the Responses API input: the prompt alone, or a
// list of role messages when the request has history.
func responsesInput(req Request) any {
	if len(req.History) == 0 {
		return req.Prompt
	}
	return turns(req)
}

// geminiContents returns the history and the prompt as Gemini contents,
// whose roles are "user" and "model".
func geminiContents(req Request) []geminiContent {
	out := make([]geminiContent, 0, len(req.History)+1)
	for _, m := range req.History {
		role := m.Role
		if role == "assistant" {
			role = "model"
		}
		out = append(out, geminiContent{Role: role, Parts: []geminiText{{Text: m.Content}}})
	}
	return append(out, geminiContent{Role: "user", Parts: []geminiText{{Text: req.Prompt}}})
}
