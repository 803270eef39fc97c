package suite

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// apiKeyFile reads the key from the file n names, relative to the file
// that names it. Messages name the path and never include the content.
func (d *decoder) apiKeyFile(n *yaml.Node, e *Endpoint) {
	var rel string
	d.requiredStr(n, "api_key_file", &rel)
	if rel == "" {
		return
	}
	path := d.resolvePath(n, rel)
	data, err := d.opts.ReadFile(path)
	if err != nil {
		d.fileError(n, "api_key_file", rel, err)
		return
	}
	key := strings.TrimSpace(string(data))
	switch {
	case key == "":
		d.errorf(n, "api_key_file %q is empty; write the key in it", rel)
	case strings.ContainsAny(key, "\r\n"):
		d.errorf(n, "api_key_file %q has more than one line; write only the key in it", rel)
	default:
		e.APIKeyFile, e.APIKey = path, key
	}
}

func (d *decoder) timeouts(n *yaml.Node, t *Timeouts) {
	d.mapping(n, "timeouts", "a mapping such as {connect: 5s, first_byte: 30s, idle: 10s}", []field{
		{key: "connect", decode: func(n *yaml.Node) { d.duration(n, "connect", &t.Connect) }},
		{key: "first_byte", decode: func(n *yaml.Node) { d.duration(n, "first_byte", &t.FirstByte) }},
		{key: "idle", decode: func(n *yaml.Node) { d.duration(n, "idle", &t.Idle) }},
	})
}

func (d *decoder) limits(n *yaml.Node, l *Limits) {
	d.mapping(n, "limits", "a mapping such as {max_event_bytes: 1048576}", []field{
		{key: "max_event_bytes", decode: func(n *yaml.Node) { d.atLeast(n, "max_event_bytes", 1, &l.MaxEventBytes) }},
		{key: "max_response_bytes", decode: func(n *yaml.Node) {
			var v int
			d.atLeast(n, "max_response_bytes", 1, &v)
			l.MaxResponseBytes = int64(v)
		}},
	})
}
