package suite

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// locator finds keys of a loaded suite in its YAML tree, so that checks
// made after loading (such as features the runner lacks) can point at the
// line that sets them.
type locator struct {
	dec  *decoder
	root *yaml.Node
}

// KeyError returns an Error carrying msg at the key that path names, such
// as KeyError(msg, "endpoints", 1, "tls") or KeyError(msg, "load",
// "rate"): strings are mapping keys and ints are list indexes. A key that
// an endpoint, workload or the load block inherits is found in defaults.
// When the key is not in the file the error has the suite's path alone.
func (s *Suite) KeyError(msg string, path ...any) *Error {
	pos := Pos{File: s.Path}
	if s.loc != nil {
		if n := s.loc.find(path); n != nil {
			pos = s.loc.dec.pos(n)
		}
	}
	var snippet string
	if s.loc != nil {
		snippet = s.loc.dec.line(pos.File, pos.Line)
	}
	return &Error{Pos: pos, Msg: msg, Snippet: snippet}
}

// find returns the key node at path, falling back to the defaults block.
func (l *locator) find(path []any) *yaml.Node {
	if n := l.walk(l.root, path); n != nil {
		return n
	}
	if len(path) == 0 {
		return nil
	}
	section, _ := path[0].(string)
	rest := path[1:]
	switch section {
	case "endpoints", "workloads":
		if len(rest) == 0 {
			return nil
		}
		kind := map[string]string{"endpoints": "endpoint", "workloads": "workload"}[section]
		return l.walk(l.root, append([]any{"defaults", kind}, rest[1:]...))
	case "load":
		return l.walk(l.root, append([]any{"defaults", "load"}, rest...))
	}
	return nil
}

// walk follows path from n and returns the last key's node, or the item
// node when the path ends with an index.
func (l *locator) walk(n *yaml.Node, path []any) *yaml.Node {
	for i, step := range path {
		n = l.dec.resolve(n)
		if n == nil {
			return nil
		}
		switch step := step.(type) {
		case string:
			key, value := l.pair(n, step)
			if key == nil {
				return nil
			}
			if i == len(path)-1 {
				return key
			}
			n = value
		case int:
			if n.Kind != yaml.SequenceNode || step < 0 || step >= len(n.Content) {
				return nil
			}
			n = n.Content[step]
		default:
			panic(fmt.Sprintf("suite: path step %v is neither a key nor an index", step))
		}
	}
	return n
}

func (l *locator) pair(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for _, p := range l.dec.pairs(n) {
		if p.key.Value == key {
			return p.key, p.value
		}
	}
	return nil, nil
}
