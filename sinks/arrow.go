package sinks

import (
	"bufio"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/infermark/infermark/report"
	"github.com/infermark/infermark/runner"
)

// Arrow writes requests.arrow, cells.arrow and runs.arrow in Dir/<run id>/
// as Arrow IPC files (the random-access "file" format, also called Feather
// v2), with the same columns as the Parquet sink. Request rows are written
// as a record batch every RowGroupRows rows. Until Close the files carry a
// ".partial" suffix, because an IPC file is readable only once its footer
// is written.
type Arrow struct {
	// Dir is the parent folder of each run's folder.
	Dir string
	// RowGroupRows is the number of request rows per record batch; 0 means
	// DefaultRowGroupRows.
	RowGroupRows int

	folder   string
	run      Run
	cells    map[string]report.CellInfo
	requests *arrowTable
	cellRows *arrowTable
	runs     *arrowTable
}

// Folder returns the folder this run's files are written in.
func (a *Arrow) Folder() string { return a.folder }

// Open creates the run's folder and its three files.
func (a *Arrow) Open(run Run) error {
	folder, err := runFolder(a.Dir, run)
	if err != nil {
		return fmt.Errorf("arrow sink: %w", err)
	}
	a.folder, a.run, a.cells = folder, run, cellIndex(run)
	rows := a.RowGroupRows
	if rows <= 0 {
		rows = DefaultRowGroupRows
	}

	var errs []error
	a.requests, err = newArrowTable(filepath.Join(folder, "requests.arrow"), requestCol, rows)
	errs = append(errs, err)
	a.cellRows, err = newArrowTable(filepath.Join(folder, "cells.arrow"), cellCol, 1)
	errs = append(errs, err)
	a.runs, err = newArrowTable(filepath.Join(folder, "runs.arrow"), runCol, 1)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		for _, t := range []*arrowTable{a.requests, a.cellRows, a.runs} {
			t.abort()
		}
		a.requests, a.cellRows, a.runs = nil, nil, nil
		return fmt.Errorf("arrow sink: %w", err)
	}
	return nil
}

// Record adds rec to the request rows, writing a record batch when the
// buffer is full.
func (a *Arrow) Record(rec runner.Record) error {
	row := newRequestRow(&a.run, a.cells[rec.CellID], &rec)
	if err := a.requests.add(reflect.ValueOf(&row).Elem()); err != nil {
		return fmt.Errorf("arrow sink: write requests.arrow: %w", err)
	}
	return nil
}

// Cell writes the cell's summary row and the request rows buffered so far.
func (a *Arrow) Cell(s report.CellSummary) error {
	row := newCellRow(&a.run, &s)
	if err := a.cellRows.add(reflect.ValueOf(&row).Elem()); err != nil {
		return fmt.Errorf("arrow sink: write cells.arrow: %w", err)
	}
	if err := a.requests.flush(); err != nil {
		return fmt.Errorf("arrow sink: write requests.arrow: %w", err)
	}
	return nil
}

// Close writes the run row and the buffered request rows, then finishes
// the three files. It finishes every file it can even when one fails.
func (a *Arrow) Close(run Run, _ []report.Outcome) error {
	row := newRunRow(&run)
	var errs []error
	if a.runs != nil {
		errs = append(errs, a.runs.add(reflect.ValueOf(&row).Elem()))
	}
	for _, t := range []*arrowTable{a.requests, a.cellRows, a.runs} {
		errs = append(errs, t.close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("arrow sink: %w", err)
	}
	return nil
}

// arrowSchema returns the Arrow schema of cols, with the schema version in
// its metadata.
func arrowSchema(cols []column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		var typ arrow.DataType
		switch c.Kind {
		case kindString:
			typ = arrow.BinaryTypes.String
		case kindInt64:
			typ = arrow.PrimitiveTypes.Int64
		case kindFloat64:
			typ = arrow.PrimitiveTypes.Float64
		case kindBool:
			typ = arrow.FixedWidthTypes.Boolean
		case kindTime:
			typ = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
		case kindFloat64List:
			typ = arrow.ListOf(arrow.PrimitiveTypes.Float64)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: typ, Nullable: c.Nullable}
	}
	meta := arrow.NewMetadata([]string{schemaVersionKey}, []string{strconv.Itoa(SchemaVersion)})
	return arrow.NewSchema(fields, &meta)
}

// arrowTable is one Arrow IPC file being written: a record builder of at
// most limit rows, written as a record batch when full.
type arrowTable struct {
	file    *partialFile
	buf     *bufio.Writer
	writer  *ipc.FileWriter
	builder *array.RecordBuilder
	cols    []column
	rows    int
	limit   int
}

func newArrowTable(path string, cols []column, limit int) (*arrowTable, error) {
	f, err := createPartial(path)
	if err != nil {
		return nil, err
	}
	schema := arrowSchema(cols)
	buf := bufio.NewWriterSize(f, 1<<20)
	w, err := ipc.NewFileWriter(buf, ipc.WithSchema(schema), ipc.WithZstd())
	if err != nil {
		f.Close()
		return nil, err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	return &arrowTable{file: f, buf: buf, writer: w, builder: b, cols: cols, limit: limit}, nil
}

// add appends one row, a struct value whose fields are t.cols.
func (t *arrowTable) add(row reflect.Value) error {
	for i, c := range t.cols {
		appendValue(t.builder.Field(i), c, row.Field(c.Field))
	}
	t.rows++
	if t.rows < t.limit {
		return nil
	}
	return t.flush()
}

func appendValue(b array.Builder, c column, v reflect.Value) {
	if c.Nullable {
		if v.IsNil() {
			b.AppendNull()
			return
		}
		v = v.Elem()
	}
	switch c.Kind {
	case kindString:
		b.(*array.StringBuilder).Append(v.String())
	case kindInt64:
		b.(*array.Int64Builder).Append(v.Int())
	case kindFloat64:
		b.(*array.Float64Builder).Append(v.Float())
	case kindBool:
		b.(*array.BooleanBuilder).Append(v.Bool())
	case kindTime:
		ts, _ := arrow.TimestampFromTime(v.Interface().(time.Time), arrow.Microsecond)
		b.(*array.TimestampBuilder).Append(ts)
	case kindFloat64List:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.Float64Builder).AppendValues(v.Interface().([]float64), nil)
	}
}

// flush writes the buffered rows as one record batch.
func (t *arrowTable) flush() error {
	if t.rows == 0 {
		return nil
	}
	rec := t.builder.NewRecordBatch()
	defer rec.Release()
	t.rows = 0
	if err := t.writer.Write(rec); err != nil {
		return err
	}
	return t.buf.Flush()
}

// abort removes the partial file; a nil table is a no-op.
func (t *arrowTable) abort() {
	if t != nil {
		t.builder.Release()
		t.file.abort()
	}
}

// close writes what is buffered and the footer, then renames the file to
// its final name. A nil table (Open failed before creating it) is a no-op.
func (t *arrowTable) close() error {
	if t == nil {
		return nil
	}
	defer t.builder.Release()
	return t.file.complete(t.flush, t.writer.Close, t.buf.Flush)
}

// Declare adds a cell that the run's cell list did not have.
func (a *Arrow) Declare(info report.CellInfo) { a.cells[info.ID] = info }
