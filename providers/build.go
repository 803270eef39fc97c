package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// This file holds what every wire format does the same way when it builds
// a request: the URL, the JSON body, the headers and the credential.

// auth is the header in which a provider sends Endpoint.APIKey.
type auth struct {
	// header is the header that carries the key, such as "Authorization".
	header string
	// prefix goes before the key, such as "Bearer ".
	prefix string
}

var (
	bearerAuth = auth{header: "Authorization", prefix: "Bearer "}
)

// parseBase checks an endpoint's base URL and returns it parsed.
func parseBase(provider, base, example string) (*url.URL, error) {
	if base == "" {
		return nil, fmt.Errorf("%s: missing base_url; set it to the server's API root, such as %q", provider, example)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid base_url %q: %w", provider, redactedURL(base), err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: invalid base_url %q: it must start with http:// or https:// and name a host", provider, u.Redacted())
	}
	return u, nil
}

// redactedURL returns raw without user information, for messages.
func redactedURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return raw
}

// joinURL appends path to the base URL without doubling slashes and keeps
// the base's query, which some services need (Azure's api-version).
func joinURL(provider, base, path, example string) (string, error) {
	u, err := parseBase(provider, base, example)
	if err != nil {
		return "", err
	}
	return u.JoinPath(path).String(), nil
}

// mergeSampling adds the endpoint's sampling keys to fields. A key that
// names a field infermark sets itself is rejected rather than allowed to
// change the request's meaning.
func mergeSampling(provider string, fields, sampling map[string]any) error {
	for key, value := range sampling {
		if _, alreadySet := fields[key]; alreadySet {
			return fmt.Errorf("%s: sampling key %q conflicts with the request field of that name, which infermark sets itself; remove %q from sampling", provider, key, key)
		}
		fields[key] = value
	}
	return nil
}

// encodeBody marshals the request body.
func encodeBody(provider string, fields any) ([]byte, error) {
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the request body failed: %w; check the sampling values", provider, err)
	}
	return body, nil
}

// newPost builds a POST of body to target with the JSON and SSE headers,
// the credential in a's header, and then the endpoint's own headers.
func newPost(ctx context.Context, provider, target string, body []byte, ep Endpoint, a auth) (*http.Request, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: building the request for %q failed: %w", provider, redactedURL(target), err)
	}
	if err := setHeaders(hr, ep, a); err != nil {
		return nil, fmt.Errorf("%s: %w", provider, err)
	}
	return hr, nil
}

// setHeaders sets the JSON and SSE headers, the credential and then the
// endpoint's own headers, which may replace the first two but not the
// credential header when api_key is set.
func setHeaders(hr *http.Request, ep Endpoint, a auth) error {
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "text/event-stream")
	if ep.APIKey != "" {
		hr.Header.Set(a.header, a.prefix+ep.APIKey)
	}

	for name, value := range ep.Headers {
		canonical := http.CanonicalHeaderKey(name)
		if canonical == http.CanonicalHeaderKey(a.header) && ep.APIKey != "" {
			return fmt.Errorf("both api_key and an %s header are set; keep only one of them", canonical)
		}
		if canonical == "Host" {
			// net/http ignores a Host entry in Header.
			hr.Host = value
			continue
		}
		hr.Header.Set(canonical, value)
	}
	return nil
}

// hasHeader reports whether the endpoint's own headers set name.
func hasHeader(ep Endpoint, name string) bool {
	for h := range ep.Headers {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}
