package sinks

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pq "github.com/parquet-go/parquet-go"
)

// readParquet reads every row of a Parquet file with parquet-go.
func readParquet[T any](t *testing.T, path string) ([]T, *pq.File) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := pq.OpenFile(f, info.Size())
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	r := pq.NewGenericReader[T](f)
	defer r.Close()
	rows := make([]T, r.NumRows())
	if n, err := r.Read(rows); n != len(rows) {
		t.Fatalf("read %s: got %d of %d rows: %v", path, n, len(rows), err)
	}
	return rows, pf
}

// readParquetWithArrow reads a Parquet file with arrow-go's own Parquet
// implementation, independent of parquet-go.
func readParquetWithArrow[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatalf("arrow-go: open %s: %v", path, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	table, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow-go: read %s: %v", path, err)
	}
	defer table.Release()
	tr := array.NewTableReader(table, 1<<20)
	defer tr.Release()
	var rows []T
	for tr.Next() {
		rows = append(rows, rowsFromArrow[T](t, tr.RecordBatch())...)
	}
	return rows
}

func TestParquetRoundTrip(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	sink := &Parquet{Dir: t.TempDir(), RowGroupRows: 4}
	writeAll(t, sink, run, records, summaries)

	requests, pf := readParquet[RequestRow](t, filepath.Join(sink.Folder(), "requests.parquet"))
	compareRows(t, "requests", requests, wantRequestRows(run, records))
	cells, _ := readParquet[CellRow](t, filepath.Join(sink.Folder(), "cells.parquet"))
	compareRows(t, "cells", cells, wantCellRows(run, summaries))
	runs, _ := readParquet[RunRow](t, filepath.Join(sink.Folder(), "runs.parquet"))
	compareRows(t, "runs", runs, []RunRow{wantRunRow(run, false)})

	if v, _ := pf.Lookup(schemaVersionKey); v != strconv.Itoa(SchemaVersion) {
		t.Errorf("metadata %s = %q, want %d", schemaVersionKey, v, SchemaVersion)
	}
	// Six records with RowGroupRows 4: a group of 4 when the buffer fills,
	// then the other 2 when the first cell ends.
	if n := len(pf.RowGroups()); n != 2 {
		t.Errorf("requests.parquet has %d row groups, want 2", n)
	}
	codec := pf.Metadata().RowGroups[0].Columns[0].MetaData.Codec.String()
	if codec != "ZSTD" {
		t.Errorf("codec = %s, want ZSTD", codec)
	}
}

// TestParquetReadByArrowGo reads the files with arrow-go's Parquet reader,
// an implementation independent of parquet-go, the one tools built on
// Arrow C++ (DuckDB aside) resemble most.
func TestParquetReadByArrowGo(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	sink := &Parquet{Dir: t.TempDir()}
	writeAll(t, sink, run, records, summaries)

	requests := readParquetWithArrow[RequestRow](t, filepath.Join(sink.Folder(), "requests.parquet"))
	compareRows(t, "requests", requests, wantRequestRows(run, records))
	cells := readParquetWithArrow[CellRow](t, filepath.Join(sink.Folder(), "cells.parquet"))
	compareRows(t, "cells", cells, wantCellRows(run, summaries))
	runs := readParquetWithArrow[RunRow](t, filepath.Join(sink.Folder(), "runs.parquet"))
	compareRows(t, "runs", runs, []RunRow{wantRunRow(run, false)})
}

// TestParquetInterrupted closes a run that stopped inside its first cell:
// no Cell call, fewer rows than a row group.
func TestParquetInterrupted(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()[:3]
	sink := &Parquet{Dir: t.TempDir(), RowGroupRows: 2}
	if err := sink.Open(run); err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if err := sink.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(sink.Folder(), "requests.parquet.partial")); err != nil {
		t.Errorf("before Close: %v", err)
	}
	stopped := run
	stopped.End, stopped.Interrupted = run.Start.Add(7e9), true
	if err := sink.Close(stopped, nil); err != nil {
		t.Fatal(err)
	}

	requests, _ := readParquet[RequestRow](t, filepath.Join(sink.Folder(), "requests.parquet"))
	compareRows(t, "requests", requests, wantRequestRows(run, records))
	cells, _ := readParquet[CellRow](t, filepath.Join(sink.Folder(), "cells.parquet"))
	compareRows(t, "cells", cells, nil)
	runs, _ := readParquet[RunRow](t, filepath.Join(sink.Folder(), "runs.parquet"))
	compareRows(t, "runs", runs, []RunRow{wantRunRow(run, true)})
	leftovers, _ := filepath.Glob(filepath.Join(sink.Folder(), "*.partial"))
	if len(leftovers) != 0 {
		t.Errorf("partial files left after Close: %v", leftovers)
	}
}

func TestParquetRejectsExistingFiles(t *testing.T) {
	t.Parallel()
	dir, run := t.TempDir(), testRun()
	writeAll(t, &Parquet{Dir: dir}, run, nil, nil)

	err := (&Parquet{Dir: dir}).Open(run)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Open with the same run id: got %v, want an \"already exists\" error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, run.ID, "requests.parquet.partial")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the failed Open left a partial file: %v", err)
	}
}

func TestParquetUnwritableFolder(t *testing.T) {
	t.Parallel()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := (&Parquet{Dir: filepath.Join(notDir, "results")}).Open(testRun())
	if err == nil || !strings.Contains(err.Error(), "parquet sink: create results folder") {
		t.Fatalf("got %v, want a \"create results folder\" error", err)
	}
}
