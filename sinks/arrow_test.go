package sinks

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

func TestArrowRoundTrip(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	sink := &Arrow{Dir: t.TempDir(), RowGroupRows: 4}
	writeAll(t, sink, run, records, summaries)

	requests, meta := readArrowFile[RequestRow](t, filepath.Join(sink.Folder(), "requests.arrow"))
	compareRows(t, "requests", requests, wantRequestRows(run, records))
	cells, _ := readArrowFile[CellRow](t, filepath.Join(sink.Folder(), "cells.arrow"))
	compareRows(t, "cells", cells, wantCellRows(run, summaries))
	runs, _ := readArrowFile[RunRow](t, filepath.Join(sink.Folder(), "runs.arrow"))
	compareRows(t, "runs", runs, []RunRow{wantRunRow(run, false)})

	if v, _ := meta.GetValue(schemaVersionKey); v != strconv.Itoa(SchemaVersion) {
		t.Errorf("metadata %s = %q, want %d", schemaVersionKey, v, SchemaVersion)
	}
}

func TestArrowInterrupted(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()[:3]
	sink := &Arrow{Dir: t.TempDir(), RowGroupRows: 2}
	if err := sink.Open(run); err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if err := sink.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(sink.Folder(), "requests.arrow.partial")); err != nil {
		t.Errorf("before Close: %v", err)
	}
	stopped := run
	stopped.End, stopped.Interrupted = run.Start.Add(7e9), true
	if err := sink.Close(stopped, nil); err != nil {
		t.Fatal(err)
	}

	requests, _ := readArrowFile[RequestRow](t, filepath.Join(sink.Folder(), "requests.arrow"))
	compareRows(t, "requests", requests, wantRequestRows(run, records))
	cells, _ := readArrowFile[CellRow](t, filepath.Join(sink.Folder(), "cells.arrow"))
	compareRows(t, "cells", cells, nil)
	runs, _ := readArrowFile[RunRow](t, filepath.Join(sink.Folder(), "runs.arrow"))
	compareRows(t, "runs", runs, []RunRow{wantRunRow(run, true)})
}

func TestArrowRejectsExistingFiles(t *testing.T) {
	t.Parallel()
	dir, run := t.TempDir(), testRun()
	writeAll(t, &Arrow{Dir: dir}, run, nil, nil)

	err := (&Arrow{Dir: dir}).Open(run)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Open with the same run id: got %v, want an \"already exists\" error", err)
	}
}

// TestParquetAndArrowAgree checks that both sinks store the same values
// for the same run, read by two different libraries.
func TestParquetAndArrowAgree(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	dir := t.TempDir()
	writeAll(t, &Parquet{Dir: dir}, run, records, summaries)
	writeAll(t, &Arrow{Dir: dir}, run, records, summaries)

	fromArrow, _ := readArrowFile[RequestRow](t, filepath.Join(dir, run.ID, "requests.arrow"))
	fromParquet, _ := readParquet[RequestRow](t, filepath.Join(dir, run.ID, "requests.parquet"))
	compareRows(t, "requests", fromArrow, fromParquet)
}

// TestArrowReadByParquetGo carries the Arrow sink's IPC file through
// arrow-go's Parquet writer and reads the result with parquet-go, so the
// Arrow data is checked by a reader that shares no code with its writer.
func TestArrowReadByParquetGo(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	dir := t.TempDir()
	writeAll(t, &Arrow{Dir: dir}, run, records, testSummaries(run, records))

	f, err := os.Open(filepath.Join(dir, run.ID, "requests.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var batches []arrow.RecordBatch
	for i := range r.NumRecords() {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, rec)
	}
	table := array.NewTableFromRecords(r.Schema(), batches)
	defer table.Release()

	path := filepath.Join(dir, "from-arrow.parquet")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
	if err := pqarrow.WriteTable(table, out, 1024, parquet.NewWriterProperties(), props); err != nil {
		t.Fatalf("write Parquet from Arrow: %v", err)
	}
	out.Close()

	fromArrow, _ := readParquet[RequestRow](t, path)
	compareRows(t, "requests", fromArrow, wantRequestRows(run, records))
}
