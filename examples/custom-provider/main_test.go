package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/infermark/infermark/providers"
)

// TestRun runs the example end to end on loopback.
func TestRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, cell := range []string{"acme/chat/c1", "acme/chat/c4", "mock-openai/chat/c1", "mock-openai/chat/c4"} {
		if !strings.Contains(stdout.String(), cell) {
			t.Errorf("the table has no row for %s:\n%s", cell, stdout.String())
		}
	}
	if !strings.Contains(stdout.String(), "assertions: 4 passed, 0 failed") {
		t.Errorf("assertions did not all pass:\n%s", stdout.String())
	}
}

func TestAcmeDecode(t *testing.T) {
	t.Parallel()
	p := acme{}
	c, err := p.Decode(providers.Event{Type: "end", Data: `{"reason":"limit","tokens_in":3,"tokens_out":5}`})
	if err != nil || !c.Done || c.Usage.CompletionTokens != 5 || c.FinishReason != "limit" {
		t.Errorf("end event = %+v, %v", c, err)
	}
	if c, _ := p.Decode(providers.Event{Type: "fault", Data: `{"what":"x"}`}); c.Err == nil {
		t.Error("fault event gave no error")
	}
	if _, err := p.Decode(providers.Event{Type: "token", Data: `{`}); err == nil {
		t.Error("a broken token event gave no error")
	}
}
