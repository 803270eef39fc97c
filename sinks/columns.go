package sinks

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// columnKind is the type of a column in every format.
type columnKind int

const (
	kindString columnKind = iota
	kindInt64
	kindFloat64
	kindBool
	kindTime
	kindFloat64List
)

// column is one field of a row type, as the Arrow and SQLite sinks see it.
type column struct {
	Name     string
	Field    int
	Kind     columnKind
	Nullable bool
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	requestCol = columnsOf(reflect.TypeFor[RequestRow]())
	cellCol    = columnsOf(reflect.TypeFor[CellRow]())
	runCol     = columnsOf(reflect.TypeFor[RunRow]())
)

// columnsOf lists the columns of a row struct from its "parquet" tags, so
// that the row types stay the one definition of the tables. It panics on a
// field type the sinks cannot store, which is a programmer error.
func columnsOf(t reflect.Type) []column {
	cols := make([]column, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		col := column{Name: name, Field: i}
		typ := f.Type
		if typ.Kind() == reflect.Pointer {
			col.Nullable = true
			typ = typ.Elem()
		}
		switch {
		case typ == timeType:
			col.Kind = kindTime
		case typ.Kind() == reflect.String:
			col.Kind = kindString
		case typ.Kind() == reflect.Int64:
			col.Kind = kindInt64
		case typ.Kind() == reflect.Float64:
			col.Kind = kindFloat64
		case typ.Kind() == reflect.Bool:
			col.Kind = kindBool
		case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.Float64:
			col.Kind = kindFloat64List
		default:
			panic(fmt.Sprintf("sinks: column %s.%s has unsupported type %s", t.Name(), f.Name, f.Type))
		}
		cols = append(cols, col)
	}
	return cols
}

// columnNames returns the names of cols, in order.
func columnNames(cols []column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}
