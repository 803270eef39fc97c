package providers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// sagemaker implements Amazon SageMaker's InvokeEndpointWithResponseStream:
// a POST to {base_url}/endpoints/{endpoint}/invocations-response-stream,
// signed with AWS Signature Version 4, whose response is an AWS event
// stream. Its PayloadPart events carry, split at arbitrary bytes, the
// token stream of the model container: TGI's Server-Sent Events (Hugging
// Face's LLM containers) or LMI's JSON lines (DJL large model inference
// containers), distinguished by their first byte. A ModelStreamError or
// InternalStreamFailure exception inside the stream is a stream error.
//
// Credentials come from the AWS SDK for Go v2's default chain: the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), a profile (AWS_PROFILE, ~/.aws/config and
// credentials, SSO), or the instance's role. api_key is not used.
type sagemaker struct {
	// load returns the AWS configuration; nil means config.LoadDefaultConfig.
	load func(context.Context) (aws.Config, error)
	// now is the signing clock; nil means time.Now.
	now func() time.Time

	once   sync.Once
	cfg    aws.Config
	cfgErr error
	signer *v4.Signer
}

func init() { register(&sagemaker{}) }

func (*sagemaker) Name() string { return "sagemaker" }

// sagemakerCredentialHelp names what the default credential chain reads.
const sagemakerCredentialHelp = "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE to use a profile from ~/.aws"

// NewRequest builds and signs the request. The model is the SageMaker
// endpoint's name and base_url the runtime API of its region, such as
// "https://runtime.sagemaker.us-east-1.amazonaws.com", from which the
// signing region is read (else from AWS_REGION or the profile). The body
// is {"inputs", "parameters": {"max_new_tokens", "details": true, ...},
// "stream": true}, which TGI and LMI containers both read; sampling keys
// go into parameters, and a system prompt is put before the prompt. A
// loopback base_url, such as the built-in mock's, is sent unsigned.
func (p *sagemaker) NewRequest(ctx context.Context, ep Endpoint, req Request) (*http.Request, error) {
	const name = "sagemaker"
	u, err := parseBase(name, ep.BaseURL, "https://runtime.sagemaker.us-east-1.amazonaws.com")
	if err != nil {
		return nil, err
	}
	if ep.APIKey != "" {
		return nil, errors.New("sagemaker: api_key is not used; AWS credentials come from the environment or a profile: " + sagemakerCredentialHelp)
	}
	if ep.Model == "" {
		return nil, errors.New("sagemaker: missing model; set it to the SageMaker endpoint's name")
	}
	target := u.JoinPath("endpoints", ep.Model, "invocations-response-stream").String()

	body, err := p.body(req)
	if err != nil {
		return nil, err
	}
	hr, err := newPost(ctx, name, target, body, ep, auth{header: "Authorization"})
	if err != nil {
		return nil, err
	}
	hr.Header.Del("Accept")
	if isLoopback(u.Hostname()) {
		return hr, nil
	}
	if err := p.sign(ctx, hr, body, u.Hostname()); err != nil {
		return nil, err
	}
	return hr, nil
}

func (p *sagemaker) body(req Request) ([]byte, error) {
	params := map[string]any{"details": true}
	if req.MaxTokens > 0 {
		params["max_new_tokens"] = req.MaxTokens
	}
	if err := mergeSampling("sagemaker", params, req.Sampling); err != nil {
		return nil, err
	}
	inputs := req.Transcript()
	if req.SystemPrompt != "" {
		inputs = req.SystemPrompt + "\n\n" + inputs
	}
	return encodeBody("sagemaker", map[string]any{"inputs": inputs, "parameters": params, "stream": true})
}

// sign adds the Signature Version 4 headers for service "sagemaker".
func (p *sagemaker) sign(ctx context.Context, hr *http.Request, body []byte, host string) error {
	p.once.Do(func() {
		load := p.load
		if load == nil {
			load = func(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }
		}
		p.cfg, p.cfgErr = load(context.WithoutCancel(ctx))
		p.signer = v4.NewSigner()
	})
	if p.cfgErr != nil {
		return fmt.Errorf("sagemaker: loading the AWS configuration failed: %w", p.cfgErr)
	}
	region := regionFromHost(host)
	if region == "" {
		region = p.cfg.Region
	}
	if region == "" {
		return fmt.Errorf("sagemaker: no AWS region: use a base_url such as https://runtime.sagemaker.us-east-1.amazonaws.com, or export AWS_REGION")
	}
	if p.cfg.Credentials == nil {
		return errors.New("sagemaker: no AWS credentials; " + sagemakerCredentialHelp)
	}
	creds, err := p.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("sagemaker: no AWS credentials; %s (AWS SDK error: %w)", sagemakerCredentialHelp, err)
	}

	sum := sha256.Sum256(body)
	now := time.Now
	if p.now != nil {
		now = p.now
	}
	if err := p.signer.SignHTTP(ctx, creds, hr, hex.EncodeToString(sum[:]), "sagemaker", region, now()); err != nil {
		return fmt.Errorf("sagemaker: signing the request failed: %w", err)
	}
	return nil
}

// regionFromHost reads the region of a SageMaker runtime host, such as
// "runtime.sagemaker.eu-west-1.amazonaws.com" or its FIPS and China
// forms; "" for any other host.
func regionFromHost(host string) string {
	host = strings.ToLower(host)
	for _, prefix := range []string{"runtime.sagemaker.", "runtime-fips.sagemaker."} {
		rest, ok := strings.CutPrefix(host, prefix)
		if !ok {
			continue
		}
		if region, _, ok := strings.Cut(rest, "."); ok && strings.HasPrefix(rest[len(region):], ".amazonaws.com") {
			return region
		}
	}
	return ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewStream reads the event stream of one response.
func (p *sagemaker) NewStream(body io.Reader, maxEvent int) Stream {
	return newEventStream(body, maxEvent)
}

// Decode interprets one event of the container's token stream, once the
// event stream's framing is removed: a TGI or LMI token object.
func (p *sagemaker) Decode(ev Event) (Chunk, error) {
	return decodeTokenEvent("sagemaker", ev.Data)
}
