package providers

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestHostedKeyVar(t *testing.T) {
	t.Parallel()
	cases := []struct {
		host, want string
		ok         bool
	}{
		{"api.openai.com", "OPENAI_API_KEY", true},
		{"API.Anthropic.com", "ANTHROPIC_API_KEY", true},
		{"api.groq.com", "GROQ_API_KEY", true},
		{"my-res.openai.azure.com", "AZURE_OPENAI_API_KEY", true},
		{"x.us-east-1.aws.endpoints.huggingface.cloud", "HF_TOKEN", true},
		{"europe-west4-aiplatform.googleapis.com", "GCLOUD_ACCESS_TOKEN", true},
		{"aiplatform.googleapis.com", "GCLOUD_ACCESS_TOKEN", true},
		{"generativelanguage.googleapis.com", "GEMINI_API_KEY", true},
		{"127.0.0.1", "", false},
		{"openai.com.example.net", "", false},
		{"notapi.openai.com", "", false},
	}
	for _, tc := range cases {
		got, ok := hostedKeyVar(tc.host)
		if got != tc.want || ok != tc.ok {
			t.Errorf("hostedKeyVar(%q) = %q, %v; want %q, %v", tc.host, got, ok, tc.want, tc.ok)
		}
	}
}

// TestPresetsNeedKeys checks every hosted preset: a request without a key
// fails before sending and names the preset's variable, and a request with
// one is built.
func TestPresetsNeedKeys(t *testing.T) {
	t.Parallel()
	for _, p := range Presets() {
		if !p.Hosted {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			base := strings.NewReplacer("{resource}", "res", "{deployment}", "dep", "{endpoint}", "ep",
				"{region}", "us-central1", "{project}", "proj").Replace(p.BaseURL)
			prov := mustLookup(t, p.Provider)
			req := Request{Prompt: "q", MaxTokens: 4}
			_, err := prov.NewRequest(context.Background(), Endpoint{BaseURL: base, Model: "m"}, req)
			if err == nil || !strings.Contains(err.Error(), "export "+p.KeyVar) {
				t.Errorf("without a key: error = %v, want it to name %s", err, p.KeyVar)
			}
			if _, err := prov.NewRequest(context.Background(), Endpoint{BaseURL: base, Model: "m", APIKey: "key-1234"}, req); err != nil {
				t.Errorf("with a key: %v", err)
			}
		})
	}
}

// TestPresetsDocumented keeps docs/providers.md in step with the presets.
func TestPresetsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/providers.md")
	if err != nil {
		t.Skipf("docs/providers.md: %v", err)
	}
	for _, p := range Presets() {
		row := "| " + p.Name + " | `" + p.Provider + "` | `" + p.BaseURL + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/providers.md has no preset row starting %q", row)
		}
		if p.KeyVar != "" && !strings.Contains(string(doc), "`"+p.KeyVar+"`") {
			t.Errorf("docs/providers.md does not name %s", p.KeyVar)
		}
	}
	for _, name := range Names() {
		if !strings.Contains(string(doc), "| `"+name+"` |") {
			t.Errorf("docs/providers.md has no row for provider %q", name)
		}
	}
}
