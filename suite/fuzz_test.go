package suite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that every failure
// is an ErrorList of positioned errors.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a {<<: *a}\n"))
	f.Add([]byte("endpoints: [{name: ${X:-}, api_key: $$}]\n"))
	f.Add([]byte("include: [testdata/good/files/shared.yaml]\nload: {concurrency: \"1..8\"}\n"))

	opts := testOptions()
	// Fuzzed files name arbitrary paths, such as /dev/zero, so reads are
	// limited to the regular files of testdata.
	opts.ReadFile = func(path string) ([]byte, error) {
		clean := filepath.ToSlash(filepath.Clean(path))
		if !strings.HasPrefix(clean, "testdata/") || strings.Contains(clean, "..") {
			return nil, os.ErrNotExist
		}
		return os.ReadFile(clean)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := Parse(data, "fuzz.yaml", opts)
		if err == nil {
			if s == nil {
				t.Fatal("Parse returned neither a suite nor an error")
			}
			s.Cells()
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("Parse error is %T %v, want a non-empty ErrorList", err, err)
		}
		_ = list.Error()
	})
}
