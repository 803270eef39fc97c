package providers

import (
	"fmt"
	"net/url"
	"strings"
)

// Preset is a known server or service: which provider speaks to it, the
// form of its base URL and the environment variable that conventionally
// holds its key. Presets are data, not code: an endpoint that uses one
// names the provider and writes the base URL itself. docs/providers.md
// lists them all.
type Preset struct {
	// Name is the server or service, such as "Groq".
	Name string
	// Provider is the provider to name in the endpoint.
	Provider string
	// BaseURL is the base URL's form; braces mark the parts to fill in.
	BaseURL string
	// KeyVar is the environment variable that conventionally holds the
	// key, to be referenced as api_key: ${KeyVar}. Empty when the server
	// takes no key, or, for SageMaker, takes AWS credentials instead.
	KeyVar string
	// Hosted is true for services that refuse requests without a key;
	// requests to them fail before sending when the key is missing.
	Hosted bool
}

var presets = []Preset{
	{Name: "vLLM", Provider: "openai-chat", BaseURL: "http://127.0.0.1:8000/v1", KeyVar: "VLLM_API_KEY"},
	{Name: "SGLang", Provider: "openai-chat", BaseURL: "http://127.0.0.1:30000/v1", KeyVar: "SGLANG_API_KEY"},
	{Name: "TGI Messages API", Provider: "openai-chat", BaseURL: "http://127.0.0.1:8080/v1", KeyVar: "HF_TOKEN"},
	{Name: "TGI native", Provider: "tgi", BaseURL: "http://127.0.0.1:8080", KeyVar: "HF_TOKEN"},
	{Name: "llama.cpp server", Provider: "openai-chat", BaseURL: "http://127.0.0.1:8080/v1", KeyVar: "LLAMA_API_KEY"},
	{Name: "Ollama", Provider: "openai-chat", BaseURL: "http://127.0.0.1:11434/v1"},
	{Name: "LiteLLM proxy", Provider: "openai-chat", BaseURL: "http://127.0.0.1:4000/v1", KeyVar: "LITELLM_API_KEY"},
	{Name: "OpenAI", Provider: "openai-chat", BaseURL: "https://api.openai.com/v1", KeyVar: "OPENAI_API_KEY", Hosted: true},
	{Name: "OpenAI Responses API", Provider: "openai-responses", BaseURL: "https://api.openai.com/v1", KeyVar: "OPENAI_API_KEY", Hosted: true},
	{Name: "Together AI", Provider: "openai-chat", BaseURL: "https://api.together.xyz/v1", KeyVar: "TOGETHER_API_KEY", Hosted: true},
	{Name: "Groq", Provider: "openai-chat", BaseURL: "https://api.groq.com/openai/v1", KeyVar: "GROQ_API_KEY", Hosted: true},
	{Name: "Fireworks AI", Provider: "openai-chat", BaseURL: "https://api.fireworks.ai/inference/v1", KeyVar: "FIREWORKS_API_KEY", Hosted: true},
	{Name: "OpenRouter", Provider: "openai-chat", BaseURL: "https://openrouter.ai/api/v1", KeyVar: "OPENROUTER_API_KEY", Hosted: true},
	{Name: "Azure OpenAI (deployment)", Provider: "azure-openai", BaseURL: "https://{resource}.openai.azure.com/openai/deployments/{deployment}?api-version=2024-10-21", KeyVar: "AZURE_OPENAI_API_KEY", Hosted: true},
	{Name: "Azure OpenAI (v1)", Provider: "azure-openai", BaseURL: "https://{resource}.openai.azure.com/openai/v1", KeyVar: "AZURE_OPENAI_API_KEY", Hosted: true},
	{Name: "Azure AI Foundry (deployment)", Provider: "azure-openai", BaseURL: "https://{resource}.cognitiveservices.azure.com/openai/deployments/{deployment}?api-version=2024-10-21", KeyVar: "AZURE_OPENAI_API_KEY", Hosted: true},
	{Name: "Anthropic", Provider: "anthropic", BaseURL: "https://api.anthropic.com/v1", KeyVar: "ANTHROPIC_API_KEY", Hosted: true},
	{Name: "Hugging Face Inference Endpoints", Provider: "tgi", BaseURL: "https://{endpoint}.endpoints.huggingface.cloud", KeyVar: "HF_TOKEN", Hosted: true},
	{Name: "Hugging Face Inference Providers", Provider: "openai-chat", BaseURL: "https://router.huggingface.co/v1", KeyVar: "HF_TOKEN", Hosted: true},
	{Name: "Gemini API", Provider: "gemini", BaseURL: "https://generativelanguage.googleapis.com/v1beta", KeyVar: "GEMINI_API_KEY", Hosted: true},
	{Name: "Vertex AI Gemini", Provider: "gemini", BaseURL: "https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}", KeyVar: "GCLOUD_ACCESS_TOKEN", Hosted: true},
	{Name: "Amazon SageMaker", Provider: "sagemaker", BaseURL: "https://runtime.sagemaker.{region}.amazonaws.com"},
	{Name: "Vertex AI OpenAI-compatible", Provider: "openai-chat", BaseURL: "https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/endpoints/openapi", KeyVar: "GCLOUD_ACCESS_TOKEN", Hosted: true},
}

// Presets returns the known servers and services.
func Presets() []Preset {
	return append([]Preset(nil), presets...)
}

// hostedKeyVar returns the key variable of the hosted service that host
// belongs to. A preset host with a placeholder, such as
// "{resource}.openai.azure.com", matches any host with that suffix.
func hostedKeyVar(host string) (string, bool) {
	host = strings.ToLower(host)
	for _, p := range presets {
		if !p.Hosted {
			continue
		}
		pattern := presetHost(p.BaseURL)
		if i := strings.LastIndexByte(pattern, '}'); i >= 0 {
			suffix := pattern[i+1:]
			if strings.HasSuffix(host, suffix) || host == strings.TrimLeft(suffix, ".-") {
				return p.KeyVar, true
			}
		} else if host == pattern {
			return p.KeyVar, true
		}
	}
	return "", false
}

func presetHost(base string) string {
	rest := base[strings.Index(base, "://")+3:]
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// requireCredential fails a request to a hosted service that would be sent
// without any credential, naming the variable that should hold it.
func requireCredential(provider string, ep Endpoint, a auth) error {
	if ep.APIKey != "" || hasHeader(ep, a.header) || hasHeader(ep, "Authorization") {
		return nil
	}
	u, err := url.Parse(ep.BaseURL)
	if err != nil {
		return nil // the URL check reports it
	}
	keyVar, ok := hostedKeyVar(u.Hostname())
	if !ok {
		return nil
	}
	return fmt.Errorf("%s: no credential for %s, which requires one; export %s and set api_key: ${%s} on the endpoint", provider, u.Hostname(), keyVar, keyVar)
}
