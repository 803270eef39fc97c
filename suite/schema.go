package suite

import (
	_ "embed"
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// SchemaJSON is the JSON Schema of the suite file, generated from the
// types of this package by GenerateSchema. TestSchemaUpToDate fails when
// the file is out of date, and rewrites it when run with -update.
//
//go:embed suite.schema.json
var SchemaJSON []byte

// SchemaID is the schema's $id.
const SchemaID = "https://github.com/infermark/infermark/suite/suite.schema.json"

// envRef matches a string that reads an environment variable, which any
// scalar may be in place of its typed value.
var envRef = map[string]any{"type": "string", "pattern": `\$\{`}

// schemaEnums lists the allowed values of string keys, by "Type.Field".
var schemaEnums = map[string][]string{
	"Endpoint.StreamUsage": {"auto", "on", "off"},
	"HTTP.Version":         {"1.1", "2"},
	"Prompts.Source":       {SourceSynthetic, SourceFile, SourceFixed},
	"Prompts.Format":       {FormatJSONL, FormatShareGPT},
	"Distribution.Kind":    distKinds,
	"LoadProfile.Arrival":  {ArrivalPoisson, ArrivalConstant, ArrivalGamma},
	"Report.Format":        {"text", "json"},
	"Assertion.Severity":   {SeverityFail, SeverityWarn},
	"Sink.Layout":          {"llmperf"},
}

// schemaRequired lists the required keys of list items, by type.
var schemaRequired = map[string][]string{
	"Suite":     {"endpoints", "workloads", "load"},
	"Endpoint":  {"name", "provider", "base_url", "model"},
	"Workload":  {"name", "output_tokens"},
	"Sink":      {"type"},
	"Assertion": {"name", "expr"},
}

// GenerateSchema returns the JSON Schema of the suite file. docs maps
// "Type.Field" to the field's doc comment, which becomes the key's
// description.
func GenerateSchema(docs map[string]string) ([]byte, error) {
	g := &schemaGen{docs: docs, defs: map[string]any{}}
	root := g.object(reflect.TypeOf(Suite{}), true)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = "infermark suite"
	root["$defs"] = g.defs
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

type schemaGen struct {
	docs map[string]string
	defs map[string]any
}

// object returns the schema of a struct type; items of lists and the
// suite itself carry their required keys, defaults blocks do not.
func (g *schemaGen) object(t reflect.Type, withRequired bool) map[string]any {
	props := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if key == "" || key == "-" || !f.IsExported() {
			continue
		}
		s := g.field(t, f)
		if doc := g.docs[t.Name()+"."+f.Name]; doc != "" {
			s["description"] = doc
		}
		props[key] = s
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if req := schemaRequired[t.Name()]; withRequired && req != nil {
		out["required"] = req
	}
	return out
}

// field returns the schema of one field, with the shapes the loader
// accepts beyond the Go type.
func (g *schemaGen) field(parent reflect.Type, f reflect.StructField) map[string]any {
	id := parent.Name() + "." + f.Name
	switch id {
	case "LoadProfile.Concurrency", "MatrixRule.Concurrency":
		return oneOf(scalar("integer", 1), map[string]any{"type": "string", "pattern": `^\s*\d+\s*\.\.\s*\d+\s*$`},
			map[string]any{"type": "array", "items": scalar("integer", 1), "minItems": 1}, ref("ConcurrencyRange"))
	case "LoadProfile.Rate", "MatrixRule.Rate":
		return oneOf(scalar("number", nil), map[string]any{"type": "array", "items": scalar("number", nil), "minItems": 1})
	case "LoadProfile.Warmup":
		return oneOf(scalar("integer", 0), duration(), ref("Warmup"))
	case "MatrixRule.Endpoint", "MatrixRule.Workload":
		return oneOf(map[string]any{"type": "string"}, map[string]any{"type": "array", "items": map[string]any{"type": "string"}})
	case "Suite.Defaults":
		g.defs["Defaults"] = g.defaults()
		return ref("Defaults")
	}
	if enum := schemaEnums[id]; enum != nil {
		return map[string]any{"enum": enum}
	}
	return g.typeSchema(f.Type)
}

func (g *schemaGen) typeSchema(t reflect.Type) map[string]any {
	switch {
	case t == reflect.TypeOf(time.Duration(0)):
		return duration()
	case t == reflect.TypeOf(Distribution{}):
		g.defs["Distribution"] = g.object(t, false)
		g.defs["Distribution"].(map[string]any)["required"] = []string{"dist"}
		return oneOf(scalar("integer", 1), ref("Distribution"))
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return oneOf(map[string]any{"type": "boolean"}, envRef)
	case reflect.Int, reflect.Int64:
		return scalar("integer", nil)
	case reflect.Float64:
		return scalar("number", nil)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			g.defs[t.Elem().Name()] = g.object(t.Elem(), true)
			return map[string]any{"type": "array", "items": ref(t.Elem().Name())}
		}
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
		}
		return map[string]any{"type": "object"}
	case reflect.Struct:
		g.defs[t.Name()] = g.object(t, false)
		return ref(t.Name())
	}
	return map[string]any{}
}

// defaults is the schema of the defaults block: endpoint and workload
// keys without "name" and without required keys.
func (g *schemaGen) defaults() map[string]any {
	s := g.object(reflect.TypeOf(Defaults{}), false)
	props := s["properties"].(map[string]any)
	for key, typ := range map[string]reflect.Type{"endpoint": reflect.TypeOf(Endpoint{}), "workload": reflect.TypeOf(Workload{})} {
		obj := g.object(typ, false)
		delete(obj["properties"].(map[string]any), "name")
		obj["description"] = props[key].(map[string]any)["description"]
		props[key] = obj
	}
	g.defs["ConcurrencyRange"] = map[string]any{
		"type": "object", "additionalProperties": false, "required": []string{"from", "to"},
		"properties": map[string]any{
			"from": scalar("integer", 1), "to": scalar("integer", 1),
			"step": scalar("integer", 1), "factor": scalar("integer", 2),
		},
	}
	g.defs["Warmup"] = map[string]any{
		"type": "object", "additionalProperties": false,
		"properties": map[string]any{"requests": scalar("integer", 0), "duration": duration()},
	}
	return s
}

// scalar is a number or integer schema with an optional minimum; an
// ${ENV} string is accepted in its place.
func scalar(typ string, minimum any) map[string]any {
	s := map[string]any{"type": typ}
	if minimum != nil {
		s["minimum"] = minimum
	}
	return oneOf(s, envRef)
}

func duration() map[string]any {
	return map[string]any{"type": "string", "pattern": `^(\$\{.*\}|0|([0-9.]+(ns|us|µs|ms|s|m|h))+)$`}
}

func oneOf(options ...map[string]any) map[string]any {
	list := make([]any, len(options))
	for i, o := range options {
		list[i] = o
	}
	return map[string]any{"anyOf": list}
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/$defs/" + name}
}
