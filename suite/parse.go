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
	DefaultSeed     = 1
	DefaultRequests = 20
	DefaultWarmup   = 0
	DefaultTimeout  = 60 * time.Second
	DefaultSinkType = "json"
	DefaultSinkDir  = "results"
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

// Parse decodes and validates a suite file's contents; path is used only
// in positions. It collects every problem in one pass and returns them as
// an ErrorList sorted by position, with a nil Suite. Warnings are returned
// whether or not there are errors.
func Parse(data []byte, path string, opts LoadOptions) (*Suite, []Warning, error) {
	d := &decoder{file: path, lines: splitLines(data), opts: opts, secretCols: map[int]int{}}

	var s *Suite
	if root := d.document(data); root != nil {
		d.findSecrets(root)
		s = d.suite(root)
	}

	d.sortErrors()
	if len(d.errs) > 0 {
		return nil, d.warns, d.errs
	}
	return s, d.warns, nil
}

// document parses the YAML text and returns the root node of its only
// document, or nil after reporting why there is none.
func (d *decoder) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := decodeNode(dec, &doc)
	if errors.Is(err, io.EOF) {
		d.errorAt(Pos{File: d.file}, `the suite file is empty; it needs at least "endpoints", "workloads" and "load"`)
		return nil
	}
	if err != nil {
		d.yamlError(err)
		return nil
	}

	var extra yaml.Node
	switch err := decodeNode(dec, &extra); {
	case err == nil:
		d.errorf(&extra, "the file contains a second YAML document; a suite file holds one, so remove the \"---\" or move the rest to its own file")
	case !errors.Is(err, io.EOF):
		d.yamlError(err)
	}

	if len(doc.Content) == 0 {
		return nil
	}
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
func (d *decoder) yamlError(err error) {
	msg := err.Error()
	m := yamlLineError.FindStringSubmatch(msg)
	if m == nil {
		d.errorAt(Pos{File: d.file}, "invalid YAML: "+strings.TrimPrefix(msg, "yaml: "))
		return
	}
	line, _ := strconv.Atoi(m[1])
	d.errorAt(Pos{File: d.file, Line: line, Col: 1}, "invalid YAML: "+m[2])
}

// suite decodes the top-level mapping and fills in defaults.
func (d *decoder) suite(root *yaml.Node) *Suite {
	s := &Suite{Path: d.file, Seed: DefaultSeed}
	s.Load = LoadProfile{Requests: DefaultRequests, Warmup: DefaultWarmup, Timeout: DefaultTimeout}
	s.Sinks = []Sink{{Type: DefaultSinkType, Dir: DefaultSinkDir}}

	d.mapping(root, "the suite", "a mapping", []field{
		{key: "version", decode: func(n *yaml.Node) { d.version(n, &s.Version) }},
		{key: "name", decode: func(n *yaml.Node) { d.str(n, "name", &s.Name) }},
		{key: "description", decode: func(n *yaml.Node) { d.str(n, "description", &s.Description) }},
		{key: "seed", decode: func(n *yaml.Node) { d.seed(n, &s.Seed) }},
		{key: "endpoints", required: true, decode: func(n *yaml.Node) { s.Endpoints = d.endpoints(n) }},
		{key: "workloads", required: true, decode: func(n *yaml.Node) { s.Workloads = d.workloads(n) }},
		{key: "load", required: true, decode: func(n *yaml.Node) { d.load(n, &s.Load) }},
		{key: "sinks", decode: func(n *yaml.Node) { s.Sinks = d.sinks(n) }},
		{key: "assertions", decode: func(n *yaml.Node) { s.Assertions = d.assertions(n) }},
	})
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
