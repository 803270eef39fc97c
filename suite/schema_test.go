package suite

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// fieldDocs reads the doc comment of every struct field in suite.go,
// keyed "Type.Field", with its lines joined by spaces.
func fieldDocs(t *testing.T) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "suite.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := spec.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, f := range st.Fields.List {
			text := strings.Join(strings.Fields(f.Doc.Text()), " ")
			for _, name := range f.Names {
				docs[spec.Name.Name+"."+name.Name] = text
			}
		}
		return false
	})
	return docs
}

func TestSchemaUpToDate(t *testing.T) {
	t.Parallel()
	got, err := GenerateSchema(fieldDocs(t))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("suite.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, SchemaJSON) {
		t.Error("suite.schema.json is out of date with the Go types; run go test ./suite/ -run TestSchemaUpToDate -update")
	}
}

// TestSchemaCoversKeys checks that every documented top-level key and a
// few nested ones are in the schema with a description.
func TestSchemaCoversKeys(t *testing.T) {
	t.Parallel()
	var schema struct {
		Properties map[string]struct {
			Description string `json:"description"`
		} `json:"properties"`
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(SchemaJSON, &schema); err != nil {
		t.Fatalf("suite.schema.json is not valid JSON: %v", err)
	}
	for _, key := range []string{"version", "name", "labels", "seed", "include", "defaults", "endpoints", "workloads", "load", "matrix", "sinks", "report", "assertions"} {
		p, ok := schema.Properties[key]
		if !ok {
			t.Errorf("schema has no top-level key %q", key)
			continue
		}
		if p.Description == "" {
			t.Errorf("schema key %q has no description", key)
		}
	}
	for _, def := range []string{"Endpoint", "Workload", "LoadProfile", "Distribution", "Prompts", "MatrixRule", "TLS", "HTTP", "GPU", "Price"} {
		if _, ok := schema.Defs[def]; !ok {
			t.Errorf("schema has no definition %q", def)
		}
	}
}
