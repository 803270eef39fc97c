package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// adhocFlags build a one-endpoint, one-workload suite from the command
// line: run --url URL --model M --concurrency 1..64 --input-tokens 550±150.
type adhocFlags struct {
	url, model, provider, apiKeyEnv string
	concurrency                     string
	inputTokens, outputTokens       string
	requests                        int
	saveSuite                       string
}

func addAdhocFlags(flags *pflag.FlagSet) *adhocFlags {
	f := &adhocFlags{}
	flags.StringVar(&f.url, "url", "", "benchmark this base `URL` without a suite file, such as http://127.0.0.1:8000/v1")
	flags.StringVar(&f.model, "model", "", "model name sent with --url")
	flags.StringVar(&f.provider, "provider", "openai-chat", "wire format with --url")
	flags.StringVar(&f.apiKeyEnv, "api-key-env", "OPENAI_API_KEY", "environment `variable` holding the API key for --url; unset sends none")
	flags.StringVar(&f.concurrency, "concurrency", "1..64", "concurrency levels with --url: a doubling range such as 1..64, or a list such as 1,4,16")
	flags.StringVar(&f.inputTokens, "input-tokens", "550±150", "prompt length in tokens with --url: N, MEAN±STDDEV (or MEAN+-STDDEV) or MIN..MAX")
	flags.StringVar(&f.outputTokens, "output-tokens", "150", "output length in tokens with --url, written as --input-tokens is")
	flags.IntVar(&f.requests, "requests", 0, "measured requests per cell with --url; 0 means the suite default")
	flags.StringVar(&f.saveSuite, "save-suite", "", "with --url, also write the suite it builds to `FILE`")
	return f
}

// anySet reports whether a flag that needs --url was given without it.
func (f *adhocFlags) anySet(flags *pflag.FlagSet) bool {
	for _, name := range []string{"model", "provider", "api-key-env", "concurrency", "input-tokens", "output-tokens", "requests", "save-suite"} {
		if flags.Changed(name) {
			return true
		}
	}
	return false
}

func adhocPath(f *adhocFlags) string {
	if f.saveSuite != "" {
		return f.saveSuite
	}
	return "command-line suite"
}

// adhocSuite writes the suite text the flags describe. The text is loaded
// like any suite file, so every value is validated the same way.
func (a *App) adhocSuite(flags *pflag.FlagSet, f *adhocFlags) ([]byte, int) {
	if f.model == "" {
		return nil, a.fail(ExitUsage, "--url needs --model, the model name to send")
	}
	input, err := distributionYAML(f.inputTokens)
	if err != nil {
		return nil, a.fail(ExitUsage, "invalid --input-tokens: %v", err)
	}
	output, err := distributionYAML(f.outputTokens)
	if err != nil {
		return nil, a.fail(ExitUsage, "invalid --output-tokens: %v", err)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Written by infermark run --url; edit it and run it with\n# infermark run FILE\n")
	fmt.Fprintf(&b, "version: 1\nname: adhoc\nendpoints:\n")
	fmt.Fprintf(&b, "  - name: endpoint\n    provider: %s\n    base_url: %s\n    model: %s\n", strconv.Quote(f.provider), strconv.Quote(f.url), strconv.Quote(f.model))
	if f.apiKeyEnv != "" {
		fmt.Fprintf(&b, "    api_key: ${%s:-}\n", f.apiKeyEnv)
	}
	fmt.Fprintf(&b, "workloads:\n  - name: adhoc\n    input_tokens: %s\n    output_tokens: %s\n", input, output)
	fmt.Fprintf(&b, "load:\n  concurrency: %s\n", levelsYAML(f.concurrency))
	if flags.Changed("requests") {
		fmt.Fprintf(&b, "  requests: %d\n", f.requests)
	}
	return []byte(b.String()), ExitPass
}

// distributionYAML converts N, MEAN±STDDEV, MEAN+-STDDEV or MIN..MAX to a
// suite distribution.
func distributionYAML(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, sep := range []string{"±", "+-"} {
		if mean, stddev, ok := strings.Cut(s, sep); ok {
			m, err1 := strconv.ParseFloat(strings.TrimSpace(mean), 64)
			d, err2 := strconv.ParseFloat(strings.TrimSpace(stddev), 64)
			if err1 != nil || err2 != nil {
				return "", fmt.Errorf("%q: want MEAN±STDDEV with numbers, such as 550±150", s)
			}
			return fmt.Sprintf("{dist: normal, mean: %s, stddev: %s}", formatFloat(m), formatFloat(d)), nil
		}
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil {
			return "", fmt.Errorf("%q: want MIN..MAX with integers, such as 100..200", s)
		}
		return fmt.Sprintf("{dist: uniform, min: %d, max: %d}", a, b), nil
	}
	if _, err := strconv.Atoi(s); err != nil {
		return "", fmt.Errorf("%q: want a token count, MEAN±STDDEV or MIN..MAX", s)
	}
	return s, nil
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// levelsYAML writes --concurrency as a YAML list or a quoted range.
func levelsYAML(s string) string {
	if strings.Contains(s, ",") {
		return "[" + s + "]"
	}
	return strconv.Quote(s)
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that a failed write leaves no half-written suite.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".infermark-suite-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
