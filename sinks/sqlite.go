package sinks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// SQLite adds each run to one database file that accumulates runs across
// invocations: tables runs, cells and requests with the columns of the
// Parquet files and keyed by run id, schema_version, and benchmark_runs
// with the columns that users of llmperf's SQLite results fork query. Each
// row is inserted in its own transaction as it arrives. The database is in
// WAL mode with synchronous=NORMAL, so a killed process loses no committed
// row; a power loss can lose the last transactions.
type SQLite struct {
	// Path is the database file, created when missing.
	Path string

	db      *sql.DB
	run     Run
	cells   map[string]report.CellInfo
	insert  *sql.Stmt
	llmperf map[string]*llmperfCell
}

// sqliteTime is the layout of stored timestamps: ISO 8601 in UTC, which
// SQLite's date and time functions read.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// Open opens or creates the database, checks its schema version and adds
// the run's row.
func (s *SQLite) Open(run Run) error {
	if err := s.open(run); err != nil {
		if s.db != nil {
			s.db.Close()
			s.db = nil
		}
		var sqlErr *sqlite.Error
		if errors.As(err, &sqlErr) && sqlErr.Code() == sqlite3.SQLITE_NOTADB {
			return fmt.Errorf("sqlite sink: %s: %w; give the sink another folder or move this file away", s.Path, err)
		}
		return fmt.Errorf("sqlite sink: %s: %w", s.Path, err)
	}
	return nil
}

func (s *SQLite) open(run Run) error {
	if dir := filepath.Dir(s.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	pragmas := url.Values{"_pragma": {"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)"}}
	db, err := sql.Open("sqlite", "file:"+s.Path+"?"+pragmas.Encode())
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	s.db, s.run, s.cells, s.llmperf = db, run, cellIndex(run), map[string]*llmperfCell{}

	if err := s.createTables(); err != nil {
		return err
	}
	s.insert, err = db.Prepare(insertSQL("requests", requestCol))
	if err != nil {
		return err
	}
	row := newRunRow(&run)
	_, err = db.Exec(insertSQL("runs", runCol), sqlValues(reflect.ValueOf(row), runCol)...)
	return err
}

// createTables creates the tables when missing and checks that an existing
// database has this schema version, all in one transaction.
func (s *SQLite) createTables() error {
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	stmts := []string{
		"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
		createSQL("runs", runCol, "run_id"),
		createSQL("cells", cellCol, "run_id, cell_id"),
		createSQL("requests", requestCol, "run_id, cell_id, request_index"),
		benchmarkRunsSQL,
	}
	for _, stmt := range stmts {
		if _, err := tx.Exec(stmt); err != nil {
			return err
		}
	}
	var version int
	switch err := tx.QueryRow("SELECT version FROM schema_version").Scan(&version); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.Exec("INSERT INTO schema_version (version) VALUES (?)", SchemaVersion); err != nil {
			return err
		}
	case err != nil:
		return err
	case version != SchemaVersion:
		return fmt.Errorf("database has schema version %d but this infermark writes version %d; give the sink a new database file", version, SchemaVersion)
	}
	return tx.Commit()
}

// Record inserts rec into requests.
func (s *SQLite) Record(rec runner.Record) error {
	row := newRequestRow(&s.run, s.cells[rec.CellID], &rec)
	if _, err := s.insert.Exec(sqlValues(reflect.ValueOf(row), requestCol)...); err != nil {
		return fmt.Errorf("sqlite sink: %s: insert request %s: %w", s.Path, rec.RequestID, err)
	}
	cell := s.llmperf[rec.CellID]
	if cell == nil {
		cell = &llmperfCell{}
		s.llmperf[rec.CellID] = cell
	}
	cell.add(&rec)
	return nil
}

// Cell inserts the cell's summary into cells and benchmark_runs, in one
// transaction.
func (s *SQLite) Cell(summary report.CellSummary) error {
	if err := s.insertCell(&summary); err != nil {
		return fmt.Errorf("sqlite sink: %s: insert cell %s: %w", s.Path, summary.ID, err)
	}
	return nil
}

func (s *SQLite) insertCell(summary *report.CellSummary) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()

	row := newCellRow(&s.run, summary)
	if _, err := tx.Exec(insertSQL("cells", cellCol), sqlValues(reflect.ValueOf(row), cellCol)...); err != nil {
		return err
	}
	cell := s.llmperf[summary.ID]
	if cell == nil {
		cell = &llmperfCell{}
	}
	delete(s.llmperf, summary.ID)
	if _, err := tx.Exec(benchmarkRunsInsert, benchmarkRunValues(&s.run, summary, cell)...); err != nil {
		return err
	}
	return tx.Commit()
}

// Close records the run's end and closes the database.
func (s *SQLite) Close(run Run, _ []report.Outcome) error {
	if s.db == nil {
		return nil
	}
	row := newRunRow(&run)
	_, err := s.db.Exec("UPDATE runs SET end_time = ?, interrupted = ? WHERE run_id = ?",
		sqlValue(reflect.ValueOf(row.EndTime), column{Kind: kindTime, Nullable: true}), row.Interrupted, row.RunID)
	if s.insert != nil {
		s.insert.Close()
	}
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlite sink: %s: %w", s.Path, err)
	}
	return nil
}

// createSQL returns the CREATE TABLE statement of a table of cols.
func createSQL(table string, cols []column, key string) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		typ := map[columnKind]string{
			kindString: "TEXT", kindInt64: "INTEGER", kindFloat64: "REAL", kindBool: "INTEGER",
			kindTime: "TEXT", kindFloat64List: "TEXT",
		}[c.Kind]
		if !c.Nullable && c.Kind != kindFloat64List {
			typ += " NOT NULL"
		}
		defs[i] = c.Name + " " + typ
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n  %s,\n  PRIMARY KEY (%s)\n)", table, strings.Join(defs, ",\n  "), key)
}

func insertSQL(table string, cols []column) string {
	marks := strings.Repeat("?, ", len(cols)-1) + "?"
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(columnNames(cols), ", "), marks)
}

// sqlValues returns the column values of a row struct, in column order.
func sqlValues(row reflect.Value, cols []column) []any {
	values := make([]any, len(cols))
	for i, c := range cols {
		values[i] = sqlValue(row.Field(c.Field), c)
	}
	return values
}

// sqlValue converts one field: nil for null, timestamps as ISO 8601 text,
// lists as JSON arrays.
func sqlValue(v reflect.Value, c column) any {
	if c.Nullable {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch c.Kind {
	case kindTime:
		return v.Interface().(time.Time).UTC().Format(sqliteTime)
	case kindFloat64List:
		list := v.Interface().([]float64)
		if list == nil {
			list = []float64{}
		}
		b, _ := json.Marshal(list) // finite floats always encode
		return string(b)
	}
	return v.Interface()
}

// Declare adds a cell that the run's cell list did not have.
func (s *SQLite) Declare(info report.CellInfo) { s.cells[info.ID] = info }
