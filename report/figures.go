package report

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// cellInfoType is skipped when listing figures, because a cell's identity
// is stored next to its figures, not among them.
var cellInfoType = reflect.TypeOf(CellInfo{})

// Figures returns every numeric figure of s by the name an assertion uses,
// such as "ttft_ms.p95" or "load.achieved_rate": float and integer fields
// with an expr tag, nested through structs and non-nil struct pointers.
// Strings, booleans, maps and the cell's identity are left out.
func Figures(s CellSummary) map[string]float64 {
	out := map[string]float64{}
	walkFigures(reflect.ValueOf(s), "", func(name string, v reflect.Value) {
		if v.CanInt() {
			out[name] = float64(v.Int())
		} else {
			out[name] = v.Float()
		}
	})
	return out
}

// walkFigures calls visit for every numeric field under v, prefixing names
// with prefix.
func walkFigures(v reflect.Value, prefix string, visit func(string, reflect.Value)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		field, fv := t.Field(i), v.Field(i)
		if field.Anonymous {
			if field.Type != cellInfoType {
				walkFigures(fv, prefix, visit)
			}
			continue
		}
		tag := field.Tag.Get("expr")
		if tag == "" || !field.IsExported() {
			continue
		}
		name := prefix + tag
		switch fv.Kind() {
		case reflect.Float64, reflect.Int:
			visit(name, fv)
		case reflect.Struct:
			walkFigures(fv, name+".", visit)
		case reflect.Pointer:
			if !fv.IsNil() && fv.Elem().Kind() == reflect.Struct {
				walkFigures(fv.Elem(), name+".", visit)
			}
		}
	}
}

// summaryFromFigures rebuilds a summary from the output of Figures, with
// nil meaning NaN. Float figures absent from figures are NaN, integer ones
// 0; a name that is not a figure is an error, because it means the file
// was written by another version.
func summaryFromFigures(info CellInfo, figures map[string]*float64) (CellSummary, error) {
	s := CellSummary{CellInfo: info}
	setAllNaN(reflect.ValueOf(&s).Elem())
	v := reflect.ValueOf(&s).Elem()
	for name, value := range figures {
		field, ok := figureField(v, strings.Split(name, "."))
		if !ok {
			return s, fmt.Errorf("unknown figure %q", name)
		}
		x := math.NaN()
		if value != nil {
			x = *value
		}
		if field.CanInt() {
			field.SetInt(int64(math.Round(x)))
		} else {
			field.SetFloat(x)
		}
	}
	return s, nil
}

// figureField finds the numeric field that path names under v, allocating
// struct pointers on the way.
func figureField(v reflect.Value, path []string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		field, fv := t.Field(i), v.Field(i)
		if field.Anonymous && field.Type != cellInfoType {
			if found, ok := figureField(fv, path); ok {
				return found, true
			}
			continue
		}
		if field.Tag.Get("expr") != path[0] || !field.IsExported() {
			continue
		}
		if fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct {
			if fv.IsNil() {
				fv.Set(reflect.New(fv.Type().Elem()))
				setAllNaN(fv.Elem())
			}
			fv = fv.Elem()
		}
		switch {
		case len(path) == 1 && (fv.Kind() == reflect.Float64 || fv.Kind() == reflect.Int):
			return fv, true
		case len(path) > 1 && fv.Kind() == reflect.Struct:
			return figureField(fv, path[1:])
		}
		return reflect.Value{}, false
	}
	return reflect.Value{}, false
}

// setAllNaN sets every float field under v, nested structs included, to
// NaN.
func setAllNaN(v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		field, fv := t.Field(i), v.Field(i)
		if !field.IsExported() || field.Type == cellInfoType {
			continue
		}
		switch fv.Kind() {
		case reflect.Float64:
			fv.SetFloat(math.NaN())
		case reflect.Struct:
			setAllNaN(fv)
		}
	}
}
