package providers

import (
	"context"
	"strings"
	"testing"
)

// Azure OpenAI streams chat completions chunks, which the openai-chat
// replay tests cover; these tests cover what differs: the URL forms and
// the api-key header.

func TestAzureRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, base, want string
	}{
		{"deployment", "https://res1.openai.azure.com/openai/deployments/gpt-4o?api-version=2024-10-21",
			"https://res1.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"},
		{"v1", "https://res1.openai.azure.com/openai/v1", "https://res1.openai.azure.com/openai/v1/chat/completions"},
		{"foundry", "https://res2.cognitiveservices.azure.com/openai/deployments/d1/?api-version=2025-01-01-preview",
			"https://res2.cognitiveservices.azure.com/openai/deployments/d1/chat/completions?api-version=2025-01-01-preview"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := buildRequest(t, "azure-openai", Endpoint{BaseURL: tc.base, Model: "gpt-4o", APIKey: "azure-key-1"}, Request{Prompt: "q", StreamUsage: true})
			checkEqual(t, "url", got.url, tc.want)
			checkEqual(t, "api-key", got.header.Get("api-key"), "azure-key-1")
			checkEqual(t, "authorization", got.header.Get("Authorization"), "")
			checkEqual(t, "model", got.body["model"], "gpt-4o")
			checkEqual(t, "stream_options", got.body["stream_options"], map[string]any{"include_usage": true})
		})
	}
}

func TestAzureEntraToken(t *testing.T) {
	t.Parallel()
	ep := Endpoint{BaseURL: "https://res1.openai.azure.com/openai/v1", Model: "d", Headers: map[string]string{"Authorization": "Bearer entra"}}
	got := buildRequest(t, "azure-openai", ep, Request{Prompt: "q"})
	checkEqual(t, "authorization", got.header.Get("Authorization"), "Bearer entra")
	checkEqual(t, "api-key", got.header.Get("api-key"), "")
}

func TestAzureRequestErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ep   Endpoint
		want string
	}{
		{"no api version", Endpoint{BaseURL: "https://res1.openai.azure.com/openai/deployments/gpt-4o", APIKey: "k"}, "without ?api-version"},
		{"missing key", Endpoint{BaseURL: "https://res1.openai.azure.com/openai/v1"}, "export AZURE_OPENAI_API_KEY and set api_key: ${AZURE_OPENAI_API_KEY}"},
		{"key twice", Endpoint{BaseURL: "https://res1.openai.azure.com/openai/v1", APIKey: "k", Headers: map[string]string{"api-key": "k2"}}, "both api_key and an Api-Key header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mustLookup(t, "azure-openai").NewRequest(context.Background(), tc.ep, Request{Prompt: "q"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
