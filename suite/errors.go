package suite

import (
	"fmt"
	"strings"
)

// String formats the position as "file:line:col", leaving out the parts
// that are zero.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// Error is one problem found in a suite file.
type Error struct {
	// Pos is the position of the problem; Line and Col are 1-based.
	Pos Pos
	// Msg is the lowercase message without the position.
	Msg string
	// Snippet is the source line at Pos.Line, or "" when unknown. A
	// literal api_key value on the line is replaced by "<redacted>".
	Snippet string
}

// Error formats the problem as "file:line:col: message".
func (e *Error) Error() string {
	return e.Pos.String() + ": " + e.Msg
}

// Verbose formats the problem as Error does, followed by the source line
// and a caret under the column.
func (e *Error) Verbose() string {
	return e.Error() + excerpt(e.Pos, e.Snippet)
}

// ErrorList is every problem found in one suite file, sorted by position.
type ErrorList []*Error

// Error formats every problem with Verbose, one after another.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Verbose()
	}
	return strings.Join(parts, "\n")
}

// Warning is a problem that does not stop the suite from loading.
type Warning struct {
	// Pos is the position of the problem; Line and Col are 1-based.
	Pos Pos
	// Msg is the lowercase message without the position.
	Msg string
	// Snippet is the source line at Pos.Line, with a literal api_key
	// value replaced by "<redacted>".
	Snippet string
}

// String formats the warning as "file:line:col: message".
func (w Warning) String() string {
	return w.Pos.String() + ": " + w.Msg
}

// Verbose formats the warning as String does, followed by the source line
// and a caret under the column.
func (w Warning) Verbose() string {
	return w.String() + excerpt(w.Pos, w.Snippet)
}

// ExprError is an error from LoadOptions.CheckExpr that carries the column
// of the problem within the expression, so that the loader can point at
// that column in the suite file.
type ExprError struct {
	// Col is the 1-based column within the expression text, counted in
	// runes.
	Col int
	// Msg is the compiler's message.
	Msg string
}

// Error formats the error as "column N: message".
func (e *ExprError) Error() string {
	return fmt.Sprintf("column %d: %s", e.Col, e.Msg)
}

// excerpt renders the source line under a message, with a caret under the
// column:
//
//	4 | endpionts:
//	  | ^
func excerpt(p Pos, line string) string {
	if p.Line == 0 || line == "" {
		return ""
	}
	gutter := fmt.Sprint(p.Line)
	blank := strings.Repeat(" ", len(gutter))

	var b strings.Builder
	fmt.Fprintf(&b, "\n  %s | %s", gutter, line)
	if p.Col > 0 {
		fmt.Fprintf(&b, "\n  %s | %s^", blank, caretIndent(line, p.Col))
	}
	return b.String()
}

// caretIndent returns the blanks that put a caret under the 1-based column
// col of line. yaml.v3 counts columns in runes, and tabs are kept so that
// the caret lines up however wide the terminal draws them.
func caretIndent(line string, col int) string {
	var b strings.Builder
	n := 0
	for _, r := range line {
		if n == col-1 {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
		n++
	}
	for ; n < col-1; n++ {
		b.WriteRune(' ')
	}
	return b.String()
}
