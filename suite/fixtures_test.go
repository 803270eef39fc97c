package suite

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.out from the current output")

// testEnv is the environment every fixture is loaded with.
var testEnv = map[string]string{
	"OPENAI_API_KEY": "sk-test-secret-0123456789",
	"HOST":           "10.0.0.7",
}

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

func testOptions() LoadOptions {
	return LoadOptions{
		LookupEnv: lookupIn(testEnv),
		CheckExpr: fakeCheckExpr,
		Providers: []string{"openai-chat", "openai-completions"},
	}
}

// fakeCheckExpr replaces the expr-lang compiler in tests. It accepts names of
// cell metrics followed by a field, numbers, comparisons and "&&", and
// returns an *ExprError at the first name it does not know, or a plain
// error when the expression ends after an operator.
func fakeCheckExpr(expr string) error {
	known := map[string]bool{"ttft_ms": true, "e2e_ms": true, "itl_ms": true, "tpot_ms": true}
	trimmed := strings.TrimSpace(expr)
	for _, op := range []string{"<", ">", "&&", "=="} {
		if strings.HasSuffix(trimmed, op) {
			return errors.New("unexpected end of expression")
		}
	}

	runes := []rune(expr)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if !(r == '_' || ('a' <= r && r <= 'z')) || (i > 0 && runes[i-1] == '.') {
			continue
		}
		j := i
		for j < len(runes) && (runes[j] == '_' || ('a' <= runes[j] && runes[j] <= 'z') || ('0' <= runes[j] && runes[j] <= '9')) {
			j++
		}
		name := string(runes[i:j])
		if !known[name] {
			return &ExprError{Col: i + 1, Msg: fmt.Sprintf("unknown name %s", name)}
		}
		i = j
		for i < len(runes) && runes[i] != ' ' {
			i++
		}
	}
	return nil
}

func TestBadFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 15 {
		t.Fatalf("found %d bad fixtures, want at least 15", len(paths))
	}

	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, _, err := Load(path, testOptions())
			if err == nil {
				t.Fatalf("Load(%q) succeeded, want errors", path)
			}
			if s != nil {
				t.Errorf("Load(%q) returned a suite along with errors", path)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Load(%q) error is %T, want ErrorList", path, err)
			}

			got := list.Error() + "\n"
			outPath := strings.TrimSuffix(path, ".yaml") + ".out"
			if *update {
				if err := os.WriteFile(outPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatalf("read expected output: %v (run go test ./suite/ -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Load(%q) errors:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestGoodFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/good/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no good fixtures found")
	}

	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, warnings, err := Load(path, testOptions())
			if err != nil {
				t.Fatalf("Load(%q): %v", path, err)
			}
			if len(warnings) != 0 {
				t.Errorf("Load(%q) warnings: %v", path, warnings)
			}
			if len(s.Cells()) == 0 {
				t.Errorf("Load(%q) gave an empty matrix", path)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, _, err := Load("testdata/no-such-file.yaml", LoadOptions{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing file) error = %v, want one wrapping os.ErrNotExist", err)
	}
	var list ErrorList
	if errors.As(err, &list) {
		t.Errorf("Load(missing file) returned an ErrorList, want a plain error")
	}
}

// TestExamplesLoad loads every suite in the repository's examples folder,
// without an expression checker because the assertion language belongs to
// the report package.
func TestExamplesLoad(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Skip("no examples found")
	}

	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			if _, _, err := Load(path, LoadOptions{}); err != nil {
				t.Errorf("Load(%q): %v", path, err)
			}
		})
	}
}
