package providers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The streams replayed here are the files of testdata/sagemaker: AWS event
// streams as SageMaker's InvokeEndpointWithResponseStream documentation
// describes them, carrying a TGI or an LMI container's stream (see the
// README there).

// testSageMaker returns a provider with fixed credentials and clock.
func testSageMaker(creds aws.CredentialsProvider, region string) *sagemaker {
	return &sagemaker{
		load: func(context.Context) (aws.Config, error) {
			return aws.Config{Credentials: creds, Region: region}, nil
		},
		now: func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
}

var staticCreds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-1")

func TestSageMakerRequest(t *testing.T) {
	t.Parallel()
	p := testSageMaker(staticCreds, "")
	ep := Endpoint{BaseURL: "https://runtime.sagemaker.eu-west-1.amazonaws.com", Model: "my-llama-endpoint",
		Headers: map[string]string{"X-Amzn-SageMaker-Inference-Component": "ic-1"}}
	hr, err := p.NewRequest(context.Background(), ep, Request{Prompt: "Hi", SystemPrompt: "Be brief", MaxTokens: 8,
		IgnoreEOS: true, Sampling: map[string]any{"temperature": 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(hr.Body)

	checkEqual(t, "url", hr.URL.String(), "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/my-llama-endpoint/invocations-response-stream")
	checkEqual(t, "body", string(body), `{"inputs":"Be brief\n\nHi","parameters":{"details":true,"max_new_tokens":8,"temperature":0.3},"stream":true}`)
	checkEqual(t, "content type", hr.Header.Get("Content-Type"), "application/json")
	checkEqual(t, "amz date", hr.Header.Get("X-Amz-Date"), "20250102T030405Z")
	checkEqual(t, "session token", hr.Header.Get("X-Amz-Security-Token"), "session-token-1")
	signed := regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/eu-west-1/sagemaker/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$`)
	m := signed.FindStringSubmatch(hr.Header.Get("Authorization"))
	if m == nil {
		t.Fatalf("Authorization = %q, want a SigV4 signature for eu-west-1/sagemaker", hr.Header.Get("Authorization"))
	}
	for _, h := range []string{"content-type", "host", "x-amz-date", "x-amz-security-token", "x-amzn-sagemaker-inference-component"} {
		if !strings.Contains(";"+m[1]+";", ";"+h+";") {
			t.Errorf("signed headers %q lack %s", m[1], h)
		}
	}
	if strings.Contains(hr.Header.Get("Authorization"), "wJalrXUtnFEMI") {
		t.Error("the secret key appears in a header")
	}

	again, _ := p.NewRequest(context.Background(), ep, Request{Prompt: "Hi", SystemPrompt: "Be brief", MaxTokens: 8, Sampling: map[string]any{"temperature": 0.3}})
	checkEqual(t, "same signature for the same request and time", again.Header.Get("Authorization"), hr.Header.Get("Authorization"))
}

func TestSageMakerRegion(t *testing.T) {
	t.Parallel()
	cases := []struct{ host, want string }{
		{"runtime.sagemaker.us-east-1.amazonaws.com", "us-east-1"},
		{"runtime-fips.sagemaker.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
		{"runtime.sagemaker.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"vpce-123.runtime.sagemaker.us-east-1.vpce.amazonaws.com", ""},
		{"runtime.sagemaker.example.com", ""},
	}
	for _, tc := range cases {
		checkEqual(t, tc.host, regionFromHost(tc.host), tc.want)
	}

	// A host without a region takes the configuration's.
	p := testSageMaker(staticCreds, "ap-south-1")
	hr, err := p.NewRequest(context.Background(), Endpoint{BaseURL: "https://sagemaker-proxy.internal.example", Model: "e"}, Request{Prompt: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hr.Header.Get("Authorization"), "/ap-south-1/sagemaker/") {
		t.Errorf("Authorization = %q, want the configured region", hr.Header.Get("Authorization"))
	}
}

func TestSageMakerLoopbackIsUnsigned(t *testing.T) {
	t.Parallel()
	p := testSageMaker(nil, "")
	hr, err := p.NewRequest(context.Background(), Endpoint{BaseURL: "http://127.0.0.1:9000/v1", Model: "mock-model"}, Request{Prompt: "q"})
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "url", hr.URL.Path, "/v1/endpoints/mock-model/invocations-response-stream")
	checkEqual(t, "authorization", hr.Header.Get("Authorization"), "")
}

type failingCreds struct{}

func (failingCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, errors.New("failed to refresh cached credentials, no EC2 IMDS role found")
}

func TestSageMakerRequestErrors(t *testing.T) {
	t.Parallel()
	hosted := Endpoint{BaseURL: "https://runtime.sagemaker.us-east-1.amazonaws.com", Model: "e"}
	cases := []struct {
		name string
		p    *sagemaker
		ep   Endpoint
		want string
	}{
		{"no credentials", testSageMaker(failingCreds{}, ""), hosted, "no AWS credentials; export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{"no credential chain", testSageMaker(nil, ""), hosted, "export AWS_ACCESS_KEY_ID"},
		{"no region", testSageMaker(staticCreds, ""), Endpoint{BaseURL: "https://proxy.example", Model: "e"}, "no AWS region"},
		{"api key", testSageMaker(staticCreds, ""), Endpoint{BaseURL: hosted.BaseURL, Model: "e", APIKey: "k"}, "api_key is not used"},
		{"no model", testSageMaker(staticCreds, ""), Endpoint{BaseURL: hosted.BaseURL}, "missing model"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.p.NewRequest(context.Background(), tc.ep, Request{Prompt: "q"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	loadErr := &sagemaker{load: func(context.Context) (aws.Config, error) { return aws.Config{}, errors.New("bad profile") }}
	if _, err := loadErr.NewRequest(context.Background(), hosted, Request{}); err == nil || !strings.Contains(err.Error(), "loading the AWS configuration failed: bad profile") {
		t.Errorf("error = %v", err)
	}
}

func TestSageMakerReplay(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file         string
		text         string
		usage        *Usage
		finish       string
		outputEvents int
		done         bool
		streamErr    *StreamError
	}{
		{file: "tgi-sse.eventstream", text: "The sky is blue.", usage: &Usage{PromptTokens: 9, CompletionTokens: 6}, finish: "eos_token", outputEvents: 6, done: true},
		{file: "lmi-jsonlines.eventstream", text: "Deep Learning is fun.", usage: &Usage{CompletionTokens: 4}, finish: "length", outputEvents: 4, done: true},
		{file: "model-stream-error.eventstream", text: "The sky", outputEvents: 2,
			streamErr: &StreamError{Type: "ModelStreamError", Code: "ModelError", Message: "Your model container stopped streaming (neutral test text)."}},
		{file: "lmi-error.eventstream", text: "Deep ", outputEvents: 1,
			streamErr: &StreamError{Type: "generation", Message: `the model server reported an error during generation (finish_reason "error")`}},
	}
	for _, tc := range cases {
		for _, reader := range []string{"whole", "one byte"} {
			t.Run(tc.file+"/"+reader, func(t *testing.T) {
				t.Parallel()
				var r io.Reader = bytes.NewReader(readTestdata(t, "sagemaker", tc.file))
				if reader == "one byte" {
					r = iotest.OneByteReader(r)
				}
				got := replay(t, mustLookup(t, "sagemaker"), r, 0)
				if len(got.decodeErrs) > 0 {
					t.Errorf("decode errors: %v", got.decodeErrs)
				}
				checkEqual(t, "text", got.text, tc.text)
				checkEqual(t, "usage", got.usage, tc.usage)
				checkEqual(t, "finish", got.finishReason, tc.finish)
				checkEqual(t, "output events", got.outputChunks, tc.outputEvents)
				checkEqual(t, "done", got.done, tc.done)
				checkEqual(t, "stream error", got.streamErr, tc.streamErr)
			})
		}
	}
}

func TestSageMakerStreamFaults(t *testing.T) {
	t.Parallel()
	data := readTestdata(t, "sagemaker", "tgi-sse.eventstream")

	cut := replay(t, mustLookup(t, "sagemaker"), bytes.NewReader(data[:len(data)-10]), 0)
	if !errors.Is(cut.endErr, io.ErrUnexpectedEOF) {
		t.Errorf("a stream cut inside a message ended with %v, want io.ErrUnexpectedEOF", cut.endErr)
	}

	corrupt := bytes.Clone(data)
	corrupt[len(corrupt)-1] ^= 0xff // the last message's CRC
	bad := replay(t, mustLookup(t, "sagemaker"), bytes.NewReader(corrupt), 0)
	if bad.endErr == nil || !strings.Contains(bad.endErr.Error(), "invalid AWS event stream message") {
		t.Errorf("a corrupt message ended the stream with %v", bad.endErr)
	}

	st := OpenStream(mustLookup(t, "sagemaker"), bytes.NewReader(data), 0)
	for {
		if _, err := st.Next(); err != nil {
			break
		}
	}
	checkEqual(t, "bytes read", st.BytesRead(), int64(len(data)))
}
