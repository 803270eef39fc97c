package main

import "testing"

func TestCommandLineRedacts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"suite.yaml", "--set", "endpoints.0.api_key=sk-123"}, "infermark run suite.yaml --set endpoints.0.api_key=REDACTED"},
		{[]string{"--set=load.requests=5"}, "infermark run --set=load.requests=5"},
		{[]string{"--url", "https://u:p@example.test/v1?key=abc"}, "infermark run --url https://REDACTED@example.test/v1?REDACTED"},
		{[]string{"--url=http://127.0.0.1:8000/v1"}, "infermark run --url=http://127.0.0.1:8000/v1"},
	}
	for _, c := range cases {
		if got := commandLine("run", c.args); got != c.want {
			t.Errorf("commandLine(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}
