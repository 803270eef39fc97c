package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadRecordsSkipsPartialLastLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "requests.jsonl")
	complete := `{"cell_id":"a/b/c1","phase":"measured","index":0,"request_id":"r-1","ttft_ms":10,"itl_ms":[1],"e2e_ms":11}` + "\n"
	if err := os.WriteFile(path, []byte(complete+`{"cell_id":"a/b/c1","pha`), 0o644); err != nil {
		t.Fatal(err)
	}
	records, err := readRecords(path)
	if err != nil {
		t.Fatalf("readRecords: %v", err)
	}
	if n := len(records["a/b/c1"]); n != 1 {
		t.Errorf("%d records, want the 1 complete line", n)
	}
}

func TestReadRecordsRejectsBrokenMiddleLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "requests.jsonl")
	if err := os.WriteFile(path, []byte("{\"cell_id\":\n{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readRecords(path); err == nil {
		t.Error("a broken complete line was accepted")
	}
}
