package suite

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestQuickstartValues(t *testing.T) {
	t.Parallel()
	s, _, err := Load("testdata/good/quickstart.yaml", testOptions())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	e := s.Endpoints[0]
	if s.Version != 1 || s.Name != "quickstart" || s.Seed != 42 {
		t.Errorf("header = version %d, name %q, seed %d; want 1, quickstart, 42", s.Version, s.Name, s.Seed)
	}
	if e.BaseURL != MockBaseURL || e.Provider != "openai-chat" || e.Model != "mock-model" {
		t.Errorf("endpoint = %+v", e)
	}
	if e.APIKey != testEnv["OPENAI_API_KEY"] {
		t.Errorf("APIKey is not the environment's value")
	}
	if e.GPU != (GPU{Model: "none"}) || e.Price.PerHourUSD != 2.5 {
		t.Errorf("gpu = %+v, price = %+v", e.GPU, e.Price)
	}
	wantIn := Distribution{Kind: DistNormal, Mean: 128, Stddev: 32, Min: 32, Max: 256}
	if !reflect.DeepEqual(s.Workloads[0].InputTokens, wantIn) {
		t.Errorf("InputTokens = %+v, want %+v", s.Workloads[0].InputTokens, wantIn)
	}
	if !reflect.DeepEqual(s.Workloads[0].OutputTokens, Distribution{Kind: DistFixed, Value: 64}) {
		t.Errorf("OutputTokens = %+v, want fixed 64", s.Workloads[0].OutputTokens)
	}
	wantLoad := LoadProfile{Concurrency: []int{1, 2, 4, 8, 16, 32, 64}, Requests: 64, Warmup: 4, Timeout: 30 * time.Second, Repeat: 1, Burstiness: 1}
	if !reflect.DeepEqual(s.Load, wantLoad) {
		t.Errorf("Load = %+v, want %+v", s.Load, wantLoad)
	}
	if !reflect.DeepEqual(s.Sinks, []Sink{{Type: "json", Dir: "results"}}) {
		t.Errorf("Sinks = %+v", s.Sinks)
	}
	wantAssert := Assertion{Name: "ttft-p95-under-1s", Expr: "ttft_ms.p95 < 1000", Severity: SeverityFail, Pos: Pos{File: "testdata/good/quickstart.yaml", Line: 26, Col: 11}}
	if !reflect.DeepEqual(s.Assertions, []Assertion{wantAssert}) {
		t.Errorf("Assertions = %+v, want %+v", s.Assertions, wantAssert)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s, _, err := Load("testdata/good/minimal.yaml", testOptions())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if s.Seed != DefaultSeed {
		t.Errorf("Seed = %d, want %d", s.Seed, DefaultSeed)
	}
	if s.Load.Requests != DefaultRequests || s.Load.Warmup != DefaultWarmup || s.Load.Timeout != DefaultTimeout {
		t.Errorf("Load = %+v, want requests %d, warmup %d, timeout %v", s.Load, DefaultRequests, DefaultWarmup, DefaultTimeout)
	}
	if !reflect.DeepEqual(s.Sinks, []Sink{{Type: DefaultSinkType, Dir: DefaultSinkDir}}) {
		t.Errorf("Sinks = %+v, want the default json sink", s.Sinks)
	}
	if s.Assertions != nil {
		t.Errorf("Assertions = %+v, want none", s.Assertions)
	}
}

func TestMergeKeyAndAnchors(t *testing.T) {
	t.Parallel()
	s, _, err := Load("testdata/good/full.yaml", testOptions())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	base, h200 := s.Endpoints[0], s.Endpoints[1]

	if base.BaseURL != "http://10.0.0.7:8000/v1" {
		t.Errorf("base BaseURL = %q", base.BaseURL)
	}
	if h200.Name != "h200" || h200.BaseURL != "https://h200.example.com/v1" {
		t.Errorf("h200 did not override name and base_url: %+v", h200)
	}
	if h200.Model != base.Model || h200.APIKey != base.APIKey {
		t.Errorf("h200 did not inherit model and api_key")
	}
	if h200.GPU.Count != 8 || h200.Price.PerHourUSD != 29.6 {
		t.Errorf("h200 gpu = %+v, price = %+v", h200.GPU, h200.Price)
	}
	if base.Headers["X-Cost-Center"] != "$100" {
		t.Errorf("X-Cost-Center = %q, want %q", base.Headers["X-Cost-Center"], "$100")
	}
	if base.Sampling["temperature"] != 0.7 || !reflect.DeepEqual(base.Sampling["stop"], []any{"\n\n"}) {
		t.Errorf("Sampling = %#v", base.Sampling)
	}
	if len(s.Sinks) != 0 {
		t.Errorf("Sinks = %+v, want an explicit empty list kept empty", s.Sinks)
	}
	if got := s.Assertions[1].Pos; got.Line != 46 || got.Col != 11 {
		t.Errorf("quoted assertion Pos = %v, want line 46, column 11", got)
	}
}

func TestAliasCycleAndBomb(t *testing.T) {
	t.Parallel()
	head := "endpoints:\n  - name: e\n    provider: openai-chat\n    base_url: builtin:mock\n    model: m\n    sampling: "
	tail := "\nworkloads: [{name: w, input_tokens: 1, output_tokens: 1}]\nload: {concurrency: [1]}\n"
	// Each level lists the previous one ten times, so expanding l7 in
	// full would visit 10^8 scalars.
	bomb := "\n      l0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
	for i := 1; i < 8; i++ {
		prev := fmt.Sprintf("*a%d", i-1)
		bomb += fmt.Sprintf("      l%d: &a%d [%s]\n", i, i, strings.Repeat(prev+", ", 9)+prev)
	}
	tests := map[string]string{
		"cycle":       "&a {x: *a}",
		"merge cycle": "&a {<<: *a}",
		"bomb":        bomb,
	}
	for name, sampling := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			done := make(chan error, 1)
			go func() {
				_, _, err := Parse([]byte(head+sampling+tail), "alias.yaml", LoadOptions{})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "follows aliases more than") {
					t.Errorf("Parse error = %v, want the alias limit", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Parse did not return within 10s")
			}
		})
	}
}

func TestCells(t *testing.T) {
	t.Parallel()
	s := &Suite{
		Endpoints: []Endpoint{{Name: "a", Enabled: true}, {Name: "b", Enabled: true}},
		Workloads: []Workload{{Name: "chat"}, {Name: "rag"}},
		Load:      LoadProfile{Concurrency: []int{1, 8}},
	}
	want := []string{
		"a/chat/c1", "a/chat/c8", "a/rag/c1", "a/rag/c8",
		"b/chat/c1", "b/chat/c8", "b/rag/c1", "b/rag/c8",
	}

	cells := s.Cells()
	if len(cells) != len(want) {
		t.Fatalf("got %d cells, want %d", len(cells), len(want))
	}
	for i, c := range cells {
		if c.ID != want[i] {
			t.Errorf("cells[%d].ID = %q, want %q", i, c.ID, want[i])
		}
		if c.Index != i {
			t.Errorf("cells[%d].Index = %d", i, c.Index)
		}
		if c.Endpoint != &s.Endpoints[i/4] || c.Workload != &s.Workloads[i/2%2] {
			t.Errorf("cells[%d] points at the wrong endpoint or workload", i)
		}
		if c.Concurrency != s.Load.Concurrency[i%2] {
			t.Errorf("cells[%d].Concurrency = %d", i, c.Concurrency)
		}
	}
	if again := s.Cells(); again[5].ID != cells[5].ID {
		t.Errorf("Cells is not stable: %q then %q", cells[5].ID, again[5].ID)
	}
}

func TestDistributionString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    Distribution
		want string
	}{
		{Distribution{Kind: DistFixed, Value: 128}, "fixed 128"},
		{Distribution{Kind: DistNormal, Mean: 550, Stddev: 150, Min: 100, Max: 1000}, "normal(550±150, 100..1000)"},
		{Distribution{Kind: DistNormal, Mean: 12.5, Stddev: 0.5}, "normal(12.5±0.5)"},
		{Distribution{Kind: DistNormal, Mean: 550, Stddev: 150, Min: 100}, "normal(550±150, 100..)"},
		{Distribution{Kind: DistNormal, Mean: 550, Stddev: 150, Max: 600}, "normal(550±150, 1..600)"},
		{Distribution{Kind: DistUniform, Min: 100, Max: 200}, "uniform(100..200)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := tt.d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDistributionSample(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		d        Distribution
		min, max int
	}{
		{"fixed", Distribution{Kind: DistFixed, Value: 64}, 64, 64},
		{"uniform", Distribution{Kind: DistUniform, Min: 10, Max: 12}, 10, 12},
		{"uniform single", Distribution{Kind: DistUniform, Min: 5, Max: 5}, 5, 5},
		{"normal clamped", Distribution{Kind: DistNormal, Mean: 100, Stddev: 1000, Min: 90, Max: 110}, 90, 110},
		{"normal no bounds", Distribution{Kind: DistNormal, Mean: 2, Stddev: 50}, 1, maxUnboundedSample},
		{"normal zero stddev", Distribution{Kind: DistNormal, Mean: 7.4, Stddev: 0}, 7, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, 2))
			seen := map[int]bool{}
			for range 2000 {
				v := tt.d.Sample(r)
				if v < tt.min || v > tt.max {
					t.Fatalf("Sample() = %d, want within [%d, %d]", v, tt.min, tt.max)
				}
				seen[v] = true
			}
			if tt.min != tt.max && len(seen) < 2 {
				t.Errorf("Sample() always returned the same value")
			}
			if tt.max-tt.min <= 2 && tt.min != tt.max && len(seen) != tt.max-tt.min+1 {
				t.Errorf("Sample() returned %d distinct values, want every one in [%d, %d]", len(seen), tt.min, tt.max)
			}
		})
	}
}

func TestDistributionSampleMean(t *testing.T) {
	t.Parallel()
	d := Distribution{Kind: DistNormal, Mean: 550, Stddev: 150, Min: 1, Max: 10000}
	r := rand.New(rand.NewPCG(3, 4))
	sum := 0
	const n = 20000
	for range n {
		sum += d.Sample(r)
	}
	// The standard error of the mean is 150/sqrt(20000) ≈ 1.06 tokens.
	if mean := float64(sum) / n; mean < 545 || mean > 555 {
		t.Errorf("mean of %d samples = %.1f, want 550 ± 5", n, mean)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"endpoints", "workloads", "load", "sinks", "assertions", "name", "seed"}
	tests := []struct{ got, want string }{
		{"endpionts", "endpoints"},
		{"Endpoints", "endpoints"},
		{"workload", "workloads"},
		{"laod", "load"},
		{"asertions", "assertions"},
		{"nmae", "name"},
		{"temperature", ""},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.got, func(t *testing.T) {
			t.Parallel()
			if got := suggest(tt.got, keys); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.got, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"endpionts", "endpoints", 1},
		{"ca", "abc", 3},
		{"größe", "grösse", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"caret", &Error{Pos: Pos{"s.yaml", 3, 5}, Msg: "bad", Snippet: "  - x: 1"},
			"s.yaml:3:5: bad\n  3 |   - x: 1\n    |     ^"},
		{"tab kept", &Error{Pos: Pos{"s.yaml", 12, 4}, Msg: "bad", Snippet: "a:\tb"},
			"s.yaml:12:4: bad\n  12 | a:\tb\n     |   \t^"},
		{"runes", &Error{Pos: Pos{"s.yaml", 1, 7}, Msg: "bad", Snippet: "name: é-x"},
			"s.yaml:1:7: bad\n  1 | name: é-x\n    |       ^"},
		{"no line", &Error{Pos: Pos{File: "s.yaml"}, Msg: "empty"}, "s.yaml: empty"},
		{"no column", &Error{Pos: Pos{"s.yaml", 2, 0}, Msg: "bad", Snippet: "x"}, "s.yaml:2: bad\n  2 | x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Verbose(); got != tt.want {
				t.Errorf("Verbose():\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestErrorListIsError(t *testing.T) {
	t.Parallel()
	_, _, err := Parse([]byte("- 1\n"), "list.yaml", LoadOptions{})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("Parse error = %#v, want an ErrorList of one", err)
	}
	if got := list[0].Error(); got != `list.yaml:1:1: the suite must be a mapping with keys such as "endpoints" and "workloads", got a list` {
		t.Errorf("Error() = %q", got)
	}
}

func TestCRLineEnds(t *testing.T) {
	t.Parallel()
	src := "\ufeffendpoints: []\r\nworkloads: []\rload: {concurrency: [1]}\n"
	_, _, err := Parse([]byte(src), "cr.yaml", LoadOptions{})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("Parse error = %v, want two errors", err)
	}
	if list[1].Pos.Line != 2 || list[1].Snippet != "workloads: []" {
		t.Errorf("second error at line %d with snippet %q, want line 2 \"workloads: []\"", list[1].Pos.Line, list[1].Snippet)
	}
	if list[0].Snippet != "endpoints: []" {
		t.Errorf("first snippet = %q, want the line without a byte order mark", list[0].Snippet)
	}
}
