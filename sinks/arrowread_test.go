package sinks

import (
	"os"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// readArrowFile reads every record batch of an Arrow IPC file into rows,
// finding columns by name.
func readArrowFile[T any](t *testing.T, path string) ([]T, arrow.Metadata) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()

	var rows []T
	for i := range r.NumRecords() {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatalf("read %s batch %d: %v", path, i, err)
		}
		rows = append(rows, rowsFromArrow[T](t, rec)...)
	}
	return rows, r.Schema().Metadata()
}

// rowsFromArrow converts a record batch into rows of T. It fails the test
// on a missing column or one of an unexpected Arrow type.
func rowsFromArrow[T any](t *testing.T, rec arrow.RecordBatch) []T {
	t.Helper()
	cols := columnsOf(reflect.TypeFor[T]())
	rows := make([]T, rec.NumRows())
	for _, c := range cols {
		idx := rec.Schema().FieldIndices(c.Name)
		if len(idx) != 1 {
			t.Fatalf("column %s: found %d times in %s", c.Name, len(idx), rec.Schema())
		}
		arr := rec.Column(idx[0])
		if ext, ok := arr.(array.ExtensionArray); ok {
			arr = ext.Storage()
		}
		for i := range rows {
			field := reflect.ValueOf(&rows[i]).Elem().Field(c.Field)
			setField(t, field, c, arrowValue(t, arr, i, c))
		}
	}
	return rows
}

func arrowValue(t *testing.T, arr arrow.Array, i int, c column) any {
	t.Helper()
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit)
	case *array.List:
		start, end := a.ValueOffsets(i)
		values := a.ListValues().(*array.Float64).Float64Values()[start:end]
		return append([]float64{}, values...)
	}
	t.Fatalf("column %s: unexpected Arrow type %s", c.Name, arr.DataType())
	return nil
}
