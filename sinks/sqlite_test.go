package sinks

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readSQLite reads a table with database/sql into rows of T, converting
// SQLite's storage classes back: timestamps from text, lists from JSON,
// booleans from integers.
func readSQLite[T any](t *testing.T, db *sql.DB, table, where string, args ...any) []T {
	t.Helper()
	cols := columnsOf(reflect.TypeFor[T]())
	query := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY rowid", strings.Join(columnNames(cols), ", "), table, where)
	rs, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()

	var rows []T
	for rs.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var row T
		for i, c := range cols {
			setField(t, reflect.ValueOf(&row).Elem().Field(c.Field), c, fromSQLite(t, c, values[i]))
		}
		rows = append(rows, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func fromSQLite(t *testing.T, c column, v any) any {
	t.Helper()
	if v == nil {
		return nil
	}
	switch c.Kind {
	case kindTime:
		ts, err := time.Parse(time.RFC3339Nano, v.(string))
		if err != nil {
			t.Errorf("column %s: %v", c.Name, err)
		}
		return ts
	case kindFloat64List:
		var list []float64
		if err := json.Unmarshal([]byte(v.(string)), &list); err != nil {
			t.Errorf("column %s: %v", c.Name, err)
		}
		return list
	case kindBool:
		return v.(int64) != 0
	}
	return v
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteRoundTrip(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	path := filepath.Join(t.TempDir(), "results.db")
	writeAll(t, &SQLite{Path: path}, run, records, summaries)

	db := openDB(t, path)
	compareRows(t, "requests", readSQLite[RequestRow](t, db, "requests", "run_id = ?", run.ID), wantRequestRows(run, records))
	compareRows(t, "cells", readSQLite[CellRow](t, db, "cells", "run_id = ?", run.ID), wantCellRows(run, summaries))
	compareRows(t, "runs", readSQLite[RunRow](t, db, "runs", "run_id = ?", run.ID), []RunRow{wantRunRow(run, false)})

	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var version int
	if err := db.QueryRow("SELECT version FROM schema_version").Scan(&version); err != nil || version != SchemaVersion {
		t.Errorf("schema_version = %d (%v), want %d", version, err, SchemaVersion)
	}
}

// TestSQLiteBenchmarkRuns checks the llmperf-compatible table against the
// first cell: requests m-1 and m-2 succeeded, m-3 failed with HTTP 429.
func TestSQLiteBenchmarkRuns(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	path := filepath.Join(t.TempDir(), "results.db")
	writeAll(t, &SQLite{Path: path}, run, records, summaries)

	db := openDB(t, path)
	var (
		model, gpu, raw          string
		meanLatency, p99, ttft   float64
		completed, concurrency   int
		errorRate, pricePerToken float64
	)
	err := db.QueryRow(`SELECT model, gpu_info, mean_latency, p99_latency, ttft, completed_requests,
		num_concurrent_requests, error_rate, price_per_token, raw_results
		FROM benchmark_runs WHERE cell_id = ?`, "vllm/chat/c2").Scan(
		&model, &gpu, &meanLatency, &p99, &ttft, &completed, &concurrency, &errorRate, &pricePerToken, &raw)
	if err != nil {
		t.Fatal(err)
	}
	// Stream ends: 71.25 and 34 ms; TTFT 50 and 33 ms.
	checks := []struct {
		name      string
		got, want any
	}{
		{"model", model, "llama-3-8b"},
		{"gpu_info", gpu, "H100 x8"},
		{"mean_latency", meanLatency, (0.07125 + 0.034) / 2},
		{"p99_latency", p99, 0.034 + (0.07125-0.034)*0.99},
		{"ttft", ttft, (0.050 + 0.033) / 2},
		{"completed_requests", completed, 2},
		{"num_concurrent_requests", concurrency, 2},
		{"error_rate", errorRate, 1.0 / 3},
		{"price_per_token", pricePerToken, summaries[0].USDPerMillionOutputTokens / 1e6},
	}
	for _, c := range checks {
		if !closeTo(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	var summary map[string]any
	if err := json.Unmarshal([]byte(raw), &summary); err != nil {
		t.Fatalf("raw_results is not JSON: %v", err)
	}
	if _, ok := summary["results"].(map[string]any)["ttft_s"]; !ok {
		t.Errorf("raw_results has no results.ttft_s: %s", raw)
	}
}

func closeTo(got, want any) bool {
	g, ok1 := got.(float64)
	w, ok2 := want.(float64)
	if ok1 && ok2 {
		return g == w || (g-w)*(g-w) < 1e-18
	}
	return got == want
}

// TestSQLiteAccumulatesRuns opens the same database for a second run, as a
// later invocation does.
func TestSQLiteAccumulatesRuns(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()
	summaries := testSummaries(run, records)
	path := filepath.Join(t.TempDir(), "results.db")
	writeAll(t, &SQLite{Path: path}, run, records, summaries)
	second := run
	second.ID = "20260103T000000Z-def456"
	writeAll(t, &SQLite{Path: path}, second, records, summaries)

	db := openDB(t, path)
	for _, table := range []string{"runs", "cells", "requests", "benchmark_runs"} {
		var runs int
		if err := db.QueryRow("SELECT count(DISTINCT run_id) FROM " + table).Scan(&runs); err != nil || runs != 2 {
			t.Errorf("%s: %d run ids (%v), want 2", table, runs, err)
		}
	}
	compareRows(t, "requests", readSQLite[RequestRow](t, db, "requests", "run_id = ?", second.ID), wantRequestRows(second, records))
}

func TestSQLiteSameRunTwice(t *testing.T) {
	t.Parallel()
	run := testRun()
	path := filepath.Join(t.TempDir(), "results.db")
	writeAll(t, &SQLite{Path: path}, run, nil, nil)

	err := (&SQLite{Path: path}).Open(run)
	if err == nil || !strings.Contains(err.Error(), "UNIQUE constraint failed: runs.run_id") {
		t.Fatalf("got %v, want a unique constraint error on runs.run_id", err)
	}
}

func TestSQLiteRejectsOtherSchemaVersion(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "results.db")
	db := openDB(t, path)
	if _, err := db.Exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	err := (&SQLite{Path: path}).Open(testRun())
	want := fmt.Sprintf("sqlite sink: %s: database has schema version 99 but this infermark writes version %d; give the sink a new database file", path, SchemaVersion)
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestSQLiteRejectsNonDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	err := (&SQLite{Path: path}).Open(testRun())
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a database") {
		t.Fatalf("got %v, want an error naming %s as not a database", err, path)
	}
	if !strings.HasSuffix(err.Error(), "; give the sink another folder or move this file away") {
		t.Errorf("got %v, want the fix at the end", err)
	}
}

func TestSQLiteUnwritableFolder(t *testing.T) {
	t.Parallel()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(notDir, "results.db")
	err := (&SQLite{Path: path}).Open(testRun())
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want an error naming %s", err, path)
	}
}

// TestSQLiteInterrupted reads the database while the sink still has it
// open, as after a kill: every inserted request is already committed.
func TestSQLiteInterrupted(t *testing.T) {
	t.Parallel()
	run, records := testRun(), testRecords()[:3]
	path := filepath.Join(t.TempDir(), "results.db")
	sink := &SQLite{Path: path}
	if err := sink.Open(run); err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if err := sink.Record(r); err != nil {
			t.Fatal(err)
		}
	}

	db := openDB(t, path)
	compareRows(t, "requests", readSQLite[RequestRow](t, db, "requests", "run_id = ?", run.ID), wantRequestRows(run, records))
	stopped := run
	stopped.End, stopped.Interrupted = run.Start.Add(7e9), true
	if err := sink.Close(stopped, nil); err != nil {
		t.Fatal(err)
	}
	compareRows(t, "runs", readSQLite[RunRow](t, db, "runs", "run_id = ?", run.ID), []RunRow{wantRunRow(run, true)})
}
