package suite

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

func (d *decoder) workloads(n *yaml.Node, inherited []pair) []Workload {
	var out []Workload
	seen := names{}
	d.sequence(n, "workloads", "a list of workloads", func(i int, item *yaml.Node) {
		w := Workload{}
		d.workload(item, inherited, fmt.Sprintf("workloads[%d]", i), seen, &w)
		out = append(out, w)
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.errorf(n, "\"workloads\" is empty; list at least one workload")
	}
	return out
}

// workload decodes one workload; with seen nil it decodes
// defaults.workload, where no key is required and "name" is rejected.
func (d *decoder) workload(n *yaml.Node, inherited []pair, where string, seen names, w *Workload) {
	isItem := seen != nil
	w.Prompts.Source = SourceSynthetic
	var inputNode, systemNode, kindNode, promptsNode *yaml.Node
	fields := []field{
		{key: "name", required: isItem, decode: func(n *yaml.Node) { d.cellName(n, "workload", seen, &w.Name) }},
		{key: "kind", decode: func(n *yaml.Node) {
			kindNode = n
			d.oneOf(n, "kind", []string{WorkloadLatency, WorkloadCorrectness}, &w.Kind)
		}},
		{key: "prompts", decode: func(n *yaml.Node) { promptsNode = n; d.prompts(n, &w.Prompts) }},
		{key: "system_prompt", decode: func(n *yaml.Node) { systemNode = n; d.str(n, "system_prompt", &w.SystemPrompt) }},
		{key: "input_tokens", decode: func(n *yaml.Node) { inputNode = n; d.distribution(n, "input_tokens", &w.InputTokens) }},
		{key: "output_tokens", required: isItem, decode: func(n *yaml.Node) { d.distribution(n, "output_tokens", &w.OutputTokens) }},
		{key: "ignore_eos", decode: func(n *yaml.Node) { d.boolean(n, "ignore_eos", &w.IgnoreEOS) }},
	}
	if !isItem {
		fields[0] = field{key: "name", reject: "\"name\" cannot have a default, because every workload needs its own"}
	}
	present := d.mappingInherit(n, inherited, where, "a mapping", fields)
	if !isItem || present == nil {
		return
	}

	if w.Kind == WorkloadCorrectness {
		d.checkCorrectness(kindNode, inputNode, promptsNode)
		return
	}
	d.checkWorkload(n, where, w, present["input_tokens"], inputNode, systemNode)
}

// checkWorkload checks the rules between a workload's keys.
func (d *decoder) checkWorkload(n *yaml.Node, where string, w *Workload, hasInput bool, inputNode, systemNode *yaml.Node) {
	switch {
	case w.Prompts.Source == SourceSynthetic && !hasInput:
		d.errorf(n, "%s is missing required key \"input_tokens\"", where)
	case w.Prompts.Source == SourceSynthetic && inputNode == nil:
		d.nullKey(n, "input_tokens")
	case w.Prompts.Source != SourceSynthetic && inputNode != nil:
		d.errorf(inputNode, "\"input_tokens\" does not apply to prompts from source %q, whose length is the prompt's own; remove it", w.Prompts.Source)
	}

	if systemNode != nil && w.Prompts.SystemPrompt != "" {
		d.errorf(systemNode, "workload %q sets both \"system_prompt\" and \"prompts.system_prompt\"; keep one", w.Name)
	}
	if w.SystemPrompt == "" {
		w.SystemPrompt = w.Prompts.SystemPrompt
	}

	prefix := w.Prompts.SharedPrefixTokens
	if prefix > 0 && inputNode != nil && w.InputTokens.Kind != "" && w.InputTokens.minimum() <= prefix {
		d.errorf(inputNode, "the shortest input (%d tokens) must be longer than \"shared_prefix_tokens\" (%d); raise the input's min or lower the prefix", w.InputTokens.minimum(), prefix)
	}
}

// checkCorrectness rejects the keys that a correctness workload decides
// itself: its prompt is a number written in words.
func (d *decoder) checkCorrectness(kindNode, inputNode, promptsNode *yaml.Node) {
	for key, node := range map[string]*yaml.Node{"input_tokens": inputNode, "prompts": promptsNode} {
		if node != nil {
			d.errorf(node, "%q does not apply to a workload of kind %q, whose prompt is a number written in words; remove it", key, WorkloadCorrectness)
		}
	}
}
