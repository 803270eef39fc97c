package suite

import (
	"fmt"
	"strings"
)

// expandEnv replaces environment references in a scalar value:
//
//	${VAR}          the variable's value; an error when VAR is not set
//	${VAR:-default} the variable's value, or default when VAR is unset or
//	                empty (as in POSIX sh); default is taken literally
//	$$              a literal "$"
//
// A "$" before any other character is kept, except before a letter or "_",
// where it is an error because "$VAR" without braces is not expanded and
// would otherwise be sent as literal text. fromEnv reports whether any
// ${...} reference was used.
func expandEnv(s string, lookup func(string) (string, bool)) (out string, fromEnv bool, err error) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}

	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}

		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", false, fmt.Errorf("unterminated %q in %q; close it with \"}\", or write \"$$\" for a literal \"$\"", "${", s)
			}
			value, err := lookupRef(s[i+2:i+2+end], lookup)
			if err != nil {
				return "", false, err
			}
			b.WriteString(value)
			fromEnv = true
			i += 2 + end
		case isNameStart(next):
			name := s[i+1:]
			if n := strings.IndexFunc(name, func(r rune) bool { return r > 0x7f || !isNameByte(byte(r)) }); n >= 0 {
				name = name[:n]
			}
			return "", false, fmt.Errorf("write ${%s} to read an environment variable, or \"$$\" for a literal \"$\"", name)
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), fromEnv, nil
}

// lookupRef resolves the text between "${" and "}".
func lookupRef(ref string, lookup func(string) (string, bool)) (string, error) {
	name, fallback, hasDefault := strings.Cut(ref, ":-")
	if !validEnvName(name) {
		return "", fmt.Errorf("invalid environment variable name %q in ${%s}; use letters, digits and \"_\", not starting with a digit", name, ref)
	}

	value, ok := "", false
	if lookup != nil {
		value, ok = lookup(name)
	}
	switch {
	case hasDefault && value == "":
		return fallback, nil
	case !ok:
		return "", fmt.Errorf("environment variable %q is not set; export it, or give a default with ${%s:-default}", name, name)
	default:
		return value, nil
	}
}

func validEnvName(name string) bool {
	if name == "" || !isNameStart(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if !isNameByte(name[i]) {
			return false
		}
	}
	return true
}

func isNameStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isNameByte(c byte) bool {
	return isNameStart(c) || ('0' <= c && c <= '9')
}
