package suite

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func loadEverything(t *testing.T, overrides ...Override) *Suite {
	t.Helper()
	opts := testOptions()
	opts.Overrides = overrides
	s, warnings, err := Load("testdata/good/everything.yaml", opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(warnings) != 0 {
		t.Fatalf("warnings: %v", warnings)
	}
	return s
}

func TestIncludePrecedence(t *testing.T) {
	t.Parallel()
	s := loadEverything(t)

	if got := []string{s.Endpoints[0].Name, s.Endpoints[1].Name, s.Endpoints[2].Name}; !reflect.DeepEqual(got, []string{"shared", "local", "spare"}) {
		t.Errorf("endpoint order = %v, want the included ones first", got)
	}
	if want := map[string]string{"team": "infra", "site": "lab"}; !reflect.DeepEqual(s.Labels, want) {
		t.Errorf("Labels = %v, want %v", s.Labels, want)
	}
	if s.Load.Requests != 5 {
		t.Errorf("Load.Requests = %d, want 5 from the included file", s.Load.Requests)
	}
}

func TestDefaultsInheritance(t *testing.T) {
	t.Parallel()
	s := loadEverything(t)
	shared, local := s.Endpoints[0], s.Endpoints[1]

	if shared.Provider != "openai-chat" {
		t.Errorf("shared.Provider = %q, want the default", shared.Provider)
	}
	if shared.Timeout != 45*time.Second || local.Timeout != 45*time.Second {
		t.Errorf("timeouts = %v, %v; want the including file's default 45s", shared.Timeout, local.Timeout)
	}
	if !reflect.DeepEqual(shared.Headers, map[string]string{"X-Team": "shared"}) {
		t.Errorf("shared.Headers = %v", shared.Headers)
	}
	if !reflect.DeepEqual(local.Headers, map[string]string{"X-Extra": "1"}) {
		t.Errorf("local.Headers = %v, want its own value to replace the default", local.Headers)
	}
	if !s.Workloads[1].IgnoreEOS || s.Workloads[1].OutputTokens.Value != 64 {
		t.Errorf("corpus workload = %+v, want ignore_eos and output 64 from defaults", s.Workloads[1])
	}
	if s.Load.Warmup != 0 || s.Load.WarmupDuration != 10*time.Second {
		t.Errorf("warmup = %d requests, %v; want the load block's 10s to replace the default", s.Load.Warmup, s.Load.WarmupDuration)
	}
}

func TestEverythingValues(t *testing.T) {
	t.Parallel()
	s := loadEverything(t)

	if got := s.Endpoints[0].HourlyUSD(); got != 1.6 {
		t.Errorf("shared HourlyUSD = %v, want 0.8 × 2 GPUs", got)
	}
	if got := s.Endpoints[1].HourlyUSD(); got != 3.5 {
		t.Errorf("local HourlyUSD = %v, want 3.5", got)
	}
	if !reflect.DeepEqual(s.Load.Concurrency, []int{1, 3, 9}) {
		t.Errorf("Concurrency = %v, want [1 3 9]", s.Load.Concurrency)
	}
	wantCorpus := []string{"Summarize the plot of Hamlet.", "Write a haiku about GPUs.", "Hi"}
	if !reflect.DeepEqual(s.Workloads[1].Prompts.Texts, wantCorpus) {
		t.Errorf("corpus prompts = %q, want %q", s.Workloads[1].Prompts.Texts, wantCorpus)
	}
	if !reflect.DeepEqual(s.Workloads[2].Prompts.Texts, []string{"Shall I compare thee"}) {
		t.Errorf("sonnets prompts = %q", s.Workloads[2].Prompts.Texts)
	}
	if !reflect.DeepEqual(s.Workloads[2].OutputTokens.Values, []int{120, 480, 2000}) {
		t.Errorf("empirical values = %v", s.Workloads[2].OutputTokens.Values)
	}
	if s.Workloads[0].SystemPrompt != "Be brief." {
		t.Errorf("SystemPrompt = %q, want prompts.system_prompt", s.Workloads[0].SystemPrompt)
	}
	if s.Assertions[0].Severity != SeverityWarn || s.Assertions[0].Where != "e2e_ms.p50 > 0" {
		t.Errorf("assertion = %+v", s.Assertions[0])
	}
}

func TestMatrixRulesAndRepeat(t *testing.T) {
	t.Parallel()
	cells := loadEverything(t).Cells()

	if len(cells) != 34 {
		t.Fatalf("got %d cells, want (4 shared + 12 local + 1 included) × 2 repeats = 34", len(cells))
	}
	ids := map[string]bool{}
	for _, c := range cells {
		ids[c.ID] = true
	}
	for _, id := range []string{"shared/corpus/c1", "local/fixed/c32", "local/fixed/c32/run2", "local/synthetic/c9/run2"} {
		if !ids[id] {
			t.Errorf("cell %q is missing", id)
		}
	}
	for _, id := range []string{"shared/corpus/c3", "spare/corpus/c1", "local/fixed/c32/run3"} {
		if ids[id] {
			t.Errorf("cell %q should not exist", id)
		}
	}
}

func TestKeyErrorPositions(t *testing.T) {
	t.Parallel()
	s := loadEverything(t)
	tests := []struct {
		name string
		path []any
		want string
	}{
		{"own key", []any{"load", "ramp"}, "testdata/good/everything.yaml:53:3"},
		{"list item key", []any{"endpoints", 1, "tls"}, "testdata/good/everything.yaml:24:5"},
		{"inherited default", []any{"endpoints", 0, "stream_usage"}, "testdata/good/everything.yaml:11:5"},
		{"included file", []any{"endpoints", 0, "gpu"}, "testdata/good/files/shared.yaml:11:5"},
		{"absent", []any{"load", "rate"}, "testdata/good/everything.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := s.KeyError("x", tc.path...).Pos.String(); got != tc.want {
				t.Errorf("KeyError(%v) at %s, want %s", tc.path, got, tc.want)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	s := loadEverything(t,
		Override{Path: "load.concurrency", Value: "1,9"},
		Override{Path: "endpoints.local.model", Value: "other"},
		Override{Path: "labels.run", Value: "nightly"},
	)
	if !reflect.DeepEqual(s.Load.Concurrency, []int{1, 9}) {
		t.Errorf("Concurrency = %v, want [1 9]", s.Load.Concurrency)
	}
	if s.Endpoints[1].Model != "other" {
		t.Errorf("local model = %q, want other", s.Endpoints[1].Model)
	}
	if s.Labels["run"] != "nightly" {
		t.Errorf("Labels = %v, want run=nightly added", s.Labels)
	}
}

func TestOverrideErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		override Override
		want     string
	}{
		{"bad value", Override{Path: "load.concurrency", Value: "0"}, "--set load.concurrency:1:1: concurrency levels must be 1 or more, got 0"},
		{"unknown item", Override{Path: "endpoints.nope.model", Value: "m"}, `--set endpoints.nope.model: no item named "nope" in "endpoints"`},
		{"typo key", Override{Path: "load.concurency", Value: "4"}, `unknown key "concurency"; did you mean "concurrency"?`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := testOptions()
			opts.Overrides = []Override{tc.override}
			_, _, err := Load("testdata/good/everything.yaml", opts)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Load error = %v, want an ErrorList", err)
			}
			if !strings.Contains(list.Error(), tc.want) {
				t.Errorf("errors:\n%s\nwant one containing %q", list.Error(), tc.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	s := loadEverything(t)
	if err := s.Select([]string{"local"}, []string{"fixed", "corpus"}); err != nil {
		t.Fatalf("Select: %v", err)
	}
	if n := len(s.Cells()); n != 14 {
		t.Errorf("got %d cells, want (2 workloads × 3 levels + 1 included) × 2 = 14", n)
	}

	err := loadEverything(t).Select([]string{"lcoal"}, nil)
	if err == nil || err.Error() != `unknown endpoint "lcoal"; did you mean "local"?` {
		t.Errorf("Select(typo) error = %v", err)
	}
	err = loadEverything(t).Select([]string{"spare"}, nil)
	if err == nil || !strings.Contains(err.Error(), "no cell") {
		t.Errorf("Select(disabled only) error = %v, want no cell left", err)
	}
}

func TestLevelForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  []int
	}{
		{"8", []int{8}},
		{`"1..64"`, []int{1, 2, 4, 8, 16, 32, 64}},
		{"{from: 8, to: 32, step: 8}", []int{8, 16, 24, 32}},
		{"{from: 1, to: 27, factor: 3}", []int{1, 3, 9, 27}},
		{"[16, 1]", []int{16, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			text := "endpoints: [{name: a, provider: openai-chat, base_url: builtin:mock, model: m}]\n" +
				"workloads: [{name: w, input_tokens: 10, output_tokens: 10}]\n" +
				"load: {concurrency: " + tc.value + "}\n"
			s, _, err := Parse([]byte(text), "levels.yaml", testOptions())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(s.Load.Concurrency, tc.want) {
				t.Errorf("Concurrency = %v, want %v", s.Load.Concurrency, tc.want)
			}
		})
	}
}
