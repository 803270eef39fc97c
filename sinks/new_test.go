package sinks

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestNewTypes(t *testing.T) {
	t.Parallel()
	for _, typ := range Types {
		s, err := New(Config{Type: typ, Dir: "results"})
		if err != nil {
			t.Errorf("New(%q): %v", typ, err)
			continue
		}
		if _, ok := s.(Locator); !ok {
			t.Errorf("New(%q) returned a %T, which has no Location", typ, s)
		}
	}
	s, _ := New(Config{Type: "sqlite", Dir: "results"})
	if got := s.(*SQLite).Path; got != filepath.Join("results", SQLiteFile) {
		t.Errorf("sqlite path = %s, want results/%s", got, SQLiteFile)
	}
	s, _ = New(Config{Type: "json", Dir: "results", Layout: LayoutLLMPerf})
	if !reflect.DeepEqual(s, &JSON{Dir: "results", Layout: LayoutLLMPerf}) {
		t.Errorf("json with layout: got %+v", s)
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Type: "csv"}, `unknown sink type "csv"; use one of json, parquet, arrow, sqlite`},
		{Config{Type: "parquet", Layout: "llmperf"}, `sink type "parquet" has no layout option; remove layout "llmperf" or use type json`},
	}
	for _, c := range cases {
		_, err := New(c.cfg)
		if err == nil || err.Error() != c.want {
			t.Errorf("New(%+v): got %v, want %s", c.cfg, err, c.want)
		}
	}
}
