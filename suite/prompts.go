package suite

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

func (d *decoder) prompts(n *yaml.Node, p *Prompts) {
	var pathNode, textNode, formatNode *yaml.Node
	d.mapping(n, "prompts", "a mapping such as {source: file, path: prompts.jsonl}", []field{
		{key: "source", decode: func(n *yaml.Node) {
			d.oneOf(n, "source", []string{SourceSynthetic, SourceFile, SourceFixed, SourceConversations}, &p.Source)
		}},
		{key: "path", decode: func(n *yaml.Node) { pathNode = n; d.requiredStr(n, "path", &p.Path) }},
		{key: "format", decode: func(n *yaml.Node) {
			formatNode = n
			d.oneOf(n, "format", []string{FormatJSONL, FormatShareGPT}, &p.Format)
		}},
		{key: "text", decode: func(n *yaml.Node) { textNode = n; d.requiredStr(n, "text", &p.Text) }},
		{key: "system_prompt", decode: func(n *yaml.Node) { d.str(n, "system_prompt", &p.SystemPrompt) }},
		{key: "shared_prefix_tokens", decode: func(n *yaml.Node) {
			d.atLeast(n, "shared_prefix_tokens", 0, &p.SharedPrefixTokens)
		}},
	})
	if n.Kind != yaml.MappingNode {
		return
	}

	misplaced := func(node *yaml.Node, key string, sources ...string) {
		if node != nil && !slices.Contains(sources, p.Source) {
			quoted := make([]string, len(sources))
			for i, s := range sources {
				quoted[i] = strconv.Quote(s)
			}
			d.errorf(node, "%q applies only to source %s, but the source is %q", key, strings.Join(quoted, " or "), p.Source)
		}
	}
	misplaced(pathNode, "path", SourceFile, SourceConversations)
	misplaced(formatNode, "format", SourceFile, SourceConversations)
	misplaced(textNode, "text", SourceFixed)

	switch {
	case (p.Source == SourceFile || p.Source == SourceConversations) && pathNode == nil:
		d.errorf(n, "prompts with source %q need \"path\", a JSONL or ShareGPT file", p.Source)
	case p.Source == SourceFile && p.Path != "":
		d.promptFile(pathNode, p)
	case p.Source == SourceConversations && p.Path != "":
		d.conversationFile(pathNode, p)
	case p.Source == SourceFixed && textNode == nil:
		d.errorf(n, "prompts with source \"fixed\" need \"text\", the prompt to send")
	case p.Source == SourceFixed:
		p.Texts = []string{p.Text}
	}
}

// promptFile reads and parses the prompt file that n names.
func (d *decoder) promptFile(n *yaml.Node, p *Prompts) {
	data, err := d.opts.ReadFile(d.resolvePath(n, p.Path))
	if err != nil {
		d.fileError(n, "prompt file", p.Path, err)
		return
	}
	format := p.Format
	if format == "" {
		format = FormatJSONL
		if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
			format = FormatShareGPT
		}
	}

	var texts []string
	if format == FormatShareGPT {
		texts, err = parseShareGPT(data)
	} else {
		texts, err = parseJSONL(data)
	}
	switch {
	case err != nil:
		d.errorf(n, "invalid prompt file %q (%s): %s", p.Path, format, err)
	case len(texts) == 0:
		d.errorf(n, "prompt file %q holds no prompts; add at least one", p.Path)
	default:
		p.Texts = texts
	}
}

// conversationFile reads the conversations of the file that n names: a
// ShareGPT JSON array, or JSONL with one {"conversations": [...]} per line.
func (d *decoder) conversationFile(n *yaml.Node, p *Prompts) {
	data, err := d.opts.ReadFile(d.resolvePath(n, p.Path))
	if err != nil {
		d.fileError(n, "conversation file", p.Path, err)
		return
	}
	var items []shareGPTItem
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(data, &items)
	} else {
		items, err = parseConversationLines(data)
	}
	if err != nil {
		d.errorf(n, "invalid conversation file %q: want ShareGPT conversations, a JSON array or one {\"conversations\": [...]} per line: %s", p.Path, err)
		return
	}
	for _, item := range items {
		if turns := item.humanTurns(); len(turns) > 0 {
			p.Conversations = append(p.Conversations, turns)
		}
	}
	if len(p.Conversations) == 0 {
		d.errorf(n, "conversation file %q holds no human turns; add conversations with \"from\": \"human\" turns", p.Path)
	}
}

func parseConversationLines(data []byte) ([]shareGPTItem, error) {
	var items []shareGPTItem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 16<<20)
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var item shareGPTItem
		if err := json.Unmarshal(raw, &item); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		items = append(items, item)
	}
	return items, sc.Err()
}

// humanTurns returns the non-empty turns from "human" or "user", in order.
func (item shareGPTItem) humanTurns() []string {
	var out []string
	for _, c := range item.Conversations {
		if (c.From == "human" || c.From == "user") && strings.TrimSpace(c.Value) != "" {
			out = append(out, c.Value)
		}
	}
	return out
}

// shareGPTItem is one conversation of a ShareGPT-style file.
type shareGPTItem struct {
	Conversations []struct {
		From  string `json:"from"`
		Value string `json:"value"`
	} `json:"conversations"`
}

// firstHumanTurn returns the first turn from "human" or "user", or "".
func (item shareGPTItem) firstHumanTurn() string {
	for _, c := range item.Conversations {
		if c.From == "human" || c.From == "user" {
			return c.Value
		}
	}
	return ""
}

// parseShareGPT reads a JSON array of conversations. Conversations without
// a human turn are skipped, as ShareGPT dumps contain some.
func parseShareGPT(data []byte) ([]string, error) {
	var items []shareGPTItem
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("want a JSON array of {\"conversations\": [...]}: %w", err)
	}
	var out []string
	for _, item := range items {
		if text := item.firstHumanTurn(); text != "" {
			out = append(out, text)
		}
	}
	return out, nil
}

// parseJSONL reads one prompt per non-blank line: a JSON string, or an
// object with "prompt", "text" or ShareGPT "conversations".
func parseJSONL(data []byte) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 16<<20)
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		text, err := parseJSONLine(raw)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, text)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseJSONLine(raw []byte) (string, error) {
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}

	var obj struct {
		Prompt *string `json:"prompt"`
		Text   *string `json:"text"`
		shareGPTItem
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", errors.New("want a JSON string or an object with \"prompt\", \"text\" or \"conversations\"")
	}
	switch {
	case obj.Prompt != nil:
		s = *obj.Prompt
	case obj.Text != nil:
		s = *obj.Text
	default:
		s = obj.firstHumanTurn()
	}
	if strings.TrimSpace(s) == "" {
		return "", errors.New("no prompt: want a non-empty \"prompt\", \"text\" or human turn in \"conversations\"")
	}
	return s, nil
}
