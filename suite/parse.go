package suite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults applied when a suite leaves the key out.
const (
	DefaultSeed        = 1
	DefaultRequests    = 20
	DefaultWarmup      = 0
	DefaultTimeout     = 60 * time.Second
	DefaultRepeat      = 1
	DefaultSinkType    = "json"
	DefaultSinkDir     = "results"
	DefaultTokenizer   = "o200k_base"
	DefaultStreamUsage = "auto"
	// MockBaseURL as an endpoint's base_url starts the built-in mock
	// server on a free loopback port. A query may follow it, as in
	// "builtin:mock?ttft=50ms&itl=5ms".
	MockBaseURL = "builtin:mock"
)

// Load reads the suite file at path and validates it as Parse does. An
// unreadable file returns a plain error; problems in the file return an
// ErrorList.
func Load(path string, opts LoadOptions) (*Suite, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read suite file: %w", err)
	}
	return Parse(data, path, opts)
}

// Parse decodes and validates a suite file's contents; path is used in
// positions and to resolve the relative paths the file names. It collects
// every problem in one pass and returns them as an ErrorList sorted by
// position, with a nil Suite. Warnings are returned whether or not there
// are errors.
func Parse(data []byte, path string, opts LoadOptions) (*Suite, []Warning, error) {
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	d := newDecoder(path, opts)

	var s *Suite
	if root := d.document(data, path); root != nil {
		root = d.withIncludes(root, path, []string{canonicalPath(path)})
		if len(opts.Overrides) > 0 {
			root = d.mergeRoots([]*yaml.Node{root})
			d.applyOverrides(root, opts.Overrides)
		}
		s = d.suite(root)
	}

	d.sortErrors()
	if len(d.errs) > 0 {
		return nil, d.warns, d.errs
	}
	return s, d.warns, nil
}

// document parses the YAML text of the file at path and returns the root
// node of its only document, or nil after reporting why there is none.
func (d *decoder) document(data []byte, path string) *yaml.Node {
	src := &source{lines: splitLines(data), secretCols: map[int]int{}}
	d.sources[path] = src

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := decodeNode(dec, &doc)
	if errors.Is(err, io.EOF) {
		d.errorAt(Pos{File: path}, `the suite file is empty; it needs at least "endpoints", "workloads" and "load"`)
		return nil
	}
	if err != nil {
		d.yamlError(path, err)
		return nil
	}
	if path != d.file {
		d.markFile(&doc, path)
	}

	var extra yaml.Node
	switch err := decodeNode(dec, &extra); {
	case err == nil:
		d.markFile(&extra, path)
		d.errorf(&extra, "the file contains a second YAML document; a suite file holds one, so remove the \"---\" or move the rest to its own file")
	case !errors.Is(err, io.EOF):
		d.yamlError(path, err)
	}

	if len(doc.Content) == 0 {
		return nil
	}
	src.findSecrets(&doc)
	root := d.resolve(doc.Content[0])
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "the suite must be a mapping with keys such as \"endpoints\" and \"workloads\", got %s", describe(root))
		return nil
	}
	return root
}

// markFile records that n and every node under it come from path.
func (d *decoder) markFile(n *yaml.Node, path string) {
	if n == nil || d.nodeFile[n] != "" {
		return
	}
	if path == d.file {
		return
	}
	d.nodeFile[n] = path
	for _, c := range n.Content {
		d.markFile(c, path)
	}
}

// decodeNode parses the next document. yaml.v3 has panicked on malformed
// input in past releases, and a broken file must give an error, not a crash.
func decodeNode(dec *yaml.Decoder, out *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(out)
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError reports a syntax error from yaml.v3, which gives only a line
// number in its message, so the column is set to 1.
//
// NOTE: for parser errors (such as an unclosed "[" or a bad indentation)
// yaml.v3 v3.0.1 reports the line before the enclosing block starts, so
// the mistake can be a few lines further down than the line shown.
func (d *decoder) yamlError(path string, err error) {
	msg := err.Error()
	m := yamlLineError.FindStringSubmatch(msg)
	if m == nil {
		d.errorAt(Pos{File: path}, "invalid YAML: "+strings.TrimPrefix(msg, "yaml: "))
		return
	}
	line, _ := strconv.Atoi(m[1])
	d.errorAt(Pos{File: path, Line: line, Col: 1}, "invalid YAML: "+m[2])
}

// suite decodes the top-level mapping, fills in defaults and checks the
// rules that span sections.
func (d *decoder) suite(root *yaml.Node) *Suite {
	s := &Suite{Path: d.file, Seed: DefaultSeed, loc: &locator{dec: d, root: root}}
	s.Sinks = []Sink{{Type: DefaultSinkType, Dir: DefaultSinkDir}}
	inherit := d.defaultsNodes(root)

	var loadNode, matrixNode *yaml.Node
	d.mapping(root, "the suite", "a mapping", []field{
		{key: "version", decode: func(n *yaml.Node) { d.version(n, &s.Version) }},
		{key: "name", decode: func(n *yaml.Node) { d.str(n, "name", &s.Name) }},
		{key: "description", decode: func(n *yaml.Node) { d.str(n, "description", &s.Description) }},
		{key: "labels", decode: func(n *yaml.Node) { s.Labels = d.labels(n) }},
		{key: "seed", decode: func(n *yaml.Node) { d.seed(n, &s.Seed) }},
		{key: "include", decode: func(n *yaml.Node) { s.Include = d.stringList(n, "include") }},
		{key: "defaults", decode: func(n *yaml.Node) { d.defaults(n, &s.Defaults) }},
		{key: "endpoints", required: true, decode: func(n *yaml.Node) { s.Endpoints = d.endpoints(n, inherit.endpoint) }},
		{key: "workloads", required: true, decode: func(n *yaml.Node) { s.Workloads = d.workloads(n, inherit.workload) }},
		{key: "load", required: true, decode: func(n *yaml.Node) { loadNode = n; d.load(n, inherit.load, &s.Load) }},
		{key: "matrix", decode: func(n *yaml.Node) { matrixNode = n; d.matrix(n, &s.Matrix) }},
		{key: "sinks", decode: func(n *yaml.Node) { s.Sinks = d.sinks(n) }},
		{key: "report", decode: func(n *yaml.Node) { d.report(n, &s.Report) }},
		{key: "goodput", decode: func(n *yaml.Node) { d.goodput(n, &s.Goodput) }},
		{key: "assertions", decode: func(n *yaml.Node) { s.Assertions = d.assertions(n) }},
	})
	if len(d.errs) == 0 {
		d.checkMatrix(s, root, loadNode, matrixNode)
	}
	return s
}

func (d *decoder) version(n *yaml.Node, out *int) {
	v, ok := d.integer(n, "version", "1")
	if !ok {
		return
	}
	if v != 1 {
		d.errorf(n, "unsupported \"version\" %d; this infermark reads version 1", v)
		return
	}
	*out = v
}

func (d *decoder) seed(n *yaml.Node, out *int64) {
	const want = "an integer"
	s, ok := d.text(n, "seed", want)
	if !ok {
		return
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		d.errorf(n, "%q must be %s, got %q", "seed", want, s)
		return
	}
	*out = v
}

// splitLines splits the text at the line breaks YAML counts: LF, CRLF and
// a lone CR. A leading byte order mark is dropped so that columns on the
// first line line up.
func splitLines(data []byte) []string {
	s := strings.TrimPrefix(string(data), "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}
