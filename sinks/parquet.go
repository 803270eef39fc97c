package sinks

import (
	"bufio"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// DefaultRowGroupRows is the number of request rows the Parquet and Arrow
// sinks buffer before writing them out as one row group or record batch.
// It bounds their memory: about 8192 × a few hundred bytes per request.
const DefaultRowGroupRows = 8192

// Parquet writes requests.parquet, cells.parquet and runs.parquet in
// Dir/<run id>/, zstd-compressed. Request rows are written as a row group
// every RowGroupRows rows, cell rows as a row group per cell, and the run
// row at Close. Until Close the files carry a ".partial" suffix, because a
// Parquet file is readable only once its footer is written.
type Parquet struct {
	// Dir is the parent folder of each run's folder.
	Dir string
	// RowGroupRows is the number of request rows per row group; 0 means
	// DefaultRowGroupRows.
	RowGroupRows int

	folder   string
	run      Run
	cells    map[string]report.CellInfo
	requests *parquetTable[RequestRow]
	cellRows *parquetTable[CellRow]
	runs     *parquetTable[RunRow]
}

// Folder returns the folder this run's files are written in.
func (p *Parquet) Folder() string { return p.folder }

// Open creates the run's folder and its three files.
func (p *Parquet) Open(run Run) error {
	folder, err := runFolder(p.Dir, run)
	if err != nil {
		return fmt.Errorf("parquet sink: %w", err)
	}
	p.folder, p.run, p.cells = folder, run, cellIndex(run)
	rows := p.RowGroupRows
	if rows <= 0 {
		rows = DefaultRowGroupRows
	}

	var errs []error
	p.requests, err = newParquetTable[RequestRow](filepath.Join(folder, "requests.parquet"), rows)
	errs = append(errs, err)
	p.cellRows, err = newParquetTable[CellRow](filepath.Join(folder, "cells.parquet"), 1)
	errs = append(errs, err)
	p.runs, err = newParquetTable[RunRow](filepath.Join(folder, "runs.parquet"), 1)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		p.requests.abort()
		p.cellRows.abort()
		p.runs.abort()
		p.requests, p.cellRows, p.runs = nil, nil, nil
		return fmt.Errorf("parquet sink: %w", err)
	}
	return nil
}

// Record adds rec to the request rows, writing a row group when the
// buffer is full.
func (p *Parquet) Record(rec runner.Record) error {
	if err := p.requests.add(newRequestRow(&p.run, p.cells[rec.CellID], &rec)); err != nil {
		return fmt.Errorf("parquet sink: write requests.parquet: %w", err)
	}
	return nil
}

// Cell writes the cell's summary row, and the request rows buffered so far,
// so that the files on disk hold every finished cell.
func (p *Parquet) Cell(s report.CellSummary) error {
	if err := p.cellRows.add(newCellRow(&p.run, &s)); err != nil {
		return fmt.Errorf("parquet sink: write cells.parquet: %w", err)
	}
	if err := p.requests.flush(); err != nil {
		return fmt.Errorf("parquet sink: write requests.parquet: %w", err)
	}
	return nil
}

// Close writes the run row and the buffered request rows, then finishes
// the three files. It finishes every file it can even when one fails.
func (p *Parquet) Close(run Run, _ []report.Outcome) error {
	p.run = run
	var errs []error
	if p.runs != nil {
		errs = append(errs, p.runs.add(newRunRow(&run)))
	}
	for _, t := range []interface{ close() error }{p.requests, p.cellRows, p.runs} {
		errs = append(errs, t.close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("parquet sink: %w", err)
	}
	return nil
}

// parquetTable is one Parquet file being written: a buffer of at most
// limit rows, written as a row group when full.
type parquetTable[T any] struct {
	file   *partialFile
	buf    *bufio.Writer
	writer *parquet.GenericWriter[T]
	rows   []T
	limit  int
}

func newParquetTable[T any](path string, limit int) (*parquetTable[T], error) {
	f, err := createPartial(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	w := parquet.NewGenericWriter[T](buf,
		// The fastest zstd level: the default level doubled the time to write
		// a million requests (BenchmarkParquetMillionRequests).
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.CreatedBy("infermark", "", ""),
		parquet.KeyValueMetadata(schemaVersionKey, strconv.Itoa(SchemaVersion)),
	)
	return &parquetTable[T]{file: f, buf: buf, writer: w, rows: make([]T, 0, limit), limit: limit}, nil
}

func (t *parquetTable[T]) add(row T) error {
	t.rows = append(t.rows, row)
	if len(t.rows) < t.limit {
		return nil
	}
	return t.flush()
}

// flush writes the buffered rows as one row group.
func (t *parquetTable[T]) flush() error {
	if len(t.rows) == 0 {
		return nil
	}
	if _, err := t.writer.Write(t.rows); err != nil {
		return err
	}
	clear(t.rows)
	t.rows = t.rows[:0]
	if err := t.writer.Flush(); err != nil {
		return err
	}
	return t.buf.Flush()
}

// abort removes the partial file; a nil table is a no-op.
func (t *parquetTable[T]) abort() {
	if t != nil {
		t.file.abort()
	}
}

// close writes what is buffered and the footer, then renames the file to
// its final name. A nil table (Open failed before creating it) is a no-op.
func (t *parquetTable[T]) close() error {
	if t == nil {
		return nil
	}
	return t.file.complete(t.flush, t.writer.Close, t.buf.Flush)
}

// Declare adds a cell that the run's cell list did not have.
func (p *Parquet) Declare(info report.CellInfo) { p.cells[info.ID] = info }
